#include "storage/lsm/block_cache.h"

#include <algorithm>

namespace strata::storage::lsm {

BlockCache::BlockCache(size_t capacity_bytes) : capacity_(capacity_bytes), shards_(kShards) {}

void BlockCache::Shard::Move(std::pair<ListId, std::list<Item>::iterator>& where, ListId to,
                             bool drop_block) {
  auto& from_list = lists[where.first];
  bytes[where.first] -= where.second->bytes;
  bytes[to] += where.second->bytes;
  if (drop_block) where.second->block.reset();
  lists[to].splice(lists[to].begin(), from_list, where.second);
  where.first = to;
}

// Evicts from T1 or T2 (into the matching ghost list) until resident bytes fit.
void BlockCache::Shard::Replace(size_t capacity, bool hit_in_b2) {
  while (bytes[kT1] + bytes[kT2] > capacity) {
    bool from_t1 = bytes[kT1] > 0 && (bytes[kT1] > p || (hit_in_b2 && bytes[kT1] >= p) || bytes[kT2] == 0);
    ListId victim_list = from_t1 ? kT1 : kT2;
    auto& entry = map[lists[victim_list].back().key];
    Move(entry, from_t1 ? kB1 : kB2, /*drop_block=*/true);
  }
  TrimGhosts(capacity);
}

// Ghost lists remember at most about one capacity's worth of keys each.
void BlockCache::Shard::TrimGhosts(size_t capacity) {
  for (ListId g : {kB1, kB2}) {
    while (!lists[g].empty() && bytes[g] > capacity) {
      bytes[g] -= lists[g].back().bytes;
      map.erase(lists[g].back().key);
      lists[g].pop_back();
    }
  }
}

BlockRef BlockCache::Lookup(uint64_t file_number, uint64_t offset) {
  Key k{file_number, offset};
  Shard& s = ShardFor(k);
  std::lock_guard lock(s.mu);
  auto it = s.map.find(k);
  if (it == s.map.end() || it->second.first == kB1 || it->second.first == kB2) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  s.Move(it->second, kT2, false);  // seen again: frequent
  return it->second.second->block;
}

void BlockCache::Insert(uint64_t file_number, uint64_t offset, BlockRef block) {
  size_t per_shard = capacity_.load() / kShards;
  size_t size = block->size();
  if (size > per_shard) return;  // would evict everything else
  Key k{file_number, offset};
  Shard& s = ShardFor(k);
  std::lock_guard lock(s.mu);
  auto it = s.map.find(k);
  bool hit_in_b2 = false;
  if (it != s.map.end()) {
    ListId where = it->second.first;
    if (where == kT1 || where == kT2) return;  // another reader inserted it first
    // A ghost hit: the list that lost this block was too small; move the target towards it.
    if (where == kB1) {
      size_t delta = std::max<size_t>(s.bytes[kB2] / std::max<size_t>(s.bytes[kB1], 1), 1) * size;
      s.p = std::min(per_shard, s.p + delta);
    } else {
      size_t delta = std::max<size_t>(s.bytes[kB1] / std::max<size_t>(s.bytes[kB2], 1), 1) * size;
      s.p = s.p > delta ? s.p - delta : 0;
      hit_in_b2 = true;
    }
    it->second.second->block = std::move(block);  // files are immutable: same size as before
    s.Move(it->second, kT2, false);
  } else {
    s.lists[kT1].push_front(Item{k, size, std::move(block)});
    s.bytes[kT1] += size;
    s.map[k] = {kT1, s.lists[kT1].begin()};
  }
  s.Replace(per_shard, hit_in_b2);
}

void BlockCache::SetCapacity(size_t capacity_bytes) {
  capacity_.store(capacity_bytes);
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    s.p = std::min(s.p, capacity_bytes / kShards);
    s.Replace(capacity_bytes / kShards, false);
  }
}

size_t BlockCache::usage() const {
  size_t total = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(const_cast<std::mutex&>(s.mu));
    total += s.bytes[kT1] + s.bytes[kT2];
  }
  return total;
}

}  // namespace strata::storage::lsm
