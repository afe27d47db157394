// The SQL front door: MySQL-dialect text in, an abstract syntax tree (ast.h) out.
//
// The grammar accepted is listed in docs/sql.md ("Grammar accepted by the parser").
// Errors carry the MySQL error number and SQLSTATE a MySQL server would send:
//   * 1064 / 42000 for a syntax error, with MySQL's message:
//       You have an error in your SQL syntax; check the manual that corresponds to your MySQL
//       server version for the right syntax to use near '<rest of the input from the bad
//       token, at most 80 characters>' at line N
//     ("near ''" when the input ended too early). Expressions nested deeper than
//     kMaxParseDepth are rejected with 1064 as well, never with a stack overflow.
//   * 1235 / 42000 (StatusCode::kNotSupported) for valid MySQL the engine does not offer
//     yet: "This version of StrataDB doesn't yet support 'FOREIGN KEY'".
//
// Thread-safety: the functions are pure; call them from any thread.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/parser/ast.h"

namespace strata::sql {

// How deeply expressions may nest (parentheses, unary operators, CASE, function arguments).
inline constexpr int kMaxParseDepth = 200;

// The tallest expression tree accepted. Left-associative chains (a OR b OR c ...) grow the
// tree without nesting; this bounds them so that every recursive walk of the AST (including
// its destructor) stays within a few hundred KiB of stack. IN lists are flat and not limited.
inline constexpr uint32_t kMaxExprHeight = 3000;

// Nested (not top-level) expressions longer than this keep an empty ast::Expr::source; see
// ast::Expr::length.
inline constexpr size_t kMaxNestedSourceBytes = 256;

// Parses one or more ';'-separated statements. Each statement's `text` is its own source
// text, trimmed; each expression's `source` is its exact text and `offset` its byte offset
// within that statement text. Empty statements between semicolons are skipped; input of only
// whitespace and comments yields a single ast::Empty.
Result<std::vector<ast::StatementPtr>> Parse(std::string_view sql);
// The same under sql_mode NO_BACKSLASH_ESCAPES when backslash_escapes is false.
Result<std::vector<ast::StatementPtr>> Parse(std::string_view sql, bool backslash_escapes);
// The sql_mode flags that change how text is read.
struct ParseOptions {
  bool backslash_escapes = true;  // false: NO_BACKSLASH_ESCAPES
  bool ansi_quotes = false;       // ANSI_QUOTES: "…" is a quoted identifier
};
Result<std::vector<ast::StatementPtr>> Parse(std::string_view sql, const ParseOptions& options);

// Parses exactly one statement (a trailing ';' is allowed); a second one is a 1064 error.
Result<ast::StatementPtr> ParseOne(std::string_view sql);

// Parses a trigger's body as CREATE TRIGGER stored it (ast::CreateTrigger::body_text).
Result<std::vector<ast::StatementPtr>> ParseTriggerBody(std::string_view body);

}  // namespace strata::sql
