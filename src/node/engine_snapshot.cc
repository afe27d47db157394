#include "node/engine_snapshot.h"

#include <functional>

#include <fmt/format.h>

#include "io/io.h"
#include "txn/mvcc.h"
#include "storage/btree/btree_engine.h"
#include "storage/lsm/engine_impl.h"
#include "storage/lsm/lsm_engine.h"

namespace strata::node {

namespace {

constexpr const char* kBtreeFile = "btree.db";  // the B+tree part of a checkpoint (docs/btree_format.md)

// A checkpoint opened as an engine of its own, in a scratch directory that is deleted with
// it. Opening may write (a new MANIFEST, removal of unreferenced files): the scratch copy
// keeps the snapshot directory itself byte for byte as received.
class OpenedCheckpoint {
 public:
  static Result<std::unique_ptr<OpenedCheckpoint>> Open(io::Scheduler& io, const std::string& dir) {
    auto opened = std::unique_ptr<OpenedCheckpoint>(new OpenedCheckpoint(dir + ".restore"));
    STRATA_RETURN_IF_ERROR(io::RemoveAll(opened->scratch_));
    STRATA_RETURN_IF_ERROR(io::CreateDir(opened->scratch_));
    std::string lsm_dir = opened->scratch_ + "/lsm", btree_dir = opened->scratch_ + "/btree";
    STRATA_RETURN_IF_ERROR(io::CreateDir(lsm_dir));
    STRATA_RETURN_IF_ERROR(io::CreateDir(btree_dir));
    STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, io::ListDir(dir));
    if (names.empty()) return Status::Corruption(fmt::format("snapshot directory {} is empty", dir));
    bool has_btree = false;
    for (const std::string& name : names) {
      has_btree = has_btree || name == kBtreeFile;
      std::string from = dir + "/" + name, to = (name == kBtreeFile ? btree_dir : lsm_dir) + "/" + name;
      // SSTs are immutable: a hard link suffices. The MANIFEST, CURRENT and btree.db are copied.
      bool linked = name.ends_with(".sst") && io::LinkFile(from, to).ok();
      if (!linked) {
        Status s = io::CopyFile(from, to);
        if (!s.ok()) return std::move(s).Annotate(fmt::format("copying {} to {}", from, to));
      }
    }
    STRATA_ASSIGN_OR_RETURN(opened->engine_, OpenScratchEngines(io, lsm_dir, btree_dir, false));
    if (!has_btree) {
      // A snapshot from before the B+tree: its (empty) B+tree part stands where the LSM does.
      storage::WriteBatch mark;
      mark.SetAppliedIndex(opened->engine_->lsm().PersistedAppliedIndex());
      if (mark.applied_index() > 0) STRATA_RETURN_IF_ERROR(opened->engine_->btree().Write(mark));
      STRATA_RETURN_IF_ERROR(opened->engine_->btree().Flush());
    }
    return opened;
  }
  ~OpenedCheckpoint() {
    engine_.reset();
    (void)io::RemoveAll(scratch_);
  }
  storage::Engine& engine() { return *engine_; }

 private:
  explicit OpenedCheckpoint(std::string scratch) : scratch_(std::move(scratch)) {}
  std::string scratch_;
  std::unique_ptr<storage::RoutedEngine> engine_;
};

// Visits every live key of `engine` in order, without filling the block cache.
Status Scan(storage::Engine& engine, const std::function<Status(Slice, Slice)>& visit) {
  storage::ReadOptions ro;
  ro.fill_cache = false;
  auto it = engine.NewIterator(ro);
  for (it->SeekToFirst(); it->Valid(); it->Next()) STRATA_RETURN_IF_ERROR(visit(it->key(), it->value()));
  return it->status();
}

// Deletes every key of the engine in one batch: a range deletion up to the last key plus
// that key (no finite bound lies above every possible key).
Status DeleteEverything(storage::Engine& engine) {
  auto it = engine.NewIterator({});
  it->SeekToLast();
  STRATA_RETURN_IF_ERROR(it->status());
  if (!it->Valid()) return Status::OK();
  Bytes last(it->key());
  storage::WriteBatch batch;
  if (!last.empty()) batch.DeleteRange(Slice(), last);
  batch.Delete(last);
  return engine.Write(batch);
}

// Verifying reports progress every this many records (its bytes are not counted).
constexpr uint64_t kVerifyProgressRecords = 16384;

Result<EngineSnapshotSummary> Verify(storage::Engine& checkpoint, const std::string& dir, uint64_t expected_index,
                                     const RestoreProgressFn& progress) {
  EngineSnapshotSummary summary{.applied_index = checkpoint.PersistedAppliedIndex()};
  if (summary.applied_index != expected_index)
    return Status::Corruption(fmt::format("snapshot {} holds applied index {}, expected {}", dir,
                                          summary.applied_index, expected_index));
  Status s = Scan(checkpoint, [&](Slice, Slice) {
    summary.records++;
    if (progress && summary.records % kVerifyProgressRecords == 0)
      progress({.phase = RestoreProgress::Phase::kVerifying, .records_done = summary.records});
    return Status::OK();
  });
  if (!s.ok()) return std::move(s).Annotate(fmt::format("snapshot {}", dir));
  return summary;
}

}  // namespace

Result<std::unique_ptr<storage::RoutedEngine>> OpenScratchEngines(io::Scheduler& io, const std::string& lsm_dir,
                                                                  const std::string& btree_dir, bool loading) {
  storage::lsm::LsmOptions options;
  options.dir = lsm_dir;
  options.scheduler = &io;
  options.background_compaction = loading;  // a read-only checkpoint has nothing to compact
  options.cache_on_write = false;
  options.memory_budget = (loading ? 64 : 32) << 20;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<storage::lsm::LsmEngine> lsm, storage::lsm::OpenLsmEngine(options));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<storage::Engine> btree,
                          storage::btree::OpenBtreeEngine({.dir = btree_dir, .scheduler = &io, .memory_budget = 16 << 20}));
  return storage::NewRoutedEngine(std::move(lsm), std::move(btree));
}

Result<EngineSnapshotSummary> WriteEngineSnapshot(storage::Engine& engine, const std::string& dir) {
  uint64_t applied_before = engine.AppliedIndex();
  STRATA_ASSIGN_OR_RETURN(uint64_t applied_index, engine.Checkpoint(dir));
  STRATA_CHECK(applied_index >= applied_before);  // Checkpoint flushes everything written before
  return EngineSnapshotSummary{.applied_index = applied_index};
}

Result<EngineSnapshotSummary> VerifyEngineSnapshot(io::Scheduler& io, const std::string& dir,
                                                   uint64_t expected_index) {
  STRATA_ASSIGN_OR_RETURN(auto checkpoint, OpenedCheckpoint::Open(io, dir));
  return Verify(checkpoint->engine(), dir, expected_index, {});
}

Result<EngineSnapshotSummary> LoadEngineSnapshot(io::Scheduler& io, const std::string& dir,
                                                 uint64_t expected_index, storage::Engine& engine,
                                                 const RestoreProgressFn& progress) {
  STRATA_ASSIGN_OR_RETURN(auto checkpoint, OpenedCheckpoint::Open(io, dir));
  // Check everything before deleting anything: a damaged snapshot must not cost our data.
  STRATA_ASSIGN_OR_RETURN(EngineSnapshotSummary summary,
                          Verify(checkpoint->engine(), dir, expected_index, progress));
  // Every part of the engine must be below the snapshot: the mark below records
  // expected_index in each, and an engine never goes back.
  uint64_t applied = engine.AppliedIndex();
  if (auto* routed = dynamic_cast<storage::RoutedEngine*>(&engine))
    applied = std::max(routed->lsm().AppliedIndex(), routed->btree().AppliedIndex());
  if (expected_index <= applied)
    return Status::InvalidArgument(fmt::format("snapshot at index {} is not above the applied index {}",
                                               expected_index, applied));
  STRATA_RETURN_IF_ERROR(DeleteEverything(engine));
  RestoreProgress loaded{.phase = RestoreProgress::Phase::kLoading, .records_total = summary.records};
  if (progress) progress(loaded);
  storage::WriteBatch batch;
  size_t batch_bytes = 0, batch_records = 0;
  Bytes user_key;
  STRATA_RETURN_IF_ERROR(Scan(checkpoint->engine(), [&](Slice key, Slice value) {
    // One part of a two-engine checkpoint may hold entries after the snapshot's index (each
    // part stands at its own): their versions are left out, so the engine holds exactly the
    // state at expected_index (entries after it are replayed from the log, or, in a backup,
    // never were). Metadata keys are read from the part that is behind: as of the index.
    txn::LogIndex version = 0;
    if (!txn::IsMetaKey(key) && txn::DecodeVersionedKey(key, &user_key, &version).ok() && version > expected_index) {
      loaded.records_done++;
      return Status::OK();
    }
    batch.Put(key, value);
    batch_records++;
    batch_bytes += key.size() + value.size();
    if (batch_bytes < kRestoreBatchBytes) return Status::OK();
    Status s = engine.Write(batch);
    loaded.records_done += batch_records;
    if (progress) progress(loaded);
    batch.Clear();
    batch_bytes = batch_records = 0;
    return s;
  }));
  if (batch_records > 0) STRATA_RETURN_IF_ERROR(engine.Write(batch));
  loaded.records_done += batch_records;
  // The checkpoint did not change under us (a scratch copy): both scans saw the same keys.
  STRATA_CHECK(loaded.records_done == summary.records);
  storage::WriteBatch mark;
  mark.SetAppliedIndex(expected_index);
  STRATA_RETURN_IF_ERROR(engine.Write(mark));
  STRATA_RETURN_IF_ERROR(engine.Flush());  // durable on return
  if (progress) progress(loaded);
  return summary;
}

}  // namespace strata::node
