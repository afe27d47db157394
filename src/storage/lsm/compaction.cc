// Background work of the LSM engine: flushing sealed memtables to level 0 and leveled
// compaction (DESIGN D6). Two background threads: one flushes, one compacts, so a flush —
// which writers and the Raft log's compaction wait for — never waits behind a compaction
// that may run for seconds. Each installs its result with InstallEdit under mu_ on top of
// the *current* version, so a flush that adds an L0 file while a compaction runs is kept;
// a compaction's inputs were picked from files no flush changes (flushes only add newer L0
// files). Readers keep working on the version they pinned.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/check.h"
#include "obs/log.h"
#include "storage/lsm/engine_impl.h"
#include "storage/lsm/merging_iterator.h"
#include "storage/lsm/table_builder.h"

namespace strata::storage::lsm {

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

void AtomicAdd(std::atomic<double>& a, double d) {
  double cur = a.load();
  while (!a.compare_exchange_weak(cur, cur + d)) {
  }
}

}  // namespace

void LsmEngine::BackgroundLoop(BackgroundJob job) {
  std::unique_lock lock(mu_);
  while (!shutting_down_) {
    Status s;
    if (!bg_error_.ok()) {
      bg_cv_.wait(lock);
      continue;
    }
    if (job == BackgroundJob::kFlush) {
      if (flush_busy_ || imm_.empty()) {  // busy: CompactAll() holds the slot
        bg_cv_.wait(lock);
        continue;
      }
      flush_busy_ = true;
      s = FlushOldestImmutable(lock);
      flush_busy_ = false;
    } else {
      std::optional<Compaction> c;
      if (compaction_busy_ || !(c = PickCompaction(*version_))) {
        bg_cv_.wait(lock);
        continue;
      }
      compaction_busy_ = true;
      s = RunCompaction(lock, *c);
      compaction_busy_ = false;
    }
    if (!s.ok()) {
      bg_error_ = s;
      obs::Error("lsm", "background work failed; writes stop until restart", {{"error", s.ToString()}});
    }
    done_cv_.notify_all();
    bg_cv_.notify_all();  // a flush may make a compaction due; the other thread re-checks
  }
}

uint64_t LsmEngine::LevelTarget(const Version& v, int level) const {
  // Dynamic level sizes: L1's target grows with the deepest level's size so that each level
  // is ~multiplier times the one above and the deepest holds most of the data.
  int deepest = 1;
  for (int l = 1; l < kNumLevels; l++) {
    if (!v.levels[l].empty()) deepest = l;
  }
  double mult = options_.level_size_multiplier;
  double l1 = std::max<double>(options_.max_bytes_for_level_base,
                               v.LevelBytes(deepest) / std::pow(mult, deepest - 1));
  return static_cast<uint64_t>(l1 * std::pow(mult, level - 1));
}

std::optional<Compaction> LsmEngine::PickCompaction(const Version& v) const {
  int best_level = -1;
  double best_score = 1.0;
  double l0_score = static_cast<double>(v.levels[0].size()) / options_.l0_compaction_trigger;
  if (l0_score >= best_score) {
    best_score = l0_score;
    best_level = 0;
  }
  for (int l = 1; l + 1 < kNumLevels; l++) {
    double score = static_cast<double>(v.LevelBytes(l)) / LevelTarget(v, l);
    if (score > best_score) {
      best_score = score;
      best_level = l;
    }
  }
  if (best_level < 0) return std::nullopt;
  Compaction c;
  c.level = best_level;
  if (best_level == 0) {
    c.inputs0 = v.levels[0];
  } else {
    const auto& files = v.levels[best_level];
    auto it = compact_pointer_.find(best_level);
    size_t pick = it == compact_pointer_.end() ? 0 : it->second % files.size();
    c.inputs0 = {files[pick]};
  }
  Bytes begin(c.inputs0[0]->smallest_user()), end(c.inputs0[0]->largest_user());
  for (const auto& f : c.inputs0) {
    if (f->smallest_user() < Slice(begin)) begin.assign(f->smallest_user());
    if (Slice(end) < f->largest_user()) end.assign(f->largest_user());
  }
  c.inputs1 = v.Overlapping(best_level + 1, begin, end);
  c.trivial_move = best_level > 0 && c.inputs1.empty();
  return c;
}

Status LsmEngine::BuildTables(InternalIterator* input, int output_level, bool drop_deletions_allowed,
                              const Version& base, SequenceNumber oldest_snapshot,
                              const std::vector<RangeTombstone>& tombstones, std::vector<FileMeta>* outputs,
                              io::IoClass io_class) {
  TableOptions table_options = options_.table;
  const auto& per_level = options_.compression_per_level;
  if (!per_level.empty()) {
    table_options.compression = per_level[std::min<size_t>(output_level, per_level.size() - 1)];
  }
  std::unique_ptr<io::File> file;
  std::unique_ptr<TableBuilder> builder;
  FileMeta meta;
  auto finish = [&]() -> Status {
    if (!builder) return Status::OK();
    STRATA_RETURN_IF_ERROR(builder->Finish());
    meta.size = builder->file_size();
    meta.entries = builder->entries();
    meta.smallest = builder->smallest();
    meta.largest = builder->largest();
    builder.reset();
    file.reset();
    STRATA_RETURN_IF_ERROR(OpenTable(&meta));
    outputs->push_back(std::move(meta));
    meta = FileMeta();
    return Status::OK();
  };

  Bytes current_user_key;
  bool has_current = false;
  SequenceNumber last_seq_for_key = kMaxSequence;
  for (input->SeekToFirst(); input->Valid(); input->Next()) {
    Slice ikey = input->key();
    Slice user_key = ExtractUserKey(ikey);
    SequenceNumber seq = ExtractSequence(ikey);
    bool new_key = !has_current || user_key != Slice(current_user_key);
    if (new_key) {
      // Split output files only between user keys, so a key's versions stay in one file.
      if (builder && builder->file_size() + 0 >= options_.target_file_size) STRATA_RETURN_IF_ERROR(finish());
      current_user_key.assign(user_key);
      has_current = true;
      last_seq_for_key = kMaxSequence;
    }
    bool drop = false;
    if (last_seq_for_key <= oldest_snapshot) {
      drop = true;  // a newer version of this key is visible to every reader
    } else {
      for (const auto& t : tombstones) {
        if (t.seq > seq && t.seq <= oldest_snapshot && Slice(t.begin) <= user_key && user_key < Slice(t.end)) {
          drop = true;  // deleted by a range tombstone every reader sees
          break;
        }
      }
      if (!drop && drop_deletions_allowed && ExtractType(ikey) == ValueType::kDeletion && seq <= oldest_snapshot) {
        bool deeper = false;
        for (int l = output_level + 1; l < kNumLevels && !deeper; l++) {
          for (const auto& f : base.levels[l]) {
            if (f->Overlaps(user_key, user_key)) {
              deeper = true;
              break;
            }
          }
        }
        drop = !deeper;  // nothing older below: the marker has nothing left to hide
      }
    }
    last_seq_for_key = seq;
    if (drop) continue;
    if (!builder) {
      meta.number = [&] {
        std::lock_guard lock(mu_);
        return next_file_number_++;
      }();
      std::string path = options_.dir + "/" + TableFileName(meta.number);
      STRATA_ASSIGN_OR_RETURN(file, scheduler_->Open(path, {.create = true, .truncate = true,
                                                           .direct = options_.use_direct_io}));
      builder = std::make_unique<TableBuilder>(table_options, file.get(), io_class,
                                               options_.cache_on_write ? cache_.get() : nullptr, meta.number,
                                               scheduler_);
    }
    builder->Add(ikey, input->value());
  }
  STRATA_RETURN_IF_ERROR(input->status());
  STRATA_RETURN_IF_ERROR(finish());
  return io::SyncDir(options_.dir);  // the new files' directory entries are durable
}

Status LsmEngine::InstallEdit(VersionEdit& edit) {
  edit.next_file_number = next_file_number_;
  edit.last_sequence = last_sequence_.load();
  STRATA_RETURN_IF_ERROR(manifest_->Append(edit));
  auto v = std::make_shared<Version>(*version_);
  for (const auto& [level, number] : edit.deleted) {
    auto& files = v->levels[level];
    files.erase(std::remove_if(files.begin(), files.end(), [n = number](const FileRef& f) { return f->number == n; }),
                files.end());
  }
  for (auto& [level, f] : edit.added) {
    STRATA_CHECK(f.table != nullptr);
    v->levels[level].push_back(std::make_shared<FileMeta>(f));
  }
  for (const auto& t : edit.added_tombstones) v->tombstones.push_back(t);
  std::sort(v->levels[0].begin(), v->levels[0].end(),
            [](const FileRef& a, const FileRef& b) { return a->number > b->number; });
  for (int l = 1; l < kNumLevels; l++) {
    std::sort(v->levels[l].begin(), v->levels[l].end(),
              [](const FileRef& a, const FileRef& b) { return CompareInternalKeys(a->smallest, b->smallest) < 0; });
  }
  version_ = v;
  InstallSuperVersion();
  UpdateLevelMetrics(*v);
  return Status::OK();
}

Status LsmEngine::FlushOldestImmutable(std::unique_lock<std::mutex>& lock) {
  STRATA_CHECK(!imm_.empty());
  std::shared_ptr<Memtable> imm = imm_.front();
  std::shared_ptr<const Version> base = version_;
  SequenceNumber oldest = OldestSnapshot();
  auto start = std::chrono::steady_clock::now();
  lock.unlock();
  std::vector<FileMeta> outputs;
  auto it = imm->NewIterator();
  Status s = BuildTables(it.get(), 0, false, *base, oldest, {}, &outputs, io::IoClass::kFlush);
  lock.lock();
  STRATA_RETURN_IF_ERROR(s);
  VersionEdit edit;
  uint64_t applied = std::max(persisted_applied_index_.load(), imm->applied_index());
  edit.persisted_applied_index = applied;
  for (auto& f : outputs) {
    flush_bytes_ += f.size;
    edit.added.emplace_back(0, std::move(f));
  }
  edit.added_tombstones = imm->RangeTombstones();
  STRATA_RETURN_IF_ERROR(InstallEdit(edit));
  persisted_applied_index_ = applied;
  imm_.erase(imm_.begin());
  memtables_flushed_++;
  InstallSuperVersion();
  flush_count_++;
  AtomicAdd(flush_seconds_, Seconds(start));
  done_cv_.notify_all();
  return Status::OK();
}

Status LsmEngine::RunCompaction(std::unique_lock<std::mutex>& lock, const Compaction& c) {
  VersionEdit edit;
  auto start = std::chrono::steady_clock::now();
  if (c.level > 0) compact_pointer_[c.level]++;
  if (c.trivial_move) {
    const FileRef& f = c.inputs0[0];
    edit.deleted.emplace_back(c.level, f->number);
    edit.added.emplace_back(c.level + 1, *f);
    return InstallEdit(edit);
  }
  std::shared_ptr<const Version> base = version_;
  SequenceNumber oldest = OldestSnapshot();
  std::vector<RangeTombstone> tombstones = base->tombstones;
  lock.unlock();
  std::vector<std::unique_ptr<InternalIterator>> children;
  uint64_t bytes_in = 0;
  for (const auto* inputs : {&c.inputs0, &c.inputs1}) {
    for (const auto& f : *inputs) {
      children.push_back(f->table->NewIterator(/*fill_cache=*/false, /*foreground=*/false));
      bytes_in += f->size;
    }
  }
  auto merged = NewMergingIterator(std::move(children));
  std::vector<FileMeta> outputs;
  Status s = BuildTables(merged.get(), c.level + 1, true, *base, oldest, tombstones, &outputs,
                         io::IoClass::kCompaction);
  lock.lock();
  STRATA_RETURN_IF_ERROR(s);
  std::vector<uint64_t> obsolete;
  for (const auto& f : c.inputs0) {
    edit.deleted.emplace_back(c.level, f->number);
    obsolete.push_back(f->number);
  }
  for (const auto& f : c.inputs1) {
    edit.deleted.emplace_back(c.level + 1, f->number);
    obsolete.push_back(f->number);
  }
  uint64_t bytes_out = 0;
  for (auto& f : outputs) {
    bytes_out += f.size;
    edit.added.emplace_back(c.level + 1, std::move(f));
  }
  STRATA_RETURN_IF_ERROR(InstallEdit(edit));
  DeleteObsoleteFiles(obsolete);
  compaction_bytes_read_ += bytes_in;
  compaction_bytes_written_ += bytes_out;
  compaction_count_++;
  AtomicAdd(compaction_seconds_, Seconds(start));
  return Status::OK();
}

Status LsmEngine::CompactAll() {
  std::lock_guard write_lock(write_mu_);
  std::unique_lock lock(mu_);
  while (flush_busy_ || compaction_busy_) done_cv_.wait(lock);  // the background jobs pause
  flush_busy_ = compaction_busy_ = true;
  Status s;
  while (s.ok() && !imm_.empty()) s = FlushOldestImmutable(lock);
  while (s.ok()) {
    auto c = PickCompaction(*version_);
    if (!c) break;
    s = RunCompaction(lock, *c);
  }
  flush_busy_ = compaction_busy_ = false;
  done_cv_.notify_all();
  bg_cv_.notify_all();
  return s;
}

void LsmEngine::DeleteObsoleteFiles(const std::vector<uint64_t>& numbers) {
  for (uint64_t n : numbers) {
    Status s = io::RemoveFile(options_.dir + "/" + TableFileName(n));
    if (!s.ok()) obs::Warn("lsm", "could not remove obsolete file", {{"error", s.ToString()}});
  }
}

}  // namespace strata::storage::lsm
