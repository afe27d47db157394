// ConvertForColumn (schema.h): MySQL's strict-mode assignment rules.
#include <cctype>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "common/ascii.h"
#include "sql/types/calendar.h"
#include "sql/types/schema.h"
#include "sql/errors.h"

namespace strata::sql {
namespace {

using ast::TypeKind;

Status IncorrectValue(std::string_view kind, const ColumnSchema& col, const Value& v, uint64_t row) {
  return ErrIncorrectValueForColumn(kind, v.ToText().value_or("NULL"), col.name, row);
}

void IntegerRange(const ColumnType& t, __int128* lo, __int128* hi) {
  int bits = 64;
  switch (t.kind) {
    case TypeKind::kTinyInt: bits = 8; break;
    case TypeKind::kSmallInt: bits = 16; break;
    case TypeKind::kMediumInt: bits = 24; break;
    case TypeKind::kInt: bits = 32; break;
    default: bits = 64;
  }
  if (t.is_unsigned) {
    *lo = 0;
    *hi = (static_cast<__int128>(1) << bits) - 1;
  } else {
    *lo = -(static_cast<__int128>(1) << (bits - 1));
    *hi = (static_cast<__int128>(1) << (bits - 1)) - 1;
  }
}

// A string in integer context, strictly: optional sign, digits, optional ".digits" (rounded),
// optional exponent, surrounding spaces. Anything else is "incorrect integer value".
std::optional<__int128> ParseStrictInteger(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  auto dec = Decimal::Parse(s);
  if (dec.ok()) {
    auto r = dec->Rescale(0);
    if (!r.ok() || !r->unscaled.FitsInt128()) return std::nullopt;
    return r->unscaled.ToInt128();
  }
  // Exponent form (strtod would also read hex, which MySQL does not in numeric strings).
  if (s.find_first_of("xX") != std::string_view::npos) return std::nullopt;
  char* end = nullptr;
  std::string buf(s);
  double d = std::strtod(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(d) || std::fabs(d) > 1e30) return std::nullopt;
  return static_cast<__int128>(std::llround(d));
}

Result<Value> ToInteger(const ColumnSchema& col, const Value& v, uint64_t row) {
  __int128 x = 0;
  switch (v.kind()) {
    case ValueKind::kInt: x = v.int_value(); break;
    case ValueKind::kUint: x = v.uint_value(); break;
    case ValueKind::kDouble: {
      double d = std::round(v.double_value());
      if (!(std::fabs(d) < 1.8e19)) return ErrOutOfRangeForColumn(col.name, row);
      x = static_cast<__int128>(d);
      break;
    }
    case ValueKind::kDecimal: {
      auto r = v.decimal_value().Rescale(0);
      if (!r.ok() || !r->unscaled.FitsInt128()) return ErrOutOfRangeForColumn(col.name, row);
      x = r->unscaled.ToInt128();
      break;
    }
    case ValueKind::kString: {
      auto p = ParseStrictInteger(v.string_value());
      if (!p) return IncorrectValue("integer", col, v, row);
      x = *p;
      break;
    }
    case ValueKind::kNull: return v;
  }
  if (col.type.kind == TypeKind::kYear) {
    if (x == 0) return Value::Int(0);
    if (x >= 1 && x <= 69) x += 2000;
    else if (x >= 70 && x <= 99) x += 1900;
    if (x < 1901 || x > 2155) return ErrOutOfRangeForColumn(col.name, row);
    return Value::Int(static_cast<int64_t>(x));
  }
  if (col.type.kind == TypeKind::kBit) {
    uint32_t bits = col.type.length ? col.type.length : 1;
    if (x < 0 || (bits < 64 && x >= (static_cast<__int128>(1) << bits))) return ErrOutOfRangeForColumn(col.name, row);
    return Value::Uint(static_cast<uint64_t>(x));
  }
  __int128 lo, hi;
  IntegerRange(col.type, &lo, &hi);
  if (x < lo || x > hi) return ErrOutOfRangeForColumn(col.name, row);
  if (col.type.is_unsigned) return Value::Uint(static_cast<uint64_t>(x));
  return Value::Int(static_cast<int64_t>(x));
}

Result<Value> ToDecimal(const ColumnSchema& col, const Value& v, uint64_t row) {
  Decimal d;
  switch (v.kind()) {
    case ValueKind::kInt: d = Decimal::FromInt(v.int_value()); break;
    case ValueKind::kUint: d = Decimal{v.uint_value(), 0}; break;
    case ValueKind::kDecimal: d = v.decimal_value(); break;
    case ValueKind::kDouble: {
      auto p = Decimal::Parse(fmt::format("{:.{}f}", v.double_value(), std::min<uint32_t>(col.type.scale + 1, 30)));
      if (!p.ok()) return ErrOutOfRangeForColumn(col.name, row);
      d = *p;
      break;
    }
    case ValueKind::kString: {
      std::string_view s = v.string_value();
      auto p = Decimal::Parse(s);
      if (!p.ok()) return IncorrectValue("decimal", col, v, row);
      d = *p;
      break;
    }
    case ValueKind::kNull: return v;
  }
  auto r = d.Rescale(static_cast<int>(col.type.scale));
  if (!r.ok()) return ErrOutOfRangeForColumn(col.name, row);
  if (r->IntegerDigits() > static_cast<int>(col.type.length - col.type.scale)) return ErrOutOfRangeForColumn(col.name, row);
  if (col.type.is_unsigned && r->unscaled.is_negative()) return ErrOutOfRangeForColumn(col.name, row);
  return Value::Dec(*r);
}

Result<Value> ToDouble(const ColumnSchema& col, const Value& v, uint64_t row) {
  double d;
  if (v.kind() == ValueKind::kString) {
    auto p = Decimal::Parse(v.string_value());
    char* end = nullptr;
    std::string buf(v.string_value());
    d = std::strtod(buf.c_str(), &end);
    if (!p.ok() && (buf.empty() || end != buf.c_str() + buf.size() || buf.find_first_of("xX") != std::string::npos))
      return IncorrectValue("double", col, v, row);
  } else {
    d = v.ToDouble();
  }
  if (std::isnan(d) || std::isinf(d)) return ErrOutOfRangeForColumn(col.name, row);
  if (col.type.fixed_decimals) {
    // FLOAT(M,D) / DOUBLE(M,D): rounded to D decimals as MySQL does (rint of the value
    // times 10^D, so an exact half goes to even: 0.005 is 0.00, 0.015 is 0.02), and at most
    // M - D digits before the point (1264).
    double factor = std::pow(10.0, static_cast<double>(col.type.scale));
    d = std::nearbyint(d * factor) / factor;
    double limit = std::pow(10.0, static_cast<double>(col.type.length) - static_cast<double>(col.type.scale));
    if (std::fabs(d) >= limit) return ErrOutOfRangeForColumn(col.name, row);
  }
  if (col.type.kind == TypeKind::kFloat) {
    if (std::fabs(d) > std::numeric_limits<float>::max()) return ErrOutOfRangeForColumn(col.name, row);
    d = static_cast<double>(static_cast<float>(d));
  }
  if (col.type.is_unsigned && d < 0) return ErrOutOfRangeForColumn(col.name, row);
  return Value::Double(d);
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xc0) != 0x80) n++;
  return n;
}

bool ReadDigits(std::string_view s, size_t* pos, int count, int* out) {
  int v = 0;
  for (int i = 0; i < count; i++) {
    if (*pos >= s.size() || !std::isdigit(static_cast<unsigned char>(s[*pos]))) return false;
    v = v * 10 + (s[(*pos)++] - '0');
  }
  *out = v;
  return true;
}

bool ValidDate(int y, int m, int d) {
  if (y == 0 && m == 0 && d == 0) return true;  // the zero date
  return d >= 1 && d <= DaysInMonth(y, m);
}

// Up to `max` digits (at least one) at *pos.
bool ReadNumber(std::string_view s, size_t* pos, size_t max, int64_t* out) {
  size_t start = *pos;
  int64_t v = 0;
  while (*pos < s.size() && *pos - start < max && std::isdigit(static_cast<unsigned char>(s[*pos])))
    v = v * 10 + (s[(*pos)++] - '0');
  *out = v;
  return *pos > start;
}

// The fraction after a '.' at *pos (any number of digits), rounded half up to `fsp` digits:
// 0 ..= 10^fsp, where 10^fsp means "carry one second". No '.' reads as 0.
int64_t ReadFraction(std::string_view s, size_t* pos, int fsp) {
  if (*pos >= s.size() || s[*pos] != '.') return 0;
  (*pos)++;
  int64_t kept = 0;
  int digits = 0;
  bool round_up = false;
  while (*pos < s.size() && std::isdigit(static_cast<unsigned char>(s[*pos]))) {
    int digit = s[(*pos)++] - '0';
    if (digits < fsp) kept = kept * 10 + digit;
    else if (digits == fsp) round_up = digit >= 5;
    digits++;
  }
  for (; digits < fsp; digits++) kept *= 10;
  return kept + (round_up ? 1 : 0);
}

int64_t Pow10(int n) {
  int64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

// ".ffffff" with exactly fsp digits; empty for fsp 0.
std::string FractionText(int64_t fraction, int fsp) {
  return fsp > 0 ? fmt::format(".{:0{}}", fraction, fsp) : std::string();
}

// TIME as MySQL reads it: [-][D ]H:MM[:SS][.frac] (hours past 24 allowed) or the digits
// [-]HHMMSS / MMSS / SS [.frac]; the fraction rounds to `fsp` digits (TIME(fsp)); values
// past MySQL's range are clamped to ±838:59:59, as MySQL does.
std::optional<std::string> ParseTime(std::string_view s, int fsp) {
  constexpr int64_t kMaxSeconds = 838 * 3600 + 59 * 60 + 59;
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  size_t pos = 0;
  int64_t days = 0, h = 0, m = 0, sec = 0;
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) {
    int64_t n = 0;
    if (!ReadNumber(s, &pos, 10, &n)) return std::nullopt;
    h = n / 10000, m = n / 100 % 100, sec = n % 100;
  } else {
    size_t space = s.find(' ');
    if (space != std::string_view::npos && space < colon) {
      if (!ReadNumber(s, &pos, 2, &days) || pos != space || days > 34) return std::nullopt;
      while (pos < s.size() && s[pos] == ' ') pos++;
    }
    if (!ReadNumber(s, &pos, 4, &h) || pos >= s.size() || s[pos++] != ':' || !ReadNumber(s, &pos, 2, &m)) return std::nullopt;
    if (pos < s.size() && s[pos] == ':') {
      pos++;
      if (!ReadNumber(s, &pos, 2, &sec)) return std::nullopt;
    }
  }
  int64_t fraction = ReadFraction(s, &pos, fsp);
  if (pos != s.size() || m > 59 || sec > 59) return std::nullopt;
  int64_t total = ((days * 24 + h) * 60 + m) * 60 + sec;
  if (fraction == Pow10(fsp)) {
    total++;
    fraction = 0;
  }
  if (total >= kMaxSeconds && (total > kMaxSeconds || fraction > 0)) {
    total = kMaxSeconds;
    fraction = 0;
  }
  return fmt::format("{}{:02}:{:02}:{:02}{}", negative && (total != 0 || fraction != 0) ? "-" : "", total / 3600,
                     total / 60 % 60, total % 60, FractionText(fraction, fsp));
}

// Canonical text for DATE / DATETIME / TIMESTAMP / TIME, or nullopt.
std::optional<std::string> ParseTemporal(const ColumnType& t, std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  size_t pos = 0;
  int h = 0, mi = 0, sec = 0;
  int64_t fraction = 0;
  int fsp = static_cast<int>(std::min<uint32_t>(t.scale, 6));
  if (t.kind == TypeKind::kTime) return ParseTime(s, fsp);
  int y, m, d;
  if (s.size() == 8 && s.find('-') == std::string_view::npos) {  // 20261125
    if (!ReadDigits(s, &pos, 4, &y) || !ReadDigits(s, &pos, 2, &m) || !ReadDigits(s, &pos, 2, &d)) return std::nullopt;
  } else {
    if (!ReadDigits(s, &pos, 4, &y) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
    size_t before = pos;
    if (!ReadDigits(s, &pos, 2, &m)) {
      pos = before;
      if (!ReadDigits(s, &pos, 1, &m)) return std::nullopt;
    }
    if (pos >= s.size() || s[pos++] != '-') return std::nullopt;
    before = pos;
    if (!ReadDigits(s, &pos, 2, &d)) {
      pos = before;
      if (!ReadDigits(s, &pos, 1, &d)) return std::nullopt;
    }
  }
  if (!ValidDate(y, m, d)) return std::nullopt;
  if (pos < s.size()) {
    if (s[pos] != ' ' && s[pos] != 'T') return std::nullopt;
    pos++;
    if (!ReadDigits(s, &pos, 2, &h) || pos >= s.size() || s[pos++] != ':' || !ReadDigits(s, &pos, 2, &mi) ||
        pos >= s.size() || s[pos++] != ':' || !ReadDigits(s, &pos, 2, &sec))
      return std::nullopt;
    fraction = ReadFraction(s, &pos, t.kind == TypeKind::kDate ? 0 : fsp);
    if (pos != s.size() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  }
  if (t.kind == TypeKind::kDate) return fmt::format("{:04}-{:02}-{:02}", y, m, d);
  if (fraction == Pow10(fsp)) {  // rounded up into the next second (and maybe the next day)
    fraction = 0;
    if (++sec == 60) {
      sec = 0;
      if (++mi == 60) {
        mi = 0;
        if (++h == 24) {
          h = 0;
          if (y == 0 && m == 0 && d == 0) return std::nullopt;
          int64_t ny, nm, nd;
          CivilFromDays(DaysFromCivil(y, m, d) + 1, &ny, &nm, &nd);
          if (ny > 9999) return std::nullopt;
          y = static_cast<int>(ny), m = static_cast<int>(nm), d = static_cast<int>(nd);
        }
      }
    }
  }
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}", y, m, d, h, mi, sec, FractionText(fraction, fsp));
}

// Whether `s` fits a string column's length (characters for CHAR/VARCHAR, else bytes).
bool FitsStringColumn(const ColumnType& t, std::string_view s) {
  uint64_t max_chars = 0, max_bytes = 0;
  switch (t.kind) {
    case TypeKind::kChar: case TypeKind::kVarchar: max_chars = t.length; break;
    case TypeKind::kBinary: case TypeKind::kVarbinary: max_bytes = t.length; break;
    case TypeKind::kTinyText: case TypeKind::kTinyBlob: max_bytes = 255; break;
    case TypeKind::kText: case TypeKind::kBlob: max_bytes = 65535; break;
    case TypeKind::kMediumText: case TypeKind::kMediumBlob: max_bytes = 16777215; break;
    default: max_bytes = 0xffffffffull;
  }
  if (max_chars && Utf8Length(s) > max_chars) return false;
  return !(max_bytes && s.size() > max_bytes);
}

Result<Value> ToString(const ColumnSchema& col, const Value& v, uint64_t row) {
  std::string s = *v.ToText();
  const ColumnType& t = col.type;
  if (t.kind == TypeKind::kEnum) {
    for (const std::string& member : t.enum_values)
      if (EqualsIgnoreCase(member, s)) return Value::String(member);
    if (v.kind() == ValueKind::kInt && v.int_value() >= 1 && static_cast<size_t>(v.int_value()) <= t.enum_values.size())
      return Value::String(t.enum_values[static_cast<size_t>(v.int_value()) - 1]);
    return ErrDataTruncated(col.name, row);
  }
  if (t.kind == TypeKind::kChar) {
    while (!s.empty() && s.back() == ' ') s.pop_back();  // CHAR reads back without trailing spaces
  }
  if (!FitsStringColumn(t, s)) return ErrDataTooLong(col.name, row);
  return Value::String(std::move(s));
}

}  // namespace

std::optional<Value> TakeFittingString(const ColumnSchema& col, Value& v) {
  const ColumnType& t = col.type;
  switch (t.kind) {
    case TypeKind::kVarchar: case TypeKind::kBinary: case TypeKind::kVarbinary:
    case TypeKind::kTinyText: case TypeKind::kTinyBlob: case TypeKind::kText: case TypeKind::kBlob:
    case TypeKind::kMediumText: case TypeKind::kMediumBlob: case TypeKind::kLongText: case TypeKind::kLongBlob:
      break;
    default: return std::nullopt;  // CHAR trims, ENUM/SET/JSON/temporal/numbers convert
  }
  if (v.kind() != ValueKind::kString || !FitsStringColumn(t, v.string_value())) return std::nullopt;
  Value out = Value::String(std::move(v).TakeString(), t.ValueCollation());
  return out;
}

Result<Value> ConvertForColumn(const ColumnSchema& col, const Value& v, uint64_t row) {
  if (v.is_null()) return v;
  const ColumnType& t = col.type;
  if (t.IsInteger()) return ToInteger(col, v, row);
  if (t.kind == TypeKind::kDecimal) return ToDecimal(col, v, row);
  if (t.kind == TypeKind::kDouble || t.kind == TypeKind::kFloat) return ToDouble(col, v, row);
  if (t.IsSpatial()) {
    return Status::InvalidArgument("Cannot get geometry object from data you send to the GEOMETRY field")
        .WithMysql(1416, "22003");
  }
  if (t.IsTemporal()) {
    std::string text = *v.ToText();
    std::optional<std::string> canonical = ParseTemporal(t, text);
    if (!canonical) {
      std::string_view kind = t.kind == TypeKind::kDate ? "date" : t.kind == TypeKind::kTime ? "time" : "datetime";
      return IncorrectValue(kind, col, v, row);
    }
    return Value::String(std::move(*canonical));
  }
  Result<Value> text = ToString(col, v, row);
  if (text.ok() && text->kind() == ValueKind::kString) text->set_collation(t.ValueCollation());
  return text;
}

}  // namespace strata::sql
