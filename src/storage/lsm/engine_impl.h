// LsmEngine internals, shared by engine_impl.cc (open, write, read), compaction.cc (flush
// and compaction) and db_iterator.cc. Not part of the storage layer's public interface.
//
// Locking: `mu_` guards the engine state below it (memtables, version, snapshot list,
// background work flags). Reads copy a SuperVersion under mu_ and then work without it.
// `write_mu_` serializes writers (the Raft apply loop is the only writer in production).
// Lock order: write_mu_ before mu_.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "storage/lsm/block_cache.h"
#include "storage/lsm/lsm_engine.h"
#include "storage/lsm/manifest.h"
#include "storage/lsm/memtable.h"
#include "storage/lsm/version.h"

namespace strata::obs {
class Counter;
class Gauge;
class Registry;
}

namespace strata::storage::lsm {

// Everything a reader needs, pinned: memtables and the version stay alive while held.
// Rebuilt whenever one of its parts changes; readers copy one shared_ptr.
struct SuperVersion {
  std::shared_ptr<Memtable> mem;
  std::vector<std::shared_ptr<Memtable>> imm;  // newest first
  std::shared_ptr<const Version> version;
  // Range tombstones of `imm` and `version` (the active memtable's can still grow).
  std::vector<RangeTombstone> frozen_tombstones;
};

// One compaction: inputs from `level` and the overlapping files of `level + 1`.
struct Compaction {
  int level = 0;
  std::vector<FileRef> inputs0;  // from `level`
  std::vector<FileRef> inputs1;  // from `level + 1`
  bool trivial_move = false;     // one file moves down without rewriting
};

class LsmEngine final : public Engine {
 public:
  ~LsmEngine() override;

  Result<std::optional<Bytes>> Get(const ReadOptions& options, Slice key) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  std::shared_ptr<const Snapshot> GetSnapshot() override;
  Status Write(const WriteBatch& batch) override;
  Status Flush() override;
  Result<uint64_t> Checkpoint(const std::string& dir) override;
  Status Ingest(const std::vector<std::string>& files) override;
  uint64_t AppliedIndex() const override { return applied_index_.load(); }
  uint64_t PersistedAppliedIndex() const override { return persisted_applied_index_.load(); }
  std::vector<EngineProperty> Properties() const override;

  // Compacts until no level is over its target (tests, and `Checkpoint` callers who want a
  // small copy). Runs on the calling thread.
  Status CompactAll();
  // The background error that stopped flushes/compactions, if any (writes fail with it).
  Status background_error() const;

 private:
  friend Result<std::unique_ptr<LsmEngine>> OpenLsmEngine(const LsmOptions& options);
  class SnapshotImpl;

  explicit LsmEngine(const LsmOptions& options);
  void RegisterMetrics(obs::Registry& registry);
  Status Recover();
  Status WriteFreshManifest();  // REQUIRES: mu_ held
  Status OpenTable(FileMeta* f);
  std::shared_ptr<const SuperVersion> GetSuperVersion() const;
  void InstallSuperVersion();  // REQUIRES: mu_ held; also rebalances the block cache
  size_t CacheBudget(size_t sealed_memtable_bytes) const;
  SequenceNumber ReadSequence(const ReadOptions& options) const;
  SequenceNumber OldestSnapshot() const;  // REQUIRES: mu_ held
  void ReleaseSnapshot(SequenceNumber seq);
  Status MakeRoomForWrite(std::unique_lock<std::mutex>& lock);  // REQUIRES: mu_ held
  void SealMemtable();  // REQUIRES: mu_ held
  Status FlushHoldingWriteLock();  // REQUIRES: write_mu_ held

  // compaction.cc
  enum class BackgroundJob { kFlush, kCompaction };
  void BackgroundLoop(BackgroundJob job);
  bool NeedsCompaction(const Version& v) const;
  Status FlushOldestImmutable(std::unique_lock<std::mutex>& lock);
  Status RunCompaction(std::unique_lock<std::mutex>& lock, const Compaction& c);
  std::optional<Compaction> PickCompaction(const Version& v) const;
  Status BuildTables(InternalIterator* input, int output_level, bool bottommost_check,
                     const Version& base, SequenceNumber oldest_snapshot,
                     const std::vector<RangeTombstone>& tombstones, std::vector<FileMeta>* outputs,
                     io::IoClass io_class);
  Status InstallEdit(VersionEdit& edit);  // REQUIRES: mu_ held
  uint64_t LevelTarget(const Version& v, int level) const;
  void DeleteObsoleteFiles(const std::vector<uint64_t>& numbers);
  void UpdateLevelMetrics(const Version& v);

  const LsmOptions options_;
  io::Scheduler* const scheduler_;
  std::unique_ptr<BlockCache> cache_;
  TableStats table_stats_;

  std::mutex write_mu_;
  mutable std::mutex mu_;
  std::condition_variable bg_cv_;    // wakes the background thread
  std::condition_variable done_cv_;  // wakes writers waiting for room and Flush()
  std::shared_ptr<Memtable> mem_;
  std::vector<std::shared_ptr<Memtable>> imm_;  // oldest first
  std::shared_ptr<const Version> version_;
  std::shared_ptr<const SuperVersion> super_;
  std::unique_ptr<ManifestWriter> manifest_;
  uint64_t manifest_number_ = 0;
  uint64_t next_file_number_ = 1;
  std::multiset<SequenceNumber> snapshots_;
  std::map<int, size_t> compact_pointer_;  // round-robin file choice per level
  Status bg_error_;
  bool shutting_down_ = false;
  bool flush_busy_ = false;       // a flush runs (the flush thread's, or CompactAll's)
  bool compaction_busy_ = false;  // a compaction runs (likewise)
  uint64_t memtables_sealed_ = 0;   // SealMemtable calls; flushes go oldest first, so
  uint64_t memtables_flushed_ = 0;  // flushed >= n means the n-th sealed one is on disk
  std::thread flush_thread_;
  std::thread compaction_thread_;

  std::atomic<SequenceNumber> last_sequence_{0};     // highest sequence assigned
  std::atomic<SequenceNumber> visible_sequence_{0};  // highest sequence readers may see
  std::atomic<uint64_t> applied_index_{0};
  std::atomic<uint64_t> persisted_applied_index_{0};

  // Statistics (also exported as metrics when a registry is given).
  std::atomic<uint64_t> flush_bytes_{0}, flush_count_{0}, compaction_bytes_read_{0},
      compaction_bytes_written_{0}, compaction_count_{0}, stall_micros_{0};
  std::atomic<double> flush_seconds_{0}, compaction_seconds_{0};
  obs::Gauge* level_files_gauge_[kNumLevels] = {};
  obs::Gauge* level_bytes_gauge_[kNumLevels] = {};
};

}  // namespace strata::storage::lsm
