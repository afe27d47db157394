#include "common/key_encoding.h"

#include <cmath>
#include <limits>
#include <optional>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace strata {
namespace {

Bytes EncInt(std::optional<int64_t> v, SortOrder o = SortOrder::kAscending) {
  Bytes out;
  KeyEncoder e(&out);
  if (v) e.PutInt64(*v, o); else e.PutNull(o);
  return out;
}

Bytes EncDouble(double v, SortOrder o = SortOrder::kAscending) {
  Bytes out;
  KeyEncoder(&out).PutDouble(v, o);
  return out;
}

Bytes EncBytes(std::optional<std::string> v, SortOrder o = SortOrder::kAscending) {
  Bytes out;
  KeyEncoder e(&out);
  if (v) e.PutBytes(*v, o); else e.PutNull(o);
  return out;
}

// NULL sorts before every value, as in MySQL's ascending ORDER BY.
bool NullsFirstLess(const auto& a, const auto& b) {
  if (!a) return static_cast<bool>(b);
  if (!b) return false;
  return *a < *b;
}

template <typename T>
std::optional<T> MaybeNull(bool null, T v) {
  return null ? std::nullopt : std::optional<T>(std::move(v));
}

RC_GTEST_PROP(KeyEncodingProp, Int64OrderAndRoundTrip,
              (bool a_null, int64_t a_value, bool b_null, int64_t b_value)) {
  auto a = MaybeNull(a_null, a_value), b = MaybeNull(b_null, b_value);
  RC_ASSERT(NullsFirstLess(a, b) == (EncInt(a) < EncInt(b)));
  RC_ASSERT((a == b) == (EncInt(a) == EncInt(b)));
  RC_ASSERT(NullsFirstLess(b, a) == (EncInt(a, SortOrder::kDescending) < EncInt(b, SortOrder::kDescending)));
  for (SortOrder o : {SortOrder::kAscending, SortOrder::kDescending}) {
    Bytes e = EncInt(a, o);
    KeyDecoder d(e);
    auto r = d.GetInt64(o);
    RC_ASSERT(r.ok());
    RC_ASSERT(*r == a);
    RC_ASSERT(d.done());
  }
}

RC_GTEST_PROP(KeyEncodingProp, DoubleOrderAndRoundTrip, (double a, double b)) {
  RC_PRE(!std::isnan(a) && !std::isnan(b));
  RC_ASSERT((a < b) == (EncDouble(a) < EncDouble(b)));
  RC_ASSERT((a == b) == (EncDouble(a) == EncDouble(b)));
  RC_ASSERT((b < a) == (EncDouble(a, SortOrder::kDescending) < EncDouble(b, SortOrder::kDescending)));
  Bytes e = EncDouble(a);
  auto r = KeyDecoder(e).GetDouble();
  RC_ASSERT(r.ok());
  RC_ASSERT(**r == a);
}

RC_GTEST_PROP(KeyEncodingProp, BytesOrderAndRoundTrip,
              (bool a_null, std::string a_value, bool b_null, std::string b_value)) {
  auto a = MaybeNull(a_null, a_value), b = MaybeNull(b_null, b_value);
  // std::string compares chars as unsigned through char_traits, matching memcmp.
  RC_ASSERT(NullsFirstLess(a, b) == (EncBytes(a) < EncBytes(b)));
  RC_ASSERT(NullsFirstLess(b, a) == (EncBytes(a, SortOrder::kDescending) < EncBytes(b, SortOrder::kDescending)));
  for (SortOrder o : {SortOrder::kAscending, SortOrder::kDescending}) {
    Bytes e = EncBytes(a, o);
    KeyDecoder d(e);
    auto r = d.GetBytes(o);
    RC_ASSERT(r.ok());
    RC_ASSERT(*r == a);
    RC_ASSERT(d.done());
  }
}

// Composite keys: tuple order (bytes, int) equals encoded order, so a byte-string component
// that is a prefix of another never disturbs the components after it.
RC_GTEST_PROP(KeyEncodingProp, CompositeKeysOrderLikeTuples,
              (std::string s1, int64_t i1, std::string s2, int64_t i2)) {
  auto enc = [](const std::string& s, int64_t i) {
    Bytes out;
    KeyEncoder e(&out);
    e.PutBytes(s);
    e.PutInt64(i);
    return out;
  };
  bool tuple_less = std::tie(s1, i1) < std::tie(s2, i2);
  RC_ASSERT(tuple_less == (enc(s1, i1) < enc(s2, i2)));
  Bytes e = enc(s1, i1);
  KeyDecoder d(e);
  RC_ASSERT(**d.GetBytes() == s1);
  RC_ASSERT(**d.GetInt64() == i1);
  RC_ASSERT(d.done());
}

TEST(KeyEncodingTest, SpecialDoubles) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(EncDouble(-0.0), EncDouble(0.0));
  EXPECT_LT(EncDouble(-inf), EncDouble(-1e308));
  EXPECT_LT(EncDouble(1e308), EncDouble(inf));
  EXPECT_LT(EncDouble(inf), EncDouble(std::nan("")));
  EXPECT_EQ(EncDouble(std::nan("1")), EncDouble(-std::nan("2")));
  EXPECT_LT(EncDouble(-std::numeric_limits<double>::denorm_min()), EncDouble(0.0));
}

TEST(KeyEncodingTest, EmbeddedZerosAndPrefixes) {
  EXPECT_LT(EncBytes(std::string("a")), EncBytes(std::string("a\0", 2)));
  EXPECT_LT(EncBytes(std::string("a\0", 2)), EncBytes(std::string("a\x01", 2)));
  EXPECT_LT(EncBytes(std::string("")), EncBytes(std::string("\0", 1)));
  EXPECT_LT(EncBytes(std::nullopt), EncBytes(std::string("")));
}

TEST(KeyEncodingTest, MalformedInputIsCorruption) {
  Bytes e = EncBytes(std::string("abc"));
  KeyDecoder truncated(Slice(e).substr(0, e.size() - 1));
  EXPECT_EQ(truncated.GetBytes().status().code(), StatusCode::kCorruption);
  KeyDecoder bad_tag("\x07");
  EXPECT_EQ(bad_tag.GetInt64().status().code(), StatusCode::kCorruption);
  Bytes i = EncInt(5);
  KeyDecoder short_int(Slice(i).substr(0, 4));
  EXPECT_EQ(short_int.GetInt64().status().code(), StatusCode::kCorruption);
  KeyDecoder empty("");
  EXPECT_FALSE(empty.GetUint64().ok());
}

}  // namespace
}  // namespace strata
