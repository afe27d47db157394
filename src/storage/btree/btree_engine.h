// The B+tree storage engine (DESIGN D7): a storage::Engine for read-heavy and embedded
// workloads, beside the LSM.
//
//   auto engine = btree::OpenBtreeEngine({.dir = data_dir + "/btree", .scheduler = sched});
//
// One file of 16 KiB checksummed pages (docs/btree_format.md) cached by a buffer pool of
// `memory_budget` bytes. Pages are copy-on-write between versions: snapshots and iterators
// read a frozen tree while the single writer goes on. There is no engine WAL (DESIGN D1):
// Flush() writes a checkpoint (the dirty pages, then a meta page naming the new root and
// the applied Raft index into the meta slot not holding the last checkpoint), so after a
// crash the engine opens at its last durable checkpoint, with PersistedAppliedIndex()
// saying where the Raft log must be replayed from.
//
// Limits: keys up to 3072 bytes (longer ones are refused with InvalidArgument), values up
// to 1 GiB (large values live in chains of overflow pages), 2^32 pages (64 TiB).
// If a write fails half-way (an I/O error or a corrupt page met while changing the tree),
// the engine refuses further writes, flushes and reads of the latest state until it is
// reopened; the last checkpoint on disk is intact.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "io/io.h"
#include "storage/engine.h"

namespace strata::obs {
class Registry;
}

namespace strata::storage::btree {

struct BtreeOptions {
  std::string dir;                     // created when missing; holds btree.db
  io::Scheduler* scheduler = nullptr;  // REQUIRES: non-null, outlives the engine
  obs::Registry* registry = nullptr;   // metrics (stratadb_btree_*); nullptr = none
  bool use_direct_io = true;           // page I/O (falls back to buffered when refused)
  size_t memory_budget = 256 << 20;    // buffer pool bytes (at least 64 pages)
};

// Opens (recovering to the last checkpoint) or creates the engine in options.dir.
Result<std::unique_ptr<Engine>> OpenBtreeEngine(const BtreeOptions& options);

}  // namespace strata::storage::btree
