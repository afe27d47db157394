#include "sql/expression/temporal.h"

#include <cctype>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace strata::sql::functions {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;


bool Valid(const DateTime& t) {
  return t.year >= 0 && t.year <= 9999 && t.month >= 1 && t.month <= 12 && t.day >= 1 &&
         t.day <= DaysInMonth(t.year, t.month) && t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 &&
         t.second >= 0 && t.second <= 59;
}

// The digit groups of `s` and the position where each starts; a fraction after '.' keeps
// its digit count so that ".5" is 500000 microseconds.
struct Groups {
  std::vector<int64_t> values;
  std::vector<size_t> widths;
  bool negative = false;
  bool fraction = false;  // the last group followed a '.'
};

Groups Split(std::string_view s) {
  Groups g;
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') i++;
  if (i < s.size() && s[i] == '-') {
    g.negative = true;
    i++;
  }
  while (i < s.size()) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
      g.fraction = s[i] == '.';
      i++;
      continue;
    }
    int64_t v = 0;
    size_t begin = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (v < 100'000'000'000'000) v = v * 10 + (s[i] - '0');
      i++;
    }
    g.values.push_back(v);
    g.widths.push_back(i - begin);
    if (i < s.size() && s[i] != '.') g.fraction = false;
  }
  return g;
}

int64_t FractionMicros(int64_t digits_value, size_t width) {
  while (width > 6) {
    digits_value /= 10;
    width--;
  }
  while (width < 6) {
    digits_value *= 10;
    width++;
  }
  return digits_value;
}

int64_t TwoDigitYear(int64_t y, size_t width) {
  if (width > 2) return y;
  return y < 70 ? 2000 + y : 1900 + y;
}

// A run of digits with no delimiters: YYMMDD, YYYYMMDD, YYMMDDHHMMSS, YYYYMMDDHHMMSS.
std::optional<DateTime> FromDigits(std::string_view s) {
  auto take = [&](size_t at, size_t n) {
    int64_t v = 0;
    for (size_t i = at; i < at + n; i++) v = v * 10 + (s[i] - '0');
    return v;
  };
  DateTime t;
  size_t at = 0;
  if (s.size() == 6 || s.size() == 12) {
    t.year = TwoDigitYear(take(0, 2), 2);
    at = 2;
  } else if (s.size() == 8 || s.size() == 14) {
    t.year = take(0, 4);
    at = 4;
  } else {
    return std::nullopt;
  }
  t.month = take(at, 2);
  t.day = take(at + 2, 2);
  if (s.size() > 8 || s.size() == 12) {
    at += 4;
    t.hour = take(at, 2);
    t.minute = take(at + 2, 2);
    t.second = take(at + 4, 2);
    t.has_time = true;
  }
  if (!Valid(t)) return std::nullopt;
  return t;
}

}  // namespace

int64_t EpochMicros(const DateTime& t) {
  return DaysFromCivil(t.year, t.month, t.day) * kMicrosPerDay +
         ((t.hour * 60 + t.minute) * 60 + t.second) * kMicrosPerSecond + t.micro;
}

DateTime FromEpochMicros(int64_t micros) {
  int64_t days = micros >= 0 ? micros / kMicrosPerDay : -((-micros + kMicrosPerDay - 1) / kMicrosPerDay);
  int64_t rest = micros - days * kMicrosPerDay;
  DateTime t;
  CivilFromDays(days, &t.year, &t.month, &t.day);
  t.micro = rest % kMicrosPerSecond;
  rest /= kMicrosPerSecond;
  t.second = rest % 60;
  t.minute = rest / 60 % 60;
  t.hour = rest / 3600;
  t.has_time = true;
  return t;
}

std::optional<DateTime> ReadDateTime(const Value& v) {
  if (v.is_null()) return std::nullopt;
  if (v.kind() != ValueKind::kString) {
    if (v.kind() == ValueKind::kDouble || v.kind() == ValueKind::kDecimal) return ReadDateTime(Value::Int(SaturatingInt64(v.ToDouble())));
    std::string digits = *v.ToText();
    if (digits.empty() || digits[0] == '-') return std::nullopt;
    return FromDigits(digits);
  }
  std::string_view s = v.string_value();
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  bool all_digits = !s.empty();
  for (char c : s) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  if (all_digits) return FromDigits(s);
  Groups g = Split(s);
  if (g.negative || g.values.size() < 3) return std::nullopt;
  DateTime t;
  t.year = TwoDigitYear(g.values[0], g.widths[0]);
  t.month = g.values[1];
  t.day = g.values[2];
  if (g.values.size() >= 4) {
    if (g.values.size() < 5) return std::nullopt;
    t.has_time = true;
    t.hour = g.values[3];
    t.minute = g.values[4];
    if (g.values.size() >= 6) t.second = g.values[5];
    if (g.values.size() >= 7) t.micro = FractionMicros(g.values[6], g.widths[6]);
    if (g.values.size() > 7) return std::nullopt;
  }
  if (!Valid(t)) return std::nullopt;
  return t;
}

std::optional<int64_t> ReadTimeMicros(const Value& v) {
  if (v.is_null()) return std::nullopt;
  if (v.kind() == ValueKind::kString) {
    std::string_view s = v.string_value();
    if (auto dt = ReadDateTime(v); dt && dt->has_time && s.find('-', 1) != std::string_view::npos)
      return ((dt->hour * 60 + dt->minute) * 60 + dt->second) * kMicrosPerSecond + dt->micro;
    Groups g = Split(s);
    if (g.values.empty()) return std::nullopt;
    int64_t days = 0, h = 0, m = 0, sec = 0, micro = 0;
    std::vector<int64_t> parts = g.values;
    if (g.fraction && parts.size() >= 2) {
      micro = FractionMicros(parts.back(), g.widths.back());
      parts.pop_back();
    }
    bool has_days = s.find(' ') != std::string_view::npos && s.find(':') != std::string_view::npos &&
                    s.find(' ') < s.find(':') && parts.size() >= 2;
    if (has_days) {
      days = parts.front();
      parts.erase(parts.begin());
    }
    if (parts.size() == 1 && s.find(':') == std::string_view::npos) {  // HHMMSS as a string
      int64_t n = parts[0];
      h = n / 10000, m = n / 100 % 100, sec = n % 100;
    } else {
      h = parts.size() > 0 ? parts[0] : 0;
      m = parts.size() > 1 ? parts[1] : 0;
      sec = parts.size() > 2 ? parts[2] : 0;
      if (parts.size() > 3) return std::nullopt;
    }
    if (m > 59 || sec > 59) return std::nullopt;
    int64_t total = (((days * 24 + h) * 60 + m) * 60 + sec) * kMicrosPerSecond + micro;
    return g.negative ? -total : total;
  }
  double d = v.ToDouble();
  bool negative = d < 0;
  int64_t n = SaturatingInt64(std::trunc(std::fabs(d)));
  int64_t micro = SaturatingInt64(std::round((std::fabs(d) - static_cast<double>(n)) * 1e6));
  int64_t h = n / 10000, m = n / 100 % 100, sec = n % 100;
  if (m > 59 || sec > 59) return std::nullopt;
  int64_t total = ((h * 60 + m) * 60 + sec) * kMicrosPerSecond + micro;
  return negative ? -total : total;
}

std::string FormatDate(const DateTime& t) { return fmt::format("{:04}-{:02}-{:02}", t.year, t.month, t.day); }

std::string FormatDateTime(const DateTime& t) {
  std::string out = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", t.year, t.month, t.day, t.hour, t.minute, t.second);
  if (t.micro != 0) out += fmt::format(".{:06}", t.micro);
  return out;
}

std::string FormatTimeMicros(int64_t micros) {
  bool negative = micros < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  uint64_t micro = u % kMicrosPerSecond, s = u / kMicrosPerSecond;
  std::string out = fmt::format("{}{:02}:{:02}:{:02}", negative ? "-" : "", s / 3600, s / 60 % 60, s % 60);
  if (micro != 0) out += fmt::format(".{:06}", micro);
  return out;
}

std::optional<Interval> ReadInterval(const Value& amount, std::string_view unit) {
  if (amount.is_null()) return std::nullopt;
  struct Unit {
    std::string_view name;
    int64_t micros;  // per unit; 0: months
    int64_t months;
  };
  static constexpr Unit kSimple[] = {
      {"MICROSECOND", 1, 0}, {"SECOND", kMicrosPerSecond, 0}, {"MINUTE", 60 * kMicrosPerSecond, 0},
      {"HOUR", 3600 * kMicrosPerSecond, 0}, {"DAY", kMicrosPerDay, 0}, {"WEEK", 7 * kMicrosPerDay, 0},
      {"MONTH", 0, 1}, {"QUARTER", 0, 3}, {"YEAR", 0, 12}};
  for (const Unit& u : kSimple) {
    if (u.name != unit) continue;
    Interval out;
    if (u.name == "SECOND" && amount.kind() != ValueKind::kInt && amount.kind() != ValueKind::kUint) {
      out.micros = SaturatingInt64(std::round(amount.ToDouble() * 1e6));
      return out;
    }
    int64_t n = SaturatingInt64(std::round(amount.ToDouble()));
    if (amount.kind() == ValueKind::kInt) n = amount.int_value();
    if (n > 10'000'000'000'000 || n < -10'000'000'000'000) return std::nullopt;
    if (u.months) out.months = n * u.months;
    else if (__builtin_mul_overflow(n, u.micros, &out.micros)) return std::nullopt;
    return out;
  }
  // Compound units take a string of fields, right-aligned: '1 2:3:4' DAY_SECOND.
  struct Compound {
    std::string_view name;
    std::vector<int64_t> micros;  // per field, left to right; 0 with months > 0 for YEAR/MONTH
  };
  static const Compound kCompound[] = {
      {"SECOND_MICROSECOND", {kMicrosPerSecond, 1}},
      {"MINUTE_MICROSECOND", {60 * kMicrosPerSecond, kMicrosPerSecond, 1}},
      {"MINUTE_SECOND", {60 * kMicrosPerSecond, kMicrosPerSecond}},
      {"HOUR_MICROSECOND", {3600 * kMicrosPerSecond, 60 * kMicrosPerSecond, kMicrosPerSecond, 1}},
      {"HOUR_SECOND", {3600 * kMicrosPerSecond, 60 * kMicrosPerSecond, kMicrosPerSecond}},
      {"HOUR_MINUTE", {3600 * kMicrosPerSecond, 60 * kMicrosPerSecond}},
      {"DAY_MICROSECOND", {kMicrosPerDay, 3600 * kMicrosPerSecond, 60 * kMicrosPerSecond, kMicrosPerSecond, 1}},
      {"DAY_SECOND", {kMicrosPerDay, 3600 * kMicrosPerSecond, 60 * kMicrosPerSecond, kMicrosPerSecond}},
      {"DAY_MINUTE", {kMicrosPerDay, 3600 * kMicrosPerSecond, 60 * kMicrosPerSecond}},
      {"DAY_HOUR", {kMicrosPerDay, 3600 * kMicrosPerSecond}},
      {"YEAR_MONTH", {0, 0}},
  };
  for (const Compound& c : kCompound) {
    if (c.name != unit) continue;
    Groups g = Split(*amount.ToText());
    if (g.values.size() > c.micros.size()) return std::nullopt;
    size_t skip = c.micros.size() - g.values.size();
    Interval out;
    for (size_t i = 0; i < g.values.size(); i++) {
      size_t field = skip + i;
      if (unit == "YEAR_MONTH") {
        out.months += field == 0 ? g.values[i] * 12 : g.values[i];
        continue;
      }
      int64_t part = 0;
      if (__builtin_mul_overflow(g.values[i], c.micros[field], &part) || __builtin_add_overflow(out.micros, part, &out.micros))
        return std::nullopt;
    }
    if (g.negative) {
      out.months = -out.months;
      out.micros = -out.micros;
    }
    return out;
  }
  return std::nullopt;
}

std::optional<DateTime> AddInterval(DateTime t, const Interval& interval) {
  if (interval.months != 0) {
    int64_t total = t.year * 12 + (t.month - 1) + interval.months;
    if (total < 0 || total >= 10000 * 12) return std::nullopt;
    t.year = total / 12;
    t.month = total % 12 + 1;
    t.day = std::min(t.day, DaysInMonth(t.year, t.month));
  }
  if (interval.micros != 0) {
    bool had_time = t.has_time;
    int64_t micros = 0;
    if (__builtin_add_overflow(EpochMicros(t), interval.micros, &micros)) return std::nullopt;
    t = FromEpochMicros(micros);
    t.has_time = had_time || interval.micros % kMicrosPerDay != 0;
  }
  if (t.year < 0 || t.year > 9999) return std::nullopt;
  return t;
}

}  // namespace strata::sql::functions
