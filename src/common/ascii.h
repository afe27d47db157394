// ASCII case folding. SQL keywords and names (databases, tables, columns, variables) compare
// case-insensitively in ASCII only, as MySQL's do with lower_case_table_names=1; bytes
// outside A-Z / a-z are left alone, and no locale is consulted.
#pragma once

#include <string>
#include <string_view>

namespace strata {

std::string ToLower(std::string_view s);
std::string ToUpper(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace strata
