// The binder: resolves an ast::Expr against the columns in scope, types it, looks up
// functions and folds constants. Errors are MySQL's: 1054 unknown column (naming the
// clause), 1052 ambiguous column, 1111 invalid use of group function, 1305 unknown function.
#pragma once

#include <vector>

#include "sql/binder/session_context.h"
#include "sql/expression/expr.h"
#include "sql/types/schema.h"

namespace strata::sql {

struct BindScope {
  const TableSchema* table = nullptr;  // nullptr: no columns (SELECT without FROM, VALUES)
  std::string alias;                   // how the query names the table (alias or name)
};

struct BindContext {
  const SessionContext* session = nullptr;  // REQUIRES: set
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

// Binds a LIMIT or OFFSET expression: it must fold to a non-negative integer (else 1210).
Result<uint64_t> BindLimit(const ast::Expr& e, const SessionContext& session);

}  // namespace strata::sql
