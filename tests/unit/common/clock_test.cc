#include "common/clock.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(Nanos(100));
  EXPECT_EQ(clock.Now(), Nanos(100));
  clock.Advance(std::chrono::milliseconds(5));
  EXPECT_EQ(clock.Now(), Nanos(100) + std::chrono::milliseconds(5));
  const Clock& as_interface = clock;
  EXPECT_EQ(as_interface.Now(), clock.Now());
}

TEST(ClockTest, SystemClockIsMonotonic) {
  Clock& clock = SystemClock::Default();
  Nanos a = clock.Now();
  Nanos b = clock.Now();
  EXPECT_LE(a, b);
  EXPECT_GT(clock.WallNow(), Nanos(std::chrono::hours(24 * 365 * 50)));  // after ~2020
}

}  // namespace
}  // namespace strata
