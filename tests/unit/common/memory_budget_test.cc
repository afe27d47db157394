// MemoryBudget / MemoryCharge: reservations never pass the limit, refusals change
// nothing, and every charge gives its bytes back.
#include "common/memory_budget.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(MemoryBudget, ChargesGrowInStepsAndNeverPassTheLimit) {
  MemoryBudget budget(10 << 20);
  {
    MemoryCharge a(&budget);
    EXPECT_TRUE(a.GrowTo(100, 1 << 20));
    EXPECT_EQ(a.bytes(), 1u << 20);  // rounded up to the step
    EXPECT_TRUE(a.GrowTo(5 << 20, 1 << 20));
    MemoryCharge b(&budget);
    EXPECT_TRUE(b.GrowTo(4 << 20));
    EXPECT_EQ(budget.used(), 9u << 20);
    EXPECT_FALSE(b.GrowTo((5 << 20) + 1));  // 1 MiB + 1 more than is left
    EXPECT_EQ(b.bytes(), 4u << 20);        // unchanged by the refusal
    EXPECT_EQ(budget.refusals(), 1u);
    // The rounded step does not fit, the exact amount does.
    EXPECT_TRUE(b.GrowTo((4 << 20) + 100, 8 << 20));
    EXPECT_EQ(b.bytes(), (4u << 20) + 100);
    MemoryCharge moved = std::move(a);
    EXPECT_EQ(a.bytes(), 0u);
    EXPECT_EQ(budget.used(), (9u << 20) + 100);
  }
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(budget.peak(), (9u << 20) + 100);
  MemoryCharge unbudgeted;
  EXPECT_TRUE(unbudgeted.GrowTo(uint64_t{1} << 50));
}

TEST(MemoryBudget, ConcurrentChargesStayWithinTheLimit) {
  MemoryBudget budget(1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; i++) {
        MemoryCharge c(&budget);
        if (c.GrowTo(300)) {
          EXPECT_LE(budget.used(), 1000u);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_LE(budget.peak(), 1000u);
}

TEST(MemoryBudget, OutOfMemoryIsMysql1041) {
  MemoryBudget budget(1 << 20);
  Status s = ErrOutOfSessionMemory(budget, "a packet of 5 bytes", "it was not executed");
  EXPECT_EQ(s.mysql_errno(), 1041);
  EXPECT_EQ(s.sqlstate(), "HY000");
  EXPECT_NE(s.message().find("memory_limit_mb"), std::string::npos);
}

}  // namespace
}  // namespace strata
