// The binder: resolves an ast::Expr against the columns in scope, types it, looks up
// functions and folds constants. Errors are MySQL's: 1054 unknown column (naming the
// clause), 1052 ambiguous column, 1111 invalid use of group function, 1305 unknown function.
#pragma once

#include <vector>

#include "sql/expression/expr.h"
#include "sql/execution/operators.h"
#include "sql/sql.h"

namespace strata::sql {

struct BindScope {
  const TableSchema* table = nullptr;  // nullptr: no columns (SELECT without FROM, VALUES)
  std::string alias;                   // how the query names the table (alias or name)
};

struct BindContext {
  Session* session = nullptr;
  BindScope scope;
  // Where aggregates go when allowed (SELECT list, HAVING, ORDER BY of a grouped query):
  // each becomes a column reference at aggregate_base + its index. nullptr: not allowed.
  std::vector<AggregateSpec>* aggregates = nullptr;
  uint32_t aggregate_base = 0;
  std::string_view clause = "field list";  // for 1054 messages
  bool inside_aggregate = false;
  // ON DUPLICATE KEY UPDATE: VALUES(col) refers to the row being inserted.
  bool allow_values_function = false;
};

Result<BoundExprPtr> BindExpr(const ast::Expr& expr, BindContext& ctx);

// Literal → Value (integers that fit int64 are Int, larger Uint, then Decimal).
Result<Value> LiteralValue(const ast::Expr& literal);

// The column header MySQL shows for an unaliased select item.
std::string ExprHeader(const ast::Expr& expr);

bool ContainsAggregate(const ast::Expr& expr);

// Splits a predicate into its AND-ed conjuncts.
void SplitConjuncts(const BoundExpr* e, std::vector<const BoundExpr*>* out);

// Chooses how to reach the rows of `table` that satisfy `where` (may be nullptr): primary
// key points or ranges, an equality on every column of a secondary index, or a full scan.
// The filter is still applied on top, so the path only has to be a superset.
AccessPath ChooseAccessPath(const TableSchema& table, const BoundExpr* where);

// Converts a constant to what `column` stores, only if the conversion keeps its value
// (so a key built from it finds exactly the rows the comparison would).
std::optional<Value> KeyConstant(const ColumnSchema& column, const Value& v);

// The rows of `table` an UPDATE or DELETE targets (WHERE, ORDER BY, LIMIT), each with its
// row key appended as a trailing value. Materialised before any write (so the statement
// never sees its own changes).
Result<std::vector<Row>> FindTargetRows(Session& session, txn::Transaction* txn, const TableSchema& table,
                                        const std::string& alias, const ast::Expr* where,
                                        const std::vector<ast::OrderItem>& order_by, const ast::Expr* limit,
                                        uint64_t* rows_examined);

// Evaluates a LIMIT/OFFSET expression: a non-negative integer constant.
Result<uint64_t> EvalLimit(const ast::Expr& e, Session& session);

}  // namespace strata::sql
