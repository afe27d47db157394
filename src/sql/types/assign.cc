// AssignToColumn and ImplicitDefault (schema.h): what an INSERT or UPDATE stores under the
// session's sql_mode. Strict mode (MySQL's default) keeps ConvertForColumn's errors; without
// it — or under INSERT / UPDATE IGNORE — MySQL stores the nearest value it can and warns.
#include <cctype>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "sql/errors.h"
#include "sql/types/schema.h"

namespace strata::sql {
namespace {

using ast::TypeKind;

constexpr uint16_t kOutOfRange = 1264, kIncorrectValue = 1366, kTruncated = 1265, kTooLong = 1406,
                   kIncorrectTemporal = 1292;

// The longest numeric prefix of a string as MySQL reads one in numeric context ("12abc" →
// "12", " -1.5e3x" → "-1.5e3", "abc" → ""): sign, digits, fraction, exponent.
std::string NumericPrefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) i++;
  size_t start = i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) i++;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) i++, digits++;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) j++, digits++;
    i = j;
  }
  if (digits == 0) return "";
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) j++;
    size_t exp_digits = 0;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) j++, exp_digits++;
    if (exp_digits > 0) i = j;
  }
  std::string out(s.substr(start, i - start));
  if (out.back() == '.') out.pop_back();
  return out;
}

// The end of a numeric column's range on the side of `toward` (its sign decides).
Value RangeLimit(const ColumnType& t, bool negative) {
  if (t.IsInteger()) {
    if (t.kind == TypeKind::kYear) return Value::Int(0);  // MySQL stores 0000
    if (t.kind == TypeKind::kBit) {
      uint32_t bits = t.length ? t.length : 1;
      return Value::Uint(negative ? 0 : bits >= 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1);
    }
    int bits = t.kind == TypeKind::kTinyInt ? 8 : t.kind == TypeKind::kSmallInt ? 16
               : t.kind == TypeKind::kMediumInt ? 24 : t.kind == TypeKind::kInt ? 32 : 64;
    if (t.is_unsigned) return Value::Uint(negative ? 0 : bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1);
    if (bits == 64) return Value::Int(negative ? INT64_MIN : INT64_MAX);
    int64_t hi = (int64_t{1} << (bits - 1)) - 1;
    return Value::Int(negative ? -hi - 1 : hi);
  }
  if (t.kind == TypeKind::kDecimal) {
    if (negative && t.is_unsigned) return Value::Dec(Decimal{0, static_cast<uint8_t>(t.scale)});
    const Int256 nines = Int256::Pow10(static_cast<int>(t.length)) - 1;  // M digits, D of them after the point
    return Value::Dec(Decimal{negative ? -nines : nines, static_cast<uint8_t>(t.scale)});
  }
  double max = t.kind == TypeKind::kFloat ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
  if (t.fixed_decimals) {  // FLOAT(M,D): the largest value with M-D integer digits
    double factor = std::pow(10.0, static_cast<double>(t.scale));
    max = (std::pow(10.0, static_cast<double>(t.length)) - 1) / factor;
  }
  if (negative && t.is_unsigned) return Value::Double(0);
  return Value::Double(negative ? -max : max);
}

bool IsNegative(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kInt: return v.int_value() < 0;
    case ValueKind::kDecimal: return v.decimal_value().unscaled.is_negative();
    case ValueKind::kString: return NumericPrefix(v.string_value()).starts_with('-');
    default: return v.ToDouble() < 0;
  }
}

std::string ZeroTemporal(const ColumnType& t) {
  std::string fraction = t.scale > 0 ? "." + std::string(std::min<uint32_t>(t.scale, 6), '0') : "";
  if (t.kind == TypeKind::kDate) return "0000-00-00";
  if (t.kind == TypeKind::kTime) return "00:00:00" + fraction;
  return "0000-00-00 00:00:00" + fraction;
}

bool IsZeroTemporal(const ColumnType& t, const Value& v) {
  if (t.kind != TypeKind::kDate && t.kind != TypeKind::kDateTime && t.kind != TypeKind::kTimestamp) return false;
  return v.kind() == ValueKind::kString && v.string_value().starts_with("0000-00-00");
}

// The non-strict value for `v` after ConvertForColumn refused it with `error`; nullopt when
// MySQL refuses it in every mode.
std::optional<Value> Lenient(const ColumnSchema& col, const Value& v, uint64_t row, const Status& error,
                             Status* warning) {
  const ColumnType& t = col.type;
  const uint16_t code = error.mysql_errno();
  if (t.IsInteger() || t.kind == TypeKind::kDecimal || t.kind == TypeKind::kDouble || t.kind == TypeKind::kFloat) {
    Value number = v;
    *warning = error;
    if (code == kIncorrectValue) {  // a string that is not a number: its numeric prefix, or 0
      std::string prefix = NumericPrefix(*v.ToText());
      number = prefix.empty() ? Value::Int(0) : Value::String(prefix);
      if (!prefix.empty()) *warning = ErrDataTruncated(col.name, row);
    } else if (code != kOutOfRange) {
      return std::nullopt;
    }
    Result<Value> again = ConvertForColumn(col, number, row);
    if (again.ok()) return *again;
    *warning = ErrOutOfRangeForColumn(col.name, row);
    return RangeLimit(t, IsNegative(number));
  }
  if (t.IsTemporal() && code == kIncorrectTemporal) {  // MySQL warns "Data truncated" here
    *warning = ErrDataTruncated(col.name, row);
    return Value::String(ZeroTemporal(t));
  }
  if (t.kind == TypeKind::kEnum && code == kTruncated) {  // not a member: the '' error value
    *warning = error;
    return Value::String("");
  }
  if (t.IsString() && code == kTooLong) {
    std::string s = *v.ToText();
    bool by_chars = t.kind == TypeKind::kChar || t.kind == TypeKind::kVarchar;
    uint64_t max = t.kind == TypeKind::kTinyText || t.kind == TypeKind::kTinyBlob ? 255
                   : t.kind == TypeKind::kText || t.kind == TypeKind::kBlob       ? 65535
                   : t.kind == TypeKind::kMediumText || t.kind == TypeKind::kMediumBlob ? 16777215
                                                                                       : t.length;
    size_t cut = 0, chars = 0;
    while (cut < s.size() && (by_chars ? chars < max : cut < max)) {
      size_t next = cut + 1;
      if (by_chars) {
        while (next < s.size() && (static_cast<unsigned char>(s[next]) & 0xc0) == 0x80) next++;
      }
      if (!by_chars && next > max) break;
      cut = next;
      chars++;
    }
    s.resize(cut);
    *warning = ErrDataTruncated(col.name, row);
    Result<Value> cut_value = ConvertForColumn(col, Value::String(s), row);
    return cut_value.ok() ? *cut_value : Value::String(std::move(s));
  }
  return std::nullopt;
}

}  // namespace

Result<Value> AssignToColumn(const ColumnSchema& col, const Value& v, uint64_t row, const AssignmentMode& mode,
                             Status* warning) {
  Result<Value> converted = ConvertForColumn(col, v, row);
  if (!converted.ok()) {
    if (mode.strict) return converted;
    std::optional<Value> lenient = Lenient(col, v, row, converted.status(), warning);
    if (!lenient) return converted;
    if (lenient->kind() == ValueKind::kString) lenient->set_collation(col.type.ValueCollation());
    return *lenient;
  }
  if (mode.no_zero_date && IsZeroTemporal(col.type, *converted)) {
    Status zero = ErrIncorrectValueForColumn(col.type.kind == TypeKind::kDate ? "date" : "datetime",
                                             v.ToText().value_or(""), col.name, row);
    if (mode.strict) return zero;
    *warning = zero;
  }
  return converted;
}

Value ImplicitDefault(const ColumnType& t) {
  if (t.IsInteger()) return t.is_unsigned || t.kind == TypeKind::kBit ? Value::Uint(0) : Value::Int(0);
  if (t.kind == TypeKind::kDecimal) return Value::Dec(Decimal{0, static_cast<uint8_t>(t.scale)});
  if (t.kind == TypeKind::kDouble || t.kind == TypeKind::kFloat) return Value::Double(0);
  if (t.IsTemporal()) return Value::String(ZeroTemporal(t));
  if (t.kind == TypeKind::kEnum && !t.enum_values.empty()) return Value::String(t.enum_values[0]);
  if (t.kind == TypeKind::kJson) return Value::String("null");
  return Value::String("");
}

}  // namespace strata::sql
