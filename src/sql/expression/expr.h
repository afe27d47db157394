// Bound expressions: the binder's output (names resolved to row positions, constants
// folded, functions looked up) and their evaluation over one row.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sql/parser/ast.h"
#include "sql/types/codec.h"
#include "sql/types/time_zone.h"
#include "sql/types/value.h"

namespace strata::sql {

// The type of an expression's result, as the client sees it in column metadata.
enum class OutKind : uint8_t { kNull, kInt, kUint, kDouble, kDecimal, kString, kBlob, kDate, kDateTime, kTime, kJson };

struct OutType {
  OutKind kind = OutKind::kString;
  uint32_t length = 0;
  uint8_t decimals = 0;
  bool not_null = false;
  // kDouble holding a FLOAT's value (a FLOAT column, CAST(x AS FLOAT)): a FLOAT to the client,
  // 4 bytes in the binary protocol and 6 significant digits in text.
  bool single_precision = false;
  // Set when the expression is a bare table column: metadata names it.
  const TableSchema* table = nullptr;
  int32_t column = -1;
};

OutType OutTypeOfColumn(const TableSchema& table, uint32_t column);

struct BoundExpr;
using BoundExprPtr = std::unique_ptr<BoundExpr>;

// A subquery's plan. Opaque here: the planner defines it (planner/logical_plan.h) and the
// executor runs it through EvalContext::subqueries.
struct SubqueryPlan;
enum class SubqueryKind : uint8_t { kScalar, kExists, kIn };

enum class Fn : uint8_t {
  kNone,
  // scalar functions that evaluate lazily, read the statement's clock or the row being
  // inserted; the rest are Fn::kBuiltin (functions.h)
  kIf, kIfNull, kCoalesce, kNullIf, kNow, kCurDate, kValues /* VALUES(col) in ON DUPLICATE KEY UPDATE */,
  kSetLastInsertId,  // LAST_INSERT_ID(expr): returns expr and makes it the session's LAST_INSERT_ID()
  kUserLock,  // GET_LOCK, RELEASE_LOCK, IS_FREE_LOCK, IS_USED_LOCK, RELEASE_ALL_LOCKS: BoundExpr::column = UserLockOp
  // aggregates (only as AggregateSpec::fn)
  kCount, kCountStar, kSum, kMin, kMax, kAvg, kGroupConcat, kBitAnd, kBitOr, kBitXor,
  kStdPop, kStdSamp, kVarPop, kVarSamp, kJsonArrayAgg, kJsonObjectAgg,
  kBuiltin,  // a function of the library in functions.h: BoundExpr::builtin
};

struct BuiltinFunction;

struct BoundExpr {
  enum class Kind : uint8_t {
    kConst, kColumn, kUnary, kBinary, kFunc, kIsNull, kIsBool /* IS [NOT] TRUE|FALSE: constant holds the target */,
    kIn, kBetween, kLike, kCase, kCast,
    kOuterColumn,  // a correlated subquery's reference to an enclosing query's row: column, depth
    kSubquery,     // subquery (scalar, EXISTS, or children[0] [NOT] IN (subquery))
  };
  Kind kind = Kind::kConst;
  Value constant;          // kConst
  // kConst bound from a prepared statement's ? : which binding of a placeholder it is
  // (1-based, SessionContext::Parameter), so that a cached plan can take the next execution's
  // values (session/plan_cache.h); 0 for every other constant.
  uint32_t param = 0;
  uint32_t column = 0;     // kColumn: position in the input row
  ast::Op op = ast::Op::kNone;
  Fn fn = Fn::kNone;
  bool negated = false;
  bool has_case_operand = false, has_else = false;
  ColumnType cast_type;    // kCast
  uint32_t depth = 0;      // kOuterColumn: 1 = the enclosing query's row, 2 = the one around it, ...
  const BuiltinFunction* builtin = nullptr;  // kFunc with fn == Fn::kBuiltin
  uint64_t json_args = 0;                    // kBuiltin: bit i set when argument i is JSON
  SubqueryKind subquery_kind = SubqueryKind::kScalar;
  std::shared_ptr<const SubqueryPlan> subquery;  // kSubquery
  bool correlated = false;                       // kSubquery: reads an enclosing row
  // kColumn / kOuterColumn / VALUES(col): a TIMESTAMP column of a stored row, which holds UTC;
  // the value read is the session's civil time (time_zone.h, TimestampFromUtc).
  bool timestamp_utc = false;
  std::vector<BoundExprPtr> children;
  OutType type;

  bool IsConst() const { return kind == Kind::kConst; }
};

// One aggregate call of a grouped query (COUNT(DISTINCT x), SUM(y), ...): the binder pulls
// each out of the select list, HAVING and ORDER BY; the aggregate operator computes it.
struct AggregateSpec {
  Fn fn = Fn::kCount;
  BoundExprPtr arg;  // nullptr for COUNT(*)
  bool distinct = false;
  // GROUP_CONCAT: its further expressions (concatenated after arg), ORDER BY keys and
  // separator; JSON_OBJECTAGG: more_args[0] is the value (arg the key).
  std::vector<BoundExprPtr> more_args;
  std::vector<std::pair<BoundExprPtr, bool /* descending */>> order_by;
  std::string separator = ",";
  uint64_t max_length = 1024;  // GROUP_CONCAT: group_concat_max_len, in bytes
  uint64_t json_args = 0;  // JSON_ARRAYAGG / JSON_OBJECTAGG: bit 0 arg, bit 1 more_args[0] is JSON
};

// One window function call of a SELECT (f(...) OVER (...)): the window node computes it over
// its input rows (the FROM row, or the aggregate's row of a grouped query) and appends its
// value to each row.
enum class WindowFn : uint8_t {
  kRowNumber, kRank, kDenseRank, kPercentRank, kCumeDist, kNtile, kLag, kLead,
  kFirstValue, kLastValue, kNthValue,
  kAggregate,  // COUNT, SUM, AVG, MIN, MAX, ... over the frame: WindowCall::aggregate
};

struct WindowCall {
  WindowFn fn = WindowFn::kRowNumber;
  std::string name;                // lower case, for plans: "row_number"
  AggregateSpec aggregate;         // kAggregate
  std::vector<BoundExprPtr> args;  // NTILE(n), LAG/LEAD(v, offset, default), FIRST/LAST_VALUE(v), NTH_VALUE(v, n)
  std::vector<BoundExprPtr> partition_by;
  std::vector<std::pair<BoundExprPtr, bool /* descending */>> order_by;
  // The frame (aggregates and FIRST/LAST/NTH_VALUE). Without one: the partition's rows up
  // to the current row's last peer when there is an ORDER BY, else the whole partition.
  bool frame_rows = false;  // ROWS (else RANGE: peers move together)
  ast::FrameBound start{ast::FrameBound::Kind::kUnboundedPreceding, 0};
  ast::FrameBound end{ast::FrameBound::Kind::kCurrentRow, 0};
};

// While a SELECT is bound, a window call's value is a column reference at this mark plus
// its index; once the window node's input width is known they move to that width plus the
// index (binder).
inline constexpr uint32_t kWindowColumnMark = 1u << 30;

// One ORDER BY key of a bound statement: a position in the rows being sorted.
struct SortKey {
  uint32_t column;
  bool descending;
};

class SubqueryRunner;
class InValues;  // in_values.h
class TriggerRunner;
class UserLockRunner;

// MySQL's user-level locks (GET_LOCK and its family), in the order of their Fn::kUserLock ops.
enum class UserLockOp : uint8_t { kGet, kRelease, kIsFree, kIsUsed, kReleaseAll };

struct EvalContext {
  int64_t now_unix_seconds = 0;  // NOW() for the whole statement (Unix time; civil in time_zone)
  int64_t now_micros = 0;        // and its microseconds (NOW(6))
  // Long loops (joins, subqueries) call CheckInterrupted: the engine's shutdown flag (1053)
  // and the statement's deadline (max_execution_time, 3024; 0: none), in steady-clock ns.
  const std::atomic<bool>* interrupted = nullptr;
  int64_t deadline_ns = 0;
  const std::atomic<bool>* killed = nullptr;  // KILL QUERY of this session (1317)
  const Row* values_row = nullptr;  // VALUES(col) in ON DUPLICATE KEY UPDATE
  uint64_t* last_insert_id = nullptr;  // the session's, which LAST_INSERT_ID(expr) sets
  SubqueryRunner* subqueries = nullptr;  // runs kSubquery plans (nullptr: none may occur)
  TriggerRunner* triggers = nullptr;     // fires tables' triggers around row writes (nullptr: none)
  UserLockRunner* user_locks = nullptr;  // the session's GET_LOCK & co. (nullptr: they return NULL)
  // sql_mode NO_AUTO_VALUE_ON_ZERO: an INSERT's 0 in an AUTO_INCREMENT column is stored as 0
  // (only NULL asks for the next value), as dumps and Rails need.
  bool no_auto_value_on_zero = false;
  // sql_mode's rules for values an INSERT / UPDATE stores (strict mode, NO_ZERO_DATE; IGNORE
  // makes the statement lenient), and where the warnings of a lenient one go (the session's
  // list for the statement; nullptr: dropped).
  AssignmentMode assignment;
  std::vector<Status>* warnings = nullptr;
  // The session's time_zone (sql/types/time_zone.h); nullptr: the server's (SYSTEM). Held
  // for the statement: a SET GLOBAL meanwhile does not change it under the statement.
  std::shared_ptr<const TimeZone> time_zone;
  // The rows of the enclosing queries, innermost last (kOuterColumn reads them).
  std::vector<const Row*> outer_rows;
};

// Runs GET_LOCK and its family for Eval with the session's identity (session/user_locks.cc).
class UserLockRunner {
 public:
  virtual ~UserLockRunner() = default;
  virtual Result<Value> RunUserLock(UserLockOp op, const std::vector<Value>& args, const EvalContext& ctx) = 0;
};

// Runs subquery plans for Eval (the executor implements it: plans are above this layer).
class SubqueryRunner {
 public:
  virtual ~SubqueryRunner() = default;
  // The rows of `plan` (at most `limit`; each of the subquery's visible columns) with
  // `outer_row` as the innermost enclosing row. An uncorrelated plan may be answered from a
  // cache.
  virtual Result<std::vector<Row>> Rows(const SubqueryPlan& plan, const Row& outer_row, const EvalContext& ctx,
                                         size_t limit) = 0;
  // The first column of an uncorrelated `plan`'s rows, hashed for `x IN (plan)`, gathered
  // once per statement; nullptr for a correlated plan (Rows answers it per row).
  virtual Result<const InValues*> InSet(const SubqueryPlan& plan, const Row& outer_row, const EvalContext& ctx) {
    return nullptr;
  }
};

enum class TriggerTiming : uint8_t { kBefore, kAfter };
enum class TriggerEvent : uint8_t { kInsert, kUpdate, kDelete };

// Runs a table's triggers for one row (the session implements it: trigger bodies are
// statements). The write operators call it around each row they write.
class TriggerRunner {
 public:
  virtual ~TriggerRunner() = default;
  // Whether `table` has a trigger for (timing, event): when not, the row needs no copy.
  virtual bool Has(const TableSchema& table, TriggerTiming timing, TriggerEvent event) = 0;
  // Runs them in creation order. `old_row` is nullptr for INSERT, `new_row` for DELETE; a
  // BEFORE trigger may change *new_row (SET NEW.c = ...), in the table's column types.
  virtual Status Fire(const TableSchema& table, TriggerTiming timing, TriggerEvent event, const Row* old_row,
                      Row* new_row) = 0;
};

// 1053 when the server is shutting down, 3024 past the statement's deadline, else OK.
Status CheckInterrupted(const EvalContext& ctx);

// Evaluates `e` over `row`. Errors: division by zero is NULL (as MySQL in non-strict
// SELECT), integer overflow is 1690; a scalar subquery of more than one row is 1242.
Result<Value> Eval(const BoundExpr& e, const Row& row, const EvalContext& ctx);
// The statement's time (ctx.now_*) as DATETIME text with `fsp` fractional digits (0-6):
// NOW(fsp), and CURRENT_TIMESTAMP defaults and ON UPDATE columns of DATETIME(fsp); in UTC
// (`utc`) for a TIMESTAMP column, which stores UTC.
std::string CurrentTimestampText(const EvalContext& ctx, int fsp, bool utc = false);
// A TIMESTAMP column's stored (UTC) value as the session reads it (BoundExpr::timestamp_utc).
Value StoredTimestamp(const Value& stored, const EvalContext& ctx);
// Unix time `unix_seconds` (CivilNow: the statement's NOW()) as civil time in the session's
// time zone.
TimeZone::Civil CivilTime(const EvalContext& ctx, int64_t unix_seconds);
TimeZone::Civil CivilNow(const EvalContext& ctx);
// Civil time in the session's time zone as Unix time (UNIX_TIMESTAMP(date)).
int64_t UnixTime(const EvalContext& ctx, const TimeZone::Civil& civil);

// Like Eval but only for WHERE/HAVING/ON: NULL and false are both "not true".
Result<bool> EvalPredicate(const BoundExpr& e, const Row& row, const EvalContext& ctx);

BoundExprPtr MakeConst(Value v);
// The type MakeConst gives a constant holding `v`.
OutType TypeOfConstant(const Value& v);
// Splits a predicate into its AND-ed conjuncts (nothing for nullptr).
void SplitConjuncts(const BoundExpr* e, std::vector<const BoundExpr*>* out);
BoundExprPtr MakeColumnRef(uint32_t column, OutType type);

// ---- Rewriting (expr_rewrite.cc), for the planner and optimizer ----
// A deep copy.
BoundExprPtr CloneExpr(const BoundExpr& e);
// a AND b.
BoundExprPtr MakeAnd(BoundExprPtr a, BoundExprPtr b);
// Takes the AND-ed conjuncts of `e` apart (iteratively: a chain of any length) into `out`.
void TakeConjuncts(BoundExprPtr e, std::vector<BoundExprPtr>* out);
// The conjuncts AND-ed back together; nullptr for none.
BoundExprPtr CombineConjuncts(std::vector<BoundExprPtr> conjuncts);
// The smallest and largest column position `e` reads; false when it reads none.
bool ColumnSpan(const BoundExpr& e, uint32_t* min, uint32_t* max);
// Adds `delta` to every column position in `e` (REQUIRES: none goes below 0).
void ShiftColumns(BoundExpr* e, int64_t delta);
// True when `e` holds a subquery that reads an enclosing row: its column positions must not
// be rewritten (they are fixed inside the subquery's plan).
bool HasCorrelatedSubquery(const BoundExpr& e);
// Every column position `e` reads, in no particular order, with repeats.
void CollectColumns(const BoundExpr& e, std::vector<uint32_t>* out);
// Replaces each column position p in `e` with new_position[p].
void RemapColumns(BoundExpr* e, const std::vector<uint32_t>& new_position);

// Expressions as text, for plans (EXPLAIN) and tests: columns are "#<position in the input
// row>", constants as SQL literals, operators infix and parenthesised: "(#0 > 10)".
std::string ExprToString(const BoundExpr& e);
std::string AggregateToString(const AggregateSpec& spec);  // "count(*)", "sum(DISTINCT #2)"
std::string_view FnName(Fn fn);                              // lower case: "concat"

// MySQL's LIKE with % and _ (and `escape`), binary comparison.
bool LikeMatch(std::string_view text, std::string_view pattern, char escape = '\\');

}  // namespace strata::sql
