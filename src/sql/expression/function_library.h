// Internal to the function library (functions.h): each category's table, and the helpers
// their implementations share.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "sql/expression/functions.h"

namespace strata::sql::functions {

std::span<const BuiltinFunction> StringFunctions();
std::span<const BuiltinFunction> MathFunctions();
std::span<const BuiltinFunction> DateTimeFunctions();
std::span<const BuiltinFunction> JsonFunctions();

// An argument as text (numbers in their SQL text form). REQUIRES: not NULL.
std::string Text(const Value& v);
// An argument as an integer, as MySQL reads it in an integer context: rounded, saturating.
int64_t Int(const Value& v);

// UTF-8 helpers: the byte offset of character `chars` of `s` (s.size() past the end), and the
// number of characters.
size_t Utf8Offset(std::string_view s, size_t chars);
size_t Utf8Chars(std::string_view s);

// The largest string a function builds (REPEAT, LPAD, ...): MySQL's max_allowed_packet.
// Past it the result is NULL, as in MySQL.
inline constexpr size_t kMaxResultBytes = 64u << 20;

}  // namespace strata::sql::functions
