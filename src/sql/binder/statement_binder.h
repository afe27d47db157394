// Binding whole statements: SELECT, INSERT, UPDATE and DELETE become bound statements whose
// expressions refer to row positions; the planner (planner/planner.h) turns them into
// logical plans. Tables are resolved by the caller (the session owns the catalog snapshot),
// so a bound statement holds its table's schema.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/binder/binder.h"

namespace strata::sql {

struct BoundOutput {
  std::string name;  // the column header the client sees ("" for a hidden ORDER BY column)
  BoundExprPtr expr;
};

// A FROM item resolved by the caller, and how it joins the items before it.
// A derived table (FROM (SELECT ...) AS d) is a schema naming its columns, their types, and
// the query's plan, which takes the place of reading a table.
struct FromTable {
  std::shared_ptr<const TableSchema> table;
  std::string alias;  // the alias, or the table's name
  std::shared_ptr<const std::vector<OutType>> column_types;  // derived tables
  std::shared_ptr<SubqueryPlan> derived;                     // derived tables
};

// One joined table of a bound SELECT: `on` is over the row of every item up to this one.
struct BoundJoin {
  std::shared_ptr<const TableSchema> table;
  std::string alias;
  ast::JoinKind kind = ast::JoinKind::kComma;  // the first item: kComma
  BoundExprPtr on;                             // nullptr: every pair (comma, CROSS, no ON)
  std::shared_ptr<SubqueryPlan> derived;       // a derived table's plan (FromTable)
};

// SELECT, bound. Row positions:
//   * `where` and `group_by` see the FROM row: each table's columns in schema order, the
//     tables side by side in `from` order;
//   * `having` and the grouped outputs see the aggregate's row: the FROM row, then one
//     value per aggregate (AggregateSpec) at width + i;
//   * window calls (`windows`) see the aggregate's row (the FROM row when not grouped); the
//     outputs read call i's value at that row's width + i;
//   * `order_by` keys are positions in `outputs`: the first `visible` are the select list,
//     the rest are ORDER BY expressions not in it (dropped before the client sees the row).
struct BoundSelect {
  std::vector<BoundJoin> from;  // empty: no FROM
  BoundExprPtr where;
  bool grouped = false;
  std::vector<BoundExprPtr> group_by;
  std::vector<AggregateSpec> aggregates;
  BoundExprPtr having;
  std::vector<WindowCall> windows;
  std::vector<BoundOutput> outputs;
  size_t visible = 0;
  bool distinct = false;
  std::vector<SortKey> order_by;
  std::optional<uint64_t> limit, offset;
};

// REQUIRES: `from` holds stmt.from's tables, resolved by the caller, in the same order.
// USING (c) and NATURAL joins become ON equalities; the right-hand copy of such a column is
// hidden from unqualified names and from `*`. Errors: 1066 (an alias used twice), 1052,
// 1054, 1051, 1096, 1111, 1210 and those of BindExpr.
// For a subquery, `outer` is the enclosing query's context and *correlated is set when the
// subquery reads one of its columns.
// sql_mode ONLY_FULL_GROUP_BY (full_group_by.cc): 1055 / 1140 when grouped `select`
// reads a FROM column (`width` of them, `scope`'s tables) neither aggregated, grouped nor
// functionally dependent on the grouped ones. When the values of two placeholders decide
// it, the statement's plan is not kept (SessionContext::MarkPlanUncacheable).
Status CheckFullGroupBy(const BoundSelect& select, const BindScope& scope, uint32_t width,
                        const SessionContext& session);

Result<BoundSelect> BindSelect(const ast::Select& stmt, std::vector<FromTable> from, const SessionContext& session,
                               const BindContext* outer = nullptr, bool* correlated = nullptr);
// The same for at most one table (nullptr: none).
Result<BoundSelect> BindSelect(const ast::Select& stmt, std::shared_ptr<const TableSchema> table,
                               std::string alias, const SessionContext& session);

// The rows an UPDATE or DELETE targets: WHERE, ORDER BY (columns only, else 1235) and LIMIT
// over the table's row.
struct BoundTargetRows {
  std::shared_ptr<const TableSchema> table;
  std::string alias;
  BoundExprPtr where;
  std::vector<SortKey> order_by;
  std::optional<uint64_t> limit;
};

// INSERT / REPLACE: which columns each row fills, and the rows' values bound with no columns
// in scope (nullptr: DEFAULT); ON DUPLICATE KEY UPDATE is bound over the table's row, with
// VALUES(col) naming the row being inserted. Errors, in this order: 1054 for a target
// column, 1136 for a row of the wrong length, those of the ON DUPLICATE KEY UPDATE list,
// then those of the rows' values.
struct BoundInsert {
  std::shared_ptr<const TableSchema> table;
  std::vector<uint32_t> targets;
  std::vector<std::vector<BoundExprPtr>> rows;  // each of targets.size() values
  bool ignore = false;   // INSERT IGNORE: a duplicate key skips the row
  bool replace = false;  // REPLACE: a duplicate key deletes the old row
  std::vector<uint32_t> update_columns;      // ON DUPLICATE KEY UPDATE
  std::vector<BoundExprPtr> update_values;
};
// INSERT ... SELECT: `source` holds the types of the query's visible columns; the one bound
// row is column references #0..#n-1 into each row the query returns (1136 when n differs
// from the number of target columns).
Result<BoundInsert> BindInsert(const ast::Insert& stmt, std::shared_ptr<const TableSchema> table,
                               const SessionContext& session, const std::vector<OutType>* source = nullptr);

// A SET list (UPDATE, INSERT ... ON DUPLICATE KEY UPDATE) over ctx.scope's table: appends
// columns[i] = values[i]; `c = DEFAULT` is the column's default. 1054 ('field list') for a
// column the table lacks, or, with `check_qualifier`, a qualifier other than the alias.
Status BindAssignments(const std::vector<ast::Assignment>& assignments, BindContext& ctx, bool check_qualifier,
                       std::vector<uint32_t>* columns, std::vector<BoundExprPtr>* values);

// DELETE: its target rows. REQUIRES: `table` is stmt.table resolved by the caller.
Result<BoundTargetRows> BindDelete(const ast::Delete& stmt, std::shared_ptr<const TableSchema> table,
                                   std::string alias, const SessionContext& session);

// UPDATE: SET columns[i] = values[i] (in order; each value sees the row as updated so far;
// SET c = DEFAULT is the column's default), over its target rows. 1054 for an unknown SET
// column. The SET list is bound before WHERE, so its errors come first.
struct BoundUpdate {
  std::vector<uint32_t> columns;
  std::vector<BoundExprPtr> values;
  BoundTargetRows target;
};
Result<BoundUpdate> BindUpdate(const ast::Update& stmt, std::shared_ptr<const TableSchema> table,
                               std::string alias, const SessionContext& session);

}  // namespace strata::sql
