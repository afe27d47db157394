// sql::TimeZone — a session's time_zone, as MySQL takes it: SYSTEM (the server process's
// zone), UTC, an offset '+HH:MM' / '-HH:MM' within -13:59 .. +14:00, or a name of the tz
// database (Debian's tzdata in /usr/share/zoneinfo, read through abseil's time zone library:
// 'Europe/Paris', 'America/New_York', …). NOW(), CURDATE(), CURTIME(), FROM_UNIXTIME(),
// UNIX_TIMESTAMP(date) and CONVERT_TZ() read civil time in it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/status.h"

namespace strata::sql {

class TimeZone {
 public:
  struct Civil {
    int64_t year = 1970;
    int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  };

  // 1298 (ER_UNKNOWN_TIME_ZONE) for anything else.
  static Result<TimeZone> Parse(std::string_view name);

  // The civil time at Unix time `unix_seconds`.
  Civil ToCivil(int64_t unix_seconds) const;
  // The Unix time of civil time `c` here: in a daylight-saving gap, the first instant after
  // it; in an overlap, the earlier of the two (as MySQL).
  int64_t ToUnix(const Civil& c) const;
  // The latest Unix time whose civil time here is `c` (in an overlap, the later of the two);
  // in a gap, the first instant after it. With ToUnix it bounds every instant that reads as `c`.
  int64_t ToUnixLatest(const Civil& c) const;
  const std::string& name() const { return name_; }
  // UTC itself, or a zone that has always been at offset 0 (SYSTEM on a UTC machine).
  bool is_utc() const { return utc_; }
  // No daylight saving or other offset changes ever: civil time maps to one instant.
  bool is_fixed() const { return fixed_; }

  // The server process's zone (SYSTEM), loaded once; and UTC.
  static const TimeZone& System();
  static const TimeZone& Utc();

 private:
  TimeZone(std::string name, absl::TimeZone zone);
  std::string name_;
  absl::TimeZone zone_;
  bool fixed_ = false, utc_ = false;
};

// ---- TIMESTAMP columns ----
// As in MySQL, a TIMESTAMP column stores UTC; a session writes and reads it in its own time
// zone (`zone`; nullptr: SYSTEM). Values are DATETIME text, 'YYYY-MM-DD HH:MM:SS[.ffffff]';
// the zero date, NULL and anything else pass through unchanged.

// Stored (UTC) text → the session's civil text.
std::string TimestampFromUtc(std::string_view utc, const TimeZone* zone);
// The session's civil text → stored (UTC) text: the earliest instant that reads as `local`
// (the first after a daylight-saving gap); `latest`: the latest (the later one in an overlap).
std::string TimestampToUtc(std::string_view local, const TimeZone* zone, bool latest = false);
// Whether stored (UTC) text lies in TIMESTAMP's range, 1970-01-01 00:00:01 to
// 2038-01-19 03:14:07.999999 UTC, or is the zero date.
bool TimestampInRange(std::string_view utc);

}  // namespace strata::sql
