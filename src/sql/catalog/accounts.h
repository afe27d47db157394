// Accounts and privileges (CREATE USER, GRANT, REVOKE), kept in the replicated catalog
// (catalog.h, key 1 | 7 | user | host) so that every node authenticates and authorizes
// alike. An account stores password verifiers (common/password_verifier.h), never the
// password. Privileges are bit sets at three levels — global (*.*), database (db.*) and
// table (db.t) — and a statement needs each privilege at one of the levels that cover its
// object, as in MySQL.
//
// The root account of the data directory (stratadb start --root-password) is not stored
// here: it has every privilege.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/slice.h"
#include "common/status.h"

namespace strata::sql {

// MySQL's static privileges, in the order SHOW GRANTS lists them.
inline constexpr uint32_t kPrivSelect = 1u << 0;
inline constexpr uint32_t kPrivInsert = 1u << 1;
inline constexpr uint32_t kPrivUpdate = 1u << 2;
inline constexpr uint32_t kPrivDelete = 1u << 3;
inline constexpr uint32_t kPrivCreate = 1u << 4;
inline constexpr uint32_t kPrivDrop = 1u << 5;
inline constexpr uint32_t kPrivReload = 1u << 6;
inline constexpr uint32_t kPrivShutdown = 1u << 7;
inline constexpr uint32_t kPrivProcess = 1u << 8;
inline constexpr uint32_t kPrivFile = 1u << 9;
inline constexpr uint32_t kPrivReferences = 1u << 10;
inline constexpr uint32_t kPrivIndex = 1u << 11;
inline constexpr uint32_t kPrivAlter = 1u << 12;
inline constexpr uint32_t kPrivShowDatabases = 1u << 13;
inline constexpr uint32_t kPrivSuper = 1u << 14;
inline constexpr uint32_t kPrivCreateTemporaryTables = 1u << 15;
inline constexpr uint32_t kPrivLockTables = 1u << 16;
inline constexpr uint32_t kPrivExecute = 1u << 17;
inline constexpr uint32_t kPrivReplicationSlave = 1u << 18;
inline constexpr uint32_t kPrivReplicationClient = 1u << 19;
inline constexpr uint32_t kPrivCreateView = 1u << 20;
inline constexpr uint32_t kPrivShowView = 1u << 21;
inline constexpr uint32_t kPrivCreateRoutine = 1u << 22;
inline constexpr uint32_t kPrivAlterRoutine = 1u << 23;
inline constexpr uint32_t kPrivCreateUser = 1u << 24;
inline constexpr uint32_t kPrivEvent = 1u << 25;
inline constexpr uint32_t kPrivTrigger = 1u << 26;
inline constexpr uint32_t kPrivGrantOption = 1u << 31;

enum class GrantLevel : uint8_t { kGlobal, kDatabase, kTable };

// Every privilege that can be granted at `level` (GRANT OPTION excluded: ALL PRIVILEGES).
uint32_t AllPrivileges(GrantLevel level);
// The bit of a privilege named as in GRANT ("SELECT", "CREATE VIEW"; upper case), or nullopt.
std::optional<uint32_t> PrivilegeByName(std::string_view name);
// "SELECT, INSERT", "ALL PRIVILEGES" when every privilege of the level is there, "USAGE"
// when none (GRANT OPTION is not listed: it is the WITH GRANT OPTION suffix).
std::string PrivilegeList(uint32_t privileges, GrantLevel level);
// The name of the lowest privilege in `privileges` (for error messages).
std::string PrivilegeName(uint32_t privileges);

struct UserAccount {
  std::string user;  // case-sensitive, as in MySQL
  std::string host;  // a host pattern: "%", "localhost", an address, or with % and _ wildcards
  std::string plugin;       // "caching_sha2_password" (default) or "mysql_native_password"
  std::string native_hash;  // empty: no password
  std::string sha256_hash;
  bool require_ssl = false;
  bool locked = false;
  uint32_t global = 0;
  std::map<std::string, uint32_t> databases;                      // lower-case db → privileges
  std::map<std::pair<std::string, std::string>, uint32_t> tables;  // lower-case (db, table)
  // Roles (MySQL 8): a role is an account made by CREATE ROLE, locked so that nobody logs in
  // as it; its privileges reach the accounts it is granted to while a session activates it.
  bool is_role = false;
  struct RoleGrant {
    std::string user, host;
    bool admin = false;  // WITH ADMIN OPTION
  };
  std::vector<RoleGrant> roles;                                // granted to this account
  std::vector<std::pair<std::string, std::string>> default_roles;  // activated at login

  // What the account may do on db.table (table empty: on the database as a whole).
  uint32_t PrivilegesOn(std::string_view db, std::string_view table) const;
  // Whether it holds any privilege on `db` or on one of its tables (USE, SHOW DATABASES).
  bool SeesDatabase(std::string_view db) const;

  Bytes Encode() const;
  static Result<UserAccount> Decode(Slice in);
};

// Whether host pattern `pattern` admits a client connecting from `peer` (an address, or
// "localhost" for the loopback addresses). `%` matches any run, `_` one character.
bool HostMatches(std::string_view pattern, std::string_view peer);

// 'user'@'host' as MySQL's messages quote an account.
std::string QuoteAccount(std::string_view user, std::string_view host);

}  // namespace strata::sql
