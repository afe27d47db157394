// The logical plan: what a query computes, as a tree of relational operators over rows,
// before the choice of how. The planner (planner.h) builds it from a bound statement,
// optimizer rules (optimizer/optimizer.h) rewrite it, and the physical planner
// (execution/physical_planner.h) turns it into operators.
//
//   bound statement ──planner──▶ LogicalPlan ──optimizer rules──▶ LogicalPlan
//                                                       ──physical planner──▶ operators
//
// Invariants:
//   * A node owns its children and its expressions. Operators built from a plan point into
//     it, so the plan must outlive them.
//   * Expressions refer to the values of the node's input row by position (BoundExpr
//     kColumn); width() is the number of values in each output row.
//   * Leaves (Get, Values) have no children; a Join has two (left, right); every other node
//     has exactly one.
//   * Update and Delete sit at the root, above the plan of their target rows; Insert is a
//     root, and a leaf unless it inserts a query's rows.
//
// PlanToString prints the tree, one node a line, children indented below their parent: the
// text EXPLAIN will show.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/expression/expr.h"
#include "sql/planner/access_path.h"
#include "sql/types/column_statistics.h"
#include "sql/types/schema.h"

namespace strata::sql {

enum class LogicalKind : uint8_t {
  kGet,        // the rows of one table
  kValues,     // constant rows (SELECT without FROM: one row of no values)
  kFilter,     // rows for which a predicate is true
  kJoin,       // pairs of a left and a right row (two children)
  kSetOp,      // UNION / EXCEPT / INTERSECT [ALL] of two inputs of the same width
  kAggregate,  // GROUP BY and aggregate functions
  kWindow,     // window functions: one more value per call on each row
  kProject,    // evaluates expressions over each row
  kDistinct,   // drops rows equal on a prefix to an earlier row
  kSort,       // ORDER BY
  kLimit,      // LIMIT / OFFSET
  kUpdate,     // writes its input rows changed; one output row: matched, changed
  kDelete,     // deletes its input rows; one output row: deleted
  kInsert,     // inserts its rows; one output row: affected, duplicates, first generated id, rows
  kWorkTable,     // the rows a recursive CTE's previous round added (a leaf)
  kRecursiveCte,  // WITH RECURSIVE: its anchor's rows, then its recursive part's, round by round
};

class LogicalOperator;
using LogicalPlan = std::unique_ptr<LogicalOperator>;

class LogicalOperator {
 public:
  explicit LogicalOperator(LogicalKind kind) : kind(kind) {}
  virtual ~LogicalOperator() = default;
  LogicalOperator(const LogicalOperator&) = delete;
  LogicalOperator& operator=(const LogicalOperator&) = delete;

  // Values in each output row.
  virtual size_t width() const = 0;
  // This node alone, one line: "Filter (#0 > 10)".
  virtual std::string Describe() const = 0;

  const LogicalOperator& child() const;  // REQUIRES: one child
  LogicalOperator& child();

  const LogicalKind kind;
  std::vector<LogicalPlan> children;
};

// The rows of `table`, every column in schema order; with `with_row_keys` each row gets its
// row key as one more trailing string value (UPDATE and DELETE write through it).
class LogicalGet final : public LogicalOperator {
 public:
  LogicalGet(std::shared_ptr<const TableSchema> table, std::string alias, bool with_row_keys)
      : LogicalOperator(LogicalKind::kGet), table(std::move(table)), alias(std::move(alias)),
        with_row_keys(with_row_keys) {}
  size_t width() const override { return table->columns.size() + (with_row_keys ? 1 : 0); }
  std::string Describe() const override;

  std::shared_ptr<const TableSchema> table;
  std::string alias;  // how the query names the table
  bool with_row_keys;
  // Set by the index-selection rule (optimizer/index_selection.cc); a full scan until then.
  AccessPath path;
  // How many rows the table holds, roughly (catalog/row_estimates.h), and its column
  // statistics if any were gathered, set before optimizing a plan with joins; nullopt /
  // null: unknown. Only join ordering and the index-join choice read them.
  std::optional<uint64_t> estimated_rows;
  std::shared_ptr<const TableStatistics> statistics;
};

class LogicalValues final : public LogicalOperator {
 public:
  LogicalValues(std::vector<Row> rows, size_t width)
      : LogicalOperator(LogicalKind::kValues), rows(std::move(rows)), values_width(width) {}
  size_t width() const override { return values_width; }
  std::string Describe() const override;

  std::vector<Row> rows;  // each of values_width values
  size_t values_width;
};

class LogicalFilter final : public LogicalOperator {
 public:
  explicit LogicalFilter(BoundExprPtr predicate)
      : LogicalOperator(LogicalKind::kFilter), predicate(std::move(predicate)) {}
  size_t width() const override { return child().width(); }
  std::string Describe() const override;

  BoundExprPtr predicate;  // WHERE / HAVING: NULL and false both drop the row
};

enum class JoinType : uint8_t {
  kInner,  // the pairs for which the predicate is true
  kLeft,   // and each left row without a match, with NULLs for the right row's values
  kRight,  // and each right row without a match, with NULLs for the left row's values
  // Semi and anti joins (optimizer/decorrelate.cc's EXISTS, IN and NOT EXISTS): the output is
  // the left row alone, once when some right row meets the predicate (semi), or once when
  // none does (anti).
  kSemi,
  kAnti,
};

inline bool KeepsLeftRowOnly(JoinType type) { return type == JoinType::kSemi || type == JoinType::kAnti; }

// Output rows: the left row's values, then the right row's (a semi or anti join: the left
// row's only). `predicate` (nullptr: every pair) is over the combined row. With `left_keys` (set by the predicate-pushdown rule) it
// is a hash join: left_keys[i] over the left row equals right_keys[i] over the right row
// for every match; those equalities stay in `predicate`, which is checked for every pair
// the hash finds. Without keys it is a nested-loop join.
class LogicalJoin final : public LogicalOperator {
 public:
  LogicalJoin(JoinType type, BoundExprPtr predicate)
      : LogicalOperator(LogicalKind::kJoin), type(type), predicate(std::move(predicate)) {}
  size_t width() const override {
    return children[0]->width() + (KeepsLeftRowOnly(type) ? 0 : children[1]->width());
  }
  std::string Describe() const override;

  JoinType type;
  BoundExprPtr predicate;
  std::vector<BoundExprPtr> left_keys, right_keys;
  // An index nested-loop join (set by the index-join rule): the right child is a Get whose
  // table is not scanned; for each left row, lookup_keys[i] (over the left row) gives the
  // value of column i of `lookup_index` (nullptr: the primary key), and the rows whose key
  // starts with those values are read. lookup_keys covers a prefix of the key (at least
  // its first column); `predicate` still holds every equality, so the lookup only narrows.
  bool index_lookup = false;
  const IndexSchema* lookup_index = nullptr;
  std::vector<BoundExprPtr> lookup_keys;
  // The lookup gives the whole key of a primary key or unique index: one row at most.
  bool lookup_unique() const;
  std::string LookupText() const;  // REQUIRES: index_lookup
};

// UNION [ALL], EXCEPT [ALL], INTERSECT [ALL] of its two children's rows (equal widths).
// Without ALL the result has no duplicate rows; NULLs compare equal here.
class LogicalSetOp final : public LogicalOperator {
 public:
  LogicalSetOp(ast::SetOp op, bool all) : LogicalOperator(LogicalKind::kSetOp), op(op), all(all) {}
  size_t width() const override { return children[0]->width(); }
  std::string Describe() const override;

  ast::SetOp op;
  bool all;
};

// Output rows: the group's first input row (input width values), then one value per
// aggregate. Without GROUP BY an empty input still yields one row.
class LogicalAggregate final : public LogicalOperator {
 public:
  LogicalAggregate(std::vector<BoundExprPtr> group_by, std::vector<AggregateSpec> aggregates)
      : LogicalOperator(LogicalKind::kAggregate), group_by(std::move(group_by)), aggregates(std::move(aggregates)) {}
  size_t width() const override { return child().width() + aggregates.size(); }
  std::string Describe() const override;

  std::vector<BoundExprPtr> group_by;
  std::vector<AggregateSpec> aggregates;
};

// Output rows: each input row, then one value per window call (in the input's order).
class LogicalWindow final : public LogicalOperator {
 public:
  explicit LogicalWindow(std::vector<WindowCall> calls) : LogicalOperator(LogicalKind::kWindow), calls(std::move(calls)) {}
  size_t width() const override { return child().width() + calls.size(); }
  std::string Describe() const override;

  std::vector<WindowCall> calls;
};

class LogicalProject final : public LogicalOperator {
 public:
  explicit LogicalProject(std::vector<BoundExprPtr> exprs)
      : LogicalOperator(LogicalKind::kProject), exprs(std::move(exprs)) {}
  size_t width() const override { return exprs.size(); }
  std::string Describe() const override;

  std::vector<BoundExprPtr> exprs;
};

// Keeps the first row of each distinct prefix of `key_width` values (SELECT DISTINCT over
// the visible columns; hidden ORDER BY columns follow them and do not count).
class LogicalDistinct final : public LogicalOperator {
 public:
  explicit LogicalDistinct(size_t key_width) : LogicalOperator(LogicalKind::kDistinct), key_width(key_width) {}
  size_t width() const override { return child().width(); }
  std::string Describe() const override;

  size_t key_width;
};

// A stable sort: rows equal on every key keep their input order. NULLs sort first.
class LogicalSort final : public LogicalOperator {
 public:
  explicit LogicalSort(std::vector<SortKey> keys) : LogicalOperator(LogicalKind::kSort), keys(std::move(keys)) {}
  size_t width() const override { return child().width(); }
  std::string Describe() const override;

  std::vector<SortKey> keys;
  // > 0: only the first top_n rows are read (a Limit above, optimizer/top_n.cc), so a
  // bounded heap replaces the full sort. The rows are the same, in the same order.
  uint64_t top_n = 0;
};

class LogicalLimit final : public LogicalOperator {
 public:
  LogicalLimit(uint64_t offset, uint64_t count) : LogicalOperator(LogicalKind::kLimit), offset(offset), count(count) {}
  size_t width() const override { return child().width(); }
  std::string Describe() const override;

  uint64_t offset;
  uint64_t count;  // UINT64_MAX: no LIMIT, only an OFFSET
};

// UPDATE of the rows its child returns (a Get with row keys, filtered, sorted, limited).
class LogicalUpdate final : public LogicalOperator {
 public:
  LogicalUpdate(std::shared_ptr<const TableSchema> table, std::vector<uint32_t> columns,
                std::vector<BoundExprPtr> values)
      : LogicalOperator(LogicalKind::kUpdate), table(std::move(table)), columns(std::move(columns)),
        values(std::move(values)) {}
  size_t width() const override { return 2; }
  std::string Describe() const override;

  std::shared_ptr<const TableSchema> table;
  std::vector<uint32_t> columns;      // SET columns[i] = values[i], in order
  std::vector<BoundExprPtr> values;   // over the table's row as updated so far
};

// DELETE of the rows its child returns (a Get with row keys, filtered, sorted, limited).
class LogicalDelete final : public LogicalOperator {
 public:
  explicit LogicalDelete(std::shared_ptr<const TableSchema> table)
      : LogicalOperator(LogicalKind::kDelete), table(std::move(table)) {}
  size_t width() const override { return 1; }
  std::string Describe() const override;

  std::shared_ptr<const TableSchema> table;
};

// INSERT / REPLACE of rows of expressions. A leaf, or for INSERT ... SELECT the parent of the
// query's plan: then `rows` is one row of column references evaluated over each row the
// query returns, and every row is read before the first is written (INSERT INTO t SELECT
// ... FROM t never sees its own rows). Each row is converted and written before the next.
// One output row: affected, duplicates, first generated id, rows processed, and the
// duplicate-key messages of the rows INSERT IGNORE skipped (the first 1024, one a line).
class LogicalInsert final : public LogicalOperator {
 public:
  LogicalInsert(std::shared_ptr<const TableSchema> table, std::vector<uint32_t> targets,
                std::vector<std::vector<BoundExprPtr>> rows)
      : LogicalOperator(LogicalKind::kInsert), table(std::move(table)), targets(std::move(targets)),
        rows(std::move(rows)) {}
  size_t width() const override { return 5; }
  std::string Describe() const override;

  std::shared_ptr<const TableSchema> table;
  std::vector<uint32_t> targets;                 // the columns each row fills
  std::vector<std::vector<BoundExprPtr>> rows;   // nullptr: DEFAULT
  bool ignore = false;                           // a duplicate key skips the row
  bool replace = false;                          // a duplicate key deletes the old row
  std::vector<uint32_t> update_columns;          // ON DUPLICATE KEY UPDATE columns[i] = values[i]
  std::vector<BoundExprPtr> update_values;       // over the old row; VALUES(c) is the new one
};

// The rows of a recursive CTE that its recursive part reads: those the previous round added.
// LogicalRecursiveCte fills it before each round; LogicalWorkTable leaves read it.
struct WorkTable {
  std::vector<Row> rows;
};

class LogicalWorkTable final : public LogicalOperator {
 public:
  LogicalWorkTable(std::shared_ptr<WorkTable> table, size_t width, std::string name)
      : LogicalOperator(LogicalKind::kWorkTable), table(std::move(table)), table_width(width), name(std::move(name)) {}
  size_t width() const override { return table_width; }
  std::string Describe() const override;

  std::shared_ptr<WorkTable> table;
  size_t table_width;
  std::string name;  // the CTE's
};

// A recursive CTE (two children of equal width): the anchor's rows (children[0]) are round 0;
// each next round runs the recursive part (children[1]) with the work table holding the
// previous round's rows, until a round adds none. With `distinct` (UNION, not UNION ALL) a
// row already produced is not added again. More than `max_depth` rounds is error 3636
// (cte_max_recursion_depth).
class LogicalRecursiveCte final : public LogicalOperator {
 public:
  LogicalRecursiveCte(std::string name, std::shared_ptr<WorkTable> work, bool distinct, uint64_t max_depth)
      : LogicalOperator(LogicalKind::kRecursiveCte), name(std::move(name)), work(std::move(work)),
        distinct(distinct), max_depth(max_depth) {}
  size_t width() const override { return children[0]->width(); }
  std::string Describe() const override;

  std::string name;
  std::shared_ptr<WorkTable> work;
  bool distinct;
  uint64_t max_depth;
  uint64_t row_limit = UINT64_MAX;  // the CTE's LIMIT (+ OFFSET): recursion stops once it has this many rows
};

// A subquery inside an expression (expression/expr.h keeps it opaque): its optimized plan,
// run by the executor's SubqueryRunner for each row of the enclosing query (once, when
// uncorrelated).
struct SemiJoinForm;

struct SubqueryPlan {
  LogicalPlan plan;
  size_t visible = 0;       // the first `visible` values of each row are the subquery's columns
  bool correlated = false;  // reads an enclosing row (kOuterColumn)
  // EXISTS / IN subqueries of a simple shape also carry a second plan of themselves as the
  // right side of a semi join (optimizer/decorrelate.cc); the rule that rewrites a WHERE
  // conjunct into that join takes it (hence mutable: `plan` stays, for any other use).
  mutable std::unique_ptr<SemiJoinForm> semi;
};

// A subquery as the right side of a semi join: `inner` is its FROM and the WHERE conjuncts
// that read only its own rows; `correlated` are the other WHERE conjuncts, which read the
// enclosing row through kOuterColumn (depth 1) and `inner`'s row by position (at least one
// an equality of the two, for EXISTS). An IN subquery adds `in_key`: its select list's
// expression over `inner`'s row, which the IN's left operand must equal.
struct SemiJoinForm {
  LogicalPlan inner;
  std::vector<BoundExprPtr> correlated;
  BoundExprPtr in_key;
};

// Makes `child` the only child of `parent` and returns the parent.
LogicalPlan Stack(LogicalPlan parent, LogicalPlan child);
// A join of `left` and `right`.
LogicalPlan MakeJoin(JoinType type, BoundExprPtr predicate, LogicalPlan left, LogicalPlan right);

// The whole tree, one node a line, each child indented two spaces below its parent.
std::string PlanToString(const LogicalOperator& plan);
// The same, with annotate(node) appended to each node's line (EXPLAIN ANALYZE's figures).
std::string PlanToString(const LogicalOperator& plan, const std::function<std::string(const LogicalOperator&)>& annotate);

}  // namespace strata::sql
