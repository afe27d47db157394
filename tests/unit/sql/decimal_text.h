// D("12.34"): a Decimal from its text, failing the test when it does not parse.
#pragma once

#include <string_view>

#include <gtest/gtest.h>

#include "sql/types/value.h"

namespace strata::sql {

inline Decimal D(std::string_view text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status().ToString();
  return d.ok() ? *d : Decimal{};
}

}  // namespace strata::sql
