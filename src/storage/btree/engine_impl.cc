// BtreeEngine: open and recovery, reads, the write path, snapshots, properties.
#include "storage/btree/engine_impl.h"

#include <fmt/format.h>

#include <filesystem>
#include <tuple>

#include "common/check.h"
#include "obs/log.h"
#include "obs/metrics.h"

namespace strata::storage::btree {

BtreeSnapshot::~BtreeSnapshot() {
  std::lock_guard lock(core_->version_mu);
  core_->pinned.erase(core_->pinned.find(epoch_));
}

std::shared_ptr<const BtreeSnapshot> BtreeSnapshot::Clone() const {
  std::lock_guard lock(core_->version_mu);
  core_->pinned.insert(epoch_);
  return std::make_shared<BtreeSnapshot>(core_, epoch_, root_, applied_index_);
}

BtreeEngine::BtreeEngine(const BtreeOptions& options) : options_(options) {}

Result<std::unique_ptr<Engine>> OpenBtreeEngine(const BtreeOptions& options) {
  STRATA_CHECK(options.scheduler != nullptr);
  STRATA_RETURN_IF_ERROR(io::CreateDir(options.dir));
  // The directory's own entry must be durable before the file in it is trusted.
  std::filesystem::path dir = std::filesystem::path(options.dir).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();
  std::string parent = dir.parent_path().string();
  STRATA_RETURN_IF_ERROR(io::SyncDir(parent.empty() ? "." : parent));
  std::unique_ptr<BtreeEngine> engine(new BtreeEngine(options));
  if (!io::FileExists(engine->FilePath())) STRATA_RETURN_IF_ERROR(engine->CreateFile());
  STRATA_RETURN_IF_ERROR(engine->Recover());
  if (options.registry) engine->RegisterMetrics(*options.registry);
  return std::unique_ptr<Engine>(std::move(engine));
}

Status BtreeEngine::CreateFile() {
  // Built under a temporary name and renamed: a crash mid-creation leaves no file that
  // looks like a damaged database.
  std::string tmp = FilePath() + ".tmp";
  STRATA_RETURN_IF_ERROR(io::RemoveAll(tmp));
  {
    STRATA_ASSIGN_OR_RETURN(auto file, PageFile::Open(options_.scheduler, tmp, options_.use_direct_io));
    io::AlignedBuffer page(kPageSize);
    InitPage(page.data(), kFirstDataPage, PageType::kLeaf, 0, 0);
    std::pair<PageId, char*> write{kFirstDataPage, page.data()};
    STRATA_RETURN_IF_ERROR(file->Write({&write, 1}, io::IoClass::kFlush));
    STRATA_RETURN_IF_ERROR(file->Sync(io::IoClass::kFlush));
    Meta meta;
    meta.generation = 1;
    meta.root = kFirstDataPage;
    meta.page_count = kFirstDataPage + 1;
    STRATA_RETURN_IF_ERROR(file->WriteMeta(meta, io::IoClass::kFlush));
    STRATA_RETURN_IF_ERROR(file->Sync(io::IoClass::kFlush));
  }
  STRATA_RETURN_IF_ERROR(io::RenameFile(tmp, FilePath()));
  return io::SyncDir(options_.dir);
}

Status BtreeEngine::Recover() {
  STRATA_ASSIGN_OR_RETURN(core_->file, PageFile::Open(options_.scheduler, FilePath(), options_.use_direct_io));
  STRATA_ASSIGN_OR_RETURN(std::optional<Meta> found, core_->file->ReadMeta());
  if (!found) return Status::Corruption("btree file " + FilePath() + " is empty");
  const Meta& meta = *found;
  if (meta.root < kFirstDataPage || meta.root >= meta.page_count || meta.height < 1 || meta.height > 64 ||
      meta.page_count > UINT32_MAX || meta.prev_epoch > meta.epoch) {
    return Status::Corruption("btree meta page of " + FilePath() + " is inconsistent");
  }
  core_->pool = std::make_unique<BufferPool>(core_->file.get(), options_.memory_budget);
  STRATA_RETURN_IF_ERROR(LoadFreeList(meta));
  core_->root = {meta.root, meta.height};
  core_->applied_index = meta.applied_index;
  core_->epoch = meta.epoch + 1;
  last_meta_ = meta;
  durable_prev_epoch_ = meta.prev_epoch;
  applied_index_ = meta.applied_index;
  persisted_applied_index_ = meta.applied_index;
  UpdateGauges();
  obs::Info("btree", "opened", {{"path", FilePath()}, {"persisted_applied_index", meta.applied_index},
                                 {"pages", meta.page_count}, {"generation", meta.generation}});
  return Status::OK();
}

// One callback per property, read at scrape time. One engine per registry (as for the LSM).
const std::vector<std::tuple<const char*, const char*, obs::MetricType, const char*>>& BtreeMetricTable() {
  using T = obs::MetricType;
  static const std::vector<std::tuple<const char*, const char*, obs::MetricType, const char*>> table = {
      {"stratadb_btree_buffer_pool_hits_total", "buffer_pool_hits", T::kCounter, "Page lookups served by the buffer pool."},
      {"stratadb_btree_buffer_pool_misses_total", "buffer_pool_misses", T::kCounter, "Page lookups that read the file."},
      {"stratadb_btree_buffer_pool_pages", "buffer_pool_pages", T::kGauge, "Frames in the buffer pool."},
      {"stratadb_btree_dirty_pages", "dirty_pages", T::kGauge, "Pages changed in memory, not yet written."},
      {"stratadb_btree_key_heads_bytes", "key_heads_bytes", T::kGauge, "Memory of the cached pages' key heads (search aids)."},
      {"stratadb_btree_pages_read_total", "pages_read", T::kCounter, "Pages read from the file."},
      {"stratadb_btree_pages_written_total", "pages_written", T::kCounter, "Pages written to the file."},
      {"stratadb_btree_pages_copied_total", "pages_copied", T::kCounter, "Pages copied on write (frozen by a snapshot or checkpoint)."},
      {"stratadb_btree_checkpoints_total", "checkpoint_count", T::kCounter, "Checkpoints written."},
      {"stratadb_btree_checkpoint_seconds_total", "checkpoint_seconds", T::kCounter, "Time spent writing checkpoints."},
      {"stratadb_btree_checkpoint_bytes_total", "checkpoint_bytes", T::kCounter, "Bytes written by checkpoints."},
      {"stratadb_btree_tree_height", "tree_height", T::kGauge, "Levels of the tree (1: the root is a leaf)."},
      {"stratadb_btree_free_pages", "free_pages", T::kGauge, "Pages of the file free or waiting to be reused."},
      {"stratadb_btree_file_pages", "file_pages", T::kGauge, "Pages in the file."},
      {"stratadb_btree_persisted_applied_index", "persisted_applied_index", T::kGauge, "Highest Raft index durable in the engine."},
  };
  return table;
}

void BtreeEngine::RegisterMetrics(obs::Registry& registry) {
  for (const auto& [metric, property, type, help] : BtreeMetricTable()) {
    registry.AddCallback(metric, help, type, [this, name = std::string(property)] {
      for (const auto& p : Properties()) {
        if (p.name == name) return p.value;
      }
      return 0.0;
    });
  }
}

BtreeEngine::~BtreeEngine() {
  if (options_.registry) {
    for (const auto& row : BtreeMetricTable()) options_.registry->RemoveCallback(std::get<0>(row));
  }
  // Nothing is flushed: pages written since the last checkpoint are dropped on purpose, and
  // the Raft log replays them (DESIGN D1). Snapshots and iterators keep core_ alive.
}

Status BtreeEngine::Failed() const {
  if (!has_failed_.load(std::memory_order_acquire)) return Status::OK();
  return Status::IOError("btree engine stopped after a write failed half-way; reopen it");
}

std::shared_ptr<const BtreeSnapshot> BtreeEngine::MakeSnapshot() {
  // Shared tree lock: never between two records of a batch. A new epoch starts, so the
  // writer copies every page it changes from here on and this root's pages stay as they are.
  std::shared_lock tree_lock(core_->tree_mu);
  std::lock_guard lock(core_->version_mu);
  uint64_t epoch = core_->epoch++;
  core_->pinned.insert(epoch);
  return std::make_shared<BtreeSnapshot>(core_, epoch, core_->root, core_->applied_index);
}

std::shared_ptr<const Snapshot> BtreeEngine::GetSnapshot() { return MakeSnapshot(); }

Result<std::optional<Bytes>> BtreeEngine::Get(const ReadOptions& options, Slice key) {
  if (options.snapshot != nullptr) {
    const auto* snapshot = static_cast<const BtreeSnapshot*>(options.snapshot);
    return TreeGet(core_->pool.get(), snapshot->root(), key, options.fill_cache);
  }
  STRATA_RETURN_IF_ERROR(Failed());
  std::shared_lock tree_lock(core_->tree_mu);
  return TreeGet(core_->pool.get(), core_->root, key, options.fill_cache);
}

std::unique_ptr<Iterator> BtreeEngine::NewIterator(const ReadOptions& options) {
  if (options.snapshot != nullptr) {
    return NewBtreeIterator(static_cast<const BtreeSnapshot*>(options.snapshot)->Clone(), options);
  }
  if (Status s = Failed(); !s.ok()) return NewErrorIterator(std::move(s));
  return NewBtreeIterator(MakeSnapshot(), options);
}

uint64_t BtreeEngine::MinPinnedEpoch() {
  std::lock_guard lock(core_->version_mu);
  uint64_t min = durable_prev_epoch_;
  if (!core_->pinned.empty()) min = std::min(min, *core_->pinned.begin());
  return min;
}

void BtreeEngine::ReleaseFreedPages() {
  for (PageId id : alloc_.Release(MinPinnedEpoch())) core_->pool->Forget(id);
}

Status BtreeEngine::Apply(const std::function<Status(TreeWriter&)>& change) {
  Status s;
  {
    std::unique_lock tree_lock(core_->tree_mu);
    uint64_t epoch;
    {
      std::lock_guard lock(core_->version_mu);
      epoch = core_->epoch;
    }
    ReleaseFreedPages();
    TreeWriter writer(core_->pool.get(), &alloc_, &core_->root, epoch);
    s = change(writer);
    pages_copied_ += writer.pages_copied();
  }
  changed_ = true;
  if (!s.ok()) {
    // Part of the change may be in the tree: stop here. The last checkpoint is intact.
    failed_ = s;
    has_failed_.store(true, std::memory_order_release);
    obs::Error("btree", "write failed half-way; the engine stops", {{"error", s.ToString()}});
    return s;
  }
  if (Status trim = core_->pool->TrimDirty(); !trim.ok()) {
    // The pages stay dirty and are written by the next checkpoint (which reports it). Logged
    // once per streak: on a full disk this fails at every write until space returns.
    if (!trim_failing_) obs::Warn("btree", "writing dirty pages back failed", {{"error", trim.ToString()}});
    trim_failing_ = true;
  } else if (trim_failing_) {
    obs::Info("btree", "writing dirty pages back works again");
    trim_failing_ = false;
  }
  UpdateGauges();
  return Status::OK();
}

Status BtreeEngine::Write(const WriteBatch& batch) {
  std::lock_guard write_lock(write_mu_);
  if (!failed_.ok()) return failed_;
  uint64_t index = batch.applied_index();
  if (index != 0 && index <= applied_index_.load()) {
    return Status::InvalidArgument(fmt::format("write batch applied index {} is not above {}", index,
                                               applied_index_.load()));
  }
  if (batch.empty()) {
    // Only the index moves (RoutedEngine gives every Raft entry to both engines, so most
    // batches here are empty): no tree walk, no write-back, no new epoch.
    if (index != 0) {
      std::unique_lock tree_lock(core_->tree_mu);  // snapshots read root and index together
      core_->applied_index = index;
      applied_index_.store(index);
    }
    return Status::OK();
  }
  // Refuse what the tree cannot hold before touching it: the batch stays all-or-nothing.
  struct Checker : WriteBatch::Handler {
    Status s;
    void Check(Slice key) {
      if (s.ok() && key.size() > kMaxKeySize) {
        s = Status::InvalidArgument(fmt::format("btree key of {} bytes is over the limit of {}", key.size(), kMaxKeySize));
      }
    }
    void Put(Slice k, Slice) override { Check(k); }
    void Delete(Slice k) override { Check(k); }
    void DeleteRange(Slice, Slice) override {}
  } checker;
  STRATA_RETURN_IF_ERROR(batch.Iterate(&checker));
  STRATA_RETURN_IF_ERROR(checker.s);
  STRATA_RETURN_IF_ERROR(Apply([&](TreeWriter& writer) -> Status {
    struct Applier : WriteBatch::Handler {
      TreeWriter* w;
      Status s;
      void Put(Slice k, Slice v) override {
        if (s.ok()) s = w->Put(k, v);
      }
      void Delete(Slice k) override {
        if (s.ok()) s = w->Delete(k);
      }
      void DeleteRange(Slice b, Slice e) override {
        if (s.ok()) s = w->DeleteRange(b, e);
      }
    } applier;
    applier.w = &writer;
    STRATA_RETURN_IF_ERROR(batch.Iterate(&applier));
    STRATA_RETURN_IF_ERROR(applier.s);
    if (index != 0) core_->applied_index = index;  // under the tree lock: snapshots see both
    return Status::OK();
  }));
  if (index != 0) applied_index_.store(index);
  return Status::OK();
}

void BtreeEngine::UpdateGauges() {
  tree_height_.store(core_->root.height, std::memory_order_relaxed);
  free_pages_.store(alloc_.free_pages() + alloc_.pending_pages(), std::memory_order_relaxed);
  file_pages_.store(alloc_.page_count(), std::memory_order_relaxed);
}

std::vector<EngineProperty> BtreeEngine::Properties() const {
  const BufferPool& pool = *core_->pool;
  const PageFile& file = *core_->file;
  auto d = [](uint64_t v) { return static_cast<double>(v); };
  return {
      {"buffer_pool_hits", d(pool.hits())},
      {"buffer_pool_misses", d(pool.misses())},
      {"buffer_pool_pages", d(pool.frames())},
      {"buffer_pool_budget_pages", d(pool.budget_frames())},
      {"dirty_pages", d(pool.dirty_pages())},
      {"key_heads_bytes", d(pool.heads_bytes())},
      {"pages_read", d(file.pages_read())},
      {"pages_written", d(file.pages_written())},
      {"pages_copied", d(pages_copied_.load())},
      {"checkpoint_count", d(checkpoint_count_.load())},
      {"checkpoint_seconds", checkpoint_seconds_.load()},
      {"checkpoint_bytes", d(checkpoint_bytes_.load())},
      {"tree_height", d(tree_height_.load())},
      {"free_pages", d(free_pages_.load())},
      {"file_pages", d(file_pages_.load())},
      {"applied_index", d(applied_index_.load())},
      {"persisted_applied_index", d(persisted_applied_index_.load())},
  };
}

}  // namespace strata::storage::btree
