#include "common/checksum.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace strata {
namespace {

TEST(ChecksumTest, DetectsSingleBitFlip) {
  std::string data(4096, 'x');
  uint64_t base = Checksum64(data);
  for (size_t i = 0; i < data.size(); i += 97) {
    std::string copy = data;
    copy[i] ^= 0x10;
    EXPECT_NE(Checksum64(copy), base) << "flip at " << i;
  }
  EXPECT_EQ(Checksum32(data), static_cast<uint32_t>(base));
}

RC_GTEST_PROP(ChecksumProp, IncrementalEqualsOneShot, (std::string a, std::string b)) {
  ChecksumBuilder builder;
  builder.Update(a);
  builder.Update(b);
  RC_ASSERT(builder.Digest() == Checksum64(a + b));
}

}  // namespace
}  // namespace strata
