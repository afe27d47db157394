#include "sql/types/value.h"

#include <cmath>
#include <cstdlib>
#include <functional>

#include <fmt/format.h>

#include "common/float_text.h"
#include "sql/errors.h"

namespace strata::sql {
namespace {


__int128 Pow10(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; i++) p *= 10;
  return p;
}

const __int128 kMaxUnscaled = Pow10(Decimal::kMaxDigits) - 1;

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string out;
  while (u > 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) out.push_back('-');
  return std::string(out.rbegin(), out.rend());
}

// Rounds x / 10^drop half away from zero.
__int128 DivRound(__int128 x, int drop) {
  if (drop <= 0) return x;
  __int128 p = Pow10(drop);
  __int128 q = x / p, r = x % p;
  if (r < 0) r = -r;
  if (r * 2 >= p) q += x < 0 ? -1 : 1;
  return q;
}

}  // namespace

Result<Decimal> Decimal::Parse(Slice text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) i++;
  bool neg = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
  __int128 v = 0;
  int scale = 0, digits = 0;
  bool seen_point = false, any = false;
  for (; i < text.size(); i++) {
    char c = text[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any = true;
    if (seen_point && scale >= kMaxScale) continue;  // extra fractional digits are cut
    if (digits > 0 || c != '0') digits++;
    if (digits > kMaxDigits) return ErrDecimalOutOfRange(text);
    v = v * 10 + (c - '0');
    if (seen_point) scale++;
  }
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) i++;
  if (!any || i != text.size())
    return ErrIncorrectDecimalValue(text);
  return Decimal{neg ? -v : v, static_cast<uint8_t>(scale)};
}

std::string Decimal::ToString() const {
  std::string digits = Int128ToString(unscaled < 0 ? -unscaled : unscaled);
  if (scale > 0) {
    if (digits.size() <= scale) digits.insert(0, scale - digits.size() + 1, '0');
    digits.insert(digits.size() - scale, ".");
  }
  return unscaled < 0 ? "-" + digits : digits;
}

double Decimal::ToDouble() const { return static_cast<double>(unscaled) / std::pow(10.0, scale); }

Result<Decimal> Decimal::Rescale(int new_scale) const {
  if (new_scale == scale) return *this;
  if (new_scale < scale) return Decimal{DivRound(unscaled, scale - new_scale), static_cast<uint8_t>(new_scale)};
  __int128 out;
  if (__builtin_mul_overflow(unscaled, Pow10(new_scale - scale), &out) || out > kMaxUnscaled ||
      out < -kMaxUnscaled)
    return ErrDecimalOutOfRange(ToString());
  return Decimal{out, static_cast<uint8_t>(new_scale)};
}

Result<int64_t> Decimal::ToInt64() const {
  __int128 v = DivRound(unscaled, scale);
  if (v > INT64_MAX || v < INT64_MIN)
    return ErrBigintOutOfRange();
  return static_cast<int64_t>(v);
}

int Decimal::IntegerDigits() const {
  __int128 v = unscaled < 0 ? -unscaled : unscaled;
  v /= Pow10(scale);
  int n = 0;
  while (v > 0) {
    v /= 10;
    n++;
  }
  return n;
}

Result<Decimal> DecimalAdd(const Decimal& a, const Decimal& b) {
  int scale = std::max(a.scale, b.scale);
  STRATA_ASSIGN_OR_RETURN(Decimal x, a.Rescale(scale));
  STRATA_ASSIGN_OR_RETURN(Decimal y, b.Rescale(scale));
  __int128 sum = x.unscaled + y.unscaled;
  if (sum > kMaxUnscaled || sum < -kMaxUnscaled) return ErrDecimalOutOfRange(a.ToString() + " + " + b.ToString());
  return Decimal{sum, static_cast<uint8_t>(scale)};
}

Result<Decimal> DecimalSub(const Decimal& a, const Decimal& b) {
  return DecimalAdd(a, Decimal{-b.unscaled, b.scale});
}

Result<Decimal> DecimalMul(const Decimal& a, const Decimal& b) {
  __int128 out;
  int scale = a.scale + b.scale;
  if (__builtin_mul_overflow(a.unscaled, b.unscaled, &out) || out > kMaxUnscaled || out < -kMaxUnscaled)
    return ErrDecimalOutOfRange(a.ToString() + " * " + b.ToString());
  Decimal d{out, static_cast<uint8_t>(std::min(scale, 255))};
  if (scale > Decimal::kMaxScale) return d.Rescale(Decimal::kMaxScale);
  return d;
}

Result<std::optional<Decimal>> DecimalDiv(const Decimal& a, const Decimal& b) {
  if (b.unscaled == 0) return std::optional<Decimal>();
  int scale = std::min<int>(a.scale + 4, Decimal::kMaxScale);
  // a/b at `scale` digits = a.unscaled * 10^(scale - a.scale + b.scale) / b.unscaled.
  int shift = scale - a.scale + b.scale;
  if (shift + 1 > Decimal::kMaxDigits) return ErrDecimalOutOfRange(a.ToString() + " / " + b.ToString());
  __int128 num;
  if (__builtin_mul_overflow(a.unscaled, Pow10(shift + 1), &num))
    return ErrDecimalOutOfRange(a.ToString() + " / " + b.ToString());
  __int128 q = num / b.unscaled;  // one extra digit for rounding
  __int128 r = q % 10;
  q /= 10;
  if (r >= 5) q++;
  if (r <= -5) q--;
  return std::optional<Decimal>(Decimal{q, static_cast<uint8_t>(scale)});
}

int DecimalCompare(const Decimal& a, const Decimal& b) {
  int scale = std::max(a.scale, b.scale);
  auto x = a.Rescale(scale), y = b.Rescale(scale);
  if (!x.ok() || !y.ok()) {  // out of 38 digits: fall back to doubles
    double p = a.ToDouble(), q = b.ToDouble();
    return p < q ? -1 : p > q ? 1 : 0;
  }
  return x->unscaled < y->unscaled ? -1 : x->unscaled > y->unscaled ? 1 : 0;
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
    case ValueKind::kDecimal: return decimal_value().unscaled != 0;
    default: return ToDouble() != 0;
  }
}

namespace {

// Exact comparison of integers/decimals (both non-null numeric, not double).
bool ExactKind(ValueKind k) { return k == ValueKind::kInt || k == ValueKind::kUint || k == ValueKind::kDecimal; }

Decimal AsDecimal(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kInt: return Decimal{v.int_value(), 0};
    case ValueKind::kUint: return Decimal{static_cast<__int128>(v.uint_value()), 0};
    default: return v.decimal_value();
  }
}

template <typename T>
int Cmp(T a, T b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

}  // namespace

int CompareValues(const Value& a, const Value& b) {
  ValueKind ka = a.kind(), kb = b.kind();
  if (ka == ValueKind::kString && kb == ValueKind::kString) {
    int c = a.string_value().compare(b.string_value());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (ka == kb && ka == ValueKind::kInt) return Cmp(a.int_value(), b.int_value());
  if (ka == kb && ka == ValueKind::kUint) return Cmp(a.uint_value(), b.uint_value());
  if (ExactKind(ka) && ExactKind(kb)) return DecimalCompare(AsDecimal(a), AsDecimal(b));
  return Cmp(a.ToDouble(), b.ToDouble());
}

bool GroupEqual(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if ((a.kind() == ValueKind::kString) != (b.kind() == ValueKind::kString)) return false;
  return CompareValues(a, b) == 0;
}

size_t HashValue(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull: return 0x9e3779b97f4a7c15ull;
    case ValueKind::kString: return std::hash<std::string>()(v.string_value());
    default: {
      double d = v.ToDouble();
      if (d == 0) d = 0;  // -0.0
      return std::hash<double>()(d);
    }
  }
}

}  // namespace strata::sql
