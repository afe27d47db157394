#include "storage/routed_engine.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <shared_mutex>

#include <fmt/format.h>

#include "common/check.h"
#include "io/io.h"
#include "obs/log.h"
#include "storage/btree/page.h"

namespace strata::storage {

namespace {

static_assert(kMaxBtreeKeyBytes == btree::kMaxKeySize);

// The B+tree is checkpointed after this many batches with a Raft index. Between checkpoints
// it cannot reuse the pages its copy-on-write writes replace (the last two checkpoints may
// still name them), and in a node a snapshot is taken between nearly every two commits, so
// each commit copies its leaf-to-root path: without checkpoints of its own the file would
// grow until the next Raft log compaction (about 4 pages per batch: at most ~64 MiB between
// two here). A checkpoint also moves the B+tree's persisted index, which garbage collection
// waits for (node/state_machine.h); one without changed pages is a meta write and two syncs.
constexpr uint64_t kBtreeCheckpointBatches = 1000;
// A failed checkpoint is retried no more often than this.
constexpr std::chrono::milliseconds kCheckpointRetryInterval{1000};

// The key space in four segments, in key order. The metadata segment is served by the
// engine that has applied the least (kBoth).
const Slice kMetaBegin("\x00\x02", 2);
const Slice kMetaEnd("\x00\x03", 2);
const Slice kBtreeBegin("\x80", 1);

struct Segment {
  Slice begin;  // inclusive; empty: the start of the key space
  Slice end;    // exclusive; empty: unbounded
  EnginePart part;
};
const std::array<Segment, 4> kSegments{{{Slice(), kMetaBegin, EnginePart::kLsm},
                                        {kMetaBegin, kMetaEnd, EnginePart::kBoth},
                                        {kMetaEnd, kBtreeBegin, EnginePart::kLsm},
                                        {kBtreeBegin, Slice(), EnginePart::kBtree}}};

// a < b where an empty `b` stands for +infinity.
bool BelowEnd(Slice a, Slice end) { return end.empty() || a < end; }

class RoutedSnapshot final : public Snapshot, public std::enable_shared_from_this<RoutedSnapshot> {
 public:
  RoutedSnapshot(std::shared_ptr<const Snapshot> lsm, std::shared_ptr<const Snapshot> btree, bool meta_from_btree)
      : lsm_(std::move(lsm)), btree_(std::move(btree)), meta_from_btree_(meta_from_btree) {}
  const Snapshot* lsm() const { return lsm_.get(); }
  const Snapshot* btree() const { return btree_.get(); }
  bool meta_from_btree() const { return meta_from_btree_; }

 private:
  std::shared_ptr<const Snapshot> lsm_;
  std::shared_ptr<const Snapshot> btree_;
  bool meta_from_btree_;  // the B+tree had applied less than the LSM when this was taken
};

// Iterates over the segments one after the other, each through the engine serving it; the
// snapshot (the caller's, or one taken for an iterator over both engines; none for a read
// within one engine without a snapshot) keeps both views alive.
class RoutedIterator final : public Iterator {
 public:
  struct Part {
    Bytes lower, upper;  // this segment's range within the caller's bounds (upper empty: none)
    std::unique_ptr<Iterator> it;
  };

  RoutedIterator(std::shared_ptr<const RoutedSnapshot> snapshot, std::vector<Part> parts)
      : snapshot_(std::move(snapshot)), parts_(std::move(parts)) {}

  bool Valid() const override { return current_ < parts_.size() && parts_[current_].it->Valid(); }
  Status status() const override {
    for (const Part& p : parts_) {
      Status s = p.it->status();
      if (!s.ok()) return s;
    }
    return Status::OK();
  }
  void SeekToFirst() override {
    current_ = 0;
    if (current_ < parts_.size()) parts_[current_].it->SeekToFirst();
    ForwardToValid();
  }
  void SeekToLast() override {
    current_ = parts_.size();
    if (parts_.empty()) return;
    current_ = parts_.size() - 1;
    parts_[current_].it->SeekToLast();
    BackwardToValid();
  }
  void Seek(Slice target) override {
    current_ = 0;
    while (current_ < parts_.size() && !BelowEnd(target, parts_[current_].upper)) current_++;
    if (current_ == parts_.size()) return;
    Part& p = parts_[current_];
    p.it->Seek(target < Slice(p.lower) ? Slice(p.lower) : target);
    ForwardToValid();
  }
  void SeekForPrev(Slice target) override {
    size_t k = parts_.size();
    while (k > 0 && target < Slice(parts_[k - 1].lower)) k--;
    if (k == 0) {
      current_ = parts_.size();
      return;
    }
    current_ = k - 1;
    Part& p = parts_[current_];
    if (BelowEnd(target, p.upper)) {
      p.it->SeekForPrev(target);
    } else {
      p.it->SeekToLast();
    }
    BackwardToValid();
  }
  void Next() override {
    STRATA_CHECK(Valid());
    parts_[current_].it->Next();
    ForwardToValid();
  }
  void Prev() override {
    STRATA_CHECK(Valid());
    parts_[current_].it->Prev();
    BackwardToValid();
  }
  Slice key() const override { return parts_[current_].it->key(); }
  Slice value() const override { return parts_[current_].it->value(); }

 private:
  // From the current part, on to the first later part holding a key; stops at an error.
  void ForwardToValid() {
    while (current_ < parts_.size() && !parts_[current_].it->Valid()) {
      if (!parts_[current_].it->status().ok()) return;
      if (++current_ < parts_.size()) parts_[current_].it->SeekToFirst();
    }
  }
  void BackwardToValid() {
    while (current_ < parts_.size() && !parts_[current_].it->Valid()) {
      if (!parts_[current_].it->status().ok()) return;
      if (current_ == 0) {
        current_ = parts_.size();
        return;
      }
      parts_[--current_].it->SeekToLast();
    }
  }

  std::shared_ptr<const RoutedSnapshot> snapshot_;
  std::vector<Part> parts_;
  size_t current_ = 0;  // parts_.size(): positioned nowhere
};

// Splits a batch into the two engines' parts.
class Splitter final : public WriteBatch::Handler {
 public:
  WriteBatch lsm, btree;

  void Put(Slice key, Slice value) override {
    EnginePart part = RouteKey(key);
    if (part != EnginePart::kBtree) lsm.Put(key, value);
    if (part != EnginePart::kLsm) btree.Put(key, value);
  }
  void Delete(Slice key) override {
    EnginePart part = RouteKey(key);
    if (part != EnginePart::kBtree) lsm.Delete(key);
    if (part != EnginePart::kLsm) btree.Delete(key);
  }
  void DeleteRange(Slice begin, Slice end) override {
    for (const Segment& s : kSegments) {
      Slice b = begin < s.begin ? s.begin : begin;
      Slice e = !s.end.empty() && s.end < end ? s.end : end;
      if (!(b < e)) continue;
      if (s.part != EnginePart::kBtree) lsm.DeleteRange(b, e);
      if (s.part != EnginePart::kLsm) btree.DeleteRange(b, e);
    }
  }
};

// Which engines a batch's records go to, without copying them: a batch wholly for one
// engine is handed to it as it is (a 64 MiB row is not copied into a split batch).
class RouteScan final : public WriteBatch::Handler {
 public:
  bool lsm = false, btree = false, ranges = false;
  void Put(Slice key, Slice) override { Note(RouteKey(key)); }
  void Delete(Slice key) override { Note(RouteKey(key)); }
  void DeleteRange(Slice, Slice) override { ranges = true; }

 private:
  void Note(EnginePart part) {
    lsm = lsm || part != EnginePart::kBtree;
    btree = btree || part != EnginePart::kLsm;
  }
};

class RoutedEngineImpl final : public RoutedEngine {
 public:
  RoutedEngineImpl(std::unique_ptr<Engine> lsm, std::unique_ptr<Engine> btree)
      : lsm_(std::move(lsm)), btree_(std::move(btree)) {
    STRATA_CHECK(lsm_ != nullptr && btree_ != nullptr);
  }

  Engine& lsm() override { return *lsm_; }
  Engine& btree() override { return *btree_; }

  Result<std::optional<Bytes>> Get(const ReadOptions& options, Slice key) override {
    const auto* snapshot = static_cast<const RoutedSnapshot*>(options.snapshot);
    ReadOptions ro = options;
    bool btree = false;
    switch (RouteKey(key)) {
      case EnginePart::kLsm: break;
      case EnginePart::kBtree: btree = true; break;
      case EnginePart::kBoth: btree = snapshot ? snapshot->meta_from_btree() : MetaFromBtree(); break;
    }
    if (snapshot) ro.snapshot = btree ? snapshot->btree() : snapshot->lsm();
    return btree ? btree_->Get(ro, key) : lsm_->Get(ro, key);
  }

  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override {
    std::shared_ptr<const RoutedSnapshot> snapshot;
    if (options.snapshot != nullptr)
      snapshot = static_cast<const RoutedSnapshot*>(options.snapshot)->shared_from_this();
    std::vector<Range> ranges = RangesWithin(options, snapshot ? snapshot->meta_from_btree() : MetaFromBtree());
    bool lsm = false, btree = false;
    for (const Range& r : ranges) (r.btree ? btree : lsm) = true;
    // Without a snapshot, a read within one engine is consistent through that engine alone
    // (the common case: an MVCC read of one key or one table); one across both takes a cut.
    if (!snapshot && lsm && btree) {
      snapshot = TakeSnapshot();
      ranges = RangesWithin(options, snapshot->meta_from_btree());
    }
    std::vector<RoutedIterator::Part> parts;
    for (const Range& r : ranges) {
      ReadOptions ro;
      if (snapshot) ro.snapshot = r.btree ? snapshot->btree() : snapshot->lsm();
      ro.lower_bound = Bytes(r.lower);
      ro.upper_bound = Bytes(r.upper);
      ro.fill_cache = options.fill_cache;
      RoutedIterator::Part part{ro.lower_bound, ro.upper_bound, (r.btree ? btree_ : lsm_)->NewIterator(ro)};
      parts.push_back(std::move(part));
    }
    return std::make_unique<RoutedIterator>(std::move(snapshot), std::move(parts));
  }

  std::shared_ptr<const Snapshot> GetSnapshot() override { return TakeSnapshot(); }

  Status Write(const WriteBatch& batch) override {
    uint64_t index = batch.applied_index();
    RouteScan scan;
    STRATA_RETURN_IF_ERROR(batch.Iterate(&scan));
    Splitter split;
    const WriteBatch* lsm_part = &batch;
    const WriteBatch* btree_part = &batch;
    if (scan.ranges || (scan.lsm && scan.btree)) {
      STRATA_RETURN_IF_ERROR(batch.Iterate(&split));
      lsm_part = &split.lsm;
      btree_part = &split.btree;
    } else if (!scan.btree) {
      btree_part = &split.btree;  // empty: it only records the index
    } else {
      lsm_part = &split.lsm;
    }
    split.lsm.SetAppliedIndex(index);
    split.btree.SetAppliedIndex(index);
    bool checkpoint = false;
    {
      std::unique_lock lock(mu_);
      // An engine that holds this index already (it persisted further before a crash) skips
      // its part; index 0 (no Raft index) is always written.
      if (index == 0 || index > btree_->AppliedIndex()) {
        if (index != 0 || !btree_part->empty()) STRATA_RETURN_IF_ERROR(btree_->Write(*btree_part));
        if (index != 0 && (++btree_batches_ >= kBtreeCheckpointBatches || RetryDue())) {
          btree_batches_ = 0;
          checkpoint = true;
        }
      }
      if (index == 0 || index > lsm_->AppliedIndex()) {
        if (index != 0 || !lsm_part->empty()) STRATA_RETURN_IF_ERROR(lsm_->Write(*lsm_part));
      }
      // Both engines hold every index: a gap would be replayed into neither.
      STRATA_CHECK(index == 0 || (lsm_->AppliedIndex() >= index && btree_->AppliedIndex() >= index));
    }
    // Outside the lock: readers may take snapshots meanwhile (the B+tree's writer lock
    // orders the checkpoint with later writes). A failure is kept, not returned: this batch
    // is applied, and the Raft log holds it until a checkpoint succeeds.
    if (checkpoint) CheckpointBtree();
    return Status::OK();
  }

  Status checkpoint_error() override {
    if (RetryDue()) CheckpointBtree();
    std::lock_guard lock(checkpoint_mu_);
    return checkpoint_error_;
  }

  Status Flush() override {
    STRATA_RETURN_IF_ERROR(lsm_->Flush());
    return btree_->Flush();
  }

  Result<uint64_t> Checkpoint(const std::string& dir) override {
    std::string btree_dir = dir + ".btree";
    STRATA_RETURN_IF_ERROR(io::RemoveAll(btree_dir));
    STRATA_ASSIGN_OR_RETURN(uint64_t lsm_index, lsm_->Checkpoint(dir));
    STRATA_ASSIGN_OR_RETURN(uint64_t btree_index, btree_->Checkpoint(btree_dir));
    // The B+tree's copy may hold more than its last checkpoint: make it durable here too,
    // since the log may be compacted up to the index returned.
    STRATA_RETURN_IF_ERROR(btree_->Flush());
    STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, io::ListDir(btree_dir));
    for (const std::string& name : names) {
      if (io::FileExists(dir + "/" + name))
        return Status::AlreadyExists(fmt::format("checkpoint {}: both engines wrote {}", dir, name));
      STRATA_RETURN_IF_ERROR(io::RenameFile(btree_dir + "/" + name, dir + "/" + name));
    }
    // Both ends of the renames: a rename between directories is durable only once both are
    // synced (the power-loss simulation, io/durability.h, undoes it otherwise).
    STRATA_RETURN_IF_ERROR(io::SyncDir(dir));
    STRATA_RETURN_IF_ERROR(io::SyncDir(btree_dir));
    STRATA_RETURN_IF_ERROR(io::RemoveAll(btree_dir));
    return std::min(lsm_index, btree_index);
  }

  Status Ingest(const std::vector<std::string>& files) override {
    (void)files;
    return Status::NotSupported("ingest into a routed engine: ingest into lsm() or btree()");
  }

  uint64_t AppliedIndex() const override { return std::min(lsm_->AppliedIndex(), btree_->AppliedIndex()); }
  uint64_t PersistedAppliedIndex() const override {
    return std::min(lsm_->PersistedAppliedIndex(), btree_->PersistedAppliedIndex());
  }

  std::vector<EngineProperty> Properties() const override {
    std::vector<EngineProperty> out = lsm_->Properties();
    for (EngineProperty p : btree_->Properties()) {
      p.name = "btree_" + p.name;
      out.push_back(std::move(p));
    }
    return out;
  }

 private:
  // The segments that intersect [lower_bound, upper_bound), cut to it, and their engines.
  struct Range {
    Slice lower, upper;  // upper empty: unbounded
    bool btree;
  };
  static std::vector<Range> RangesWithin(const ReadOptions& options, bool meta_from_btree) {
    std::vector<Range> out;
    for (const Segment& s : kSegments) {
      Slice lower = options.lower_bound < s.begin ? s.begin : Slice(options.lower_bound);
      Slice upper = s.end;
      if (!options.upper_bound.empty() && (upper.empty() || Slice(options.upper_bound) < upper))
        upper = options.upper_bound;
      if (!upper.empty() && !(lower < upper)) continue;
      out.push_back({lower, upper, s.part == EnginePart::kBtree || (s.part == EnginePart::kBoth && meta_from_btree)});
    }
    return out;
  }

  // Metadata is read from the engine that has applied the least: during replay after a
  // crash, it holds the metadata exactly as of the entry before the one being applied.
  bool MetaFromBtree() const { return btree_->AppliedIndex() < lsm_->AppliedIndex(); }

  // A failed checkpoint waits for its retry. True claims the retry: one caller per interval.
  bool RetryDue() {
    if (!checkpoint_failing_.load(std::memory_order_acquire)) return false;
    std::lock_guard lock(checkpoint_mu_);
    auto now = std::chrono::steady_clock::now();
    if (now - last_attempt_ < kCheckpointRetryInterval) return false;
    last_attempt_ = now;
    return true;
  }

  // Checkpoints the B+tree; logs and keeps a failure (and its end) for checkpoint_error().
  void CheckpointBtree() {
    Status s = btree_->Flush();
    std::lock_guard lock(checkpoint_mu_);
    last_attempt_ = std::chrono::steady_clock::now();
    if (s.ok() && !checkpoint_error_.ok()) {
      obs::Info("storage", "btree checkpoint succeeded again", {{"failed_with", checkpoint_error_.ToString()}});
    } else if (!s.ok() && checkpoint_error_.ok()) {
      obs::Warn("storage", "btree checkpoint failed; retrying every second, commits are refused meanwhile",
                {{"error", s.ToString()}});
    }
    checkpoint_error_ = s;
    checkpoint_failing_.store(!s.ok(), std::memory_order_release);
  }

  std::shared_ptr<const RoutedSnapshot> TakeSnapshot() {
    std::shared_lock lock(mu_);
    return std::make_shared<RoutedSnapshot>(lsm_->GetSnapshot(), btree_->GetSnapshot(), MetaFromBtree());
  }

  std::unique_ptr<Engine> lsm_;
  std::unique_ptr<Engine> btree_;
  // Write holds it exclusively, snapshots shared: a snapshot is a cut between routed batches.
  std::shared_mutex mu_;
  uint64_t btree_batches_ = 0;  // indexed batches since the B+tree's last checkpoint; guarded by mu_
  std::mutex checkpoint_mu_;
  Status checkpoint_error_;                              // guarded by checkpoint_mu_
  std::chrono::steady_clock::time_point last_attempt_;  // guarded by checkpoint_mu_
  std::atomic<bool> checkpoint_failing_{false};          // !checkpoint_error_.ok()
};

}  // namespace

EnginePart RouteKey(Slice engine_key) {
  if (!engine_key.empty() && static_cast<unsigned char>(engine_key[0]) >= kBtreeKeyByte) return EnginePart::kBtree;
  if (engine_key.starts_with(kMetaBegin)) return EnginePart::kBoth;
  return EnginePart::kLsm;
}

std::unique_ptr<RoutedEngine> NewRoutedEngine(std::unique_ptr<Engine> lsm, std::unique_ptr<Engine> btree) {
  return std::make_unique<RoutedEngineImpl>(std::move(lsm), std::move(btree));
}

}  // namespace strata::storage
