// The proleptic Gregorian calendar as day numbers: what DATE/DATETIME values (strings,
// value.h) need for validation, rounding into the next day, and date arithmetic.
#pragma once

#include <cstdint>

namespace strata::sql {

// Days since 1970-01-01 (proleptic Gregorian), and back (H. Hinnant's algorithms).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d);
void CivilFromDays(int64_t days, int64_t* y, int64_t* m, int64_t* d);
// 28-31; 0 for a month outside 1-12.
int64_t DaysInMonth(int64_t y, int64_t m);

}  // namespace strata::sql
