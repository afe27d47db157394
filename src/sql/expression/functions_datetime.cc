// Date and time functions. An argument that is not a valid date (or time) makes the result
// NULL, as MySQL does outside strict-mode writes. "Now" is the statement's start
// (EvalContext::now_unix_seconds) in the session's time zone (EvalContext::time_zone).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <thread>

#include <fmt/format.h>

#include "common/ascii.h"
#include "sql/errors.h"
#include "sql/expression/function_library.h"
#include "sql/expression/temporal.h"

namespace strata::sql {
namespace functions {
namespace {

using Args = std::span<const Value>;

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr std::string_view kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
constexpr std::string_view kDayNames[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

int64_t Weekday(const DateTime& t) {  // 0 = Monday
  int64_t d = DaysFromCivil(t.year, t.month, t.day);
  return ((d + 3) % 7 + 7) % 7;
}
int64_t DayOfYear(const DateTime& t) { return DaysFromCivil(t.year, t.month, t.day) - DaysFromCivil(t.year, 1, 1) + 1; }
int64_t DaysInYear(int64_t y) { return DaysFromCivil(y + 1, 1, 1) - DaysFromCivil(y, 1, 1); }

// MySQL's week numbering (sql_time.cc calc_week): bit 0 Monday first, bit 1 weeks 1-53
// (else 0-53), bit 2 week 1 is the first week with a first weekday (else with 4+ days).
constexpr int kMondayFirst = 1, kWeekYear = 2, kFirstWeekday = 4;

int64_t CalcWeek(const DateTime& t, int behaviour, int64_t* year) {
  int64_t daynr = DaysFromCivil(t.year, t.month, t.day);
  int64_t first_daynr = DaysFromCivil(t.year, 1, 1);
  bool monday_first = behaviour & kMondayFirst;
  bool week_year = behaviour & kWeekYear;
  bool first_weekday = behaviour & kFirstWeekday;
  auto weekday_of = [&](int64_t d) { return (((d + (monday_first ? 3 : 4)) % 7) + 7) % 7; };
  int64_t weekday = weekday_of(first_daynr);
  *year = t.year;
  if (t.month == 1 && t.day <= 7 - weekday) {
    if (!week_year && ((first_weekday && weekday != 0) || (!first_weekday && weekday >= 4))) return 0;
    week_year = true;
    (*year)--;
    int64_t days = DaysInYear(*year);
    first_daynr -= days;
    weekday = (weekday + 53 * 7 - days) % 7;
  }
  int64_t days = (first_weekday && weekday != 0) || (!first_weekday && weekday >= 4)
                     ? daynr - (first_daynr + (7 - weekday))
                     : daynr - (first_daynr - weekday);
  if (week_year && days >= 52 * 7) {
    weekday = (weekday + DaysInYear(*year)) % 7;
    if ((!first_weekday && weekday < 4) || (first_weekday && weekday == 0)) {
      (*year)++;
      return 1;
    }
  }
  return days / 7 + 1;
}

int WeekMode(int64_t mode) {
  int m = static_cast<int>(mode & 7);
  if (!(m & kMondayFirst)) m ^= kFirstWeekday;
  return m;
}

std::optional<DateTime> Date(const Value& v) { return ReadDateTime(v); }

#define STRATA_DATE_PART(NAME, EXPR)                   \
  Result<Value> NAME(Args a, const EvalContext&) {     \
    auto t = Date(a[0]);                               \
    if (!t) return Value::Null();                      \
    return Value::Int(EXPR);                           \
  }
STRATA_DATE_PART(Year, t->year)
STRATA_DATE_PART(Month, t->month)
STRATA_DATE_PART(Day, t->day)
STRATA_DATE_PART(Quarter, (t->month + 2) / 3)
STRATA_DATE_PART(DayOfWeek, (Weekday(*t) + 1) % 7 + 1)
STRATA_DATE_PART(WeekdayFn, Weekday(*t))
STRATA_DATE_PART(DayOfYearFn, DayOfYear(*t))
STRATA_DATE_PART(ToDays, DaysFromCivil(t->year, t->month, t->day) + 719528)
STRATA_DATE_PART(WeekOfYear, [&] { int64_t y; return CalcWeek(*t, WeekMode(3), &y); }())
#undef STRATA_DATE_PART

Result<Value> TimePart(const Value& v, int part) {  // 0 hour, 1 minute, 2 second, 3 microsecond
  auto micros = ReadTimeMicros(v);
  if (!micros) return Value::Null();
  int64_t u = *micros < 0 ? -*micros : *micros;
  int64_t s = u / kMicrosPerSecond;
  switch (part) {
    case 0: return Value::Int(s / 3600);
    case 1: return Value::Int(s / 60 % 60);
    case 2: return Value::Int(s % 60);
    default: return Value::Int(u % kMicrosPerSecond);
  }
}
Result<Value> Hour(Args a, const EvalContext&) { return TimePart(a[0], 0); }
Result<Value> Minute(Args a, const EvalContext&) { return TimePart(a[0], 1); }
Result<Value> Second(Args a, const EvalContext&) { return TimePart(a[0], 2); }
Result<Value> Microsecond(Args a, const EvalContext&) { return TimePart(a[0], 3); }

Result<Value> Week(Args a, const EvalContext&) {
  auto t = Date(a[0]);
  if (!t) return Value::Null();
  int64_t year;
  return Value::Int(CalcWeek(*t, WeekMode(a.size() > 1 && !a[1].is_null() ? Int(a[1]) : 0), &year));
}

Result<Value> YearWeek(Args a, const EvalContext&) {
  auto t = Date(a[0]);
  if (!t) return Value::Null();
  int64_t year;
  int64_t week = CalcWeek(*t, WeekMode(a.size() > 1 && !a[1].is_null() ? Int(a[1]) : 0) | kWeekYear, &year);
  return Value::Int(year * 100 + week);
}

Result<Value> MonthName(Args a, const EvalContext&) {
  auto t = Date(a[0]);
  return t ? Value::String(std::string(kMonthNames[t->month - 1])) : Value::Null();
}
Result<Value> DayName(Args a, const EvalContext&) {
  auto t = Date(a[0]);
  return t ? Value::String(std::string(kDayNames[Weekday(*t)])) : Value::Null();
}

Result<Value> DateFn(Args a, const EvalContext&) {
  auto t = Date(a[0]);
  return t ? Value::String(FormatDate(*t)) : Value::Null();
}

Result<Value> TimeFn(Args a, const EvalContext&) {
  auto micros = ReadTimeMicros(a[0]);
  return micros ? Value::String(FormatTimeMicros(*micros)) : Value::Null();
}

Result<Value> LastDay(Args a, const EvalContext&) {
  auto t = Date(a[0]);
  if (!t) return Value::Null();
  t->day = DaysInMonth(t->year, t->month);
  return Value::String(FormatDate(*t));
}

Result<Value> FromDays(Args a, const EvalContext&) {
  int64_t n = Int(a[0]) - 719528;
  if (n < DaysFromCivil(0, 1, 1) || n > DaysFromCivil(9999, 12, 31)) return Value::String("0000-00-00");
  DateTime t;
  CivilFromDays(n, &t.year, &t.month, &t.day);
  return Value::String(FormatDate(t));
}

Result<Value> MakeDate(Args a, const EvalContext&) {
  int64_t y = Int(a[0]), doy = Int(a[1]);
  if (doy <= 0 || y < 0 || y > 9999) return Value::Null();
  if (y < 70) y += 2000;
  else if (y < 100) y += 1900;
  DateTime t;
  CivilFromDays(DaysFromCivil(y, 1, 1) + doy - 1, &t.year, &t.month, &t.day);
  if (t.year > 9999) return Value::Null();
  return Value::String(FormatDate(t));
}

Result<Value> DateDiff(Args a, const EvalContext&) {
  auto x = Date(a[0]), y = Date(a[1]);
  if (!x || !y) return Value::Null();
  return Value::Int(DaysFromCivil(x->year, x->month, x->day) - DaysFromCivil(y->year, y->month, y->day));
}

// The result of date ± interval, formatted as MySQL does: a DATE stays a DATE for whole-day
// units, anything else becomes a DATETIME.
Result<Value> Shift(const Value& date, const Value& amount, std::string_view unit, bool subtract) {
  auto t = Date(date);
  auto interval = ReadInterval(amount, unit);
  if (!t || !interval) return Value::Null();
  if (subtract) {
    interval->months = -interval->months;
    interval->micros = -interval->micros;
  }
  bool with_time = t->has_time || !IsWholeDayUnit(unit);
  auto r = AddInterval(*t, *interval);
  if (!r) return Value::Null();
  return Value::String(with_time ? FormatDateTime(*r) : FormatDate(*r));
}

Result<Value> AddIntervalFn(Args a, const EvalContext&) { return Shift(a[0], a[1], Text(a[2]), false); }
Result<Value> SubIntervalFn(Args a, const EvalContext&) { return Shift(a[0], a[1], Text(a[2]), true); }
// ADDDATE(d, n) / SUBDATE(d, n): n days (the INTERVAL forms are rewritten by the binder).
Result<Value> AddDays(Args a, const EvalContext&) { return Shift(a[0], a[1], "DAY", false); }
Result<Value> SubDays(Args a, const EvalContext&) { return Shift(a[0], a[1], "DAY", true); }
Result<Value> TimestampAdd(Args a, const EvalContext&) { return Shift(a[2], a[1], ToUpper(Text(a[0])), false); }

Result<Value> TimestampDiff(Args a, const EvalContext&) {
  std::string unit = ToUpper(Text(a[0]));
  auto x = Date(a[1]), y = Date(a[2]);
  if (!x || !y) return Value::Null();
  int64_t months_per = unit == "MONTH" ? 1 : unit == "QUARTER" ? 3 : unit == "YEAR" ? 12 : 0;
  int64_t ux = EpochMicros(*x), uy = EpochMicros(*y);
  if (months_per) {
    int64_t months = (y->year * 12 + y->month) - (x->year * 12 + x->month);
    // A partial month does not count: compare the rest (day and time of day).
    int64_t rest_x = ux - EpochMicros(DateTime{x->year, x->month, 1, 0, 0, 0, 0, false});
    int64_t rest_y = uy - EpochMicros(DateTime{y->year, y->month, 1, 0, 0, 0, 0, false});
    if (months > 0 && rest_y < rest_x) months--;
    if (months < 0 && rest_y > rest_x) months++;
    return Value::Int(months / months_per);
  }
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"MICROSECOND", 1}, {"SECOND", kMicrosPerSecond}, {"MINUTE", 60 * kMicrosPerSecond},
      {"HOUR", 3600 * kMicrosPerSecond}, {"DAY", 86400 * kMicrosPerSecond}, {"WEEK", 7 * 86400 * kMicrosPerSecond}};
  for (auto [name, per] : kUnits)
    if (name == unit) return Value::Int((uy - ux) / per);
  return Value::Null();
}

Result<Value> Extract(Args a, const EvalContext&) {
  std::string unit = ToUpper(Text(a[0]));
  auto t = Date(a[1]);
  auto micros = ReadTimeMicros(a[1]);
  int64_t hms = 0, h = 0, m = 0, s = 0, us = 0;
  if (t) {
    h = t->hour, m = t->minute, s = t->second, us = t->micro;
  } else if (micros) {
    int64_t u = *micros < 0 ? -*micros : *micros;
    us = u % kMicrosPerSecond;
    hms = u / kMicrosPerSecond;
    h = hms / 3600, m = hms / 60 % 60, s = hms % 60;
  } else {
    return Value::Null();
  }
  if (unit == "HOUR") return Value::Int(h);
  if (unit == "MINUTE") return Value::Int(m);
  if (unit == "SECOND") return Value::Int(s);
  if (unit == "MICROSECOND") return Value::Int(us);
  if (unit == "HOUR_MINUTE") return Value::Int(h * 100 + m);
  if (unit == "HOUR_SECOND") return Value::Int(h * 10000 + m * 100 + s);
  if (unit == "MINUTE_SECOND") return Value::Int(m * 100 + s);
  if (unit == "SECOND_MICROSECOND") return Value::Int(s * 1000000 + us);
  if (!t) return Value::Null();
  int64_t year;
  if (unit == "YEAR") return Value::Int(t->year);
  if (unit == "MONTH") return Value::Int(t->month);
  if (unit == "DAY") return Value::Int(t->day);
  if (unit == "QUARTER") return Value::Int((t->month + 2) / 3);
  if (unit == "WEEK") return Value::Int(CalcWeek(*t, WeekMode(0), &year));
  if (unit == "YEAR_MONTH") return Value::Int(t->year * 100 + t->month);
  if (unit == "DAY_HOUR") return Value::Int(t->day * 100 + h);
  if (unit == "DAY_MINUTE") return Value::Int((t->day * 100 + h) * 100 + m);
  if (unit == "DAY_SECOND") return Value::Int(((t->day * 100 + h) * 100 + m) * 100 + s);
  return Value::Null();
}

std::string Format(const DateTime& t, std::string_view format) {
  std::string out;
  auto hour12 = [&] { return t.hour % 12 == 0 ? 12 : t.hour % 12; };
  for (size_t i = 0; i < format.size(); i++) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    char c = format[++i];
    int64_t year;
    switch (c) {
      case 'a': out += kDayNames[Weekday(t)].substr(0, 3); break;
      case 'b': out += kMonthNames[t.month - 1].substr(0, 3); break;
      case 'c': out += fmt::format("{}", t.month); break;
      case 'D': {
        int64_t d = t.day;
        std::string_view suffix = d % 10 == 1 && d != 11 ? "st" : d % 10 == 2 && d != 12 ? "nd" : d % 10 == 3 && d != 13 ? "rd" : "th";
        out += fmt::format("{}{}", d, suffix);
        break;
      }
      case 'd': out += fmt::format("{:02}", t.day); break;
      case 'e': out += fmt::format("{}", t.day); break;
      case 'f': out += fmt::format("{:06}", t.micro); break;
      case 'H': out += fmt::format("{:02}", t.hour); break;
      case 'h': case 'I': out += fmt::format("{:02}", hour12()); break;
      case 'i': out += fmt::format("{:02}", t.minute); break;
      case 'j': out += fmt::format("{:03}", DayOfYear(t)); break;
      case 'k': out += fmt::format("{}", t.hour); break;
      case 'l': out += fmt::format("{}", hour12()); break;
      case 'M': out += kMonthNames[t.month - 1]; break;
      case 'm': out += fmt::format("{:02}", t.month); break;
      case 'p': out += t.hour < 12 ? "AM" : "PM"; break;
      case 'r': out += fmt::format("{:02}:{:02}:{:02} {}", hour12(), t.minute, t.second, t.hour < 12 ? "AM" : "PM"); break;
      case 'S': case 's': out += fmt::format("{:02}", t.second); break;
      case 'T': out += fmt::format("{:02}:{:02}:{:02}", t.hour, t.minute, t.second); break;
      case 'U': out += fmt::format("{:02}", CalcWeek(t, kFirstWeekday, &year)); break;
      case 'u': out += fmt::format("{:02}", CalcWeek(t, kMondayFirst, &year)); break;
      case 'V': out += fmt::format("{:02}", CalcWeek(t, kWeekYear | kFirstWeekday, &year)); break;
      case 'v': out += fmt::format("{:02}", CalcWeek(t, kMondayFirst | kWeekYear, &year)); break;
      case 'W': out += kDayNames[Weekday(t)]; break;
      case 'w': out += fmt::format("{}", (Weekday(t) + 1) % 7); break;
      case 'X': CalcWeek(t, kWeekYear | kFirstWeekday, &year); out += fmt::format("{:04}", year); break;
      case 'x': CalcWeek(t, kMondayFirst | kWeekYear, &year); out += fmt::format("{:04}", year); break;
      case 'Y': out += fmt::format("{:04}", t.year); break;
      case 'y': out += fmt::format("{:02}", t.year % 100); break;
      default: out += c; break;  // %% and unknown specifiers: the character itself
    }
  }
  return out;
}

Result<Value> DateFormat(Args a, const EvalContext&) {
  auto t = Date(a[0]);
  if (!t) return Value::Null();
  return Value::String(Format(*t, Text(a[1])));
}

// STR_TO_DATE(s, format): the inverse of DATE_FORMAT for the numeric and name specifiers.
Result<Value> StrToDate(Args a, const EvalContext&) {
  std::string s = Text(a[0]), format = Text(a[1]);
  DateTime t;
  bool pm = false, twelve = false, has_date = false;
  size_t p = 0;
  auto number = [&](size_t max_digits, int64_t* out) {
    while (p < s.size() && s[p] == ' ') p++;
    size_t begin = p;
    int64_t v = 0;
    while (p < s.size() && p - begin < max_digits && std::isdigit(static_cast<unsigned char>(s[p]))) v = v * 10 + (s[p++] - '0');
    *out = v;
    return p > begin;
  };
  auto name = [&](std::span<const std::string_view> names, size_t len, int64_t* out) {
    for (size_t i = 0; i < names.size(); i++) {
      std::string_view n = len ? names[i].substr(0, len) : names[i];
      if (EqualsIgnoreCase(std::string_view(s).substr(p, n.size()), n)) {
        p += n.size();
        *out = static_cast<int64_t>(i) + 1;
        return true;
      }
    }
    return false;
  };
  for (size_t i = 0; i < format.size(); i++) {
    if (format[i] != '%' || i + 1 == format.size()) {
      if (p >= s.size() || s[p] != format[i]) return Value::Null();
      p++;
      continue;
    }
    char c = format[++i];
    bool ok = true;
    int64_t ignored = 0;
    switch (c) {
      case 'Y': ok = number(4, &t.year); has_date = true; break;
      case 'y': ok = number(2, &t.year); t.year += t.year < 70 ? 2000 : 1900; has_date = true; break;
      case 'm': case 'c': ok = number(2, &t.month); has_date = true; break;
      case 'd': case 'e': ok = number(2, &t.day); has_date = true; break;
      case 'H': case 'k': ok = number(2, &t.hour); t.has_time = true; break;
      case 'h': case 'I': case 'l': ok = number(2, &t.hour); twelve = t.has_time = true; break;
      case 'i': ok = number(2, &t.minute); t.has_time = true; break;
      case 'S': case 's': ok = number(2, &t.second); t.has_time = true; break;
      case 'f': {
        size_t begin = p;
        ok = number(6, &t.micro);
        for (size_t n = p - begin; n < 6; n++) t.micro *= 10;
        break;
      }
      case 'M': ok = name(kMonthNames, 0, &t.month); has_date = true; break;
      case 'b': ok = name(kMonthNames, 3, &t.month); has_date = true; break;
      case 'W': ok = name(kDayNames, 0, &ignored); break;
      case 'a': ok = name(kDayNames, 3, &ignored); break;
      case 'p':
        ok = s.size() >= p + 2 && (EqualsIgnoreCase(s.substr(p, 2), "AM") || EqualsIgnoreCase(s.substr(p, 2), "PM"));
        if (ok) pm = EqualsIgnoreCase(s.substr(p, 2), "PM"), p += 2;
        break;
      case 'T': {
        ok = number(2, &t.hour) && p < s.size() && s[p++] == ':' && number(2, &t.minute) && p < s.size() && s[p++] == ':' &&
             number(2, &t.second);
        t.has_time = true;
        break;
      }
      default: ok = p < s.size() && s[p++] == c; break;
    }
    if (!ok) return Value::Null();
  }
  if (twelve) {
    if (t.hour < 1 || t.hour > 12) return Value::Null();
    t.hour = t.hour % 12 + (pm ? 12 : 0);
  }
  if (!has_date) return t.has_time ? Value::String(FormatTimeMicros(((t.hour * 60 + t.minute) * 60 + t.second) * kMicrosPerSecond + t.micro)) : Value::Null();
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > DaysInMonth(t.year, t.month) || t.hour > 23 || t.minute > 59 || t.second > 59)
    return Value::Null();
  return Value::String(t.has_time ? FormatDateTime(t) : FormatDate(t));
}

DateTime UtcCivil(int64_t unix_seconds) {
  std::time_t tt = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return DateTime{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, 0, true};
}

// SLEEP(seconds): waits, in slices, so that KILL QUERY ends it at once (returning 1, as
// MySQL) and max_execution_time and shutdown interrupt it; 0 when it slept the whole time.
Result<Value> Sleep(Args a, const EvalContext& ctx) {
  double seconds = a[0].ToDouble();
  if (std::isnan(seconds) || seconds < 0) return ErrWrongArguments("sleep");
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(std::min(seconds, 1e9)));
  while (true) {
    if (ctx.killed && ctx.killed->load(std::memory_order_relaxed)) return Value::Int(1);
    STRATA_RETURN_IF_ERROR(CheckInterrupted(ctx));
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return Value::Int(0);
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(deadline - now, std::chrono::milliseconds(10)));
  }
}

// The fractional seconds CURTIME(fsp) / UTC_TIMESTAMP(fsp) / UTC_TIME(fsp) add: the
// statement clock's first fsp digits ("" for none); 1426 past 6, as MySQL.
Result<std::string> ClockFraction(Args a, const EvalContext& ctx, std::string_view function) {
  if (a.empty() || a[0].is_null()) return std::string();
  int64_t fsp = Int(a[0]);
  if (fsp < 0 || fsp > 6) return ErrTooBigPrecision(static_cast<uint32_t>(std::max<int64_t>(fsp, 0)), function, 6);
  if (fsp == 0) return std::string();
  int64_t divisor = 1;
  for (int64_t i = fsp; i < 6; i++) divisor *= 10;
  return fmt::format(".{:0{}}", ctx.now_micros / divisor, fsp);
}

Result<Value> CurTime(Args a, const EvalContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(std::string fraction, ClockFraction(a, ctx, "curtime"));
  TimeZone::Civil t = CivilNow(ctx);
  return Value::String(fmt::format("{:02}:{:02}:{:02}{}", t.hour, t.minute, t.second, fraction));
}
Result<Value> UtcTimestamp(Args a, const EvalContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(std::string fraction, ClockFraction(a, ctx, "utc_timestamp"));
  return Value::String(FormatDateTime(UtcCivil(ctx.now_unix_seconds)) + fraction);
}
Result<Value> UtcDate(Args, const EvalContext& ctx) { return Value::String(FormatDate(UtcCivil(ctx.now_unix_seconds))); }
Result<Value> UtcTime(Args a, const EvalContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(std::string fraction, ClockFraction(a, ctx, "utc_time"));
  DateTime t = UtcCivil(ctx.now_unix_seconds);
  return Value::String(fmt::format("{:02}:{:02}:{:02}{}", t.hour, t.minute, t.second, fraction));
}

Result<Value> UnixTimestamp(Args a, const EvalContext& ctx) {
  if (a.empty()) return Value::Int(ctx.now_unix_seconds);
  if (a[0].is_null()) return Value::Null();
  auto t = Date(a[0]);
  if (!t) return Value::Int(0);
  int64_t seconds = UnixTime(ctx, TimeZone::Civil{t->year, static_cast<int>(t->month), static_cast<int>(t->day),
                                                  static_cast<int>(t->hour), static_cast<int>(t->minute),
                                                  static_cast<int>(t->second)});
  if (seconds < 0) return Value::Int(0);
  if (t->micro == 0) return Value::Int(seconds);
  return Value::Dec(Decimal{static_cast<int64_t>(seconds * 1'000'000 + t->micro), 6});
}

Result<Value> FromUnixtime(Args a, const EvalContext& ctx) {
  double d = a[0].ToDouble();
  if (d < 0 || d > 32536771199.0) return Value::Null();
  TimeZone::Civil c = CivilTime(ctx, SaturatingInt64(d));
  DateTime t{c.year, c.month, c.day, c.hour, c.minute, c.second, 0, true};
  if (a.size() > 1) return Value::String(Format(t, Text(a[1])));
  return Value::String(FormatDateTime(t));
}

// CONVERT_TZ(dt, from, to): each zone SYSTEM, UTC, an offset or a tz database name; NULL for
// an unknown zone, as MySQL.
Result<Value> ConvertTz(Args a, const EvalContext&) {
  auto t = Date(a[0]);
  if (!t || a[1].is_null() || a[2].is_null()) return Value::Null();
  Result<TimeZone> from = TimeZone::Parse(Text(a[1])), to = TimeZone::Parse(Text(a[2]));
  if (!from.ok() || !to.ok()) return Value::Null();
  int64_t unix = from->ToUnix(TimeZone::Civil{t->year, static_cast<int>(t->month), static_cast<int>(t->day),
                                              static_cast<int>(t->hour), static_cast<int>(t->minute),
                                              static_cast<int>(t->second)});
  // Outside TIMESTAMP's range (as UTC) MySQL converts nothing: the value comes back as given.
  if (unix < 1 || unix > 32536771199) return Value::String(FormatDateTime(*t));
  TimeZone::Civil c = to->ToCivil(unix);
  DateTime out{c.year, c.month, c.day, c.hour, c.minute, c.second, t->micro, true};
  return Value::String(FormatDateTime(out));
}

Result<Value> TimeToSec(Args a, const EvalContext&) {
  auto micros = ReadTimeMicros(a[0]);
  return micros ? Value::Int(*micros / kMicrosPerSecond) : Value::Null();
}

Result<Value> SecToTime(Args a, const EvalContext&) {
  int64_t s = std::clamp<int64_t>(Int(a[0]), -3020399, 3020399);  // MySQL's TIME range: ±838:59:59
  return Value::String(FormatTimeMicros(s * kMicrosPerSecond));
}

Result<Value> MakeTime(Args a, const EvalContext&) {
  int64_t h = Int(a[0]), m = Int(a[1]), s = Int(a[2]);
  if (m < 0 || m > 59 || s < 0 || s > 59) return Value::Null();
  int64_t total = (std::abs(std::clamp<int64_t>(h, -838, 838)) * 3600 + m * 60 + s) * kMicrosPerSecond;
  return Value::String(FormatTimeMicros(h < 0 ? -total : total));
}

Result<Value> TimeDiff(Args a, const EvalContext&) {
  auto x = Date(a[0]), y = Date(a[1]);
  if (x && y) return Value::String(FormatTimeMicros(EpochMicros(*x) - EpochMicros(*y)));
  auto tx = ReadTimeMicros(a[0]), ty = ReadTimeMicros(a[1]);
  if (!tx || !ty || x || y) return Value::Null();
  return Value::String(FormatTimeMicros(*tx - *ty));
}

constexpr OutKind I = OutKind::kInt, S = OutKind::kString, DT = OutKind::kDateTime, DA = OutKind::kDate,
                  TI = OutKind::kTime;

const BuiltinFunction kDateTimeFunctions[] = {
    {"YEAR", 1, 1, I, ResultRule::kFixed, true, true, Year},
    {"MONTH", 1, 1, I, ResultRule::kFixed, true, true, Month},
    {"DAY", 1, 1, I, ResultRule::kFixed, true, true, Day},
    {"DAYOFMONTH", 1, 1, I, ResultRule::kFixed, true, true, Day},
    {"QUARTER", 1, 1, I, ResultRule::kFixed, true, true, Quarter},
    {"DAYOFWEEK", 1, 1, I, ResultRule::kFixed, true, true, DayOfWeek},
    {"WEEKDAY", 1, 1, I, ResultRule::kFixed, true, true, WeekdayFn},
    {"DAYOFYEAR", 1, 1, I, ResultRule::kFixed, true, true, DayOfYearFn},
    {"TO_DAYS", 1, 1, I, ResultRule::kFixed, true, true, ToDays},
    {"WEEKOFYEAR", 1, 1, I, ResultRule::kFixed, true, true, WeekOfYear},
    {"WEEK", 1, 2, I, ResultRule::kFixed, false, true, Week},
    {"YEARWEEK", 1, 2, I, ResultRule::kFixed, false, true, YearWeek},
    {"HOUR", 1, 1, I, ResultRule::kFixed, true, true, Hour},
    {"MINUTE", 1, 1, I, ResultRule::kFixed, true, true, Minute},
    {"SECOND", 1, 1, I, ResultRule::kFixed, true, true, Second},
    {"MICROSECOND", 1, 1, I, ResultRule::kFixed, true, true, Microsecond},
    {"MONTHNAME", 1, 1, S, ResultRule::kFixed, true, true, MonthName},
    {"DAYNAME", 1, 1, S, ResultRule::kFixed, true, true, DayName},
    {"DATE", 1, 1, DA, ResultRule::kFixed, true, true, DateFn},
    {"TIME", 1, 1, TI, ResultRule::kFixed, true, true, TimeFn},
    {"LAST_DAY", 1, 1, DA, ResultRule::kFixed, true, true, LastDay},
    {"FROM_DAYS", 1, 1, DA, ResultRule::kFixed, true, true, FromDays},
    {"MAKEDATE", 2, 2, DA, ResultRule::kFixed, true, true, MakeDate},
    {"MAKETIME", 3, 3, TI, ResultRule::kFixed, true, true, MakeTime},
    {"DATEDIFF", 2, 2, I, ResultRule::kFixed, true, true, DateDiff},
    {"TIMEDIFF", 2, 2, TI, ResultRule::kFixed, true, true, TimeDiff},
    {"ADDDATE", 2, 2, S, ResultRule::kTemporal, true, true, AddDays},
    {"SUBDATE", 2, 2, S, ResultRule::kTemporal, true, true, SubDays},
    {"DATE_ADD", 2, 2, S, ResultRule::kTemporal, true, true, AddDays},
    {"DATE_SUB", 2, 2, S, ResultRule::kTemporal, true, true, SubDays},
    {"TIMESTAMPADD", 3, 3, S, ResultRule::kTemporal, true, true, TimestampAdd},
    {"TIMESTAMPDIFF", 3, 3, I, ResultRule::kFixed, true, true, TimestampDiff},
    {"EXTRACT", 2, 2, I, ResultRule::kFixed, true, true, Extract},
    {"DATE_FORMAT", 2, 2, S, ResultRule::kFixed, true, true, DateFormat},
    {"STR_TO_DATE", 2, 2, S, ResultRule::kFixed, true, true, StrToDate},
    {"SLEEP", 1, 1, I, ResultRule::kFixed, true, false, Sleep},
    {"CURTIME", 0, 1, TI, ResultRule::kFixed, true, false, CurTime},
    {"CURRENT_TIME", 0, 1, TI, ResultRule::kFixed, true, false, CurTime},
    {"UTC_TIMESTAMP", 0, 1, DT, ResultRule::kFixed, true, false, UtcTimestamp},
    {"UTC_DATE", 0, 0, DA, ResultRule::kFixed, true, false, UtcDate},
    {"UTC_TIME", 0, 1, TI, ResultRule::kFixed, true, false, UtcTime},
    {"UNIX_TIMESTAMP", 0, 1, I, ResultRule::kFixed, false, false, UnixTimestamp},
    {"FROM_UNIXTIME", 1, 2, DT, ResultRule::kFixed, true, true, FromUnixtime},
    {"CONVERT_TZ", 3, 3, DT, ResultRule::kFixed, true, true, ConvertTz},
    {"TIME_TO_SEC", 1, 1, I, ResultRule::kFixed, true, true, TimeToSec},
    {"SEC_TO_TIME", 1, 1, TI, ResultRule::kFixed, true, true, SecToTime},
};

const BuiltinFunction kAddInterval{"+ INTERVAL", 3, 3, S, ResultRule::kTemporal, true, true, AddIntervalFn};
const BuiltinFunction kSubInterval{"- INTERVAL", 3, 3, S, ResultRule::kTemporal, true, true, SubIntervalFn};

}  // namespace

std::span<const BuiltinFunction> DateTimeFunctions() { return kDateTimeFunctions; }

}  // namespace functions

const BuiltinFunction& DateAddIntervalFunction() { return functions::kAddInterval; }
const BuiltinFunction& DateSubIntervalFunction() { return functions::kSubInterval; }

bool IsWholeDayUnit(std::string_view unit) {
  return unit == "DAY" || unit == "WEEK" || unit == "MONTH" || unit == "QUARTER" || unit == "YEAR" || unit == "YEAR_MONTH";
}

}  // namespace strata::sql
