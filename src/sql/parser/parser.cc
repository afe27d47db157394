// Statement dispatch, the token helpers every part of the parser shares, and the entry points.
#include "sql/parser/parser.h"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "sql/parser/parser_internal.h"

namespace strata::sql {
namespace internal {

namespace {

bool IsSpaceChar(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Trims whitespace from both ends of [begin, end) of sql; returns the trimmed range.
std::pair<size_t, size_t> TrimRange(std::string_view sql, size_t begin, size_t end) {
  while (begin < end && IsSpaceChar(sql[begin])) ++begin;
  while (end > begin && IsSpaceChar(sql[end - 1])) --end;
  return {begin, end};
}

}  // namespace

bool DepthScope::exceeded() const { return *depth_ > kMaxParseDepth; }

// MySQL 8.0's reserved words: they cannot be used as unquoted identifiers or aliases.
bool Parser::IsReserved(std::string_view word) {
  static const std::unordered_set<std::string> kReserved = {
      "ACCESSIBLE", "ADD", "ALL", "ALTER", "ANALYZE", "AND", "AS", "ASC", "ASENSITIVE", "BEFORE",
      "BETWEEN", "BIGINT", "BINARY", "BLOB", "BOTH", "BY", "CALL", "CASCADE", "CASE", "CHANGE",
      "CHAR", "CHARACTER", "CHECK", "COLLATE", "COLUMN", "CONDITION", "CONSTRAINT", "CONTINUE",
      "CONVERT", "CREATE", "CROSS", "CUBE", "CUME_DIST", "CURRENT_DATE", "CURRENT_TIME",
      "CURRENT_TIMESTAMP", "CURRENT_USER", "CURSOR", "DATABASE", "DATABASES", "DAY_HOUR",
      "DAY_MICROSECOND", "DAY_MINUTE", "DAY_SECOND", "DEC", "DECIMAL", "DECLARE", "DEFAULT",
      "DELAYED", "DELETE", "DENSE_RANK", "DESC", "DESCRIBE", "DETERMINISTIC", "DISTINCT",
      "DISTINCTROW", "DIV", "DOUBLE", "DROP", "DUAL", "EACH", "ELSE", "ELSEIF", "EMPTY",
      "ENCLOSED", "ESCAPED", "EXCEPT", "EXISTS", "EXIT", "EXPLAIN", "FALSE", "FETCH",
      "FIRST_VALUE", "FLOAT", "FLOAT4", "FLOAT8", "FOR", "FORCE", "FOREIGN", "FROM", "FULLTEXT",
      "FUNCTION", "GENERATED", "GET", "GRANT", "GROUP", "GROUPING", "GROUPS", "HAVING",
      "HIGH_PRIORITY", "HOUR_MICROSECOND", "HOUR_MINUTE", "HOUR_SECOND", "IF", "IGNORE", "IN",
      "INDEX", "INFILE", "INNER", "INOUT", "INSENSITIVE", "INSERT", "INT", "INT1", "INT2", "INT3",
      "INT4", "INT8", "INTEGER", "INTERSECT", "INTERVAL", "INTO", "IS", "ITERATE", "JOIN",
      "JSON_TABLE", "KEY", "KEYS", "KILL", "LAG", "LAST_VALUE", "LATERAL", "LEAD", "LEADING",
      "LEAVE", "LEFT", "LIKE", "LIMIT", "LINEAR", "LINES", "LOAD", "LOCALTIME", "LOCALTIMESTAMP",
      "LOCK", "LONG", "LONGBLOB", "LONGTEXT", "LOOP", "LOW_PRIORITY", "MATCH", "MAXVALUE",
      "MEDIUMBLOB", "MEDIUMINT", "MEDIUMTEXT", "MIDDLEINT", "MINUTE_MICROSECOND", "MINUTE_SECOND",
      "MOD", "MODIFIES", "NATURAL", "NOT", "NO_WRITE_TO_BINLOG", "NTH_VALUE", "NTILE", "NULL",
      "NUMERIC", "OF", "ON", "OPTIMIZE", "OPTIMIZER_COSTS", "OPTION", "OPTIONALLY", "OR", "ORDER",
      "OUT", "OUTER", "OUTFILE", "OVER", "PARTITION", "PERCENT_RANK", "PRECISION", "PRIMARY",
      "PROCEDURE", "PURGE", "RANGE", "RANK", "READ", "READS", "READ_WRITE", "REAL", "RECURSIVE",
      "REFERENCES", "REGEXP", "RELEASE", "RENAME", "REPEAT", "REPLACE", "REQUIRE", "RESIGNAL",
      "RESTRICT", "RETURN", "REVOKE", "RIGHT", "RLIKE", "ROW", "ROWS", "ROW_NUMBER", "SCHEMA",
      "SCHEMAS", "SECOND_MICROSECOND", "SELECT", "SENSITIVE", "SEPARATOR", "SET", "SHOW",
      "SIGNAL", "SMALLINT", "SPATIAL", "SPECIFIC", "SQL", "SQLEXCEPTION", "SQLSTATE",
      "SQLWARNING", "SQL_BIG_RESULT", "SQL_CALC_FOUND_ROWS", "SQL_SMALL_RESULT", "SSL",
      "STARTING", "STORED", "STRAIGHT_JOIN", "SYSTEM", "TABLE", "TERMINATED", "THEN", "TINYBLOB",
      "TINYINT", "TINYTEXT", "TO", "TRAILING", "TRIGGER", "TRUE", "UNDO", "UNION", "UNIQUE",
      "UNLOCK", "UNSIGNED", "UPDATE", "USAGE", "USE", "USING", "UTC_DATE", "UTC_TIME",
      "UTC_TIMESTAMP", "VALUES", "VARBINARY", "VARCHAR", "VARCHARACTER", "VARYING", "VIRTUAL",
      "WHEN", "WHERE", "WHILE", "WINDOW", "WITH", "WRITE", "XOR", "YEAR_MONTH", "ZEROFILL"};
  return kReserved.count(ToUpper(word)) != 0;
}

// ---- tokens ----

const Token& Parser::Peek(size_t ahead) const {
  size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
  return tokens_[i];
}

const Token& Parser::Advance() {
  const Token& t = tokens_[pos_];
  if (t.kind != TokenKind::kEnd) ++pos_;
  return t;
}

bool Parser::AtEnd() const {
  const Token& t = Peek();
  return t.kind == TokenKind::kEnd || (t.kind == TokenKind::kPunct && t.value == ";");
}

bool Parser::IsWord(const Token& t, std::string_view keyword) const {
  if (t.kind != TokenKind::kWord || t.value.size() != keyword.size()) return false;
  for (size_t i = 0; i < keyword.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(t.value[i])) != keyword[i]) return false;
  }
  return true;
}

bool Parser::PeekWord(std::string_view keyword, size_t ahead) const { return IsWord(Peek(ahead), keyword); }

bool Parser::PeekPunct(std::string_view punct, size_t ahead) const {
  const Token& t = Peek(ahead);
  return t.kind == TokenKind::kPunct && t.value == punct;
}

bool Parser::AcceptWord(std::string_view keyword) {
  if (!PeekWord(keyword)) return false;
  Advance();
  return true;
}

bool Parser::AcceptPunct(std::string_view punct) {
  if (!PeekPunct(punct)) return false;
  Advance();
  return true;
}

bool Parser::AcceptCharsetKeyword() {
  if (AcceptWord("CHARSET")) return true;
  if (!PeekWord("CHARACTER") || !PeekWord("SET", 1)) return false;
  pos_ += 2;
  return true;
}

Status Parser::ExpectWord(std::string_view keyword) { return AcceptWord(keyword) ? Status::OK() : Error(); }
Status Parser::ExpectPunct(std::string_view punct) { return AcceptPunct(punct) ? Status::OK() : Error(); }

Status Parser::Error() const { return ErrorAt(Peek()); }
Status Parser::ErrorAt(const Token& t) const { return SyntaxError(sql_, t.begin); }

Status Parser::DepthError() const {
  return SyntaxErrorWithReason(
      "Expression nested more than " + std::to_string(kMaxParseDepth) + " levels deep",
      sql_, Peek().begin);
}

Status Parser::HeightError() const {
  return SyntaxErrorWithReason(
      "Expression is too complex (more than " + std::to_string(kMaxExprHeight) + " operators deep)", sql_,
      Peek().begin);
}

bool Parser::PeekIdentifier(size_t ahead) const {
  const Token& t = Peek(ahead);
  return t.kind == TokenKind::kQuotedIdent || (t.kind == TokenKind::kWord && !IsReserved(t.value));
}

Result<std::string> Parser::ParseIdentifier() {
  if (!PeekIdentifier()) return Error();
  return Advance().value;
}

Result<std::string> Parser::ParseNameAfterDot() {
  const Token& t = Peek();
  if (t.kind != TokenKind::kQuotedIdent && t.kind != TokenKind::kWord) return Error();
  return Advance().value;
}

Result<ast::TableName> Parser::ParseTableName() {
  ast::TableName name;
  STRATA_ASSIGN_OR_RETURN(name.name, ParseIdentifier());
  if (PeekPunct(".")) {
    Advance();
    name.schema = std::move(name.name);
    STRATA_ASSIGN_OR_RETURN(name.name, ParseNameAfterDot());
  }
  return name;
}

Result<uint64_t> Parser::ParseUnsigned() {
  const Token& t = Peek();
  if (t.kind != TokenKind::kInteger || t.value.size() > 19) return Error();
  uint64_t value = 0;
  for (char c : t.value) value = value * 10 + static_cast<uint64_t>(c - '0');
  Advance();
  return value;
}

Result<std::string> Parser::ParseNameOrString() {
  const Token& t = Peek();
  if (t.kind == TokenKind::kWord || t.kind == TokenKind::kQuotedIdent ||
      (t.kind == TokenKind::kString && t.quoted_string)) {
    return Advance().value;
  }
  return Error();
}

ast::ExprPtr Parser::NewExpr(ast::ExprKind kind, size_t start_token) const {
  auto e = std::make_unique<ast::Expr>();
  e->kind = kind;
  e->offset = tokens_[start_token].begin - statement_begin_;
  return e;
}

void Parser::Finish(ast::Expr* e, size_t start_token) {
  uint32_t height = 1;
  for (const ast::ExprPtr& child : e->children) {
    if (child == nullptr) continue;
    auto it = heights_.find(child.get());
    height = std::max(height, (it == heights_.end() ? 1 : it->second) + 1);
  }
  heights_[e] = height;
  if (height > kMaxExprHeight) height_exceeded_ = true;
  size_t begin = tokens_[start_token].begin;
  size_t end = pos_ > start_token ? tokens_[pos_ - 1].end : begin;
  e->offset = begin - statement_begin_;
  e->length = end - begin;
  // Outside any expression (depth 0) the node is top-level; nested nodes keep short sources only.
  if (depth_ == 0 || e->length <= kMaxNestedSourceBytes) {
    e->source = std::string(sql_.substr(begin, e->length));
  } else {
    e->source.clear();
  }
}

void Parser::FinishTopLevel(ast::Expr* e) const {
  // A string literal's header is its value (ExprHeader): no second copy of what may be a
  // multi-megabyte BLOB literal.
  if (e->kind == ast::ExprKind::kLiteral && e->literal_kind == ast::LiteralKind::kString) return;
  e->source = std::string(sql_.substr(statement_begin_ + e->offset, e->length));
}

// ---- statements ----

Result<std::vector<ast::StatementPtr>> Parser::ParseAll() {
  std::vector<ast::StatementPtr> statements;
  size_t region_begin = 0;  // where the current statement's text may start
  while (true) {
    if (PeekPunct(";")) {  // empty statement between semicolons
      region_begin = Advance().end;
      continue;
    }
    if (Peek().kind == TokenKind::kEnd) break;
    statement_begin_ = TrimRange(sql_, region_begin, Peek().begin).first;
    heights_.clear();
    param_count_ = 0;
    STRATA_ASSIGN_OR_RETURN(ast::StatementPtr statement, ParseStatement());
    statement->param_count = param_count_;
    if (!AtEnd()) return Error();
    size_t region_end = Peek().begin;
    auto [begin, end] = TrimRange(sql_, statement_begin_, region_end);
    statement->text = std::string(sql_.substr(begin, end - begin));
    statements.push_back(std::move(statement));
    region_begin = region_end;
  }
  if (statements.empty()) {
    auto empty = std::make_unique<ast::Empty>();
    auto [begin, end] = TrimRange(sql_, 0, sql_.size());
    empty->text = std::string(sql_.substr(begin, end - begin));
    statements.push_back(std::move(empty));
  }
  return statements;
}

Result<ast::StatementPtr> Parser::ParseStatement() {
  const Token& t = Peek();
  if (t.kind != TokenKind::kWord) {
    if (PeekPunct("(")) return ParseSelect();  // (SELECT ...) [UNION ...]
    return Error();
  }
  if (IsWord(t, "SELECT")) return ParseSelect();
  if (IsWord(t, "INSERT") || IsWord(t, "REPLACE")) return ParseInsert();
  if (IsWord(t, "UPDATE")) return ParseUpdate();
  if (IsWord(t, "DELETE")) return ParseDelete();
  if (IsWord(t, "SET") && PeekWord("PASSWORD", 1) && (PeekWord("FOR", 2) || PeekPunct("=", 2))) {
    pos_ += 2;
    return ParseSetPassword();
  }
  if (IsWord(t, "SET") && PeekWord("ROLE", 1)) {
    pos_ += 2;
    return ParseSetRole(false);
  }
  if (IsWord(t, "SET") && PeekWord("DEFAULT", 1) && PeekWord("ROLE", 2)) {
    pos_ += 3;
    return ParseSetRole(true);
  }
  if (IsWord(t, "SET")) return ParseSet();
  if (IsWord(t, "SHOW") && PeekWord("GRANTS", 1)) {
    pos_ += 2;
    return ParseShowGrants();
  }
  if (IsWord(t, "SHOW")) return ParseShow();
  if (IsWord(t, "CREATE") && PeekWord("USER", 1)) {
    pos_ += 2;
    return ParseCreateUser();
  }
  if ((IsWord(t, "CREATE") || IsWord(t, "DROP")) && PeekWord("ROLE", 1)) {
    pos_ += 2;
    return ParseCreateOrDropRole(IsWord(tokens_[pos_ - 2], "CREATE"));
  }
  if (IsWord(t, "CREATE")) return ParseCreate();
  if (IsWord(t, "DEALLOCATE") || (IsWord(t, "DROP") && PeekWord("PREPARE", 1))) return ParseDeallocate();
  if (IsWord(t, "DROP") && PeekWord("USER", 1)) {
    pos_ += 2;
    return ParseDropUser();
  }
  if (IsWord(t, "DROP")) return ParseDrop();
  if (IsWord(t, "GRANT")) {
    Advance();
    return ParseGrant();
  }
  if (IsWord(t, "REVOKE")) {
    Advance();
    return ParseRevoke();
  }
  if (IsWord(t, "ALTER") && PeekWord("USER", 1)) {
    pos_ += 2;
    return ParseAlterUser();
  }
  if (IsWord(t, "LOAD") && PeekWord("DATA", 1)) {
    pos_ += 2;
    return ParseLoadData();
  }
  if (IsWord(t, "FLUSH") && (PeekWord("PRIVILEGES", 1) || PeekWord("TABLES", 1))) {
    pos_ += 2;  // grants apply at once, and there is no table cache to flush
    return ast::StatementPtr(std::make_unique<ast::Empty>());
  }
  if (IsWord(t, "BEGIN")) return ParseBegin();
  if (IsWord(t, "START")) return ParseStartTransaction();
  if (IsWord(t, "COMMIT")) return ParseCommitOrRollback(/*commit=*/true);
  if (IsWord(t, "ROLLBACK")) return ParseCommitOrRollback(/*commit=*/false);
  if (IsWord(t, "SAVEPOINT") || (IsWord(t, "RELEASE") && PeekWord("SAVEPOINT", 1))) return ParseSavepoint();
  if (IsWord(t, "DESCRIBE") || IsWord(t, "DESC") || IsWord(t, "EXPLAIN")) return ParseDescribe();
  if (IsWord(t, "LOCK")) return ParseLockTables();
  if (IsWord(t, "PREPARE")) return ParsePrepare();
  if (IsWord(t, "EXECUTE")) return ParseExecute();
  if (IsWord(t, "UNLOCK")) return ParseUnlockTables();
  if (IsWord(t, "ANALYZE") || IsWord(t, "CHECK") || IsWord(t, "OPTIMIZE") || IsWord(t, "REPAIR"))
    return ParseTableMaintenance();
  if (IsWord(t, "KILL")) {  // KILL [CONNECTION | QUERY] id
    Advance();
    auto kill = std::make_unique<ast::Kill>();
    if (AcceptWord("QUERY")) kill->query_only = true;
    else AcceptWord("CONNECTION");
    STRATA_ASSIGN_OR_RETURN(kill->id, ParseExpr());
    return ast::StatementPtr(std::move(kill));
  }
  if (IsWord(t, "USE")) {
    Advance();
    auto use = std::make_unique<ast::Use>();
    STRATA_ASSIGN_OR_RETURN(use->database, ParseIdentifier());
    return ast::StatementPtr(std::move(use));
  }
  if (IsWord(t, "WITH")) return ParseSelect();
  if (IsWord(t, "ALTER") && PeekWord("CLUSTER", 1)) return ParseAlterCluster();
  if (IsWord(t, "TRUNCATE")) {
    Advance();
    AcceptWord("TABLE");
    auto truncate = std::make_unique<ast::TruncateTable>();
    STRATA_ASSIGN_OR_RETURN(truncate->table, ParseTableName());
    return ast::StatementPtr(std::move(truncate));
  }
  if (IsWord(t, "RENAME") && PeekWord("TABLE", 1)) {
    pos_ += 2;
    auto rename = std::make_unique<ast::RenameTable>();
    do {
      STRATA_ASSIGN_OR_RETURN(ast::TableName from, ParseTableName());
      STRATA_RETURN_IF_ERROR(ExpectWord("TO"));
      STRATA_ASSIGN_OR_RETURN(ast::TableName to, ParseTableName());
      rename->renames.emplace_back(std::move(from), std::move(to));
    } while (AcceptPunct(","));
    return ast::StatementPtr(std::move(rename));
  }
  if (IsWord(t, "ALTER") && PeekWord("TABLE", 1)) {
    // ALTER TABLE t {DISABLE | ENABLE} KEYS, which every mysqldump wraps around a table's
    // rows: MyISAM's switch; secondary indexes here are always maintained, so it does nothing.
    size_t saved = pos_;
    pos_ += 2;
    Result<ast::TableName> table = ParseTableName();
    if (table.ok() && (AcceptWord("DISABLE") || AcceptWord("ENABLE")) && AcceptWord("KEYS") && AtEnd())
      return ast::StatementPtr(std::make_unique<ast::Empty>());
    pos_ = saved + 2;
    table = ParseTableName();
    // ALTER TABLE t ENGINE [=] name: moves the table between engines (the one ALTER TABLE
    // form with a table option that is offered; others stay 1235).
    if (table.ok() && AcceptWord("ENGINE")) {
      (void)AcceptPunct("=");
      auto alter = std::make_unique<ast::AlterTableEngine>();
      alter->table = std::move(*table);
      STRATA_ASSIGN_OR_RETURN(alter->engine, ParseNameOrString());
      if (AtEnd()) return ast::StatementPtr(std::move(alter));
    }
    pos_ = saved + 2;
    table = ParseTableName();
    if (table.ok()) return ParseAlterTable(std::move(*table));
    pos_ = saved;
  }
  if (IsWord(t, "ALTER") || IsWord(t, "RENAME")) {
    return ErrNotSupportedYet(ToUpper(t.value) + (PeekWord("TABLE", 1) ? " TABLE" : ""));
  }
  return Error();
}

}  // namespace internal

Result<std::vector<ast::StatementPtr>> Parse(std::string_view sql) { return Parse(sql, /*backslash_escapes=*/true); }

Result<std::vector<ast::StatementPtr>> Parse(std::string_view sql, bool backslash_escapes) {
  return Parse(sql, ParseOptions{.backslash_escapes = backslash_escapes});
}

Result<std::vector<ast::StatementPtr>> Parse(std::string_view sql, const ParseOptions& options) {
  STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql, options.backslash_escapes, options.ansi_quotes));
  internal::Parser parser(sql, std::move(tokens));
  return parser.ParseAll();
}

Result<ast::StatementPtr> ParseOne(std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(std::vector<ast::StatementPtr> statements, Parse(sql));
  if (statements.size() != 1) {
    // Point at the second statement's first token, as MySQL without multi-statements does.
    STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
    for (size_t i = 0; i + 1 < tokens.size(); ++i) {
      if (tokens[i].kind == TokenKind::kPunct && tokens[i].value == ";" &&
          !(tokens[i + 1].kind == TokenKind::kPunct && tokens[i + 1].value == ";") &&
          tokens[i + 1].kind != TokenKind::kEnd) {
        return SyntaxError(sql, tokens[i + 1].begin);
      }
    }
    return SyntaxError(sql, sql.size());
  }
  return std::move(statements[0]);
}

}  // namespace strata::sql
