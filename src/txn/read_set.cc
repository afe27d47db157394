#include "txn/read_set.h"

namespace strata::txn {
namespace {

// a < b for range ends, where an empty end is unbounded.
bool EndLess(const Bytes& a, const Bytes& b) {
  if (a.empty()) return false;
  if (b.empty()) return true;
  return a < b;
}

}  // namespace

void ReadSet::AddPoint(Slice key) {
  if (overflowed_) return;
  if (points_.size() + ranges_.size() >= kMaxEntries) {
    overflowed_ = true;
    return;
  }
  points_.emplace(key);
}

void ReadSet::AddRange(Slice begin_slice, Slice end_slice) {
  if (overflowed_) return;
  Bytes begin(begin_slice), end(end_slice);
  if (!end.empty() && !(begin < end)) return;  // empty range
  // Merge with the ranges that overlap or touch [begin, end).
  auto it = ranges_.upper_bound(begin);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (!EndLess(prev->second, begin)) {  // prev reaches begin
      begin = prev->first;
      if (EndLess(end, prev->second)) end = prev->second;
      it = ranges_.erase(prev);
    }
  }
  while (it != ranges_.end() && (end.empty() || !(end < it->first))) {  // it starts within
    if (EndLess(end, it->second)) end = it->second;
    it = ranges_.erase(it);
  }
  if (points_.size() + ranges_.size() >= kMaxEntries) {
    overflowed_ = true;
    return;
  }
  ranges_.emplace(std::move(begin), std::move(end));
}

bool ReadSet::Contains(Slice key) const {
  if (overflowed_) return true;
  if (points_.contains(key)) return true;
  auto it = ranges_.upper_bound(key);
  if (it == ranges_.begin()) return false;
  --it;
  return it->second.empty() || key < Slice(it->second);
}

}  // namespace strata::txn
