// Account statements: CREATE / ALTER / DROP USER, SET PASSWORD, GRANT, REVOKE, SHOW GRANTS
// (parser_account.cc; run by session/accounts.cc), and roles: CREATE / DROP ROLE, GRANT role
// TO, REVOKE role FROM, SET ROLE, SET DEFAULT ROLE / ALTER USER … DEFAULT ROLE (run by
// session/roles.cc).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sql/parser/ast.h"

namespace strata::sql::ast {

struct AccountName {
  std::string user;
  std::string host = "%";
  bool current_user = false;  // CURRENT_USER[()] / USER(): the session's own account
};

struct AccountSpec {
  AccountName name;
  bool has_password = false;   // IDENTIFIED [WITH plugin] BY 'password'
  std::string password;
  std::string plugin;          // IDENTIFIED WITH plugin ...; empty: the default
  std::optional<std::string> hash;  // IDENTIFIED WITH plugin AS 'verifier'
};

// The object of a GRANT / REVOKE: *.*, db.*, db.t, t (current database) or * (all of it).
struct GrantObject {
  bool global = false;      // *.*
  std::string database;     // empty with !global: the current database
  std::string table;        // empty: every table of the database (db.*)
};

struct AccountStatement : Statement {
  enum class Action : uint8_t {
    kCreateUser, kAlterUser, kDropUser, kSetPassword, kGrant, kRevoke, kShowGrants,
    kCreateRole, kDropRole, kGrantRole, kRevokeRole, kSetRole, kSetDefaultRole,
  };
  // SET ROLE / SET DEFAULT ROLE: DEFAULT (SET ROLE only), NONE, ALL, ALL EXCEPT roles, or roles.
  enum class RoleChoice : uint8_t { kList, kDefault, kNone, kAll, kAllExcept };
  AccountStatement() : Statement(StatementKind::kAccount) {}
  Action action = Action::kCreateUser;
  bool if_not_exists = false;  // CREATE USER IF NOT EXISTS
  bool if_exists = false;      // ALTER / DROP USER IF EXISTS
  std::vector<AccountSpec> accounts;  // SHOW GRANTS: none, or the one FOR names
  std::optional<bool> require_ssl;    // REQUIRE SSL | REQUIRE NONE
  std::optional<bool> lock;           // ACCOUNT LOCK | ACCOUNT UNLOCK
  // GRANT / REVOKE
  std::vector<std::string> privileges;  // upper case; "ALL" for ALL [PRIVILEGES]
  bool grant_option = false;            // WITH GRANT OPTION; REVOKE …, GRANT OPTION
  bool revoke_everything = false;       // REVOKE ALL [PRIVILEGES], GRANT OPTION FROM …
  GrantObject object;
  // Roles: CREATE / DROP ROLE's `accounts` are the roles. GRANT / REVOKE roles: these
  // roles, to / from `accounts`; SET ROLE and SET DEFAULT ROLE … TO `accounts`: the choice.
  std::vector<AccountName> roles;
  bool admin_option = false;  // GRANT role TO u WITH ADMIN OPTION
  RoleChoice role_choice = RoleChoice::kList;
  std::vector<AccountName> show_using;  // SHOW GRANTS FOR u USING role, ...
};

}  // namespace strata::sql::ast
