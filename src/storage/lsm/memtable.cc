#include "storage/lsm/memtable.h"

#include <cstring>

namespace strata::storage::lsm {

Slice DecodeEntrySlice(const char* p, const char** next) {
  Slice in(p, kMaxVarint64Bytes);  // a varint never needs more; the arena holds it all
  uint64_t len = 0;
  GetVarint64(&in, &len);
  *next = in.data() + len;
  return Slice(in.data(), len);
}

int Memtable::EntryCompare::operator()(const char* a, const char* b) const {
  const char* unused;
  return CompareInternalKeys(DecodeEntrySlice(a, &unused), DecodeEntrySlice(b, &unused));
}

void Memtable::Add(SequenceNumber seq, ValueType type, Slice user_key, Slice value) {
  size_t ikey_len = user_key.size() + 8;
  size_t total = VarintLength(ikey_len) + ikey_len + VarintLength(value.size()) + value.size();
  char* buf = arena_.AllocateAligned(total);
  char* p = buf + EncodeVarint64(buf, ikey_len);
  std::memcpy(p, user_key.data(), user_key.size());
  p += user_key.size();
  uint64_t trailer = PackTrailer(seq, type);
  std::memcpy(p, &trailer, 8);
  p += 8;
  p += EncodeVarint64(p, value.size());
  std::memcpy(p, value.data(), value.size());
  table_.Insert(buf);
  entries_.fetch_add(1, std::memory_order_relaxed);
}

void Memtable::AddRangeTombstone(SequenceNumber seq, Slice begin, Slice end) {
  std::lock_guard lock(tombstone_mu_);
  tombstones_.push_back({Bytes(begin), Bytes(end), seq});
  tombstone_count_.fetch_add(1);
}

std::vector<RangeTombstone> Memtable::RangeTombstones() const {
  std::lock_guard lock(tombstone_mu_);
  return tombstones_;
}

std::optional<Memtable::Found> Memtable::Get(Slice user_key, SequenceNumber snapshot) const {
  Bytes target;
  // The entry compare reads a length-prefixed key, so build one.
  Bytes ikey = MakeInternalKey(user_key, snapshot, kValueForSeek);
  PutVarint64(&target, ikey.size());
  target += ikey;
  SkipList<EntryCompare>::Iterator it(&table_);
  it.Seek(target.data());
  if (!it.Valid()) return std::nullopt;
  const char* next;
  Slice found_key = DecodeEntrySlice(it.entry(), &next);
  if (ExtractUserKey(found_key) != user_key) return std::nullopt;
  Slice value = DecodeEntrySlice(next, &next);
  return Found{ExtractType(found_key), Bytes(value), ExtractSequence(found_key)};
}

class Memtable::Iter final : public InternalIterator {
 public:
  explicit Iter(const SkipList<EntryCompare>* table) : it_(table) {}
  bool Valid() const override { return it_.Valid(); }
  void SeekToFirst() override { it_.SeekToFirst(); }
  void SeekToLast() override { it_.SeekToLast(); }
  void Seek(Slice internal_target) override {
    scratch_.clear();
    PutVarint64(&scratch_, internal_target.size());
    scratch_ += internal_target;
    it_.Seek(scratch_.data());
  }
  void Next() override { it_.Next(); }
  void Prev() override { it_.Prev(); }
  Slice key() const override {
    const char* next;
    return DecodeEntrySlice(it_.entry(), &next);
  }
  Slice value() const override {
    const char* next;
    DecodeEntrySlice(it_.entry(), &next);
    return DecodeEntrySlice(next, &next);
  }
  Status status() const override { return Status::OK(); }

 private:
  SkipList<EntryCompare>::Iterator it_;
  Bytes scratch_;
};

std::unique_ptr<InternalIterator> Memtable::NewIterator() const {
  return std::make_unique<Iter>(&table_);
}

}  // namespace strata::storage::lsm
