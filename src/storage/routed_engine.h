// RoutedEngine: one storage::Engine over the LSM and the B+tree engine, so that a node holds
// tables of both kinds behind one MVCC layer (DESIGN D5, issue 19 "per-table engine").
//
//   auto engine = storage::NewRoutedEngine(std::move(lsm), std::move(btree));
//
// Routing is a pure function of the key bytes, so applying a Raft entry needs no catalog
// lookup and stays deterministic:
//   * engine keys whose first byte is >= 0x80 (MVCC keys of table ids >= 0x80000000: the
//     B+tree tables, sql/catalog/catalog.h) live in the B+tree;
//   * the transaction layer's metadata keys (txn::kMetaKeyPrefix, 0x00 0x02 ...) are
//     written to BOTH engines and read from the one that has applied the least (see
//     "Recovery" below);
//   * every other key (LSM tables, the catalog) lives in the LSM.
// Iterators see the LSM part, then the B+tree part, one ordered key space.
//
// Writes. A WriteBatch is split by key (a DeleteRange at the boundaries) and each engine gets
// its part stamped with the batch's applied index — an empty part too, so both engines'
// applied indexes move together. The B+tree part is written first: it is the one that can
// refuse a batch (keys over 3072 bytes), and then nothing was written anywhere. Every 1000
// batches with a Raft index, Write also checkpoints the B+tree (its copy-on-write pages are
// reused only after checkpoints; routed_engine.cc, kBtreeCheckpointBatches). A checkpoint that
// fails (a full disk, an I/O error) does not fail the write: the batch is applied and the Raft
// log holds it (D1). The failure is kept in checkpoint_error(), logged once, and the
// checkpoint retried at most once a second (by the next write, or by checkpoint_error()
// itself) until it succeeds; the node refuses commits meanwhile (node/disk_monitor.h).
//
// Recovery ("each engine replays from its own applied index"). The two engines persist
// independently (LSM memtable flushes, B+tree checkpoints), so after a crash one may hold
// more of the Raft log than the other. PersistedAppliedIndex() and AppliedIndex() are the
// minimum of the two, so the node replays from the engine that is behind; an engine skips
// the part of a batch whose index it already holds. Replayed entries must reach the same
// decisions as the first time, which the layers above guarantee as follows:
//   * conflict checks ignore versions at or above the entry's own index (txn/apply.h), so
//     versions the engine that is ahead already holds do not count;
//   * metadata keys (GC horizon, members, id reservations) are read from the engine that is
//     behind, which holds them exactly as of the entry before the one being replayed;
//   * garbage collection never removes a version above the GC horizon in force at
//     PersistedAppliedIndex() (node/state_machine.h), so no replayed conflict check misses
//     a version that GC removed in the engine that was ahead.
//
// Checkpoint(dir) writes both engines' checkpoints into one flat directory (the LSM's SSTs,
// MANIFEST and CURRENT beside the B+tree's btree.db; the names never collide), each at its
// own applied index, and returns the smaller (node/engine_snapshot.cc opens such a directory).
//
// Thread-safety: as storage::Engine. GetSnapshot, and NewIterator over both engines without
// a snapshot, take both engines' views under a lock that Write holds exclusively, so no
// reader sees half of a routed batch.
#pragma once

#include <memory>
#include <string>

#include "storage/engine.h"

namespace strata::storage {

// The first engine-key byte of the B+tree's key space.
inline constexpr unsigned char kBtreeKeyByte = 0x80;
// The longest engine key the B+tree holds (docs/btree_format.md); a batch with a longer one is
// refused whole, so writers above check before they commit (txn::Transaction: MySQL 1071).
inline constexpr size_t kMaxBtreeKeyBytes = 3072;

enum class EnginePart { kLsm, kBtree, kBoth };
// Which engine holds `engine_key` (kBoth: a metadata key, kept in both).
EnginePart RouteKey(Slice engine_key);

class RoutedEngine : public Engine {
 public:
  // The two parts, for what must address one of them (restore, metrics, disk state).
  virtual Engine& lsm() = 0;
  virtual Engine& btree() = 0;
  // OK, or why the B+tree's last periodic checkpoint failed. While it is failing, a call
  // retries it when the last attempt is a second old, so that a node whose writes are
  // refused (no batches arrive) still notices when space returns.
  virtual Status checkpoint_error() = 0;
};

// REQUIRES: both non-null. Names the B+tree's properties "btree_<name>".
std::unique_ptr<RoutedEngine> NewRoutedEngine(std::unique_ptr<Engine> lsm, std::unique_ptr<Engine> btree);

}  // namespace strata::storage
