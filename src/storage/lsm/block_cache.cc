#include "storage/lsm/block_cache.h"

namespace strata::storage::lsm {

BlockCache::BlockCache(size_t capacity_bytes) : capacity_(capacity_bytes), shards_(kShards) {}

void BlockCache::Shard::EvictTo(size_t limit) {
  while (usage > limit && !lru.empty()) {
    usage -= lru.back().second->size();
    map.erase(lru.back().first);
    lru.pop_back();
  }
}

BlockRef BlockCache::Lookup(uint64_t file_number, uint64_t offset) {
  Key k{file_number, offset};
  Shard& s = ShardFor(k);
  std::lock_guard lock(s.mu);
  auto it = s.map.find(k);
  if (it == s.map.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return it->second->second;
}

void BlockCache::Insert(uint64_t file_number, uint64_t offset, BlockRef block) {
  size_t per_shard = capacity_.load() / kShards;
  if (block->size() > per_shard) return;  // would evict everything else
  Key k{file_number, offset};
  Shard& s = ShardFor(k);
  std::lock_guard lock(s.mu);
  if (s.map.count(k)) return;
  s.usage += block->size();
  s.lru.emplace_front(k, std::move(block));
  s.map[k] = s.lru.begin();
  s.EvictTo(per_shard);
}

void BlockCache::SetCapacity(size_t capacity_bytes) {
  capacity_.store(capacity_bytes);
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    s.EvictTo(capacity_bytes / kShards);
  }
}

size_t BlockCache::usage() const {
  size_t total = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(const_cast<std::mutex&>(s.mu));
    total += s.usage;
  }
  return total;
}

}  // namespace strata::storage::lsm
