// Which index of a table an index nested-loop join can read, given equalities between the
// table's columns and values of the left row. Shared by the index-join rule (index_join.cc)
// and join ordering (join_order.cc), so that the order is chosen for the joins that will
// actually run.
#pragma once

#include <vector>

#include "sql/expression/expr.h"
#include "sql/types/schema.h"

namespace strata::sql {

// `column` of the right table equals a left-row value of type `left_type` (from_join), or a
// constant of that type.
struct KeyEquality {
  uint32_t column;
  OutType left_type;
  bool from_join = true;
};

struct LookupIndex {
  const IndexSchema* index = nullptr;  // nullptr: no index serves
  size_t covered = 0;                  // leading columns of the index the equalities give
  bool unique = false;                 // every column of the primary key or a unique index
};

// True when a left value of type `left` can be turned into an index key of `column` that
// finds exactly the rows `column = value` holds for (numbers for numeric columns, strings
// for character columns). Other pairs — temporal, binary, ENUM/SET, JSON, BIT columns, or a
// number against a string — stay hash joins, whose comparison follows MySQL's conversions.
bool IndexKeyServes(const ColumnSchema& column, const OutType& left);

// The index whose leading columns the equalities give, at least one of them from the join:
// a unique lookup first, then the most columns, then the primary key (one read per row, not
// two). index == nullptr when none.
LookupIndex BestLookupIndex(const TableSchema& table, const std::vector<KeyEquality>& given);

}  // namespace strata::sql
