// Expression parsing: precedence, every expression form, and the source text of each node.
#include <gtest/gtest.h>

#include "parser_test_util.h"

namespace strata::sql {
namespace {

using testing::ParseAs;
using testing::RenderExpr;

TEST(ExprTest, ArithmeticPrecedence) {
  EXPECT_EQ(RenderExpr("1+2*3"), "(+ 1 (* 2 3))");
  EXPECT_EQ(RenderExpr("(1+2)*3"), "(* (+ 1 2) 3)");
  EXPECT_EQ(RenderExpr("1-2-3"), "(- (- 1 2) 3)");
  EXPECT_EQ(RenderExpr("a DIV b MOD c % d / e"), "(/ (% (% (div a b) c) d) e)");
  EXPECT_EQ(RenderExpr("1 | 2 & 3 << 4 + 5"), "(| 1 (& 2 (<< 3 (+ 4 5))))");
  EXPECT_EQ(RenderExpr("a ^ b * c"), "(* (^ a b) c)");
  EXPECT_EQ(RenderExpr("-a ^ b"), "(^ (neg a) b)");
  EXPECT_EQ(RenderExpr("-5"), "-5");
  EXPECT_EQ(RenderExpr("- -5"), "(neg -5)");
  EXPECT_EQ(RenderExpr("~a + !b"), "(+ (~ a) (not b))");
}

TEST(ExprTest, LogicalPrecedence) {
  EXPECT_EQ(RenderExpr("a OR b AND c"), "(or a (and b c))");
  EXPECT_EQ(RenderExpr("a || b && c"), "(or a (and b c))");
  EXPECT_EQ(RenderExpr("a XOR b OR c"), "(or (xor a b) c)");
  EXPECT_EQ(RenderExpr("a AND b XOR c"), "(xor (and a b) c)");
  EXPECT_EQ(RenderExpr("NOT a = b"), "(not (= a b))");
  EXPECT_EQ(RenderExpr("!a = b"), "(= (not a) b)");
  EXPECT_EQ(RenderExpr("NOT NOT a"), "(not (not a))");
  EXPECT_EQ(RenderExpr("a = 1 AND b <> 2 OR c <=> NULL"), "(or (and (= a 1) (<> b 2)) (<=> c NULL))");
  EXPECT_EQ(RenderExpr("a < b = c"), "(= (< a b) c)");
}

TEST(ExprTest, Predicates) {
  EXPECT_EQ(RenderExpr("a IS NULL"), "(is-null a)");
  EXPECT_EQ(RenderExpr("a IS NOT NULL"), "(not-is-null a)");
  EXPECT_EQ(RenderExpr("a IS TRUE"), "(is-TRUE a)");
  EXPECT_EQ(RenderExpr("a IS NOT FALSE"), "(not-is-FALSE a)");
  EXPECT_EQ(RenderExpr("a IS UNKNOWN"), "(is-null a)");
  EXPECT_EQ(RenderExpr("a IN (1, 2, 3)"), "(in a 1 2 3)");
  EXPECT_EQ(RenderExpr("a NOT IN (1)"), "(not-in a 1)");
  EXPECT_EQ(RenderExpr("a BETWEEN 1 AND 2 AND b"), "(and (between a 1 2) b)");
  EXPECT_EQ(RenderExpr("a NOT BETWEEN b + 1 AND c"), "(not-between a (+ b 1) c)");
  EXPECT_EQ(RenderExpr("a LIKE 'x%'"), "(like a 'x%')");
  EXPECT_EQ(RenderExpr("a NOT LIKE 'x|%' ESCAPE '|'"), "(not-like a 'x|%' '|')");
  EXPECT_EQ(RenderExpr("a REGEXP '^x'"), "REGEXP(a '^x')");
  EXPECT_EQ(RenderExpr("a NOT RLIKE 'x'"), "(not REGEXP(a 'x'))");
  EXPECT_EQ(RenderExpr("a = 1 IS NULL"), "(is-null (= a 1))");
}

TEST(ExprTest, Literals) {
  EXPECT_EQ(RenderExpr("TRUE"), "TRUE");
  EXPECT_EQ(RenderExpr("false"), "FALSE");
  EXPECT_EQ(RenderExpr("NULL"), "NULL");
  EXPECT_EQ(RenderExpr("'a' 'b' \"c\""), "'abc'");
  EXPECT_EQ(RenderExpr("X'41'"), "'A'");
  EXPECT_EQ(RenderExpr("_utf8mb4'x'"), "'x'");
  EXPECT_EQ(RenderExpr("1.50"), "1.50");
  EXPECT_EQ(RenderExpr("?"), "?");
  auto select = ParseAs<ast::Select>("SELECT 1e3, 1.5, 99999999999999999999999");
  ASSERT_NE(select, nullptr);
  EXPECT_EQ(select->items[0].expr->literal_kind, ast::LiteralKind::kFloat);
  EXPECT_EQ(select->items[1].expr->literal_kind, ast::LiteralKind::kDecimal);
  EXPECT_EQ(select->items[2].expr->literal_kind, ast::LiteralKind::kInteger);
  EXPECT_EQ(select->items[2].expr->text, "99999999999999999999999");
}

TEST(ExprTest, ColumnsAndVariables) {
  EXPECT_EQ(RenderExpr("t.c"), "t.c");
  EXPECT_EQ(RenderExpr("db.t.c"), "db.t.c");
  EXPECT_EQ(RenderExpr("`my col`"), "my col");
  EXPECT_EQ(RenderExpr("t.`select`"), "t.select");
  EXPECT_EQ(RenderExpr("t.*"), "t.*");
  EXPECT_EQ(RenderExpr("@u"), "@u");
  EXPECT_EQ(RenderExpr("@@GLOBAL.max_allowed_packet"), "@@global.max_allowed_packet");
  EXPECT_EQ(RenderExpr("@@session.auto_increment_increment"), "@@session.auto_increment_increment");
}

TEST(ExprTest, Functions) {
  EXPECT_EQ(RenderExpr("COUNT(*)"), "COUNT(*)");
  EXPECT_EQ(RenderExpr("count(DISTINCT a)"), "COUNT(DISTINCT a)");
  EXPECT_EQ(RenderExpr("concat(a, 'b', 1)"), "CONCAT(a 'b' 1)");
  EXPECT_EQ(RenderExpr("NOW()"), "NOW()");
  EXPECT_EQ(RenderExpr("CURRENT_TIMESTAMP"), "CURRENT_TIMESTAMP()");
  EXPECT_EQ(RenderExpr("CURRENT_USER"), "CURRENT_USER()");
  EXPECT_EQ(RenderExpr("IF(a, 1, 2)"), "IF(a 1 2)");
  EXPECT_EQ(RenderExpr("IFNULL(a, 0)"), "IFNULL(a 0)");
  EXPECT_EQ(RenderExpr("COALESCE(a, b, c)"), "COALESCE(a b c)");
  EXPECT_EQ(RenderExpr("LAST_INSERT_ID()"), "LAST_INSERT_ID()");
  EXPECT_EQ(RenderExpr("REPLACE(a, 'x', 'y')"), "REPLACE(a 'x' 'y')");
  EXPECT_EQ(RenderExpr("SUBSTRING(a FROM 2 FOR 3)"), "SUBSTRING(a 2 3)");
  EXPECT_EQ(RenderExpr("DATE_ADD(d, INTERVAL 1 DAY)"), "DATE_ADD(d (interval 1 DAY))");
  EXPECT_EQ(RenderExpr("d - INTERVAL 2 hour"), "(- d (interval 2 HOUR))");
}

TEST(ExprTest, CaseCastConvert) {
  EXPECT_EQ(RenderExpr("CASE a WHEN 1 THEN 'x' ELSE 'y' END"), "(case-operand-else a 1 'x' 'y')");
  EXPECT_EQ(RenderExpr("CASE WHEN a > 1 THEN 2 WHEN b THEN 3 END"), "(case (> a 1) 2 b 3)");
  auto select = ParseAs<ast::Select>(
      "SELECT CAST(a AS SIGNED), CAST(a AS UNSIGNED), CAST(a AS CHAR(10)), CAST(a AS DECIMAL(10,2)), "
      "CAST(a AS DATETIME), CONVERT(a, CHAR), CONVERT(a USING utf8mb4), BINARY a, a COLLATE utf8mb4_bin");
  ASSERT_NE(select, nullptr);
  auto type = [&](size_t i) -> const ast::TypeName& { return *select->items[i].expr->cast_type; };
  EXPECT_EQ(type(0).kind, ast::TypeKind::kBigInt);
  EXPECT_FALSE(type(0).is_unsigned);
  EXPECT_TRUE(type(1).is_unsigned);
  EXPECT_EQ(type(2).kind, ast::TypeKind::kChar);
  EXPECT_EQ(type(2).length, 10u);
  EXPECT_EQ(type(3).kind, ast::TypeKind::kDecimal);
  EXPECT_EQ(type(3).scale, 2u);
  EXPECT_EQ(type(4).kind, ast::TypeKind::kDateTime);
  EXPECT_EQ(type(5).kind, ast::TypeKind::kChar);
  EXPECT_EQ(select->items[6].expr->kind, ast::ExprKind::kColumn);
  EXPECT_EQ(select->items[6].expr->name, "a");
  // BINARY a and a COLLATE c: a call of the binder's collate function with the collation's name.
  for (size_t i = 7; i < 9; ++i) {
    const ast::Expr& e = *select->items[i].expr;
    EXPECT_EQ(e.kind, ast::ExprKind::kFunction);
    EXPECT_EQ(e.text, ast::kCollateFunction);
    ASSERT_EQ(e.children.size(), 2u);
    EXPECT_EQ(e.children[0]->name, "a");
    EXPECT_EQ(e.children[1]->text, i == 7 ? "binary" : "utf8mb4_bin");
  }
  EXPECT_EQ(select->items[6].expr->source, "CONVERT(a USING utf8mb4)");
  EXPECT_EQ(select->items[8].expr->source, "a COLLATE utf8mb4_bin");
}

TEST(ExprTest, RowsAndParentheses) {
  EXPECT_EQ(RenderExpr("(a, b) = (1, 2)"), "(= (row a b) (row 1 2))");
  EXPECT_EQ(RenderExpr("((1))"), "1");
}

TEST(ExprTest, SourceAndOffset) {
  auto select = ParseAs<ast::Select>("  SELECT 1+1, COUNT(*),  a  +  b AS s, (1 + 2) FROM t");
  ASSERT_NE(select, nullptr);
  EXPECT_EQ(select->text, "SELECT 1+1, COUNT(*),  a  +  b AS s, (1 + 2) FROM t");
  EXPECT_EQ(select->items[0].expr->source, "1+1");
  EXPECT_EQ(select->items[0].expr->offset, 7u);
  EXPECT_EQ(select->items[1].expr->source, "COUNT(*)");
  EXPECT_EQ(select->items[2].expr->source, "a  +  b");
  EXPECT_EQ(select->items[2].expr->children[1]->source, "b");
  EXPECT_EQ(select->items[3].expr->source, "(1 + 2)");
  EXPECT_EQ(select->items[2].alias, "s");
}

// Long left-deep chains keep linear memory: nested nodes over kMaxNestedSourceBytes carry
// offset/length but no source copy; the top-level expression always has its full source.
TEST(ExprTest, LongChainsKeepSourcesBounded) {
  std::string chain = "a = 0";
  for (int i = 1; i < 2500; ++i) chain += " + a * " + std::to_string(i);
  chain += " = 1 OR b";
  auto select = ParseAs<ast::Select>("SELECT 1 FROM t WHERE " + chain);
  ASSERT_NE(select, nullptr);
  const ast::Expr& where = *select->where;
  EXPECT_EQ(where.source, chain);
  EXPECT_EQ(where.length, chain.size());
  EXPECT_EQ(select->text.substr(where.offset, where.length), chain);
  const ast::Expr& nested = *where.children[0]->children[0];  // the long left side of '='
  EXPECT_TRUE(nested.source.empty());
  EXPECT_EQ(select->text.substr(nested.offset, nested.length), chain.substr(0, nested.length));
  EXPECT_EQ(where.children[1]->source, "b");
}

TEST(ExprTest, HeightLimit) {
  std::string chain = "1";
  for (int i = 0; i < 10000; ++i) chain += " + 1";
  Result<ast::StatementPtr> result = ParseOne("SELECT " + chain);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().mysql_errno(), 1064);
  EXPECT_NE(result.status().message().find("more than 3000 operators deep"), std::string_view::npos);
  EXPECT_EQ(result.status().message().find("kMax"), std::string_view::npos);  // no internal names
  // Height accumulates through parentheses: 100 levels of 100-term chains is too tall.
  std::string nested = "1";
  for (int level = 0; level < 100; ++level) {
    nested = "(" + nested + ")";
    for (int i = 0; i < 100; ++i) nested += " * 2";
  }
  EXPECT_FALSE(ParseOne("SELECT " + nested).ok());
  // AND / OR chains are flat: one node with every operand, however long.
  std::string ors = "a = 0", ands = "a <> 0";
  for (int i = 1; i < 50000; ++i) ors += " OR a = " + std::to_string(i), ands += " AND a <> " + std::to_string(i);
  auto flat = ParseAs<ast::Select>("SELECT 1 FROM t WHERE " + ors + " OR (" + ands + ")");
  ASSERT_NE(flat, nullptr);
  EXPECT_EQ(flat->where->children.size(), 50001u);
  EXPECT_EQ(flat->where->children.back()->children.size(), 50000u);
  // A long IN list is flat.
  std::string in = "a IN (0";
  for (int i = 1; i < 50000; ++i) in += ", " + std::to_string(i);
  EXPECT_TRUE(ParseOne("SELECT 1 FROM t WHERE " + in + ")").ok());
}

TEST(ExprTest, NestingLimit) {
  std::string ok = std::string(150, '(') + "1" + std::string(150, ')');
  EXPECT_EQ(RenderExpr(ok), "1");
  std::string deep = std::string(100000, '(') + "1" + std::string(100000, ')');
  Result<ast::StatementPtr> result = ParseOne("SELECT " + deep);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().mysql_errno(), 1064);
  EXPECT_NE(result.status().message().find("nested more than 200 levels deep"), std::string_view::npos);
  EXPECT_EQ(result.status().message().find("kMax"), std::string_view::npos);
  for (std::string_view unary : {"-", "NOT ", "!", "~", "BINARY "}) {
    std::string chain;
    for (int i = 0; i < 50000; ++i) chain += unary;
    Result<ast::StatementPtr> r = ParseOne("SELECT " + chain + "1");
    ASSERT_FALSE(r.ok()) << unary;
    EXPECT_EQ(r.status().mysql_errno(), 1064);
  }
}

}  // namespace
}  // namespace strata::sql
