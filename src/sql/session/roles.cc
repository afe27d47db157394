// Roles (MySQL 8): CREATE / DROP ROLE, GRANT role TO account, REVOKE role FROM account,
// SET DEFAULT ROLE / ALTER USER … DEFAULT ROLE, SET ROLE, CURRENT_ROLE(), and the privileges
// a session's active roles add to its account's (catalog/accounts.h keeps the grants).
//
// A role is a locked account with is_role set. An account's `roles` are the roles granted
// to it; a session activates some of them (its account's default roles at login, or what
// SET ROLE chose), and every privilege check then sees the account's privileges together
// with those of the active roles and of the roles granted to them, transitively.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "sql/errors.h"
#include "sql/parser/ast_account.h"
#include "sql/session/executors.h"

namespace strata::sql {

using Action = ast::AccountStatement::Action;
using Choice = ast::AccountStatement::RoleChoice;
using RoleList = Session::RoleList;

namespace {

Result<std::shared_ptr<const CatalogSnapshot>> LatestCatalog(Session& session) {
  if (session.has_txn()) return session.LoadCatalog();
  std::unique_ptr<txn::Transaction> txn = session.engine().txn().Begin();
  return session.engine().catalog().Load(*txn);
}

std::pair<std::string, std::string> Name(Session& session, const ast::AccountName& name) {
  if (name.current_user) return {session.user(), session.account_host()};
  return {name.user, name.host};
}

bool Granted(const UserAccount& account, const std::pair<std::string, std::string>& role) {
  return std::any_of(account.roles.begin(), account.roles.end(), [&](const UserAccount::RoleGrant& g) {
    return g.user == role.first && EqualsIgnoreCase(g.host, role.second);
  });
}

RoleList AllGranted(const UserAccount& account) {
  RoleList out;
  for (const UserAccount::RoleGrant& g : account.roles) out.emplace_back(g.user, g.host);
  return out;
}

// What a session of `account` activates at login: its default roles, or every granted role
// when activate_all_roles_on_login is ON.
RoleList LoginRoles(Session& session, const UserAccount& account) {
  bool all = session.GetVariable("activate_all_roles_on_login").value_or(Value::Int(0)).ToBool().value_or(false);
  return all ? AllGranted(account) : account.default_roles;
}

// Adds role `name`'s privileges, and those of the roles granted to it, to `into`.
void MergeRole(const CatalogSnapshot& catalog, const std::pair<std::string, std::string>& name, UserAccount* into,
               std::set<std::pair<std::string, std::string>>* seen) {
  if (!seen->insert({name.first, ToLower(name.second)}).second) return;
  std::shared_ptr<const UserAccount> role = catalog.FindAccount(name.first, name.second);
  if (!role) return;  // dropped meanwhile: it grants nothing
  into->global |= role->global;
  for (const auto& [db, p] : role->databases) into->databases[db] |= p;
  for (const auto& [t, p] : role->tables) into->tables[t] |= p;
  for (const UserAccount::RoleGrant& g : role->roles) MergeRole(catalog, {g.user, g.host}, into, seen);
}

// Whether `target` is `from` or reachable from it through role grants.
bool Reaches(const CatalogSnapshot& catalog, const std::pair<std::string, std::string>& from,
             const std::pair<std::string, std::string>& target, std::set<std::pair<std::string, std::string>>* seen) {
  if (from.first == target.first && EqualsIgnoreCase(from.second, target.second)) return true;
  if (!seen->insert({from.first, ToLower(from.second)}).second) return false;
  std::shared_ptr<const UserAccount> a = catalog.FindAccount(from.first, from.second);
  if (!a) return false;
  for (const UserAccount::RoleGrant& g : a->roles)
    if (Reaches(catalog, {g.user, g.host}, target, seen)) return true;
  return false;
}

// Managing roles needs CREATE USER (MySQL: CREATE ROLE / DROP ROLE / ROLE_ADMIN, or CREATE
// USER); granting one also works for a holder of it WITH ADMIN OPTION.
Status RequireRoleAdmin(Session& session, const CatalogSnapshot& catalog, const ast::AccountStatement& stmt) {
  if (session.superuser() || session.RequireGlobalPrivilege(kPrivCreateUser).ok()) return Status::OK();
  if (stmt.action == Action::kGrantRole || stmt.action == Action::kRevokeRole) {
    std::shared_ptr<const UserAccount> me = catalog.FindAccount(session.user(), session.account_host());
    if (!me) return session.RequireGlobalPrivilege(kPrivCreateUser);
    bool admin_of_all = true;
    for (const ast::AccountName& r : stmt.roles) {
      auto role = Name(session, r);
      admin_of_all = admin_of_all && std::any_of(me->roles.begin(), me->roles.end(), [&](const auto& g) {
        return g.admin && g.user == role.first && EqualsIgnoreCase(g.host, role.second);
      });
    }
    if (admin_of_all) return Status::OK();
  }
  return session.RequireGlobalPrivilege(kPrivCreateUser);
}

Result<QueryResult> CreateOrDropRoles(Session& session, const ast::AccountStatement& stmt) {
  const bool create = stmt.action == Action::kCreateRole;
  QueryResult result;
  STRATA_RETURN_IF_ERROR(RunDdl(session, [&](txn::Transaction& txn) -> Status {
    result.warning_list.clear();
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    STRATA_RETURN_IF_ERROR(RequireRoleAdmin(session, *catalog, stmt));
    std::string failed;
    std::set<std::pair<std::string, std::string>> dropped;
    for (const ast::AccountSpec& spec : stmt.accounts) {
      auto [user, host] = Name(session, spec.name);
      auto found = catalog->FindAccount(user, host);
      bool exists = found != nullptr || (create && user == session.engine().root_user());
      if (create ? exists : !exists) {
        if (stmt.if_not_exists || stmt.if_exists) {
          result.warning_list.push_back(AuthorizationIdNote(user, host, create));
          continue;
        }
        failed += (failed.empty() ? "" : ",") + QuoteAccount(user, host);
        continue;
      }
      if (create) {
        UserAccount role;
        role.user = user;
        role.host = host;
        role.plugin = "caching_sha2_password";
        role.locked = true;  // nobody logs in as a role
        role.is_role = true;
        STRATA_RETURN_IF_ERROR(session.engine().catalog().PutAccount(txn, role));
      } else {
        STRATA_RETURN_IF_ERROR(session.engine().catalog().DropAccount(txn, *found));
        dropped.insert({user, ToLower(host)});
      }
    }
    if (!failed.empty()) return ErrCannotUser(create ? "CREATE ROLE" : "DROP ROLE", failed);
    return ForgetDroppedAccounts(session, txn, *catalog, dropped);
  }));
  return result;
}

Result<QueryResult> GrantOrRevokeRoles(Session& session, const ast::AccountStatement& stmt) {
  const bool grant = stmt.action == Action::kGrantRole;
  STRATA_RETURN_IF_ERROR(RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    STRATA_RETURN_IF_ERROR(RequireRoleAdmin(session, *catalog, stmt));
    std::vector<std::pair<std::string, std::string>> roles;
    for (const ast::AccountName& r : stmt.roles) {
      auto role = Name(session, r);
      if (!catalog->FindAccount(role.first, role.second)) return ErrUnknownAuthId(role.first, role.second);
      roles.push_back(std::move(role));
    }
    for (const ast::AccountSpec& spec : stmt.accounts) {
      auto [user, host] = Name(session, spec.name);
      auto found = catalog->FindAccount(user, host);
      if (!found) return ErrUnknownAuthId(user, host);
      UserAccount account = *found;
      for (const auto& role : roles) {
        auto same = [&](const auto& g) { return g.user == role.first && EqualsIgnoreCase(g.host, role.second); };
        auto it = std::find_if(account.roles.begin(), account.roles.end(), same);
        if (grant) {
          std::set<std::pair<std::string, std::string>> seen;
          if (Reaches(*catalog, role, {user, host}, &seen))
            return ErrRoleGrantedToItself(user, host, role.first, role.second);
          if (it == account.roles.end()) account.roles.push_back({role.first, role.second, stmt.admin_option});
          else it->admin = it->admin || stmt.admin_option;
        } else if (it != account.roles.end()) {
          account.roles.erase(it);
          std::erase_if(account.default_roles, [&](const auto& d) {
            return d.first == role.first && EqualsIgnoreCase(d.second, role.second);
          });
        }
      }
      STRATA_RETURN_IF_ERROR(session.engine().catalog().PutAccount(txn, account));
    }
    return Status::OK();
  }));
  return QueryResult();
}

// The roles a choice names for `account` (each must be granted to it: 3530).
Result<RoleList> ChosenRoles(Session& session, const ast::AccountStatement& stmt, const UserAccount& account) {
  RoleList named;
  for (const ast::AccountName& r : stmt.roles) {
    auto role = Name(session, r);
    if (!Granted(account, role)) return ErrRoleNotGranted(role.first, role.second, account.user, account.host);
    named.push_back(std::move(role));
  }
  switch (stmt.role_choice) {
    case Choice::kNone: return RoleList{};
    case Choice::kAll: return AllGranted(account);
    case Choice::kDefault: return LoginRoles(session, account);
    case Choice::kAllExcept: {
      RoleList all = AllGranted(account);
      std::erase_if(all, [&](const auto& g) { return std::find(named.begin(), named.end(), g) != named.end(); });
      return all;
    }
    case Choice::kList: return named;
  }
  return named;
}

Result<QueryResult> SetDefaultRoles(Session& session, const ast::AccountStatement& stmt) {
  STRATA_RETURN_IF_ERROR(RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    for (const ast::AccountSpec& spec : stmt.accounts) {
      auto [user, host] = Name(session, spec.name);
      bool own = user == session.user() && EqualsIgnoreCase(host, session.account_host()) && !session.superuser();
      if (!own) STRATA_RETURN_IF_ERROR(session.RequireGlobalPrivilege(kPrivCreateUser));
      auto found = catalog->FindAccount(user, host);
      if (!found) return ErrUnknownAuthId(user, host);
      UserAccount account = *found;
      STRATA_ASSIGN_OR_RETURN(account.default_roles, ChosenRoles(session, stmt, account));
      STRATA_RETURN_IF_ERROR(session.engine().catalog().PutAccount(txn, account));
    }
    return Status::OK();
  }));
  return QueryResult();
}

Result<QueryResult> SetRole(Session& session, const ast::AccountStatement& stmt) {
  if (session.superuser()) {  // root holds every privilege; it may still name existing roles
    STRATA_ASSIGN_OR_RETURN(auto catalog, LatestCatalog(session));
    RoleList named;
    for (const ast::AccountName& r : stmt.roles) {
      auto role = Name(session, r);
      if (!catalog->FindAccount(role.first, role.second)) return ErrUnknownAuthId(role.first, role.second);
      named.push_back(std::move(role));
    }
    session.set_active_roles(stmt.role_choice == Choice::kList ? named : RoleList{});
    return QueryResult();
  }
  STRATA_ASSIGN_OR_RETURN(auto catalog, LatestCatalog(session));
  auto account = catalog->FindAccount(session.user(), session.account_host());
  if (!account) return ErrUnknownAuthId(session.user(), session.account_host());
  STRATA_ASSIGN_OR_RETURN(RoleList roles, ChosenRoles(session, stmt, *account));
  session.set_active_roles(std::move(roles));
  return QueryResult();
}

}  // namespace

void Session::SetAccount(std::string account_host) {
  account_host_ = std::move(account_host);
  superuser_ = false;
  active_roles_.reset();
  identity_version_++;  // kept plans checked the privileges of the previous identity
  Result<std::shared_ptr<const CatalogSnapshot>> catalog = LatestCatalog(*this);
  if (!catalog.ok()) return;  // resolved at the first privilege check instead
  if (auto account = (*catalog)->FindAccount(user_, account_host_)) active_roles_ = LoginRoles(*this, *account);
}

Session::Identity Session::SwapIdentity(Identity next) {
  Identity previous{user_, account_host_, superuser_, active_roles_, identity_version_, 0};
  user_ = std::move(next.user);
  account_host_ = std::move(next.account_host);
  superuser_ = next.superuser;
  active_roles_ = std::move(next.active_roles);
  // As SetAccount: kept plans checked another identity's privileges. Swapping back to the
  // identity swapped out when nothing changed it meanwhile (a trigger's body run as its
  // definer) returns to its version, so the invoker's kept plans stay valid: no plan is
  // kept under the swapped-in identity (a trigger body's statements are not the running
  // prepared statement), and versions past the restored one were only that identity's.
  if (next.swapped_version != 0 && next.swapped_version == identity_version_) {
    identity_version_ = next.identity_version;
  } else {
    identity_version_++;
  }
  previous.swapped_version = identity_version_;
  return previous;
}

std::string Session::current_role() const {
  if (!active_roles_ || active_roles_->empty()) return "NONE";
  RoleList sorted = *active_roles_;
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (const auto& [user, host] : sorted) out += fmt::format("{}`{}`@`{}`", out.empty() ? "" : ",", user, host);
  return out;
}

Status ForgetDroppedAccounts(Session& session, txn::Transaction& txn, const CatalogSnapshot& catalog,
                             const std::set<std::pair<std::string, std::string>>& dropped) {
  if (dropped.empty()) return Status::OK();
  auto gone = [&](const std::string& u, const std::string& h) { return dropped.contains({u, ToLower(h)}); };
  for (const auto& [key, account] : catalog.accounts) {
    if (dropped.contains(key)) continue;
    UserAccount changed = *account;
    std::erase_if(changed.roles, [&](const auto& g) { return gone(g.user, g.host); });
    std::erase_if(changed.default_roles, [&](const auto& r) { return gone(r.first, r.second); });
    if (changed.roles.size() != account->roles.size() || changed.default_roles.size() != account->default_roles.size())
      STRATA_RETURN_IF_ERROR(session.engine().catalog().PutAccount(txn, changed));
  }
  return Status::OK();
}

std::shared_ptr<const UserAccount> WithActiveRoles(Session& session, const CatalogSnapshot& catalog,
                                                   std::shared_ptr<const UserAccount> account) {
  if (!account) return account;
  if (!session.active_roles()) session.set_active_roles(LoginRoles(session, *account));
  const RoleList& active = *session.active_roles();
  if (active.empty()) return account;
  auto merged = std::make_shared<UserAccount>(*account);
  std::set<std::pair<std::string, std::string>> seen{{account->user, ToLower(account->host)}};
  for (const auto& role : active) {
    if (Granted(*account, role)) MergeRole(catalog, role, merged.get(), &seen);  // a revoked role lapses
  }
  return merged;
}

Result<std::vector<std::string>> RoleGrantLines(Session& session, const CatalogSnapshot& catalog,
                                                const UserAccount& account,
                                                const std::vector<ast::AccountName>& using_roles,
                                                UserAccount* privileges) {
  std::vector<std::string> lines;
  std::string plain, admin;
  for (const UserAccount::RoleGrant& g : account.roles) {
    std::string& list = g.admin ? admin : plain;
    list += fmt::format("{}`{}`@`{}`", list.empty() ? "" : ",", g.user, g.host);
  }
  std::string to = fmt::format(" TO `{}`@`{}`", account.user, account.host);
  if (!plain.empty()) lines.push_back("GRANT " + plain + to);
  if (!admin.empty()) lines.push_back("GRANT " + admin + to + " WITH ADMIN OPTION");
  std::set<std::pair<std::string, std::string>> seen{{account.user, ToLower(account.host)}};
  for (const ast::AccountName& r : using_roles) {
    auto role = Name(session, r);
    if (!Granted(account, role)) return ErrRoleNotGranted(role.first, role.second, account.user, account.host);
    MergeRole(catalog, role, privileges, &seen);
  }
  return lines;
}

Result<QueryResult> ExecuteRoleStatement(Session& session, const ast::AccountStatement& stmt) {
  switch (stmt.action) {
    case Action::kCreateRole:
    case Action::kDropRole: return CreateOrDropRoles(session, stmt);
    case Action::kGrantRole:
    case Action::kRevokeRole: return GrantOrRevokeRoles(session, stmt);
    case Action::kSetDefaultRole: return SetDefaultRoles(session, stmt);
    case Action::kSetRole: return SetRole(session, stmt);
    default: return ErrNotSupportedYet("this account statement");
  }
}

}  // namespace strata::sql
