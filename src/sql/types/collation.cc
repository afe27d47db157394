// Collations (collation.h) over ICU's root collator at primary strength.
//
// A string's weights are the primary weights of its collation elements, each written as
// its bytes without trailing zero bytes (ICU's primary weights are prefix-free, so the
// concatenation compares as the weight sequence does: this is how ICU's own sort keys are
// built, less their compression). ASCII characters have at most one primary weight each,
// read once into tables, so ASCII strings compare and hash without calling ICU.
#include "sql/types/collation.h"

#include <unicode/ucol.h>
#include <unicode/ucoleitr.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <vector>

#include "common/ascii.h"

namespace strata::sql {
namespace {

constexpr CollationInfo kCollations[] = {
    {kCollationUtf8mb4GeneralCi, "utf8mb4_general_ci", "utf8mb4", CollationKind::kUcaPadSpace, true, true},
    {kCollationUtf8mb4Bin, "utf8mb4_bin", "utf8mb4", CollationKind::kBinaryPadSpace, false, true},
    {kCollationBinary, "binary", "binary", CollationKind::kBinary, true, false},
    {224, "utf8mb4_unicode_ci", "utf8mb4", CollationKind::kUcaPadSpace, false, true},
    {246, "utf8mb4_unicode_520_ci", "utf8mb4", CollationKind::kUcaPadSpace, false, true},
    {kCollationUtf8mb4_0900AiCi, "utf8mb4_0900_ai_ci", "utf8mb4", CollationKind::kUcaNoPad, false, false},
    {309, "utf8mb4_0900_bin", "utf8mb4", CollationKind::kBinary, false, false},
};

// ICU's root collator at primary strength, shared (its const functions are thread-safe).
const UCollator* Collator() {
  static const UCollator* collator = [] {
    UErrorCode status = U_ZERO_ERROR;
    UCollator* c = ucol_open("", &status);
    if (U_FAILURE(status)) std::abort();  // ICU's root data is built into libicudata
    ucol_setStrength(c, UCOL_PRIMARY);
    return c;
  }();
  return collator;
}

// Scratch buffers are kept per thread between calls, but not once a long string (a LONGTEXT
// up to 64 MiB) has grown them: a connection thread would hold that memory for good.
constexpr size_t kKeptScratchBytes = size_t{1} << 20;

template <typename String>
void ReleaseIfLarge(String* s) {
  if (s->capacity() * sizeof(typename String::value_type) > kKeptScratchBytes) *s = String();
}

// This thread's collation element iterator and UTF-16 buffer.
struct ElementState {
  UCollationElements* elements = nullptr;
  std::u16string utf16;
  ~ElementState() {
    if (elements != nullptr) ucol_closeElements(elements);
  }
};

// Calls emit(primary) for each 32-bit primary weight of `s` (UTF-8; invalid bytes read as
// U+FFFD), primary-ignorable elements left out.
template <typename Emit>
void ForEachPrimary(std::string_view s, Emit emit) {
  thread_local ElementState state;
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = 0;
  state.utf16.resize(s.size() + 1);
  u_strFromUTF8WithSub(reinterpret_cast<UChar*>(state.utf16.data()), static_cast<int32_t>(state.utf16.size()),
                       &length, s.data(), static_cast<int32_t>(s.size()), 0xFFFD, nullptr, &status);
  if (U_FAILURE(status)) return;
  const UChar* text = reinterpret_cast<const UChar*>(state.utf16.data());
  if (state.elements == nullptr) {
    state.elements = ucol_openElements(Collator(), text, length, &status);
  } else {
    ucol_setText(state.elements, text, length, &status);
  }
  if (U_FAILURE(status)) return;
  uint32_t current = 0;
  for (;;) {
    int32_t ce = ucol_next(state.elements, &status);
    if (ce == UCOL_NULLORDER || U_FAILURE(status)) break;
    uint32_t primary = static_cast<uint32_t>(ucol_primaryOrder(ce));
    if ((ce & 0xc0) == 0xc0) {  // the second half of a long weight
      current |= primary;
      continue;
    }
    if (current != 0) emit(current);
    current = primary << 16;
  }
  if (current != 0) emit(current);
  ReleaseIfLarge(&state.utf16);  // the iterator's text is set anew before every use
}

void AppendPrimary(uint32_t p, std::string* out) {
  for (int shift = 24; shift >= 0 && (p << (24 - shift)) != 0; shift -= 8)
    out->push_back(static_cast<char>((p >> shift) & 0xff));
}

// The ASCII characters' weights: at most one primary each (0: ignorable), and their order.
struct AsciiTable {
  std::array<uint32_t, 128> primary{};
  std::array<uint16_t, 128> rank{};  // 0: ignorable; else the primary's place in order
  bool usable = true;
};

const AsciiTable& Ascii() {
  static const AsciiTable table = [] {
    AsciiTable t;
    std::vector<uint32_t> distinct;
    for (int c = 0; c < 128; c++) {
      char ch = static_cast<char>(c);
      int n = 0;
      ForEachPrimary(std::string_view(&ch, 1), [&](uint32_t p) {
        t.primary[c] = p;
        n++;
      });
      if (n > 1) t.usable = false;
      if (t.primary[c] != 0) distinct.push_back(t.primary[c]);
    }
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (int c = 0; c < 128; c++) {
      if (t.primary[c] == 0) continue;
      t.rank[c] = static_cast<uint16_t>(std::lower_bound(distinct.begin(), distinct.end(), t.primary[c]) -
                                        distinct.begin() + 1);
    }
    return t;
  }();
  return table;
}

bool IsAscii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

std::string_view TrimTrailingSpaces(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

int Sign(int c) { return c < 0 ? -1 : c > 0 ? 1 : 0; }

bool IsAsciiAt(std::string_view s, size_t i) { return i >= s.size() || static_cast<unsigned char>(s[i]) < 0x80; }

// Two strings by the ranks of their ASCII characters (ignorable ones skipped), as far as
// that decides: nullopt once a non-ASCII character is met first (it may be ignorable, or
// change the weight of the character before it), and then ICU's weights decide.
std::optional<int> CompareAsciiPrefix(std::string_view a, std::string_view b, const AsciiTable& t) {
  size_t i = 0, j = 0;
  auto skip = [&t](std::string_view s, size_t k) {
    while (k < s.size() && static_cast<unsigned char>(s[k]) < 0x80 && t.rank[static_cast<unsigned char>(s[k])] == 0) k++;
    return k;
  };
  for (;;) {
    i = skip(a, i);
    j = skip(b, j);
    if (!IsAsciiAt(a, i) || !IsAsciiAt(b, j)) return std::nullopt;
    if (i == a.size() || j == b.size()) return (i == a.size() ? 0 : 1) - (j == b.size() ? 0 : 1);
    int c = t.rank[static_cast<unsigned char>(a[i])] - t.rank[static_cast<unsigned char>(b[j])];
    i++;
    j++;
    if (c != 0) {
      if (!IsAsciiAt(a, i) || !IsAsciiAt(b, j)) return std::nullopt;
      return Sign(c);
    }
  }
}

void AppendUcaWeights(std::string_view s, std::string* out) {
  const AsciiTable& t = Ascii();
  if (t.usable && IsAscii(s)) {
    for (char c : s) AppendPrimary(t.primary[static_cast<unsigned char>(c)], out);
    return;
  }
  ForEachPrimary(s, [&](uint32_t p) { AppendPrimary(p, out); });
}

}  // namespace

CollationKind ResolveCollation(StringCollation a, StringCollation b) {
  if (a == b) return KindOf(a);
  if (CoercibilityOf(a) != CoercibilityOf(b)) return KindOf(CoercibilityOf(a) > CoercibilityOf(b) ? a : b);
  if (KindOf(a) == KindOf(b)) return KindOf(a);
  // utf8mb4_general_ci against utf8mb4_bin compares under utf8mb4_bin.
  auto binary = [](CollationKind k) { return k == CollationKind::kBinary || k == CollationKind::kBinaryPadSpace; };
  if (binary(KindOf(a)) != binary(KindOf(b))) return binary(KindOf(a)) ? KindOf(a) : KindOf(b);
  return CollationKind::kBinary;
}

const CollationInfo* Collations(size_t* count) {
  *count = std::size(kCollations);
  return kCollations;
}

const CollationInfo* CollationById(uint16_t id) {
  for (const CollationInfo& c : kCollations)
    if (c.id == id) return &c;
  return nullptr;
}

std::string_view CollationName(uint16_t id) {
  const CollationInfo* c = CollationById(id);
  return c != nullptr ? c->name : std::string_view();
}

const CollationInfo* CollationByName(std::string_view name) {
  for (const CollationInfo& c : kCollations)
    if (EqualsIgnoreCase(c.name, name)) return &c;
  // Another character set's collation: utf8mb4's that compares alike.
  static constexpr std::string_view kCharsets[] = {"utf8mb3_", "utf8_", "latin1_", "ascii_", "ucs2_", "utf16_",
                                                   "utf32_"};
  for (std::string_view prefix : kCharsets) {
    if (name.size() <= prefix.size() || !EqualsIgnoreCase(name.substr(0, prefix.size()), prefix)) continue;
    std::string_view rest = name.substr(prefix.size());
    if (EqualsIgnoreCase(rest, "bin")) return CollationById(kCollationUtf8mb4Bin);
    if (rest.size() > 3 && EqualsIgnoreCase(rest.substr(rest.size() - 3), "_ci"))
      return CollationById(kCollationUtf8mb4GeneralCi);
  }
  return nullptr;
}

const CollationInfo* DefaultCollationOfCharset(std::string_view charset, uint16_t default_utf8mb4) {
  if (EqualsIgnoreCase(charset, "binary")) return CollationById(kCollationBinary);
  static constexpr std::string_view kText[] = {"utf8mb4", "utf8", "utf8mb3", "latin1", "ascii", "ucs2", "utf16",
                                               "utf32"};
  for (std::string_view c : kText)
    if (EqualsIgnoreCase(charset, c)) return CollationById(default_utf8mb4);
  return nullptr;
}

int CollatedCompare(std::string_view a, std::string_view b, CollationKind kind) {
  if (kind == CollationKind::kBinary) return Sign(a.compare(b));
  if (kind == CollationKind::kUcaPadSpace || kind == CollationKind::kBinaryPadSpace) {
    a = TrimTrailingSpaces(a);
    b = TrimTrailingSpaces(b);
  }
  if (kind == CollationKind::kBinaryPadSpace) return Sign(a.compare(b));
  const AsciiTable& t = Ascii();
  if (t.usable) {
    if (std::optional<int> c = CompareAsciiPrefix(a, b, t)) return *c;
  }
  thread_local std::string wa, wb;
  wa.clear();
  wb.clear();
  AppendUcaWeights(a, &wa);
  AppendUcaWeights(b, &wb);
  const int c = Sign(wa.compare(wb));
  ReleaseIfLarge(&wa);
  ReleaseIfLarge(&wb);
  return c;
}

void AppendWeights(std::string_view s, CollationKind kind, std::string* out) {
  switch (kind) {
    case CollationKind::kBinary: out->append(s); return;
    case CollationKind::kBinaryPadSpace: out->append(TrimTrailingSpaces(s)); return;
    case CollationKind::kUcaPadSpace: AppendUcaWeights(TrimTrailingSpaces(s), out); return;
    case CollationKind::kUcaNoPad: AppendUcaWeights(s, out); return;
  }
}

size_t CollationHash(std::string_view s) {
  // The primary weights folded in order (the same for the ASCII table as for ICU's).
  s = TrimTrailingSpaces(s);
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](uint32_t p) { h = (h ^ p) * 0x100000001b3ull; };
  const AsciiTable& t = Ascii();
  bool ascii = t.usable;
  for (size_t i = 0; ascii && i < s.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) ascii = false;  // start again through ICU
    else if (t.primary[c] != 0) mix(t.primary[c]);
  }
  if (!ascii) {
    h = 0xcbf29ce484222325ull;
    ForEachPrimary(s, mix);
  }
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  return static_cast<size_t>(h ^ (h >> 32));
}

namespace {

// LIKE's units: a character's weights (packed), or a wildcard.
constexpr uint64_t kAnyString = ~0ull;      // %
constexpr uint64_t kAnyCharacter = ~0ull - 1;  // _

// The length of the UTF-8 sequence at s[i] (1 for a byte that starts none).
size_t CharLength(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
  if (i + n > s.size()) return 1;
  for (size_t k = 1; k < n; k++)
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 1;
  return n;
}

// One character's unit: its primaries folded into 62 bits; 0 when it has none.
uint64_t CharacterUnit(std::string_view ch) {
  const AsciiTable& t = Ascii();
  if (ch.size() == 1 && static_cast<unsigned char>(ch[0]) < 0x80 && t.usable)
    return t.primary[static_cast<unsigned char>(ch[0])];
  uint64_t unit = 0;
  ForEachPrimary(ch, [&](uint32_t p) { unit = unit * 0x100000001b3ull + p; });
  return unit & 0x3fffffffffffffffull;
}

std::vector<uint64_t> Units(std::string_view s, bool pattern, char escape) {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < s.size();) {
    if (pattern && s[i] == escape && i + 1 < s.size()) {
      i++;
      size_t n = CharLength(s, i);
      uint64_t u = CharacterUnit(s.substr(i, n));
      if (u != 0) out.push_back(u);
      i += n;
      continue;
    }
    if (pattern && (s[i] == '%' || s[i] == '_')) {
      out.push_back(s[i] == '%' ? kAnyString : kAnyCharacter);
      i++;
      continue;
    }
    size_t n = CharLength(s, i);
    uint64_t u = CharacterUnit(s.substr(i, n));
    if (u != 0) out.push_back(u);
    i += n;
  }
  return out;
}

}  // namespace

bool CollatedLike(std::string_view text_bytes, std::string_view pattern_bytes, char escape) {
  std::vector<uint64_t> text = Units(text_bytes, false, escape);
  std::vector<uint64_t> pattern = Units(pattern_bytes, true, escape);
  size_t t = 0, p = 0, star_p = SIZE_MAX, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] != kAnyString && (pattern[p] == kAnyCharacter || pattern[p] == text[t])) {
      p++;
      t++;
      continue;
    }
    if (p < pattern.size() && pattern[p] == kAnyString) {
      star_p = p++;
      star_t = t;
      continue;
    }
    if (star_p == SIZE_MAX) return false;
    p = star_p + 1;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == kAnyString) p++;
  return p == pattern.size();
}

size_t CollatedFind(std::string_view s, std::string_view sub, size_t start) {
  const std::vector<uint64_t> needle = Units(sub, false, '\0');
  if (needle.empty()) return start <= s.size() ? start : std::string_view::npos;
  for (size_t p = start; p < s.size(); p += CharLength(s, p)) {
    size_t q = p, k = 0;
    while (k < needle.size() && q < s.size()) {
      const size_t n = CharLength(s, q);
      const uint64_t unit = CharacterUnit(s.substr(q, n));
      q += n;
      if (unit == 0) continue;  // ignorable
      if (unit != needle[k]) break;
      k++;
    }
    if (k == needle.size()) return p;
  }
  return std::string_view::npos;
}

}  // namespace strata::sql
