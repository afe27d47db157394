// The recursive-descent parser behind parser.h. Private to src/sql: one class, its methods
// split by topic across parser.cc (statements, shared helpers), parser_expr.cc (operators
// and primaries), parser_functions.cc (calls, CASE, CAST, INTERVAL), parser_ddl.cc
// (CREATE/DROP), parser_dml.cc (SELECT/INSERT/UPDATE/DELETE) and parser_admin.cc (SET,
// SHOW, DESCRIBE, transactions, LOCK TABLES).
//
// Conventions: `pos_` indexes the next unconsumed token; every Parse* method consumes
// exactly the construct it names and leaves `pos_` on the token after it. Errors point at
// the current token (the first one that does not fit), as MySQL's parser does.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/ascii.h"
#include "common/status.h"
#include "sql/parser/ast.h"
#include "sql/parser/ast_account.h"
#include "sql/parser/ast_admin.h"
#include "sql/parser/lexer.h"
#include "sql/errors.h"

namespace strata::sql::internal {

class Parser {
 public:
  Parser(std::string_view sql, std::vector<Token> tokens)
      : sql_(sql), tokens_(std::move(tokens)) {}

  // Parses all statements (see sql::Parse).
  Result<std::vector<ast::StatementPtr>> ParseAll();
  // The whole input as a trigger body (ParseTriggerBody in parser.h).
  Status ParseTriggerBodyOnly(std::vector<ast::StatementPtr>* body) {
    STRATA_RETURN_IF_ERROR(ParseTriggerBody(body));
    AcceptPunct(";");
    if (Peek().kind != TokenKind::kEnd) return Error();
    return Status::OK();
  }

  // ---- statements (parser.cc and topic files) ----
  Result<ast::StatementPtr> ParseStatement();
  Result<ast::StatementPtr> ParseCreate();
  Result<ast::StatementPtr> ParseDrop();
  Result<ast::StatementPtr> ParseCreateDatabase();
  Result<ast::StatementPtr> ParseCreateTable(bool temporary);
  Result<ast::StatementPtr> ParseCreateView();
  Result<ast::StatementPtr> ParseCreateIndex(bool unique);
  Result<ast::StatementPtr> ParseSelect();
  Result<ast::StatementPtr> ParseWith();
  Result<ast::StatementPtr> ParseCreateTrigger();
  Result<ast::StatementPtr> ParseDropTrigger();
  Status ParseTriggerBody(std::vector<ast::StatementPtr>* body);
  Result<ast::StatementPtr> ParseTriggerStatement();
  Result<ast::StatementPtr> ParseInsert();
  Result<ast::StatementPtr> ParseUpdate();
  Result<ast::StatementPtr> ParseDelete();
  Result<ast::StatementPtr> ParseSet();
  Result<ast::StatementPtr> ParseShow();
  Result<ast::StatementPtr> ParseDescribe();
  bool PeekWrite() const;  // INSERT, REPLACE, UPDATE or DELETE next
  Result<ast::StatementPtr> ParseExplainWrite(std::unique_ptr<ast::Explain> explain);
  Result<ast::StatementPtr> ParseExplained(std::unique_ptr<ast::Explain> explain);
  Result<ast::StatementPtr> ParseBegin();
  Result<ast::StatementPtr> ParseStartTransaction();
  Result<ast::StatementPtr> ParseCommitOrRollback(bool commit);
  // SAVEPOINT n / RELEASE SAVEPOINT n (the first word is current).
  Result<ast::StatementPtr> ParseSavepoint();
  Result<ast::StatementPtr> ParseLockTables();
  Result<ast::StatementPtr> ParseTableMaintenance();  // ANALYZE | CHECK | OPTIMIZE | REPAIR TABLE
  Result<ast::StatementPtr> ParseAlterCluster();
  Result<ast::StatementPtr> ParsePrepare();
  Result<ast::StatementPtr> ParseExecute();
  Result<ast::StatementPtr> ParseDeallocate();  // after DEALLOCATE or DROP
  // ---- account statements (parser_account.cc); each after its leading keywords ----
  Result<ast::StatementPtr> ParseCreateUser();
  Result<ast::StatementPtr> ParseAlterUser();
  Result<ast::StatementPtr> ParseDropUser();
  Result<ast::StatementPtr> ParseSetPassword();
  Result<ast::StatementPtr> ParseGrant();
  Result<ast::StatementPtr> ParseRevoke();
  Result<ast::StatementPtr> ParseShowGrants();
  Result<ast::AccountName> ParseAccountName();
  Status ParseAccountNames(std::vector<ast::AccountSpec>* accounts);  // name [, name ...]
  Status ParseIdentified(ast::AccountSpec* spec);
  Status ParseAccountOptions(ast::AccountStatement* stmt);
  Status ParsePrivileges(ast::AccountStatement* stmt);
  Status ParseGrantObject(ast::GrantObject* object);
  // ---- role statements (parser_roles.cc) ----
  Result<std::vector<ast::AccountName>> ParseRoleList();
  Result<ast::StatementPtr> ParseCreateOrDropRole(bool create);
  bool IsRoleGrant(std::string_view keyword) const;
  Result<ast::StatementPtr> ParseRoleGrant(bool grant);
  Status ParseRoleChoice(ast::AccountStatement* stmt, bool set_role);
  Result<ast::StatementPtr> ParseSetRole(bool default_role);
  Result<ast::StatementPtr> ParseLoadData();  // after LOAD DATA
  Result<ast::StatementPtr> ParseUnlockTables();

  // ---- pieces of DDL (parser_ddl.cc) ----
  Status ParseTableElement(ast::CreateTable* create);
  Result<ast::StatementPtr> ParseAlterTable(ast::TableName table);  // after ALTER TABLE t
  Result<ast::ColumnDef> ParseColumnDef();
  Status ParseColumnAttribute(ast::ColumnDef* column, bool* matched);
  Result<ast::TypeName> ParseColumnType();
  Status ParseTypeAttributes(ast::TypeName* type);
  Result<ast::ExprPtr> ParseDefaultValue();
  Status ParseIndexBody(ast::IndexDef* index);  // [USING x] (cols) [options]
  Result<std::vector<ast::IndexColumn>> ParseIndexColumns();
  void SkipIndexOptions();
  Status ParseTableOptions(ast::CreateTable* create);
  Result<std::optional<uint32_t>> ParseOptionalLength();
  Status ParseLengthAndScale(ast::TypeName* type);
  Result<std::string> ParseCharsetName();

  // ---- pieces of DML (parser_dml.cc) ----
  Status ParseSelectItem(ast::Select* select);
  Result<std::unique_ptr<ast::Select>> ParseQueryInParentheses();
  Result<std::unique_ptr<ast::Select>> ParseSelectTerm();
  Result<bool> ParseJoinOperator(ast::TableRef* next);
  Status ParseJoinCondition(ast::TableRef* ref);
  Status ParseJoinGroup(ast::JoinKind join, ast::Select* select);
  Status ParseFromClause(ast::Select* select);
  Result<std::string> ParseOptionalAlias();
  Result<std::vector<ast::OrderItem>> ParseOrderList();
  Status ParseLimit(ast::ExprPtr* limit, ast::ExprPtr* offset, bool allow_offset);
  Result<ast::ExprPtr> ParseLimitValue();
  Status ParseLockingClause(ast::Select* select);
  Status ParseSelectInto(ast::Select* select);
  Result<ast::Assignment> ParseAssignment();
  Result<std::vector<ast::Assignment>> ParseAssignmentList();
  Result<std::vector<ast::ExprPtr>> ParseValuesRow();

  // ---- expressions (parser_expr.cc, parser_functions.cc), lowest precedence first ----
  Result<ast::ExprPtr> ParseExpr();
  Result<ast::ExprPtr> ParseXor();
  Result<ast::ExprPtr> ParseAnd();
  Result<ast::ExprPtr> ParseNot();
  Result<ast::ExprPtr> ParseComparison();
  Result<ast::ExprPtr> ParsePredicate();
  Result<ast::ExprPtr> ParseBitOr();
  Result<ast::ExprPtr> ParseBitAnd();
  Result<ast::ExprPtr> ParseShift();
  Result<ast::ExprPtr> ParseAdditive();
  Result<ast::ExprPtr> ParseMultiplicative();
  Result<ast::ExprPtr> ParseBitXor();
  Result<ast::ExprPtr> ParseUnary();
  Result<ast::ExprPtr> ParseCollate();
  Result<ast::ExprPtr> CollateCall(ast::ExprPtr operand, std::string collation, size_t start);
  Result<ast::ExprPtr> ParsePrimary();
  Result<ast::ExprPtr> ParseParenthesized();
  Result<ast::ExprPtr> ParseWordPrimary();
  Result<ast::ExprPtr> ParseColumnRef();
  Result<ast::ExprPtr> ParseFunctionCall(std::string name, size_t start);
  Status ParseSpecialArguments(ast::Expr* function);
  Status ParseWindowBody(ast::WindowSpec* window);
  ast::ExprPtr UnitLiteral();  // the current word (an INTERVAL unit) as an upper-case string literal
  Result<ast::ExprPtr> ParseCase();
  Result<ast::ExprPtr> ParseCast(bool convert);
  Result<ast::ExprPtr> ParseInterval();
  Result<ast::ExprPtr> ParseStringLiteral();
  Result<ast::TypeName> ParseCastType();
  Result<ast::ExprPtr> ParseIn(ast::ExprPtr left, bool negated, size_t start);

  // ---- tokens and helpers (parser.cc) ----
  const Token& Peek(size_t ahead = 0) const;
  const Token& Advance();
  bool AtEnd() const;  // kEnd or ';'
  bool IsWord(const Token& t, std::string_view keyword) const;
  bool PeekWord(std::string_view keyword, size_t ahead = 0) const;
  bool PeekPunct(std::string_view punct, size_t ahead = 0) const;
  bool AcceptWord(std::string_view keyword);
  bool AcceptPunct(std::string_view punct);
  bool AcceptCharsetKeyword();  // CHARSET or CHARACTER SET
  Status ExpectWord(std::string_view keyword);
  Status ExpectPunct(std::string_view punct);
  Status Error() const;                       // 1064 at the current token
  Status ErrorAt(const Token& t) const;       // 1064 at t
  Status DepthError() const;
  Status HeightError() const;
  static bool IsReserved(std::string_view word);
  bool PeekIdentifier(size_t ahead = 0) const;  // a quoted or non-reserved word
  Result<std::string> ParseIdentifier();
  Result<std::string> ParseNameAfterDot();   // after '.', reserved words are names too
  Result<ast::TableName> ParseTableName();
  Result<uint64_t> ParseUnsigned();
  // A name or string value (ENGINE=InnoDB, CHARSET 'x', COLLATE utf8mb4_bin).
  Result<std::string> ParseNameOrString();

  ast::ExprPtr NewExpr(ast::ExprKind kind, size_t start_token) const;
  // Sets e's offset/length (and source, see ast::Expr::length) to span tokens [start_token, pos_).
  // Also records e's tree height; a height over kMaxExprHeight sets height_exceeded_.
  void Finish(ast::Expr* e, size_t start_token);
  // Fills the full source of a top-level expression.
  void FinishTopLevel(ast::Expr* e) const;

  std::string_view sql_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t statement_begin_ = 0;  // byte offset of the current statement's text
  uint32_t param_count_ = 0;    // ? placeholders seen in the current statement
  int depth_ = 0;
  // Height of every finished expression node of the current statement (see Finish).
  std::unordered_map<const ast::Expr*, uint32_t> heights_;
  bool height_exceeded_ = false;
};

// RAII nesting counter for the recursion-depth limit.
class DepthScope {
 public:
  explicit DepthScope(int* depth) : depth_(depth) { ++*depth_; }
  ~DepthScope() { --*depth_; }
  DepthScope(const DepthScope&) = delete;
  DepthScope& operator=(const DepthScope&) = delete;
  bool exceeded() const;

 private:
  int* depth_;
};

}  // namespace strata::sql::internal
