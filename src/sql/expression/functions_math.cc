// Math functions. Results outside a function's domain (SQRT(-1), LOG(0), ACOS(2)) are NULL,
// as in MySQL; integer overflow is 1690.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include <fmt/format.h>

#include "sql/errors.h"
#include "sql/expression/function_library.h"

namespace strata::sql::functions {
namespace {

using Args = std::span<const Value>;

Value DoubleOrNull(double d) { return std::isfinite(d) ? Value::Double(d) : Value::Null(); }

Result<Value> Abs(Args a, const EvalContext&) {
  const Value& v = a[0];
  if (v.kind() == ValueKind::kInt) {
    if (v.int_value() == INT64_MIN) return ErrBigintOutOfRange("abs");
    return Value::Int(std::abs(v.int_value()));
  }
  if (v.kind() == ValueKind::kUint) return v;
  if (v.kind() == ValueKind::kDecimal) {
    Decimal d = v.decimal_value();
    d.unscaled = d.unscaled.abs();
    return Value::Dec(d);
  }
  return Value::Double(std::fabs(v.ToDouble()));
}

// ROUND / TRUNCATE to `digits` places (negative: left of the point); FLOOR / CEIL.
enum class Rounding { kHalfAway, kTowardZero, kFloor, kCeil };

Result<Value> RoundTo(const Value& v, int64_t digits, Rounding mode) {
  digits = std::clamp<int64_t>(digits, -30, 30);
  if (v.kind() == ValueKind::kInt || v.kind() == ValueKind::kUint) {
    if (digits >= 0 || mode == Rounding::kFloor || mode == Rounding::kCeil) return v;
    __int128 x = v.kind() == ValueKind::kInt ? v.int_value() : static_cast<__int128>(v.uint_value());
    __int128 p = 1;
    for (int64_t i = 0; i < -digits && p < static_cast<__int128>(1e20); i++) p *= 10;
    __int128 r = x / p * p;
    if (mode == Rounding::kHalfAway && (x % p) * 2 >= p) r += p;
    if (mode == Rounding::kHalfAway && (x % p) * 2 <= -p) r -= p;
    if (v.kind() == ValueKind::kUint) {
      if (r > static_cast<__int128>(UINT64_MAX)) return ErrBigintOutOfRange("round");
      return Value::Uint(static_cast<uint64_t>(r));
    }
    if (r < INT64_MIN || r > INT64_MAX) return ErrBigintOutOfRange("round");
    return Value::Int(static_cast<int64_t>(r));
  }
  if (v.kind() == ValueKind::kDecimal && mode == Rounding::kHalfAway && digits >= 0) {
    STRATA_ASSIGN_OR_RETURN(Decimal d, v.decimal_value().Rescale(static_cast<int>(std::min<int64_t>(digits, Decimal::kMaxScale))));
    return Value::Dec(d);
  }
  if (v.kind() == ValueKind::kDecimal && (mode == Rounding::kFloor || mode == Rounding::kCeil)) {
    // Exact: the integer part, moved one toward -inf (FLOOR) or +inf (CEIL) if a fraction
    // was cut. The result is a BIGINT here (MySQL makes it a DECIMAL past 18 digits): 1690
    // past its range.
    const Decimal& dec = v.decimal_value();
    Int256 q, fraction;
    Int256::DivMod(dec.unscaled, Int256::Pow10(dec.scale), &q, &fraction);
    if (mode == Rounding::kFloor && fraction.is_negative()) q -= 1;
    if (mode == Rounding::kCeil && fraction.sign() > 0) q += 1;
    if (q < INT64_MIN || q > INT64_MAX) return ErrBigintOutOfRange(mode == Rounding::kFloor ? "floor" : "ceiling");
    return Value::Int(static_cast<int64_t>(q.ToInt128()));
  }
  double d = v.ToDouble();
  if (mode == Rounding::kFloor) return Value::Int(SaturatingInt64(std::floor(d)));
  if (mode == Rounding::kCeil) return Value::Int(SaturatingInt64(std::ceil(d)));
  double p = std::pow(10.0, static_cast<double>(digits));
  double scaled = d * p;
  // Approximate values round half to even (MySQL uses rint()); exact ones half away from zero.
  double r = mode == Rounding::kTowardZero ? std::trunc(scaled)
             : v.kind() == ValueKind::kDouble ? std::nearbyint(scaled)
                                              : std::round(scaled);
  if (v.kind() == ValueKind::kDecimal && digits >= 0) {  // TRUNCATE of a DECIMAL stays exact
    Decimal dec = v.decimal_value();
    if (dec.scale > digits) {
      Int256 fraction;
      Int256::DivMod(dec.unscaled, Int256::Pow10(static_cast<int>(dec.scale - digits)), &dec.unscaled, &fraction);
      dec.scale = static_cast<uint8_t>(digits);
    }
    return Value::Dec(dec);
  }
  return Value::Double(r / p);
}

int64_t Digits(Args a) { return a.size() > 1 ? Int(a[1]) : 0; }
Result<Value> Round(Args a, const EvalContext&) { return RoundTo(a[0], Digits(a), Rounding::kHalfAway); }
Result<Value> Truncate(Args a, const EvalContext&) { return RoundTo(a[0], Digits(a), Rounding::kTowardZero); }
Result<Value> Floor(Args a, const EvalContext&) { return RoundTo(a[0], 0, Rounding::kFloor); }
Result<Value> Ceil(Args a, const EvalContext&) { return RoundTo(a[0], 0, Rounding::kCeil); }

Result<Value> Sign(Args a, const EvalContext&) {
  double d = a[0].ToDouble();
  if (a[0].kind() == ValueKind::kDecimal) d = a[0].decimal_value().unscaled.sign();
  return Value::Int(d > 0 ? 1 : d < 0 ? -1 : 0);
}

Result<Value> Greatest(Args a, bool greatest) {
  Value best = a[0];
  for (size_t i = 1; i < a.size(); i++) {
    int c = CompareValues(a[i], best);
    if (greatest ? c > 0 : c < 0) best = a[i];
  }
  return best;
}
Result<Value> GreatestFn(Args a, const EvalContext&) { return Greatest(a, true); }
Result<Value> LeastFn(Args a, const EvalContext&) { return Greatest(a, false); }

#define STRATA_UNARY_MATH(NAME, EXPR)                         \
  Result<Value> NAME(Args a, const EvalContext&) {            \
    double x = a[0].ToDouble();                               \
    return DoubleOrNull(EXPR);                                \
  }
STRATA_UNARY_MATH(Sqrt, x < 0 ? NAN : std::sqrt(x))
STRATA_UNARY_MATH(Exp, std::exp(x))
STRATA_UNARY_MATH(Ln, x <= 0 ? NAN : std::log(x))
STRATA_UNARY_MATH(Log2, x <= 0 ? NAN : std::log2(x))
STRATA_UNARY_MATH(Log10, x <= 0 ? NAN : std::log10(x))
STRATA_UNARY_MATH(Sin, std::sin(x))
STRATA_UNARY_MATH(Cos, std::cos(x))
STRATA_UNARY_MATH(Tan, std::tan(x))
STRATA_UNARY_MATH(Cot, std::tan(x) == 0 ? NAN : 1 / std::tan(x))
STRATA_UNARY_MATH(Asin, x < -1 || x > 1 ? NAN : std::asin(x))
STRATA_UNARY_MATH(Acos, x < -1 || x > 1 ? NAN : std::acos(x))
STRATA_UNARY_MATH(Degrees, x * 180 / std::numbers::pi)
STRATA_UNARY_MATH(Radians, x * std::numbers::pi / 180)
#undef STRATA_UNARY_MATH

Result<Value> Log(Args a, const EvalContext&) {  // LOG(x) or LOG(base, x)
  double x = a.back().ToDouble();
  if (a.size() == 1) return DoubleOrNull(x <= 0 ? NAN : std::log(x));
  double b = a[0].ToDouble();
  if (x <= 0 || b <= 0 || b == 1) return Value::Null();
  return DoubleOrNull(std::log(x) / std::log(b));
}

Result<Value> Atan(Args a, const EvalContext&) {
  if (a.size() == 1) return DoubleOrNull(std::atan(a[0].ToDouble()));
  return DoubleOrNull(std::atan2(a[0].ToDouble(), a[1].ToDouble()));
}

Result<Value> Pow(Args a, const EvalContext&) {
  double r = std::pow(a[0].ToDouble(), a[1].ToDouble());
  if (std::isinf(r)) return ErrDecimalOutOfRange("pow");
  return DoubleOrNull(r);
}

Result<Value> Pi(Args, const EvalContext&) { return Value::Double(std::numbers::pi); }

Result<Value> Rand(Args a, const EvalContext&) {
  if (!a.empty() && !a[0].is_null()) {  // RAND(seed): the seed's first value, the same each time
    std::mt19937_64 seeded(static_cast<uint64_t>(Int(a[0])));
    return Value::Double(std::uniform_real_distribution<double>(0, 1)(seeded));
  }
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  return Value::Double(std::uniform_real_distribution<double>(0, 1)(engine));
}

Result<Value> Crc32(Args a, const EvalContext&) {  // IEEE 802.3, as MySQL's (zlib's) crc32
  uint32_t crc = 0xffffffffu;
  for (unsigned char c : Text(a[0])) {
    crc ^= c;
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
  }
  return Value::Uint(~crc & 0xffffffffu);
}

// CONV(n, from_base, to_base): a negative to_base prints signed.
Result<Value> Conv(Args a, const EvalContext&) {
  int64_t from = Int(a[1]), to = Int(a[2]);
  if (std::abs(from) < 2 || std::abs(from) > 36 || std::abs(to) < 2 || std::abs(to) > 36) return Value::Null();
  std::string s = Text(a[0]);
  bool negative = !s.empty() && s[0] == '-';
  uint64_t n = 0;
  for (size_t i = negative ? 1 : 0; i < s.size(); i++) {
    char c = static_cast<char>(std::toupper(static_cast<unsigned char>(s[i])));
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 99;
    if (d >= std::abs(from)) break;
    if (n > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(std::abs(from))) {
      n = UINT64_MAX;
      break;
    }
    n = n * static_cast<uint64_t>(std::abs(from)) + static_cast<uint64_t>(d);
  }
  bool print_negative = false;
  if (negative) {
    if (to < 0) print_negative = true;
    else n = 0 - n;
  }
  uint64_t base = static_cast<uint64_t>(std::abs(to));
  std::string out;
  do {
    out.insert(out.begin(), "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n % base]);
    n /= base;
  } while (n > 0);
  return Value::String(print_negative ? "-" + out : out);
}

Result<Value> Bin(Args a, const EvalContext& ctx) {
  Value args[] = {a[0], Value::Int(10), Value::Int(2)};
  return Conv(args, ctx);
}
Result<Value> Oct(Args a, const EvalContext& ctx) {
  Value args[] = {a[0], Value::Int(10), Value::Int(8)};
  return Conv(args, ctx);
}

// FORMAT(x, d): rounded to d places with thousands separators ("1,234,567.89").
Result<Value> Format(Args a, const EvalContext&) {
  int64_t d = std::clamp<int64_t>(Int(a[1]), 0, 30);
  std::string s;
  if (a[0].kind() == ValueKind::kDecimal) {
    STRATA_ASSIGN_OR_RETURN(Decimal dec, a[0].decimal_value().Rescale(static_cast<int>(d)));
    s = dec.ToString();
  } else if ((a[0].kind() == ValueKind::kInt || a[0].kind() == ValueKind::kUint) && d == 0) {
    s = Text(a[0]);
  } else {
    s = fmt::format("{:.{}f}", a[0].ToDouble(), d);
  }
  size_t sign = !s.empty() && s[0] == '-' ? 1 : 0;
  size_t point = s.find('.');
  size_t int_end = point == std::string::npos ? s.size() : point;
  std::string out = s.substr(0, sign);
  for (size_t i = sign; i < int_end; i++) {
    out += s[i];
    size_t left = int_end - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  return Value::String(out + s.substr(int_end));
}

constexpr OutKind D = OutKind::kDouble, I = OutKind::kInt, S = OutKind::kString;

const BuiltinFunction kMathFunctions[] = {
    {"ABS", 1, 1, D, ResultRule::kFirstArg, true, true, Abs},
    {"ROUND", 1, 2, D, ResultRule::kFirstArg, true, true, Round},
    {"TRUNCATE", 2, 2, D, ResultRule::kFirstArg, true, true, Truncate},
    {"FLOOR", 1, 1, I, ResultRule::kFixed, true, true, Floor},
    {"CEIL", 1, 1, I, ResultRule::kFixed, true, true, Ceil},
    {"CEILING", 1, 1, I, ResultRule::kFixed, true, true, Ceil},
    {"SIGN", 1, 1, I, ResultRule::kFixed, true, true, Sign},
    {"GREATEST", 2, -1, D, ResultRule::kFirstArg, true, true, GreatestFn},
    {"LEAST", 2, -1, D, ResultRule::kFirstArg, true, true, LeastFn},
    {"SQRT", 1, 1, D, ResultRule::kFixed, true, true, Sqrt},
    {"EXP", 1, 1, D, ResultRule::kFixed, true, true, Exp},
    {"LN", 1, 1, D, ResultRule::kFixed, true, true, Ln},
    {"LOG", 1, 2, D, ResultRule::kFixed, true, true, Log},
    {"LOG2", 1, 1, D, ResultRule::kFixed, true, true, Log2},
    {"LOG10", 1, 1, D, ResultRule::kFixed, true, true, Log10},
    {"POW", 2, 2, D, ResultRule::kFixed, true, true, Pow},
    {"POWER", 2, 2, D, ResultRule::kFixed, true, true, Pow},
    {"SIN", 1, 1, D, ResultRule::kFixed, true, true, Sin},
    {"COS", 1, 1, D, ResultRule::kFixed, true, true, Cos},
    {"TAN", 1, 1, D, ResultRule::kFixed, true, true, Tan},
    {"COT", 1, 1, D, ResultRule::kFixed, true, true, Cot},
    {"ASIN", 1, 1, D, ResultRule::kFixed, true, true, Asin},
    {"ACOS", 1, 1, D, ResultRule::kFixed, true, true, Acos},
    {"ATAN", 1, 2, D, ResultRule::kFixed, true, true, Atan},
    {"ATAN2", 2, 2, D, ResultRule::kFixed, true, true, Atan},
    {"DEGREES", 1, 1, D, ResultRule::kFixed, true, true, Degrees},
    {"RADIANS", 1, 1, D, ResultRule::kFixed, true, true, Radians},
    {"PI", 0, 0, D, ResultRule::kFixed, true, true, Pi},
    {"RAND", 0, 1, D, ResultRule::kFixed, false, false, Rand},
    {"CRC32", 1, 1, OutKind::kUint, ResultRule::kFixed, true, true, Crc32},
    {"CONV", 3, 3, S, ResultRule::kFixed, true, true, Conv},
    {"BIN", 1, 1, S, ResultRule::kFixed, true, true, Bin},
    {"OCT", 1, 1, S, ResultRule::kFixed, true, true, Oct},
    {"FORMAT", 2, 3, S, ResultRule::kFixed, true, true, Format},
};

}  // namespace

std::span<const BuiltinFunction> MathFunctions() { return kMathFunctions; }

}  // namespace strata::sql::functions
