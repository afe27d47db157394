// Error statuses: MySQL's exact 1064 message shape, 1235 for unsupported features.
#include <gtest/gtest.h>

#include "sql/parser/parser.h"

namespace strata::sql {
namespace {

constexpr std::string_view kPrefix =
    "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server "
    "version for the right syntax to use near '";

std::string ErrorOf(std::string_view sql) {
  Result<std::vector<ast::StatementPtr>> result = Parse(sql);
  if (result.ok()) return "OK";
  return std::string(result.status().message());
}

std::string Near(std::string_view rest, int line) {
  return std::string(kPrefix) + std::string(rest) + "' at line " + std::to_string(line);
}

TEST(ParseErrorTest, MysqlMessageShape) {
  EXPECT_EQ(ErrorOf("SELEC 1"), Near("SELEC 1", 1));
  EXPECT_EQ(ErrorOf("SELECT * FROM"), Near("", 1));
  EXPECT_EQ(ErrorOf("SELECT * FROM t WHERE"), Near("", 1));
  EXPECT_EQ(ErrorOf("SELECT 1 +"), Near("", 1));
  EXPECT_EQ(ErrorOf("SELECT * FROM t WHERE a = = 1"), Near("= 1", 1));
  EXPECT_EQ(ErrorOf("SELECT *\nFROM t\nWHERE a ==1"), Near("=1", 3));
  EXPECT_EQ(ErrorOf("CREATE TABLE t (a INT,)"), Near(")", 1));
  EXPECT_EQ(ErrorOf("SELECT 'abc"), Near("'abc", 1));
  EXPECT_EQ(ErrorOf("INSERT INTO t VALUES (1"), Near("", 1));
  EXPECT_EQ(ErrorOf("SELECT a b c FROM t"), Near("c FROM t", 1));
  EXPECT_EQ(ErrorOf("SELECT select"), Near("select", 1));
  EXPECT_EQ(ErrorOf("CREATE TABLE t (a VARCHAR)"), Near(")", 1));
}

TEST(ParseErrorTest, CodesAndTruncation) {
  Result<std::vector<ast::StatementPtr>> result = Parse("SELEC 1");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().mysql_errno(), 1064);
  EXPECT_EQ(result.status().sqlstate(), "42000");

  std::string long_tail = "x" + std::string(200, 'y');
  EXPECT_EQ(ErrorOf("SELECT 1 1 " + long_tail), Near("1 " + long_tail.substr(0, 78), 1));
  // Truncation counts characters, never splitting a UTF-8 sequence.
  std::string utf8;
  for (int i = 0; i < 100; ++i) utf8 += "\xc3\xa9";
  EXPECT_EQ(ErrorOf("SELECT 1 1 '" + utf8 + "'"), Near("1 '" + utf8.substr(0, 77 * 2), 1));
}

TEST(ParseErrorTest, NotSupportedIs1235) {
  struct Case {
    std::string_view sql;
    std::string_view feature;
  };
  const Case cases[] = {
      {"CREATE TABLE t (a INT, FOREIGN KEY (a) REFERENCES u (b))", "FOREIGN KEY"},
      {"CREATE TABLE t (a INT, CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (b))", "FOREIGN KEY"},
      {"CREATE TABLE t (a INT REFERENCES u (b))", "FOREIGN KEY"},
      {"CREATE TABLE t (a INT, CHECK (a > 0))", "CHECK"},
      {"INSERT INTO t TABLE u", "INSERT ... TABLE"},
      {"WITH x AS (SELECT 1) INSERT INTO t VALUES (1)", "WITH before INSERT"},
      {"SELECT * FROM t LEFT JOIN (u JOIN v ON u.a = v.a) ON t.a = u.a", "nested joins"},
      {"SELECT * FROM t WHERE a = ANY (SELECT b FROM u)", "subqueries"},
      {"(SELECT 1 UNION SELECT 2 ORDER BY 1) UNION SELECT 3", "ORDER BY or LIMIT inside a parenthesized set operation"},
      {"EXPLAIN ANALYZE DELETE FROM t", "EXPLAIN ANALYZE of a statement other than a query"},
      {"/*!40000 ALTER TABLE `t` ADD COLUMN b INT FIRST */", "ALTER TABLE ... ADD COLUMN ... FIRST/AFTER"},
      {"ALTER TABLE t ENGINE = BTREE, ADD COLUMN b INT", "ALTER TABLE ... ENGINE with other changes"},
      {"RENAME USER a TO b", "RENAME"},
  };
  for (const Case& c : cases) {
    Result<std::vector<ast::StatementPtr>> result = Parse(c.sql);
    ASSERT_FALSE(result.ok()) << c.sql;
    EXPECT_EQ(result.status().code(), StatusCode::kNotSupported) << c.sql;
    EXPECT_EQ(result.status().mysql_errno(), 1235) << c.sql;
    EXPECT_EQ(result.status().sqlstate(), "42000");
    EXPECT_EQ(result.status().message(),
              "This version of StrataDB doesn't yet support '" + std::string(c.feature) + "'")
        << c.sql;
  }
}

TEST(ParseErrorTest, AlterTableEngineIsTheOneTableOption) {
  for (std::string_view sql : {"ALTER TABLE d.t ENGINE = BTREE", "ALTER TABLE t ENGINE lsm", "ALTER TABLE `t` ENGINE='InnoDB';"}) {
    Result<std::vector<ast::StatementPtr>> result = Parse(sql);
    ASSERT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    ASSERT_EQ(result->size(), 1u);
    ASSERT_EQ((*result)[0]->kind, ast::StatementKind::kAlterTableEngine) << sql;
    const auto& alter = static_cast<const ast::AlterTableEngine&>(*(*result)[0]);
    EXPECT_EQ(alter.table.name, "t");
    EXPECT_FALSE(alter.engine.empty());
  }
}

TEST(ParseErrorTest, StatementBoundaries) {
  Result<std::vector<ast::StatementPtr>> two = Parse("SELECT 1; SELECT 2;");
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0]->text, "SELECT 1");
  EXPECT_EQ((*two)[1]->text, "SELECT 2");

  Result<ast::StatementPtr> one = ParseOne("SELECT 1;");
  ASSERT_TRUE(one.ok());
  Result<ast::StatementPtr> extra = ParseOne("SELECT 1; SELECT 2");
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.status().message(), Near("SELECT 2", 1));

  for (std::string_view empty : {"", "  ", "-- just a comment", "/* c */ # c2\n", ";"}) {
    Result<ast::StatementPtr> result = ParseOne(empty);
    ASSERT_TRUE(result.ok()) << empty;
    EXPECT_EQ((*result)->kind, ast::StatementKind::kEmpty);
  }
  EXPECT_EQ(ErrorOf("FOO BAR"), Near("FOO BAR", 1));
  EXPECT_EQ(ErrorOf("SELECT 1 SELECT 2"), Near("SELECT 2", 1));
}

}  // namespace
}  // namespace strata::sql
