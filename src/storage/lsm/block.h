// Data and index blocks of an SST (docs/sst_format.md).
//
// Entries are sorted keys with prefix compression: each entry stores how many leading bytes
// it shares with the previous key, then the rest. Every `restart_interval` entries a restart
// point stores its key whole; the restart offsets at the end of the block let Seek binary
// search before scanning forward.
//
//   entry    := varint(shared) varint(unshared) varint(value_len) key[shared..] value
//   block    := entry* | restart_offset fixed32 * n | n fixed32
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/slice.h"
#include "common/status.h"
#include "storage/lsm/internal_iterator.h"

namespace strata::storage::lsm {

class BlockBuilder {
 public:
  explicit BlockBuilder(int restart_interval = 16) : restart_interval_(restart_interval) { Reset(); }
  void Reset();
  // REQUIRES: key > every key added since Reset() (in the block's comparator order).
  void Add(Slice key, Slice value);
  Slice Finish();  // valid until Reset()
  size_t CurrentSizeEstimate() const { return buf_.size() + restarts_.size() * 4 + 4; }
  bool empty() const { return counter_ == 0 && restarts_.size() == 1 && buf_.empty(); }

 private:
  int restart_interval_;
  Bytes buf_;
  std::vector<uint32_t> restarts_;
  int counter_ = 0;
  Bytes last_key_;
};

// Compare(Slice, Slice) -> int for the keys stored in the block.
using KeyCompare = int (*)(Slice, Slice);

// An iterator over a block's contents. `contents` must outlive the iterator unless `owner`
// keeps it alive. Malformed blocks make the iterator invalid with a Corruption status.
std::unique_ptr<InternalIterator> NewBlockIterator(Slice contents, KeyCompare cmp,
                                                   std::shared_ptr<const void> owner);

}  // namespace strata::storage::lsm
