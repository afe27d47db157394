// The top-N sort (optimizer/top_n.cc, SortOp with top_n): for random inputs with many ties
// and NULLs, its rows are exactly the first N of the full stable sort, in the same order.
#include <random>

#include <gtest/gtest.h>

#include "sql/execution/operators.h"

namespace strata::sql {
namespace {

std::vector<Row> RunSort(const std::vector<Row>& input, const std::vector<SortKey>& keys, uint64_t top_n) {
  OperatorPtr sort = MakeSort(MakeValues(&input), keys, top_n);
  Result<std::vector<Row>> rows = Drain(*sort);
  EXPECT_TRUE(rows.ok());
  return rows.ok() ? *rows : std::vector<Row>{};
}

TEST(TopNTest, SameRowsAndOrderAsTheFullStableSort) {
  std::mt19937 rng(20261205);
  for (int round = 0; round < 200; round++) {
    const size_t n = rng() % 3000;
    std::vector<Row> input;
    for (size_t i = 0; i < n; i++) {
      Value k = rng() % 10 == 0 ? Value::Null() : Value::Int(static_cast<int64_t>(rng() % 7));
      input.push_back({k, Value::Int(static_cast<int64_t>(rng() % 3)), Value::Int(static_cast<int64_t>(i))});
    }
    std::vector<SortKey> keys = {{0, rng() % 2 == 0}, {1, rng() % 2 == 0}};
    const uint64_t top = 1 + rng() % 50;
    std::vector<Row> full = RunSort(input, keys, 0);
    if (full.size() > top) full.resize(top);
    std::vector<Row> heap = RunSort(input, keys, top);
    ASSERT_EQ(heap.size(), full.size()) << round;
    for (size_t i = 0; i < full.size(); i++)  // column 2 is the input position: ties in input order
      ASSERT_EQ(heap[i][2].int_value(), full[i][2].int_value()) << "round " << round << " row " << i;
  }
}

}  // namespace
}  // namespace strata::sql
