// Collations: how two strings compare, sort, group and index.
//
// A string column has one of MySQL's utf8mb4 collations (ColumnType::collation holds its
// MySQL id). They behave in one of four ways:
//   - binary, NO PAD (`binary`, `utf8mb4_0900_bin`, and the columns of tables created
//     before collations existed, which show `utf8mb4_bin`): bytes;
//   - binary, PAD SPACE (`utf8mb4_bin`): bytes, trailing spaces left out;
//   - case- and accent-insensitive, NO PAD (`utf8mb4_0900_ai_ci`, MySQL 8's default):
//     the Unicode Collation Algorithm's primary weights, so 'a' = 'A' = 'á' but
//     'a' <> 'a ';
//   - the same weights with PAD SPACE (`utf8mb4_general_ci`, `utf8mb4_unicode_ci`,
//     `utf8mb4_unicode_520_ci`): trailing spaces do not count, 'a' = 'a '.
// The weights are ICU's root collation (CLDR) at primary strength; MySQL's 0900 tables are
// DUCET 9.0.0, which orders a few rare symbols differently.
//
// A string value carries its collation with MySQL's coercibility (Value::collation): a
// column's values are implicit, a literal's are coercible (the session's
// collation_connection), `x COLLATE c` and `BINARY x` explicit. A comparison uses the
// stronger side's collation; of two different ones of equal strength a binary one (`_bin`)
// wins, as in MySQL, and two `_ci` ones (where MySQL reports 1267) compare as binary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/slice.h"

namespace strata::sql {

enum class CollationKind : uint8_t { kBinary = 0, kUcaNoPad = 1, kUcaPadSpace = 2, kBinaryPadSpace = 3 };

// How strongly a value holds its collation (MySQL's coercibility, strongest last).
enum class Coercibility : uint8_t { kCoercible = 0, kImplicit = 1, kExplicit = 2 };

// The byte a string Value carries: kind in the low nibble, coercibility above. 0 is a
// binary, coercible string (what every string was before collations).
using StringCollation = uint8_t;
constexpr StringCollation MakeStringCollation(CollationKind kind, Coercibility c) {
  return static_cast<StringCollation>(static_cast<uint8_t>(kind) | (static_cast<uint8_t>(c) << 4));
}
constexpr CollationKind KindOf(StringCollation s) { return static_cast<CollationKind>(s & 0x0f); }
constexpr Coercibility CoercibilityOf(StringCollation s) { return static_cast<Coercibility>(s >> 4); }

// The collation a comparison of two strings uses (see the file comment).
CollationKind ResolveCollation(StringCollation a, StringCollation b);

// MySQL collation ids.
constexpr uint16_t kCollationBinary = 63;
constexpr uint16_t kCollationUtf8mb4Bin = 46;
constexpr uint16_t kCollationUtf8mb4GeneralCi = 45;
constexpr uint16_t kCollationUtf8mb4_0900AiCi = 255;
// The server's default (collation_server's initial value): MariaDB's and MySQL 5.7's, which
// both MariaDB and MySQL 8 load from a dump.
constexpr uint16_t kDefaultCollation = kCollationUtf8mb4GeneralCi;

struct CollationInfo {
  uint16_t id;
  std::string_view name;
  std::string_view charset;
  CollationKind kind;
  bool is_default;  // the charset's default (SHOW COLLATION's Default)
  bool pad_space;
};

// The collations StrataDB knows, in id order (SHOW COLLATION lists them).
const CollationInfo* Collations(size_t* count);
const CollationInfo* CollationById(uint16_t id);  // nullptr when unknown
std::string_view CollationName(uint16_t id);      // "" when unknown
// A collation by name, case-insensitively. Other character sets' collations stand for
// utf8mb4's of the same comparison (strings are always utf8mb4): `latin1_swedish_ci` and
// `utf8mb3_general_ci` are utf8mb4_general_ci, `latin1_bin` is utf8mb4_bin. nullptr: 1273.
const CollationInfo* CollationByName(std::string_view name);
// A character set's default collation (utf8mb4 → `default_utf8mb4`, binary → binary);
// nullptr when the character set is unknown (1115).
const CollationInfo* DefaultCollationOfCharset(std::string_view charset, uint16_t default_utf8mb4);

// Three-way comparison under `kind`.
int CollatedCompare(std::string_view a, std::string_view b, CollationKind kind);
// The weight string of `s` under a UCA kind (appended): its bytes compare as the strings
// do, so keys and sort keys can use it. Trailing spaces are dropped for the PAD SPACE kinds;
// the binary kinds' weights are the bytes.
void AppendWeights(std::string_view s, CollationKind kind, std::string* out);
// A hash that equal strings share under every collation (the weights without trailing
// spaces), so hash tables may hold strings of any collation.
size_t CollationHash(std::string_view s);
// LIKE under a UCA kind: each character matches one of equal weight.
bool CollatedLike(std::string_view text, std::string_view pattern, char escape);
// The byte offset of the first match of `sub` in `s` at or after byte `start`, characters
// matching as in CollatedLike (LOCATE, INSTR under a UCA kind); npos when none.
size_t CollatedFind(std::string_view s, std::string_view sub, size_t start);

}  // namespace strata::sql
