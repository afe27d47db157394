// CREATE TRIGGER and DROP TRIGGER, and the statements a trigger body may hold.
#include "sql/parser/ast_account.h"
#include "sql/parser/parser.h"
#include "sql/parser/parser_internal.h"

namespace strata::sql {
namespace internal {

Result<ast::StatementPtr> Parser::ParseCreateTrigger() {
  auto trigger = std::make_unique<ast::CreateTrigger>();
  if (AcceptWord("DEFINER")) {  // user[@host] | CURRENT_USER[()]
    STRATA_RETURN_IF_ERROR(ExpectPunct("="));
    STRATA_ASSIGN_OR_RETURN(ast::AccountName definer, ParseAccountName());
    if (!definer.current_user) trigger->definer = {definer.user, definer.host};
  }
  STRATA_RETURN_IF_ERROR(ExpectWord("TRIGGER"));
  if (AcceptWord("IF")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("NOT"));
    STRATA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
    trigger->if_not_exists = true;
  }
  STRATA_ASSIGN_OR_RETURN(trigger->name, ParseTableName());
  if (AcceptWord("BEFORE")) trigger->time = ast::TriggerTime::kBefore;
  else if (AcceptWord("AFTER")) trigger->time = ast::TriggerTime::kAfter;
  else return Error();
  if (AcceptWord("INSERT")) trigger->action = ast::TriggerAction::kInsert;
  else if (AcceptWord("UPDATE")) trigger->action = ast::TriggerAction::kUpdate;
  else if (AcceptWord("DELETE")) trigger->action = ast::TriggerAction::kDelete;
  else return Error();
  STRATA_RETURN_IF_ERROR(ExpectWord("ON"));
  STRATA_ASSIGN_OR_RETURN(trigger->table, ParseTableName());
  STRATA_RETURN_IF_ERROR(ExpectWord("FOR"));
  STRATA_RETURN_IF_ERROR(ExpectWord("EACH"));
  STRATA_RETURN_IF_ERROR(ExpectWord("ROW"));
  if (PeekWord("FOLLOWS") || PeekWord("PRECEDES")) return ErrNotSupportedYet("FOLLOWS / PRECEDES");
  size_t begin = Peek().begin;
  STRATA_RETURN_IF_ERROR(ParseTriggerBody(&trigger->body));
  size_t end = tokens_[pos_ - 1].end;
  trigger->body_text = std::string(sql_.substr(begin, end - begin));
  return ast::StatementPtr(std::move(trigger));
}

Result<ast::StatementPtr> Parser::ParseDropTrigger() {
  STRATA_RETURN_IF_ERROR(ExpectWord("TRIGGER"));
  auto drop = std::make_unique<ast::DropTrigger>();
  if (AcceptWord("IF")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
    drop->if_exists = true;
  }
  STRATA_ASSIGN_OR_RETURN(drop->name, ParseTableName());
  return ast::StatementPtr(std::move(drop));
}

// BEGIN [statement; ...] END, or one statement.
Status Parser::ParseTriggerBody(std::vector<ast::StatementPtr>* body) {
  if (!AcceptWord("BEGIN")) {
    STRATA_ASSIGN_OR_RETURN(ast::StatementPtr statement, ParseTriggerStatement());
    body->push_back(std::move(statement));
    return Status::OK();
  }
  while (!PeekWord("END")) {
    if (AcceptPunct(";")) continue;
    STRATA_ASSIGN_OR_RETURN(ast::StatementPtr statement, ParseTriggerStatement());
    body->push_back(std::move(statement));
    if (!PeekWord("END")) STRATA_RETURN_IF_ERROR(ExpectPunct(";"));
  }
  return ExpectWord("END");
}

// SET NEW.c = e[, NEW.d = f ...]; SET @v = e; INSERT; REPLACE; UPDATE; DELETE.
Result<ast::StatementPtr> Parser::ParseTriggerStatement() {
  if (PeekWord("SET") && (PeekWord("NEW", 1) || PeekWord("OLD", 1)) && PeekPunct(".", 2)) {
    Advance();
    auto set = std::make_unique<ast::SetRowColumns>();
    do {
      if (AcceptWord("OLD")) set->old_row = true;
      else STRATA_RETURN_IF_ERROR(ExpectWord("NEW"));
      STRATA_RETURN_IF_ERROR(ExpectPunct("."));
      STRATA_ASSIGN_OR_RETURN(std::string column, ParseNameAfterDot());
      if (!AcceptPunct("=")) STRATA_RETURN_IF_ERROR(ExpectPunct(":="));
      STRATA_ASSIGN_OR_RETURN(ast::ExprPtr value, ParseExpr());
      set->assignments.emplace_back(std::move(column), std::move(value));
    } while (AcceptPunct(","));
    return ast::StatementPtr(std::move(set));
  }
  if (PeekWord("SET") || PeekWord("INSERT") || PeekWord("REPLACE") || PeekWord("UPDATE") || PeekWord("DELETE"))
    return ParseStatement();
  if (Peek().kind == TokenKind::kWord) return ErrNotSupportedYet(ToUpper(Peek().value) + " in a trigger body");
  return Error();
}

}  // namespace internal

Result<std::vector<ast::StatementPtr>> ParseTriggerBody(std::string_view body) {
  STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(body));
  internal::Parser parser(body, std::move(tokens));
  std::vector<ast::StatementPtr> statements;
  STRATA_RETURN_IF_ERROR(parser.ParseTriggerBodyOnly(&statements));
  return statements;
}

}  // namespace strata::sql
