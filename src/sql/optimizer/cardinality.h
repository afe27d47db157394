// Cardinality estimates: roughly how many rows a plan node returns, from the tables' row
// counts (LogicalGet::estimated_rows, catalog/row_estimates.h) and column statistics
// (LogicalGet::statistics, types/column_statistics.h) where they were gathered. Join
// ordering and the index-join choice compare plans with them; a wrong guess costs time,
// never a wrong answer.
//
// Selectivities (the share of rows a conjunct keeps): a comparison of a column with a
// constant (=, <=>, <>, <, <=, >, >=, BETWEEN, IN, IS [NOT] NULL) reads the column's
// histogram and NULL share when it has statistics. Otherwise MySQL's defaults:
// `col = constant` 1/10 (one row when col alone is the primary key or a unique index), a
// range bound 1/3, BETWEEN 1/9, IN (n values) n/10 (at most 1/2), <> and NOT ... 9/10,
// anything else 1/2. Conjuncts multiply; OR adds. An equi-join key with statistics meets
// rows / distinct values of its table per value.
#pragma once

#include "sql/planner/logical_plan.h"

namespace strata::sql {

// A table whose size nobody estimated counts as this many rows.
constexpr double kUnknownTableRows = 1000;
// One index lookup (a seek into the key space) costs as much as reading this many rows of a
// scan; every row it returns costs one more (two through a secondary index: the index entry,
// then the row).
constexpr double kLookupCost = 3;

double TableRows(const LogicalGet& get);  // at least 1
// The statistics of column `column` of `get`'s table, or null (none gathered, or no Get).
const ColumnStatistics* ColumnStats(const LogicalGet* get, uint32_t column);
// True when `column` alone is the primary key or a unique index of `table`.
bool IsUniqueColumn(const TableSchema& table, uint32_t column);
// The share of rows `conjunct` keeps. `get`, when not null, is the table whose columns start
// at position `offset` of the conjunct's row (for unique keys).
double Selectivity(const BoundExpr& conjunct, const LogicalGet* get, uint32_t offset);
// How many rows of a right side of `right_rows` rows (`right_base` in its table) each row of
// `left` (`left_rows` rows) meets through equalities left_keys[i] = right_keys[i]
// (right_keys may be empty: unknown). A key that is a unique column of its table is taken as
// a foreign key's target: a unique right key meets at most right_rows / right_base rows, a
// unique left key (a table of n rows under `left`) right_rows / n; otherwise a value repeats
// in a tenth of the right side, or right_rows / min(left_rows, right_rows) if that is less —
// unless `right_get` (the right side when it is a table) has statistics for a right key:
// then right_rows / its distinct values.
double RowsPerKey(const LogicalOperator& left, double left_rows, const std::vector<BoundExprPtr>& left_keys,
                  double right_rows, double right_base, const std::vector<BoundExprPtr>& right_keys,
                  const LogicalGet* right_get = nullptr);
// The rows `plan` returns, roughly; at least 1.
double EstimateRows(const LogicalOperator& plan);

}  // namespace strata::sql
