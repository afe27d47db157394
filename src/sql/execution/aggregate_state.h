// The running state of one aggregate (COUNT, SUM, GROUP_CONCAT, JSON_ARRAYAGG, ...) over
// the rows added to it: hash aggregation keeps one per group and aggregate, window
// aggregation one per frame.
#pragma once

#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sql/execution/row_hash.h"
#include "sql/expression/expr.h"

namespace strata::sql {

struct AggState {
  int64_t count = 0;
  bool exact = true;  // sum so far is exact (ints/decimals)
  Decimal sum_exact;
  double sum_double = 0;
  double mean = 0, m2 = 0;  // Welford's running variance
  uint64_t bits = 0;
  bool bits_started = false;
  Value best;                                    // MIN/MAX
  std::unordered_set<Row, RowHash, RowEq> seen;  // DISTINCT
  std::vector<std::pair<Row, std::string>> parts;  // GROUP_CONCAT: (ORDER BY keys, text)
  size_t part_bytes = 0;
  nlohmann::json json;  // JSON_ARRAYAGG / JSON_OBJECTAGG
};

// Adds `row` (spec.arg and friends are evaluated over it) to `state`.
Status Accumulate(const AggregateSpec& spec, const Row& row, const EvalContext& ctx, AggState* state);
// The aggregate's value over the rows added so far (GROUP_CONCAT sorts its parts in place).
Result<Value> FinishAggregate(const AggregateSpec& spec, AggState* state);

}  // namespace strata::sql
