#include "sql/types/value.h"

#include <cmath>
#include <cstdlib>
#include <functional>

#include <fmt/format.h>

#include "common/float_text.h"
#include "sql/errors.h"

namespace strata::sql {

// The collation byte rides in the space a Decimal takes anyway: rows do not grow.
static_assert(sizeof(Value) <= 48, "a Value is 48 bytes");
namespace {

constexpr double kPowersOf10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool WithinDigits(const Int256& v) {
  static const Int256 max = Int256::Pow10(Decimal::kMaxDigits) - 1;
  return v <= max && v >= -max;
}

// Rounds x / 10^drop half away from zero.
Int256 DivRound(const Int256& x, int drop) {
  if (drop <= 0) return x;
  if (x.FitsInt128() && drop <= 38) {  // the common case, without the wide division
    __int128 p = 1;
    for (int i = 0; i < drop; i++) p *= 10;
    const __int128 v = x.ToInt128();
    __int128 q = v / p, r = v % p;
    if (r < 0) r = -r;
    if (r >= p - r) q += v < 0 ? -1 : 1;
    return q;
  }
  return *Int256::ScaledDivRound(x, 0, Int256::Pow10(drop));
}

// x * 10^n, or nullopt past 256 bits.
std::optional<Int256> ShiftUp(const Int256& x, int n) {
  if (n > 76) return x.is_zero() ? std::optional<Int256>(x) : std::nullopt;
  return Int256::Mul(x, Int256::Pow10(n));
}

}  // namespace

Result<Decimal> Decimal::Parse(Slice text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) i++;
  bool neg = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
  // Digits gather 18 at a time in a 64-bit word before they are moved into the wide value.
  // Fractional digits past kMaxScale are dropped, the first of them rounding (as MySQL), and
  // do not count towards kMaxDigits.
  Int256 v;
  uint64_t chunk = 0;
  int chunk_digits = 0;
  int scale = 0, digits = 0;
  bool seen_point = false, any = false, round_up = false, dropping = false;
  for (; i < text.size(); i++) {
    char c = text[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any = true;
    if (seen_point && scale >= kMaxScale) {
      if (!dropping) round_up = c >= '5';
      dropping = true;
      continue;
    }
    if (digits > 0 || c != '0') digits++;
    if (digits > kMaxDigits) return ErrDecimalOutOfRange(text);
    chunk = chunk * 10 + static_cast<uint64_t>(c - '0');
    if (++chunk_digits == 18) {
      v = *Int256::Mul(v, Int256::Pow10(18)) + chunk;
      chunk = 0;
      chunk_digits = 0;
    }
    if (seen_point) scale++;
  }
  if (chunk_digits > 0) v = *Int256::Mul(v, Int256::Pow10(chunk_digits)) + chunk;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) i++;
  if (!any || i != text.size())
    return ErrIncorrectDecimalValue(text);
  if (round_up) {
    v += 1;
    if (!WithinDigits(v)) return ErrDecimalOutOfRange(text);
  }
  return Decimal{neg ? -v : v, static_cast<uint8_t>(scale)};
}

std::string Decimal::ToString() const {
  std::string digits = unscaled.abs().ToString();
  if (scale > 0) {
    if (digits.size() <= scale) digits.insert(0, scale - digits.size() + 1, '0');
    digits.insert(digits.size() - scale, ".");
  }
  return unscaled.is_negative() ? "-" + digits : digits;
}

double Decimal::ToDouble() const {
  // Correctly rounded, so one number gives one double at every scale (hash joins and GROUP
  // BY hash numbers by their double): a division is exact only while both operands are.
  constexpr __int128 kExactInDouble = __int128{1} << 53;
  if (scale <= 22 && unscaled.FitsInt128()) {
    const __int128 v = unscaled.ToInt128();
    if (v < kExactInDouble && v > -kExactInDouble) return static_cast<double>(v) / kPowersOf10[scale];
  }
  return std::strtod(ToString().c_str(), nullptr);
}

Result<Decimal> Decimal::Rescale(int new_scale) const {
  if (new_scale == scale) return *this;
  if (new_scale < scale) return Decimal{DivRound(unscaled, scale - new_scale), static_cast<uint8_t>(new_scale)};
  std::optional<Int256> out = ShiftUp(unscaled, new_scale - scale);
  if (!out || !WithinDigits(*out)) return ErrDecimalOutOfRange(ToString());
  return Decimal{*out, static_cast<uint8_t>(new_scale)};
}

Result<int64_t> Decimal::ToInt64() const {
  Int256 v = DivRound(unscaled, scale);
  if (v > INT64_MAX || v < INT64_MIN)
    return ErrBigintOutOfRange();
  return static_cast<int64_t>(v.ToInt128());
}

int Decimal::IntegerDigits() const {
  return std::max(0, unscaled.Digits() - scale);
}

Result<Decimal> DecimalAdd(const Decimal& a, const Decimal& b) {
  int scale = std::max(a.scale, b.scale);
  STRATA_ASSIGN_OR_RETURN(Decimal x, a.Rescale(scale));
  STRATA_ASSIGN_OR_RETURN(Decimal y, b.Rescale(scale));
  Int256 sum = x.unscaled + y.unscaled;
  if (!WithinDigits(sum)) return ErrDecimalOutOfRange(a.ToString() + " + " + b.ToString());
  return Decimal{sum, static_cast<uint8_t>(scale)};
}

Result<Decimal> DecimalSub(const Decimal& a, const Decimal& b) {
  return DecimalAdd(a, Decimal{-b.unscaled, b.scale});
}

Result<Decimal> DecimalMul(const Decimal& a, const Decimal& b) {
  const int scale = a.scale + b.scale;
  // Past scale 30 the product is rounded back to 30 digits from its whole value (two
  // DECIMAL(65,30) factors make a 60-digit fraction).
  std::optional<Int256> out = scale > Decimal::kMaxScale
                                  ? Int256::MulDropDigits(a.unscaled, b.unscaled, scale - Decimal::kMaxScale)
                                  : Int256::Mul(a.unscaled, b.unscaled);
  if (!out || !WithinDigits(*out)) return ErrDecimalOutOfRange(a.ToString() + " * " + b.ToString());
  return Decimal{*out, static_cast<uint8_t>(std::min(scale, Decimal::kMaxScale))};
}

Result<std::optional<Decimal>> DecimalDiv(const Decimal& a, const Decimal& b) {
  if (b.unscaled.is_zero()) return std::optional<Decimal>();
  int scale = std::min<int>(a.scale + 4, Decimal::kMaxScale);
  // a/b at `scale` digits = a.unscaled * 10^(scale - a.scale + b.scale) / b.unscaled.
  int shift = scale - a.scale + b.scale;
  // shift >= 0: scale >= a.scale unless a.scale > kMaxScale, which no Decimal has.
  std::optional<Int256> q = Int256::ScaledDivRound(a.unscaled, std::max(shift, 0), b.unscaled);
  if (!q || !WithinDigits(*q)) return ErrDecimalOutOfRange(a.ToString() + " / " + b.ToString());
  return std::optional<Decimal>(Decimal{*q, static_cast<uint8_t>(scale)});
}

std::optional<Decimal> DecimalMod(const Decimal& a, const Decimal& b) {
  if (b.unscaled.is_zero()) return std::nullopt;
  const uint8_t scale = std::max(a.scale, b.scale);
  Int256 quotient, rest;
  if (a.scale >= b.scale) {  // b gains digits; past Int256 it exceeds any a, which is then its own rest
    std::optional<Int256> divisor = ShiftUp(b.unscaled, a.scale - b.scale);
    if (!divisor) return a;
    Int256::DivMod(a.unscaled, *divisor, &quotient, &rest);
    return Decimal{rest, scale};
  }
  // a gains digits, one at a time: each step's rest is below |b| (65 digits at most), so it fits.
  Int256::DivMod(a.unscaled, b.unscaled, &quotient, &rest);
  for (int i = a.scale; i < b.scale; i++) Int256::DivMod(*Int256::Mul(rest, Int256(10)), b.unscaled, &quotient, &rest);
  return Decimal{rest, scale};
}

int DecimalCompare(const Decimal& a, const Decimal& b) {
  if (a.scale == b.scale) return a.unscaled < b.unscaled ? -1 : a.unscaled > b.unscaled ? 1 : 0;
  const bool a_finer = a.scale > b.scale;
  const Decimal& coarse = a_finer ? b : a;
  std::optional<Int256> lifted = ShiftUp(coarse.unscaled, std::abs(a.scale - b.scale));
  if (!lifted) {
    // Past 256 bits, the coarse value has more integer digits than the finer one can hold
    // (both are within 65 digits), so it is the larger in magnitude and its sign decides.
    int s = coarse.unscaled.sign();
    return a_finer ? -s : s;
  }
  const Int256& x = a_finer ? a.unscaled : *lifted;
  const Int256& y = a_finer ? *lifted : b.unscaled;
  return x < y ? -1 : x > y ? 1 : 0;
}

int64_t SaturatingInt64(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9.2233720368547758e18) return INT64_MAX;
  if (d <= -9.2233720368547758e18) return INT64_MIN;
  return static_cast<int64_t>(d);
}

uint64_t SaturatingUint64(double d) {
  if (std::isnan(d) || d <= 0) return 0;
  if (d >= 1.8446744073709552e19) return UINT64_MAX;
  return static_cast<uint64_t>(d);
}

double StringToDouble(Slice s) {
  std::string buf(s.substr(0, 400));
  char* end = nullptr;
  double d = std::strtod(buf.c_str(), &end);
  if (end == buf.c_str()) return 0;
  // strtod accepts hex, inf and nan; MySQL reads only decimal numbers.
  for (const char* p = buf.c_str(); p < end; p++)
    if (*p == 'x' || *p == 'X' || *p == 'n' || *p == 'N' || *p == 'i' || *p == 'I') return 0;
  return d;
}

std::optional<std::string> Value::ToText() const {
  switch (kind()) {
    case ValueKind::kNull: return std::nullopt;
    case ValueKind::kInt: return fmt::format("{}", int_value());
    case ValueKind::kUint: return fmt::format("{}", uint_value());
    case ValueKind::kDouble: return DoubleText(double_value());
    case ValueKind::kDecimal: return decimal_value().ToString();
    case ValueKind::kString: return string_value();
  }
  return std::nullopt;
}

double Value::ToDouble() const {
  switch (kind()) {
    case ValueKind::kNull: return 0;
    case ValueKind::kInt: return static_cast<double>(int_value());
    case ValueKind::kUint: return static_cast<double>(uint_value());
    case ValueKind::kDouble: return double_value();
    case ValueKind::kDecimal: return decimal_value().ToDouble();
    case ValueKind::kString: return StringToDouble(string_value());
  }
  return 0;
}

std::optional<bool> Value::ToBool() const {
  switch (kind()) {
    case ValueKind::kNull: return std::nullopt;
    case ValueKind::kInt: return int_value() != 0;
    case ValueKind::kUint: return uint_value() != 0;
    case ValueKind::kDecimal: return !decimal_value().unscaled.is_zero();
    default: return ToDouble() != 0;
  }
}

namespace {

// Exact comparison of integers/decimals (both non-null numeric, not double).
bool ExactKind(ValueKind k) { return k == ValueKind::kInt || k == ValueKind::kUint || k == ValueKind::kDecimal; }

Decimal AsDecimal(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kInt: return Decimal{v.int_value(), 0};
    case ValueKind::kUint: return Decimal{v.uint_value(), 0};
    default: return v.decimal_value();
  }
}

template <typename T>
int Cmp(T a, T b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

int CompareNonStrings(const Value& a, const Value& b) {
  ValueKind ka = a.kind(), kb = b.kind();
  if (ka == kb && ka == ValueKind::kInt) return Cmp(a.int_value(), b.int_value());
  if (ka == kb && ka == ValueKind::kUint) return Cmp(a.uint_value(), b.uint_value());
  if (ExactKind(ka) && ExactKind(kb)) return DecimalCompare(AsDecimal(a), AsDecimal(b));
  return Cmp(a.ToDouble(), b.ToDouble());
}

}  // namespace

int CompareValues(const Value& a, const Value& b) {
  if (a.kind() == ValueKind::kString && b.kind() == ValueKind::kString)
    return CollatedCompare(a.string_value(), b.string_value(), ResolveCollation(a.collation(), b.collation()));
  return CompareNonStrings(a, b);
}

int CompareValuesBinary(const Value& a, const Value& b) {
  if (a.kind() == ValueKind::kString && b.kind() == ValueKind::kString)
    return CollatedCompare(a.string_value(), b.string_value(), CollationKind::kBinary);
  return CompareNonStrings(a, b);
}

bool GroupEqual(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if ((a.kind() == ValueKind::kString) != (b.kind() == ValueKind::kString)) return false;
  return CompareValues(a, b) == 0;
}

size_t HashValue(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull: return 0x9e3779b97f4a7c15ull;
    case ValueKind::kString: return CollationHash(v.string_value());
    default: {
      double d = v.ToDouble();
      if (d == 0) d = 0;  // -0.0
      return std::hash<double>()(d);
    }
  }
}

}  // namespace strata::sql
