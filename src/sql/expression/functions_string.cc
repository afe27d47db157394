// String functions. Positions and lengths count characters (UTF-8), LENGTH counts bytes,
// comparisons are binary, and case folding is ASCII, like the rest of StrataDB's strings.
#include <regex.h>

#include <algorithm>
#include <array>
#include <memory>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "common/ascii.h"
#include "sql/errors.h"
#include "sql/expression/function_library.h"

namespace strata::sql::functions {
namespace {

using Args = std::span<const Value>;

Value Str(std::string s) { return Value::String(std::move(s)); }

Result<Value> Concat(Args a, const EvalContext&) {
  std::string out;
  for (const Value& v : a) out += Text(v);
  if (out.size() > kMaxResultBytes) return Value::Null();
  return Str(std::move(out));
}

Result<Value> ConcatWs(Args a, const EvalContext&) {
  if (a[0].is_null()) return Value::Null();
  std::string separator = Text(a[0]), out;
  bool first = true;
  for (size_t i = 1; i < a.size(); i++) {
    if (a[i].is_null()) continue;
    if (!first) out += separator;
    out += Text(a[i]);
    first = false;
    if (out.size() > kMaxResultBytes) return Value::Null();
  }
  return Str(std::move(out));
}

Result<Value> Lower(Args a, const EvalContext&) { return Str(ToLower(Text(a[0]))); }
Result<Value> Upper(Args a, const EvalContext&) { return Str(ToUpper(Text(a[0]))); }
Result<Value> Length(Args a, const EvalContext&) { return Value::Int(static_cast<int64_t>(Text(a[0]).size())); }
Result<Value> BitLength(Args a, const EvalContext&) { return Value::Int(static_cast<int64_t>(Text(a[0]).size() * 8)); }
Result<Value> CharLength(Args a, const EvalContext&) { return Value::Int(static_cast<int64_t>(Utf8Chars(Text(a[0])))); }

// Characters [from, from + count) of s, by character position (0-based).
std::string Chars(std::string_view s, size_t from, size_t count) {
  size_t begin = Utf8Offset(s, from);
  size_t end = begin + Utf8Offset(s.substr(begin), count);
  return std::string(s.substr(begin, end - begin));
}

Result<Value> Substring(Args a, const EvalContext&) {
  std::string s = Text(a[0]);
  int64_t n = static_cast<int64_t>(Utf8Chars(s));
  int64_t pos = Int(a[1]);
  int64_t len = a.size() > 2 ? Int(a[2]) : n;
  if (pos < 0) pos = n + pos + 1;
  if (pos < 1 || pos > n || len <= 0) return Str("");
  return Str(Chars(s, static_cast<size_t>(pos - 1), static_cast<size_t>(len)));
}

Result<Value> Left(Args a, const EvalContext&) {
  int64_t n = Int(a[1]);
  return Str(n <= 0 ? "" : Chars(Text(a[0]), 0, static_cast<size_t>(n)));
}

Result<Value> Right(Args a, const EvalContext&) {
  std::string s = Text(a[0]);
  int64_t n = Int(a[1]), total = static_cast<int64_t>(Utf8Chars(s));
  if (n <= 0) return Str("");
  return Str(Chars(s, static_cast<size_t>(std::max<int64_t>(0, total - n)), static_cast<size_t>(n)));
}

// TRIM([BOTH|LEADING|TRAILING] [remove FROM] s): the parser passes (s[, remove]).
std::string TrimEnds(std::string s, std::string_view remove, bool leading, bool trailing) {
  if (remove.empty()) return s;
  size_t begin = 0, end = s.size();
  if (leading)
    while (end - begin >= remove.size() && s.compare(begin, remove.size(), remove) == 0) begin += remove.size();
  if (trailing)
    while (end - begin >= remove.size() && s.compare(end - remove.size(), remove.size(), remove) == 0) end -= remove.size();
  return s.substr(begin, end - begin);
}
std::string Remove(Args a) { return a.size() > 1 ? Text(a[1]) : std::string(" "); }
Result<Value> Trim(Args a, const EvalContext&) { return Str(TrimEnds(Text(a[0]), Remove(a), true, true)); }
Result<Value> LTrim(Args a, const EvalContext&) { return Str(TrimEnds(Text(a[0]), Remove(a), true, false)); }
Result<Value> RTrim(Args a, const EvalContext&) { return Str(TrimEnds(Text(a[0]), Remove(a), false, true)); }

Result<Value> Replace(Args a, const EvalContext&) {
  std::string s = Text(a[0]), from = Text(a[1]), to = Text(a[2]);
  if (from.empty()) return Str(s);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, from.size(), from) == 0) {
      out += to;
      i += from.size();
      if (out.size() > kMaxResultBytes) return Value::Null();
    } else {
      out += s[i++];
    }
  }
  return Str(std::move(out));
}

// LOCATE(sub, s[, pos]) / INSTR(s, sub) / POSITION(sub IN s): 1-based character position,
// under the arguments' collation (case-insensitive unless one is binary, as MySQL).
int64_t Locate(std::string_view sub, std::string_view s, int64_t from, CollationKind kind) {
  if (from < 1) return 0;
  size_t start = Utf8Offset(s, static_cast<size_t>(from - 1));
  if (start > s.size() || (start == s.size() && static_cast<int64_t>(Utf8Chars(s)) < from - 1)) return 0;
  const bool bytes = kind == CollationKind::kBinary || kind == CollationKind::kBinaryPadSpace;
  size_t at = bytes ? s.find(sub, start) : CollatedFind(s, sub, start);
  return at == std::string_view::npos ? 0 : static_cast<int64_t>(Utf8Chars(s.substr(0, at))) + 1;
}
Result<Value> LocateFn(Args a, const EvalContext&) {
  return Value::Int(Locate(Text(a[0]), Text(a[1]), a.size() > 2 ? Int(a[2]) : 1,
                           ResolveCollation(a[0].collation(), a[1].collation())));
}
Result<Value> Instr(Args a, const EvalContext&) {
  return Value::Int(Locate(Text(a[1]), Text(a[0]), 1, ResolveCollation(a[0].collation(), a[1].collation())));
}

Result<Value> Pad(Args a, bool left) {
  std::string s = Text(a[0]), pad = Text(a[2]);
  int64_t len = Int(a[1]);
  if (len < 0 || static_cast<uint64_t>(len) > kMaxResultBytes) return Value::Null();
  size_t want = static_cast<size_t>(len), have = Utf8Chars(s);
  if (have >= want) return Str(Chars(s, 0, want));
  if (pad.empty()) return Value::Null();
  std::string fill;
  size_t pad_chars = Utf8Chars(pad);
  if (pad_chars == 0) {  // no character starts in it (stray continuation bytes): pad by bytes
    for (size_t i = 0; i < want - have; i++) fill += pad[i % pad.size()];
    return Str(left ? fill + s : s + fill);
  }
  for (size_t need = want - have; need > 0;) {
    size_t take = std::min(need, pad_chars);
    fill += Chars(pad, 0, take);
    need -= take;
  }
  return Str(left ? fill + s : s + fill);
}
Result<Value> LPad(Args a, const EvalContext&) { return Pad(a, true); }
Result<Value> RPad(Args a, const EvalContext&) { return Pad(a, false); }

Result<Value> Repeat(Args a, const EvalContext&) {
  std::string s = Text(a[0]);
  int64_t n = Int(a[1]);
  if (n <= 0 || s.empty()) return Str("");
  if (static_cast<uint64_t>(n) > kMaxResultBytes / s.size()) return Value::Null();
  std::string out;
  out.reserve(s.size() * static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i++) out += s;
  return Str(std::move(out));
}

Result<Value> Space(Args a, const EvalContext&) {
  int64_t n = Int(a[0]);
  if (n <= 0) return Str("");
  if (static_cast<uint64_t>(n) > kMaxResultBytes) return Value::Null();
  return Str(std::string(static_cast<size_t>(n), ' '));
}

Result<Value> Reverse(Args a, const EvalContext&) {
  std::string s = Text(a[0]), out;
  out.reserve(s.size());
  for (size_t end = s.size(); end > 0;) {
    size_t begin = end - 1;
    while (begin > 0 && (static_cast<unsigned char>(s[begin]) & 0xc0) == 0x80) begin--;
    out.append(s, begin, end - begin);
    end = begin;
  }
  return Str(std::move(out));
}

Result<Value> Ascii(Args a, const EvalContext&) {
  std::string s = Text(a[0]);
  return Value::Int(s.empty() ? 0 : static_cast<unsigned char>(s[0]));
}

Result<Value> Ord(Args a, const EvalContext&) {  // a multi-byte first character: its bytes as a number
  std::string s = Text(a[0]);
  if (s.empty()) return Value::Int(0);
  size_t n = Utf8Offset(s, 1);
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) v = v * 256 + static_cast<unsigned char>(s[i]);
  return Value::Int(v);
}

Result<Value> SubstringIndex(Args a, const EvalContext&) {
  std::string s = Text(a[0]), delim = Text(a[1]);
  // s holds at most s.size() delimiters: a larger count (up to INT64_MIN, which has no
  // negation) means "all of s".
  const int64_t bound = static_cast<int64_t>(s.size()) + 1;
  int64_t count = std::clamp<int64_t>(Int(a[2]), -bound, bound);
  if (delim.empty() || count == 0) return Str("");
  if (count > 0) {
    size_t at = 0;
    for (int64_t i = 0; i < count; i++) {
      at = s.find(delim, i == 0 ? 0 : at + delim.size());
      if (at == std::string::npos) return Str(s);
    }
    return Str(s.substr(0, at));
  }
  size_t at = s.size();
  for (int64_t i = 0; i < -count; i++) {
    if (at < delim.size()) return Str(s);
    at = s.rfind(delim, at - delim.size());
    if (at == std::string::npos) return Str(s);
  }
  return Str(s.substr(at + delim.size()));
}

Result<Value> Strcmp(Args a, const EvalContext&) {
  // Under the arguments' collation, as MySQL (numbers compare as their text).
  CollationKind kind = ResolveCollation(a[0].collation(), a[1].collation());
  return Value::Int(CollatedCompare(Text(a[0]), Text(a[1]), kind));
}

Result<Value> Field(Args a, const EvalContext&) {  // 0 when the first argument is NULL or absent
  if (a[0].is_null()) return Value::Int(0);
  for (size_t i = 1; i < a.size(); i++)
    if (!a[i].is_null() && CompareValues(a[0], a[i]) == 0) return Value::Int(static_cast<int64_t>(i));
  return Value::Int(0);
}

Result<Value> Elt(Args a, const EvalContext&) {
  if (a[0].is_null()) return Value::Null();
  int64_t n = Int(a[0]);
  if (n < 1 || static_cast<size_t>(n) >= a.size()) return Value::Null();
  const Value& v = a[static_cast<size_t>(n)];
  return v.is_null() ? v : Str(Text(v));
}

Result<Value> FindInSet(Args a, const EvalContext&) {
  std::string needle = Text(a[0]), list = Text(a[1]);
  if (needle.find(',') != std::string::npos) return Value::Int(0);
  const CollationKind kind = ResolveCollation(a[0].collation(), a[1].collation());
  int64_t index = 1;
  for (size_t begin = 0;; index++) {
    size_t end = list.find(',', begin);
    std::string_view element = std::string_view(list).substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    if (CollatedCompare(element, needle, kind) == 0 && !list.empty()) return Value::Int(index);
    if (end == std::string::npos) return Value::Int(0);
    begin = end + 1;
  }
}

Result<Value> Quote(Args a, const EvalContext&) {
  if (a[0].is_null()) return Str("NULL");
  std::string out = "'";
  for (char c : Text(a[0])) {
    if (c == '\'' || c == '\\') out += '\\';
    if (c == '\0') {
      out += "\\0";
      continue;
    }
    if (c == '\x1a') {
      out += "\\Z";
      continue;
    }
    out += c;
  }
  return Str(out + "'");
}

std::string HexOf(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) out += fmt::format("{:02X}", c);
  return out;
}

Result<Value> Hex(Args a, const EvalContext&) {
  const Value& v = a[0];
  if (v.kind() == ValueKind::kString) return Str(HexOf(v.string_value()));
  if (v.kind() == ValueKind::kUint) return Str(fmt::format("{:X}", v.uint_value()));
  return Str(fmt::format("{:X}", static_cast<uint64_t>(Int(v))));
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<Value> Unhex(Args a, const EvalContext&) {
  std::string s = Text(a[0]);
  if (s.size() % 2) s.insert(s.begin(), '0');
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = HexDigit(s[i]), lo = HexDigit(s[i + 1]);
    if (hi < 0 || lo < 0) return Value::Null();
    out += static_cast<char>(hi * 16 + lo);
  }
  return Str(std::move(out));
}

Result<Value> Digest(Args a, const EVP_MD* md) {
  std::string s = Text(a[0]);
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int n = 0;
  if (EVP_Digest(s.data(), s.size(), out.data(), &n, md, nullptr) != 1) return Status::Internal("digest failed");
  return Str(ToLower(HexOf(std::string_view(reinterpret_cast<const char*>(out.data()), n))));
}
Result<Value> Md5(Args a, const EvalContext&) { return Digest(a, EVP_md5()); }
Result<Value> Sha1(Args a, const EvalContext&) { return Digest(a, EVP_sha1()); }
Result<Value> Sha2(Args a, const EvalContext&) {
  switch (Int(a[1])) {
    case 0: case 256: return Digest(a, EVP_sha256());
    case 224: return Digest(a, EVP_sha224());
    case 384: return Digest(a, EVP_sha384());
    case 512: return Digest(a, EVP_sha512());
    default: return Value::Null();
  }
}

constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Result<Value> ToBase64(Args a, const EvalContext&) {  // MySQL breaks the output every 76 characters
  std::string s = Text(a[0]), out;
  for (size_t i = 0; i < s.size(); i += 3) {
    if (i > 0 && i % 57 == 0) out += '\n';
    uint32_t chunk = static_cast<unsigned char>(s[i]) << 16;
    if (i + 1 < s.size()) chunk |= static_cast<unsigned char>(s[i + 1]) << 8;
    if (i + 2 < s.size()) chunk |= static_cast<unsigned char>(s[i + 2]);
    out += kBase64[(chunk >> 18) & 63];
    out += kBase64[(chunk >> 12) & 63];
    out += i + 1 < s.size() ? kBase64[(chunk >> 6) & 63] : '=';
    out += i + 2 < s.size() ? kBase64[chunk & 63] : '=';
  }
  return Str(std::move(out));
}

Result<Value> FromBase64(Args a, const EvalContext&) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (char c : Text(a[0])) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    size_t d = kBase64.find(c);
    if (d == std::string_view::npos || padding) return Value::Null();
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return Str(std::move(out));
}

Result<Value> Uuid(Args, const EvalContext&) {
  std::array<unsigned char, 16> b{};
  static thread_local uint64_t state = [] {
    uint64_t seed = 0;
    if (FILE* f = std::fopen("/dev/urandom", "rb")) {
      if (std::fread(&seed, sizeof seed, 1, f) != 1) seed = 0;
      std::fclose(f);
    }
    return seed ^ reinterpret_cast<uintptr_t>(&seed);
  }();
  for (size_t i = 0; i < b.size(); i++) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;  // PCG step
    b[i] = static_cast<unsigned char>(state >> 56);
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string h = ToLower(HexOf(std::string_view(reinterpret_cast<const char*>(b.data()), b.size())));
  return Str(fmt::format("{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4), h.substr(16, 4), h.substr(20)));
}

// POSIX extended regular expressions (glibc's matcher does not recurse per input byte).
Result<Value> Regexp(Args a, const EvalContext&) {
  std::string s = Text(a[0]), pattern = Text(a[1]);
  regex_t re;
  if (regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0) return ErrWrongArguments("REGEXP");
  std::unique_ptr<regex_t, void (*)(regex_t*)> guard(&re, regfree);
  if (s.find('\0') != std::string::npos) s.resize(s.find('\0'));
  return Value::Int(regexec(&re, s.c_str(), 0, nullptr, 0) == 0 ? 1 : 0);
}

constexpr OutKind S = OutKind::kString, I = OutKind::kInt;

const BuiltinFunction kStringFunctions[] = {
    {"CONCAT", 1, -1, S, ResultRule::kFixed, true, true, Concat},
    {"CONCAT_WS", 2, -1, S, ResultRule::kFixed, false, true, ConcatWs},
    {"LOWER", 1, 1, S, ResultRule::kFixed, true, true, Lower},
    {"LCASE", 1, 1, S, ResultRule::kFixed, true, true, Lower},
    {"UPPER", 1, 1, S, ResultRule::kFixed, true, true, Upper},
    {"UCASE", 1, 1, S, ResultRule::kFixed, true, true, Upper},
    {"LENGTH", 1, 1, I, ResultRule::kFixed, true, true, Length},
    {"OCTET_LENGTH", 1, 1, I, ResultRule::kFixed, true, true, Length},
    {"BIT_LENGTH", 1, 1, I, ResultRule::kFixed, true, true, BitLength},
    {"CHAR_LENGTH", 1, 1, I, ResultRule::kFixed, true, true, CharLength},
    {"CHARACTER_LENGTH", 1, 1, I, ResultRule::kFixed, true, true, CharLength},
    {"SUBSTRING", 2, 3, S, ResultRule::kFixed, true, true, Substring},
    {"SUBSTR", 2, 3, S, ResultRule::kFixed, true, true, Substring},
    {"MID", 3, 3, S, ResultRule::kFixed, true, true, Substring},
    {"LEFT", 2, 2, S, ResultRule::kFixed, true, true, Left},
    {"RIGHT", 2, 2, S, ResultRule::kFixed, true, true, Right},
    {"TRIM", 1, 2, S, ResultRule::kFixed, true, true, Trim},
    {"LTRIM", 1, 2, S, ResultRule::kFixed, true, true, LTrim},
    {"RTRIM", 1, 2, S, ResultRule::kFixed, true, true, RTrim},
    {"REPLACE", 3, 3, S, ResultRule::kFixed, true, true, Replace},
    {"LOCATE", 2, 3, I, ResultRule::kFixed, true, true, LocateFn},
    {"POSITION", 2, 2, I, ResultRule::kFixed, true, true, LocateFn},
    {"INSTR", 2, 2, I, ResultRule::kFixed, true, true, Instr},
    {"LPAD", 3, 3, S, ResultRule::kFixed, true, true, LPad},
    {"RPAD", 3, 3, S, ResultRule::kFixed, true, true, RPad},
    {"REPEAT", 2, 2, S, ResultRule::kFixed, true, true, Repeat},
    {"SPACE", 1, 1, S, ResultRule::kFixed, true, true, Space},
    {"REVERSE", 1, 1, S, ResultRule::kFixed, true, true, Reverse},
    {"ASCII", 1, 1, I, ResultRule::kFixed, true, true, Ascii},
    {"ORD", 1, 1, I, ResultRule::kFixed, true, true, Ord},
    {"SUBSTRING_INDEX", 3, 3, S, ResultRule::kFixed, true, true, SubstringIndex},
    {"STRCMP", 2, 2, I, ResultRule::kFixed, true, true, Strcmp},
    {"FIELD", 2, -1, I, ResultRule::kFixed, false, true, Field},
    {"ELT", 2, -1, S, ResultRule::kFixed, false, true, Elt},
    {"FIND_IN_SET", 2, 2, I, ResultRule::kFixed, true, true, FindInSet},
    {"QUOTE", 1, 1, S, ResultRule::kFixed, false, true, Quote},
    {"HEX", 1, 1, S, ResultRule::kFixed, true, true, Hex},
    {"UNHEX", 1, 1, S, ResultRule::kFixed, true, true, Unhex},
    {"MD5", 1, 1, S, ResultRule::kFixed, true, true, Md5},
    {"SHA1", 1, 1, S, ResultRule::kFixed, true, true, Sha1},
    {"SHA", 1, 1, S, ResultRule::kFixed, true, true, Sha1},
    {"SHA2", 2, 2, S, ResultRule::kFixed, true, true, Sha2},
    {"TO_BASE64", 1, 1, S, ResultRule::kFixed, true, true, ToBase64},
    {"FROM_BASE64", 1, 1, S, ResultRule::kFixed, true, true, FromBase64},
    {"UUID", 0, 0, S, ResultRule::kFixed, true, false, Uuid},
    {"REGEXP", 2, 2, I, ResultRule::kFixed, true, true, Regexp},
    {"REGEXP_LIKE", 2, 2, I, ResultRule::kFixed, true, true, Regexp},
};

}  // namespace

std::span<const BuiltinFunction> StringFunctions() { return kStringFunctions; }

// x COLLATE c (args: x, the collation's name, its StringCollation byte): x as a string of
// that collation, held explicitly.
Result<Value> CollateFn(std::span<const Value> a, const EvalContext&) {
  Value out = a[0].kind() == ValueKind::kString ? a[0] : Value::String(Text(a[0]));
  out.set_collation(static_cast<StringCollation>(a[2].int_value()));
  return out;
}
const BuiltinFunction kCollate{"COLLATE", 3, 3, S, ResultRule::kFixed, true, true, CollateFn};

}  // namespace strata::sql::functions

namespace strata::sql {
const BuiltinFunction& CollateFunction() { return functions::kCollate; }
}  // namespace strata::sql
