// The engine's Iterator: a TreeCursor over one pinned version, clipped to the read bounds,
// with overflow values read in as the cursor lands on them.
#include "storage/btree/engine_impl.h"

namespace strata::storage::btree {

namespace {

class BtreeIterator final : public Iterator {
 public:
  BtreeIterator(std::shared_ptr<const BtreeSnapshot> snapshot, const ReadOptions& options)
      : snapshot_(std::move(snapshot)),
        cursor_(snapshot_->core()->pool.get(), snapshot_->root(), options.fill_cache),
        lower_(options.lower_bound),
        upper_(options.upper_bound),
        fill_cache_(options.fill_cache) {}

  bool Valid() const override { return valid_; }
  void SeekToFirst() override { Settle(lower_.empty() ? cursor_.SeekToFirst() : cursor_.SeekGE(lower_)); }
  void SeekToLast() override { Settle(upper_.empty() ? cursor_.SeekToLast() : cursor_.SeekLT(upper_)); }
  void Seek(Slice target) override {
    Settle(!lower_.empty() && target < Slice(lower_) ? cursor_.SeekGE(lower_) : cursor_.SeekGE(target));
  }
  void SeekForPrev(Slice target) override {
    Settle(!upper_.empty() && target >= Slice(upper_) ? cursor_.SeekLT(upper_) : cursor_.SeekLE(target));
  }
  void Next() override { Settle(cursor_.Next()); }
  void Prev() override { Settle(cursor_.Prev()); }
  Slice key() const override { return cursor_.key(); }
  Slice value() const override { return value_; }
  Status status() const override { return status_; }

 private:
  void Settle(Status s) {
    status_ = std::move(s);
    valid_ = status_.ok() && cursor_.Valid() && (lower_.empty() || cursor_.key() >= Slice(lower_)) &&
             (upper_.empty() || cursor_.key() < Slice(upper_));
    if (!valid_) return;
    LeafValue v;
    status_ = DecodeLeafValue(cursor_.payload(), &v);
    if (status_.ok() && !v.overflow) {
      value_ = v.inline_value;  // lives in the pinned leaf
      return;
    }
    if (status_.ok()) {
      status_ = ReadLeafValue(snapshot_->core()->pool.get(), cursor_.payload(), &overflow_value_, fill_cache_,
                              io::IoClass::kForegroundRead);
    }
    value_ = overflow_value_;
    valid_ = status_.ok();
  }

  std::shared_ptr<const BtreeSnapshot> snapshot_;  // keeps the version's pages, and the pool
  TreeCursor cursor_;
  Bytes lower_, upper_;
  bool fill_cache_;
  bool valid_ = false;
  Status status_;
  Slice value_;
  Bytes overflow_value_;
};

class ErrorIterator final : public Iterator {
 public:
  explicit ErrorIterator(Status status) : status_(std::move(status)) {}
  bool Valid() const override { return false; }
  void SeekToFirst() override {}
  void SeekToLast() override {}
  void Seek(Slice) override {}
  void SeekForPrev(Slice) override {}
  void Next() override {}
  void Prev() override {}
  Slice key() const override { return {}; }
  Slice value() const override { return {}; }
  Status status() const override { return status_; }

 private:
  Status status_;
};

}  // namespace

std::unique_ptr<Iterator> NewBtreeIterator(std::shared_ptr<const BtreeSnapshot> snapshot, const ReadOptions& options) {
  return std::make_unique<BtreeIterator>(std::move(snapshot), options);
}

std::unique_ptr<Iterator> NewErrorIterator(Status status) { return std::make_unique<ErrorIterator>(std::move(status)); }

}  // namespace strata::storage::btree
