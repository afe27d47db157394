#include "common/ascii.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(Ascii, FoldsOnlyAsciiLetters) {
  EXPECT_EQ(ToLower("Tbl_1$ÄB"), "tbl_1$Äb");
  EXPECT_EQ(ToUpper("select x1"), "SELECT X1");
  EXPECT_TRUE(EqualsIgnoreCase("PRIMARY", "primary"));
  EXPECT_FALSE(EqualsIgnoreCase("ab", "abc"));
  EXPECT_FALSE(EqualsIgnoreCase("a_", "a-"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
}

}  // namespace
}  // namespace strata
