// Helpers shared by the parser tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sql/parser/ast.h"
#include "sql/parser/parser.h"

namespace strata::sql::testing {

// Parses exactly one statement and downcasts it; fails the test on error or a kind mismatch.
template <typename T>
std::unique_ptr<T> ParseAs(std::string_view sql) {
  Result<ast::StatementPtr> result = ParseOne(sql);
  EXPECT_TRUE(result.ok()) << sql << "\n  → " << result.status().ToString();
  if (!result.ok()) return nullptr;
  ast::StatementPtr statement = std::move(result).value();
  T* typed = dynamic_cast<T*>(statement.get());
  EXPECT_NE(typed, nullptr) << sql << ": unexpected statement kind " << static_cast<int>(statement->kind);
  if (typed == nullptr) return nullptr;
  statement.release();
  return std::unique_ptr<T>(typed);
}

// A compact, unambiguous rendering of an expression tree, for precedence checks:
// binary (op a b), unary (op a), functions NAME(args), columns q.c, literals as text.
std::string Render(const ast::Expr& e);

// Parses `sql` as `SELECT <expr>` and renders the single item.
std::string RenderExpr(std::string_view expr);

}  // namespace strata::sql::testing
