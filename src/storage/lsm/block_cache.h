// Cache of uncompressed SST blocks, keyed by (file number, block offset).
//
// Sharded LRU with a byte budget. The budget can change at run time: the engine gives the
// cache whatever the shared memory budget leaves after the memtables (DESIGN D6).
// Thread-safe; each shard has its own mutex. Blocks are handed out as shared_ptr, so an
// evicted block stays alive while an iterator still reads it.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "common/slice.h"

namespace strata::storage::lsm {

using BlockRef = std::shared_ptr<const Bytes>;

class BlockCache {
 public:
  explicit BlockCache(size_t capacity_bytes);

  BlockRef Lookup(uint64_t file_number, uint64_t offset);
  void Insert(uint64_t file_number, uint64_t offset, BlockRef block);
  void SetCapacity(size_t capacity_bytes);

  size_t capacity() const { return capacity_.load(); }
  size_t usage() const;
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  static constexpr int kShards = 16;
  struct Key {
    uint64_t file, offset;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return (k.file * 0x9e3779b97f4a7c15ULL) ^ k.offset; }
  };
  struct Shard {
    std::mutex mu;
    std::list<std::pair<Key, BlockRef>> lru;  // front = most recent
    std::unordered_map<Key, decltype(lru)::iterator, KeyHash> map;
    size_t usage = 0;
    void EvictTo(size_t limit);
  };
  Shard& ShardFor(const Key& k) { return shards_[KeyHash{}(k) % kShards]; }

  std::atomic<size_t> capacity_;
  std::vector<Shard> shards_;
  std::atomic<uint64_t> hits_{0}, misses_{0};
};

}  // namespace strata::storage::lsm
