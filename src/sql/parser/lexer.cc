#include "sql/parser/lexer.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>

#include "sql/errors.h"

namespace strata::sql {

namespace {

constexpr size_t kNearMaxChars = 80;  // MySQL quotes at most 80 characters after "near"

bool IsIdentChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || c >= 0x80;
}
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
int HexValue(unsigned char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Decodes hex digits (already validated) into bytes; an odd count gets a leading zero.
std::string DecodeHex(std::string_view digits) {
  std::string out;
  size_t i = 0;
  if (digits.size() % 2 == 1) {
    out.push_back(static_cast<char>(HexValue(digits[0])));
    i = 1;
  }
  for (; i < digits.size(); i += 2) {  // an even number of digits remains
    out.push_back(static_cast<char>(HexValue(digits[i]) * 16 + HexValue(digits[i + 1])));
  }
  return out;
}

// Decodes binary digits into big-endian bytes, padded on the left to whole bytes.
std::string DecodeBits(std::string_view digits) {
  std::string out;
  size_t lead = digits.size() % 8;
  size_t i = 0;
  auto take = [&](size_t n) {
    unsigned value = 0;
    for (size_t k = 0; k < n; ++k) value = value * 2 + (digits[i + k] == '1' ? 1 : 0);
    out.push_back(static_cast<char>(value));
    i += n;
  };
  if (lead != 0) take(lead);
  while (i < digits.size()) take(8);
  return out;
}

class Lexer {
 public:
  Lexer(std::string_view sql, bool backslash_escapes, bool ansi_quotes = false)
      : sql_(sql), backslash_escapes_(backslash_escapes), ansi_quotes_(ansi_quotes) {}

  Result<std::vector<Token>> Run() {
    while (true) {
      STRATA_RETURN_IF_ERROR(SkipSpaceAndComments());
      if (pos_ >= sql_.size()) break;
      STRATA_RETURN_IF_ERROR(LexToken());
    }
    Token end;
    end.kind = TokenKind::kEnd;
    end.begin = end.end = sql_.size();
    tokens_.push_back(std::move(end));
    return std::move(tokens_);
  }

 private:
  unsigned char At(size_t i) const { return i < sql_.size() ? sql_[i] : '\0'; }

  Status SkipSpaceAndComments() {
    while (pos_ < sql_.size()) {
      unsigned char c = At(pos_);
      if (IsSpace(c)) {
        ++pos_;
      } else if (c == '#' || (c == '-' && At(pos_ + 1) == '-' &&
                              (pos_ + 2 >= sql_.size() || IsSpace(At(pos_ + 2)) ||
                               At(pos_ + 2) < 0x20))) {
        while (pos_ < sql_.size() && sql_[pos_] != '\n') ++pos_;
      } else if (c == '*' && At(pos_ + 1) == '/' && in_executable_comment_) {
        in_executable_comment_ = false;
        pos_ += 2;
      } else if (c == '/' && At(pos_ + 1) == '*') {
        STRATA_RETURN_IF_ERROR(SkipBlockComment());
      } else {
        break;
      }
    }
    return Status::OK();
  }

  // At "/*": skips a comment, or enters an executable comment "/*!" whose content is SQL.
  Status SkipBlockComment() {
    size_t start = pos_;
    if (At(pos_ + 2) == '!' && !in_executable_comment_) {
      size_t p = pos_ + 3;
      size_t digits_begin = p;
      while (p < sql_.size() && IsDigit(At(p)) && p - digits_begin < 6) ++p;
      uint32_t version = 0;
      for (size_t i = digits_begin; i < p; ++i) version = version * 10 + (sql_[i] - '0');
      if (p == digits_begin || version <= kServerVersionId) {
        in_executable_comment_ = true;
        pos_ = p;
        return Status::OK();
      }
    }
    size_t close = sql_.find("*/", pos_ + 2);
    if (close == std::string_view::npos) return SyntaxError(sql_, start);
    pos_ = close + 2;
    return Status::OK();
  }

  Token& Push(TokenKind kind, size_t begin, size_t end, std::string value) {
    Token t;
    t.kind = kind;
    t.begin = begin;
    t.end = end;
    t.value = std::move(value);
    tokens_.push_back(std::move(t));
    return tokens_.back();
  }

  bool PrevTokenTouchesWord() const {
    if (tokens_.empty()) return false;
    const Token& prev = tokens_.back();
    return prev.end == pos_ && (prev.kind == TokenKind::kWord || prev.kind == TokenKind::kQuotedIdent);
  }

  Status LexToken() {
    unsigned char c = At(pos_);
    unsigned char next = At(pos_ + 1);
    if ((c == 'x' || c == 'X') && next == '\'') return LexHexString();
    if ((c == 'b' || c == 'B') && next == '\'') return LexBitString();
    if (c == '0' && (next == 'x' || next == 'b')) {
      if (LexPrefixedNumber()) return Status::OK();
    }
    if (IsDigit(c) || (c == '.' && IsDigit(next) && !PrevTokenTouchesWord())) return LexNumber();
    if (IsIdentChar(c)) {
      LexWord(pos_);
      return Status::OK();
    }
    if (c == '"' && ansi_quotes_) c = '`';  // ANSI_QUOTES: "name" is an identifier
    switch (c) {
      case '\'':
      case '"': {
        size_t begin = pos_;
        STRATA_ASSIGN_OR_RETURN(std::string value, LexQuoted(c, backslash_escapes_));
        Push(TokenKind::kString, begin, pos_, std::move(value)).quoted_string = true;
        return Status::OK();
      }
      case '`': {
        size_t begin = pos_;
        STRATA_ASSIGN_OR_RETURN(std::string value, LexQuoted(sql_[pos_], /*backslash_escapes=*/false));
        Push(TokenKind::kQuotedIdent, begin, pos_, std::move(value));
        return Status::OK();
      }
      case '@':
        return LexVariable();
      case '?':
        Push(TokenKind::kParam, pos_, pos_ + 1, "?");
        ++pos_;
        return Status::OK();
      default:
        return LexPunct();
    }
  }

  void LexWord(size_t begin) {
    size_t p = pos_;
    while (p < sql_.size() && IsIdentChar(At(p))) ++p;
    pos_ = p;
    Push(TokenKind::kWord, begin, p, std::string(sql_.substr(begin, p - begin)));
  }

  // 0x1F / 0b101: a literal unless more identifier characters follow (0xg is a name).
  bool LexPrefixedNumber() {
    bool hex = At(pos_ + 1) == 'x';
    size_t p = pos_ + 2;
    while (p < sql_.size() && (hex ? IsHexDigit(At(p)) : (At(p) == '0' || At(p) == '1'))) ++p;
    if (p == pos_ + 2 || IsIdentChar(At(p))) return false;
    std::string_view digits = sql_.substr(pos_ + 2, p - pos_ - 2);
    Push(TokenKind::kString, pos_, p, hex ? DecodeHex(digits) : DecodeBits(digits));
    pos_ = p;
    return true;
  }

  Status LexHexString() {
    size_t begin = pos_;
    size_t p = pos_ + 2;
    while (p < sql_.size() && IsHexDigit(At(p))) ++p;
    if (At(p) != '\'' || (p - begin - 2) % 2 != 0) return SyntaxError(sql_, begin);
    Push(TokenKind::kString, begin, p + 1, DecodeHex(sql_.substr(begin + 2, p - begin - 2)));
    pos_ = p + 1;
    return Status::OK();
  }

  Status LexBitString() {
    size_t begin = pos_;
    size_t p = pos_ + 2;
    while (p < sql_.size() && (At(p) == '0' || At(p) == '1')) ++p;
    if (At(p) != '\'') return SyntaxError(sql_, begin);
    Push(TokenKind::kString, begin, p + 1, DecodeBits(sql_.substr(begin + 2, p - begin - 2)));
    pos_ = p + 1;
    return Status::OK();
  }

  Status LexNumber() {
    size_t begin = pos_;
    size_t p = pos_;
    while (IsDigit(At(p))) ++p;
    TokenKind kind = TokenKind::kInteger;
    if (At(p) == '.' ) {
      kind = TokenKind::kDecimal;
      ++p;
      while (IsDigit(At(p))) ++p;
    }
    if (At(p) == 'e' || At(p) == 'E') {
      size_t q = p + 1;
      if (At(q) == '+' || At(q) == '-') ++q;
      if (IsDigit(At(q))) {
        while (IsDigit(At(q))) ++q;
        kind = TokenKind::kFloat;
        p = q;
      }
    }
    if (kind == TokenKind::kInteger && IsIdentChar(At(p))) {
      // 123abc is an identifier in MySQL.
      LexWord(begin);
      return Status::OK();
    }
    pos_ = p;
    Push(kind, begin, p, std::string(sql_.substr(begin, p - begin)));
    return Status::OK();
  }

  // At an opening quote `q`: returns the unescaped content and moves past the closing quote.
  Result<std::string> LexQuoted(char q, bool backslash_escapes) {
    size_t begin = pos_;
    std::string out;
    size_t p = pos_ + 1;
    // The bytes up to the next quote or backslash go in one append (a multi-megabyte
    // literal is one memchr pass and one copy, not a push_back per byte). Each search starts
    // where the last ended and a backslash is only looked for before the next quote, so
    // lexing stays linear however many literals and escapes a statement holds.
    size_t next_quote = sql_.find(q, p);
    while (true) {
      if (next_quote != std::string_view::npos && next_quote < p) next_quote = sql_.find(q, p);
      size_t stop = next_quote;
      if (backslash_escapes) {
        size_t limit = next_quote == std::string_view::npos ? sql_.size() : next_quote;
        if (const void* b = p < limit ? std::memchr(sql_.data() + p, '\\', limit - p) : nullptr)
          stop = static_cast<size_t>(static_cast<const char*>(b) - sql_.data());
      }
      if (stop == std::string_view::npos) return SyntaxError(sql_, begin);
      if (out.empty()) out.reserve(stop - p);
      out.append(sql_.substr(p, stop - p));
      p = stop;
      char c = sql_[p];
      if (c == q) {
        if (At(p + 1) == static_cast<unsigned char>(q)) {
          out.push_back(q);
          p += 2;
          continue;
        }
        pos_ = p + 1;
        return out;
      }
      if (c == '\\' && backslash_escapes) {
        if (p + 1 >= sql_.size()) return SyntaxError(sql_, begin);
        AppendEscape(sql_[p + 1], &out);
        p += 2;
        continue;
      }
      out.push_back(c);
      ++p;
    }
  }

  static void AppendEscape(char c, std::string* out) {
    switch (c) {
      case '0': out->push_back('\0'); break;
      case 'b': out->push_back('\b'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'Z': out->push_back('\x1A'); break;
      case '%':  // kept escaped: LIKE patterns need to see \% and \_
      case '_':
        out->push_back('\\');
        out->push_back(c);
        break;
      default: out->push_back(c); break;  // \\ \' \" and any other character itself
    }
  }

  Status LexVariable() {
    size_t begin = pos_;
    if (At(pos_ + 1) == '@') return LexSystemVariable();
    unsigned char c = At(pos_ + 1);
    if (c == '\'' || c == '"' || c == '`') {
      pos_ += 1;
      STRATA_ASSIGN_OR_RETURN(std::string name, LexQuoted(static_cast<char>(c), c != '`'));
      Push(TokenKind::kUserVar, begin, pos_, std::move(name));
      return Status::OK();
    }
    size_t p = pos_ + 1;
    while (p < sql_.size() && (IsIdentChar(At(p)) || At(p) == '.')) ++p;
    if (p == pos_ + 1) return SyntaxError(sql_, begin);
    Push(TokenKind::kUserVar, begin, p, std::string(sql_.substr(pos_ + 1, p - pos_ - 1)));
    pos_ = p;
    return Status::OK();
  }

  // @@name, @@session.name, @@global.name, @@local.name (scope keywords in any case).
  Status LexSystemVariable() {
    size_t begin = pos_;
    size_t p = pos_ + 2;
    ast::VariableScope scope = ast::VariableScope::kDefault;
    auto word_end = [&](size_t from) {
      size_t q = from;
      while (q < sql_.size() && IsIdentChar(At(q))) ++q;
      return q;
    };
    size_t first_end = word_end(p);
    if (At(first_end) == '.') {
      std::string scope_word(sql_.substr(p, first_end - p));
      for (char& ch : scope_word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (scope_word == "session" || scope_word == "local") {
        scope = ast::VariableScope::kSession;
        p = first_end + 1;
      } else if (scope_word == "global") {
        scope = ast::VariableScope::kGlobal;
        p = first_end + 1;
      }
    }
    std::string name;
    if (At(p) == '`') {
      pos_ = p;
      STRATA_ASSIGN_OR_RETURN(name, LexQuoted('`', false));
      p = pos_;
    } else {
      size_t end = word_end(p);
      // Component names such as @@default.key_buffer_size keep their dot.
      while (At(end) == '.' && IsIdentChar(At(end + 1))) end = word_end(end + 1);
      name = std::string(sql_.substr(p, end - p));
      p = end;
    }
    if (name.empty()) return SyntaxError(sql_, begin);
    pos_ = p;
    Push(TokenKind::kSysVar, begin, p, std::move(name)).var_scope = scope;
    return Status::OK();
  }

  Status LexPunct() {
    static constexpr std::string_view kMulti[] = {"<=>", "->>", "<=", ">=", "<>", "!=", "<<", ">>",
                                                  ":=",  "||", "&&", "->"};
    for (std::string_view op : kMulti) {
      if (sql_.substr(pos_, op.size()) == op) {
        Push(TokenKind::kPunct, pos_, pos_ + op.size(), std::string(op));
        pos_ += op.size();
        return Status::OK();
      }
    }
    static constexpr std::string_view kSingle = "(),;.=<>+-*/%^&|~!{}:";
    char c = sql_[pos_];
    if (kSingle.find(c) == std::string_view::npos) return SyntaxError(sql_, pos_);
    Push(TokenKind::kPunct, pos_, pos_ + 1, std::string(1, c));
    ++pos_;
    return Status::OK();
  }

  std::string_view sql_;
  bool backslash_escapes_ = true;  // false under sql_mode NO_BACKSLASH_ESCAPES
  bool ansi_quotes_ = false;       // sql_mode ANSI_QUOTES
  size_t pos_ = 0;
  bool in_executable_comment_ = false;
  std::vector<Token> tokens_;
};

// The first `max_chars` UTF-8 characters of `s` (never splits a multi-byte character).
std::string_view PrefixChars(std::string_view s, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    bool continuation = (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
    if (!continuation) {
      if (chars == max_chars) return s.substr(0, i);
      ++chars;
    }
  }
  return s;
}

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view sql) { return Lexer(sql, /*backslash_escapes=*/true).Run(); }

Result<std::vector<Token>> Tokenize(std::string_view sql, bool backslash_escapes) {
  return Lexer(sql, backslash_escapes).Run();
}

Result<std::vector<Token>> Tokenize(std::string_view sql, bool backslash_escapes, bool ansi_quotes) {
  return Lexer(sql, backslash_escapes, ansi_quotes).Run();
}

Status SyntaxErrorWithReason(std::string_view what, std::string_view sql, size_t offset) {
  if (offset > sql.size()) offset = sql.size();
  std::string_view rest = PrefixChars(sql.substr(offset), kNearMaxChars);
  size_t line = 1;
  for (size_t i = 0; i < offset; ++i) line += sql[i] == '\n' ? 1 : 0;
  return ErrSyntax(what, rest, line);
}

Status SyntaxError(std::string_view sql, size_t offset) {
  return SyntaxErrorWithReason(
      "You have an error in your SQL syntax; check the manual that corresponds to your MySQL "
      "server version for the right syntax to use",
      sql, offset);
}

}  // namespace strata::sql
