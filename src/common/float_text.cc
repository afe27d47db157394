#include "common/float_text.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <system_error>

namespace strata {

namespace {

// Lays out scientific text from std::to_chars ("-1.2345e+08") the way MySQL does.
std::string Layout(std::string_view sci) {
  bool negative = !sci.empty() && sci[0] == '-';
  if (negative) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string_view mantissa = sci.substr(0, e);
  int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  std::string digits;
  for (char c : mantissa)
    if (c != '.') digits += c;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent > 14) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    return out + "e" + std::to_string(exponent);
  }
  if (exponent < 0) return out + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  size_t point = static_cast<size_t>(exponent) + 1;  // digits before the decimal point
  if (digits.size() <= point) return out + digits + std::string(point - digits.size(), '0');
  return out + digits.substr(0, point) + "." + digits.substr(point);
}

std::string Special(double d) { return std::isnan(d) ? "NaN" : d > 0 ? "inf" : "-inf"; }

}  // namespace

std::string DoubleText(double d) {
  if (!std::isfinite(d)) return Special(d);
  if (d == 0) return std::signbit(d) ? "-0" : "0";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  return Layout(std::string_view(buf, static_cast<size_t>(end - buf)));
}

std::string FloatText(double d) {
  if (!std::isfinite(d)) return Special(d);
  if (d == 0) return std::signbit(d) ? "-0" : "0";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific, 5);
  return Layout(std::string_view(buf, static_cast<size_t>(end - buf)));
}

}  // namespace strata
