// The plan cache of prepared SELECTs (session/plan_cache.h): a kept plan answers exactly as
// the statement sent as text with the same values would, whatever changed between two
// executions (values, their types, DDL, settings, the database, privileges), and it is
// really reused where it may be (Strata_plan_cache_hits).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sql/sql.h"
#include "sql_fixture.h"

namespace strata::sql {
namespace {

class PlanCacheTest : public SqlTest {
 protected:
  void SetUp() override {
    SqlTest::SetUp();
    Ok("CREATE TABLE t (id INT PRIMARY KEY, k INT, name VARCHAR(20), ts TIMESTAMP NULL, KEY k_idx (k))");
    Ok("INSERT INTO t VALUES (0, 5, 'zero', '2024-03-10 12:00:00'), (1, 10, 'one', NULL), (2, 20, 'two', NULL), "
       "(3, 20, 'three', '2024-03-10 13:00:00'), (4, NULL, 'four', NULL)");
  }

  uint64_t Status(std::string_view name) const {
    for (auto& [n, v] : sql_->StatusRows())
      if (n == name) return std::stoull(v);
    ADD_FAILURE() << "no status row " << name;
    return 0;
  }
  uint64_t hits() const { return Status("Strata_plan_cache_hits"); }
  uint64_t misses() const { return Status("Strata_plan_cache_misses"); }

  // A value as an SQL literal.
  static std::string Literal(const Value& v) {
    if (v.is_null()) return "NULL";
    if (v.kind() == ValueKind::kString) return "'" + v.string_value() + "'";
    return v.ToText().value_or("NULL");
  }
  // `sql` with each ? replaced by its value's literal.
  static std::string Substitute(std::string_view sql, const std::vector<Value>& params) {
    std::string out;
    size_t next = 0;
    for (char c : sql) {
      if (c == '?') out += Literal(params.at(next++));
      else out += c;
    }
    return out;
  }

  // Runs prepared statement `id` (text `sql`) with `params` and expects what the text
  // statement with the values in place answers (rows or error).
  void ExpectAsText(uint32_t id, std::string_view sql, const std::vector<Value>& params) {
    std::string text = Substitute(sql, params);
    std::string want = Q(text);
    EXPECT_EQ(Text(s_->ExecutePrepared(id, params, "EXECUTE")), want) << text;
  }

  uint32_t Prepare(std::string_view sql) {
    auto d = s_->Prepare(sql);
    EXPECT_TRUE(d.ok()) << sql << ": " << d.status().ToString();
    return d.ok() ? d->id : 0;
  }
};

TEST_F(PlanCacheTest, KeptPlanFollowsEachExecutionsValues) {
  // Point reads, ranges, a secondary index, IN, and a join: every key range is chosen again.
  const std::vector<std::pair<std::string, std::vector<std::vector<Value>>>> cases = {
      {"SELECT name FROM t WHERE id = ?", {{Value::Int(1)}, {Value::Int(3)}, {Value::Int(9)}, {Value::Int(0)}}},
      {"SELECT id FROM t WHERE id BETWEEN ? AND ? ORDER BY id",
       {{Value::Int(1), Value::Int(2)}, {Value::Int(0), Value::Int(4)}, {Value::Int(3), Value::Int(1)}}},
      {"SELECT id FROM t WHERE k = ? ORDER BY id", {{Value::Int(20)}, {Value::Int(10)}, {Value::Int(7)}}},
      {"SELECT id FROM t WHERE id IN (?, ?) ORDER BY id", {{Value::Int(1), Value::Int(4)}, {Value::Int(2), Value::Int(2)}}},
      {"SELECT a.id, b.name FROM t a JOIN t b ON b.id = a.id + ? WHERE a.k >= ? ORDER BY a.id",
       {{Value::Int(1), Value::Int(10)}, {Value::Int(-1), Value::Int(20)}}},
      {"SELECT COUNT(*), SUM(k) FROM t WHERE name > ?", {{Value::String("o")}, {Value::String("t")}}},
      // Strings of one length and type: the second cannot be an integer key, so its path is
      // a full scan, and MySQL's comparison ('x' is 0 as a number) still finds id 0.
      {"SELECT name FROM t WHERE id = ?", {{Value::String("1")}, {Value::String("x")}, {Value::String("3")}}},
  };
  for (const auto& [sql, runs] : cases) {
    uint32_t id = Prepare(sql);
    const uint64_t hits_before = hits();
    for (const auto& params : runs) ExpectAsText(id, sql, params);
    EXPECT_EQ(hits() - hits_before, runs.size() - 1) << sql;
  }
}

TEST_F(PlanCacheTest, AnotherParameterTypePlansAgain) {
  const std::string sql = "SELECT name FROM t WHERE id = ?";
  uint32_t id = Prepare(sql);
  const uint64_t misses_before = misses();
  ExpectAsText(id, sql, {Value::Int(1)});
  ExpectAsText(id, sql, {Value::Double(1.5)});  // no integer key matches 1.5
  ExpectAsText(id, sql, {Value::Null()});
  ExpectAsText(id, sql, {Value::String("2")});
  ExpectAsText(id, sql, {Value::String("22")});  // another length: another type
  EXPECT_EQ(misses() - misses_before, 5u);
  ExpectAsText(id, sql, {Value::String("33")});
  EXPECT_EQ(misses() - misses_before, 5u);
}

TEST_F(PlanCacheTest, DdlSettingsAndTheDatabaseInvalidate) {
  const std::string sql = "SELECT * FROM t WHERE id = ?";
  uint32_t id = Prepare(sql);
  ExpectAsText(id, sql, {Value::Int(1)});
  Ok("ALTER TABLE t ADD COLUMN extra INT DEFAULT 7");
  ExpectAsText(id, sql, {Value::Int(1)});  // the new column is there
  Ok("CREATE INDEX name_idx ON t (name)");
  ExpectAsText(id, sql, {Value::Int(2)});
  // Another database holding a table of the same name.
  Ok("CREATE DATABASE e");
  Ok("CREATE TABLE e.t (id INT PRIMARY KEY, v VARCHAR(10))");
  Ok("INSERT INTO e.t VALUES (1, 'in e')");
  Ok("USE e");
  ExpectAsText(id, sql, {Value::Int(1)});
  Ok("USE d");
  ExpectAsText(id, sql, {Value::Int(1)});
  // A setting the binder reads: PIPES_AS_CONCAT makes || a concatenation.
  const std::string pipes = "SELECT name || ? FROM t WHERE id = ?";
  uint32_t p = Prepare(pipes);
  ExpectAsText(p, pipes, {Value::String("x"), Value::Int(1)});
  Ok("SET sql_mode = 'PIPES_AS_CONCAT'");
  ExpectAsText(p, pipes, {Value::String("x"), Value::Int(1)});
  Ok("SET sql_mode = DEFAULT");
  // The session's time zone decides which stored TIMESTAMP a civil time is.
  const std::string zone = "SELECT id FROM t WHERE ts = ?";
  uint32_t z = Prepare(zone);
  ExpectAsText(z, zone, {Value::String("2024-03-10 12:00:00")});
  Ok("SET time_zone = '+01:00'");
  ExpectAsText(z, zone, {Value::String("2024-03-10 13:00:00")});
  ExpectAsText(z, zone, {Value::String("2024-03-10 14:00:00")});
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t WHERE ts = '2024-03-10 13:00:00'"), "1");  // the 12:00 UTC row
}

TEST_F(PlanCacheTest, PlansThatDependOnValuesAreNotKept) {
  Ok("SET sql_mode = 'ONLY_FULL_GROUP_BY'");
  const std::vector<std::pair<std::string, std::vector<std::vector<Value>>>> cases = {
      {"SELECT ? + 1", {{Value::Int(1)}, {Value::Int(5)}}},                                  // folded
      {"SELECT id FROM t ORDER BY id LIMIT ?", {{Value::Int(1)}, {Value::Int(3)}}},          // a LIMIT
      {"SELECT id FROM t WHERE id = ? + 1", {{Value::Int(1)}, {Value::Int(2)}}},            // folded into a key
      {"SELECT id FROM t WHERE id IN (SELECT id FROM t WHERE k > ?) ORDER BY id", {{Value::Int(5)}, {Value::Int(15)}}},
      {"SELECT k + ? FROM t GROUP BY k + ? ORDER BY 1", {{Value::Int(1), Value::Int(1)}, {Value::Int(1), Value::Int(2)}}},
      {"SELECT COUNT(*) FROM t GROUP BY k + ? HAVING k + ? > 0 ORDER BY 1",
       {{Value::Int(1), Value::Int(1)}, {Value::Int(1), Value::Int(2)}}},
  };
  for (const auto& [sql, runs] : cases) {
    uint32_t id = Prepare(sql);
    const uint64_t hits_before = hits();
    for (const auto& params : runs) ExpectAsText(id, sql, params);
    EXPECT_EQ(hits(), hits_before) << sql;
  }
  // Session state the binder reads as a constant, changed without a SET.
  uint32_t var = Prepare("SELECT @x, LAST_INSERT_ID(), id FROM t WHERE id = ?");
  Ok("SET @x = 1");
  auto first = s_->ExecutePrepared(var, {Value::Int(1)}, "EXECUTE");
  ASSERT_TRUE(first.ok());
  Ok("SET @x = 2");  // a user variable changes without a new settings version
  Ok("CREATE TABLE ai (id INT PRIMARY KEY AUTO_INCREMENT)");
  Ok("INSERT INTO ai VALUES (NULL), (NULL)");
  ExpectAsText(var, "SELECT @x, LAST_INSERT_ID(), id FROM t WHERE id = ?", {Value::Int(1)});
  EXPECT_EQ(Q("SELECT @x, LAST_INSERT_ID()"), "2,1");
  // information_schema's rows are read while planning: a kept plan would show old ones.
  const std::string ai = "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?";
  uint32_t schema = Prepare(ai);
  const uint64_t hits_before = hits();
  ExpectAsText(schema, ai, {Value::String("d"), Value::String("ai")});
  const std::string before = Q(Substitute(ai, {Value::String("d"), Value::String("ai")}));
  Ok("INSERT INTO ai VALUES (NULL)");
  ExpectAsText(schema, ai, {Value::String("d"), Value::String("ai")});
  EXPECT_NE(Q(Substitute(ai, {Value::String("d"), Value::String("ai")})), before);
  EXPECT_EQ(hits(), hits_before);
}

TEST_F(PlanCacheTest, RevokedPrivilegeIsCheckedAgain) {
  Ok("CREATE USER u IDENTIFIED BY 'pw'");
  Ok("GRANT SELECT ON d.t TO u");
  sessions_.push_back(std::make_unique<Session>(sql_.get(), "u", "localhost", 77));
  Session* u = sessions_.back().get();
  u->SetAccount("%");
  Ok(u, "USE d");
  auto d = u->Prepare("SELECT name FROM t WHERE id = ?");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  for (int i = 0; i < 2; i++) {
    auto r = u->ExecutePrepared(d->id, {Value::Int(1)}, "EXECUTE");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->rows.size(), 1u);
  }
  Ok("REVOKE SELECT ON d.t FROM u");
  EXPECT_EQ(u->ExecutePrepared(d->id, {Value::Int(1)}, "EXECUTE").status().mysql_errno(), 1142);
}

TEST_F(PlanCacheTest, ClosedAndResetStatementsDropTheirPlans) {
  const std::string sql = "SELECT name FROM t WHERE id = ?";
  uint32_t id = Prepare(sql);
  ExpectAsText(id, sql, {Value::Int(1)});
  ExpectAsText(id, sql, {Value::Int(2)});
  s_->ClosePrepared(id);
  EXPECT_EQ(s_->ExecutePrepared(id, {Value::Int(1)}, "EXECUTE").status().mysql_errno(), 1243);
  // SQL PREPARE / EXECUTE keeps plans too, and re-preparing a name starts afresh.
  Ok("PREPARE s FROM 'SELECT name FROM t WHERE id = ?'");
  Ok("SET @i = 1");
  EXPECT_EQ(Q("EXECUTE s USING @i"), "one");
  Ok("SET @i = 2");
  EXPECT_EQ(Q("EXECUTE s USING @i"), "two");
  Ok("PREPARE s FROM 'SELECT id FROM t WHERE name = ?'");
  Ok("SET @n = 'three'");
  EXPECT_EQ(Q("EXECUTE s USING @n"), "3");
  s_->Reset();
  EXPECT_EQ(s_->prepared_count(), 0u);
}

}  // namespace
}  // namespace strata::sql
