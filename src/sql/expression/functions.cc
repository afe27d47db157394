// The function library's index: every category's table in one map by name, and the helpers
// the categories share.
#include "sql/expression/functions.h"

#include <cmath>
#include <string>
#include <unordered_map>

#include "sql/expression/function_library.h"

namespace strata::sql {

namespace functions {

std::string Text(const Value& v) { return v.ToText().value_or(""); }

int64_t Int(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kInt: return v.int_value();
    case ValueKind::kUint: return v.uint_value() > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v.uint_value());
    default: return SaturatingInt64(std::round(v.ToDouble()));
  }
}

size_t Utf8Offset(std::string_view s, size_t chars) {
  size_t i = 0;
  while (i < s.size() && chars > 0) {
    i++;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) i++;
    chars--;
  }
  return i;
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

}  // namespace functions

const BuiltinFunction* FindBuiltinFunction(std::string_view upper_name) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const BuiltinFunction*>();
    for (auto table : {functions::StringFunctions(), functions::MathFunctions(), functions::DateTimeFunctions(),
                       functions::JsonFunctions()})
      for (const BuiltinFunction& f : table) m->emplace(f.name, &f);
    return m;
  }();
  auto it = index->find(upper_name);
  return it == index->end() ? nullptr : it->second;
}

}  // namespace strata::sql
