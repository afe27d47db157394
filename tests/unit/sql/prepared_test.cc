// Prepared statements in the SQL layer (session/prepared.cc): ? numbering in the parser,
// Session::Prepare's description, execution with values bound as constants, the limits and
// errors, re-binding after DDL, and SQL PREPARE / EXECUTE / DEALLOCATE PREPARE.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sql/parser/parser.h"
#include "sql/sql.h"
#include "sql_fixture.h"

namespace strata::sql {
namespace {

std::string Rows(const QueryResult& r) {
  std::string out;
  for (size_t i = 0; i < r.rows.size(); i++) {
    if (i) out += '|';
    for (size_t j = 0; j < r.rows[i].size(); j++) {
      if (j) out += ',';
      out += r.rows[i][j].ToText().value_or("NULL");
    }
  }
  return out;
}

std::string Error(const Status& s) { return fmt::format("ERROR {}: {}", s.mysql_errno(), s.message()); }

TEST(PreparedParse, PlaceholdersAreNumberedPerStatement) {
  auto parsed = Parse("SELECT ? + ?, (SELECT ?) FROM t WHERE a = ? LIMIT ?; SELECT ?");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ((*parsed)[0]->param_count, 5u);
  EXPECT_EQ((*parsed)[1]->param_count, 1u);
  auto prepare = ParseOne("PREPARE s FROM 'SELECT ?'");
  ASSERT_TRUE(prepare.ok());
  EXPECT_EQ((*prepare)->kind, ast::StatementKind::kPrepare);
  EXPECT_EQ(static_cast<const ast::Prepare&>(**prepare).text, "SELECT ?");
  auto execute = ParseOne("EXECUTE s USING @a, @b");
  ASSERT_TRUE(execute.ok());
  EXPECT_EQ(static_cast<const ast::Execute&>(**execute).using_variables, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(ParseOne("DROP PREPARE s").ok());
  EXPECT_FALSE(ParseOne("EXECUTE s USING 1").ok());
}

TEST_F(SqlTest, PreparedSelectDescribesAndRuns) {
  Ok("CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(10), amount DECIMAL(6,2))");
  Ok("INSERT INTO p VALUES (1, 'a', 1.50), (2, 'b', 2.25), (3, 'c', NULL)");
  auto d = s_->Prepare("SELECT *, id * 10 AS x FROM p WHERE id >= ? ORDER BY id LIMIT ?");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->param_count, 2u);
  EXPECT_TRUE(d->has_rows);
  ASSERT_EQ(d->columns.size(), 4u);
  EXPECT_EQ(d->columns[0].name, "id");
  EXPECT_EQ(d->columns[0].org_table, "p");
  EXPECT_EQ(d->columns[3].name, "x");
  EXPECT_FALSE(s_->has_txn());  // planning's read-only transaction is gone
  auto r = s_->ExecutePrepared(d->id, {Value::Int(2), Value::Int(5)}, "EXECUTE");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Rows(*r), "2,b,2.25,20|3,c,NULL,30");
  r = s_->ExecutePrepared(d->id, {Value::String("1"), Value::Uint(1)}, "EXECUTE");  // values, not text
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Rows(*r), "1,a,1.50,10");
  EXPECT_EQ(Error(s_->ExecutePrepared(d->id, {Value::Int(1), Value::Null()}, "EXECUTE").status()),
            "ERROR 1210: Incorrect arguments to LIMIT");
  EXPECT_EQ(Error(s_->ExecutePrepared(d->id, {Value::Int(1)}, "mysqld_stmt_execute").status()),
            "ERROR 1210: Incorrect arguments to mysqld_stmt_execute");
  // A string parameter is a value: quotes in it are data.
  auto q = s_->Prepare("SELECT COUNT(*) FROM p WHERE name = ?");
  ASSERT_TRUE(q.ok());
  r = s_->ExecutePrepared(q->id, {Value::String("a' OR '1'='1")}, "EXECUTE");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Rows(*r), "0");
}

TEST_F(SqlTest, PreparedWritesErrorsAndLimits) {
  Ok("CREATE TABLE w (id INT PRIMARY KEY AUTO_INCREMENT, v INT)");
  auto ins = s_->Prepare("INSERT INTO w (v) VALUES (?)");
  ASSERT_TRUE(ins.ok());
  EXPECT_FALSE(ins->has_rows);
  for (int i = 0; i < 3; i++) {
    auto r = s_->ExecutePrepared(ins->id, {Value::Int(i * 10)}, "EXECUTE");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->last_insert_id, static_cast<uint64_t>(i + 1));
  }
  EXPECT_EQ(Q("SELECT v FROM w ORDER BY id"), "0|10|20");
  EXPECT_EQ(Error(s_->ExecutePrepared(999, {}, "mysqld_stmt_execute").status()),
            "ERROR 1243: Unknown prepared statement handler (999) given to mysqld_stmt_execute");
  EXPECT_EQ(Error(s_->Prepare("SELECT * FROM nope").status()), "ERROR 1146: Table 'd.nope' doesn't exist");
  EXPECT_EQ(Error(s_->Prepare("INSERT INTO nope VALUES (?)").status()), "ERROR 1146: Table 'd.nope' doesn't exist");
  EXPECT_EQ(Error(s_->Prepare("UPDATE nope SET a = ?").status()), "ERROR 1146: Table 'd.nope' doesn't exist");
  Ok("CREATE VIEW wv AS SELECT id, v FROM w");
  auto through_view = s_->Prepare("DELETE FROM wv WHERE id = ?");  // a view is a write target too
  ASSERT_TRUE(through_view.ok()) << through_view.status().ToString();
  s_->ClosePrepared(through_view->id);
  Ok("DROP VIEW wv");
  // A ? cannot be stored: not in a view (1351), not in a trigger body (not preparable: 1295).
  auto param_view = s_->Prepare("CREATE VIEW pv AS SELECT ? AS x");
  ASSERT_TRUE(param_view.ok()) << param_view.status().ToString();
  EXPECT_EQ(s_->ExecutePrepared(param_view->id, {Value::Int(1)}, "EXECUTE").status().mysql_errno(), 1351);
  s_->ClosePrepared(param_view->id);
  EXPECT_EQ(s_->Prepare("CREATE TRIGGER tr BEFORE INSERT ON w FOR EACH ROW SET NEW.v = ?").status().mysql_errno(), 1295);
  EXPECT_EQ(Error(s_->Prepare("PREPARE x FROM 'SELECT 1'").status()),
            "ERROR 1295: This command is not supported in the prepared statement protocol yet");
  EXPECT_EQ(s_->Prepare("SELECT 1; SELECT 2").status().mysql_errno(), 1064);
  // Server-wide, as in MySQL: a session cannot raise its own limit.
  EXPECT_EQ(Error(s_->Execute(*ParseOne("SET max_prepared_stmt_count = 100").value()).status()).substr(0, 10),
            "ERROR 1229");
  Ok("SET GLOBAL max_prepared_stmt_count = 2");
  EXPECT_EQ(s_->prepared_count(), 1u);
  ASSERT_TRUE(s_->Prepare("SELECT 1").ok());
  EXPECT_EQ(Error(s_->Prepare("SELECT 1").status()),
            "ERROR 1461: Can't create more than max_prepared_stmt_count statements (current value: 2)");
  s_->ClosePrepared(ins->id);
  EXPECT_TRUE(s_->Prepare("SELECT 1").ok());
  s_->Reset();  // COM_RESET_CONNECTION closes them all
  EXPECT_EQ(s_->prepared_count(), 0u);
}

TEST_F(SqlTest, PreparedRebindsAfterDdl) {
  Ok("CREATE TABLE r (id INT PRIMARY KEY, v INT)");
  Ok("INSERT INTO r VALUES (1, 10)");
  auto d = s_->Prepare("SELECT v FROM r WHERE id = ?");
  ASSERT_TRUE(d.ok());
  Ok("DROP TABLE r");
  EXPECT_EQ(s_->ExecutePrepared(d->id, {Value::Int(1)}, "EXECUTE").status().mysql_errno(), 1146);
  Ok("CREATE TABLE r (id INT PRIMARY KEY, v INT)");
  Ok("INSERT INTO r VALUES (1, 99)");
  auto r = s_->ExecutePrepared(d->id, {Value::Int(1)}, "EXECUTE");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Rows(*r), "99");
}

TEST_F(SqlTest, SqlPrepareExecuteDeallocate) {
  Ok("CREATE TABLE s (id INT PRIMARY KEY, t VARCHAR(10))");
  Ok("PREPARE ins FROM 'INSERT INTO s VALUES (?, ?)'");
  Ok("SET @i = 1, @t = 'one'");
  EXPECT_EQ(Ok("EXECUTE ins USING @i, @t").affected_rows, 1u);
  Ok("SET @sql = 'SELECT t FROM s WHERE id = ?'");
  Ok("PREPARE sel FROM @sql");
  EXPECT_EQ(Q("EXECUTE sel USING @i"), "one");
  EXPECT_EQ(Q("EXECUTE sel USING @nothing"), "");  // an unset variable is NULL
  EXPECT_EQ(Q("EXECUTE sel"), "ERROR 1210 (HY000): Incorrect arguments to EXECUTE");
  Ok("PREPARE sel FROM 'SELECT 42'");  // replaces the old one
  EXPECT_EQ(Q("EXECUTE sel"), "42");
  Ok("DEALLOCATE PREPARE sel");
  EXPECT_EQ(Q("EXECUTE sel"), "ERROR 1243 (HY000): Unknown prepared statement handler (sel) given to EXECUTE");
  EXPECT_EQ(Q("DROP PREPARE sel"),
            "ERROR 1243 (HY000): Unknown prepared statement handler (sel) given to DEALLOCATE PREPARE");
  EXPECT_EQ(Q("SELECT ?"), "ERROR 1235 (42000): This version of StrataDB doesn't yet support '? parameters outside prepared statements'");
}

}  // namespace
}  // namespace strata::sql
