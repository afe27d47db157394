// storage::Engine: the ordered key-value interface every storage engine implements
// (DESIGN D5). Keys and values are plain bytes ordered bytewise; MVCC, tables and SQL live
// above this interface (keys arrive already encoded with common/key_encoding.h).
//
// Durability contract (DESIGN D1): engines keep no write-ahead log. Every WriteBatch carries
// the Raft index it applies; the engine persists the highest applied index atomically with
// the data it flushes. After a crash, PersistedAppliedIndex() says where the node must
// start replaying the Raft log: every batch up to it is present, none after it is.
//
// Thread-safety: all methods may be called concurrently, except that Write() calls must
// come in applied-index order (the Raft apply loop is the single writer).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/slice.h"
#include "common/status.h"
#include "storage/write_batch.h"

namespace strata::storage {

// A consistent point-in-time view. Reads through it see exactly the batches written
// before it was taken. Release by dropping the last reference.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
};

struct ReadOptions {
  const Snapshot* snapshot = nullptr;  // nullptr: the latest state
  // Iterator bounds: keys in [lower_bound, upper_bound); empty means unbounded.
  Bytes lower_bound;
  Bytes upper_bound;
  bool fill_cache = true;  // false for scans that should not evict the working set
};

// Iterates over live keys (deleted keys are skipped) in bytewise order.
// REQUIRES: Valid() before key()/value()/Next()/Prev().
class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual void Seek(Slice target) = 0;         // first key >= target
  virtual void SeekForPrev(Slice target) = 0;  // last key <= target
  virtual void Next() = 0;
  virtual void Prev() = 0;
  // Valid until the iterator next moves or is destroyed (a value may lie in the engine's
  // own memory: the LSM hands it out in place).
  virtual Slice key() const = 0;
  virtual Slice value() const = 0;
  // Non-OK when iteration stopped because of an error (e.g. Corruption); check it when
  // Valid() turns false.
  virtual Status status() const = 0;
};

struct EngineProperty {
  std::string name;    // e.g. "memtable_bytes", "level_files{level=\"0\"}"
  double value;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // The value of `key`, or nullopt when it does not exist.
  virtual Result<std::optional<Bytes>> Get(const ReadOptions& options, Slice key) = 0;
  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;
  virtual std::shared_ptr<const Snapshot> GetSnapshot() = 0;

  // Applies the batch atomically. REQUIRES: batch.applied_index() is 0 (no Raft index, for
  // tools and tests) or greater than every index written before.
  virtual Status Write(const WriteBatch& batch) = 0;

  // Makes every write so far durable, and PersistedAppliedIndex() equal AppliedIndex().
  virtual Status Flush() = 0;
  // Flushes, then writes a consistent copy in `dir` (hard links where possible) openable as
  // an engine; used for Raft snapshots. `dir` must not exist. Returns the applied index the
  // copy holds: at least AppliedIndex() when called (writes may go on meanwhile).
  virtual Result<uint64_t> Checkpoint(const std::string& dir) = 0;
  // Adds the contents of SST files (written by lsm::TableBuilder; each user key at most once
  // per file, later files win) as one atomic step, newer than every write before it. The
  // files are copied; the caller may delete them afterwards.
  virtual Status Ingest(const std::vector<std::string>& files) = 0;

  virtual uint64_t AppliedIndex() const = 0;           // highest index written
  virtual uint64_t PersistedAppliedIndex() const = 0;  // highest index durable on disk

  virtual std::vector<EngineProperty> Properties() const = 0;
};

}  // namespace strata::storage
