// Int256: a signed 256-bit integer, the unscaled value of a DECIMAL (MySQL's 65 digits need
// 216 bits; __int128 holds 38).
//
// Plain data (four two's-complement limbs) with inline addition, subtraction, negation and
// comparison, so value.h stays light. Multiplication, division and text are out of line
// (int256.cc); division goes through Boost.Multiprecision there, and only that file pays
// for its headers. Addition and subtraction wrap modulo 2^256: callers keep their operands
// within 65 digits (well inside 2^255), so a sum never reaches the wrap.
#pragma once

#include <array>
#include <compare>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>

namespace strata::sql {

class Int256 {
 public:
  constexpr Int256() = default;
  template <std::integral T>
    requires(sizeof(T) <= 8)
  constexpr Int256(T v) {  // NOLINT: implicit, as an integer converts to a wider one
    if constexpr (std::is_signed_v<T>) {
      const auto x = static_cast<int64_t>(v);
      const uint64_t fill = x < 0 ? ~uint64_t{0} : 0;
      w_ = {static_cast<uint64_t>(x), fill, fill, fill};
    } else {
      w_ = {static_cast<uint64_t>(v), 0, 0, 0};
    }
  }
  constexpr Int256(__int128 v) {  // NOLINT
    const uint64_t fill = v < 0 ? ~uint64_t{0} : 0;
    w_ = {static_cast<uint64_t>(v), static_cast<uint64_t>(static_cast<unsigned __int128>(v) >> 64), fill, fill};
  }

  // 10^n for 0 <= n <= 76.
  static Int256 Pow10(int n);

  bool is_negative() const { return static_cast<int64_t>(w_[3]) < 0; }
  bool is_zero() const { return (w_[0] | w_[1] | w_[2] | w_[3]) == 0; }
  int sign() const { return is_negative() ? -1 : is_zero() ? 0 : 1; }
  Int256 abs() const { return is_negative() ? -*this : *this; }

  bool FitsInt128() const;
  // Precondition: FitsInt128().
  __int128 ToInt128() const {
    return static_cast<__int128>((static_cast<unsigned __int128>(w_[1]) << 64) | w_[0]);
  }
  double ToDouble() const;
  std::string ToString() const;
  // Decimal digits of |x| (0 for zero).
  int Digits() const;

  friend constexpr Int256 operator-(const Int256& a) {
    Int256 r;
    unsigned carry = 1;
    for (int i = 0; i < 4; i++) {
      const uint64_t x = ~a.w_[i];
      r.w_[i] = x + carry;
      carry = carry && r.w_[i] == 0;
    }
    return r;
  }
  friend constexpr Int256 operator+(const Int256& a, const Int256& b) {
    Int256 r;
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
      const unsigned __int128 s = static_cast<unsigned __int128>(a.w_[i]) + b.w_[i] + carry;
      r.w_[i] = static_cast<uint64_t>(s);
      carry = static_cast<uint64_t>(s >> 64);
    }
    return r;
  }
  friend constexpr Int256 operator-(const Int256& a, const Int256& b) { return a + -b; }
  Int256& operator+=(const Int256& b) { return *this = *this + b; }
  Int256& operator-=(const Int256& b) { return *this = *this - b; }

  friend constexpr bool operator==(const Int256& a, const Int256& b) = default;
  friend constexpr std::strong_ordering operator<=>(const Int256& a, const Int256& b) {
    if (a.w_[3] != b.w_[3]) return static_cast<int64_t>(a.w_[3]) <=> static_cast<int64_t>(b.w_[3]);
    for (int i = 2; i >= 0; i--)
      if (a.w_[i] != b.w_[i]) return a.w_[i] <=> b.w_[i];
    return std::strong_ordering::equal;
  }

  // a * b, or nullopt when the product does not fit (|a * b| >= 2^255).
  static std::optional<Int256> Mul(const Int256& a, const Int256& b);
  // Quotient truncated toward zero and the remainder (the dividend's sign). b != 0.
  static void DivMod(const Int256& a, const Int256& b, Int256* quotient, Int256* remainder);
  // (a * 10^a_shift) / (b * 10^b_shift), rounded half away from zero or truncated toward
  // zero, computed without intermediate overflow (shifts 0..76); nullopt when the quotient
  // does not fit. b != 0.
  static std::optional<Int256> ScaledDiv(const Int256& a, int a_shift, const Int256& b, int b_shift, bool round);
  static std::optional<Int256> ScaledDivRound(const Int256& a, int shift, const Int256& b) {
    return ScaledDiv(a, shift, b, 0, true);
  }
  // a * b / 10^drop rounded half away from zero, the product kept whole (0 <= drop <= 76);
  // nullopt when the result does not fit.
  static std::optional<Int256> MulDropDigits(const Int256& a, const Int256& b, int drop);
  // The 32 big-endian bytes of the two's complement, and back (the row and key codecs).
  void ToBigEndian(uint8_t out[32]) const;
  static Int256 FromBigEndian(const uint8_t in[32]);

 private:
  std::array<uint64_t, 4> w_{};  // little-endian limbs
};

}  // namespace strata::sql
