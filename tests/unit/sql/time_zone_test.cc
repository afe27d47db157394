// TIMESTAMP columns store UTC (sql/types/time_zone.h): the conversions between a session's
// civil time and the stored text, and the bounds that key ranges use.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "sql/types/time_zone.h"

namespace strata::sql {
namespace {

TimeZone Zone(std::string_view name) {
  Result<TimeZone> zone = TimeZone::Parse(name);
  EXPECT_TRUE(zone.ok()) << name;
  return std::move(zone).value();
}

TEST(TimestampUtc, FixedOffsetsConvertBothWaysAndKeepTheFraction) {
  TimeZone india = Zone("+05:30");
  EXPECT_TRUE(india.is_fixed());
  EXPECT_FALSE(india.is_utc());
  EXPECT_EQ(TimestampToUtc("2024-01-15 17:30:00", &india), "2024-01-15 12:00:00");
  EXPECT_EQ(TimestampFromUtc("2024-01-15 12:00:00", &india), "2024-01-15 17:30:00");
  EXPECT_EQ(TimestampToUtc("2024-01-01 02:00:00.125", &india), "2023-12-31 20:30:00.125");
  EXPECT_EQ(TimestampFromUtc("2023-12-31 20:30:00.125", &india), "2024-01-01 02:00:00.125");
  TimeZone west = Zone("-13:59");
  EXPECT_EQ(TimestampFromUtc("2000-03-01 00:00:00", &west), "2000-02-29 10:01:00");  // a leap day
}

TEST(TimestampUtc, UtcAndZeroAndOtherTextPassThrough) {
  TimeZone utc = Zone("UTC");
  EXPECT_TRUE(utc.is_utc());
  EXPECT_TRUE(Zone("+00:00").is_utc());
  EXPECT_EQ(TimestampToUtc("2024-05-05 05:05:05", &utc), "2024-05-05 05:05:05");
  TimeZone paris = Zone("Europe/Paris");
  EXPECT_FALSE(paris.is_fixed());
  EXPECT_EQ(TimestampToUtc("0000-00-00 00:00:00", &paris), "0000-00-00 00:00:00");
  EXPECT_EQ(TimestampFromUtc("0000-00-00 00:00:00.000", &paris), "0000-00-00 00:00:00.000");
  EXPECT_EQ(TimestampFromUtc("not a time", &paris), "not a time");
}

TEST(TimestampUtc, RepeatedAndSkippedCivilTimesBoundEveryInstant) {
  TimeZone ny = Zone("America/New_York");
  // 2024-11-03: 01:30 happens at 05:30 (EDT) and again at 06:30 UTC (EST).
  EXPECT_EQ(TimestampToUtc("2024-11-03 01:30:00", &ny), "2024-11-03 05:30:00");
  EXPECT_EQ(TimestampToUtc("2024-11-03 01:30:00", &ny, /*latest=*/true), "2024-11-03 06:30:00");
  EXPECT_EQ(TimestampFromUtc("2024-11-03 06:30:00", &ny), "2024-11-03 01:30:00");
  // 2024-03-10: 02:30 never happens; both bounds are the instant the clocks jump (07:00 UTC).
  EXPECT_EQ(TimestampToUtc("2024-03-10 02:30:00", &ny), "2024-03-10 07:00:00");
  EXPECT_EQ(TimestampToUtc("2024-03-10 02:30:00", &ny, true), "2024-03-10 07:00:00");
  // Every instant of two years, every 15 minutes: it reads back as a civil time whose bounds
  // hold it, and whose earliest reading converts back to the same civil time.
  const int64_t start = 1704067200;  // 2024-01-01 00:00:00 UTC
  for (int64_t t = start; t < start + 2 * 366 * 86400; t += 900) {
    TimeZone::Civil u = TimeZone::Utc().ToCivil(t);
    std::string utc = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", u.year, u.month, u.day, u.hour, u.minute, u.second);
    std::string local = TimestampFromUtc(utc, &ny);
    ASSERT_LE(TimestampToUtc(local, &ny), utc) << local;
    ASSERT_GE(TimestampToUtc(local, &ny, true), utc) << local;
    ASSERT_EQ(TimestampFromUtc(TimestampToUtc(local, &ny), &ny), local);
  }
}

TEST(TimestampUtc, RangeIsCheckedInUtc) {
  EXPECT_TRUE(TimestampInRange("1970-01-01 00:00:01"));
  EXPECT_FALSE(TimestampInRange("1970-01-01 00:00:00"));
  EXPECT_TRUE(TimestampInRange("2038-01-19 03:14:07.999999"));
  EXPECT_FALSE(TimestampInRange("2038-01-19 03:14:08"));
  EXPECT_TRUE(TimestampInRange("0000-00-00 00:00:00"));
  EXPECT_FALSE(TimestampInRange("1969-12-31 23:59:59"));
}

}  // namespace
}  // namespace strata::sql
