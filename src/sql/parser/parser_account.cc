// Account statements (ast_account.h): CREATE / ALTER / DROP USER, SET PASSWORD, GRANT,
// REVOKE, SHOW GRANTS; and LOAD DATA (ast_load.h), the other statement about what a client
// may bring into the server.
#include "sql/parser/ast_account.h"
#include "sql/parser/ast_load.h"
#include "sql/parser/parser_internal.h"

namespace strata::sql::internal {

using Account = ast::AccountStatement;

// user[@host]: each part a name, `name` or 'string'; CURRENT_USER[()] names the session's
// own account. `'u'@'h'` arrives as a string and a user-variable token.
Result<ast::AccountName> Parser::ParseAccountName() {
  ast::AccountName name;
  if (AcceptWord("CURRENT_USER") || (PeekWord("USER") && PeekPunct("(", 1) && (Advance(), true))) {
    if (AcceptPunct("(")) STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    name.current_user = true;
    return name;
  }
  const Token& t = Peek();
  if (t.kind != TokenKind::kWord && t.kind != TokenKind::kQuotedIdent && t.kind != TokenKind::kString) return Error();
  name.user = Advance().value;
  if (Peek().kind == TokenKind::kUserVar) {
    name.host = Advance().value;
  } else if (AcceptPunct("@")) {
    STRATA_ASSIGN_OR_RETURN(name.host, ParseNameOrString());
  }
  if (name.user.size() > 32 || name.host.size() > 255) return ErrorAt(tokens_[pos_ - 1]);
  return name;
}

Status Parser::ParseAccountNames(std::vector<ast::AccountSpec>* accounts) {
  do {
    ast::AccountSpec spec;
    STRATA_ASSIGN_OR_RETURN(spec.name, ParseAccountName());
    accounts->push_back(std::move(spec));
  } while (AcceptPunct(","));
  return Status::OK();
}

// [IDENTIFIED {BY 'pw' | WITH plugin [BY 'pw' | AS 'hash']}]
Status Parser::ParseIdentified(ast::AccountSpec* spec) {
  if (!AcceptWord("IDENTIFIED")) return Status::OK();
  if (AcceptWord("WITH")) {
    STRATA_ASSIGN_OR_RETURN(spec->plugin, ParseNameOrString());
    spec->plugin = ToLower(spec->plugin);
    if (AcceptWord("AS")) {
      if (Peek().kind != TokenKind::kString) return Error();
      spec->hash = Advance().value;
      return Status::OK();
    }
    if (!AcceptWord("BY")) return Status::OK();
  } else {
    STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
  }
  if (AcceptWord("PASSWORD")) {  // IDENTIFIED BY PASSWORD 'hash' (MySQL 5.7)
    if (Peek().kind != TokenKind::kString) return Error();
    spec->hash = Advance().value;
    return Status::OK();
  }
  if (Peek().kind != TokenKind::kString) return Error();
  spec->has_password = true;
  spec->password = Advance().value;
  return Status::OK();
}

// The options after the accounts: REQUIRE, WITH resource limits, PASSWORD …, ACCOUNT ….
Status Parser::ParseAccountOptions(Account* stmt) {
  while (true) {
    if (AcceptWord("REQUIRE")) {
      if (AcceptWord("NONE")) {
        stmt->require_ssl = false;
      } else if (AcceptWord("SSL") || AcceptWord("X509")) {
        stmt->require_ssl = true;
      } else {
        return ErrNotSupportedYet("REQUIRE ISSUER / SUBJECT / CIPHER");
      }
    } else if (AcceptWord("ACCOUNT")) {
      if (AcceptWord("LOCK")) stmt->lock = true;
      else if (AcceptWord("UNLOCK")) stmt->lock = false;
      else return Error();
    } else if (PeekWord("WITH") && !PeekWord("GRANT", 1)) {  // resource limits: accepted, not enforced
      Advance();
      bool any = false;
      while (PeekWord("MAX_QUERIES_PER_HOUR") || PeekWord("MAX_UPDATES_PER_HOUR") ||
             PeekWord("MAX_CONNECTIONS_PER_HOUR") || PeekWord("MAX_USER_CONNECTIONS")) {
        Advance();
        STRATA_RETURN_IF_ERROR(ParseUnsigned().status());
        any = true;
      }
      if (!any) return Error();
    } else if (AcceptWord("PASSWORD")) {  // PASSWORD EXPIRE … / HISTORY …: accepted, not enforced
      while (!AtEnd() && !PeekWord("ACCOUNT") && !PeekWord("REQUIRE") && !PeekWord("WITH")) Advance();
    } else {
      return Status::OK();
    }
  }
}

Result<ast::StatementPtr> Parser::ParseCreateUser() {  // after CREATE USER
  auto stmt = std::make_unique<Account>();
  stmt->action = Account::Action::kCreateUser;
  if (AcceptWord("IF")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("NOT"));
    STRATA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
    stmt->if_not_exists = true;
  }
  do {
    ast::AccountSpec spec;
    STRATA_ASSIGN_OR_RETURN(spec.name, ParseAccountName());
    if (spec.name.current_user) return ErrorAt(tokens_[pos_ - 1]);
    STRATA_RETURN_IF_ERROR(ParseIdentified(&spec));
    stmt->accounts.push_back(std::move(spec));
  } while (AcceptPunct(","));
  STRATA_RETURN_IF_ERROR(ParseAccountOptions(stmt.get()));
  return ast::StatementPtr(std::move(stmt));
}

Result<ast::StatementPtr> Parser::ParseAlterUser() {  // after ALTER USER
  auto stmt = std::make_unique<Account>();
  stmt->action = Account::Action::kAlterUser;
  if (AcceptWord("IF")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
    stmt->if_exists = true;
  }
  do {
    ast::AccountSpec spec;
    STRATA_ASSIGN_OR_RETURN(spec.name, ParseAccountName());
    if (stmt->accounts.empty() && PeekWord("DEFAULT") && PeekWord("ROLE", 1)) {  // ALTER USER u DEFAULT ROLE …
      pos_ += 2;
      stmt->action = Account::Action::kSetDefaultRole;
      stmt->accounts.push_back(std::move(spec));
      STRATA_RETURN_IF_ERROR(ParseRoleChoice(stmt.get(), false));
      return ast::StatementPtr(std::move(stmt));
    }
    STRATA_RETURN_IF_ERROR(ParseIdentified(&spec));
    stmt->accounts.push_back(std::move(spec));
  } while (AcceptPunct(","));
  STRATA_RETURN_IF_ERROR(ParseAccountOptions(stmt.get()));
  return ast::StatementPtr(std::move(stmt));
}

Result<ast::StatementPtr> Parser::ParseDropUser() {  // after DROP USER
  auto stmt = std::make_unique<Account>();
  stmt->action = Account::Action::kDropUser;
  if (AcceptWord("IF")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
    stmt->if_exists = true;
  }
  STRATA_RETURN_IF_ERROR(ParseAccountNames(&stmt->accounts));
  return ast::StatementPtr(std::move(stmt));
}

// SET PASSWORD [FOR account] = 'pw' | PASSWORD('pw')
Result<ast::StatementPtr> Parser::ParseSetPassword() {  // after SET PASSWORD
  auto stmt = std::make_unique<Account>();
  stmt->action = Account::Action::kSetPassword;
  ast::AccountSpec spec;
  spec.name.current_user = true;
  if (AcceptWord("FOR")) {
    STRATA_ASSIGN_OR_RETURN(spec.name, ParseAccountName());
  }
  STRATA_RETURN_IF_ERROR(ExpectPunct("="));
  bool wrapped = PeekWord("PASSWORD") && PeekPunct("(", 1) && (pos_ += 2, true);
  if (Peek().kind != TokenKind::kString) return Error();
  spec.has_password = true;
  spec.password = Advance().value;
  if (wrapped) STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  stmt->accounts.push_back(std::move(spec));
  return ast::StatementPtr(std::move(stmt));
}

// priv [, priv ...] where a privilege is one or more words ("CREATE TEMPORARY TABLES").
Status Parser::ParsePrivileges(Account* stmt) {
  do {
    std::string name;
    while (Peek().kind == TokenKind::kWord && !PeekWord("ON") && !PeekWord("FROM") && !PeekWord("TO")) {
      if (!name.empty()) name += ' ';
      name += ToUpper(Advance().value);
    }
    if (name.empty()) return Error();
    if (PeekPunct("(")) return ErrNotSupportedYet("column privileges");
    if (name == "ALL PRIVILEGES") name = "ALL";
    if (name == "GRANT OPTION") {
      stmt->grant_option = true;
    } else {
      stmt->privileges.push_back(std::move(name));
    }
  } while (AcceptPunct(","));
  return Status::OK();
}

// ON [TABLE] {*.* | * | db.* | db.t | t}
Status Parser::ParseGrantObject(ast::GrantObject* object) {
  STRATA_RETURN_IF_ERROR(ExpectWord("ON"));
  if (PeekWord("FUNCTION") || PeekWord("PROCEDURE")) return ErrNotSupportedYet("routine privileges");
  AcceptWord("TABLE");
  if (AcceptPunct("*")) {
    if (AcceptPunct(".")) {
      STRATA_RETURN_IF_ERROR(ExpectPunct("*"));
      object->global = true;
    }
    return Status::OK();  // `*`: every table of the current database
  }
  STRATA_ASSIGN_OR_RETURN(std::string first, ParseIdentifier());
  if (!AcceptPunct(".")) {
    object->table = std::move(first);
    return Status::OK();
  }
  object->database = std::move(first);
  if (AcceptPunct("*")) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(object->table, ParseNameAfterDot());
  return Status::OK();
}

Result<ast::StatementPtr> Parser::ParseGrant() {  // after GRANT
  auto stmt = std::make_unique<Account>();
  if (IsRoleGrant("TO")) return ParseRoleGrant(true);
  stmt->action = Account::Action::kGrant;
  STRATA_RETURN_IF_ERROR(ParsePrivileges(stmt.get()));
  STRATA_RETURN_IF_ERROR(ParseGrantObject(&stmt->object));
  STRATA_RETURN_IF_ERROR(ExpectWord("TO"));
  do {
    ast::AccountSpec spec;
    STRATA_ASSIGN_OR_RETURN(spec.name, ParseAccountName());
    STRATA_RETURN_IF_ERROR(ParseIdentified(&spec));  // MySQL 5.7 syntax, still in dumps
    stmt->accounts.push_back(std::move(spec));
  } while (AcceptPunct(","));
  STRATA_RETURN_IF_ERROR(ParseAccountOptions(stmt.get()));
  if (AcceptWord("WITH")) {  // WITH GRANT OPTION after the accounts (and after REQUIRE)
    STRATA_RETURN_IF_ERROR(ExpectWord("GRANT"));
    STRATA_RETURN_IF_ERROR(ExpectWord("OPTION"));
    stmt->grant_option = true;
  }
  return ast::StatementPtr(std::move(stmt));
}

Result<ast::StatementPtr> Parser::ParseRevoke() {  // after REVOKE
  auto stmt = std::make_unique<Account>();
  if (IsRoleGrant("FROM")) return ParseRoleGrant(false);
  stmt->action = Account::Action::kRevoke;
  STRATA_RETURN_IF_ERROR(ParsePrivileges(stmt.get()));
  if (AcceptWord("FROM")) {  // REVOKE ALL [PRIVILEGES], GRANT OPTION FROM …
    if (stmt->privileges != std::vector<std::string>{"ALL"} || !stmt->grant_option) return ErrorAt(tokens_[pos_ - 1]);
    stmt->revoke_everything = true;
  } else {
    STRATA_RETURN_IF_ERROR(ParseGrantObject(&stmt->object));
    STRATA_RETURN_IF_ERROR(ExpectWord("FROM"));
  }
  STRATA_RETURN_IF_ERROR(ParseAccountNames(&stmt->accounts));
  return ast::StatementPtr(std::move(stmt));
}

Result<ast::StatementPtr> Parser::ParseShowGrants() {  // after SHOW GRANTS
  auto stmt = std::make_unique<Account>();
  stmt->action = Account::Action::kShowGrants;
  if (AcceptWord("FOR")) {
    ast::AccountSpec spec;
    STRATA_ASSIGN_OR_RETURN(spec.name, ParseAccountName());
    stmt->accounts.push_back(std::move(spec));
    if (AcceptWord("USING")) {
      STRATA_ASSIGN_OR_RETURN(stmt->show_using, ParseRoleList());
    }
  }
  return ast::StatementPtr(std::move(stmt));
}

// After LOAD DATA.
Result<ast::StatementPtr> Parser::ParseLoadData() {
  auto load = std::make_unique<ast::LoadData>();
  if (!AcceptWord("LOW_PRIORITY")) AcceptWord("CONCURRENT");
  load->local = AcceptWord("LOCAL");
  STRATA_RETURN_IF_ERROR(ExpectWord("INFILE"));
  if (Peek().kind != TokenKind::kString) return Error();
  load->file = Advance().value;
  if (AcceptWord("REPLACE")) load->replace = true;
  else if (AcceptWord("IGNORE")) load->ignore = true;
  STRATA_RETURN_IF_ERROR(ExpectWord("INTO"));
  STRATA_RETURN_IF_ERROR(ExpectWord("TABLE"));
  STRATA_ASSIGN_OR_RETURN(load->table, ParseTableName());
  if (PeekWord("PARTITION")) return ErrNotSupportedYet("LOAD DATA ... PARTITION");
  if (AcceptCharsetKeyword()) STRATA_RETURN_IF_ERROR(ParseNameOrString().status());
  auto text = [&](std::string* out) -> Status {
    if (Peek().kind != TokenKind::kString) return Error();
    *out = Advance().value;
    return Status::OK();
  };
  if (AcceptWord("FIELDS") || AcceptWord("COLUMNS")) {
    bool any = false;
    while (true) {
      if (AcceptWord("TERMINATED")) {
        STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
        STRATA_RETURN_IF_ERROR(text(&load->fields_terminated));
      } else if (PeekWord("ENCLOSED") || (PeekWord("OPTIONALLY") && PeekWord("ENCLOSED", 1))) {
        load->optionally_enclosed = AcceptWord("OPTIONALLY");
        Advance();
        STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
        STRATA_RETURN_IF_ERROR(text(&load->enclosed));
        if (load->enclosed.size() > 1) return ErrorAt(tokens_[pos_ - 1]);
      } else if (AcceptWord("ESCAPED")) {
        STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
        STRATA_RETURN_IF_ERROR(text(&load->escaped));
        if (load->escaped.size() > 1) return ErrorAt(tokens_[pos_ - 1]);
      } else {
        break;
      }
      any = true;
    }
    if (!any) return Error();
  }
  if (AcceptWord("LINES")) {
    bool any = false;
    while (true) {
      if (AcceptWord("STARTING")) {
        STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
        STRATA_RETURN_IF_ERROR(text(&load->lines_starting));
      } else if (AcceptWord("TERMINATED")) {
        STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
        STRATA_RETURN_IF_ERROR(text(&load->lines_terminated));
      } else {
        break;
      }
      any = true;
    }
    if (!any) return Error();
  }
  if (load->fields_terminated.empty() || load->lines_terminated.empty())
    return ErrNotSupportedYet("LOAD DATA with an empty field or line terminator");
  if (AcceptWord("IGNORE")) {
    STRATA_ASSIGN_OR_RETURN(load->ignore_lines, ParseUnsigned());
    if (!AcceptWord("LINES")) STRATA_RETURN_IF_ERROR(ExpectWord("ROWS"));
  }
  if (AcceptPunct("(")) {
    do {
      if (Peek().kind == TokenKind::kUserVar) {
        load->columns.push_back("@" + Advance().value);
      } else {
        STRATA_ASSIGN_OR_RETURN(std::string column, ParseIdentifier());
        load->columns.push_back(std::move(column));
      }
    } while (AcceptPunct(","));
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  }
  if (PeekWord("SET")) return ErrNotSupportedYet("LOAD DATA ... SET");
  return ast::StatementPtr(std::move(load));
}

}  // namespace strata::sql::internal
