// The user-facing iterator: collapses the versions of each key in a merged internal stream
// to the newest one visible at the read sequence, and hides deleted keys (point deletions
// and range tombstones). Bounds are [lower_bound, upper_bound).
#include <algorithm>

#include "storage/lsm/engine_impl.h"
#include "storage/lsm/merging_iterator.h"

namespace strata::storage::lsm {
namespace {

// Iterates one level >= 1: its files are sorted and do not overlap, so only the one file
// that holds the position needs an open iterator (a seek costs one block read per level,
// not one per file).
class LevelIterator final : public InternalIterator {
 public:
  LevelIterator(std::vector<FileRef> files, bool fill_cache)
      : files_(std::move(files)), fill_cache_(fill_cache) {}

  bool Valid() const override { return cur_ && cur_->Valid(); }
  Slice key() const override { return cur_->key(); }
  Slice value() const override { return cur_->value(); }
  Status status() const override { return cur_ ? cur_->status() : Status::OK(); }

  void SeekToFirst() override {
    Open(0);
    if (cur_) cur_->SeekToFirst();
    SkipEmptyForward();
  }
  void SeekToLast() override {
    Open(files_.size() - 1);
    if (cur_) cur_->SeekToLast();
    SkipEmptyBackward();
  }
  void Seek(Slice target) override {
    auto it = std::lower_bound(files_.begin(), files_.end(), target, [](const FileRef& f, Slice t) {
      return CompareInternalKeys(f->largest, t) < 0;
    });
    Open(static_cast<size_t>(it - files_.begin()));
    if (cur_) cur_->Seek(target);
    SkipEmptyForward();
  }
  void Next() override {
    cur_->Next();
    SkipEmptyForward();
  }
  void Prev() override {
    cur_->Prev();
    SkipEmptyBackward();
  }

 private:
  void Open(size_t i) {
    if (i >= files_.size()) {
      cur_.reset();
      index_ = files_.size();
      return;
    }
    if (cur_ && index_ == i) return;
    index_ = i;
    cur_ = files_[i]->table->NewIterator(fill_cache_, true);
  }
  void SkipEmptyForward() {
    while (cur_ && !cur_->Valid() && cur_->status().ok()) {
      Open(index_ + 1);
      if (cur_) cur_->SeekToFirst();
    }
  }
  void SkipEmptyBackward() {
    while (cur_ && !cur_->Valid() && cur_->status().ok()) {
      if (index_ == 0) {
        cur_.reset();
        return;
      }
      Open(index_ - 1);
      if (cur_) cur_->SeekToLast();
    }
  }

  std::vector<FileRef> files_;
  bool fill_cache_;
  size_t index_ = 0;
  std::unique_ptr<InternalIterator> cur_;
};

class DbIterator final : public Iterator {
 public:
  DbIterator(std::shared_ptr<const SuperVersion> sv, std::unique_ptr<InternalIterator> internal, SequenceNumber seq,
             std::vector<RangeTombstone> tombstones, const ReadOptions& options)
      : sv_(std::move(sv)),
        iter_(std::move(internal)),
        seq_(seq),
        tombstones_(std::move(tombstones)),
        lower_(options.lower_bound),
        upper_(options.upper_bound) {}

  bool Valid() const override { return valid_; }
  Slice key() const override { return key_; }
  // Forward, the internal iterator stands on the entry: its value is read in place (a large
  // value is not copied); backward it has moved on, and value_ holds a copy.
  Slice value() const override { return forward_ ? iter_->value() : Slice(value_); }
  Status status() const override { return iter_->status(); }

  void SeekToFirst() override {
    if (!lower_.empty()) return Seek(lower_);
    iter_->SeekToFirst();
    FindNextUserEntry();
  }

  void Seek(Slice target) override {
    Bytes t(target);
    if (!lower_.empty() && t < lower_) t = lower_;
    iter_->Seek(MakeInternalKey(t, kMaxSequence, kValueForSeek));
    FindNextUserEntry();
  }

  void SeekToLast() override {
    if (!upper_.empty()) {
      SeekBefore(upper_);
      return;
    }
    iter_->SeekToLast();
    FindPrevUserEntry();
  }

  void SeekForPrev(Slice target) override {
    Bytes t(target);
    // Position after every entry of `target` (the next possible user key is target + \0).
    t.push_back('\0');
    if (!upper_.empty() && upper_ < t) t = upper_;
    SeekBefore(t);
  }

  void Next() override {
    if (forward_) {
      // The internal iterator stands on key_'s newest visible version: step past the rest.
      SkipRestOfKey();
    } else {
      // After a backward move the internal iterator stands before key_: jump past it.
      Bytes next(key_);
      next.push_back('\0');
      iter_->Seek(MakeInternalKey(next, kMaxSequence, kValueForSeek));
    }
    FindNextUserEntry();
  }

  void Prev() override { SeekBefore(key_); }

 private:
  bool Covered(Slice user_key, SequenceNumber entry_seq) const {
    for (const auto& t : tombstones_) {
      if (t.seq > entry_seq && t.seq <= seq_ && Slice(t.begin) <= user_key && user_key < Slice(t.end)) return true;
    }
    return false;
  }

  // Positions at the last live key strictly before `limit`.
  void SeekBefore(Slice limit) {
    iter_->Seek(MakeInternalKey(limit, kMaxSequence, kValueForSeek));
    if (iter_->Valid()) {
      iter_->Prev();
    } else {
      iter_->SeekToLast();
    }
    FindPrevUserEntry();
  }

  void SkipRestOfKey() {
    // Steps are cheap; a key with very many versions is skipped with one seek instead.
    for (int steps = 0; iter_->Valid() && ExtractUserKey(iter_->key()) == Slice(key_); steps++) {
      if (steps == 16) {
        Bytes next(key_);
        next.push_back('\0');
        iter_->Seek(MakeInternalKey(next, kMaxSequence, kValueForSeek));
        return;
      }
      iter_->Next();
    }
  }

  // From the internal position, forward to the first key with a live newest version.
  void FindNextUserEntry() {
    valid_ = false;
    forward_ = true;
    while (iter_->Valid()) {
      Slice ikey = iter_->key();
      Slice user_key = ExtractUserKey(ikey);
      if (!upper_.empty() && user_key >= Slice(upper_)) return;
      SequenceNumber s = ExtractSequence(ikey);
      if (s > seq_) {  // too new for this reader
        iter_->Next();
        continue;
      }
      // The newest visible version of user_key: decide, then skip its older versions.
      bool live = ExtractType(ikey) == ValueType::kValue && !Covered(user_key, s);
      key_.assign(user_key);
      if (live) {
        valid_ = true;
        return;
      }
      SkipRestOfKey();
    }
  }

  // From the internal position, backward to the last key with a live newest version.
  // Going backward, a key's versions come oldest first; the last visible one is the newest.
  void FindPrevUserEntry() {
    valid_ = false;
    forward_ = false;
    while (iter_->Valid()) {
      Bytes user_key(ExtractUserKey(iter_->key()));
      if (!lower_.empty() && Slice(user_key) < Slice(lower_)) return;
      bool found = false, live = false;
      Bytes value;
      while (iter_->Valid() && ExtractUserKey(iter_->key()) == Slice(user_key)) {
        Slice ikey = iter_->key();
        SequenceNumber s = ExtractSequence(ikey);
        if (s <= seq_) {
          found = true;
          live = ExtractType(ikey) == ValueType::kValue && !Covered(user_key, s);
          if (live) value.assign(iter_->value());
        }
        iter_->Prev();
      }
      if (found && live) {
        if (!upper_.empty() && Slice(user_key) >= Slice(upper_)) continue;
        key_ = std::move(user_key);
        value_ = std::move(value);
        valid_ = true;
        return;
      }
    }
  }

  std::shared_ptr<const SuperVersion> sv_;  // pins memtables and files
  std::unique_ptr<InternalIterator> iter_;
  SequenceNumber seq_;
  std::vector<RangeTombstone> tombstones_;
  Bytes lower_, upper_;
  bool valid_ = false;
  bool forward_ = true;  // false: the internal iterator stands before key_, not on it
  Bytes key_;
  Bytes value_;  // backward only
};

}  // namespace

std::unique_ptr<Iterator> LsmEngine::NewIterator(const ReadOptions& options) {
  SequenceNumber seq = ReadSequence(options);
  std::shared_ptr<const SuperVersion> sv = GetSuperVersion();
  std::vector<RangeTombstone> tombstones = sv->frozen_tombstones;
  if (sv->mem->has_range_tombstones()) {
    auto t = sv->mem->RangeTombstones();
    tombstones.insert(tombstones.end(), t.begin(), t.end());
  }
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(sv->mem->NewIterator());
  for (const auto& m : sv->imm) children.push_back(m->NewIterator());
  auto in_bounds = [&](const FileRef& f) {
    if (!options.upper_bound.empty() && f->smallest_user() >= Slice(options.upper_bound)) return false;
    if (!options.lower_bound.empty() && f->largest_user() < Slice(options.lower_bound)) return false;
    return true;
  };
  for (const auto& f : sv->version->levels[0]) {  // L0 files overlap: one child each
    if (in_bounds(f)) children.push_back(f->table->NewIterator(options.fill_cache, true));
  }
  for (int level = 1; level < kNumLevels; level++) {
    std::vector<FileRef> files;
    for (const auto& f : sv->version->levels[level]) {
      if (in_bounds(f)) files.push_back(f);
    }
    if (!files.empty()) children.push_back(std::make_unique<LevelIterator>(std::move(files), options.fill_cache));
  }
  auto merged = NewMergingIterator(std::move(children));
  return std::make_unique<DbIterator>(std::move(sv), std::move(merged), seq, std::move(tombstones), options);
}

}  // namespace strata::storage::lsm
