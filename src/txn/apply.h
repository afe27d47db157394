// The transaction state machine: applies committed Raft entries that carry WriteSets.
//
// Deterministic (STYLE: applying reads no clock, no random source, no local setting):
// every replica that applies the same entries in the same order reaches the same engine
// state and the same commit/abort decisions. Conflicts are part of the result (every
// replica aborts the same transaction); engine errors are errors of the machine and stop
// the node.
//
// The GC horizon (DESIGN D4). Garbage collection may only remove versions that no
// WriteSet's conflict check can still look at, and what a conflict check may look at must
// be the same on every replica. So the horizon is a replicated value: the leader proposes
// it (from its oldest open snapshot), every replica applies it at the same log position,
// and from then on
//   - a WriteSet whose start_index is below the applied horizon is refused on every replica
//     alike (kSnapshotTooOld: its conflict check would need versions GC may have removed);
//   - GC removes only versions at or below the horizon (and below the node's own oldest
//     open snapshot, so local readers keep what they read).
// A conflict check of an admitted WriteSet (start_index >= horizon) looks only at versions
// newer than start_index, which GC never touches: the decision is the same whether or when
// a replica collected garbage. The horizon is stored in the engine under GcHorizonKey(), in
// the same batch as the entry's applied index, so it is durable exactly when the entry is.
#pragma once

#include "storage/engine.h"
#include "txn/write_set.h"

namespace strata::txn {

enum class ApplyOutcome : uint8_t { kCommitted, kConflict, kSnapshotTooOld };

// Applies the WriteSet carried by the Raft entry at `index`. Refused (kSnapshotTooOld) when
// ws.start_index < gc_horizon; otherwise first-committer-wins — if any written key has a
// version newer than its base (ws.start_index, or a later index it was read at under a row
// lock: WriteSet::bases), any `unchanged` key one newer than ws.start_index, or any
// unchanged range one newer than its base, nothing is written (kConflict); otherwise all writes
// become versions at `index`, in one engine batch that also records `index` as applied. A
// refused or conflicting entry still advances the applied index. The checks look only at
// versions older than `index`: none newer exist when entries apply in order, but an engine
// replaying after a crash may already hold later ones (storage/routed_engine.h), and the
// decision must be the one the entry got the first time.
// REQUIRES: index greater than every index applied before; gc_horizon the applied horizon.
Result<ApplyOutcome> ApplyWriteSet(storage::Engine& engine, LogIndex index, const WriteSet& ws,
                                   LogIndex gc_horizon);

// Records `index` as applied for an entry that writes nothing (Raft no-op, membership).
Status ApplyEmpty(storage::Engine& engine, LogIndex index);

// The applied GC horizon stored in the engine (0 when none was ever applied).
Result<LogIndex> ReadGcHorizon(storage::Engine& engine);
// Applies a GC-horizon entry at `index` that proposes `proposed`. The horizon only moves
// forward and never past the entry's own index: the new horizon is
// max(current, min(proposed, index)). Returns it; it is written with `index` as applied.
Result<LogIndex> ApplyGcHorizon(storage::Engine& engine, LogIndex index, LogIndex current, LogIndex proposed);

// Garbage collection: removes versions no reader can see any more — every version older
// than the newest one at or below `watermark`, and a deletion at or below it once nothing
// older remains. REQUIRES: watermark <= the applied GC horizon and <= the oldest snapshot
// any local transaction reads at. Works through at most `max_keys` user keys starting at
// `from`; returns where to continue (empty: done). Engine keys outside the MVCC key space
// (GcHorizonKey) are left alone. The batch carries no Raft index: it changes nothing a
// reader at or above the watermark or a conflict check of an admitted WriteSet can
// observe, and losing it in a crash only leaves garbage for the next pass.
Result<Bytes> CollectGarbage(storage::Engine& engine, LogIndex watermark, Slice from, size_t max_keys);

}  // namespace strata::txn
