// Index selection: how to reach the rows of one table that satisfy a predicate. Reads the
// predicate's AND-ed conjuncts for constraints on key columns: primary-key points (`=`,
// `IN`), a primary-key range (`BETWEEN`, `<`, ..., a key prefix), equality on every column
// of a secondary index, or else a full scan. The filter always runs above the scan, so a
// path only has to return a superset of the matching rows.
#pragma once

#include <optional>

#include "sql/expression/expr.h"
#include "sql/planner/access_path.h"

namespace strata::sql {

// `where` may be nullptr (full scan). `zone` is the session's time zone (nullptr: SYSTEM),
// which turns constants compared with a TIMESTAMP column into the UTC the column stores.
AccessPath ChooseAccessPath(const TableSchema& table, const BoundExpr* where, const TimeZone* zone);

// Converts a constant to what `column` stores, only if the conversion keeps its value
// (so a key built from it finds exactly the rows the comparison would).
std::optional<Value> KeyConstant(const ColumnSchema& column, const Value& v);

// The comparison with its operands swapped: `c < x` is `x > c` (other operators as they are).
ast::Op FlipComparison(ast::Op op);

}  // namespace strata::sql
