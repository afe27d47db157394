#include "node/members.h"

#include <fmt/format.h>

#include "common/coding.h"
#include "obs/json.h"
#include "txn/mvcc.h"

namespace strata::node {

namespace {

constexpr std::string_view kMemberPrefix = "member/";

Bytes MemberKeyPrefix() {
  Bytes out(txn::kMetaKeyPrefix);
  out += kMemberPrefix;
  return out;
}

Bytes MemberKey(uint64_t id) {
  Bytes out = MemberKeyPrefix();
  PutBigEndian64(&out, id);
  return out;
}

}  // namespace

Bytes EncodeMember(const Member& m) {
  return fmt::format("id={} raft={} admin={} mysql={}", m.id, m.raft_addr, m.admin_addr, m.mysql_addr);
}

std::optional<Member> DecodeMember(Slice data) {
  Member m;
  bool have_id = false;
  std::string_view rest = data;
  while (!rest.empty()) {
    size_t space = rest.find(' ');
    std::string_view field = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    size_t eq = field.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = field.substr(0, eq), value = field.substr(eq + 1);
    if (key == "id") {
      uint64_t id = 0;
      for (char c : value) {
        if (c < '0' || c > '9' || id > (UINT64_MAX - 9) / 10) return std::nullopt;
        id = id * 10 + static_cast<uint64_t>(c - '0');
      }
      m.id = id;
      have_id = !value.empty() && id != 0;
    } else if (key == "raft") {
      m.raft_addr = value;
    } else if (key == "admin") {
      m.admin_addr = value;
    } else if (key == "mysql") {
      m.mysql_addr = value;
    }  // other keys: from a newer version, ignored
  }
  if (!have_id || m.raft_addr.empty()) return std::nullopt;
  return m;
}

std::string MemberJson(const Member& m) {
  return obs::JsonObject()
      .Add("id", m.id)
      .Add("raft_addr", std::string_view(m.raft_addr))
      .Add("admin_addr", std::string_view(m.admin_addr))
      .Add("mysql_addr", std::string_view(m.mysql_addr))
      .Finish();
}

Status ApplyMemberPut(storage::Engine& engine, uint64_t applied_index, const Member& m) {
  storage::WriteBatch batch;
  batch.SetAppliedIndex(applied_index);
  batch.Put(MemberKey(m.id), EncodeMember(m));
  return engine.Write(batch);
}

Status ApplyMemberDelete(storage::Engine& engine, uint64_t applied_index, uint64_t id) {
  storage::WriteBatch batch;
  batch.SetAppliedIndex(applied_index);
  batch.Delete(MemberKey(id));
  return engine.Write(batch);
}

Status DeleteAllMembers(storage::Engine& engine) {
  STRATA_ASSIGN_OR_RETURN(auto members, ReadMembers(engine));
  storage::WriteBatch batch;
  for (const auto& [id, m] : members) batch.Delete(MemberKey(id));
  return members.empty() ? Status::OK() : engine.Write(batch);
}

Result<std::map<uint64_t, Member>> ReadMembers(storage::Engine& engine) {
  std::map<uint64_t, Member> out;
  storage::ReadOptions ro;
  ro.lower_bound = MemberKeyPrefix();
  ro.upper_bound = MemberKeyPrefix();
  ro.upper_bound.back()++;  // '/' + 1: just past every member key
  auto it = engine.NewIterator(ro);
  for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) {
    std::optional<Member> m = DecodeMember(it->value());
    if (!m) return Status::Corruption(fmt::format("malformed member record: {}", std::string_view(it->value())));
    out[m->id] = *m;
  }
  STRATA_RETURN_IF_ERROR(it->status());
  return out;
}

}  // namespace strata::node
