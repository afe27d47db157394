#include "storage/lsm/block.h"

#include <algorithm>

#include "common/check.h"
#include "common/coding.h"

namespace strata::storage::lsm {

void BlockBuilder::Reset() {
  buf_.clear();
  restarts_.assign(1, 0);
  counter_ = 0;
  last_key_.clear();
}

void BlockBuilder::Add(Slice key, Slice value) {
  size_t shared = 0;
  if (counter_ < restart_interval_) {
    size_t limit = std::min(last_key_.size(), key.size());
    while (shared < limit && last_key_[shared] == key[shared]) shared++;
  } else {
    restarts_.push_back(static_cast<uint32_t>(buf_.size()));
    counter_ = 0;
  }
  PutVarint64(&buf_, shared);
  PutVarint64(&buf_, key.size() - shared);
  PutVarint64(&buf_, value.size());
  buf_.append(key.substr(shared));
  buf_.append(value);
  last_key_.assign(key);
  counter_++;
}

Slice BlockBuilder::Finish() {
  for (uint32_t r : restarts_) PutFixed32(&buf_, r);
  PutFixed32(&buf_, static_cast<uint32_t>(restarts_.size()));
  return buf_;
}

std::unique_ptr<InternalIterator> NewBlockIterator(Slice contents, KeyCompare cmp,
                                                   std::shared_ptr<const void> owner, bool layout_checked) {
  return std::make_unique<BlockIterator>(contents, cmp, std::move(owner), layout_checked);
}

bool BlockLayoutValid(Slice data) {
  if (data.size() < 4) return false;
  uint32_t n = DecodeFixed32(data.data() + data.size() - 4);
  if (n == 0 || n > (data.size() - 4) / 4) return false;
  size_t restarts_offset = data.size() - 4 - 4 * size_t{n};
  uint32_t previous = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t point = DecodeFixed32(data.data() + restarts_offset + 4 * i);
    bool ok = i == 0 ? point == 0 : point > previous && point < restarts_offset;
    if (!ok) return false;
    previous = point;
  }
  return true;
}

}  // namespace strata::storage::lsm
