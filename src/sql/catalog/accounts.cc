#include "sql/catalog/accounts.h"

#include <array>

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/coding.h"

namespace strata::sql {
namespace {

struct PrivilegeInfo {
  uint32_t bit;
  const char* name;
  bool database;  // grantable on db.*
  bool table;     // grantable on db.t
};

constexpr std::array<PrivilegeInfo, 27> kPrivileges{{
    {kPrivSelect, "SELECT", true, true},
    {kPrivInsert, "INSERT", true, true},
    {kPrivUpdate, "UPDATE", true, true},
    {kPrivDelete, "DELETE", true, true},
    {kPrivCreate, "CREATE", true, true},
    {kPrivDrop, "DROP", true, true},
    {kPrivReload, "RELOAD", false, false},
    {kPrivShutdown, "SHUTDOWN", false, false},
    {kPrivProcess, "PROCESS", false, false},
    {kPrivFile, "FILE", false, false},
    {kPrivReferences, "REFERENCES", true, true},
    {kPrivIndex, "INDEX", true, true},
    {kPrivAlter, "ALTER", true, true},
    {kPrivShowDatabases, "SHOW DATABASES", false, false},
    {kPrivSuper, "SUPER", false, false},
    {kPrivCreateTemporaryTables, "CREATE TEMPORARY TABLES", true, false},
    {kPrivLockTables, "LOCK TABLES", true, false},
    {kPrivExecute, "EXECUTE", true, false},
    {kPrivReplicationSlave, "REPLICATION SLAVE", false, false},
    {kPrivReplicationClient, "REPLICATION CLIENT", false, false},
    {kPrivCreateView, "CREATE VIEW", true, true},
    {kPrivShowView, "SHOW VIEW", true, true},
    {kPrivCreateRoutine, "CREATE ROUTINE", true, false},
    {kPrivAlterRoutine, "ALTER ROUTINE", true, false},
    {kPrivCreateUser, "CREATE USER", false, false},
    {kPrivEvent, "EVENT", true, false},
    {kPrivTrigger, "TRIGGER", true, true},
}};

// Format 2 = format 1 plus the role section. A record without roles is still written as 1,
// so a binary older than roles reads every account that does not use them; one that does
// fails to decode there with an explicit unknown-format error rather than a silent misread.
constexpr uint8_t kAccountFormat = 1;
constexpr uint8_t kAccountFormatWithRoles = 2;
constexpr uint64_t kMaxGrants = 1 << 20;

char Fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool Allowed(const PrivilegeInfo& p, GrantLevel level) {
  return level == GrantLevel::kGlobal || (level == GrantLevel::kDatabase ? p.database : p.table);
}

// LIKE-style matching of a host pattern: % any run, _ one character, case-insensitive.
bool Like(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '_' || Fold(pattern[p]) == Fold(text[t]))) {
      p++;
      t++;
    } else if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') p++;
  return p == pattern.size();
}

}  // namespace

uint32_t AllPrivileges(GrantLevel level) {
  uint32_t all = 0;
  for (const PrivilegeInfo& p : kPrivileges)
    if (Allowed(p, level)) all |= p.bit;
  return all;
}

std::optional<uint32_t> PrivilegeByName(std::string_view name) {
  for (const PrivilegeInfo& p : kPrivileges)
    if (name == p.name) return p.bit;
  if (name == "GRANT OPTION") return kPrivGrantOption;
  return std::nullopt;
}

std::string PrivilegeList(uint32_t privileges, GrantLevel level) {
  uint32_t all = AllPrivileges(level);
  if ((privileges & all) == all) return "ALL PRIVILEGES";
  std::string out;
  for (const PrivilegeInfo& p : kPrivileges) {
    if (!(privileges & p.bit)) continue;
    if (!out.empty()) out += ", ";
    out += p.name;
  }
  return out.empty() ? "USAGE" : out;
}

std::string PrivilegeName(uint32_t privileges) {
  for (const PrivilegeInfo& p : kPrivileges)
    if (privileges & p.bit) return p.name;
  return privileges & kPrivGrantOption ? "GRANT OPTION" : "USAGE";
}

uint32_t UserAccount::PrivilegesOn(std::string_view db, std::string_view table) const {
  uint32_t privileges = global;
  std::string lower_db = ToLower(db);
  if (auto it = databases.find(lower_db); it != databases.end()) privileges |= it->second;
  if (!table.empty()) {
    if (auto it = tables.find({lower_db, ToLower(table)}); it != tables.end()) privileges |= it->second;
  }
  return privileges;
}

bool UserAccount::SeesDatabase(std::string_view db) const {
  // A global privilege that applies to databases (or SHOW DATABASES) shows them all; a
  // purely administrative one (PROCESS, RELOAD, …) does not.
  if (global & (AllPrivileges(GrantLevel::kDatabase) | kPrivShowDatabases)) return true;
  std::string lower_db = ToLower(db);
  if (auto it = databases.find(lower_db); it != databases.end() && it->second != 0) return true;
  auto it = tables.lower_bound({lower_db, ""});
  return it != tables.end() && it->first.first == lower_db;
}

Bytes UserAccount::Encode() const {
  Bytes out;
  const bool with_roles = !roles.empty() || !default_roles.empty();
  out.push_back(static_cast<char>(with_roles ? kAccountFormatWithRoles : kAccountFormat));
  for (const std::string* s : {&user, &host, &plugin, &native_hash, &sha256_hash}) PutLengthPrefixed(&out, *s);
  out.push_back(static_cast<char>((require_ssl ? 1 : 0) | (locked ? 2 : 0) | (is_role ? 4 : 0)));
  PutVarint64(&out, global);
  PutVarint64(&out, databases.size());
  for (const auto& [db, privileges] : databases) {
    PutLengthPrefixed(&out, db);
    PutVarint64(&out, privileges);
  }
  PutVarint64(&out, tables.size());
  for (const auto& [name, privileges] : tables) {
    PutLengthPrefixed(&out, name.first);
    PutLengthPrefixed(&out, name.second);
    PutVarint64(&out, privileges);
  }
  // The role section (format 2 only).
  if (with_roles) {
    PutVarint64(&out, roles.size());
    for (const RoleGrant& r : roles) {
      PutLengthPrefixed(&out, r.user);
      PutLengthPrefixed(&out, r.host);
      out.push_back(static_cast<char>(r.admin ? 1 : 0));
    }
    PutVarint64(&out, default_roles.size());
    for (const auto& [user, host] : default_roles) {
      PutLengthPrefixed(&out, user);
      PutLengthPrefixed(&out, host);
    }
  }
  return out;
}

Result<UserAccount> UserAccount::Decode(Slice in) {
  auto bad = [] { return Status::Corruption("account record"); };
  if (in.empty()) return bad();
  const uint8_t format = static_cast<uint8_t>(in[0]);
  if (format != kAccountFormat && format != kAccountFormatWithRoles) {
    return Status::Corruption(fmt::format("account record of format {}: written by a newer StrataDB", format));
  }
  in.remove_prefix(1);
  UserAccount a;
  for (std::string* s : {&a.user, &a.host, &a.plugin, &a.native_hash, &a.sha256_hash}) {
    Slice field;
    if (!GetLengthPrefixed(&in, &field)) return bad();
    *s = std::string(field);
  }
  if (in.empty()) return bad();
  uint8_t flags = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  a.require_ssl = flags & 1;
  a.locked = flags & 2;
  a.is_role = flags & 4;
  uint64_t global = 0, n = 0;
  if (!GetVarint64(&in, &global) || !GetVarint64(&in, &n) || n > kMaxGrants) return bad();
  a.global = static_cast<uint32_t>(global);
  for (uint64_t i = 0; i < n; i++) {
    Slice db;
    uint64_t privileges = 0;
    if (!GetLengthPrefixed(&in, &db) || !GetVarint64(&in, &privileges)) return bad();
    a.databases[std::string(db)] = static_cast<uint32_t>(privileges);
  }
  if (!GetVarint64(&in, &n) || n > kMaxGrants) return bad();
  for (uint64_t i = 0; i < n; i++) {
    Slice db, table;
    uint64_t privileges = 0;
    if (!GetLengthPrefixed(&in, &db) || !GetLengthPrefixed(&in, &table) || !GetVarint64(&in, &privileges)) return bad();
    a.tables[{std::string(db), std::string(table)}] = static_cast<uint32_t>(privileges);
  }
  if (format == kAccountFormat) {
    if (!in.empty()) return bad();
    return a;
  }
  if (!GetVarint64(&in, &n) || n > kMaxGrants) return bad();
  for (uint64_t i = 0; i < n; i++) {
    Slice user, host;
    if (!GetLengthPrefixed(&in, &user) || !GetLengthPrefixed(&in, &host) || in.empty() ||
        static_cast<uint8_t>(in[0]) > 1)
      return bad();
    a.roles.push_back({std::string(user), std::string(host), in[0] == 1});
    in.remove_prefix(1);
  }
  if (!GetVarint64(&in, &n) || n > kMaxGrants) return bad();
  for (uint64_t i = 0; i < n; i++) {
    Slice user, host;
    if (!GetLengthPrefixed(&in, &user) || !GetLengthPrefixed(&in, &host)) return bad();
    a.default_roles.emplace_back(std::string(user), std::string(host));
  }
  if (!in.empty()) return bad();
  return a;
}

bool HostMatches(std::string_view pattern, std::string_view peer) {
  if (peer.starts_with("::ffff:") && peer.find('.') != std::string_view::npos) peer.remove_prefix(7);  // IPv4-mapped
  bool loopback = peer == "localhost" || peer == "127.0.0.1" || peer == "::1" || peer == "::ffff:127.0.0.1";
  if (EqualsIgnoreCase(pattern, "localhost")) return loopback;
  if (loopback && (pattern == "127.0.0.1" || pattern == "::1")) return true;
  return Like(pattern, peer);
}

std::string QuoteAccount(std::string_view user, std::string_view host) {
  return "'" + std::string(user) + "'@'" + std::string(host) + "'";
}

}  // namespace strata::sql
