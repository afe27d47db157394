// The binder: resolves an ast::Expr against the columns in scope, types it, looks up
// functions and folds constants. Errors are MySQL's: 1054 unknown column (naming the
// clause), 1052 ambiguous column, 1111 invalid use of group function, 1305 unknown function.
// A column binds to its position in the row of the tables in scope (ScopeTable::offset).
#pragma once

#include <memory>
#include <vector>

#include "sql/binder/session_context.h"
#include "sql/expression/expr.h"
#include "sql/types/schema.h"

namespace strata::sql {

// One table whose columns are in scope: its columns sit in the row at offset + i.
struct ScopeTable {
  const TableSchema* table = nullptr;
  std::string alias;  // how the query names the table (alias or name)
  uint32_t offset = 0;
  // Columns an unqualified name does not find (the right-hand copy of a USING / NATURAL
  // join column, which names the left-hand one). Empty: none.
  std::vector<bool> hidden;
  // A derived table's column types (its schema names the columns only). nullptr: the
  // schema's types.
  std::shared_ptr<const std::vector<OutType>> column_types;

  OutType TypeOf(uint32_t column) const {
    if (!column_types) return OutTypeOfColumn(*table, column);
    OutType t = (*column_types)[column];
    t.table = table;
    t.column = static_cast<int32_t>(column);
    return t;
  }
  // A reference to `column` in the combined row. A stored table's TIMESTAMP column holds UTC
  // and reads as the session's time (BoundExpr::timestamp_utc).
  BoundExprPtr Ref(uint32_t column) const {
    BoundExprPtr e = MakeColumnRef(offset + column, TypeOf(column));
    e->timestamp_utc = !column_types && table->columns[column].type.kind == ast::TypeKind::kTimestamp;
    return e;
  }
};

// The columns in scope: none (SELECT without FROM, VALUES), one table, or the tables of a
// join, side by side in one row. A name found in two tables is ambiguous (1052).
struct BindScope {
  BindScope() = default;
  BindScope(const TableSchema* table, std::string alias) {
    if (table) tables.push_back({table, std::move(alias), 0, {}, nullptr});
  }
  const ScopeTable* single() const { return tables.size() == 1 ? &tables[0] : nullptr; }

  std::vector<ScopeTable> tables;
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
  // A subquery's context: the enclosing query's (whose columns a correlated reference
  // reads), and where to record that one did. nullptr: the outermost query.
  const BindContext* outer = nullptr;
  bool* correlated = nullptr;
  // Where window function calls go when allowed (the select list and ORDER BY of a SELECT):
  // each becomes a reference at kWindowColumnMark + its index. nullptr: not allowed (3593).
  std::vector<WindowCall>* windows = nullptr;
  const std::vector<ast::NamedWindow>* named_windows = nullptr;  // the SELECT's WINDOW clause
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
