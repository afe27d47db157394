#include "common/coding.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "common/slice.h"

namespace strata {
namespace {

RC_GTEST_PROP(CodingProp, Varint64RoundTrips, (uint64_t v)) {
  Bytes buf;
  PutVarint64(&buf, v);
  RC_ASSERT(buf.size() == VarintLength(v));
  Slice in = buf;
  uint64_t out = 0;
  RC_ASSERT(GetVarint64(&in, &out));
  RC_ASSERT(out == v);
  RC_ASSERT(in.empty());
}

RC_GTEST_PROP(CodingProp, TruncatedVarintIsRejected, (uint64_t v)) {
  Bytes buf;
  PutVarint64(&buf, v);
  Slice in(buf.data(), buf.size() - 1);
  uint64_t out;
  RC_ASSERT(!GetVarint64(&in, &out));
}

RC_GTEST_PROP(CodingProp, LengthPrefixedRoundTrips, (std::string a, std::string b)) {
  Bytes buf;
  PutLengthPrefixed(&buf, a);
  PutLengthPrefixed(&buf, b);
  Slice in = buf, x, y;
  RC_ASSERT(GetLengthPrefixed(&in, &x));
  RC_ASSERT(GetLengthPrefixed(&in, &y));
  RC_ASSERT(x == a);
  RC_ASSERT(y == b);
}

RC_GTEST_PROP(CodingProp, BigEndianOrderMatchesNumericOrder, (uint64_t a, uint64_t b)) {
  Bytes ea, eb;
  PutBigEndian64(&ea, a);
  PutBigEndian64(&eb, b);
  RC_ASSERT((a < b) == (ea < eb));
  RC_ASSERT(DecodeBigEndian64(ea.data()) == a);
}

TEST(CodingTest, FixedWidth) {
  Bytes buf;
  PutFixed32(&buf, 0x01020304);
  PutFixed64(&buf, 0x1122334455667788ULL);
  ASSERT_EQ(buf.size(), 12u);
  EXPECT_EQ(buf[0], 0x04);  // little-endian
  Slice in = buf;
  uint32_t a;
  uint64_t b;
  ASSERT_TRUE(GetFixed32(&in, &a));
  ASSERT_TRUE(GetFixed64(&in, &b));
  EXPECT_EQ(a, 0x01020304u);
  EXPECT_EQ(b, 0x1122334455667788ULL);
  EXPECT_FALSE(GetFixed32(&in, &a));
}

TEST(CodingTest, OverlongVarintRejected) {
  Bytes buf(11, '\x80');
  Slice in = buf;
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&in, &v));
  Bytes too_big = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02";  // > 2^64
  in = too_big;
  EXPECT_FALSE(GetVarint64(&in, &v));
  Bytes big32;
  PutVarint64(&big32, uint64_t{1} << 33);
  in = big32;
  uint32_t v32;
  EXPECT_FALSE(GetVarint32(&in, &v32));
  EXPECT_EQ(in.size(), big32.size());  // nothing consumed on failure
}

TEST(SliceTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("abc"), "abd");
  EXPECT_EQ(PrefixSuccessor(Bytes("a\xff\xff")), "b");
  EXPECT_EQ(PrefixSuccessor(Bytes("\xff\xff")), "");
}

}  // namespace
}  // namespace strata
