// ReadSet: the keys a transaction read through its snapshot, as points and key ranges.
//
// A locking read (lock_manager.h) reads a row at its latest committed version — unless the
// transaction read that row through its snapshot before: then the write it makes must still
// conflict at commit if the row changed since the snapshot (a lost update stays refused,
// DESIGN D4). This set answers "read before?". Past kMaxEntries entries it stops recording
// and answers yes for every key: the transaction then behaves as it would without locks
// (first-committer-wins from its snapshot), never less safely.
#pragma once

#include <map>
#include <set>

#include "common/slice.h"

namespace strata::txn {

class ReadSet {
 public:
  static constexpr size_t kMaxEntries = 16384;

  void AddPoint(Slice key);
  // [begin, end); an empty `end` means unbounded.
  void AddRange(Slice begin, Slice end);
  bool Contains(Slice key) const;
  bool overflowed() const { return overflowed_; }
  // From now on every key counts as read (as past the cap).
  void MarkAllRead() {
    points_.clear();
    ranges_.clear();
    overflowed_ = true;
  }

 private:
  std::set<Bytes, std::less<>> points_;
  std::map<Bytes, Bytes, std::less<>> ranges_;  // begin -> end (empty: unbounded), disjoint
  bool overflowed_ = false;
};

}  // namespace strata::txn
