// Accounts and privileges (catalog/accounts.h): CREATE / ALTER / DROP USER, SET PASSWORD,
// GRANT, REVOKE, SHOW GRANTS, and the privilege checks statements make (executors.h).
#include <algorithm>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "common/password_verifier.h"
#include "sql/errors.h"
#include "sql/parser/ast_account.h"
#include "sql/parser/ast_alter.h"
#include "sql/session/executors.h"

namespace strata::sql {

using Action = ast::AccountStatement::Action;

namespace {

constexpr std::string_view kNativePlugin = "mysql_native_password";
constexpr std::string_view kCachingSha2Plugin = "caching_sha2_password";

// The catalog for a privilege check: the open transaction's, or a fresh look when no
// transaction is open (USE, SHOW, DDL that runs in transactions of its own).
Result<std::shared_ptr<const CatalogSnapshot>> CatalogForCheck(Session& session) {
  if (session.has_txn()) return session.LoadCatalog();
  std::unique_ptr<txn::Transaction> txn = session.engine().txn().Begin();
  return session.engine().catalog().Load(*txn);
}

}  // namespace

// ---- privilege checks ----------------------------------------------------------------

namespace {

// The session's account as the catalog has it now; nullptr when it was dropped meanwhile
// (its sessions then hold no privilege, as in MySQL).
Result<std::shared_ptr<const UserAccount>> CurrentAccount(Session& session) {
  STRATA_ASSIGN_OR_RETURN(auto catalog, CatalogForCheck(session));
  return WithActiveRoles(session, *catalog, catalog->FindAccount(session.user(), session.account_host()));
}

}  // namespace

Status Session::RequireTablePrivilege(uint32_t privileges, std::string_view command, std::string_view db,
                                      std::string_view table) {
  if (superuser_) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(auto account, CurrentAccount(*this));
  if (account && (account->PrivilegesOn(db, table) & privileges) == privileges) return Status::OK();
  return ErrTableAccessDenied(command, user_, host_, table);
}

Status Session::RequireDatabasePrivilege(uint32_t privileges, std::string_view db) {
  if (superuser_) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(auto account, CurrentAccount(*this));
  bool ok = account && (privileges == 0 ? account->SeesDatabase(db)
                                        : (account->PrivilegesOn(db, "") & privileges) == privileges);
  return ok ? Status::OK() : ErrDbAccessDenied(user_, host_, db);
}

Status Session::RequireGlobalPrivilege(uint32_t privileges) {
  if (superuser_) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(auto account, CurrentAccount(*this));
  if (account && (account->global & privileges) == privileges) return Status::OK();
  return ErrSpecificAccessDenied(PrivilegeName(privileges));
}

bool Session::SeesDatabase(std::string_view db) {
  if (superuser_ || EqualsIgnoreCase(db, "information_schema")) return true;
  return RequireDatabasePrivilege(0, db).ok();
}

bool Session::SeesTable(std::string_view db, std::string_view table) {
  if (superuser_) return true;
  Result<std::shared_ptr<const UserAccount>> account = CurrentAccount(*this);
  return account.ok() && *account && ((*account)->PrivilegesOn(db, table) & ~kPrivGrantOption) != 0;
}

Status CheckStatementPrivileges(Session& session, const ast::Statement& stmt) {
  if (session.superuser()) return Status::OK();
  using SK = ast::StatementKind;
  auto table_priv = [&](uint32_t privileges, std::string_view command, const ast::TableName& name) -> Status {
    STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, name.schema));
    return session.RequireTablePrivilege(privileges, command, db, name.name);
  };
  switch (stmt.kind) {
    case SK::kCreateDatabase:
      return session.RequireDatabasePrivilege(kPrivCreate, static_cast<const ast::CreateDatabase&>(stmt).name);
    case SK::kDropDatabase:
      return session.RequireDatabasePrivilege(kPrivDrop, static_cast<const ast::DropDatabase&>(stmt).name);
    case SK::kCreateTable:
      return table_priv(kPrivCreate, "CREATE", static_cast<const ast::CreateTable&>(stmt).table);
    case SK::kDropTable:
      for (const ast::TableName& name : static_cast<const ast::DropTable&>(stmt).tables)
        STRATA_RETURN_IF_ERROR(table_priv(kPrivDrop, "DROP", name));
      return Status::OK();
    case SK::kTruncate:
      return table_priv(kPrivDrop, "DROP", static_cast<const ast::TruncateTable&>(stmt).table);
    case SK::kAlterTableEngine:
      return table_priv(kPrivAlter, "ALTER", static_cast<const ast::AlterTableEngine&>(stmt).table);
    case SK::kAlterTable:
      return table_priv(kPrivAlter, "ALTER", static_cast<const ast::AlterTable&>(stmt).table);
    case SK::kCreateIndex:
      return table_priv(kPrivIndex, "INDEX", static_cast<const ast::CreateIndex&>(stmt).table);
    case SK::kDropIndex:
      return table_priv(kPrivIndex, "INDEX", static_cast<const ast::DropIndex&>(stmt).table);
    case SK::kRenameTable:
      for (const auto& [from, to] : static_cast<const ast::RenameTable&>(stmt).renames) {
        STRATA_RETURN_IF_ERROR(table_priv(kPrivAlter | kPrivDrop, "ALTER", from));
        STRATA_RETURN_IF_ERROR(table_priv(kPrivCreate | kPrivInsert, "CREATE", to));
      }
      return Status::OK();
    case SK::kCreateView:
      return table_priv(kPrivCreateView, "CREATE VIEW", static_cast<const ast::CreateView&>(stmt).name);
    case SK::kCreateTrigger:
      return table_priv(kPrivTrigger, "TRIGGER", static_cast<const ast::CreateTrigger&>(stmt).table);
    case SK::kDropTrigger: {
      const auto& name = static_cast<const ast::DropTrigger&>(stmt).name;
      STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, name.schema));
      return session.RequireDatabasePrivilege(kPrivTrigger, db);
    }
    case SK::kAlterCluster:
      return session.RequireGlobalPrivilege(kPrivSuper);
    case SK::kTableMaintenance: {  // MySQL: SELECT and INSERT, CHECK TABLE only SELECT
      const auto& maintenance = static_cast<const ast::TableMaintenance&>(stmt);
      for (const ast::TableName& name : maintenance.tables) {
        STRATA_RETURN_IF_ERROR(table_priv(kPrivSelect, "SELECT", name));
        if (maintenance.op != ast::MaintenanceOp::kCheck) STRATA_RETURN_IF_ERROR(table_priv(kPrivInsert, "INSERT", name));
      }
      return Status::OK();
    }
    default:
      return Status::OK();
  }
}

// ---- account statements --------------------------------------------------------------

namespace {

// The account a name means: CURRENT_USER is the session's own.
std::pair<std::string, std::string> Resolve(Session& session, const ast::AccountName& name) {
  if (name.current_user) return {session.user(), session.account_host()};
  return {name.user, name.host};
}

Status SetPassword(UserAccount* account, const ast::AccountSpec& spec) {
  if (!spec.plugin.empty()) {
    if (spec.plugin != kNativePlugin && spec.plugin != kCachingSha2Plugin) return ErrPluginNotLoaded(spec.plugin);
    account->plugin = spec.plugin;
  }
  if (spec.hash) {  // IDENTIFIED WITH plugin AS 'verifier': the verifier of that plugin
    bool native = account->plugin == kNativePlugin || (spec.hash->size() == 41 && (*spec.hash)[0] == '*');
    account->native_hash = native ? *spec.hash : "";
    account->sha256_hash = native ? "" : *spec.hash;
    if (native ? spec.hash->size() != 41 : spec.hash->size() != 64)
      return Status::InvalidArgument("The password hash doesn't have the expected format.").WithMysql(1827, "HY000");
    return Status::OK();
  }
  if (spec.has_password) {
    // Both verifiers: a client may log in with either plugin (the server asks for a switch
    // when its first answer used the other one).
    account->native_hash = spec.password.empty() ? "" : NativeVerifier(spec.password);
    account->sha256_hash = spec.password.empty() ? "" : CachingSha2Verifier(spec.password);
  }
  return Status::OK();
}

QueryResult GrantsResult(const std::string& user, const std::string& host, std::vector<std::string> lines) {
  QueryResult r;
  r.has_rows = true;
  ResultColumn c;
  c.name = fmt::format("Grants for {}@{}", user, host);
  c.type.kind = OutKind::kString;
  c.type.length = 1024;
  r.columns.push_back(std::move(c));
  for (std::string& line : lines) r.rows.push_back({Value::String(std::move(line))});
  return r;
}

std::vector<std::string> GrantLines(const UserAccount& a) {
  std::string to = fmt::format(" TO `{}`@`{}`", a.user, a.host);
  auto with = [](uint32_t p) { return p & kPrivGrantOption ? std::string(" WITH GRANT OPTION") : std::string(); };
  std::vector<std::string> lines{"GRANT " + PrivilegeList(a.global, GrantLevel::kGlobal) + " ON *.*" + to +
                                 with(a.global)};
  for (const auto& [db, p] : a.databases)
    lines.push_back(fmt::format("GRANT {} ON `{}`.*{}{}", PrivilegeList(p, GrantLevel::kDatabase), db, to, with(p)));
  for (const auto& [name, p] : a.tables)
    lines.push_back(fmt::format("GRANT {} ON `{}`.`{}`{}{}", PrivilegeList(p, GrantLevel::kTable), name.first,
                                name.second, to, with(p)));
  return lines;
}

// The privilege bits GRANT / REVOKE name, checked against the level (1144).
Result<uint32_t> PrivilegeBits(const ast::AccountStatement& stmt, GrantLevel level) {
  uint32_t bits = stmt.grant_option ? kPrivGrantOption : 0;
  for (const std::string& name : stmt.privileges) {
    if (name == "ALL") {
      bits |= AllPrivileges(level);
      continue;
    }
    if (name == "USAGE") continue;
    std::optional<uint32_t> bit = PrivilegeByName(name);
    if (!bit || (*bit & ~AllPrivileges(level) & ~kPrivGrantOption)) return ErrIllegalGrantForTable();
    bits |= *bit;
  }
  return bits;
}

Result<QueryResult> GrantOrRevoke(Session& session, const ast::AccountStatement& stmt) {
  GrantLevel level = GrantLevel::kGlobal;
  std::string db, table;
  if (!stmt.revoke_everything && !stmt.object.global) {
    STRATA_ASSIGN_OR_RETURN(db, DatabaseFor(session, stmt.object.database));
    db = ToLower(db);
    table = ToLower(stmt.object.table);
    level = table.empty() ? GrantLevel::kDatabase : GrantLevel::kTable;
  }
  STRATA_ASSIGN_OR_RETURN(uint32_t bits, PrivilegeBits(stmt, level));
  // Granting needs GRANT OPTION and the privileges themselves, at the object's level.
  if (!session.superuser()) {
    uint32_t need = (stmt.revoke_everything ? 0 : bits) | kPrivGrantOption;
    if (level == GrantLevel::kGlobal || stmt.revoke_everything) {
      STRATA_RETURN_IF_ERROR(session.RequireGlobalPrivilege(stmt.revoke_everything ? kPrivCreateUser : need));
    } else if (level == GrantLevel::kDatabase) {
      STRATA_RETURN_IF_ERROR(session.RequireDatabasePrivilege(need, db));
    } else {
      STRATA_RETURN_IF_ERROR(session.RequireTablePrivilege(need, "GRANT", db, table));
    }
  }
  bool grant = stmt.action == Action::kGrant;
  // Changing an account's password or TLS requirement is CREATE USER's business, not GRANT's.
  bool changes_account = stmt.require_ssl.has_value();
  for (const ast::AccountSpec& spec : stmt.accounts) changes_account = changes_account || spec.has_password || spec.hash;
  if (changes_account) STRATA_RETURN_IF_ERROR(session.RequireGlobalPrivilege(kPrivCreateUser));
  STRATA_RETURN_IF_ERROR(RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    if (level == GrantLevel::kTable && grant && !catalog->FindTable(db, table) && !catalog->FindView(db, table))
      return ErrNoSuchTable(db, stmt.object.table);
    for (const ast::AccountSpec& spec : stmt.accounts) {
      auto [user, host] = Resolve(session, spec.name);
      auto found = catalog->FindAccount(user, host);
      if (!found) return grant ? ErrCantCreateUserWithGrant() : ErrNonexistingGrant(user, host);
      UserAccount account = *found;
      if (grant && (spec.has_password || spec.hash)) STRATA_RETURN_IF_ERROR(SetPassword(&account, spec));
      if (stmt.require_ssl) account.require_ssl = *stmt.require_ssl;
      if (stmt.revoke_everything) {
        account.global = 0;
        account.databases.clear();
        account.tables.clear();
      } else if (level == GrantLevel::kGlobal) {
        account.global = grant ? account.global | bits : account.global & ~bits;
      } else if (level == GrantLevel::kDatabase) {
        if (!grant && !account.databases.contains(db)) return ErrNonexistingGrant(user, host);
        uint32_t& p = account.databases[db];
        p = grant ? p | bits : p & ~bits;
        if (p == 0) account.databases.erase(db);
      } else {
        if (!grant && !account.tables.contains({db, table})) return ErrNonexistingTableGrant(user, host, table);
        uint32_t& p = account.tables[{db, table}];
        p = grant ? p | bits : p & ~bits;
        if (p == 0) account.tables.erase({db, table});
      }
      STRATA_RETURN_IF_ERROR(session.engine().catalog().PutAccount(txn, account));
    }
    return Status::OK();
  }));
  return QueryResult();
}

// CREATE / ALTER / DROP USER and SET PASSWORD.
Result<QueryResult> ChangeUsers(Session& session, const ast::AccountStatement& stmt) {
  // One's own password needs no privilege; anything else about an account needs CREATE USER.
  bool own_password = (stmt.action == Action::kSetPassword || stmt.action == Action::kAlterUser) &&
                      !stmt.require_ssl && !stmt.lock;
  for (const ast::AccountSpec& spec : stmt.accounts) {
    auto [user, host] = Resolve(session, spec.name);
    own_password = own_password && user == session.user() && host == session.account_host() && spec.plugin.empty() &&
                   !spec.hash;
  }
  if (!own_password) STRATA_RETURN_IF_ERROR(session.RequireGlobalPrivilege(kPrivCreateUser));
  std::string_view operation = stmt.action == Action::kCreateUser ? "CREATE USER"
                               : stmt.action == Action::kDropUser ? "DROP USER"
                                                                  : "ALTER USER";
  QueryResult result;
  STRATA_RETURN_IF_ERROR(RunDdl(session, [&](txn::Transaction& txn) -> Status {
    result.warning_list.clear();  // (RunDdl may run this again)
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    std::string failed;
    std::set<std::pair<std::string, std::string>> dropped;
    for (const ast::AccountSpec& spec : stmt.accounts) {
      auto [user, host] = Resolve(session, spec.name);
      auto found = catalog->FindAccount(user, host);
      bool exists = found != nullptr || (stmt.action == Action::kCreateUser && user == session.engine().root_user());
      if (stmt.action == Action::kCreateUser ? exists : !exists) {
        if (stmt.if_not_exists || stmt.if_exists) {  // ER_USER_ALREADY_EXISTS / ER_USER_DOES_NOT_EXIST notes
          result.warning_list.push_back(AuthorizationIdNote(user, host, stmt.action == Action::kCreateUser));
          continue;
        }
        failed += (failed.empty() ? "" : ",") + QuoteAccount(user, host);
        continue;
      }
      if (stmt.action == Action::kDropUser) {
        STRATA_RETURN_IF_ERROR(session.engine().catalog().DropAccount(txn, *found));
        dropped.insert({user, ToLower(host)});
        continue;
      }
      UserAccount account = found ? *found : UserAccount{};
      if (!found) {
        account.user = user;
        account.host = host;
        account.plugin = std::string(kCachingSha2Plugin);
      }
      STRATA_RETURN_IF_ERROR(SetPassword(&account, spec));
      if (stmt.require_ssl) account.require_ssl = *stmt.require_ssl;
      if (stmt.lock) account.locked = *stmt.lock;
      STRATA_RETURN_IF_ERROR(session.engine().catalog().PutAccount(txn, account));
    }
    if (!failed.empty()) return ErrCannotUser(operation, failed);
    return ForgetDroppedAccounts(session, txn, *catalog, dropped);
  }));
  return result;
}

Result<QueryResult> ShowGrants(Session& session, const ast::AccountStatement& stmt) {
  auto [user, host] = stmt.accounts.empty() ? Resolve(session, ast::AccountName{"", "", true})
                                            : Resolve(session, stmt.accounts[0].name);
  bool own = user == session.user() && host == session.account_host();
  if (!own) STRATA_RETURN_IF_ERROR(session.RequireDatabasePrivilege(kPrivSelect, "mysql"));
  if (own && session.superuser())
    return GrantsResult(user, host, {fmt::format("GRANT ALL PRIVILEGES ON *.* TO `{}`@`{}` WITH GRANT OPTION", user, host)});
  STRATA_ASSIGN_OR_RETURN(auto catalog, CatalogForCheck(session));
  auto account = catalog->FindAccount(user, host);
  if (!account) return ErrNonexistingGrant(user, host);
  // SHOW GRANTS (for oneself, without FOR) adds the active roles' privileges, as MySQL does.
  std::vector<ast::AccountName> using_roles = stmt.show_using;
  if (stmt.accounts.empty() && session.active_roles()) {
    for (const auto& [role_user, role_host] : *session.active_roles()) {
      bool still_granted = std::any_of(account->roles.begin(), account->roles.end(), [&](const auto& g) {
        return g.user == role_user && EqualsIgnoreCase(g.host, role_host);
      });
      if (still_granted) using_roles.push_back({role_user, role_host});
    }
  }
  UserAccount privileges = *account;
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> role_lines,
                          RoleGrantLines(session, *catalog, *account, using_roles, &privileges));
  std::vector<std::string> lines = GrantLines(privileges);
  lines.insert(lines.end(), role_lines.begin(), role_lines.end());
  return GrantsResult(user, host, std::move(lines));
}

}  // namespace

Warning AuthorizationIdNote(std::string_view user, std::string_view host, bool create) {
  return AsWarning("Note", Status::InvalidArgument(fmt::format("Authorization ID {} {}.", QuoteAccount(user, host),
                                                               create ? "already exists" : "does not exist"))
                               .WithMysql(create ? 3163 : 3162, "HY000"));  // ER_USER_ALREADY_EXISTS / _DOES_NOT_EXIST
}

std::string TextForLogs(const ast::Statement& stmt) {
  if (stmt.kind != ast::StatementKind::kAccount) return stmt.text;
  // Every string after BY, AS or = in an account statement is a password or a verifier.
  static const std::regex kSecret(R"(((?:\bBY|\bAS|=)\s*(?:PASSWORD\s*\(\s*)?)('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"))",
                                  std::regex::icase);
  return std::regex_replace(stmt.text, kSecret, "$1'<secret>'");
}

Result<std::shared_ptr<const UserAccount>> SqlEngine::FindLoginAccount(std::string_view user, std::string_view peer) {
  std::unique_ptr<txn::Transaction> txn = options_.txn->Begin();
  STRATA_ASSIGN_OR_RETURN(auto catalog, catalog_.Load(*txn));
  return catalog->MatchAccount(user, peer);
}

Result<QueryResult> ExecuteAccount(Session& session, const ast::AccountStatement& stmt) {
  switch (stmt.action) {
    case Action::kGrant:
    case Action::kRevoke: return GrantOrRevoke(session, stmt);
    case Action::kShowGrants: return ShowGrants(session, stmt);
    case Action::kCreateRole:
    case Action::kDropRole:
    case Action::kGrantRole:
    case Action::kRevokeRole:
    case Action::kSetDefaultRole:
    case Action::kSetRole: return ExecuteRoleStatement(session, stmt);
    default: return ChangeUsers(session, stmt);
  }
}

}  // namespace strata::sql
