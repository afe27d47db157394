#include "txn/write_set.h"

#include "common/coding.h"

namespace strata::txn {

constexpr uint8_t kWriteSetVersion = 1;
constexpr uint8_t kWriteSetVersionWithBases = 2;
constexpr uint8_t kPut = 1, kDelete = 2, kUnchanged = 3, kBase = 4, kUnchangedRange = 5;

Bytes WriteSet::Encode(Slice prefix) const {
  // Sized exactly first: one allocation, however large the values (a 64 MiB row).
  size_t size = prefix.size() + 1 + 2 * kMaxVarint64Bytes;
  auto prefixed = [](Slice s) { return VarintLength(s.size()) + s.size(); };
  for (const auto& [key, value] : writes) size += 1 + prefixed(key) + (value ? prefixed(*value) : 0);
  for (const Bytes& key : unchanged) size += 1 + prefixed(key);
  for (const auto& [key, base] : bases) size += 1 + prefixed(key) + kMaxVarint64Bytes;
  for (const Range& r : unchanged_ranges) size += 1 + prefixed(r.begin) + prefixed(r.end) + kMaxVarint64Bytes;
  Bytes out;
  out.reserve(size);
  out.append(prefix);
  bool v2 = !bases.empty() || !unchanged_ranges.empty();
  out.push_back(static_cast<char>(v2 ? kWriteSetVersionWithBases : kWriteSetVersion));
  PutVarint64(&out, start_index);
  PutVarint64(&out, writes.size() + unchanged.size() + bases.size() + unchanged_ranges.size());
  for (const auto& [key, value] : writes) {
    out.push_back(static_cast<char>(value ? kPut : kDelete));
    PutLengthPrefixed(&out, key);
    if (value) PutLengthPrefixed(&out, *value);
  }
  for (const Bytes& key : unchanged) {
    out.push_back(static_cast<char>(kUnchanged));
    PutLengthPrefixed(&out, key);
  }
  for (const auto& [key, base] : bases) {
    out.push_back(static_cast<char>(kBase));
    PutLengthPrefixed(&out, key);
    PutVarint64(&out, base);
  }
  for (const Range& r : unchanged_ranges) {
    out.push_back(static_cast<char>(kUnchangedRange));
    PutLengthPrefixed(&out, r.begin);
    PutLengthPrefixed(&out, r.end);
    PutVarint64(&out, r.base);
  }
  return out;
}

Result<WriteSet> WriteSet::Decode(Slice in) {
  auto bad = [] { return Status::Corruption("malformed write set"); };
  if (in.empty()) return bad();
  uint8_t version = static_cast<uint8_t>(in[0]);
  if (version != kWriteSetVersion && version != kWriteSetVersionWithBases) return bad();
  in.remove_prefix(1);
  WriteSet ws;
  uint64_t count;
  if (!GetVarint64(&in, &ws.start_index) || !GetVarint64(&in, &count) || count > in.size()) return bad();
  for (uint64_t i = 0; i < count; i++) {
    if (in.empty()) return bad();
    uint8_t kind = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    Slice key, value;
    if (!GetLengthPrefixed(&in, &key)) return bad();
    if (kind == kPut) {
      if (!GetLengthPrefixed(&in, &value)) return bad();
      ws.writes[Bytes(key)] = Bytes(value);
    } else if (kind == kDelete) {
      ws.writes[Bytes(key)] = std::nullopt;
    } else if (kind == kUnchanged) {
      ws.unchanged.insert(Bytes(key));
    } else if (kind == kBase && version == kWriteSetVersionWithBases) {
      uint64_t base;
      if (!GetVarint64(&in, &base)) return bad();
      ws.bases[Bytes(key)] = base;
    } else if (kind == kUnchangedRange && version == kWriteSetVersionWithBases) {
      Slice end;
      uint64_t base;
      if (!GetLengthPrefixed(&in, &end) || !GetVarint64(&in, &base)) return bad();
      ws.unchanged_ranges.push_back({Bytes(key), Bytes(end), base});
    } else {
      return bad();
    }
  }
  if (!in.empty()) return bad();
  return ws;
}

}  // namespace strata::txn
