// The memtable: recent writes in a skiplist, plus the range tombstones written with them.
//
// Entry layout in the arena: ikey_len fixed32 | internal key | value_len fixed32 | value,
// stored right behind its skiplist node.
// Thread-safety: one writer (the engine's write path holds its write mutex); readers and
// iterators need no lock. Range tombstones are few and guarded by a small mutex.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "storage/lsm/internal_iterator.h"
#include "storage/lsm/internal_key.h"
#include "storage/lsm/skiplist.h"

namespace strata::storage::lsm {

class Memtable {
 public:
  Memtable() : table_(EntryCompare{}, &arena_) {}

  // REQUIRES: key and value each shorter than 2 GiB.

  void Add(SequenceNumber seq, ValueType type, Slice user_key, Slice value);
  void AddRangeTombstone(SequenceNumber seq, Slice begin, Slice end);

  // Newest entry of user_key with sequence <= snapshot: nullopt when the memtable has no
  // such entry; otherwise the entry's type, value and sequence.
  struct Found {
    ValueType type;
    Bytes value;
    SequenceNumber seq;
  };
  std::optional<Found> Get(Slice user_key, SequenceNumber snapshot) const;

  std::unique_ptr<InternalIterator> NewIterator() const;
  std::vector<RangeTombstone> RangeTombstones() const;
  bool has_range_tombstones() const { return tombstone_count_.load(std::memory_order_acquire) > 0; }

  size_t ApproximateMemoryUsage() const { return arena_.MemoryUsage(); }
  uint64_t entry_count() const { return entries_.load(std::memory_order_relaxed); }
  bool empty() const { return entry_count() == 0 && tombstone_count_.load() == 0; }

  // Highest Raft applied index of the batches in this memtable (0 if none carried one).
  uint64_t applied_index() const { return applied_index_.load(std::memory_order_acquire); }
  void set_applied_index(uint64_t i) { applied_index_.store(i, std::memory_order_release); }

 private:
  struct EntryCompare {
    int operator()(const char* a, const char* b) const;
  };
  class Iter;

  Arena arena_;
  SkipList<EntryCompare> table_;
  std::atomic<uint64_t> entries_{0};
  std::atomic<uint64_t> applied_index_{0};
  mutable std::mutex tombstone_mu_;
  std::vector<RangeTombstone> tombstones_;  // guarded by tombstone_mu_
  std::atomic<size_t> tombstone_count_{0};
};

// Decodes a length-prefixed slice at p (entries were written by this process; trusted).
Slice DecodeEntrySlice(const char* p, const char** next);

}  // namespace strata::storage::lsm
