// libFuzzer target: the SQL lexer and parser (src/sql/parser/lexer.h, parser.h), which read text
// straight from clients.
//
// Properties:
//   * Tokenize: the result ends with exactly one kEnd token at the input's end; token ranges
//     are ordered, non-overlapping and inside the input. Errors are 1064 / 42000.
//   * Parse: success yields at least one statement, none null, each with a `text` that is
//     part of the input; failure is 1064 or 1235 with SQLSTATE 42000, never another kind.
//   * A statement's own text parses again (ParseOne) to a statement of the same kind, unless
//     the input split an executable comment /*! ... */ across statements.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "sql/parser/lexer.h"
#include "sql/parser/parser.h"

using namespace strata;
using namespace strata::sql;

namespace {

// The errors the parser may raise: 1064 syntax, 1235 not supported yet (the parser only),
// and the grammar rules MySQL also checks while parsing: 1248 a derived table without an
// alias, 1221 ORDER BY / LIMIT before UNION.
void CheckSqlError(const Status& s, bool allow_not_supported) {
  FUZZ_CHECK(!s.ok());
  const uint32_t code = s.mysql_errno();
  FUZZ_CHECK(code == 1064 || code == 1248 || code == 1221 || (allow_not_supported && code == 1235));
  FUZZ_CHECK(s.sqlstate() == (code == 1221 ? "HY000" : "42000"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);

  Result<std::vector<Token>> tokens = Tokenize(sql);
  if (tokens.ok()) {
    FUZZ_CHECK(!tokens->empty());
    size_t pos = 0;
    for (size_t i = 0; i < tokens->size(); i++) {
      const Token& t = (*tokens)[i];
      FUZZ_CHECK(t.begin >= pos && t.begin <= t.end && t.end <= size);
      FUZZ_CHECK((t.kind == TokenKind::kEnd) == (i + 1 == tokens->size()));
      pos = t.end;
    }
    FUZZ_CHECK(tokens->back().begin == size && tokens->back().end == size);
  } else {
    CheckSqlError(tokens.status(), false);
  }

  Result<std::vector<ast::StatementPtr>> parsed = Parse(sql);
  if (!parsed.ok()) {
    CheckSqlError(parsed.status(), true);
    return 0;
  }
  // Whatever parses was tokenized: the parser never accepts text the lexer refuses.
  FUZZ_CHECK(tokens.ok());
  FUZZ_CHECK(!parsed->empty());
  const bool splits_comment = sql.find("/*!") != std::string_view::npos;
  for (const ast::StatementPtr& statement : *parsed) {
    FUZZ_CHECK(statement != nullptr);
    if (statement->text.empty() || splits_comment) continue;
    FUZZ_CHECK(sql.find(statement->text) != std::string_view::npos);
    if (parsed->size() == 1) continue;
    Result<ast::StatementPtr> again = ParseOne(statement->text);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK((*again)->kind == statement->kind);
  }
  return 0;
}
