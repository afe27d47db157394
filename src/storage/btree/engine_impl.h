// BtreeEngine internals, shared by engine_impl.cc (open, reads, writes, properties),
// checkpoint.cc (Flush, Checkpoint, Ingest, the free list on disk) and db_iterator.cc.
// Not part of the storage layer's public interface: btree_engine.h is.
//
// Locking, in the order taken:
//   write_mu_        serializes writers (Write, Flush, Checkpoint, Ingest): the allocator,
//                    the durable epochs and the meta are the writer's.
//   core.tree_mu     a batch changes the tree holding it exclusively; reads of the latest
//                    state (Get without a snapshot, taking a snapshot) hold it shared, so
//                    they never see half a batch or a page being changed.
//   core.version_mu  the current epoch and the epochs pinned by snapshots.
//   pool mutex       inside BufferPool.
// Reads through a snapshot take none of the first three: the pages they reach are frozen.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "storage/btree/btree_engine.h"
#include "storage/btree/page_allocator.h"
#include "storage/btree/page_file.h"
#include "storage/btree/tree.h"

namespace strata::storage::btree {

// What the engine shares with its snapshots and iterators, which may outlive it.
struct BtreeCore {
  // Declared first, destroyed last: the pool writes through it.
  std::unique_ptr<PageFile> file;
  std::unique_ptr<BufferPool> pool;

  std::shared_mutex tree_mu;
  TreeRoot root;               // guarded by tree_mu (written only under write_mu_ too)
  uint64_t applied_index = 0;  // of `root`; guarded like it

  std::mutex version_mu;
  uint64_t epoch = 1;             // the mutable epoch; guarded by version_mu
  std::multiset<uint64_t> pinned;  // epochs of live snapshots; guarded by version_mu
};

// A frozen version: the root of epoch `epoch`, pinned until destroyed.
class BtreeSnapshot final : public Snapshot {
 public:
  // REQUIRES: `epoch` was inserted into core->pinned for this snapshot.
  BtreeSnapshot(std::shared_ptr<BtreeCore> core, uint64_t epoch, TreeRoot root, uint64_t applied_index)
      : core_(std::move(core)), epoch_(epoch), root_(root), applied_index_(applied_index) {}
  ~BtreeSnapshot() override;
  // Another pin of the same version (an iterator must not depend on its caller's snapshot).
  std::shared_ptr<const BtreeSnapshot> Clone() const;

  BtreeCore* core() const { return core_.get(); }
  uint64_t epoch() const { return epoch_; }
  TreeRoot root() const { return root_; }
  uint64_t applied_index() const { return applied_index_; }

 private:
  std::shared_ptr<BtreeCore> core_;
  uint64_t epoch_;
  TreeRoot root_;
  uint64_t applied_index_;
};

std::unique_ptr<Iterator> NewBtreeIterator(std::shared_ptr<const BtreeSnapshot> snapshot, const ReadOptions& options);
std::unique_ptr<Iterator> NewErrorIterator(Status status);

class BtreeEngine final : public Engine {
 public:
  ~BtreeEngine() override;

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

 private:
  friend Result<std::unique_ptr<Engine>> OpenBtreeEngine(const BtreeOptions& options);

  explicit BtreeEngine(const BtreeOptions& options);
  std::string FilePath() const { return options_.dir + "/btree.db"; }
  Status CreateFile();  // a fresh file with an empty tree, made durable under its name
  Status Recover();
  Status LoadFreeList(const Meta& meta);
  std::shared_ptr<const BtreeSnapshot> MakeSnapshot();
  void RegisterMetrics(obs::Registry& registry);
  Status Failed() const;  // non-OK once a write failed half-way

  // REQUIRES: write_mu_ held.
  uint64_t MinPinnedEpoch();
  void ReleaseFreedPages();
  Status Apply(const std::function<Status(TreeWriter&)>& change);
  Status CheckpointLocked();
  Status WriteFreeList(uint64_t epoch, const std::vector<PageId>& pages, const std::vector<PageId>& ids);
  void UpdateGauges();

  const BtreeOptions options_;
  std::shared_ptr<BtreeCore> core_ = std::make_shared<BtreeCore>();

  std::mutex write_mu_;
  PageAllocator alloc_;              // guarded by write_mu_
  Meta last_meta_;                   // the durable checkpoint; guarded by write_mu_
  uint64_t durable_prev_epoch_ = 0;  // the older kept checkpoint; guarded by write_mu_
  bool changed_ = false;             // since the last checkpoint; guarded by write_mu_
  Status failed_;                    // guarded by write_mu_
  bool trim_failing_ = false;        // the last write-back of dirty pages failed; guarded by write_mu_
  std::atomic<bool> has_failed_{false};

  std::atomic<uint64_t> applied_index_{0};
  std::atomic<uint64_t> persisted_applied_index_{0};
  std::atomic<uint64_t> checkpoint_count_{0}, checkpoint_bytes_{0}, pages_copied_{0};
  std::atomic<double> checkpoint_seconds_{0};
  std::atomic<uint64_t> tree_height_{1}, free_pages_{0}, file_pages_{0};
};

}  // namespace strata::storage::btree
