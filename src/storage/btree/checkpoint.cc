// Checkpoints (Flush), copies for Raft snapshots (Checkpoint), ingestion of SST files, and
// the free list a checkpoint leaves on disk. docs/btree_format.md describes the protocol.
#include <fmt/format.h>

#include <chrono>
#include <unordered_set>

#include "common/check.h"
#include "obs/log.h"
#include "storage/btree/engine_impl.h"
#include "storage/lsm/internal_key.h"
#include "storage/lsm/table.h"

namespace strata::storage::btree {

namespace {

// Encodes `ids` into free-list pages `pages` (chained in order) in `buf`.
void EncodeFreeList(uint64_t epoch, const std::vector<PageId>& pages, const std::vector<PageId>& ids, char* buf) {
  size_t next = 0;
  for (size_t k = 0; k < pages.size(); k++) {
    char* p = buf + k * kPageSize;
    InitPage(p, pages[k], PageType::kFreeList, 0, epoch);
    size_t n = std::min(kFreeListEntries, ids.size() - next);
    for (size_t i = 0; i < n; i++) std::memcpy(p + kPageHeaderSize + 4 * i, &ids[next + i], 4);
    next += n;
    SetHeaderCount(p, static_cast<uint16_t>(n));
    SetHeaderLink(p, k + 1 < pages.size() ? pages[k + 1] : kNoPage);
  }
  STRATA_CHECK(next == ids.size());
}

size_t FreeListPagesFor(size_t entries) { return (entries + kFreeListEntries - 1) / kFreeListEntries; }

}  // namespace

Status BtreeEngine::LoadFreeList(const Meta& meta) {
  std::vector<PageId> ids, chain;
  uint64_t want = meta.free_count + meta.held_count;
  io::AlignedBuffer buf(kPageSize);
  for (PageId id = meta.free_list; id != kNoPage;) {
    if (id < kFirstDataPage || id >= meta.page_count || chain.size() > FreeListPagesFor(want)) {
      return Status::Corruption(fmt::format("btree free list of {}: bad page {}", FilePath(), id));
    }
    STRATA_RETURN_IF_ERROR(core_->file->Read(id, buf.data(), io::IoClass::kForegroundRead));
    size_t n = HeaderCount(buf.data());
    if (HeaderType(buf.data()) != PageType::kFreeList || n > kFreeListEntries) {
      return Status::Corruption(fmt::format("btree page {} is not a free-list page", id));
    }
    for (size_t i = 0; i < n; i++) ids.push_back(DecodeFixed32(buf.data() + kPageHeaderSize + 4 * i));
    chain.push_back(id);
    id = HeaderLink(buf.data());
  }
  std::unordered_set<PageId> seen(chain.begin(), chain.end());
  for (PageId id : ids) {
    if (id < kFirstDataPage || id >= meta.page_count || !seen.insert(id).second) {
      return Status::Corruption(fmt::format("btree free list of {}: bad entry {}", FilePath(), id));
    }
  }
  if (ids.size() != want) return Status::Corruption("btree free list of " + FilePath() + " has the wrong length");
  // Held pages belong to the older checkpoint (prev_epoch), the list's own pages to this one:
  // both stay untouched until the next checkpoint, resp. the one after, is durable.
  std::vector<PageId> free(ids.begin(), ids.begin() + static_cast<ptrdiff_t>(meta.free_count));
  std::vector<std::pair<uint64_t, PageId>> pending;
  for (size_t i = meta.free_count; i < ids.size(); i++) pending.emplace_back(meta.epoch, ids[i]);
  for (PageId id : chain) pending.emplace_back(meta.epoch + 1, id);
  alloc_.Reset(meta.page_count, free, pending);
  return Status::OK();
}

Status BtreeEngine::Flush() {
  std::lock_guard write_lock(write_mu_);
  if (!failed_.ok()) return failed_;
  return CheckpointLocked();
}

Status BtreeEngine::WriteFreeList(uint64_t epoch, const std::vector<PageId>& pages, const std::vector<PageId>& ids) {
  if (pages.empty()) return Status::OK();
  io::AlignedBuffer buf(pages.size() * kPageSize);
  EncodeFreeList(epoch, pages, ids, buf.data());
  std::vector<std::pair<PageId, char*>> writes;
  for (size_t k = 0; k < pages.size(); k++) {
    core_->pool->Forget(pages[k]);  // a stale frame of the page's previous life
    writes.emplace_back(pages[k], buf.data() + k * kPageSize);
  }
  return core_->file->Write(writes, io::IoClass::kFlush);
}

// Shadow paging: the pages of the new version are written where no durable version has
// pages, synced, and only then does the meta slot not holding the newest checkpoint get the
// new root. Crashing anywhere before that meta write is durable leaves the previous
// checkpoint as the newest valid meta; its pages were not touched.
Status BtreeEngine::CheckpointLocked() {
  if (!changed_ && applied_index_.load() == persisted_applied_index_.load()) return Status::OK();
  auto start = std::chrono::steady_clock::now();
  uint64_t written_before = core_->file->pages_written();
  uint64_t epoch;
  {
    std::lock_guard lock(core_->version_mu);
    epoch = core_->epoch++;  // freeze: from now on the writer copies what it changes
  }
  ReleaseFreedPages();
  // Once this checkpoint is durable, it and the current one (last_meta_.epoch) are the two
  // kept versions; pages neither holds are free after a restart.
  std::vector<PageId> free, held, list_pages;
  alloc_.Classify(last_meta_.epoch, &free, &held);
  size_t list_size = FreeListPagesFor(free.size() + held.size());
  for (size_t k = 0; k < list_size; k++) {
    STRATA_ASSIGN_OR_RETURN(PageId id, alloc_.Allocate());
    list_pages.push_back(id);
  }
  alloc_.Classify(last_meta_.epoch, &free, &held);  // without the list's own pages
  std::vector<PageId> ids = free;
  ids.insert(ids.end(), held.begin(), held.end());
  Meta meta;
  meta.generation = last_meta_.generation + 1;
  meta.epoch = epoch;
  meta.prev_epoch = last_meta_.epoch;
  meta.root = core_->root.root;
  meta.height = core_->root.height;
  meta.applied_index = core_->applied_index;
  meta.page_count = alloc_.page_count();
  meta.free_list = list_pages.empty() ? kNoPage : list_pages[0];
  meta.free_count = free.size();
  meta.held_count = held.size();
  Status s = WriteFreeList(epoch, list_pages, ids);
  if (s.ok()) s = core_->pool->WriteBackAll(io::IoClass::kFlush);
  if (s.ok()) s = core_->file->Sync(io::IoClass::kFlush);
  if (s.ok()) s = core_->file->WriteMeta(meta, io::IoClass::kFlush);
  if (s.ok()) s = core_->file->Sync(io::IoClass::kFlush);
  // The list's pages hold this checkpoint's free list (or nothing, after a failure): they
  // are reused once this checkpoint is no longer one of the two kept.
  for (PageId id : list_pages) alloc_.Hold(id, epoch + 1);
  if (!s.ok()) {
    // Nothing durable changed: the previous checkpoint is still the newest valid meta
    // (a meta write that did reach the disk is overwritten by the next attempt's).
    obs::Warn("btree", "checkpoint failed", {{"error", s.ToString()}});
    return s;
  }
  durable_prev_epoch_ = last_meta_.epoch;
  last_meta_ = meta;
  changed_ = false;
  persisted_applied_index_.store(meta.applied_index);
  ReleaseFreedPages();
  UpdateGauges();
  checkpoint_count_++;
  checkpoint_bytes_ += (core_->file->pages_written() - written_before) * kPageSize + 4096;
  checkpoint_seconds_ = checkpoint_seconds_.load() +
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Status::OK();
}

Result<uint64_t> BtreeEngine::Checkpoint(const std::string& dir) {
  STRATA_RETURN_IF_ERROR(Flush());
  if (io::FileExists(dir)) return Status::AlreadyExists("checkpoint directory exists: " + dir);
  STRATA_RETURN_IF_ERROR(io::CreateDir(dir));
  // Copy one frozen version page by page at the same page numbers; writes go on meanwhile.
  std::shared_ptr<const BtreeSnapshot> snapshot = MakeSnapshot();
  STRATA_ASSIGN_OR_RETURN(auto out, PageFile::Open(options_.scheduler, dir + "/btree.db", options_.use_direct_io));
  constexpr size_t kBatch = 64;
  io::AlignedBuffer buf(kBatch * kPageSize);
  std::vector<std::pair<PageId, char*>> batch;
  std::vector<bool> used(kFirstDataPage, true);
  auto copy = [&](const PageRef& page) -> Status {
    char* slot = buf.data() + batch.size() * kPageSize;
    // Bytes 0-7 (the checksum) may be being rewritten by a write-back: the copy reseals.
    std::memcpy(slot + 8, page.data() + 8, kPageSize - 8);
    batch.emplace_back(page.id(), slot);
    if (used.size() <= page.id()) used.resize(page.id() + 1, false);
    used[page.id()] = true;
    if (batch.size() < kBatch) return Status::OK();
    Status s = out->Write(batch, io::IoClass::kSnapshot);
    batch.clear();
    return s;
  };
  STRATA_RETURN_IF_ERROR(VisitPages(core_->pool.get(), snapshot->root(), copy));
  STRATA_RETURN_IF_ERROR(out->Write(batch, io::IoClass::kSnapshot));
  std::vector<PageId> free, list_pages;
  for (PageId id = kFirstDataPage; id < used.size(); id++) {
    if (!used[id]) free.push_back(id);
  }
  for (size_t k = 0; k < FreeListPagesFor(free.size()); k++) list_pages.push_back(static_cast<PageId>(used.size() + k));
  io::AlignedBuffer list_buf(std::max<size_t>(1, list_pages.size()) * kPageSize);
  EncodeFreeList(snapshot->epoch(), list_pages, free, list_buf.data());
  std::vector<std::pair<PageId, char*>> list_writes;
  for (size_t k = 0; k < list_pages.size(); k++) list_writes.emplace_back(list_pages[k], list_buf.data() + k * kPageSize);
  STRATA_RETURN_IF_ERROR(out->Write(list_writes, io::IoClass::kSnapshot));
  STRATA_RETURN_IF_ERROR(out->Sync(io::IoClass::kSnapshot));
  Meta meta;
  meta.generation = 1;
  meta.epoch = meta.prev_epoch = snapshot->epoch();
  meta.root = snapshot->root().root;
  meta.height = snapshot->root().height;
  meta.applied_index = snapshot->applied_index();
  meta.page_count = used.size() + list_pages.size();
  meta.free_list = list_pages.empty() ? kNoPage : list_pages[0];
  meta.free_count = free.size();
  STRATA_RETURN_IF_ERROR(out->WriteMeta(meta, io::IoClass::kSnapshot));
  STRATA_RETURN_IF_ERROR(out->Sync(io::IoClass::kSnapshot));
  STRATA_RETURN_IF_ERROR(io::SyncDir(dir));
  return snapshot->applied_index();
}

Status BtreeEngine::Ingest(const std::vector<std::string>& files) {
  std::lock_guard write_lock(write_mu_);
  if (!failed_.ok()) return failed_;
  // Check every file before the tree is touched, so a bad file changes nothing.
  std::vector<std::shared_ptr<lsm::Table>> tables;
  for (const auto& name : files) {
    STRATA_ASSIGN_OR_RETURN(auto file, options_.scheduler->Open(name, {.read_only = true}));
    STRATA_ASSIGN_OR_RETURN(uint64_t size, file->Size());
    STRATA_ASSIGN_OR_RETURN(auto table, lsm::Table::Open(std::move(file), 0, size, nullptr, nullptr));
    auto it = table->NewIterator(false, false);
    Bytes previous;
    bool first = true;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      Slice user_key = lsm::ExtractUserKey(it->key());
      if (!first && user_key <= Slice(previous)) return Status::InvalidArgument("ingested file holds key twice: " + name);
      if (user_key.size() > kMaxKeySize) return Status::InvalidArgument("ingested key over the btree limit: " + name);
      previous.assign(user_key);
      first = false;
    }
    STRATA_RETURN_IF_ERROR(it->status());
    tables.push_back(std::move(table));
  }
  STRATA_RETURN_IF_ERROR(Apply([&](TreeWriter& writer) -> Status {
    for (const auto& table : tables) {  // later files win: applied last
      auto it = table->NewIterator(false, false);
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        Slice user_key = lsm::ExtractUserKey(it->key());
        bool put = lsm::ExtractType(it->key()) == lsm::ValueType::kValue;
        STRATA_RETURN_IF_ERROR(put ? writer.Put(user_key, it->value()) : writer.Delete(user_key));
      }
      STRATA_RETURN_IF_ERROR(it->status());
    }
    return Status::OK();
  }));
  // Durable on return, as the LSM's ingest is.
  return CheckpointLocked();
}

}  // namespace strata::storage::btree
