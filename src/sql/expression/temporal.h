// Dates and times inside the function library: reading DATE / DATETIME / TIME values (which
// are strings in StrataDB, see value.h) and numbers like 20241231, calendar arithmetic, and
// MySQL's INTERVAL units.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sql/types/calendar.h"
#include "sql/types/value.h"

namespace strata::sql::functions {

struct DateTime {
  int64_t year = 0, month = 0, day = 0;
  int64_t hour = 0, minute = 0, second = 0, micro = 0;
  bool has_time = false;  // a DATETIME (or a DATE given a time by arithmetic)
};

// A date or datetime: '2024-02-29', '2024-02-29 10:11:12.5', '20240229', 20240229,
// 20240229101112; invalid dates and the zero date give nullopt.
std::optional<DateTime> ReadDateTime(const Value& v);
// A time of day or duration: '10:11:12', '-838:59:59', '1 10:00:00', 101112; or the time of a
// datetime. Microseconds, negative for a negative time.
std::optional<int64_t> ReadTimeMicros(const Value& v);

std::string FormatDate(const DateTime& t);
std::string FormatDateTime(const DateTime& t);  // with ".ffffff" when micro != 0
std::string FormatTimeMicros(int64_t micros);   // "-01:02:03", hours may pass 24

// Day numbers (sql/types/calendar.h).
using sql::CivilFromDays;
using sql::DaysFromCivil;
using sql::DaysInMonth;

// Microseconds since 1970-01-01 00:00:00 of `t` (no time zone).
int64_t EpochMicros(const DateTime& t);
DateTime FromEpochMicros(int64_t micros);

// An INTERVAL's value: whole months (YEAR, QUARTER, MONTH, YEAR_MONTH) plus microseconds.
struct Interval {
  int64_t months = 0;
  int64_t micros = 0;
};
std::optional<Interval> ReadInterval(const Value& amount, std::string_view unit);

// `t` moved by `interval` (months first, the day clamped to the month's end). nullopt when the
// result leaves years 0-9999.
std::optional<DateTime> AddInterval(DateTime t, const Interval& interval);

}  // namespace strata::sql::functions
