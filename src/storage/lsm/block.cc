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

namespace {

class BlockIter final : public InternalIterator {
 public:
  BlockIter(Slice data, KeyCompare cmp, std::shared_ptr<const void> owner)
      : data_(data), cmp_(cmp), owner_(std::move(owner)) {
    if (data.size() < 4) {
      Fail();
      return;
    }
    num_restarts_ = DecodeFixed32(data.data() + data.size() - 4);
    if (num_restarts_ == 0 || num_restarts_ > (data.size() - 4) / 4) {
      Fail();
      return;
    }
    restarts_offset_ = data.size() - 4 - 4 * num_restarts_;
    current_ = restarts_offset_;
  }

  bool Valid() const override { return current_ < restarts_offset_ && status_.ok(); }
  Slice key() const override { return key_; }
  Slice value() const override { return value_; }
  Status status() const override { return status_; }

  void SeekToFirst() override {
    if (!status_.ok()) return;
    SeekToRestart(0);
    ParseNext();
  }

  void SeekToLast() override {
    if (!status_.ok()) return;
    SeekToRestart(num_restarts_ - 1);
    while (ParseNext() && next_ < restarts_offset_) {
    }
  }

  void Next() override { ParseNext(); }

  void Prev() override {
    size_t original = current_;
    while (RestartPoint(restart_index_) >= original) {
      if (restart_index_ == 0) {  // no entry before the first one
        current_ = restarts_offset_;
        return;
      }
      restart_index_--;
    }
    SeekToRestart(restart_index_);
    while (ParseNext() && next_ < original) {
    }
  }

  void Seek(Slice target) override {
    if (!status_.ok()) return;
    // Binary search the restart points for the last one whose key < target.
    uint32_t left = 0, right = num_restarts_ - 1;
    while (left < right) {
      uint32_t mid = (left + right + 1) / 2;
      Slice mid_key;
      if (!RestartKey(mid, &mid_key)) return Fail();
      if (cmp_(mid_key, target) < 0) {
        left = mid;
      } else {
        right = mid - 1;
      }
    }
    SeekToRestart(left);
    while (ParseNext()) {
      if (cmp_(key_, target) >= 0) return;
    }
  }

 private:
  void Fail() {
    status_ = Status::Corruption("bad block contents");
    current_ = restarts_offset_ = 0;
  }

  uint32_t RestartPoint(uint32_t i) const {
    return DecodeFixed32(data_.data() + restarts_offset_ + 4 * i);
  }

  void SeekToRestart(uint32_t i) {
    restart_index_ = i;
    key_.clear();
    next_ = RestartPoint(i);
    current_ = restarts_offset_;
  }

  bool RestartKey(uint32_t i, Slice* key) {
    Slice in = data_.substr(RestartPoint(i), restarts_offset_ - std::min<size_t>(RestartPoint(i), restarts_offset_));
    uint64_t shared, unshared, vlen;
    if (!GetVarint64(&in, &shared) || !GetVarint64(&in, &unshared) || !GetVarint64(&in, &vlen) ||
        shared != 0 || unshared > in.size()) {
      return false;
    }
    *key = in.substr(0, unshared);
    return true;
  }

  // Decodes the entry at next_; returns false at the end (or on corruption).
  bool ParseNext() {
    current_ = next_;
    if (current_ >= restarts_offset_) {
      current_ = restarts_offset_;
      return false;
    }
    Slice in = data_.substr(current_, restarts_offset_ - current_);
    uint64_t shared, unshared, vlen;
    if (!GetVarint64(&in, &shared) || !GetVarint64(&in, &unshared) || !GetVarint64(&in, &vlen) ||
        shared > key_.size() || unshared > in.size() || vlen > in.size() - unshared) {
      Fail();
      return false;
    }
    key_.resize(shared);
    key_.append(in.data(), unshared);
    value_ = in.substr(unshared, vlen);
    next_ = static_cast<size_t>(value_.data() + value_.size() - data_.data());
    while (restart_index_ + 1 < num_restarts_ && RestartPoint(restart_index_ + 1) <= current_) {
      restart_index_++;
    }
    return true;
  }

  Slice data_;
  KeyCompare cmp_;
  std::shared_ptr<const void> owner_;
  Status status_;
  uint32_t num_restarts_ = 0;
  size_t restarts_offset_ = 0;
  size_t current_ = 0;  // offset of the current entry; == restarts_offset_ when invalid
  size_t next_ = 0;     // offset of the entry after the current one
  uint32_t restart_index_ = 0;
  Bytes key_;
  Slice value_;
};

}  // namespace

std::unique_ptr<InternalIterator> NewBlockIterator(Slice contents, KeyCompare cmp,
                                                   std::shared_ptr<const void> owner) {
  return std::make_unique<BlockIter>(contents, cmp, std::move(owner));
}

}  // namespace strata::storage::lsm
