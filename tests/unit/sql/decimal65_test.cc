// DECIMAL up to 65 digits: Int256 against __int128 where both hold the values, decimal
// arithmetic past 38 digits against results computed independently (Python's integers),
// and the row and key encodings of wide decimals (order, and the 16-byte form kept for
// values within 38 digits).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "sql/types/codec.h"
#include "sql/types/int256.h"
#include "sql/types/value.h"
#include "decimal_text.h"

namespace strata::sql {
namespace {

std::string Int128Text(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  auto u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  for (; u > 0; u /= 10) s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
  return neg ? "-" + s : s;
}

__int128 Wide(int64_t hi, uint64_t lo) { return static_cast<__int128>((static_cast<unsigned __int128>(hi) << 64) | lo); }

RC_GTEST_PROP(Int256Property, AgreesWithInt128, (int64_t ah, uint64_t al, int64_t bh, uint64_t bl)) {
  // Operands of up to ~100 bits, so products and sums stay within __int128.
  const int shift = *rc::gen::inRange(0, 37);
  const __int128 a = Wide(ah, al) >> (shift + 27), b = Wide(bh, bl) >> (63 - shift);
  const Int256 x = a, y = b;
  RC_ASSERT(x.ToString() == Int128Text(a));
  RC_ASSERT((x + y).ToString() == Int128Text(a + b));
  RC_ASSERT((x - y).ToString() == Int128Text(a - b));
  RC_ASSERT((-x).ToString() == Int128Text(-a));
  RC_ASSERT((x < y) == (a < b));
  RC_ASSERT((x == y) == (a == b));
  RC_ASSERT(x.FitsInt128() && x.ToInt128() == a);
  const __int128 small_b = b >> 40;  // the product of a ~100-bit and a ~60-bit value fits
  __int128 product;
  if (!__builtin_mul_overflow(a, small_b, &product)) {
    auto p = Int256::Mul(x, small_b);
    RC_ASSERT(p.has_value());
    RC_ASSERT(p->ToString() == Int128Text(product));
  }
  if (b != 0) {
    Int256 q, r;
    Int256::DivMod(x, y, &q, &r);
    RC_ASSERT(q.ToString() == Int128Text(a / b));
    RC_ASSERT(r.ToString() == Int128Text(a % b));
  }
  uint8_t bytes[32];
  x.ToBigEndian(bytes);
  RC_ASSERT(Int256::FromBigEndian(bytes) == x);
  RC_ASSERT(x.ToDouble() == static_cast<double>(a));
}

TEST(Int256Test, PastInt128) {
  const Int256 p64 = Int256::Pow10(64);
  EXPECT_EQ(p64.ToString(), "1" + std::string(64, '0'));
  EXPECT_EQ(p64.Digits(), 65);
  EXPECT_FALSE(p64.FitsInt128());
  EXPECT_EQ(Int256::Pow10(76).ToString(), "1" + std::string(76, '0'));
  // 10^38 * 10^38 fits (10^76 < 2^255); 10^38 * 10^39 does not.
  EXPECT_TRUE(Int256::Mul(Int256::Pow10(38), Int256::Pow10(38)).has_value());
  EXPECT_FALSE(Int256::Mul(Int256::Pow10(38), Int256::Pow10(39)).has_value());
  EXPECT_FALSE(Int256::Mul(-Int256::Pow10(40), Int256::Pow10(40)).has_value());
  Int256 q, r;
  Int256::DivMod(-p64 - 5, 7, &q, &r);  // (-10^64 - 5) / 7, truncated
  EXPECT_EQ(q.ToString(), "-1428571428571428571428571428571428571428571428571428571428571429");
  EXPECT_EQ(r.ToString(), "-2");
  EXPECT_EQ(Int256::ScaledDivRound(2, 70, 3)->ToString(), "6666666666666666666666666666666666666666666666666666666666666666666667");
  EXPECT_FALSE(Int256::ScaledDivRound(p64, 76, 1).has_value());
  EXPECT_EQ((-p64).ToDouble(), -1e64);
  EXPECT_LT(-p64, Int256(INT64_MIN));
  EXPECT_GT(p64, Int256(UINT64_MAX));
}

TEST(Decimal65Test, ParseFormatAndLimits) {
  const std::string nines(65, '9');
  EXPECT_EQ(D(nines).ToString(), nines);
  EXPECT_EQ(D("-" + nines).ToString(), "-" + nines);
  EXPECT_EQ(D("12345678901234567890123456789012345.123456789012345678901234567890").ToString(),
            "12345678901234567890123456789012345.123456789012345678901234567890");
  EXPECT_FALSE(Decimal::Parse(nines + "9").ok());  // 66 digits
  EXPECT_EQ(D(std::string(30, '0') + nines).ToString(), nines);  // leading zeros do not count
  EXPECT_EQ(D(nines).IntegerDigits(), 65);
  EXPECT_EQ(D("1" + std::string(46, '0')).ToDouble(), 1e46);
}

TEST(Decimal65Test, ArithmeticPast38Digits) {
  // (10^30 + 1)^2 = 10^60 + 2 * 10^30 + 1
  const Decimal a = D("1" + std::string(29, '0') + "1");
  EXPECT_EQ(DecimalMul(a, a)->ToString(), "1" + std::string(29, '0') + "2" + std::string(29, '0') + "1");
  EXPECT_EQ(DecimalAdd(D(std::string(64, '9')), D("1"))->ToString(), "1" + std::string(64, '0'));
  EXPECT_FALSE(DecimalAdd(D(std::string(65, '9')), D("1")).ok());  // 66 digits: 1690
  EXPECT_FALSE(DecimalMul(D("1" + std::string(40, '0')), D("1" + std::string(30, '0'))).ok());
  EXPECT_EQ(DecimalSub(D("-" + std::string(50, '9')), D("0.5"))->ToString(), "-" + std::string(50, '9') + ".5");
  // 10^50 / 3 at scale 4 (the dividend's scale + 4), rounded half away from zero.
  EXPECT_EQ((*DecimalDiv(D("1" + std::string(50, '0')), D("3")))->ToString(), std::string(50, '3') + ".3333");
  EXPECT_EQ((*DecimalDiv(D("2"), D("-3")))->ToString(), "-0.6667");
  // 47 digits / 10^-30 has 77 integer digits: out of range (1690), as in MySQL.
  EXPECT_FALSE(DecimalDiv(D("12345678901234567890123456789012345678901234567"), D("0.000000000000000000000000000001")).ok());
}

TEST(Decimal65Test, ProductsOfScale30FactorsAreRoundedFromTheWholeProduct) {
  // 1e9 * 1e8 at scale 30 each: unscaled 1e39 * 1e38 = 1e77 passes 2^255 before it is
  // rounded back to scale 30 (it used to be 1690).
  const Decimal a = *D("1000000000").Rescale(30), b = *D("100000000").Rescale(30);
  EXPECT_EQ(DecimalMul(a, b)->ToString(), "100000000000000000." + std::string(30, '0'));
  // 0.5 * 1e-30 = 5e-31, rounded half away from zero at scale 30.
  EXPECT_EQ(DecimalMul(D("0.5"), D("0.000000000000000000000000000001"))->ToString(), "0.000000000000000000000000000001");
  EXPECT_EQ(DecimalMul(D("-0.4"), D("0.000000000000000000000000000001"))->ToString(), "0.000000000000000000000000000000");
}

TEST(Decimal65Test, ParseRoundsAtTheFirstDroppedDigit) {
  // 36 integer digits and 30 fractional: 66 digits written, 66 kept — past 65, 1690; with
  // a 31st fractional digit it is dropped (rounding), not counted.
  const std::string int36 = "123456789012345678901234567890123456";
  EXPECT_FALSE(Decimal::Parse(int36 + "." + std::string(30, '1')).ok());
  EXPECT_EQ(D(std::string(35, '9') + "." + std::string(30, '1') + "9").ToString(),
            std::string(35, '9') + "." + std::string(29, '1') + "2");
  EXPECT_EQ(D("0.0000000000000000000000000000019").ToString(), "0.000000000000000000000000000002");
  EXPECT_EQ(D("-0.0000000000000000000000000000014").ToString(), "-0.000000000000000000000000000001");
  EXPECT_FALSE(Decimal::Parse(std::string(35, '9') + "." + std::string(30, '9') + "9").ok());  // rounds to 66 digits
}

TEST(Decimal65Test, OneNumberIsOneDoubleAtEveryScale) {
  // Hash joins and GROUP BY hash numbers by their double: the same value at scale 2 and at
  // scale 30 must give the same one (a division of a 61-bit integer used to round twice).
  const Decimal narrow = D("1878761312330470682.08");
  const Decimal wide = *narrow.Rescale(30);
  EXPECT_EQ(narrow.ToDouble(), wide.ToDouble());
  EXPECT_EQ(narrow.ToDouble(), 1878761312330470682.08);
  EXPECT_EQ(D("0.1").ToDouble(), 0.1);
  EXPECT_EQ(D("-123.456").ToDouble(), -123.456);
}

TEST(Decimal65Test, CompareAcrossScalesAndMagnitudes) {
  EXPECT_EQ(DecimalCompare(D(std::string(65, '9')), D("0.000000000000000000000000000001")), 1);
  EXPECT_EQ(DecimalCompare(D("-" + std::string(65, '9')), D("0.000000000000000000000000000001")), -1);
  EXPECT_EQ(DecimalCompare(D("0.000000000000000000000000000001"), D(std::string(65, '9'))), -1);
  EXPECT_EQ(DecimalCompare(D("1" + std::string(40, '0') + ".50"), D("1" + std::string(40, '0') + ".5")), 0);
  EXPECT_EQ(DecimalCompare(D("1" + std::string(40, '0') + ".51"), D("1" + std::string(40, '0') + ".5")), 1);
}

ColumnType DecimalType(uint32_t precision) {
  ColumnType t;
  t.kind = ast::TypeKind::kDecimal;
  t.length = precision;
  t.scale = 10;
  return t;
}

Bytes Key(const Value& v, uint32_t precision) {
  Bytes out;
  AppendKeyValue(v, DecimalType(precision), &out);
  return out;
}

RC_GTEST_PROP(Decimal65Property, WideKeysOrderAsValues, ()) {
  auto gen_decimal = [] {
    const int digits = *rc::gen::inRange(1, 66);
    std::string text = *rc::gen::element<std::string>("", "-");
    for (int i = 0; i < digits; i++) text.push_back(static_cast<char>('0' + *rc::gen::inRange(0, 10)));
    auto d = Decimal::Parse(text);
    RC_ASSERT(d.ok());
    return Decimal{d->unscaled, 10};  // one column's scale
  };
  const Decimal a = gen_decimal(), b = gen_decimal();
  const int expected = DecimalCompare(a, b);
  const int got = Key(Value::Dec(a), 65).compare(Key(Value::Dec(b), 65));
  RC_ASSERT((got < 0 ? -1 : got > 0 ? 1 : 0) == expected);
  RC_ASSERT(Key(Value::Dec(a), 65).size() == 33u);
  // The row codec keeps each value exactly.
  Bytes row = EncodeRow({Value::Dec(a)});
  TableSchema table;
  table.columns.resize(1);
  auto back = DecodeRow(row, table);
  RC_ASSERT(back.ok());
  RC_ASSERT((*back)[0].decimal_value().unscaled == a.unscaled);
  RC_ASSERT((*back)[0].decimal_value().scale == a.scale);
}

TEST(Decimal65Test, NarrowValuesKeepTheirEncodings) {
  // Rows and keys written before DECIMAL(65) (16-byte unscaled integers) read the same:
  // a value within 38 digits encodes as it always did.
  const Value v = Value::Dec(D("-12345.6789"));
  Bytes row = EncodeRow({v});
  EXPECT_EQ(row.size(), 1u + 1u + 1u + 1u + 16u);  // version, count, tag, scale, 16 bytes
  EXPECT_EQ(Key(v, 38).size(), 17u);
  EXPECT_EQ(Key(v, 39).size(), 33u);
  const Value wide = Value::Dec(D(std::string(39, '7')));
  EXPECT_EQ(EncodeRow({wide}).size(), 1u + 1u + 1u + 1u + 32u);
}

TEST(Decimal65Test, AStoredValuePast65DigitsIsCorruption) {
  Bytes row = EncodeRow({Value::Dec(Decimal{-Int256::Pow10(70), 0})});  // no SQL path makes one
  TableSchema table;
  table.columns.resize(1);
  auto r = DecodeRow(row, table);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace strata::sql
