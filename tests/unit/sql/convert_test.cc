// ConvertForColumn: MySQL strict-mode assignment for every column type family.
#include <climits>
#include <cstdint>

#include <gtest/gtest.h>

#include "sql/types/schema.h"

namespace strata::sql {
namespace {

using ast::TypeKind;

ColumnSchema Col(TypeKind kind, uint32_t length = 0, uint32_t scale = 0, bool is_unsigned = false) {
  ColumnSchema c;
  c.name = "c";
  c.type.kind = kind;
  c.type.length = length;
  c.type.scale = scale;
  c.type.is_unsigned = is_unsigned;
  return c;
}

// The converted value's text, or "E<errno>" when the conversion fails.
std::string Conv(const ColumnSchema& col, const Value& v, uint64_t row = 1) {
  auto r = ConvertForColumn(col, v, row);
  if (!r.ok()) return "E" + std::to_string(r.status().mysql_errno());
  return r->ToText().value_or("NULL");
}

std::string Err(const ColumnSchema& col, const Value& v, uint64_t row = 1) {
  auto r = ConvertForColumn(col, v, row);
  if (r.ok()) return "ok: " + r->ToText().value_or("NULL");
  return std::to_string(r.status().mysql_errno()) + " " + std::string(r.status().sqlstate()) + " " +
         std::string(r.status().message());
}

TEST(ConvertTest, SignedIntegerRanges) {
  struct Case {
    TypeKind kind;
    int64_t lo, hi;
  };
  for (Case c : {Case{TypeKind::kTinyInt, -128, 127}, Case{TypeKind::kSmallInt, -32768, 32767},
                 Case{TypeKind::kMediumInt, -8388608, 8388607}, Case{TypeKind::kInt, INT32_MIN, INT32_MAX}}) {
    ColumnSchema col = Col(c.kind);
    EXPECT_EQ(Conv(col, Value::Int(c.lo)), std::to_string(c.lo));
    EXPECT_EQ(Conv(col, Value::Int(c.hi)), std::to_string(c.hi));
    EXPECT_EQ(Conv(col, Value::Int(c.lo - 1)), "E1264");
    EXPECT_EQ(Conv(col, Value::Int(c.hi + 1)), "E1264");
    auto r = ConvertForColumn(col, Value::Int(c.hi), 1);
    EXPECT_EQ(r->kind(), ValueKind::kInt);
  }
  ColumnSchema big = Col(TypeKind::kBigInt);
  EXPECT_EQ(Conv(big, Value::Int(INT64_MIN)), std::to_string(INT64_MIN));
  EXPECT_EQ(Conv(big, Value::Int(INT64_MAX)), std::to_string(INT64_MAX));
  EXPECT_EQ(Conv(big, Value::Uint(uint64_t{1} << 63)), "E1264");
  EXPECT_EQ(Conv(big, Value::String("9223372036854775808")), "E1264");
  EXPECT_EQ(Conv(big, Value::String("-9223372036854775809")), "E1264");
  EXPECT_EQ(Err(Col(TypeKind::kTinyInt), Value::Int(200), 3), "1264 22003 Out of range value for column 'c' at row 3");
}

TEST(ConvertTest, UnsignedIntegerRanges) {
  struct Case {
    TypeKind kind;
    uint64_t hi;
  };
  for (Case c : {Case{TypeKind::kTinyInt, 255}, Case{TypeKind::kSmallInt, 65535}, Case{TypeKind::kMediumInt, 16777215},
                 Case{TypeKind::kInt, 4294967295u}}) {
    ColumnSchema col = Col(c.kind, 0, 0, true);
    EXPECT_EQ(Conv(col, Value::Int(0)), "0");
    EXPECT_EQ(Conv(col, Value::Int(-1)), "E1264");
    EXPECT_EQ(Conv(col, Value::Uint(c.hi)), std::to_string(c.hi));
    EXPECT_EQ(Conv(col, Value::Uint(c.hi + 1)), "E1264");
    EXPECT_EQ(ConvertForColumn(col, Value::Int(1), 1)->kind(), ValueKind::kUint);
  }
  ColumnSchema big = Col(TypeKind::kBigInt, 0, 0, true);
  EXPECT_EQ(Conv(big, Value::Uint(UINT64_MAX)), "18446744073709551615");
  EXPECT_EQ(Conv(big, Value::String("18446744073709551615")), "18446744073709551615");
  EXPECT_EQ(Conv(big, Value::String("18446744073709551616")), "E1264");
  EXPECT_EQ(Conv(big, Value::Int(-1)), "E1264");
}

TEST(ConvertTest, OtherNumericSourcesToIntegers) {
  ColumnSchema col = Col(TypeKind::kInt);
  EXPECT_EQ(Conv(col, Value::Double(2.5)), "3");
  EXPECT_EQ(Conv(col, Value::Double(-2.5)), "-3");
  EXPECT_EQ(Conv(col, Value::Double(1e30)), "E1264");
  EXPECT_EQ(Conv(col, Value::Dec(Decimal{-15, 1})), "-2");
  EXPECT_EQ(Conv(col, Value::Null()), "NULL");
}

TEST(ConvertTest, StringsToIntegersStrictly) {
  ColumnSchema col = Col(TypeKind::kInt);
  EXPECT_EQ(Conv(col, Value::String("12")), "12");
  EXPECT_EQ(Conv(col, Value::String(" -12 ")), "-12");
  EXPECT_EQ(Conv(col, Value::String("1.5")), "2");
  EXPECT_EQ(Conv(col, Value::String("1e3")), "1000");
  EXPECT_EQ(Conv(col, Value::String("")), "E1366");
  EXPECT_EQ(Conv(col, Value::String("abc")), "E1366");
  EXPECT_EQ(Conv(col, Value::String("0x10")), "E1366");
  EXPECT_EQ(Err(col, Value::String("12abc"), 2),
            "1366 HY000 Incorrect integer value: '12abc' for column 'c' at row 2");
  EXPECT_EQ(Conv(col, Value::String("99999999999")), "E1264");
}

TEST(ConvertTest, DecimalRoundingAndRange) {
  ColumnSchema col = Col(TypeKind::kDecimal, 5, 2);
  EXPECT_EQ(Conv(col, Value::String("1.005")), "1.01");
  EXPECT_EQ(Conv(col, Value::String("-1.005")), "-1.01");
  EXPECT_EQ(Conv(col, Value::String("1.004")), "1.00");
  EXPECT_EQ(Conv(col, Value::Int(7)), "7.00");
  EXPECT_EQ(Conv(col, Value::Double(1.5)), "1.50");
  EXPECT_EQ(Conv(col, Value::String("999.99")), "999.99");
  EXPECT_EQ(Conv(col, Value::String("-999.99")), "-999.99");
  EXPECT_EQ(Conv(col, Value::String("999.995")), "E1264");
  EXPECT_EQ(Conv(col, Value::Int(1000)), "E1264");
  EXPECT_EQ(Conv(col, Value::Int(-1000)), "E1264");
  EXPECT_EQ(Err(col, Value::String("abc")), "1366 HY000 Incorrect decimal value: 'abc' for column 'c' at row 1");
  ColumnSchema unsigned_col = Col(TypeKind::kDecimal, 5, 2, true);
  EXPECT_EQ(Conv(unsigned_col, Value::String("-1")), "E1264");
  ColumnSchema integral = Col(TypeKind::kDecimal, 3, 0);
  EXPECT_EQ(Conv(integral, Value::String("998.5")), "999");
  EXPECT_EQ(Conv(integral, Value::String("999.5")), "E1264");
}

TEST(ConvertTest, FloatingPoint) {
  ColumnSchema d = Col(TypeKind::kDouble);
  EXPECT_EQ(Conv(d, Value::String("1.5")), "1.5");
  EXPECT_EQ(Conv(d, Value::String("-2e3")), "-2000");
  EXPECT_EQ(Conv(d, Value::String("abc")), "E1366");
  EXPECT_EQ(Conv(d, Value::String("0x10")), "E1366");
  EXPECT_EQ(Conv(d, Value::Int(3)), "3");
  EXPECT_EQ(Conv(Col(TypeKind::kFloat), Value::Double(1e39)), "E1264");
  EXPECT_EQ(Conv(Col(TypeKind::kDouble, 0, 0, true), Value::Int(-1)), "E1264");
}

TEST(ConvertTest, VarcharLengthCountsUtf8Characters) {
  ColumnSchema col = Col(TypeKind::kVarchar, 3);
  EXPECT_EQ(Conv(col, Value::String("abc")), "abc");
  EXPECT_EQ(Conv(col, Value::String("héé")), "héé");          // 3 characters, 5 bytes
  EXPECT_EQ(Conv(col, Value::String("日本語")), "日本語");    // 3 characters, 9 bytes
  EXPECT_EQ(Conv(col, Value::String("日本語x")), "E1406");
  EXPECT_EQ(Conv(col, Value::String("abc ")), "E1406");  // VARCHAR keeps trailing spaces
  EXPECT_EQ(Conv(col, Value::Int(123)), "123");
  EXPECT_EQ(Err(col, Value::String("abcd"), 4), "1406 22001 Data too long for column 'c' at row 4");
  ColumnSchema bin = Col(TypeKind::kVarbinary, 3);
  EXPECT_EQ(Conv(bin, Value::String("héé")), "E1406");  // binary strings count bytes
  EXPECT_EQ(Conv(Col(TypeKind::kTinyText), Value::String(std::string(256, 'x'))), "E1406");
  EXPECT_EQ(Conv(Col(TypeKind::kTinyText), Value::String(std::string(255, 'x'))), std::string(255, 'x'));
}

TEST(ConvertTest, CharDropsTrailingSpaces) {
  ColumnSchema col = Col(TypeKind::kChar, 3);
  EXPECT_EQ(Conv(col, Value::String("ab  ")), "ab");
  EXPECT_EQ(Conv(col, Value::String(" a ")), " a");
  EXPECT_EQ(Conv(col, Value::String("abcd")), "E1406");
}

TEST(ConvertTest, DatesAndDatetimes) {
  ColumnSchema date = Col(TypeKind::kDate);
  EXPECT_EQ(Conv(date, Value::String("2026-11-25")), "2026-11-25");
  EXPECT_EQ(Conv(date, Value::String("2026-2-3")), "2026-02-03");
  EXPECT_EQ(Conv(date, Value::String("20261125")), "2026-11-25");
  EXPECT_EQ(Conv(date, Value::String("2024-02-29")), "2024-02-29");
  EXPECT_EQ(Conv(date, Value::String("2000-02-29")), "2000-02-29");
  EXPECT_EQ(Conv(date, Value::String("1900-02-29")), "E1292");
  EXPECT_EQ(Conv(date, Value::String("2023-02-29")), "E1292");
  EXPECT_EQ(Conv(date, Value::String("2026-13-01")), "E1292");
  EXPECT_EQ(Conv(date, Value::String("2026-04-31")), "E1292");
  EXPECT_EQ(Conv(date, Value::String("0000-00-00")), "0000-00-00");
  EXPECT_EQ(Conv(date, Value::String("yesterday")), "E1292");
  EXPECT_EQ(Err(date, Value::String("2026-2-30")),
            "1292 22007 Incorrect date value: '2026-2-30' for column 'c' at row 1");
  ColumnSchema dt = Col(TypeKind::kDateTime);
  EXPECT_EQ(Conv(dt, Value::String("2026-11-25 10:00:00")), "2026-11-25 10:00:00");
  EXPECT_EQ(Conv(dt, Value::String("2026-11-25")), "2026-11-25 00:00:00");
  EXPECT_EQ(Conv(dt, Value::String("2026-11-25T07:08:09")), "2026-11-25 07:08:09");
  EXPECT_EQ(Conv(dt, Value::String("2026-11-25 07:08:09.123")), "2026-11-25 07:08:09");
  EXPECT_EQ(Conv(dt, Value::String("2026-11-25 24:00:00")), "E1292");
  EXPECT_EQ(Conv(dt, Value::String("2026-11-25 10:60:00")), "E1292");
  EXPECT_EQ(Err(dt, Value::String("2026-11-25 1")),
            "1292 22007 Incorrect datetime value: '2026-11-25 1' for column 'c' at row 1");
  EXPECT_EQ(Conv(Col(TypeKind::kTimestamp), Value::String("2026-1-2 03:04:05")), "2026-01-02 03:04:05");
  ColumnSchema time = Col(TypeKind::kTime);
  EXPECT_EQ(Conv(time, Value::String("10:11:12")), "10:11:12");
  EXPECT_EQ(Conv(time, Value::String("10:11")), "10:11:00");
  EXPECT_EQ(Conv(time, Value::String("10:61:00")), "E1292");
}

TEST(ConvertTest, Year) {
  ColumnSchema col = Col(TypeKind::kYear);
  EXPECT_EQ(Conv(col, Value::Int(69)), "2069");
  EXPECT_EQ(Conv(col, Value::Int(70)), "1970");
  EXPECT_EQ(Conv(col, Value::Int(2155)), "2155");
  EXPECT_EQ(Conv(col, Value::Int(2156)), "E1264");
  EXPECT_EQ(Conv(col, Value::Int(1900)), "E1264");
  EXPECT_EQ(Conv(col, Value::String("1999")), "1999");
}

TEST(ConvertTest, EnumMembership) {
  ColumnSchema col = Col(TypeKind::kEnum);
  col.type.enum_values = {"small", "Large"};
  EXPECT_EQ(Conv(col, Value::String("small")), "small");
  EXPECT_EQ(Conv(col, Value::String("LARGE")), "Large");  // stored as declared
  EXPECT_EQ(Conv(col, Value::Int(2)), "Large");           // by 1-based position
  EXPECT_EQ(Conv(col, Value::Int(3)), "E1265");
  EXPECT_EQ(Err(col, Value::String("medium"), 5), "1265 01000 Data truncated for column 'c' at row 5");
}

TEST(ConvertTest, NullPassesThroughEveryType) {
  for (TypeKind k : {TypeKind::kInt, TypeKind::kDecimal, TypeKind::kDouble, TypeKind::kVarchar, TypeKind::kDate,
                     TypeKind::kEnum, TypeKind::kYear}) {
    auto r = ConvertForColumn(Col(k, 5), Value::Null(), 1);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->is_null());
  }
}

// AssignToColumn without strict mode: the value MySQL stores, and "/W<errno>" for the warning.
std::string Lenient(const ColumnSchema& col, const Value& v, bool no_zero_date = false) {
  Status warning;
  auto r = AssignToColumn(col, v, 1, AssignmentMode{.strict = false, .no_zero_date = no_zero_date}, &warning);
  if (!r.ok()) return "E" + std::to_string(r.status().mysql_errno());
  std::string out = r->ToText().value_or("NULL");
  if (!warning.ok()) out += "/W" + std::to_string(warning.mysql_errno());
  return out;
}

TEST(AssignTest, NonStrictClipsTruncatesAndWarns) {
  EXPECT_EQ(Lenient(Col(TypeKind::kTinyInt), Value::Int(300)), "127/W1264");
  EXPECT_EQ(Lenient(Col(TypeKind::kTinyInt), Value::Int(-300)), "-128/W1264");
  EXPECT_EQ(Lenient(Col(TypeKind::kInt, 0, 0, true), Value::Int(-1)), "0/W1264");
  EXPECT_EQ(Lenient(Col(TypeKind::kBigInt, 0, 0, true), Value::String("1e30")), "18446744073709551615/W1264");
  EXPECT_EQ(Lenient(Col(TypeKind::kInt), Value::String("12abc")), "12/W1265");
  EXPECT_EQ(Lenient(Col(TypeKind::kInt), Value::String("abc")), "0/W1366");
  EXPECT_EQ(Lenient(Col(TypeKind::kInt), Value::String("-7.6e1xyz")), "-76/W1265");
  EXPECT_EQ(Lenient(Col(TypeKind::kDecimal, 5, 2), Value::String("-12345.6")), "-999.99/W1264");
  EXPECT_EQ(Lenient(Col(TypeKind::kDecimal, 5, 2, true), Value::Int(-3)), "0.00/W1264");
  EXPECT_EQ(Lenient(Col(TypeKind::kDouble), Value::String("2.5 apples")), "2.5/W1265");
  EXPECT_EQ(Lenient(Col(TypeKind::kVarchar, 3), Value::String("abcdef")), "abc/W1265");
  EXPECT_EQ(Lenient(Col(TypeKind::kVarchar, 2), Value::String("\xc3\xa9\xc3\xa9\xc3\xa9")), "\xc3\xa9\xc3\xa9/W1265");
  EXPECT_EQ(Lenient(Col(TypeKind::kVarbinary, 2), Value::String("abc")), "ab/W1265");
  EXPECT_EQ(Lenient(Col(TypeKind::kDate), Value::String("2024-02-30")), "0000-00-00/W1265");
  EXPECT_EQ(Lenient(Col(TypeKind::kDateTime), Value::String("nope")), "0000-00-00 00:00:00/W1265");
  ColumnSchema e = Col(TypeKind::kEnum);
  e.type.enum_values = {"a", "b"};
  EXPECT_EQ(Lenient(e, Value::String("c")), "/W1265");
  EXPECT_EQ(Lenient(Col(TypeKind::kInt), Value::Int(5)), "5");  // nothing to warn about
  EXPECT_EQ(Lenient(Col(TypeKind::kPoint), Value::String("x")), "E1416");  // no mode forgives this
}

TEST(AssignTest, NoZeroDate) {
  Status warning;
  auto strict = AssignToColumn(Col(TypeKind::kDate), Value::String("0000-00-00"), 1,
                               AssignmentMode{.strict = true, .no_zero_date = true}, &warning);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().mysql_errno(), 1292);
  EXPECT_EQ(Lenient(Col(TypeKind::kDate), Value::String("0000-00-00"), true), "0000-00-00/W1292");
  EXPECT_EQ(Lenient(Col(TypeKind::kDate), Value::String("0000-00-00"), false), "0000-00-00");
  EXPECT_EQ(ImplicitDefault(Col(TypeKind::kDateTime).type).ToText().value_or(""), "0000-00-00 00:00:00");
  ColumnSchema e = Col(TypeKind::kEnum);
  e.type.enum_values = {"x", "y"};
  EXPECT_EQ(ImplicitDefault(e.type).ToText().value_or(""), "x");
}

}  // namespace
}  // namespace strata::sql
