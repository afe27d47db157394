// SQL values: what expressions evaluate to and rows hold.
//
// A Value is NULL, a signed or unsigned 64-bit integer, a double, an exact decimal, or a
// byte string. Temporal values (DATE, DATETIME, TIMESTAMP, TIME) are byte strings in
// their canonical text form ("2026-11-25 10:00:00"), which sorts correctly bytewise; the
// column type (schema.h) says how to validate them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "common/slice.h"
#include "common/status.h"
#include "sql/types/collation.h"
#include "sql/types/int256.h"

namespace strata::sql {

// An exact decimal: value = unscaled / 10^scale, up to 65 significant digits (MySQL's).
struct Decimal {
  Int256 unscaled;
  uint8_t scale = 0;

  static constexpr int kMaxDigits = 65;
  static constexpr int kMaxScale = 30;

  static Result<Decimal> Parse(Slice text);  // "-12.340", "1e3" is not accepted
  static Decimal FromInt(int64_t v) { return {v, 0}; }
  std::string ToString() const;
  double ToDouble() const;
  // Rounds half away from zero (MySQL) to `new_scale` digits; Overflow when it no longer
  // fits 65 digits.
  Result<Decimal> Rescale(int new_scale) const;
  // The integer part rounded half away from zero.
  Result<int64_t> ToInt64() const;
  // Digits left of the point.
  int IntegerDigits() const;
};

Result<Decimal> DecimalAdd(const Decimal& a, const Decimal& b);
Result<Decimal> DecimalSub(const Decimal& a, const Decimal& b);
Result<Decimal> DecimalMul(const Decimal& a, const Decimal& b);
// Scale of the quotient: a.scale + 4 (MySQL's div_precision_increment). Divisor 0: nullopt.
Result<std::optional<Decimal>> DecimalDiv(const Decimal& a, const Decimal& b);
// a MOD b exactly, as MySQL: the finer operand's scale, the dividend's sign. Divisor 0: nullopt.
std::optional<Decimal> DecimalMod(const Decimal& a, const Decimal& b);
int DecimalCompare(const Decimal& a, const Decimal& b);

enum class ValueKind : uint8_t { kNull, kInt, kUint, kDouble, kDecimal, kString };

class Value {
 public:
  Value() = default;  // NULL
  static Value Null() { return Value(); }
  static Value Int(int64_t v) { return Value(Rep(std::in_place_index<1>, v)); }
  static Value Uint(uint64_t v) { return Value(Rep(std::in_place_index<2>, v)); }
  static Value Double(double v) { return Value(Rep(std::in_place_index<3>, v)); }
  static Value Dec(Decimal v) { return Value(Rep(std::in_place_index<4>, v)); }
  static Value String(std::string v, StringCollation collation = 0) {
    return Value(Rep(std::in_place_index<5>, StringRep{std::move(v), collation}));
  }
  static Value Bool(bool v) { return Int(v ? 1 : 0); }

  ValueKind kind() const { return static_cast<ValueKind>(rep_.index()); }
  bool is_null() const { return kind() == ValueKind::kNull; }
  bool is_numeric() const { return kind() != ValueKind::kNull && kind() != ValueKind::kString; }

  int64_t int_value() const { return std::get<1>(rep_); }
  uint64_t uint_value() const { return std::get<2>(rep_); }
  double double_value() const { return std::get<3>(rep_); }
  const Decimal& decimal_value() const { return std::get<4>(rep_); }
  const std::string& string_value() const { return std::get<5>(rep_).bytes; }
  // A string's bytes moved out, without a copy (the value keeps an empty string).
  // REQUIRES: a string.
  std::string TakeString() && { return std::move(std::get<5>(rep_).bytes); }
  // A string's collation and coercibility (collation.h); 0 for every other kind.
  StringCollation collation() const { return kind() == ValueKind::kString ? std::get<5>(rep_).collation : 0; }
  // REQUIRES: a string.
  void set_collation(StringCollation c) { std::get<5>(rep_).collation = c; }

  // MySQL's text protocol form (nullopt for NULL).
  std::optional<std::string> ToText() const;
  // Conversions as MySQL does them in a numeric context: strings are read as far as they
  // look like a number ("12abc" → 12, "abc" → 0).
  double ToDouble() const;
  // Truthiness (WHERE, AND/OR): NULL → nullopt, numbers ≠ 0, strings by their number.
  std::optional<bool> ToBool() const;

 private:
  // The collation byte fits beside the string in the space a Decimal takes anyway.
  struct StringRep {
    std::string bytes;
    StringCollation collation = 0;
  };
  using Rep = std::variant<std::monostate, int64_t, uint64_t, double, Decimal, StringRep>;
  explicit Value(Rep rep) : rep_(std::move(rep)) {}
  Rep rep_;
};

// Three-way comparison with MySQL's conversions: two strings compare under their
// collations (collation.h); a string and a number compare as doubles; integers and
// decimals exactly. REQUIRES: neither is NULL.
int CompareValues(const Value& a, const Value& b);
// The same, but two strings compare bytewise whatever their collations (has a row changed?).
int CompareValuesBinary(const Value& a, const Value& b);

// Equality used for grouping and DISTINCT (NULLs are equal to each other there).
bool GroupEqual(const Value& a, const Value& b);
// Values that GroupEqual calls equal hash alike (strings: under any collation).
size_t HashValue(const Value& v);

// double → integer without undefined behaviour: NaN is 0, out-of-range values saturate.
int64_t SaturatingInt64(double d);
uint64_t SaturatingUint64(double d);

// Parses the longest numeric prefix of a string as MySQL does in numeric context.
double StringToDouble(Slice s);

}  // namespace strata::sql
