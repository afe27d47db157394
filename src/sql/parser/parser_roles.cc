// Role statements (ast_account.h): CREATE / DROP ROLE, GRANT role TO, REVOKE role FROM,
// SET ROLE, SET DEFAULT ROLE and ALTER USER … DEFAULT ROLE, as MySQL 8 writes them.
#include "sql/parser/ast_account.h"
#include "sql/parser/parser_internal.h"

namespace strata::sql::internal {

using Account = ast::AccountStatement;

Result<std::vector<ast::AccountName>> Parser::ParseRoleList() {
  std::vector<ast::AccountName> roles;
  do {
    STRATA_ASSIGN_OR_RETURN(ast::AccountName role, ParseAccountName());
    if (role.current_user) return ErrorAt(tokens_[pos_ - 1]);
    roles.push_back(std::move(role));
  } while (AcceptPunct(","));
  return roles;
}

// CREATE ROLE [IF NOT EXISTS] r, … / DROP ROLE [IF EXISTS] r, … (after the two words)
Result<ast::StatementPtr> Parser::ParseCreateOrDropRole(bool create) {
  auto stmt = std::make_unique<Account>();
  stmt->action = create ? Account::Action::kCreateRole : Account::Action::kDropRole;
  if (AcceptWord("IF")) {
    if (create) STRATA_RETURN_IF_ERROR(ExpectWord("NOT"));
    STRATA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
    (create ? stmt->if_not_exists : stmt->if_exists) = true;
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<ast::AccountName> roles, ParseRoleList());
  for (ast::AccountName& r : roles) {
    ast::AccountSpec spec;
    spec.name = std::move(r);
    stmt->accounts.push_back(std::move(spec));
  }
  return ast::StatementPtr(std::move(stmt));
}

// Whether the GRANT / REVOKE at the current position names roles: `keyword` (TO / FROM)
// comes before any ON, and the list is not REVOKE ALL [PRIVILEGES], GRANT OPTION.
bool Parser::IsRoleGrant(std::string_view keyword) const {
  if (Peek().kind == TokenKind::kString || Peek().kind == TokenKind::kQuotedIdent) return true;
  for (size_t ahead = 0; Peek(ahead).kind != TokenKind::kEnd; ahead++) {
    if (PeekWord("ON", ahead) || PeekWord("GRANT", ahead) || PeekPunct("(", ahead)) return false;
    if (PeekWord(keyword, ahead)) return ahead > 0;
  }
  return false;
}

// GRANT r, … TO u, … [WITH ADMIN OPTION] / REVOKE r, … FROM u, … (after GRANT / REVOKE)
Result<ast::StatementPtr> Parser::ParseRoleGrant(bool grant) {
  auto stmt = std::make_unique<Account>();
  stmt->action = grant ? Account::Action::kGrantRole : Account::Action::kRevokeRole;
  STRATA_ASSIGN_OR_RETURN(stmt->roles, ParseRoleList());
  STRATA_RETURN_IF_ERROR(ExpectWord(grant ? "TO" : "FROM"));
  STRATA_RETURN_IF_ERROR(ParseAccountNames(&stmt->accounts));
  if (grant && AcceptWord("WITH")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("ADMIN"));
    STRATA_RETURN_IF_ERROR(ExpectWord("OPTION"));
    stmt->admin_option = true;
  }
  return ast::StatementPtr(std::move(stmt));
}

// {DEFAULT | NONE | ALL [EXCEPT r, …] | r, …}; DEFAULT and EXCEPT only for SET ROLE.
Status Parser::ParseRoleChoice(Account* stmt, bool set_role) {
  using C = Account::RoleChoice;
  if (set_role && AcceptWord("DEFAULT")) {
    stmt->role_choice = C::kDefault;
  } else if (AcceptWord("NONE")) {
    stmt->role_choice = C::kNone;
  } else if (AcceptWord("ALL")) {
    stmt->role_choice = C::kAll;
    if (set_role && AcceptWord("EXCEPT")) {
      stmt->role_choice = C::kAllExcept;
      STRATA_ASSIGN_OR_RETURN(stmt->roles, ParseRoleList());
    }
  } else {
    STRATA_ASSIGN_OR_RETURN(stmt->roles, ParseRoleList());
  }
  return Status::OK();
}

// SET ROLE … (after SET ROLE) / SET DEFAULT ROLE … TO u, … (after SET DEFAULT ROLE)
Result<ast::StatementPtr> Parser::ParseSetRole(bool default_role) {
  auto stmt = std::make_unique<Account>();
  stmt->action = default_role ? Account::Action::kSetDefaultRole : Account::Action::kSetRole;
  STRATA_RETURN_IF_ERROR(ParseRoleChoice(stmt.get(), !default_role));
  if (default_role) {
    STRATA_RETURN_IF_ERROR(ExpectWord("TO"));
    STRATA_RETURN_IF_ERROR(ParseAccountNames(&stmt->accounts));
  }
  return ast::StatementPtr(std::move(stmt));
}

}  // namespace strata::sql::internal
