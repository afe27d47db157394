// CREATE/DROP DATABASE, TABLE and INDEX: column types, column attributes, table constraints
// and table options.
#include "sql/parser/parser_internal.h"

namespace strata::sql::internal {

namespace {

struct TypeWord {
  std::string_view word;
  ast::TypeKind kind;
};

// Types that take no special syntax beyond an optional (length[, scale]).
constexpr TypeWord kTypeWords[] = {
    {"TINYINT", ast::TypeKind::kTinyInt},     {"INT1", ast::TypeKind::kTinyInt},
    {"SMALLINT", ast::TypeKind::kSmallInt},   {"INT2", ast::TypeKind::kSmallInt},
    {"MEDIUMINT", ast::TypeKind::kMediumInt}, {"INT3", ast::TypeKind::kMediumInt},
    {"MIDDLEINT", ast::TypeKind::kMediumInt}, {"INT", ast::TypeKind::kInt},
    {"INTEGER", ast::TypeKind::kInt},         {"INT4", ast::TypeKind::kInt},
    {"BIGINT", ast::TypeKind::kBigInt},       {"INT8", ast::TypeKind::kBigInt},
    {"DOUBLE", ast::TypeKind::kDouble},       {"REAL", ast::TypeKind::kDouble},
    {"FLOAT8", ast::TypeKind::kDouble},       {"FLOAT4", ast::TypeKind::kFloat},
    {"DECIMAL", ast::TypeKind::kDecimal},     {"DEC", ast::TypeKind::kDecimal},
    {"NUMERIC", ast::TypeKind::kDecimal},     {"FIXED", ast::TypeKind::kDecimal},
    {"CHAR", ast::TypeKind::kChar},           {"CHARACTER", ast::TypeKind::kChar},
    {"NCHAR", ast::TypeKind::kChar},          {"VARCHAR", ast::TypeKind::kVarchar},
    {"NVARCHAR", ast::TypeKind::kVarchar},    {"VARCHARACTER", ast::TypeKind::kVarchar},
    {"BINARY", ast::TypeKind::kBinary},       {"VARBINARY", ast::TypeKind::kVarbinary},
    {"TINYTEXT", ast::TypeKind::kTinyText},   {"TEXT", ast::TypeKind::kText},
    {"MEDIUMTEXT", ast::TypeKind::kMediumText}, {"LONGTEXT", ast::TypeKind::kLongText},
    {"TINYBLOB", ast::TypeKind::kTinyBlob},   {"BLOB", ast::TypeKind::kBlob},
    {"MEDIUMBLOB", ast::TypeKind::kMediumBlob}, {"LONGBLOB", ast::TypeKind::kLongBlob},
    {"DATE", ast::TypeKind::kDate},           {"DATETIME", ast::TypeKind::kDateTime},
    {"TIMESTAMP", ast::TypeKind::kTimestamp}, {"TIME", ast::TypeKind::kTime},
    {"YEAR", ast::TypeKind::kYear},           {"JSON", ast::TypeKind::kJson},
    {"BIT", ast::TypeKind::kBit},
    {"GEOMETRY", ast::TypeKind::kGeometry},   {"POINT", ast::TypeKind::kPoint},
    {"LINESTRING", ast::TypeKind::kLineString}, {"POLYGON", ast::TypeKind::kPolygon},
    {"MULTIPOINT", ast::TypeKind::kMultiPoint}, {"MULTILINESTRING", ast::TypeKind::kMultiLineString},
    {"MULTIPOLYGON", ast::TypeKind::kMultiPolygon}, {"GEOMETRYCOLLECTION", ast::TypeKind::kGeometryCollection},
    {"GEOMCOLLECTION", ast::TypeKind::kGeometryCollection},
};

// Table options whose value is parsed and ignored (name [=] value).
bool IsIgnoredTableOption(std::string_view upper) {
  static constexpr std::string_view kNames[] = {
      "ROW_FORMAT", "KEY_BLOCK_SIZE", "AVG_ROW_LENGTH", "MAX_ROWS", "MIN_ROWS", "CHECKSUM",
      "TABLE_CHECKSUM", "DELAY_KEY_WRITE", "PACK_KEYS", "STATS_PERSISTENT", "STATS_AUTO_RECALC",
      "STATS_SAMPLE_PAGES", "COMPRESSION", "ENCRYPTION", "TABLESPACE", "INSERT_METHOD",
      "CONNECTION", "PASSWORD", "SECONDARY_ENGINE", "AUTOEXTEND_SIZE"};
  for (std::string_view name : kNames) {
    if (name == upper) return true;
  }
  return false;
}

}  // namespace

Result<ast::StatementPtr> Parser::ParseCreate() {
  STRATA_RETURN_IF_ERROR(ExpectWord("CREATE"));
  if (PeekWord("DATABASE") || PeekWord("SCHEMA")) return ParseCreateDatabase();
  bool temporary = AcceptWord("TEMPORARY");
  if (PeekWord("TABLE")) return ParseCreateTable(temporary);
  if (temporary) return Error();
  if (AcceptWord("UNIQUE")) {
    if (!PeekWord("INDEX")) return Error();
    return ParseCreateIndex(/*unique=*/true);
  }
  if (PeekWord("INDEX")) return ParseCreateIndex(/*unique=*/false);
  if (PeekWord("FULLTEXT") || PeekWord("SPATIAL")) return ErrNotSupportedYet(ToUpper(Peek().value) + " INDEX");
  if (PeekWord("TRIGGER")) return ParseCreateTrigger();
  if (PeekWord("DEFINER")) {  // DEFINER = user [TRIGGER | VIEW]: look past the user for TRIGGER
    for (size_t ahead = 1; ahead < 8 && Peek(ahead).kind != TokenKind::kEnd; ahead++) {
      if (PeekWord("TRIGGER", ahead)) return ParseCreateTrigger();
      if (PeekWord("VIEW", ahead) || PeekWord("SQL", ahead)) break;
    }
  }
  if (PeekWord("VIEW") || PeekWord("OR") || PeekWord("ALGORITHM") || PeekWord("DEFINER") || PeekWord("SQL")) {
    return ParseCreateView();
  }
  return Error();
}

Result<ast::StatementPtr> Parser::ParseCreateView() {
  auto view = std::make_unique<ast::CreateView>();
  if (AcceptWord("OR")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("REPLACE"));
    view->or_replace = true;
  }
  if (AcceptWord("ALGORITHM")) {  // UNDEFINED | MERGE | TEMPTABLE: accepted, ignored
    STRATA_RETURN_IF_ERROR(ExpectPunct("="));
    Advance();
  }
  if (AcceptWord("DEFINER")) {  // user[@host] | CURRENT_USER: accepted, ignored
    STRATA_RETURN_IF_ERROR(ExpectPunct("="));
    Advance();
    if (Peek().kind == TokenKind::kUserVar) Advance();  // 'u'@'h' lexes as 'u' then @'h'
    if (AcceptPunct("(")) STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  }
  if (AcceptWord("SQL")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("SECURITY"));
    if (!AcceptWord("DEFINER") && !AcceptWord("INVOKER")) return Error();
  }
  STRATA_RETURN_IF_ERROR(ExpectWord("VIEW"));
  STRATA_ASSIGN_OR_RETURN(view->name, ParseTableName());
  if (AcceptPunct("(")) {
    do {
      STRATA_ASSIGN_OR_RETURN(std::string column, ParseIdentifier());
      view->columns.push_back(std::move(column));
    } while (AcceptPunct(","));
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  }
  STRATA_RETURN_IF_ERROR(ExpectWord("AS"));
  size_t begin = Peek().begin;
  const size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ast::StatementPtr query, ParseSelect());
  if (query->kind != ast::StatementKind::kSelect) return ErrorAt(tokens_[start]);  // WITH … UPDATE / DELETE
  size_t end = tokens_[pos_ - 1].end;
  if (AcceptWord("WITH")) {
    view->check_option = AcceptWord("LOCAL") ? "LOCAL" : "CASCADED";  // CASCADED: the default
    if (view->check_option == "CASCADED") AcceptWord("CASCADED");
    STRATA_RETURN_IF_ERROR(ExpectWord("CHECK"));
    STRATA_RETURN_IF_ERROR(ExpectWord("OPTION"));
  }
  view->query_text = std::string(sql_.substr(begin, end - begin));
  view->query.reset(static_cast<ast::Select*>(query.release()));
  return ast::StatementPtr(std::move(view));
}

Result<ast::StatementPtr> Parser::ParseCreateDatabase() {
  Advance();  // DATABASE | SCHEMA
  auto create = std::make_unique<ast::CreateDatabase>();
  if (AcceptWord("IF")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("NOT"));
    STRATA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
    create->if_not_exists = true;
  }
  STRATA_ASSIGN_OR_RETURN(create->name, ParseIdentifier());
  while (!AtEnd()) {  // [DEFAULT] CHARACTER SET|CHARSET [=] x, [DEFAULT] COLLATE [=] y, ENCRYPTION
    AcceptWord("DEFAULT");
    if (AcceptCharsetKeyword() || AcceptWord("COLLATE") || AcceptWord("ENCRYPTION")) {
      AcceptPunct("=");
      STRATA_ASSIGN_OR_RETURN(std::string ignored, ParseNameOrString());
    } else {
      return Error();
    }
  }
  return ast::StatementPtr(std::move(create));
}

Result<ast::StatementPtr> Parser::ParseDrop() {
  STRATA_RETURN_IF_ERROR(ExpectWord("DROP"));
  if (PeekWord("TRIGGER")) return ParseDropTrigger();
  if (AcceptWord("DATABASE") || AcceptWord("SCHEMA")) {
    auto drop = std::make_unique<ast::DropDatabase>();
    if (AcceptWord("IF")) {
      STRATA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
      drop->if_exists = true;
    }
    STRATA_ASSIGN_OR_RETURN(drop->name, ParseIdentifier());
    return ast::StatementPtr(std::move(drop));
  }
  if (AcceptWord("INDEX")) {
    auto drop = std::make_unique<ast::DropIndex>();
    if (PeekWord("PRIMARY")) drop->name = Advance().value;  // DROP INDEX `PRIMARY` also works
    else {
      STRATA_ASSIGN_OR_RETURN(drop->name, ParseIdentifier());
    }
    STRATA_RETURN_IF_ERROR(ExpectWord("ON"));
    STRATA_ASSIGN_OR_RETURN(drop->table, ParseTableName());
    while (AcceptWord("ALGORITHM") || AcceptWord("LOCK")) {  // online-DDL hints: ignored
      AcceptPunct("=");
      STRATA_ASSIGN_OR_RETURN(std::string ignored, ParseNameOrString());
    }
    return ast::StatementPtr(std::move(drop));
  }
  auto drop = std::make_unique<ast::DropTable>();
  drop->temporary = AcceptWord("TEMPORARY");
  drop->view = !drop->temporary && AcceptWord("VIEW");
  if (!drop->view && !AcceptWord("TABLE") && !AcceptWord("TABLES")) return Error();
  if (AcceptWord("IF")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
    drop->if_exists = true;
  }
  do {
    STRATA_ASSIGN_OR_RETURN(ast::TableName name, ParseTableName());
    drop->tables.push_back(std::move(name));
  } while (AcceptPunct(","));
  if (!AcceptWord("RESTRICT")) AcceptWord("CASCADE");
  return ast::StatementPtr(std::move(drop));
}

Result<ast::StatementPtr> Parser::ParseCreateTable(bool temporary) {
  STRATA_RETURN_IF_ERROR(ExpectWord("TABLE"));
  auto create = std::make_unique<ast::CreateTable>();
  create->temporary = temporary;
  if (AcceptWord("IF")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("NOT"));
    STRATA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
    create->if_not_exists = true;
  }
  STRATA_ASSIGN_OR_RETURN(create->table, ParseTableName());
  if (PeekWord("LIKE") || (PeekPunct("(") && PeekWord("LIKE", 1))) {  // LIKE source, or (LIKE source)
    const bool parenthesized = AcceptPunct("(");
    STRATA_RETURN_IF_ERROR(ExpectWord("LIKE"));
    STRATA_ASSIGN_OR_RETURN(create->like, ParseTableName());
    if (parenthesized) STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    return ast::StatementPtr(std::move(create));
  }
  // A body, unless the parenthesis opens the query of CREATE TABLE t (SELECT …).
  if (PeekPunct("(") && !PeekWord("SELECT", 1) && !PeekWord("WITH", 1) && !PeekPunct("(", 1)) {
    AcceptPunct("(");
    do {
      STRATA_RETURN_IF_ERROR(ParseTableElement(create.get()));
    } while (AcceptPunct(","));
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  }
  STRATA_RETURN_IF_ERROR(ParseTableOptions(create.get()));
  if (PeekWord("PARTITION")) return ErrNotSupportedYet("PARTITION BY");
  // CREATE TABLE … [IGNORE | REPLACE] [AS] query.
  if (AcceptWord("IGNORE")) create->select_ignore = true;
  else if (AcceptWord("REPLACE")) create->select_replace = true;
  const bool as = AcceptWord("AS");
  if (as || create->select_ignore || create->select_replace || PeekWord("SELECT") || PeekWord("WITH") ||
      PeekPunct("(")) {
    STRATA_ASSIGN_OR_RETURN(create->select, ParseQueryInParentheses());
  } else if (create->columns.empty() && create->indexes.empty()) {
    return Error();  // CREATE TABLE t: neither a body nor a query
  }
  return ast::StatementPtr(std::move(create));
}

// One element of the table body: a column definition or a constraint.
Status Parser::ParseTableElement(ast::CreateTable* create) {
  std::string constraint_name;
  if (AcceptWord("CONSTRAINT")) {
    if (PeekIdentifier()) constraint_name = Advance().value;
  }
  if (PeekWord("FOREIGN") || PeekWord("REFERENCES")) return ErrNotSupportedYet("FOREIGN KEY");
  if (PeekWord("CHECK")) return ErrNotSupportedYet("CHECK");
  if (PeekWord("FULLTEXT") || PeekWord("SPATIAL")) return ErrNotSupportedYet(ToUpper(Peek().value) + " INDEX");
  ast::IndexDef index;
  if (AcceptWord("PRIMARY")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("KEY"));
    index.primary = true;
    index.unique = true;
  } else if (AcceptWord("UNIQUE")) {
    if (!AcceptWord("KEY")) AcceptWord("INDEX");
    index.unique = true;
    if (PeekIdentifier() && !PeekWord("USING")) index.name = Advance().value;
  } else if (AcceptWord("KEY") || AcceptWord("INDEX")) {
    if (!constraint_name.empty()) return ErrorAt(tokens_[pos_ - 1]);
    if (PeekIdentifier() && !PeekWord("USING")) index.name = Advance().value;
  } else {
    if (!constraint_name.empty()) return Error();
    STRATA_ASSIGN_OR_RETURN(ast::ColumnDef column, ParseColumnDef());
    create->columns.push_back(std::move(column));
    return Status::OK();
  }
  if (index.name.empty()) index.name = constraint_name;
  STRATA_RETURN_IF_ERROR(ParseIndexBody(&index));
  create->indexes.push_back(std::move(index));
  return Status::OK();
}

Result<ast::ColumnDef> Parser::ParseColumnDef() {
  ast::ColumnDef column;
  STRATA_ASSIGN_OR_RETURN(column.name, ParseIdentifier());
  if (AcceptWord("SERIAL")) {  // BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE, as MySQL defines it
    column.type.kind = ast::TypeKind::kBigInt;
    column.type.is_unsigned = true;
    column.not_null = true;
    column.auto_increment = true;
    column.unique = true;
  } else {
    STRATA_ASSIGN_OR_RETURN(column.type, ParseColumnType());
  }
  while (true) {
    bool matched = false;
    STRATA_RETURN_IF_ERROR(ParseColumnAttribute(&column, &matched));
    if (!matched) break;
  }
  return column;
}

// One column attribute, in any order: NOT NULL, NULL, DEFAULT v, AUTO_INCREMENT, [PRIMARY] KEY,
// UNIQUE [KEY], COMMENT 's', ON UPDATE CURRENT_TIMESTAMP, COLLATE c, CHARACTER SET c ...
Status Parser::ParseColumnAttribute(ast::ColumnDef* column, bool* matched) {
  *matched = true;
  if (AcceptWord("NOT")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("NULL"));
    column->not_null = true;
  } else if (AcceptWord("NULL")) {
    column->explicit_null = true;
  } else if (AcceptWord("DEFAULT")) {
    STRATA_ASSIGN_OR_RETURN(column->default_value, ParseDefaultValue());
  } else if (AcceptWord("AUTO_INCREMENT")) {
    column->auto_increment = true;
  } else if (AcceptWord("PRIMARY")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("KEY"));
    column->primary_key = true;
  } else if (AcceptWord("KEY")) {  // a column's KEY attribute means PRIMARY KEY
    column->primary_key = true;
  } else if (AcceptWord("UNIQUE")) {
    AcceptWord("KEY");
    column->unique = true;
  } else if (AcceptWord("COMMENT")) {
    if (Peek().kind != TokenKind::kString) return Error();
    column->comment = Advance().value;
  } else if (AcceptWord("ON")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("UPDATE"));
    size_t start = pos_;
    STRATA_ASSIGN_OR_RETURN(column->on_update, ParseDefaultValue());
    if (column->on_update->kind != ast::ExprKind::kFunction) return ErrorAt(tokens_[start]);
  } else if (PeekWord("COLLATE") || PeekWord("CHARSET") || (PeekWord("CHARACTER") && PeekWord("SET", 1))) {
    STRATA_RETURN_IF_ERROR(ParseTypeAttributes(&column->type));
  } else if (AcceptWord("COLUMN_FORMAT") || AcceptWord("STORAGE") || AcceptWord("SRID")) {
    STRATA_ASSIGN_OR_RETURN(std::string ignored, ParseNameOrString());
  } else if (AcceptWord("VISIBLE") || AcceptWord("INVISIBLE")) {
  } else if (PeekWord("CHECK")) {
    return ErrNotSupportedYet("CHECK");
  } else if (PeekWord("REFERENCES")) {
    return ErrNotSupportedYet("FOREIGN KEY");
  } else if (PeekWord("GENERATED") || PeekWord("AS")) {
    return ErrNotSupportedYet("generated columns");
  } else {
    *matched = false;
  }
  return Status::OK();
}

// DEFAULT values MySQL accepts: a literal (optionally signed), NULL, TRUE/FALSE,
// CURRENT_TIMESTAMP[(n)] and its synonyms, or a parenthesized expression.
Result<ast::ExprPtr> Parser::ParseDefaultValue() {
  const Token& t = Peek();
  if (PeekPunct("(")) return ParseParenthesized();
  if (PeekPunct("-") || PeekPunct("+")) {
    TokenKind next = Peek(1).kind;
    if (next != TokenKind::kInteger && next != TokenKind::kDecimal && next != TokenKind::kFloat) {
      return ErrorAt(Peek(1));
    }
    return ParseUnary();
  }
  switch (t.kind) {
    case TokenKind::kInteger:
    case TokenKind::kDecimal:
    case TokenKind::kFloat:
    case TokenKind::kString:
      return ParsePrimary();
    case TokenKind::kWord: {
      std::string upper = ToUpper(t.value);
      bool ok = upper == "NULL" || upper == "TRUE" || upper == "FALSE" || upper == "CURRENT_TIMESTAMP" ||
                upper == "LOCALTIME" || upper == "LOCALTIMESTAMP" || upper == "CURRENT_DATE" ||
                upper == "CURRENT_TIME" || (upper == "NOW" && PeekPunct("(", 1));
      if (!ok) return Error();  // a bare name is not a default value
      return ParsePrimary();
    }
    default:
      return Error();
  }
}

Result<ast::TypeName> Parser::ParseColumnType() {
  ast::TypeName type;
  if (Peek().kind != TokenKind::kWord) return Error();
  const Token& word_token = Peek();
  std::string word = ToUpper(word_token.value);
  Advance();
  if (word == "BOOL" || word == "BOOLEAN") {
    type.kind = ast::TypeKind::kTinyInt;
    type.length = 1;
    type.is_boolean = true;
    return type;
  }
  if (word == "ENUM" || word == "SET") {
    type.kind = word == "ENUM" ? ast::TypeKind::kEnum : ast::TypeKind::kSet;
    STRATA_RETURN_IF_ERROR(ExpectPunct("("));
    do {
      if (Peek().kind != TokenKind::kString) return Error();
      type.enum_values.push_back(Advance().value);
    } while (AcceptPunct(","));
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    STRATA_RETURN_IF_ERROR(ParseTypeAttributes(&type));
    return type;
  }
  if (word == "NATIONAL") {  // NATIONAL CHAR / NATIONAL VARCHAR
    if (Peek().kind != TokenKind::kWord) return Error();
    word = ToUpper(Advance().value);
    if (word != "CHAR" && word != "CHARACTER" && word != "VARCHAR") return ErrorAt(tokens_[pos_ - 1]);
  }
  if (word == "LONG") {  // LONG / LONG VARCHAR = MEDIUMTEXT, LONG VARBINARY = MEDIUMBLOB
    type.kind = AcceptWord("VARBINARY") ? ast::TypeKind::kMediumBlob : ast::TypeKind::kMediumText;
    if (type.kind == ast::TypeKind::kMediumText) AcceptWord("VARCHAR");
    STRATA_RETURN_IF_ERROR(ParseTypeAttributes(&type));
    return type;
  }
  bool found = false;
  for (const TypeWord& tw : kTypeWords) {
    if (tw.word == word) {
      type.kind = tw.kind;
      found = true;
      break;
    }
  }
  if (word == "FLOAT") {
    type.kind = ast::TypeKind::kFloat;
    found = true;
  }
  if (!found) return ErrorAt(tokens_[pos_ - 1]);
  if ((word == "CHAR" || word == "CHARACTER" || word == "NCHAR") && AcceptWord("VARYING")) {
    type.kind = ast::TypeKind::kVarchar;
  }
  if (word == "DOUBLE") AcceptWord("PRECISION");
  STRATA_RETURN_IF_ERROR(ParseLengthAndScale(&type));
  if (word == "FLOAT" && type.length && !type.scale && *type.length > 24) type.kind = ast::TypeKind::kDouble;
  if (word == "FLOAT" && type.length && !type.scale) type.length.reset();  // FLOAT(p): p picks the kind
  bool needs_length = type.kind == ast::TypeKind::kVarchar || type.kind == ast::TypeKind::kVarbinary;
  if (needs_length && !type.length) return Error();
  STRATA_RETURN_IF_ERROR(ParseTypeAttributes(&type));
  return type;
}

// UNSIGNED, SIGNED, ZEROFILL, CHARACTER SET x, CHARSET x, COLLATE x, BINARY, ASCII, UNICODE.
Status Parser::ParseTypeAttributes(ast::TypeName* type) {
  while (true) {
    if (AcceptWord("UNSIGNED")) {
      type->is_unsigned = true;
    } else if (AcceptWord("SIGNED")) {
    } else if (AcceptWord("ZEROFILL")) {
      type->zerofill = true;
      type->is_unsigned = true;
    } else if (AcceptCharsetKeyword()) {
      STRATA_ASSIGN_OR_RETURN(type->charset, ParseCharsetName());
    } else if (AcceptWord("COLLATE")) {
      STRATA_ASSIGN_OR_RETURN(type->collation, ParseCharsetName());
    } else if (AcceptWord("BINARY")) {  // CHAR(n) BINARY: the character set's binary collation
      type->binary_collation = true;
    } else if (AcceptWord("ASCII") || AcceptWord("UNICODE")) {
    } else {
      return Status::OK();
    }
  }
}

Result<std::string> Parser::ParseCharsetName() {
  if (PeekWord("BINARY")) return Advance().value;
  return ParseNameOrString();
}

Result<std::optional<uint32_t>> Parser::ParseOptionalLength() {
  if (!AcceptPunct("(")) return std::optional<uint32_t>();
  STRATA_ASSIGN_OR_RETURN(uint64_t length, ParseUnsigned());
  if (length > UINT32_MAX) return ErrorAt(tokens_[pos_ - 1]);
  STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  return std::optional<uint32_t>(static_cast<uint32_t>(length));
}

Status Parser::ParseLengthAndScale(ast::TypeName* type) {
  if (!AcceptPunct("(")) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(uint64_t length, ParseUnsigned());
  if (length > UINT32_MAX) return ErrorAt(tokens_[pos_ - 1]);
  type->length = static_cast<uint32_t>(length);
  if (AcceptPunct(",")) {
    STRATA_ASSIGN_OR_RETURN(uint64_t scale, ParseUnsigned());
    if (scale > UINT32_MAX) return ErrorAt(tokens_[pos_ - 1]);
    type->scale = static_cast<uint32_t>(scale);
  }
  return ExpectPunct(")");
}

Status Parser::ParseIndexBody(ast::IndexDef* index) {
  if (AcceptWord("USING") || AcceptWord("TYPE")) {
    STRATA_ASSIGN_OR_RETURN(std::string ignored, ParseNameOrString());
  }
  STRATA_ASSIGN_OR_RETURN(index->columns, ParseIndexColumns());
  SkipIndexOptions();
  return Status::OK();
}

Result<std::vector<ast::IndexColumn>> Parser::ParseIndexColumns() {
  STRATA_RETURN_IF_ERROR(ExpectPunct("("));
  std::vector<ast::IndexColumn> columns;
  do {
    if (PeekPunct("(")) return ErrNotSupportedYet("functional key parts");
    ast::IndexColumn column;
    STRATA_ASSIGN_OR_RETURN(column.name, ParseIdentifier());
    STRATA_ASSIGN_OR_RETURN(column.prefix_length, ParseOptionalLength());
    if (AcceptWord("DESC")) column.descending = true;
    else AcceptWord("ASC");
    columns.push_back(std::move(column));
  } while (AcceptPunct(","));
  STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  return columns;
}

// USING BTREE|HASH, KEY_BLOCK_SIZE [=] n, COMMENT 's', VISIBLE, INVISIBLE: accepted, ignored.
void Parser::SkipIndexOptions() {
  while (true) {
    if ((PeekWord("USING") || PeekWord("COMMENT")) && Peek(1).kind != TokenKind::kEnd) {
      pos_ += 2;
    } else if (PeekWord("KEY_BLOCK_SIZE")) {
      Advance();
      AcceptPunct("=");
      if (Peek().kind == TokenKind::kInteger) Advance();
    } else if (!AcceptWord("VISIBLE") && !AcceptWord("INVISIBLE")) {
      return;
    }
  }
}

Status Parser::ParseTableOptions(ast::CreateTable* create) {
  while (!AtEnd()) {
    if (PeekWord("PARTITION") || PeekWord("AS") || PeekWord("SELECT") || PeekWord("WITH") || PeekPunct("(") ||
        PeekWord("IGNORE") || PeekWord("REPLACE")) {
      return Status::OK();  // the caller's: PARTITION BY, or CREATE TABLE … SELECT's query
    }
    bool has_default = AcceptWord("DEFAULT");
    if (AcceptCharsetKeyword()) {
      AcceptPunct("=");
      STRATA_ASSIGN_OR_RETURN(create->charset, ParseCharsetName());
    } else if (AcceptWord("COLLATE")) {
      AcceptPunct("=");
      STRATA_ASSIGN_OR_RETURN(create->collation, ParseCharsetName());
    } else if (has_default) {
      return Error();
    } else if (AcceptWord("ENGINE") || AcceptWord("TYPE")) {
      AcceptPunct("=");
      STRATA_ASSIGN_OR_RETURN(create->engine, ParseNameOrString());
    } else if (AcceptWord("AUTO_INCREMENT")) {
      AcceptPunct("=");
      STRATA_ASSIGN_OR_RETURN(uint64_t start, ParseUnsigned());
      create->auto_increment_start = start;
    } else if (AcceptWord("COMMENT")) {
      AcceptPunct("=");
      if (Peek().kind != TokenKind::kString) return Error();
      create->comment = Advance().value;
    } else if ((PeekWord("DATA") || PeekWord("INDEX")) && PeekWord("DIRECTORY", 1)) {
      pos_ += 2;
      AcceptPunct("=");
      STRATA_ASSIGN_OR_RETURN(std::string ignored, ParseNameOrString());
    } else if (AcceptWord("UNION")) {  // UNION [=] (t1, ...): MERGE tables' option, ignored
      AcceptPunct("=");
      STRATA_RETURN_IF_ERROR(ExpectPunct("("));
      do {
        STRATA_ASSIGN_OR_RETURN(ast::TableName ignored, ParseTableName());
      } while (AcceptPunct(","));
      STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    } else if (Peek().kind == TokenKind::kWord && IsIgnoredTableOption(ToUpper(Peek().value))) {
      Advance();
      AcceptPunct("=");
      const Token& value = Peek();
      if (value.kind != TokenKind::kWord && value.kind != TokenKind::kString && value.kind != TokenKind::kInteger &&
          value.kind != TokenKind::kDecimal && value.kind != TokenKind::kQuotedIdent) {
        return Error();
      }
      Advance();
    } else {
      return Error();
    }
    AcceptPunct(",");
  }
  return Status::OK();
}

Result<ast::StatementPtr> Parser::ParseCreateIndex(bool unique) {
  STRATA_RETURN_IF_ERROR(ExpectWord("INDEX"));
  auto create = std::make_unique<ast::CreateIndex>();
  create->index.unique = unique;
  STRATA_ASSIGN_OR_RETURN(create->index.name, ParseIdentifier());
  if (AcceptWord("USING") || AcceptWord("TYPE")) {
    STRATA_ASSIGN_OR_RETURN(std::string ignored, ParseNameOrString());
  }
  STRATA_RETURN_IF_ERROR(ExpectWord("ON"));
  STRATA_ASSIGN_OR_RETURN(create->table, ParseTableName());
  STRATA_ASSIGN_OR_RETURN(create->index.columns, ParseIndexColumns());
  SkipIndexOptions();
  while (AcceptWord("ALGORITHM") || AcceptWord("LOCK")) {  // online-DDL hints: ignored
    AcceptPunct("=");
    STRATA_ASSIGN_OR_RETURN(std::string ignored, ParseNameOrString());
  }
  return ast::StatementPtr(std::move(create));
}

}  // namespace strata::sql::internal
