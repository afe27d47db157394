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
  const std::string& name() const { return name_; }

 private:
  TimeZone(std::string name, absl::TimeZone zone) : name_(std::move(name)), zone_(zone) {}
  std::string name_;
  absl::TimeZone zone_;
};

}  // namespace strata::sql
