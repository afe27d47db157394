// Logical plans: what the planner builds from a bound SELECT / UPDATE / DELETE and what the
// optimizer's rules make of it, printed as EXPLAIN will print them.
#include <gtest/gtest.h>

#include "sql/binder/statement_binder.h"
#include "sql/optimizer/optimizer.h"
#include "sql/optimizer/rules.h"
#include "sql/planner/planner.h"
#include "sql_fixture.h"

namespace strata::sql {
namespace {

class PlanTest : public SqlTest {
 protected:
  void SetUp() override {
    SqlTest::SetUp();
    Ok("CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(10), KEY ia (a))");
  }

  // The plan of a SELECT, before (optimize = false) or after the optimizer.
  std::string Plan(std::string_view sql, bool optimize = true) {
    auto stmt = ParseOne(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    const auto& select = static_cast<const ast::Select&>(**stmt);
    std::shared_ptr<const TableSchema> table;
    std::string alias;
    if (!select.from.empty()) {
      auto resolved = s_->ResolveTable(select.from[0].table);
      EXPECT_TRUE(resolved.ok()) << resolved.status().ToString();
      table = *resolved;
      alias = select.from[0].alias.empty() ? select.from[0].table.name : select.from[0].alias;
    }
    auto bound = BindSelect(select, table, alias, *s_);
    if (!bound.ok()) return bound.status().ToString();
    LogicalPlan plan = PlanSelect(*bound);
    if (optimize) plan = Optimize(std::move(plan), nullptr);
    return PlanToString(*plan);
  }

  std::string TargetPlan(std::string_view where, std::string_view order_limit) {
    auto stmt = ParseOne(fmt::format("DELETE FROM t WHERE {} {}", where, order_limit));
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    const auto& del = static_cast<const ast::Delete&>(**stmt);
    auto table = s_->ResolveTable(del.table.table);
    EXPECT_TRUE(table.ok());
    auto bound = BindDelete(del, *table, "t", *s_);
    if (!bound.ok()) return bound.status().ToString();
    return PlanToString(*Optimize(PlanDelete(*bound), nullptr));
  }
};

TEST_F(PlanTest, PlannerBuildsTheSelectPipeline) {
  // The binder gives each aggregate call its own slot, so count(*) in the select list and in
  // HAVING is computed twice (#3 and #4): the plan shows it.
  EXPECT_EQ(Plan("SELECT a, count(*) FROM t WHERE id > 3 GROUP BY a HAVING count(*) > 1 ORDER BY b LIMIT 5", false),
            "Limit 5 offset 0\n"
            "  Sort #2\n"
            "    Project #1, #3, #2\n"
            "      Filter (#4 > 1)\n"
            "        Aggregate group by [#1] aggregates [count(*), count(*)]\n"
            "          Filter (#0 > 3)\n"
            "            Get d.t (full scan)\n");
  EXPECT_EQ(Plan("SELECT DISTINCT 1 + 1, now() LIMIT 2, 3", false),
            "Limit 3 offset 2\n"
            "  Distinct on the first 2 value(s)\n"
            "    Project 2, now()\n"
            "      Values (1 row(s) of 0 value(s))\n");
}

TEST_F(PlanTest, IndexSelectionPushesTheWhereClauseIntoTheGet) {
  EXPECT_EQ(Plan("SELECT * FROM t WHERE id = 7"),
            "Project #0, #1, #2\n"
            "  Filter (#0 = 7)\n"
            "    Get d.t (primary key, 1 point(s))\n");
  EXPECT_EQ(Plan("SELECT * FROM t x WHERE id IN (1, 2, 2) AND b = 'q'"),
            "Project #0, #1, #2\n"
            "  Filter ((#0 IN (1, 2, 2)) AND (#2 = 'q'))\n"
            "    Get d.t AS x (primary key, 2 point(s))\n");
  EXPECT_EQ(Plan("SELECT b FROM t WHERE id BETWEEN 1 AND 9"),
            "Project #2\n"
            "  Filter (#0 BETWEEN 1 AND 9)\n"
            "    Get d.t (primary key, 1 range(s))\n");
  EXPECT_EQ(Plan("SELECT b FROM t WHERE a = 4"),
            "Project #2\n"
            "  Filter (#1 = 4)\n"
            "    Get d.t (index ia, 1 range(s))\n");
  // A HAVING filter is above the aggregate, not the Get: it chooses nothing.
  EXPECT_EQ(Plan("SELECT id FROM t GROUP BY id HAVING id = 1"),
            "Project #0\n"
            "  Filter (#0 = 1)\n"
            "    Aggregate group by [#0] aggregates []\n"
            "      Get d.t (full scan)\n");
}

TEST_F(PlanTest, LimitPushdownMovesALimitBelowTheProjection) {
  EXPECT_EQ(Plan("SELECT upper(b) FROM t LIMIT 10"),
            "Project upper(#2)\n"
            "  Limit 10 offset 0\n"
            "    Get d.t (full scan)\n");
  // Not below a sort or DISTINCT: those need every row first (the sort keeps only the
  // first 10 of them: a top-N sort).
  EXPECT_EQ(Plan("SELECT b FROM t ORDER BY a LIMIT 10"),
            "Limit 10 offset 0\n"
            "  Sort (top 10) #1\n"
            "    Project #2, #1\n"
            "      Get d.t (full scan)\n");
  EXPECT_EQ(Plan("SELECT DISTINCT b FROM t LIMIT 10"),
            "Limit 10 offset 0\n"
            "  Distinct on the first 1 value(s)\n"
            "    Project #2\n"
            "      Get d.t (full scan)\n");
}

TEST_F(PlanTest, UpdateAndDeleteTargetRowsCarryTheirRowKeys) {
  EXPECT_EQ(TargetPlan("id >= 5", "ORDER BY a DESC LIMIT 2"),
            "Delete d.t\n"
            "  Limit 2 offset 0\n"
            "    Sort (top 2) #1 DESC\n"
            "      Filter (#0 >= 5)\n"
            "        Get d.t (primary key, 1 range(s), with row keys)\n");
}

TEST_F(PlanTest, UpdateSitsAboveItsTargetRows) {
  auto stmt = ParseOne("UPDATE t SET a = a + 1, b = DEFAULT WHERE a = 3");
  ASSERT_TRUE(stmt.ok());
  const auto& update = static_cast<const ast::Update&>(**stmt);
  auto table = s_->ResolveTable(update.table.table);
  ASSERT_TRUE(table.ok());
  auto bound = BindUpdate(update, *table, "t", *s_);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  EXPECT_EQ(PlanToString(*Optimize(PlanUpdate(*bound), nullptr)),
            "Update d.t set a = (#1 + 1), b = NULL\n"
            "  Filter (#1 = 3)\n"
            "    Get d.t (index ia, 1 range(s), with row keys)\n");
}

TEST_F(PlanTest, InsertIsOneNode) {
  auto stmt = ParseOne("INSERT INTO t (id, b) VALUES (1, 'x'), (2, DEFAULT) ON DUPLICATE KEY UPDATE b = VALUES(b)");
  ASSERT_TRUE(stmt.ok());
  const auto& insert = static_cast<const ast::Insert&>(**stmt);
  auto table = s_->ResolveTable(insert.table);
  ASSERT_TRUE(table.ok());
  auto bound = BindInsert(insert, *table, *s_);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  EXPECT_EQ(PlanToString(*Optimize(PlanInsert(*bound), nullptr)),
            "Insert d.t (id, b), 2 row(s), on duplicate key update b = values(#2)\n");
}

// Every row is bound before the first is written, as MySQL resolves all of VALUES before it
// inserts: an unknown column in the third row is the error, not the duplicate in the second.
TEST_F(PlanTest, InsertBindsEveryRowBeforeWriting) {
  EXPECT_EQ(E("INSERT INTO t VALUES (1, 1, 'a'), (1, 1, 'a'), (3, nosuch, 'c')"),
            "ERROR 1054 (42S22): Unknown column 'nosuch' in 'field list'");
  EXPECT_EQ(E("INSERT INTO t VALUES (1, 1, 'a'), (1, 1, 'a')"),
            "ERROR 1062 (23000): Duplicate entry '1' for key 't.PRIMARY'");
  EXPECT_EQ(Q("SELECT count(*) FROM t"), "0");
}

TEST_F(PlanTest, OptimizedPlansReturnTheSameRows) {
  Ok("INSERT INTO t VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 20, 'c'), (4, NULL, 'd')");
  EXPECT_EQ(Q("SELECT upper(b) FROM t LIMIT 1, 2"), "B|C");
  EXPECT_EQ(Q("SELECT id FROM t WHERE a = 20 ORDER BY id DESC"), "3|2");
  EXPECT_EQ(Q("SELECT b FROM t WHERE id IN (4, 1, 9) LIMIT 5"), "a|d");
  auto updated = Ok("UPDATE t SET a = a + 1 WHERE a = 20");
  EXPECT_EQ(updated.affected_rows, 2u);
  EXPECT_EQ(updated.info, "Rows matched: 2  Changed: 2  Warnings: 0");
  EXPECT_EQ(Q("SELECT id, a FROM t WHERE a >= 20"), "2,21|3,21");
  auto deleted = Ok("DELETE FROM t WHERE id > 1 ORDER BY id DESC LIMIT 2");
  EXPECT_EQ(deleted.affected_rows, 2u);
  EXPECT_EQ(Q("SELECT id FROM t"), "1|2");
}

}  // namespace
}  // namespace strata::sql
