// The Raft snapshot of the transaction state machine (docs/replicated_commands.md): a
// directory holding a checkpoint of both engines (storage/routed_engine.h) — hard links to
// the LSM's SST files plus a MANIFEST and CURRENT that record the applied Raft index the
// LSM part stands for, and the B+tree's btree.db, whose meta records its own. The snapshot
// stands for the smaller index; restoring leaves out the versions of later entries that one
// part holds already, so the restored engine is exactly the state at that index. A snapshot
// without btree.db (written before the B+tree) has an empty B+tree part.
//
// Creating one is cheap and runs beside the Raft thread (RaftNode's compaction worker): a
// flush (which the log compaction needs anyway, DESIGN D1) and a hard link per SST, no scan
// of the data. RaftNode streams the directory's
// files to followers (raft/snapshot_stream.h). Restoring opens the checkpoint as an engine
// of its own — in a scratch directory beside it, so the snapshot directory stays unchanged
// and can be streamed on — reads it entirely once to verify every block checksum, and only
// then replaces the live engine's contents with it (the live engine instance is kept: the
// SQL layer and the transaction manager hold pointers to it).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "storage/engine.h"
#include "storage/routed_engine.h"

namespace strata::io {
class Scheduler;
}

namespace strata::node {

// Records are copied into the live engine in write batches of about this many bytes.
inline constexpr size_t kRestoreBatchBytes = 1 << 20;

struct EngineSnapshotSummary {
  uint64_t applied_index = 0;
  uint64_t records = 0;  // live keys (restore only)
};

// How far a restore has come, for /status and the CLI's progress: the checkpoint is first
// read whole to verify it (records_total unknown: 0), then copied into the engine.
struct RestoreProgress {
  enum class Phase { kVerifying, kLoading };
  Phase phase = Phase::kVerifying;
  uint64_t records_done = 0;
  uint64_t records_total = 0;  // known once verified
};
// Called every kRestoreBatchBytes copied (and as often while verifying), on the restoring
// thread; must be cheap.
using RestoreProgressFn = std::function<void(const RestoreProgress&)>;

// Opens (creating when missing) the node's two engines in lsm_dir and btree_dir behind one
// RoutedEngine, with small memory budgets and no metrics: for opening checkpoints (`loading`
// false: read only, no background compaction) and loading backups (true), not for serving.
Result<std::unique_ptr<storage::RoutedEngine>> OpenScratchEngines(io::Scheduler& io, const std::string& lsm_dir,
                                                                  const std::string& btree_dir, bool loading);

// Writes a checkpoint of `engine` to `dir` (which must not exist): a flush, then hard links.
// Safe while the apply loop goes on writing; the summary's applied_index is the index the
// checkpoint holds (at least the engine's applied index when called).
Result<EngineSnapshotSummary> WriteEngineSnapshot(storage::Engine& engine, const std::string& dir);

// Opens the checkpoint in `dir` (in a scratch copy: `dir` + ".restore", hard links for the
// SSTs) and reads every key, checking checksums, without touching an engine. Corruption when
// the checkpoint is damaged or its applied index is not `expected_index`.
Result<EngineSnapshotSummary> VerifyEngineSnapshot(io::Scheduler& io, const std::string& dir,
                                                   uint64_t expected_index);

// Verifies as above, then replaces the engine's contents with the checkpoint's: deletes every
// key, writes the checkpoint's keys in batches (no Raft index), records `expected_index` as
// the engine's applied index and flushes. REQUIRES: `expected_index` above the engine's
// applied index. Not atomic: after a crash part-way, RaftNode restores again on restart
// (the log's snapshot mark is above the engine's persisted index).
Result<EngineSnapshotSummary> LoadEngineSnapshot(io::Scheduler& io, const std::string& dir,
                                                 uint64_t expected_index, storage::Engine& engine,
                                                 const RestoreProgressFn& progress = {});

}  // namespace strata::node
