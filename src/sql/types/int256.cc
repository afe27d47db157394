#include "sql/types/int256.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <vector>

#include <boost/multiprecision/cpp_int.hpp>

namespace strata::sql {
namespace {

namespace mp = boost::multiprecision;
using Wide = mp::int512_t;  // room for a 256-bit value times 10^76

Wide ToWide(const Int256& x) {
  uint8_t bytes[32];
  x.abs().ToBigEndian(bytes);
  Wide w;
  mp::import_bits(w, bytes, bytes + 32);
  return x.is_negative() ? Wide(-w) : w;
}

// nullopt when |w| >= 2^255.
std::optional<Int256> FromWide(const Wide& w) {
  const Wide magnitude = mp::abs(w);
  if (mp::msb(magnitude | 1) >= 255) return std::nullopt;
  uint8_t bytes[32] = {};
  std::vector<uint8_t> raw;
  mp::export_bits(magnitude, std::back_inserter(raw), 8);  // big-endian, no leading zeros
  std::copy(raw.begin(), raw.end(), bytes + (32 - raw.size()));
  const Int256 m = Int256::FromBigEndian(bytes);
  return w < 0 ? -m : m;
}

}  // namespace

Int256 Int256::Pow10(int n) {
  static const auto table = [] {
    std::array<Int256, 77> t;
    t[0] = 1;
    for (int i = 1; i < 77; i++) t[i] = *Mul(t[i - 1], 10);
    return t;
  }();
  return table[std::clamp(n, 0, 76)];
}

bool Int256::FitsInt128() const {
  const uint64_t fill = static_cast<int64_t>(w_[1]) < 0 ? ~uint64_t{0} : 0;
  return w_[2] == fill && w_[3] == fill;
}

double Int256::ToDouble() const {
  if (FitsInt128()) return static_cast<double>(ToInt128());
  return std::strtod(ToString().c_str(), nullptr);  // correctly rounded, as summing limbs is not
}

std::string Int256::ToString() const {
  if (is_zero()) return "0";
  Int256 m = abs();
  std::string out;
  while (!m.is_zero()) {  // peel 19 digits at a time: divide the limbs by 10^19
    constexpr uint64_t kChunk = 10'000'000'000'000'000'000ull;
    unsigned __int128 rem = 0;
    for (int i = 3; i >= 0; i--) {
      const unsigned __int128 cur = (rem << 64) | m.w_[i];
      m.w_[i] = static_cast<uint64_t>(cur / kChunk);
      rem = cur % kChunk;
    }
    auto r = static_cast<uint64_t>(rem);
    for (int k = 0; k < 19 && (r != 0 || !m.is_zero()); k++, r /= 10) out.push_back(static_cast<char>('0' + r % 10));
  }
  if (is_negative()) out.push_back('-');
  std::reverse(out.begin(), out.end());
  return out;
}

int Int256::Digits() const {
  if (is_zero()) return 0;
  const Int256 m = abs();
  int n = 1;
  while (n < 77 && m >= Pow10(n)) n++;
  return n;
}

std::optional<Int256> Int256::Mul(const Int256& a, const Int256& b) {
  const Int256 x = a.abs(), y = b.abs();
  uint64_t p[8] = {};
  for (int i = 0; i < 4; i++) {
    uint64_t carry = 0;
    for (int j = 0; j < 4; j++) {
      const unsigned __int128 t = static_cast<unsigned __int128>(x.w_[i]) * y.w_[j] + p[i + j] + carry;
      p[i + j] = static_cast<uint64_t>(t);
      carry = static_cast<uint64_t>(t >> 64);
    }
    p[i + 4] = carry;
  }
  if ((p[4] | p[5] | p[6] | p[7]) != 0 || static_cast<int64_t>(p[3]) < 0) return std::nullopt;
  Int256 r;
  std::copy(p, p + 4, r.w_.begin());
  return a.is_negative() != b.is_negative() ? -r : r;
}

void Int256::DivMod(const Int256& a, const Int256& b, Int256* quotient, Int256* remainder) {
  Wide q, r;
  mp::divide_qr(ToWide(a), ToWide(b), q, r);  // truncates toward zero, as C++ does
  *quotient = *FromWide(q);
  *remainder = *FromWide(r);
}

namespace {

// num / den, rounded half away from zero or truncated.
std::optional<Int256> Quotient(const Wide& num, const Wide& den, bool round) {
  Wide q, r;
  mp::divide_qr(num, den, q, r);
  if (round && 2 * mp::abs(r) >= mp::abs(den)) q += (num < 0) != (den < 0) ? -1 : 1;
  return FromWide(q);
}

}  // namespace

std::optional<Int256> Int256::ScaledDiv(const Int256& a, int a_shift, const Int256& b, int b_shift, bool round) {
  return Quotient(ToWide(a) * ToWide(Pow10(a_shift)), ToWide(b) * ToWide(Pow10(b_shift)), round);
}

std::optional<Int256> Int256::MulDropDigits(const Int256& a, const Int256& b, int drop) {
  return Quotient(ToWide(a) * ToWide(b), ToWide(Pow10(drop)), true);
}

void Int256::ToBigEndian(uint8_t out[32]) const {
  for (int i = 0; i < 32; i++) out[i] = static_cast<uint8_t>(w_[3 - i / 8] >> (56 - 8 * (i % 8)));
}

Int256 Int256::FromBigEndian(const uint8_t in[32]) {
  Int256 r;
  for (int i = 0; i < 32; i++) r.w_[3 - i / 8] = (r.w_[3 - i / 8] << 8) | in[i];
  return r;
}

}  // namespace strata::sql
