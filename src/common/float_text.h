// Floating-point numbers as MySQL 8 prints them: the digits in fixed notation while the
// decimal exponent x (value = m × 10^x, 1 <= |m| < 10) is within [-4, 14], else as
// "<m>e<x>" with no '+' and no leading zeros in x ("1e15", "1.5e-7", "-3.40282e38").
// (MariaDB keeps fixed notation down to x = -15: "0.00000015".)
//
//   DoubleText(1.1)      "1.1"       shortest text that reads back as the same double
//   DoubleText(0.0001)   "0.0001"
//   DoubleText(1.5e-7)   "1.5e-7"
//   FloatText(1.1f)      "1.1"       6 significant digits, as a FLOAT column shows
//   FloatText(123456792) "123457000"
// NaN and infinities print as "NaN", "inf", "-inf".
#pragma once

#include <string>

namespace strata {

std::string DoubleText(double d);
std::string FloatText(double d);

}  // namespace strata
