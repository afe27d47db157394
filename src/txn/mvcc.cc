#include "txn/mvcc.h"

#include "common/coding.h"

namespace strata::txn {
namespace {

void AppendEscaped(Bytes* out, Slice user_key) {
  // Copy runs without 0x00 in one append each (keys rarely hold zero bytes).
  out->reserve(out->size() + user_key.size() + 2);
  while (!user_key.empty()) {
    size_t zero = user_key.find('\0');
    if (zero == Slice::npos) {
      out->append(user_key);
      break;
    }
    out->append(user_key.substr(0, zero));
    out->append("\0\xff", 2);
    user_key.remove_prefix(zero + 1);
  }
  out->push_back('\0');
  out->push_back('\x01');
}

constexpr char kLive = 0x01;
constexpr char kDeleted = 0x00;

}  // namespace

Bytes VersionPrefix(Slice user_key) {
  Bytes out;
  out.reserve(user_key.size() + 2);
  AppendEscaped(&out, user_key);
  return out;
}

Bytes GcHorizonKey() {
  Bytes out(kMetaKeyPrefix);
  out += "gc_horizon";
  return out;
}

Bytes EncodeVersionedKey(Slice user_key, LogIndex version) {
  Bytes out;
  out.reserve(user_key.size() + 10);
  AppendEscaped(&out, user_key);
  PutBigEndian64(&out, ~version);
  return out;
}

Status DecodeVersionedKey(Slice engine_key, Bytes* user_key, LogIndex* version) {
  user_key->clear();
  size_t i = 0;
  while (i < engine_key.size()) {
    size_t zero = engine_key.find('\0', i);
    if (zero == Slice::npos || zero + 1 >= engine_key.size()) break;
    user_key->append(engine_key.substr(i, zero - i));
    char next = engine_key[zero + 1];
    if (next == '\xff') {
      user_key->push_back('\0');
      i = zero + 2;
    } else if (next == '\x01' && engine_key.size() - (zero + 2) == 8) {
      *version = ~DecodeBigEndian64(engine_key.data() + zero + 2);
      return Status::OK();
    } else {
      break;
    }
  }
  return Status::Corruption("not an MVCC key");
}

// The value a stored MVCC value holds (its tag dropped); nullopt for a deletion.
static Result<std::optional<Slice>> LiveSlice(Slice stored) {
  if (stored.empty()) return Status::Corruption("empty MVCC value");
  if (stored[0] == kDeleted) return std::optional<Slice>();
  if (stored[0] != kLive) return Status::Corruption("bad MVCC value tag");
  return std::optional<Slice>(stored.substr(1));
}

static Result<std::optional<Bytes>> LiveValue(Slice stored) {
  STRATA_ASSIGN_OR_RETURN(std::optional<Slice> live, LiveSlice(stored));
  return live ? std::optional<Bytes>(Bytes(*live)) : std::optional<Bytes>();
}

Result<std::optional<PinnedValue>> ReadAtPinned(storage::Engine& engine, Slice user_key, LogIndex snapshot) {
  Bytes prefix = VersionPrefix(user_key);
  storage::ReadOptions ro;
  ro.lower_bound = EncodeVersionedKey(user_key, snapshot);
  ro.upper_bound = PrefixSuccessor(prefix);
  auto it = engine.NewIterator(ro);
  it->Seek(ro.lower_bound);
  if (!it->Valid()) {
    STRATA_RETURN_IF_ERROR(it->status());
    return std::optional<PinnedValue>();
  }
  STRATA_ASSIGN_OR_RETURN(std::optional<Slice> live, LiveSlice(it->value()));
  if (!live) return std::optional<PinnedValue>();
  return std::optional<PinnedValue>(PinnedValue(std::move(it), *live));
}

Result<std::optional<Bytes>> ReadAt(storage::Engine& engine, Slice user_key, LogIndex snapshot) {
  STRATA_ASSIGN_OR_RETURN(std::optional<PinnedValue> pinned, ReadAtPinned(engine, user_key, snapshot));
  return pinned ? std::optional<Bytes>(Bytes(pinned->value())) : std::optional<Bytes>();
}

Result<LogIndex> LatestVersion(storage::Engine& engine, Slice user_key) {
  return LatestVersionBefore(engine, user_key, 0);
}

Result<LogIndex> LatestVersionBefore(storage::Engine& engine, Slice user_key, LogIndex before) {
  Bytes prefix = VersionPrefix(user_key);
  storage::ReadOptions ro;
  // Versions sort newest first: the first at or below before - 1.
  ro.lower_bound = before == 0 ? prefix : EncodeVersionedKey(user_key, before - 1);
  ro.upper_bound = PrefixSuccessor(prefix);
  auto it = engine.NewIterator(ro);
  it->Seek(ro.lower_bound);
  if (!it->Valid()) {
    STRATA_RETURN_IF_ERROR(it->status());
    return LogIndex{0};
  }
  Bytes key;
  LogIndex version = 0;
  STRATA_RETURN_IF_ERROR(DecodeVersionedKey(it->key(), &key, &version));
  return version;
}

Result<bool> HasVersionAfter(storage::Engine& engine, Slice begin, Slice end, LogIndex after, LogIndex before) {
  storage::ReadOptions ro;
  ro.lower_bound = VersionPrefix(begin);
  ro.upper_bound = VersionPrefix(end);
  auto it = engine.NewIterator(ro);
  Bytes key;
  LogIndex version = 0;
  for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) {
    if (IsMetaKey(it->key())) continue;
    STRATA_RETURN_IF_ERROR(DecodeVersionedKey(it->key(), &key, &version));
    if (version > after && (before == 0 || version < before)) return true;
  }
  STRATA_RETURN_IF_ERROR(it->status());
  return false;
}

Result<std::vector<KeyValue>> ScanAt(storage::Engine& engine, Slice begin, Slice end, LogIndex snapshot,
                                     size_t limit) {
  std::vector<KeyValue> out;
  storage::ReadOptions ro;
  ro.lower_bound = VersionPrefix(begin);
  if (!end.empty()) ro.upper_bound = VersionPrefix(end);
  auto it = engine.NewIterator(ro);
  Bytes key;
  LogIndex version = 0;
  it->Seek(ro.lower_bound);
  // A key usually has one or two versions, so stepping with Next() over the ones to skip
  // is cheaper than a Seek (which repositions every level); after kMaxSequentialSkips steps
  // a Seek jumps over the rest (RocksDB's max_sequential_skip_in_iterations idea).
  constexpr int kMaxSequentialSkips = 8;
  auto skip_versions_of = [&](Slice prefix, const Bytes& seek_to) {
    for (int i = 0; i < kMaxSequentialSkips; i++) {
      it->Next();
      if (!it->Valid() || !it->key().starts_with(prefix)) return;
    }
    it->Seek(seek_to);
  };
  while (it->Valid() && out.size() < limit) {
    STRATA_RETURN_IF_ERROR(DecodeVersionedKey(it->key(), &key, &version));
    Bytes prefix = VersionPrefix(key);
    if (version > snapshot) {
      // Skip versions too new for this reader: they sort before the older ones.
      Bytes target = EncodeVersionedKey(key, snapshot);
      int steps = 0;
      while (it->Valid() && it->key().starts_with(prefix) && it->key() < Slice(target) &&
             steps++ < kMaxSequentialSkips)
        it->Next();
      if (it->Valid() && it->key().starts_with(prefix) && it->key() < Slice(target)) it->Seek(target);
      if (!it->Valid() || !it->key().starts_with(prefix)) continue;  // no version visible
    }
    STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> value, LiveValue(it->value()));
    if (value) out.push_back({key, std::move(*value)});
    // Skip the older versions of this key: the next key's versions start after version 0.
    Bytes next = EncodeVersionedKey(key, 0);
    next.push_back('\0');
    skip_versions_of(prefix, next);
  }
  STRATA_RETURN_IF_ERROR(it->status());
  return out;
}

Result<std::optional<Bytes>> LastUserKeyIn(storage::Engine& engine, Slice begin, Slice end) {
  storage::ReadOptions ro;
  ro.lower_bound = VersionPrefix(begin);
  ro.upper_bound = VersionPrefix(end);
  auto it = engine.NewIterator(ro);
  it->SeekForPrev(ro.upper_bound);
  if (it->Valid() && it->key() >= Slice(ro.upper_bound)) it->Prev();
  if (!it->Valid() || it->key() < Slice(ro.lower_bound)) {
    STRATA_RETURN_IF_ERROR(it->status());
    return std::optional<Bytes>();
  }
  Bytes key;
  LogIndex version = 0;
  STRATA_RETURN_IF_ERROR(DecodeVersionedKey(it->key(), &key, &version));
  return std::optional<Bytes>(std::move(key));
}

}  // namespace strata::txn
