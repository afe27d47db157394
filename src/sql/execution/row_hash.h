// Rows as keys of hash containers (GROUP BY, DISTINCT, set operations): values equal as
// GROUP BY compares them (GroupEqual: NULLs equal, 1 = 1.0) hash alike.
#pragma once

#include "sql/types/codec.h"
#include "sql/types/value.h"

namespace strata::sql {

struct RowHash {
  size_t operator()(const Row& r) const {
    size_t h = 0;
    for (const Value& v : r) h = h * 1000003 ^ HashValue(v);
    return h;
  }
};

struct RowEq {
  bool operator()(const Row& a, const Row& b) const {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); i++)
      if (!GroupEqual(a[i], b[i])) return false;
    return true;
  }
};

}  // namespace strata::sql
