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

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/slice.h"
#include "common/coding.h"
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

// The block's restart array: a count that fits, and restart points that are strictly
// increasing entry offsets starting at 0 (an empty block has the single point 0), so that
// Prev and Seek, which jump to them, cannot read a different sequence than Next does.
// O(restart points): Table checks each block once, when it is read from disk, and its
// iterators trust it (a point lookup would otherwise pay it for the index block each time).
bool BlockLayoutValid(Slice data);

// Iterates a block's entries. Usable on the stack (point lookups) or through
// NewBlockIterator. Malformed blocks make it invalid with a Corruption status.
// `layout_checked`: BlockLayoutValid(data) already held (the block came through Table).
class BlockIterator final : public InternalIterator {
 public:
  BlockIterator(Slice data, KeyCompare cmp, std::shared_ptr<const void> owner, bool layout_checked = false)
      : data_(data), cmp_(cmp), owner_(std::move(owner)) {
    if (!layout_checked && !BlockLayoutValid(data)) {
      Fail();
      return;
    }
    num_restarts_ = DecodeFixed32(data.data() + data.size() - 4);
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
    uint32_t point = RestartPoint(i);
    if (point >= restarts_offset_) return false;  // damaged restart array (substr would throw)
    Slice in = data_.substr(point, restarts_offset_ - point);
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
      // Past the entries only a damaged restart point leads; walking off the end passes
      // every restart point, and one never reached lies inside an entry.
      if (current_ > restarts_offset_ || restart_index_ + 1 < num_restarts_) Fail();
      current_ = restarts_offset_;
      return false;
    }
    if (current_ == restarts_offset_) return false;
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
      // A restart point must start an entry that shares nothing with the one before.
      if (RestartPoint(restart_index_) != current_ || shared != 0) {
        Fail();
        return false;
      }
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


// An iterator over a block's contents. `contents` must outlive the iterator unless `owner`
// keeps it alive. Malformed blocks make the iterator invalid with a Corruption status.
std::unique_ptr<InternalIterator> NewBlockIterator(Slice contents, KeyCompare cmp,
                                                   std::shared_ptr<const void> owner, bool layout_checked = false);

}  // namespace strata::storage::lsm
