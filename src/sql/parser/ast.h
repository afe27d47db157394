// The abstract syntax tree the parser (parser.h) produces: what the user wrote, with
// names unresolved and types unchecked. The binder (binder.h) resolves it against the
// catalog. Every node keeps the text it came from where error messages need it.
// Ownership: a Statement owns its expressions (unique_ptr trees).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::sql::ast {

// ---- Expressions -------------------------------------------------------------------

enum class LiteralKind : uint8_t {
  kNull,
  kInteger,  // text holds the digits (may exceed int64: the binder decides the type)
  kDecimal,  // "1.50": exact numeric literal with a point
  kFloat,    // "1e3": approximate numeric literal
  kString,   // text holds the bytes after unescaping ('it''s', "a\nb", X'..' decoded)
  kBool,     // TRUE / FALSE: text is "1" or "0"
};

enum class ExprKind : uint8_t {
  kLiteral,     // literal_kind, text
  kColumn,      // [qualifier.]name  (qualifier: table or alias, may be empty; db.t.c → db in schema)
  kStar,        // * or qualifier.*  (only in select lists and COUNT(*))
  kVariable,    // @@[scope.]name (system) or @name (user): name, scope
  kParameter,   // ? placeholder of a prepared statement: param_index (0-based, in text order)
  kUnary,       // op, children[0]
  kBinary,      // op, children[0], children[1]
  kFunction,    // name (upper-cased), children = args; distinct for COUNT(DISTINCT x)
  kIsNull,      // children[0] IS [NOT] NULL  (negated)
  kIn,          // children[0] [NOT] IN (children[1..])  (negated)
  kBetween,     // children[0] [NOT] BETWEEN children[1] AND children[2]  (negated)
  kLike,        // children[0] [NOT] LIKE children[1] [ESCAPE children[2]]  (negated)
  kCase,        // CASE [children[0] if has_case_operand] WHEN c THEN r ... [ELSE e]
  kCast,        // CAST(children[0] AS type_name)
  kInterval,    // INTERVAL children[0] unit (text = unit, upper-cased)
  kRow,         // (a, b, ...) tuple
  kIsBool,      // children[0] IS [NOT] TRUE|FALSE  (text "TRUE"/"FALSE", negated); IS UNKNOWN → kIsNull
  kSubquery,    // (SELECT ...) as a value: subquery
  kExists,      // [NOT] EXISTS (SELECT ...): subquery (NOT is a kUnary kNot above it)
  kInSubquery,  // children[0] [NOT] IN (SELECT ...): subquery  (negated)
};

enum class Op : uint8_t {
  kNone,
  // unary
  kNeg, kPlus, kNot, kBitNot,
  // arithmetic
  kAdd, kSub, kMul, kDiv, kIntDiv, kMod,
  // comparison
  kEq, kNullSafeEq, kNe, kLt, kLe, kGt, kGe,
  // logical
  kAnd, kOr, kXor,
  // bit
  kBitAnd, kBitOr, kBitXor, kShiftLeft, kShiftRight,
};

enum class VariableScope : uint8_t { kUser, kSession, kGlobal, kDefault /* @@x */ };

struct TypeName;
struct Select;
struct OrderItem;
struct WindowSpec;

// `x COLLATE c` / `BINARY x`: a call of this name (none a user can write) of x and 'c'.
inline constexpr std::string_view kCollateFunction = " COLLATE";

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  // Literal
  LiteralKind literal_kind = LiteralKind::kNull;
  std::string text;  // literal text; function name (upper case); interval unit
  // Column / star / variable
  std::string schema;     // db in db.t.c
  std::string qualifier;  // table or alias in t.c / t.*
  std::string name;       // column or variable name, as written (case preserved)
  VariableScope scope = VariableScope::kDefault;
  // Operators
  Op op = Op::kNone;
  bool negated = false;          // NOT IN / NOT BETWEEN / NOT LIKE / IS NOT NULL
  bool distinct = false;         // COUNT(DISTINCT x)
  bool has_case_operand = false;  // CASE x WHEN ...
  bool has_else = false;          // CASE ... ELSE e (last child)
  bool typed_literal = false;     // kCast written DATE '...', TIME '...', TIMESTAMP '...': invalid is 1525
  std::unique_ptr<TypeName> cast_type;
  std::unique_ptr<Select> subquery;  // kSubquery, kExists, kInSubquery
  std::vector<std::unique_ptr<Expr>> children;
  // GROUP_CONCAT(... ORDER BY ... SEPARATOR s)
  std::vector<OrderItem> order_by;
  std::optional<std::string> separator;
  std::unique_ptr<WindowSpec> window;  // f(...) OVER (...) / OVER name
  uint32_t param_index = 0;            // kParameter: which ? of the statement (0-based)
  // The source text of this expression, as written (for column headers: SELECT 1+1
  // shows "1+1"), and its byte offset in the statement.
  std::string source;
  size_t offset = 0;
  // Byte length of the expression's text in Statement::text (text.substr(offset, length)).
  // `source` is filled for top-level expressions (select items, WHERE, values; not string
  // literals over 256 bytes, whose header is their value) and nested ones up to 256 bytes
  // (kMaxNestedSourceBytes): a=1 OR a=2 OR ... costs linear memory. Else: offset/length.
  size_t length = 0;
};
using ExprPtr = std::unique_ptr<Expr>;

// ---- Types and column definitions ---------------------------------------------------

enum class TypeKind : uint8_t {
  kTinyInt, kSmallInt, kMediumInt, kInt, kBigInt,  // BOOL/BOOLEAN = TINYINT(1)
  kFloat, kDouble, kDecimal,
  kChar, kVarchar, kBinary, kVarbinary,
  kTinyText, kText, kMediumText, kLongText,
  kTinyBlob, kBlob, kMediumBlob, kLongBlob,
  kDate, kDateTime, kTimestamp, kTime, kYear,
  kJson, kEnum, kSet, kBit,
  // Spatial types: columns can be declared; values other than NULL are refused (1416) until
  // the spatial functions exist.
  kGeometry, kPoint, kLineString, kPolygon, kMultiPoint, kMultiLineString, kMultiPolygon, kGeometryCollection,
};

struct TypeName {
  TypeKind kind = TypeKind::kInt;
  std::optional<uint32_t> length;  // INT(11), VARCHAR(255), DECIMAL(10, ...)
  std::optional<uint32_t> scale;   // DECIMAL(10, 2), DOUBLE(8, 3)
  bool is_unsigned = false;
  bool zerofill = false;
  bool is_boolean = false;         // written BOOL/BOOLEAN
  std::vector<std::string> enum_values;  // ENUM/SET members
  std::string charset;             // CHARACTER SET x
  std::string collation;           // COLLATE x
  bool binary_collation = false;   // CHAR(n) BINARY
};

struct ColumnDef {
  std::string name;
  TypeName type;
  bool not_null = false;
  bool explicit_null = false;     // NULL written
  ExprPtr default_value;          // DEFAULT expr (nullptr: none)
  bool auto_increment = false;
  bool primary_key = false;       // inline PRIMARY KEY
  bool unique = false;            // inline UNIQUE [KEY]
  std::string comment;
  ExprPtr on_update;              // ON UPDATE CURRENT_TIMESTAMP
};

struct IndexColumn {
  std::string name;
  std::optional<uint32_t> prefix_length;  // KEY (c(10))
  bool descending = false;
};

struct IndexDef {
  std::string name;                 // may be empty: the server picks one
  std::vector<IndexColumn> columns;
  bool primary = false;
  bool unique = false;
};

struct TableName {
  std::string schema;  // empty: the session's current database
  std::string name;
};

// ---- Statements ----------------------------------------------------------------------

enum class StatementKind : uint8_t {
  kCreateDatabase, kDropDatabase, kUse,
  kCreateTable, kDropTable, kCreateIndex, kDropIndex, kCreateView /* DROP VIEW is kDropTable */,
  kInsert, kSelect, kUpdate, kDelete,
  kBegin, kCommit, kRollback,
  kSet, kShow /* also DESCRIBE t */, kEmpty /* only comments */,
  kLockTables, kUnlockTables,  // LOCK TABLES t READ|WRITE, ... / UNLOCK TABLES (mysqldump)
  kAlterCluster,               // ALTER CLUSTER ADD NODE | REMOVE NODE | TRANSFER LEADER TO
  kExplain,                    // EXPLAIN [FORMAT = TRADITIONAL | TREE] query | write
  kCreateTrigger, kDropTrigger,
  kSetRowColumns,              // SET NEW.c = e, ... (only inside a trigger body)
  kTruncate,                   // TRUNCATE [TABLE] t
  kAlterTableEngine,           // ALTER TABLE t ENGINE [=] name
  kAlterTable,                 // ALTER TABLE t ADD COLUMN … / RENAME COLUMN (ast_alter.h)
  kRenameTable,                // RENAME TABLE a TO b [, c TO d ...]
  kPrepare, kExecute, kDeallocate,  // SQL-level prepared statements (session/prepared.cc)
  kKill,                       // KILL [CONNECTION | QUERY] id (ast_admin.h)
  kTableMaintenance,           // ANALYZE | CHECK | OPTIMIZE | REPAIR TABLE t, ... (ast_admin.h)
  kAccount,                    // CREATE/ALTER/DROP USER, GRANT, REVOKE, SHOW GRANTS (ast_account.h)
  kLoadData,                   // LOAD DATA [LOCAL] INFILE (ast_load.h)
  kSavepoint,                  // SAVEPOINT n / ROLLBACK [WORK] TO [SAVEPOINT] n / RELEASE SAVEPOINT n
};

struct Statement {
  explicit Statement(StatementKind k) : kind(k) {}
  virtual ~Statement() = default;
  StatementKind kind;
  std::string text;  // the statement's source text (for logs and the slow-query log)
  uint32_t param_count = 0;  // its ? placeholders (prepared statements bind them by position)
};
using StatementPtr = std::unique_ptr<Statement>;

struct CreateDatabase : Statement {
  CreateDatabase() : Statement(StatementKind::kCreateDatabase) {}
  std::string name;
  bool if_not_exists = false;
};

struct DropDatabase : Statement {
  DropDatabase() : Statement(StatementKind::kDropDatabase) {}
  std::string name;
  bool if_exists = false;
};

struct Use : Statement {
  Use() : Statement(StatementKind::kUse) {}
  std::string database;
};

struct CreateTable : Statement {
  CreateTable() : Statement(StatementKind::kCreateTable) {}
  TableName table;
  bool if_not_exists = false, temporary = false;
  std::optional<TableName> like;  // CREATE TABLE t LIKE source: no body, no options
  std::unique_ptr<Select> select;  // CREATE TABLE t [(…)] [options] [IGNORE|REPLACE] [AS] query
  bool select_ignore = false, select_replace = false;  // (the query's rows, as INSERT's)
  std::vector<ColumnDef> columns;
  std::vector<IndexDef> indexes;  // PRIMARY KEY (..), KEY/INDEX, UNIQUE in the body
  std::string engine;             // ENGINE=x as written (empty: default)
  std::optional<uint64_t> auto_increment_start;  // AUTO_INCREMENT=n
  std::string comment;
  std::string charset, collation;  // [DEFAULT] CHARSET=x, [DEFAULT] COLLATE=y (others are ignored)
};

struct DropTable : Statement {
  DropTable() : Statement(StatementKind::kDropTable) {}
  std::vector<TableName> tables;
  bool if_exists = false;
  bool temporary = false;  // DROP TEMPORARY TABLE: only temporary tables are dropped
  bool view = false;       // DROP VIEW
};

// CREATE [DEFINER = u] TRIGGER [IF NOT EXISTS] name {BEFORE|AFTER} {INSERT|UPDATE|DELETE}
// ON table FOR EACH ROW [{FOLLOWS|PRECEDES} other] body, where body is one statement or
// BEGIN statement; ... END (SET NEW.c = e, SET @v = e, INSERT, REPLACE, UPDATE, DELETE).
enum class TriggerTime : uint8_t { kBefore, kAfter };
enum class TriggerAction : uint8_t { kInsert, kUpdate, kDelete };

struct CreateTrigger : Statement {
  CreateTrigger() : Statement(StatementKind::kCreateTrigger) {}
  TableName name;  // schema: the table's database
  TableName table;
  bool if_not_exists = false;
  TriggerTime time = TriggerTime::kBefore;
  TriggerAction action = TriggerAction::kInsert;
  std::string body_text;                // as written; parsed again when the trigger fires
  std::vector<StatementPtr> body;       // its statements
  // DEFINER = 'u'@'h'; nullopt (also DEFINER = CURRENT_USER): the creating account.
  std::optional<std::pair<std::string, std::string>> definer;
};

struct DropTrigger : Statement {
  DropTrigger() : Statement(StatementKind::kDropTrigger) {}
  TableName name;
  bool if_exists = false;
};

struct SetRowColumns : Statement {
  SetRowColumns() : Statement(StatementKind::kSetRowColumns) {}
  bool old_row = false;  // SET OLD.c = ...: refused when the trigger is created (1362)
  std::vector<std::pair<std::string, ExprPtr>> assignments;  // NEW.column = value, in order
};

struct TruncateTable : Statement {
  TruncateTable() : Statement(StatementKind::kTruncate) {}
  TableName table;
};

struct AlterTableEngine : Statement {
  AlterTableEngine() : Statement(StatementKind::kAlterTableEngine) {}
  TableName table;
  std::string engine;  // as written
};

struct RenameTable : Statement {
  RenameTable() : Statement(StatementKind::kRenameTable) {}
  std::vector<std::pair<TableName, TableName>> renames;  // from → to, applied in order
};

struct CreateIndex : Statement {
  CreateIndex() : Statement(StatementKind::kCreateIndex) {}
  TableName table;
  IndexDef index;
};

struct DropIndex : Statement {
  DropIndex() : Statement(StatementKind::kDropIndex) {}
  TableName table;
  std::string name;
};

struct Assignment {
  std::string qualifier;  // t in t.c = ...
  std::string column;
  ExprPtr value;          // nullptr for DEFAULT
};


struct SelectItem {
  ExprPtr expr;       // kStar for * / t.*
  std::string alias;  // AS alias (empty: none)
};

// How a FROM item joins everything before it (the FROM list is a left-deep join tree;
// a comma is an inner join without ON).
enum class JoinKind : uint8_t { kComma, kInner, kCross, kLeft, kRight };

struct TableRef {
  TableName table;
  std::string alias;
  JoinKind join = JoinKind::kComma;  // the first item: kComma
  ExprPtr on;                        // JOIN ... ON e
  std::vector<std::string> using_columns;  // JOIN ... USING (a, b)
  bool natural = false;              // NATURAL [LEFT|RIGHT] JOIN
  std::unique_ptr<Select> derived;   // FROM (SELECT ...) AS alias: table is empty then
};

struct OrderItem {
  ExprPtr expr;  // may be an integer literal: a position in the select list
  bool descending = false;
};

// A window: OVER ([PARTITION BY ...] [ORDER BY ...] [ROWS|RANGE frame]) or OVER name.
struct FrameBound {
  enum class Kind : uint8_t { kUnboundedPreceding, kPreceding, kCurrentRow, kFollowing, kUnboundedFollowing };
  Kind kind = Kind::kCurrentRow;
  uint64_t offset = 0;  // kPreceding / kFollowing
};

struct WindowSpec {
  std::string name;  // OVER name: a window of the WINDOW clause (nothing else is set then)
  std::vector<ExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  bool has_frame = false;
  bool frame_rows = false;  // ROWS (else RANGE)
  FrameBound start, end;
};

struct NamedWindow {
  std::string name;
  WindowSpec spec;
};

enum class SetOp : uint8_t { kUnion, kExcept, kIntersect };

// One more operand of a set operation: ... UNION [ALL|DISTINCT] operand.
struct SetOperand {
  SetOp op = SetOp::kUnion;
  bool all = false;
  std::unique_ptr<Select> select;  // may itself hold set operands (a parenthesized one)
};

// WITH [RECURSIVE] name [(columns)] AS (query): a name the query after the WITH (and the later
// CTEs of the same list, and with RECURSIVE its own query) may read like a table.
struct CommonTableExpr {
  std::string name;
  std::vector<std::string> columns;  // empty: the query's own column names
  std::unique_ptr<Select> query;
};

struct Select : Statement {
  Select() : Statement(StatementKind::kSelect) {}
  std::vector<CommonTableExpr> with;  // WITH ... before this query (set operands included)
  bool with_recursive = false;
  // A set operation: this SELECT (its own clauses below), then each operand, left to right;
  // set_order_by / set_limit / set_offset apply to the whole result.
  std::vector<SetOperand> set_operands;
  std::vector<OrderItem> set_order_by;
  ExprPtr set_limit, set_offset;

  bool distinct = false;
  std::vector<SelectItem> items;
  // SELECT ... INTO @a, @b: the user variables the single row goes to (names as written).
  std::vector<std::string> into_vars;
  std::vector<TableRef> from;  // empty: no FROM (SELECT 1); several: joined left to right
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  std::vector<NamedWindow> windows;  // WINDOW w AS (...), ...
  std::vector<OrderItem> order_by;
  ExprPtr limit;   // LIMIT n, LIMIT off, n, LIMIT n OFFSET off
  ExprPtr offset;
  // A locking read (txn/lock_manager.h): FOR UPDATE, or FOR SHARE / LOCK IN SHARE MODE
  // (for_share also set), with NOWAIT or SKIP LOCKED.
  bool for_update = false;
  bool for_share = false;
  bool lock_nowait = false;
  bool lock_skip_locked = false;
  bool sql_calc_found_rows = false;
};

// A WITH CHECK OPTION that a write through a view carries down to its table
// (session/view_dml.cc): every row written must satisfy `condition`, in which the table is
// named `qualifier`; else 1369 names `view` ("db.name").
struct ViewCheck {
  std::string view;
  std::string qualifier;
  ExprPtr condition;
};

struct Insert : Statement {
  Insert() : Statement(StatementKind::kInsert) {}
  TableName table;
  bool replace = false;  // REPLACE INTO
  bool ignore = false;   // INSERT IGNORE
  std::vector<std::string> columns;            // empty: all, in table order
  std::vector<std::vector<ExprPtr>> rows;      // VALUES (...), (...); nullptr entry = DEFAULT
  std::vector<Assignment> set_assignments;     // INSERT ... SET a=1 (rows empty then)
  std::unique_ptr<Select> select;              // INSERT ... SELECT (rows empty then)
  std::vector<Assignment> on_duplicate;        // ON DUPLICATE KEY UPDATE
  // Set only on a statement rewritten from one on a view (never parsed).
  std::vector<ViewCheck> view_checks;
  bool cascade_view_checks = false;  // a CASCADED check above: every view below checks its WHERE
};

// CREATE [OR REPLACE] [ALGORITHM=..] [DEFINER=..] [SQL SECURITY ..] VIEW name [(columns)]
// AS query [WITH [CASCADED|LOCAL] CHECK OPTION].
struct CreateView : Statement {
  CreateView() : Statement(StatementKind::kCreateView) {}
  TableName name;
  std::vector<std::string> columns;  // empty: the query's own column names
  bool or_replace = false;
  std::string query_text;            // the query as written (stored in the catalog)
  std::unique_ptr<Select> query;
  std::string check_option;          // "", "CASCADED" or "LOCAL" (WITH [..] CHECK OPTION)
};

struct Update : Statement {
  Update() : Statement(StatementKind::kUpdate) {}
  TableRef table;
  std::vector<Assignment> assignments;
  ExprPtr where;
  std::vector<OrderItem> order_by;
  ExprPtr limit;
  bool ignore = false;  // UPDATE IGNORE
  // Multi-table UPDATE t1 JOIN t2 ON ... SET ...: every table reference (`table` unused).
  std::vector<TableRef> from;
  // As Insert's: set only on a statement rewritten from one on a view.
  std::vector<ViewCheck> view_checks;
  bool cascade_view_checks = false;
  std::vector<CommonTableExpr> with;  // WITH [RECURSIVE] ... UPDATE
  bool with_recursive = false;
};

struct Delete : Statement {
  Delete() : Statement(StatementKind::kDelete) {}
  // Multi-table DELETE t1, t2 FROM refs / DELETE FROM t1, t2 USING refs: the tables (or
  // aliases) to delete from, and every table reference (`table` unused).
  std::vector<TableName> targets;
  std::vector<TableRef> from;
  TableRef table;
  ExprPtr where;
  std::vector<OrderItem> order_by;
  ExprPtr limit;
  bool ignore = false;  // DELETE IGNORE
  std::vector<CommonTableExpr> with;  // WITH [RECURSIVE] ... DELETE
  bool with_recursive = false;
};

struct Begin : Statement {  // BEGIN [WORK] / START TRANSACTION [READ ONLY|READ WRITE|WITH CONSISTENT SNAPSHOT]
  Begin() : Statement(StatementKind::kBegin) {}
  bool read_only = false;
};
struct Commit : Statement {  // COMMIT [WORK]
  Commit() : Statement(StatementKind::kCommit) {}
};
struct Rollback : Statement {  // ROLLBACK [WORK]
  Rollback() : Statement(StatementKind::kRollback) {}
};
struct Savepoint : Statement {
  enum class Action : uint8_t { kSet, kRollbackTo, kRelease };
  Savepoint() : Statement(StatementKind::kSavepoint) {}
  Action action = Action::kSet;
  std::string name;  // as written; savepoint names compare case-insensitively
};

// SET a = 1, @@session.b = 'x', @u := 3 / SET NAMES utf8mb4 [COLLATE c] /
// SET [GLOBAL|SESSION] TRANSACTION ISOLATION LEVEL ... / SET CHARACTER SET x.
struct SetItem {
  VariableScope scope = VariableScope::kSession;  // kUser for @u; kDefault only for SET TRANSACTION
                                                  // without GLOBAL/SESSION (the next transaction)
  std::string name;  // lower-cased for system variables ("names" for SET NAMES, "transaction_isolation"
                     // for SET TRANSACTION ISOLATION LEVEL, "character_set" for SET CHARACTER SET)
  ExprPtr value;     // nullptr for DEFAULT; SET NAMES x → string literal x;
                     // isolation level → string literal "REPEATABLE-READ" etc.
  std::string collation;  // SET NAMES x COLLATE y
};

struct Set : Statement {
  Set() : Statement(StatementKind::kSet) {}
  std::vector<SetItem> items;
};

enum class ShowKind : uint8_t {
  kDatabases, kTables, kColumns, kVariables, kStatus, kCreateTable, kCreateDatabase,
  kWarnings, kErrors, kEngines, kCollation, kCharset, kProcessList, kIndex, kTableStatus,
  kClusterStatus,  // SHOW CLUSTER STATUS
  kEngineStatus,   // SHOW ENGINE name STATUS (the name in `table.name`)
  kCreateView,     // SHOW CREATE VIEW v
  kTriggers,       // SHOW TRIGGERS [FROM db] [LIKE 'table pattern' | WHERE ...]
  kCreateTrigger,  // SHOW CREATE TRIGGER name
  kPlugins,          // SHOW PLUGINS
  kProcedureStatus,  // SHOW PROCEDURE STATUS [LIKE | WHERE] (no stored routines: no rows)
  kFunctionStatus,   // SHOW FUNCTION STATUS [LIKE | WHERE]
};

// EXPLAIN [EXTENDED] [FORMAT = TRADITIONAL | TREE] query | write: the optimized plan.
struct Explain : Statement {
  Explain() : Statement(StatementKind::kExplain) {}
  bool tree = false;     // FORMAT = TREE
  bool analyze = false;  // EXPLAIN ANALYZE: runs the query; the tree with actual rows and time
  std::unique_ptr<Select> query;  // a SELECT or set operation, or null and
  StatementPtr write;             // a single-table INSERT / REPLACE / UPDATE / DELETE
};

struct Show : Statement {  // SHOW ... and DESCRIBE/DESC/EXPLAIN t (kColumns)
  Show() : Statement(StatementKind::kShow) {}
  ShowKind show = ShowKind::kDatabases;
  bool full = false;                  // SHOW FULL TABLES / COLUMNS / PROCESSLIST
  VariableScope scope = VariableScope::kSession;  // SHOW GLOBAL VARIABLES / STATUS
  TableName table;                    // COLUMNS/CREATE TABLE/INDEX: FROM t [FROM db]
  std::string database;               // TABLES FROM db; CREATE DATABASE db
  std::optional<std::string> like;    // LIKE 'pattern'
  ExprPtr where;                      // WHERE expr
  std::string column;                 // DESCRIBE t col (or a LIKE-style 'pattern')
  ExprPtr limit;                      // SHOW WARNINGS / ERRORS LIMIT [offset,] n
  ExprPtr offset;
};

struct Empty : Statement {
  Empty() : Statement(StatementKind::kEmpty) {}
};

struct LockTable {
  TableName table;
  std::string alias;
  bool write = false;  // WRITE / LOW_PRIORITY WRITE; false: READ [LOCAL]
};

struct LockTables : Statement {  // LOCK TABLE[S] t [[AS] a] READ [LOCAL] | [LOW_PRIORITY] WRITE, ...
  LockTables() : Statement(StatementKind::kLockTables) {}
  std::vector<LockTable> tables;
};

struct UnlockTables : Statement {  // UNLOCK TABLE[S]
  UnlockTables() : Statement(StatementKind::kUnlockTables) {}
};

// ALTER CLUSTER ADD NODE id RAFT 'host:port' [ADMIN 'host:port'] [MYSQL 'host:port']
// ALTER CLUSTER REMOVE NODE id
// ALTER CLUSTER TRANSFER LEADER [TO] id
struct AlterCluster : Statement {
  AlterCluster() : Statement(StatementKind::kAlterCluster) {}
  enum class Action : uint8_t { kAddNode, kRemoveNode, kTransferLeader };
  Action action = Action::kAddNode;
  uint64_t node_id = 0;
  std::string raft_addr, admin_addr, mysql_addr;
};

// PREPARE name FROM 'text' | @variable
struct Prepare : Statement {
  Prepare() : Statement(StatementKind::kPrepare) {}
  std::string name;
  std::string text;           // the statement text, when written as a literal
  std::string from_variable;  // the user variable holding it, when written FROM @v
};

// EXECUTE name [USING @a, @b, ...]
struct Execute : Statement {
  Execute() : Statement(StatementKind::kExecute) {}
  std::string name;
  std::vector<std::string> using_variables;
};

// {DEALLOCATE | DROP} PREPARE name
struct Deallocate : Statement {
  Deallocate() : Statement(StatementKind::kDeallocate) {}
  std::string name;
};

// Whether CloneExpr can copy `e`: no subquery and no window anywhere inside (those hold
// statements, which are not copied).
bool Clonable(const Expr& e);
// A deep copy of `e` (its cast type, GROUP_CONCAT order and children). REQUIRES: Clonable(e).
ExprPtr CloneExpr(const Expr& e);
// `e` alone, without its children. REQUIRES: `e` itself holds no subquery or window.
ExprPtr CloneNode(const Expr& e);

}  // namespace strata::sql::ast
