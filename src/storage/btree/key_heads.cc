#include "storage/btree/key_heads.h"

#include <algorithm>
#include <cstring>

namespace strata::storage::btree {
namespace {

// The 4 bytes of `key` from `offset` on, big-endian, zero-padded past its end.
uint32_t HeadAt(Slice key, size_t offset) {
  uint32_t head = 0;
  for (size_t i = 0; i < 4; i++) {
    head <<= 8;
    if (offset + i < key.size()) head |= static_cast<uint8_t>(key[offset + i]);
  }
  return head;
}

}  // namespace

void KeyHeads::Build(const NodePage& page) {
  const int n = page.count();
  level_ = page.level();
  if (heads_.capacity() < static_cast<size_t>(n)) {  // exactly n: the pool counts this memory
    std::vector<uint32_t> fresh;
    fresh.reserve(n);
    heads_.swap(fresh);
  }
  heads_.resize(n);
  prefix_.clear();
  if (n == 0) return;
  // Keys are sorted, so every key shares what the first and the last share.
  Slice first = page.KeyAt(0), last = page.KeyAt(n - 1);
  size_t shared = 0;
  const size_t limit = std::min(first.size(), last.size());
  while (shared < limit && first[shared] == last[shared]) shared++;
  prefix_.assign(first.data(), shared);
  for (int i = 0; i < n; i++) heads_[i] = HeadAt(page.KeyAt(i), shared);
}

int KeyHeads::Place(Slice key, uint32_t* head) const {
  const size_t n = std::min(key.size(), prefix_.size());
  if (n > 0) {
    int c = std::memcmp(key.data(), prefix_.data(), n);
    if (c != 0) return c < 0 ? -1 : 1;
  }
  if (key.size() < prefix_.size()) return -1;  // a proper prefix of every key: below them all
  *head = HeadAt(key, prefix_.size());
  return 0;
}

void KeyHeads::EqualRange(uint32_t head, int* first, int* last) const {
  // A leaf's heads span a few cache lines, which the binary search would miss one after
  // another (each probe depends on the last): ask for all of them at once. Larger arrays
  // (branches of short separators) are few and stay cached.
  const size_t bytes = heads_.size() * sizeof(uint32_t);
  if (bytes <= 1024) {
    const char* at = reinterpret_cast<const char*>(heads_.data());
    for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(at + offset);
  }
  auto range = std::equal_range(heads_.begin(), heads_.end(), head);
  *first = static_cast<int>(range.first - heads_.begin());
  *last = static_cast<int>(range.second - heads_.begin());
}

int KeyHeads::LowerBound(const NodePage& page, Slice key, bool* found) const {
  *found = false;
  uint32_t head = 0;
  const int place = heads_.empty() ? -1 : Place(key, &head);
  if (place != 0) return place < 0 ? 0 : static_cast<int>(heads_.size());
  // Cells before `lo` are below key and cells from `end` on above it: compare whole keys
  // only in between.
  int lo, end;
  EqualRange(head, &lo, &end);
  int hi = end;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (page.KeyAt(mid) < key) lo = mid + 1;
    else hi = mid;
  }
  *found = lo < end && page.KeyAt(lo) == key;
  return lo;
}

int KeyHeads::UpperBound(const NodePage& page, Slice key) const {
  uint32_t head = 0;
  const int place = heads_.empty() ? -1 : Place(key, &head);
  if (place != 0) return place < 0 ? 0 : static_cast<int>(heads_.size());
  int lo, hi;
  EqualRange(head, &lo, &hi);
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (page.KeyAt(mid) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

}  // namespace strata::storage::btree
