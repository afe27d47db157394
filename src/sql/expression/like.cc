// LikeMatch (expr.h): MySQL's LIKE over bytes.
#include "sql/expression/expr.h"

namespace strata::sql {

bool LikeMatch(std::string_view text, std::string_view pattern, char escape) {
  size_t t = 0, p = 0, star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == escape && p + 1 < pattern.size()) {
      if (pattern[p + 1] == text[t]) {
        p += 2;
        t++;
        continue;
      }
    } else if (p < pattern.size() && (pattern[p] == '_' || (pattern[p] == text[t] && pattern[p] != '%'))) {
      p++;
      t++;
      continue;
    } else if (p < pattern.size() && pattern[p] == '%') {
      star_p = p++;
      star_t = t;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '%') p++;
  return p == pattern.size();
}

}  // namespace strata::sql
