#include "node/stall_deadline.h"

#include <gtest/gtest.h>

namespace strata::node {
namespace {

using std::chrono::seconds;

TEST(StallDeadlineTest, ExpiresAfterThePatienceWithoutProgress) {
  StallDeadline::Clock::time_point t0{};
  StallDeadline d(seconds(10), 5, t0);
  EXPECT_FALSE(d.Expired(t0 + seconds(9)));
  d.Observe(5, t0 + seconds(9));  // the same value is not progress
  EXPECT_TRUE(d.Expired(t0 + seconds(10)));
}

TEST(StallDeadlineTest, ProgressRestartsThePatience) {
  // A replay that advances every 4 s for a minute is waited for; once it stops, 10 s later
  // the wait gives up.
  StallDeadline::Clock::time_point t0{};
  StallDeadline d(seconds(10), 0, t0);
  uint64_t applied = 0;
  for (int s = 4; s <= 60; s += 4) {
    EXPECT_FALSE(d.Expired(t0 + seconds(s))) << s;
    d.Observe(++applied, t0 + seconds(s));
  }
  EXPECT_FALSE(d.Expired(t0 + seconds(69)));
  EXPECT_TRUE(d.Expired(t0 + seconds(70)));
}

}  // namespace
}  // namespace strata::node
