// The MySQL-dialect lexer: turns SQL text into tokens for the parser (parser.h).
//
// What it handles, and how:
//   * Comments `-- ` (dash dash + whitespace), `#`, `/* */` are skipped. MySQL's executable
//     comments `/*! ... */` and `/*!NNNNN ... */` are *not* skipped: their content is lexed
//     as SQL (sysbench writes `/*! ENGINE = innodb */`, mysqldump `/*!40101 SET ... */`),
//     unless the version number is above kServerVersionId, in which case it is a comment.
//   * Strings '...' and "..." with MySQL's backslash escapes and '' doubling; the token's
//     `value` holds the unescaped bytes. X'..', 0x.., b'..' and 0b.. become kString tokens
//     holding the decoded bytes.
//   * `backquoted` identifiers (`` doubles a backquote), @user and @@[scope.]system variables.
//   * Keywords are not recognized here: every bare word is a kWord and the parser compares
//     words case-insensitively.
//
// Every token records its byte range in the input, so the parser can quote the source text
// of an expression and point errors at the exact spot.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/parser/ast.h"

namespace strata::sql {

// The MySQL version id that `/*!NNNNN ... */` comments are compared against: content of a
// comment whose version is at most this is SQL; above it, the comment is skipped.
inline constexpr uint32_t kServerVersionId = 80099;

enum class TokenKind : uint8_t {
  kEnd,          // end of input (always the last token; begin == end == input size)
  kWord,         // unquoted identifier or keyword: value = text as written
  kQuotedIdent,  // `name`: value = the name with `` undoubled
  kString,       // '...' / "..." / X'..' / 0x.. / b'..': value = the bytes
  kInteger,      // 123: value = digits
  kDecimal,      // 1.5, .5, 1.: value = as written
  kFloat,        // 1e3, 1.5E-3: value = as written
  kUserVar,      // @name, @'name': value = name
  kSysVar,       // @@[scope.]name: value = name, var_scope = scope
  kParam,        // ?
  kPunct,        // operators and punctuation: value = "<=>", "(", ";" ...
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string value;
  size_t begin = 0;  // byte offset of the token's first character in the input
  size_t end = 0;    // one past its last character
  // kString: true for a string literal written with quotes ('..', ".."), false for hex/bit.
  bool quoted_string = false;
  ast::VariableScope var_scope = ast::VariableScope::kDefault;  // kSysVar only
};

// Tokenizes all of `sql`. The result always ends with one kEnd token. Errors (unterminated
// string or comment, stray character, bad hex literal) are 1064 syntax errors pointing at
// the offending token.
Result<std::vector<Token>> Tokenize(std::string_view sql);
// With backslash_escapes false (sql_mode NO_BACKSLASH_ESCAPES) a backslash in a string is
// an ordinary character.
Result<std::vector<Token>> Tokenize(std::string_view sql, bool backslash_escapes);
// And with ansi_quotes (sql_mode ANSI_QUOTES) "…" is a quoted identifier, like `…`.
Result<std::vector<Token>> Tokenize(std::string_view sql, bool backslash_escapes, bool ansi_quotes);

// The 1064 (SQLSTATE 42000) error MySQL sends for a syntax error at byte `offset` of `sql`:
//   You have an error in your SQL syntax; check the manual that corresponds to your MySQL
//   server version for the right syntax to use near '<rest, at most 80 chars>' at line N
Status SyntaxError(std::string_view sql, size_t offset);

// Like SyntaxError, with a different leading sentence (e.g. for the nesting-depth limit):
//   "<what> near '<rest>' at line N", still 1064 / 42000.
Status SyntaxErrorWithReason(std::string_view what, std::string_view sql, size_t offset);

}  // namespace strata::sql
