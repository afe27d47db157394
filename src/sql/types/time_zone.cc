#include "sql/types/time_zone.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "absl/time/civil_time.h"
#include "common/ascii.h"

namespace strata::sql {
namespace {

// Every call into abseil's zone loading goes through this mutex. Loading is thread-safe in
// abseil itself, but Debian's libabsl is not built with ThreadSanitizer, so its internal lazy
// initialization looks like a race to it; ordering the loads on our own (instrumented) mutex
// makes each loaded zone visibly published to the threads that use it.
std::mutex& LoadMutex() {
  static std::mutex mu;
  return mu;
}

Status UnknownTimeZone(std::string_view name) {
  return Status::InvalidArgument(fmt::format("Unknown or incorrect time zone: '{}'", name)).WithMysql(1298, "HY000");
}

// '+HH:MM' / '-HH:MM' within MySQL's -13:59 .. +14:00, in seconds east of UTC.
std::optional<int> OffsetSeconds(std::string_view s) {
  if (s.size() < 5 || s.size() > 6 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon < 2 || s.size() - colon != 3) return std::nullopt;
  int h = 0, m = 0;
  for (size_t i = 1; i < s.size(); i++) {
    if (i == colon) continue;
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    (i < colon ? h : m) = (i < colon ? h : m) * 10 + (s[i] - '0');
  }
  int total = h * 60 + m;
  if (m > 59 || (s[0] == '+' && total > 14 * 60) || (s[0] == '-' && total > 13 * 60 + 59)) return std::nullopt;
  return (s[0] == '-' ? -total : total) * 60;
}

}  // namespace

TimeZone::TimeZone(std::string name, absl::TimeZone zone) : name_(std::move(name)), zone_(zone) {
  absl::TimeZone::CivilTransition transition;
  fixed_ = !zone_.NextTransition(absl::InfinitePast(), &transition);
  utc_ = fixed_ && zone_.At(absl::UnixEpoch()).offset == 0;
}

const TimeZone& TimeZone::System() {
  static const TimeZone* system = [] {
    std::lock_guard lock(LoadMutex());
    return new TimeZone("SYSTEM", absl::LocalTimeZone());
  }();
  return *system;
}

const TimeZone& TimeZone::Utc() {
  static const TimeZone* utc = new TimeZone("UTC", absl::UTCTimeZone());
  return *utc;
}

Result<TimeZone> TimeZone::Parse(std::string_view name) {
  std::lock_guard lock(LoadMutex());
  if (EqualsIgnoreCase(name, "SYSTEM")) return TimeZone("SYSTEM", absl::LocalTimeZone());
  if (EqualsIgnoreCase(name, "UTC")) return TimeZone("UTC", absl::UTCTimeZone());
  if (std::optional<int> offset = OffsetSeconds(name)) return TimeZone(std::string(name), absl::FixedTimeZone(*offset));
  // A tz database name: letters, digits, '_', '-', '+' and '/' between parts; never a path
  // that leaves the database ('..', a leading '/').
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.find("..") != std::string_view::npos)
    return UnknownTimeZone(name);
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '+' && c != '/')
      return UnknownTimeZone(name);
  }
  // Only names the database has reach abseil: it keeps every name it was asked for (failed
  // ones too) for the life of the process. Leap-second zones ("right/…") are not offered.
  const char* tzdir = std::getenv("TZDIR");
  std::error_code ec;
  if (name.starts_with("right/") ||
      !std::filesystem::is_regular_file(std::filesystem::path(tzdir ? tzdir : "/usr/share/zoneinfo") / name, ec))
    return UnknownTimeZone(name);
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(std::string(name), &zone)) return UnknownTimeZone(name);
  return TimeZone(std::string(name), zone);
}

TimeZone::Civil TimeZone::ToCivil(int64_t unix_seconds) const {
  absl::CivilSecond cs = absl::ToCivilSecond(absl::FromUnixSeconds(unix_seconds), zone_);
  return Civil{cs.year(), cs.month(), cs.day(), cs.hour(), cs.minute(), cs.second()};
}

int64_t TimeZone::ToUnix(const Civil& c) const {
  absl::TimeZone::TimeInfo info = zone_.At(absl::CivilSecond(c.year, c.month, c.day, c.hour, c.minute, c.second));
  absl::Time t = info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
  return absl::ToUnixSeconds(t);
}

int64_t TimeZone::ToUnixLatest(const Civil& c) const {
  absl::TimeZone::TimeInfo info = zone_.At(absl::CivilSecond(c.year, c.month, c.day, c.hour, c.minute, c.second));
  absl::Time t = info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.post;
  return absl::ToUnixSeconds(t);
}

namespace {

// 'YYYY-MM-DD HH:MM:SS' at the front of `text` (a fraction may follow); not the zero date.
std::optional<TimeZone::Civil> ParseCivil(std::string_view text) {
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  auto number = [&](size_t at, size_t n, int64_t* out) {
    *out = 0;
    for (size_t i = at; i < at + n; i++) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
      *out = *out * 10 + (text[i] - '0');
    }
    return true;
  };
  int64_t y, mo, d, h, mi, s;
  if (!number(0, 4, &y) || !number(5, 2, &mo) || !number(8, 2, &d) || !number(11, 2, &h) || !number(14, 2, &mi) ||
      !number(17, 2, &s) || mo == 0 || d == 0)
    return std::nullopt;
  return TimeZone::Civil{y, static_cast<int>(mo), static_cast<int>(d), static_cast<int>(h), static_cast<int>(mi),
                         static_cast<int>(s)};
}

std::string WithFraction(const TimeZone::Civil& c, std::string_view rest) {
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}", c.year, c.month, c.day, c.hour, c.minute, c.second, rest);
}

}  // namespace

std::string TimestampFromUtc(std::string_view utc, const TimeZone* zone) {
  if (zone == nullptr) zone = &TimeZone::System();
  if (zone->is_utc()) return std::string(utc);
  std::optional<TimeZone::Civil> c = ParseCivil(utc);
  if (!c) return std::string(utc);
  return WithFraction(zone->ToCivil(TimeZone::Utc().ToUnix(*c)), utc.substr(19));
}

std::string TimestampToUtc(std::string_view local, const TimeZone* zone, bool latest) {
  if (zone == nullptr) zone = &TimeZone::System();
  if (zone->is_utc()) return std::string(local);
  std::optional<TimeZone::Civil> c = ParseCivil(local);
  if (!c) return std::string(local);
  return WithFraction(TimeZone::Utc().ToCivil(latest ? zone->ToUnixLatest(*c) : zone->ToUnix(*c)), local.substr(19));
}

bool TimestampInRange(std::string_view utc) {
  if (utc.starts_with("0000-00-00")) return true;
  return utc.substr(0, 19) >= "1970-01-01 00:00:01" && utc.substr(0, 19) <= "2038-01-19 03:14:07";
}

}  // namespace strata::sql
