#include "kv.h"

#include "common/coding.h"

namespace strata::raft::sim {

Bytes EncodeKvCommand(const KvCommand& c) {
  Bytes out;
  out.push_back(static_cast<char>(c.kind));
  PutVarint64(&out, c.op_id);
  PutLengthPrefixed(&out, c.key);
  PutFixed64(&out, static_cast<uint64_t>(c.value));
  PutFixed64(&out, static_cast<uint64_t>(c.expected));
  return out;
}

std::optional<KvCommand> DecodeKvCommand(Slice data) {
  KvCommand c;
  if (data.empty()) return std::nullopt;
  c.kind = static_cast<testing::OpKind>(data[0]);
  data.remove_prefix(1);
  Slice key;
  uint64_t value;
  uint64_t expected;
  if (!GetVarint64(&data, &c.op_id) || !GetLengthPrefixed(&data, &key) || !GetFixed64(&data, &value) ||
      !GetFixed64(&data, &expected) || !data.empty()) {
    return std::nullopt;
  }
  c.key = Bytes(key);
  c.value = static_cast<int64_t>(value);
  c.expected = static_cast<int64_t>(expected);
  return c;
}

KvResult KvStateMachine::Apply(const KvCommand& c) {
  KvResult r{c.op_id, false};
  int64_t& v = values_[c.key];
  if (c.kind == testing::OpKind::kWrite) {
    v = c.value;
  } else if (c.kind == testing::OpKind::kCas && v == c.expected) {
    v = c.value;
    r.cas_ok = true;
  }
  return r;
}

int64_t KvStateMachine::Read(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? 0 : it->second;
}

Bytes KvStateMachine::Serialize() const {
  Bytes out;
  PutVarint64(&out, values_.size());
  for (const auto& [k, v] : values_) {
    PutLengthPrefixed(&out, k);
    PutFixed64(&out, static_cast<uint64_t>(v));
  }
  return out;
}

bool KvStateMachine::Restore(Slice data) {
  values_.clear();
  if (data.empty()) return true;  // the bootstrap snapshot
  uint64_t n;
  if (!GetVarint64(&data, &n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    Slice k;
    uint64_t v;
    if (!GetLengthPrefixed(&data, &k) || !GetFixed64(&data, &v)) return false;
    values_[Bytes(k)] = static_cast<int64_t>(v);
  }
  return data.empty();
}

}  // namespace strata::raft::sim
