// Cache of uncompressed SST blocks, keyed by (file number, block offset).
//
// Adaptive replacement (ARC, Megiddo & Modha 2003), counted in bytes: resident blocks live
// in T1 (seen once recently) or T2 (seen at least twice); the ghost lists B1 and B2 remember
// the keys recently evicted from each. A miss that hits a ghost list moves the target size
// of T1 (`p`) towards the list that would have kept it, so the cache adapts between recency
// (scans) and frequency (a hot working set) on its own, and a long scan cannot flush the
// frequently used blocks out of T2.
//
// The byte budget can change at run time: the engine gives the cache what the shared memory
// budget leaves after the memtables (DESIGN D6). Thread-safe; sharded, one mutex per shard.
// Blocks are handed out as shared_ptr, so an evicted block stays alive while a reader has it.
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
  size_t usage() const;  // resident bytes
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  static constexpr int kShards = 16;
  struct Key {
    uint64_t file, offset;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    // splitmix64 finalizer: offsets are multiples of small powers of two, so the low bits
    // of a plain combination would send every block of a file to the same shard.
    size_t operator()(const Key& k) const {
      uint64_t h = k.file * 0x9e3779b97f4a7c15ULL + k.offset;
      h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
      h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
      return h ^ (h >> 31);
    }
  };
  enum ListId : uint8_t { kT1, kT2, kB1, kB2 };
  struct Item {
    Key key;
    size_t bytes;
    BlockRef block;  // null in the ghost lists
  };
  struct Shard {
    std::mutex mu;
    std::list<Item> lists[4];  // front = most recent
    size_t bytes[4] = {0, 0, 0, 0};
    std::unordered_map<Key, std::pair<ListId, std::list<Item>::iterator>, KeyHash> map;
    size_t p = 0;  // target bytes for T1

    void Move(std::pair<ListId, std::list<Item>::iterator>& where, ListId to, bool drop_block);
    void Replace(size_t capacity, bool hit_in_b2);
    void TrimGhosts(size_t capacity);
  };
  Shard& ShardFor(const Key& k) { return shards_[KeyHash{}(k) % kShards]; }

  std::atomic<size_t> capacity_;
  std::vector<Shard> shards_;
  std::atomic<uint64_t> hits_{0}, misses_{0};
};

}  // namespace strata::storage::lsm
