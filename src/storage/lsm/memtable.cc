#include "storage/lsm/memtable.h"

#include <algorithm>
#include <cstring>

#include "common/check.h"

namespace strata::storage::lsm {

Slice DecodeEntrySlice(const char* p, const char** next) {
  uint32_t len = DecodeFixed32(p);
  *next = p + 4 + len;
  return Slice(p + 4, len);
}

int Memtable::EntryCompare::operator()(const char* a, const char* b) const {
  // Inline form of CompareInternalKeys over the entry layout (the hottest code of writes).
  uint32_t la = DecodeFixed32(a) - 8, lb = DecodeFixed32(b) - 8;
  int r = std::memcmp(a + 4, b + 4, std::min(la, lb));
  if (r == 0 && la != lb) r = la < lb ? -1 : 1;
  if (r != 0) return r;
  uint64_t ta = DecodeFixed64(a + 4 + la), tb = DecodeFixed64(b + 4 + lb);
  return ta > tb ? -1 : (ta < tb ? 1 : 0);
}

void Memtable::Add(SequenceNumber seq, ValueType type, Slice user_key, Slice value) {
  STRATA_CHECK(user_key.size() < (uint32_t{1} << 31) && value.size() < (uint32_t{1} << 31));
  uint32_t ikey_len = static_cast<uint32_t>(user_key.size() + 8);
  uint32_t value_len = static_cast<uint32_t>(value.size());
  char* buf = table_.Allocate(4 + ikey_len + 4 + value_len);
  std::memcpy(buf, &ikey_len, 4);
  char* p = buf + 4;
  if (!user_key.empty()) std::memcpy(p, user_key.data(), user_key.size());  // data() may be null
  p += user_key.size();
  uint64_t trailer = PackTrailer(seq, type);
  std::memcpy(p, &trailer, 8);
  p += 8;
  std::memcpy(p, &value_len, 4);
  if (!value.empty()) std::memcpy(p + 4, value.data(), value.size());
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
  // The entry compare reads a length-prefixed key, so build one.
  Bytes target;
  PutFixed32(&target, static_cast<uint32_t>(user_key.size() + 8));
  AppendInternalKey(&target, user_key, snapshot, kValueForSeek);
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
    PutFixed32(&scratch_, static_cast<uint32_t>(internal_target.size()));
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
