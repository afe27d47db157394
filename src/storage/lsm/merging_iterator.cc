#include "storage/lsm/merging_iterator.h"

#include "storage/lsm/internal_key.h"

namespace strata::storage::lsm {
namespace {

// A linear scan over the children picks the smallest/largest: the number of children is
// small (memtables + L0 files + levels), and it keeps direction changes simple.
class MergingIterator final : public InternalIterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<InternalIterator>> children)
      : children_(std::move(children)) {}

  bool Valid() const override { return current_ != nullptr; }
  Slice key() const override { return current_->key(); }
  Slice value() const override { return current_->value(); }
  Status status() const override {
    for (const auto& c : children_) {
      if (!c->status().ok()) return c->status();
    }
    return Status::OK();
  }

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    forward_ = true;
    FindSmallest();
  }
  void SeekToLast() override {
    for (auto& c : children_) c->SeekToLast();
    forward_ = false;
    FindLargest();
  }
  void Seek(Slice target) override {
    for (auto& c : children_) c->Seek(target);
    forward_ = true;
    FindSmallest();
  }

  void Next() override {
    if (!forward_) {
      // Position every other child at the first entry after key().
      Bytes k(key());
      for (auto& c : children_) {
        if (c.get() == current_) continue;
        c->Seek(k);
        if (c->Valid() && CompareInternalKeys(c->key(), k) == 0) c->Next();
      }
      forward_ = true;
    }
    current_->Next();
    FindSmallest();
  }

  void Prev() override {
    if (forward_) {
      // Position every other child at the last entry before key().
      Bytes k(key());
      for (auto& c : children_) {
        if (c.get() == current_) continue;
        c->Seek(k);
        if (c->Valid()) {
          c->Prev();
        } else {
          c->SeekToLast();
        }
      }
      forward_ = false;
    }
    current_->Prev();
    FindLargest();
  }

 private:
  // A child that stopped on an error (a corrupt block) stops the merge: going on with the
  // others would serve what the failed child hid, e.g. a key its tombstone deleted.
  void FindSmallest() {
    current_ = nullptr;
    for (auto& c : children_) {
      if (!c->Valid() && !c->status().ok()) {
        current_ = nullptr;
        return;
      }
      if (c->Valid() && (!current_ || CompareInternalKeys(c->key(), current_->key()) < 0)) current_ = c.get();
    }
  }
  void FindLargest() {
    current_ = nullptr;
    for (auto& c : children_) {
      if (!c->Valid() && !c->status().ok()) {
        current_ = nullptr;
        return;
      }
      if (c->Valid() && (!current_ || CompareInternalKeys(c->key(), current_->key()) > 0)) current_ = c.get();
    }
  }

  std::vector<std::unique_ptr<InternalIterator>> children_;
  InternalIterator* current_ = nullptr;
  bool forward_ = true;
};

}  // namespace

std::unique_ptr<InternalIterator> NewMergingIterator(std::vector<std::unique_ptr<InternalIterator>> children) {
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace strata::storage::lsm
