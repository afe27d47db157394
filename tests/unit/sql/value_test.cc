// Decimal arithmetic, value comparison and text forms, LIKE, and the memcomparable key
// encoding's agreement with CompareValues.
#include <climits>
#include <cstdint>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "sql/types/codec.h"
#include "sql/expression/expr.h"
#include "sql/types/value.h"
#include "decimal_text.h"

namespace strata::sql {
namespace {

int Sign(int x) { return x < 0 ? -1 : x > 0 ? 1 : 0; }

TEST(DecimalTest, ParseAndFormat) {
  Decimal d = D("-12.340");
  EXPECT_EQ(d.unscaled, -12340);
  EXPECT_EQ(d.scale, 3);
  EXPECT_EQ(d.ToString(), "-12.340");
  EXPECT_EQ(D("0.05").ToString(), "0.05");
  EXPECT_EQ(D("-0.5").ToString(), "-0.5");
  EXPECT_EQ(D("+7").ToString(), "7");
  EXPECT_EQ(D("  42  ").ToString(), "42");
  EXPECT_EQ(D("0").ToString(), "0");
  EXPECT_EQ(D("00012.5").ToString(), "12.5");
  EXPECT_EQ((Decimal{5, 3}).ToString(), "0.005");
  EXPECT_EQ((Decimal{-5, 3}).ToString(), "-0.005");
  for (std::string_view bad : {"", "abc", "1e3", "12abc", "-", "1.2.3"}) {
    auto r = Decimal::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(DecimalTest, RescaleRoundsHalfAwayFromZero) {
  EXPECT_EQ(D("1.25").Rescale(1)->ToString(), "1.3");
  EXPECT_EQ(D("-1.25").Rescale(1)->ToString(), "-1.3");
  EXPECT_EQ(D("1.24").Rescale(1)->ToString(), "1.2");
  EXPECT_EQ(D("-1.249").Rescale(1)->ToString(), "-1.2");
  EXPECT_EQ(D("2.5").Rescale(0)->ToString(), "3");
  EXPECT_EQ(D("-2.5").Rescale(0)->ToString(), "-3");
  EXPECT_EQ(D("0.4999").Rescale(0)->ToString(), "0");
  EXPECT_EQ(D("1.5").Rescale(3)->ToString(), "1.500");
  EXPECT_EQ(*D("2.5").ToInt64(), 3);
  EXPECT_EQ(*D("-2.5").ToInt64(), -3);
  EXPECT_EQ(D("123.45").IntegerDigits(), 3);
  EXPECT_EQ(D("0.45").IntegerDigits(), 0);
}

TEST(DecimalTest, Arithmetic) {
  EXPECT_EQ(DecimalAdd(D("1.5"), D("2.25"))->ToString(), "3.75");
  EXPECT_EQ(DecimalSub(D("1"), D("2.5"))->ToString(), "-1.5");
  EXPECT_EQ(DecimalMul(D("1.5"), D("2.25"))->ToString(), "3.375");
  EXPECT_EQ(DecimalMul(D("-3"), D("0.10"))->ToString(), "-0.30");
  // Division: scale of the dividend + 4, rounded half away from zero.
  EXPECT_EQ((*DecimalDiv(D("1"), D("3")))->ToString(), "0.3333");
  EXPECT_EQ((*DecimalDiv(D("2"), D("3")))->ToString(), "0.6667");
  EXPECT_EQ((*DecimalDiv(D("-2"), D("3")))->ToString(), "-0.6667");
  EXPECT_EQ((*DecimalDiv(D("1.00"), D("8")))->ToString(), "0.125000");
  EXPECT_EQ((*DecimalDiv(D("10"), D("0.5")))->ToString(), "20.0000");
  auto by_zero = DecimalDiv(D("1"), D("0.00"));
  ASSERT_TRUE(by_zero.ok());
  EXPECT_FALSE(by_zero->has_value());
}

TEST(DecimalTest, OverflowAt65Digits) {
  std::string nines(65, '9');
  Decimal max = D(nines);
  EXPECT_EQ(max.ToString(), nines);
  auto too_long = Decimal::Parse(nines + "9");
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().mysql_errno(), 1690);
  auto sum = DecimalAdd(max, D("1"));
  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.status().mysql_errno(), 1690);
  EXPECT_EQ(sum.status().sqlstate(), "22003");
  auto diff = DecimalSub(Decimal{-max.unscaled, 0}, D("1"));
  ASSERT_FALSE(diff.ok());
  EXPECT_EQ(diff.status().mysql_errno(), 1690);
  auto product = DecimalMul(D("1" + std::string(33, '0')), D("1" + std::string(32, '0')));
  ASSERT_FALSE(product.ok());
  EXPECT_EQ(product.status().mysql_errno(), 1690);
  auto rescaled = max.Rescale(1);
  ASSERT_FALSE(rescaled.ok());
  EXPECT_EQ(rescaled.status().mysql_errno(), 1690);
}

TEST(CompareValuesTest, AcrossKinds) {
  EXPECT_EQ(CompareValues(Value::Int(-1), Value::Uint(UINT64_MAX)), -1);
  EXPECT_EQ(CompareValues(Value::Uint(uint64_t{1} << 63), Value::Int(INT64_MAX)), 1);
  EXPECT_EQ(CompareValues(Value::Int(5), Value::Uint(5)), 0);
  EXPECT_EQ(CompareValues(Value::Int(5), Value::Dec(D("5.00"))), 0);
  EXPECT_EQ(CompareValues(Value::Int(5), Value::Dec(D("5.01"))), -1);
  EXPECT_EQ(CompareValues(Value::Dec(D("-0.5")), Value::Int(0)), -1);
  EXPECT_EQ(CompareValues(Value::Dec(D("2.50")), Value::Dec(D("2.5"))), 0);
  EXPECT_EQ(CompareValues(Value::Double(2.5), Value::Dec(D("2.5"))), 0);
  EXPECT_EQ(CompareValues(Value::Double(2.5), Value::Int(3)), -1);
  // A string and a number compare as numbers; two strings bytewise.
  EXPECT_EQ(CompareValues(Value::String("10"), Value::Int(9)), 1);
  EXPECT_EQ(CompareValues(Value::String("10"), Value::String("9")), -1);
  EXPECT_EQ(CompareValues(Value::String("1.5"), Value::Dec(D("1.50"))), 0);
  EXPECT_EQ(CompareValues(Value::String("abc"), Value::Int(0)), 0);
  EXPECT_EQ(CompareValues(Value::String("12abc"), Value::Int(12)), 0);
  EXPECT_TRUE(GroupEqual(Value::Null(), Value::Null()));
  EXPECT_FALSE(GroupEqual(Value::Null(), Value::Int(0)));
  EXPECT_TRUE(GroupEqual(Value::Int(1), Value::Dec(D("1.0"))));
  EXPECT_EQ(HashValue(Value::Int(1)), HashValue(Value::Dec(D("1.0"))));
}

TEST(ValueTest, ToText) {
  EXPECT_FALSE(Value::Null().ToText().has_value());
  EXPECT_EQ(*Value::Int(-7).ToText(), "-7");
  EXPECT_EQ(*Value::Uint(UINT64_MAX).ToText(), "18446744073709551615");
  EXPECT_EQ(*Value::Double(1e20).ToText(), "1e20");
  EXPECT_EQ(*Value::Double(1e-7).ToText(), "1e-7");
  EXPECT_EQ(*Value::Double(-2.5e-10).ToText(), "-2.5e-10");
  EXPECT_EQ(*Value::Double(0.1).ToText(), "0.1");
  EXPECT_EQ(*Value::Double(1.5).ToText(), "1.5");
  EXPECT_EQ(*Value::Double(0.0001).ToText(), "0.0001");  // fixed while the exponent is in [-4, 14]
  EXPECT_EQ(*Value::Double(123456789012345.0).ToText(), "123456789012345");
  EXPECT_EQ(*Value::Double(1e15).ToText(), "1e15");
  EXPECT_EQ(*Value::Double(-1234.5e12).ToText(), "-1.2345e15");
  EXPECT_EQ(*Value::Double(100).ToText(), "100");
  EXPECT_EQ(*Value::Dec(D("3.10")).ToText(), "3.10");
  EXPECT_EQ(*Value::String("x").ToText(), "x");
  EXPECT_EQ(Value::String("12abc").ToDouble(), 12);
  EXPECT_EQ(Value::String("abc").ToDouble(), 0);
  EXPECT_EQ(Value::String("0x10").ToDouble(), 0);
  EXPECT_EQ(Value::Null().ToBool(), std::nullopt);
  EXPECT_EQ(Value::String("0.0").ToBool(), false);
  EXPECT_EQ(Value::Dec(D("0.01")).ToBool(), true);
}

TEST(LikeTest, WildcardsAndEscape) {
  EXPECT_TRUE(LikeMatch("abc", "a%"));
  EXPECT_TRUE(LikeMatch("abc", "%"));
  EXPECT_TRUE(LikeMatch("", "%"));
  EXPECT_FALSE(LikeMatch("", "_"));
  EXPECT_TRUE(LikeMatch("abc", "a_c"));
  EXPECT_FALSE(LikeMatch("abc", "a_"));
  EXPECT_TRUE(LikeMatch("abc", "%b%"));
  EXPECT_TRUE(LikeMatch("abcbd", "%b_"));
  EXPECT_FALSE(LikeMatch("abc", "%d%"));
  EXPECT_TRUE(LikeMatch("a%c", "a\\%c"));
  EXPECT_FALSE(LikeMatch("abc", "a\\%c"));
  EXPECT_TRUE(LikeMatch("a_b", "a|_b", '|'));
  EXPECT_FALSE(LikeMatch("axb", "a|_b", '|'));
  EXPECT_TRUE(LikeMatch("a\\xb", "a\\_b", '|'));  // '\' is an ordinary character here
  EXPECT_FALSE(LikeMatch("a_b", "a\\_b", '|'));
}

RC_GTEST_PROP(DecimalProperty, AddThenSubRoundTrips, (int64_t a_raw, int64_t b_raw)) {
  int scale_a = *rc::gen::inRange(0, 10);
  int scale_b = *rc::gen::inRange(0, 10);
  Decimal a{a_raw, static_cast<uint8_t>(scale_a)}, b{b_raw, static_cast<uint8_t>(scale_b)};
  auto sum = DecimalAdd(a, b);
  RC_ASSERT(sum.ok());
  auto back = DecimalSub(*sum, b);
  RC_ASSERT(back.ok());
  RC_ASSERT(DecimalCompare(*back, a) == 0);
  auto reparsed = Decimal::Parse(a.ToString());
  RC_ASSERT(reparsed.ok());
  RC_ASSERT(reparsed->unscaled == a.unscaled);
  RC_ASSERT(reparsed->scale == a.scale);
}

// The key component of `v` in a column of DECIMAL(10) (the type matters to decimals only).
Bytes Key(const Value& v) {
  ColumnType type;
  type.kind = ast::TypeKind::kDecimal;
  type.length = 10;
  Bytes out;
  AppendKeyValue(v, type, &out);
  return out;
}

RC_GTEST_PROP(KeyEncodingProperty, IntOrderMatchesCompareValues, (int64_t a, int64_t b)) {
  RC_ASSERT(Sign(Key(Value::Int(a)).compare(Key(Value::Int(b)))) == CompareValues(Value::Int(a), Value::Int(b)));
}

RC_GTEST_PROP(KeyEncodingProperty, UintOrderMatchesCompareValues, (uint64_t a, uint64_t b)) {
  RC_ASSERT(Sign(Key(Value::Uint(a)).compare(Key(Value::Uint(b)))) == CompareValues(Value::Uint(a), Value::Uint(b)));
}

RC_GTEST_PROP(KeyEncodingProperty, StringOrderMatchesCompareValues, (std::string a, std::string b)) {
  // Zero bytes and prefixes are the interesting cases; mix them in.
  if (*rc::gen::arbitrary<bool>()) a.push_back('\0');
  if (*rc::gen::arbitrary<bool>()) b = a + b;
  Value va = Value::String(a), vb = Value::String(b);
  RC_ASSERT(Sign(Key(va).compare(Key(vb))) == CompareValues(va, vb));
  // A composite key (string, int) keeps the order of its first component.
  Bytes ka = Key(va), kb = Key(vb);
  ka += Key(Value::Int(1));
  kb += Key(Value::Int(0));
  if (a != b) RC_ASSERT(Sign(ka.compare(kb)) == CompareValues(va, vb));
}

TEST(KeyEncodingTest, NullSortsFirstAndDecimalsOfOneScaleOrder) {
  EXPECT_LT(Key(Value::Null()), Key(Value::Int(INT64_MIN)));
  EXPECT_LT(Key(Value::Null()), Key(Value::String("")));
  EXPECT_LT(Key(Value::Dec(D("-1.50"))), Key(Value::Dec(D("-1.49"))));
  EXPECT_LT(Key(Value::Dec(D("-0.01"))), Key(Value::Dec(D("0.00"))));
  EXPECT_LT(Key(Value::Dec(D("0.00"))), Key(Value::Dec(D("12.34"))));
}

}  // namespace
}  // namespace strata::sql
