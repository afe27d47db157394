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
                                                   std::shared_ptr<const void> owner) {
  return std::make_unique<BlockIterator>(contents, cmp, std::move(owner));
}

}  // namespace strata::storage::lsm
