#include "admin/console.h"

#include <gtest/gtest.h>

namespace strata::admin {
namespace {

TEST(ParseBasicAuthTest, DecodesUserAndPassword) {
  // base64("root:s3cret") and base64("root:pw:with:colons")
  auto a = ParseBasicAuth("Basic cm9vdDpzM2NyZXQ=");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->first, "root");
  EXPECT_EQ(a->second, "s3cret");
  auto b = ParseBasicAuth("Basic cm9vdDpwdzp3aXRoOmNvbG9ucw==");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->second, "pw:with:colons");
  auto empty_password = ParseBasicAuth("Basic cm9vdDo=");  // "root:"
  ASSERT_TRUE(empty_password.has_value());
  EXPECT_EQ(empty_password->second, "");
}

TEST(ParseBasicAuthTest, RefusesAnythingElse) {
  EXPECT_FALSE(ParseBasicAuth("").has_value());
  EXPECT_FALSE(ParseBasicAuth("Bearer abc").has_value());
  EXPECT_FALSE(ParseBasicAuth("Basic ").has_value());
  EXPECT_FALSE(ParseBasicAuth("Basic cm9vdA==").has_value());   // "root": no colon
  EXPECT_FALSE(ParseBasicAuth("Basic cm9v!A==").has_value());   // not base64 (a multiple of 4)
  EXPECT_FALSE(ParseBasicAuth("Basic abc").has_value());        // not a multiple of 4
  EXPECT_FALSE(ParseBasicAuth("Basic " + std::string(2000, 'A')).has_value());  // too long
}

}  // namespace
}  // namespace strata::admin
