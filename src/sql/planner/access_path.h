// How a scan reaches the rows of one table: the optimizer chooses it (index selection,
// optimizer/access_path.h), the scan operator follows it (execution/operators.h).
#pragma once

#include <vector>

#include "common/slice.h"
#include "sql/types/schema.h"

namespace strata::sql {

struct KeyRange {
  Bytes begin;  // inclusive
  Bytes end;    // exclusive
};

// How a scan reaches its rows. A path may return more rows than the query wants (the filter
// above it still runs), never fewer.
struct AccessPath {
  enum class Kind { kFullScan, kPrimaryRanges, kPrimaryPoints, kIndexPrefix } kind = Kind::kFullScan;
  std::vector<KeyRange> ranges;  // kPrimaryRanges / kIndexPrefix (index key ranges)
  std::vector<Bytes> points;     // kPrimaryPoints: full row keys
  const IndexSchema* index = nullptr;  // kIndexPrefix
  bool index_equality = true;          // kIndexPrefix: every range is one equality prefix (EXPLAIN "ref")
  bool index_whole_key = false;        // kIndexPrefix: ... of every column of the index (EXPLAIN "const" if unique)
  // How many leading columns of the key (primary or `index`) the ranges or points narrow:
  // EXPLAIN's key_len adds up their stored sizes. 0 for a full scan.
  uint32_t key_parts = 0;
};

}  // namespace strata::sql
