// The function library's calendar and interval arithmetic, and its guards against hostile
// arguments (sizes past max_allowed_packet, out-of-range dates, deep JSON).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "sql/expression/functions.h"
#include "sql/expression/temporal.h"

namespace strata::sql {
namespace {

using functions::AddInterval;
using functions::CivilFromDays;
using functions::DateTime;
using functions::DaysFromCivil;
using functions::ReadDateTime;
using functions::ReadInterval;

Result<Value> Call(std::string_view name, std::vector<Value> args) {
  const BuiltinFunction* f = FindBuiltinFunction(name);
  EXPECT_NE(f, nullptr) << name;
  EvalContext ctx;
  if (f->eval_json) return f->eval_json(args, 0, ctx);
  return f->eval(args, ctx);
}

TEST(Temporal, DaysFromCivilKnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
}

RC_GTEST_PROP(Temporal, CivilRoundTrips, ()) {
  int64_t days = *rc::gen::inRange<int64_t>(DaysFromCivil(0, 1, 1), DaysFromCivil(9999, 12, 31) + 1);
  int64_t y, m, d;
  CivilFromDays(days, &y, &m, &d);
  RC_ASSERT(DaysFromCivil(y, m, d) == days);
  RC_ASSERT(m >= 1 && m <= 12 && d >= 1 && d <= functions::DaysInMonth(y, m));
}

TEST(Temporal, ReadsDatesLikeMySql) {
  auto t = ReadDateTime(Value::String("2024-02-29 10:11:12.5"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->micro, 500000);
  EXPECT_TRUE(ReadDateTime(Value::Int(20240229)));
  EXPECT_TRUE(ReadDateTime(Value::String("24-2-29")));
  EXPECT_FALSE(ReadDateTime(Value::String("2023-02-29")));  // not a leap year
  EXPECT_FALSE(ReadDateTime(Value::String("0000-00-00")));
  EXPECT_FALSE(ReadDateTime(Value::String("garbage")));
}

TEST(Temporal, IntervalsClampToMonthEnds) {
  DateTime jan31{2024, 1, 31};
  auto r = AddInterval(jan31, *ReadInterval(Value::Int(1), "MONTH"));
  ASSERT_TRUE(r);
  EXPECT_EQ(functions::FormatDate(*r), "2024-02-29");
  auto compound = ReadInterval(Value::String("-1 2:3:4"), "DAY_SECOND");
  ASSERT_TRUE(compound);
  EXPECT_EQ(compound->micros, -((((1 * 24 + 2) * 60 + 3) * 60 + 4) * int64_t{1'000'000}));
  EXPECT_FALSE(ReadInterval(Value::String("1:2:3:4:5:6"), "HOUR_SECOND"));  // too many fields
}

TEST(Temporal, OutOfRangeResultsAreNull) {
  DateTime last{9999, 12, 31};
  EXPECT_FALSE(AddInterval(last, *ReadInterval(Value::Int(1), "DAY")));
  EXPECT_FALSE(ReadInterval(Value::Int(INT64_MAX), "DAY"));  // would overflow microseconds
}

TEST(Functions, HostileSizesGiveNullNotAllocations) {
  EXPECT_TRUE(Call("REPEAT", {Value::String("ab"), Value::Int(int64_t{1} << 40)})->is_null());
  EXPECT_TRUE(Call("LPAD", {Value::String("a"), Value::Int(int64_t{1} << 40), Value::String("b")})->is_null());
  EXPECT_TRUE(Call("SPACE", {Value::Int(INT64_MAX)})->is_null());
  EXPECT_EQ(Call("REPEAT", {Value::String("ab"), Value::Int(-5)})->string_value(), "");
}

TEST(Functions, JsonDepthIsBounded) {
  std::string deep(100000, '[');
  Result<Value> r = Call("JSON_LENGTH", {Value::String(deep)});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("maximum depth"), std::string::npos);
  EXPECT_EQ(Call("JSON_VALID", {Value::String(deep)})->int_value(), 0);
}

TEST(Functions, JsonPrintsLikeMySql) {
  EXPECT_EQ(Call("JSON_OBJECT", {Value::String("bb"), Value::Int(1), Value::String("a"), Value::Double(2.5)})->string_value(),
            R"({"a": 2.5, "bb": 1})");
  EXPECT_EQ(*CanonicalJson(R"({"zz":[1,{"y":null}],"x":true})"), R"({"x": true, "zz": [1, {"y": null}]})");
}

TEST(Functions, EveryFunctionHasAnImplementation) {
  for (std::string_view name : {"CONCAT", "SQRT", "DATE_FORMAT", "JSON_EXTRACT", "JSON_OBJECT", "UUID"}) {
    const BuiltinFunction* f = FindBuiltinFunction(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_TRUE(f->eval || f->eval_json) << name;
  }
  EXPECT_EQ(FindBuiltinFunction("+ INTERVAL"), nullptr);  // internal: not callable by name
}

}  // namespace
}  // namespace strata::sql
