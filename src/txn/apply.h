// The transaction state machine: applies committed Raft entries that carry WriteSets.
//
// Deterministic (STYLE: applying reads no clock, no random source, no local setting):
// every replica that applies the same entries in the same order reaches the same engine
// state and the same commit/abort decisions. Conflicts are part of the result (every
// replica aborts the same transaction); engine errors are errors of the machine and stop
// the node.
#pragma once

#include "storage/engine.h"
#include "txn/write_set.h"

namespace strata::txn {

enum class ApplyOutcome : uint8_t { kCommitted, kConflict };

// Applies the WriteSet carried by the Raft entry at `index`: first-committer-wins — if any
// written key has a version newer than ws.start_index, nothing is written (kConflict);
// otherwise all writes become versions at `index`, in one engine batch that also records
// `index` as applied. A conflicting entry still advances the applied index.
// REQUIRES: index greater than every index applied before.
Result<ApplyOutcome> ApplyWriteSet(storage::Engine& engine, LogIndex index, const WriteSet& ws);

// Records `index` as applied for an entry that writes nothing (Raft no-op, membership).
Status ApplyEmpty(storage::Engine& engine, LogIndex index);

// Garbage collection: removes versions no reader can see any more — every version older
// than the newest one at or below `watermark` (the oldest snapshot any transaction still
// reads at), and a deletion at or below it once nothing older remains. Works through at
// most `max_keys` user keys starting at `from`; returns where to continue (empty: done).
// The batch carries no Raft index: it changes nothing a reader at or above the watermark
// can observe, and losing it in a crash only leaves garbage for the next pass.
Result<Bytes> CollectGarbage(storage::Engine& engine, LogIndex watermark, Slice from, size_t max_keys);

}  // namespace strata::txn
