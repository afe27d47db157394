// The plan cache of prepared statements (session/plan_cache.h): a kept plan answers exactly as
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

// A write's outcome as a client sees it: affected rows, last insert id, info and warnings,
// or the error.
std::string Outcome(const Result<QueryResult>& r) {
  if (!r.ok()) return fmt::format("ERROR {}: {}", r.status().mysql_errno(), r.status().message());
  std::string out = fmt::format("{} {} '{}'", r->affected_rows, r->last_insert_id, r->info);
  for (const Warning& w : r->warning_list) out += fmt::format(" [{} {}]", w.code, w.message);
  return out;
}

TEST_F(PlanCacheTest, KeptWritePlansFollowEachExecutionsValues) {
  // Each write runs prepared against d's tables and as text against their twins in database
  // twin: the outcomes and the tables stay equal, and every execution after the first
  // reuses the kept plan (each case's values keep their types).
  Ok("CREATE TABLE ai (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
  Ok("CREATE DATABASE twin");
  Ok("CREATE TABLE twin.t LIKE t");
  Ok("INSERT INTO twin.t SELECT * FROM t");
  Ok("CREATE TABLE twin.ai LIKE ai");
  using V = std::vector<Value>;
  auto i = [](int64_t v) { return Value::Int(v); };
  auto str = [](const char* v) { return Value::String(v); };
  const std::vector<std::pair<std::string, std::vector<V>>> cases = {
      {"UPDATE %t SET k = k + ? WHERE id = ?", {{i(1), i(1)}, {i(5), i(3)}, {i(2), i(9)}, {i(-5), i(0)}}},
      {"UPDATE %t SET name = ? WHERE k BETWEEN ? AND ? ORDER BY id DESC LIMIT 2",  // the secondary index
       {{str("lo"), i(0), i(11)}, {str("hi"), i(20), i(30)}}},
      {"INSERT INTO %t (id, k, name) VALUES (?, ?, ?)",
       {{i(10), i(1), str("ten")}, {i(11), i(3), str("elv")}, {i(10), i(2), str("dup")}}},  // 1062
      {"INSERT INTO %ai (v) VALUES (?), (?)", {{i(1), i(2)}, {i(3), i(4)}}},  // LAST_INSERT_ID
      {"INSERT IGNORE INTO %t (id, k, name) VALUES (?, ?, ?), (?, 3, 'x')",
       {{i(10), i(1), str("dup"), i(13)}, {i(14), i(1), str("new"), i(13)}}},
      {"INSERT INTO %t (id, k) VALUES (?, ?) ON DUPLICATE KEY UPDATE k = VALUES(k) + ?",
       {{i(1), i(100), i(1)}, {i(15), i(5), i(1)}, {i(15), i(6), i(2)}}},
      {"REPLACE INTO %t (id, name) VALUES (?, ?)", {{i(2), str("two again")}, {i(16), str("sixteen..")}}},
      {"INSERT INTO %t (id, k, name) SELECT id + 100, k, name FROM %t WHERE k > ?", {{i(10)}, {i(100)}}},  // 1062
      {"DELETE FROM %t WHERE id = ?", {{i(10)}, {i(11)}, {i(99)}}},
      {"DELETE FROM %t WHERE k > ? ORDER BY id LIMIT 1", {{i(4)}, {i(6)}, {i(1000)}}},
  };
  for (const auto& [sql, runs] : cases) {
    std::string on_d = sql, on_twin = sql;
    for (size_t at; (at = on_d.find('%')) != std::string::npos;) on_d.erase(at, 1);
    for (size_t at; (at = on_twin.find('%')) != std::string::npos;) on_twin.replace(at, 1, "twin.");
    uint32_t id = Prepare(on_d);
    const uint64_t hits_before = hits();
    for (const V& params : runs) {
      std::string prepared = Outcome(s_->ExecutePrepared(id, params, "EXECUTE"));
      EXPECT_EQ(prepared, Outcome(Run(s_, Substitute(on_twin, params)))) << Substitute(on_d, params);
      EXPECT_EQ(Q("SELECT * FROM t ORDER BY id"), Q("SELECT * FROM twin.t ORDER BY id")) << Substitute(on_d, params);
      EXPECT_EQ(Q("SELECT * FROM ai ORDER BY id"), Q("SELECT * FROM twin.ai ORDER BY id")) << Substitute(on_d, params);
    }
    EXPECT_EQ(hits() - hits_before, runs.size() - 1) << sql;
  }
  // A DDL plans again: the new column's default fills the next insert.
  uint32_t insert = Prepare("INSERT INTO t (id, name) VALUES (?, ?)");
  Ok(s_, "DELETE FROM t WHERE id >= 50");
  EXPECT_EQ(Outcome(s_->ExecutePrepared(insert, {Value::Int(50), Value::String("a")}, "EXECUTE")), "1 0 ''");
  Ok("ALTER TABLE t ADD COLUMN extra INT DEFAULT 7");
  const uint64_t misses_before = misses();
  EXPECT_EQ(Outcome(s_->ExecutePrepared(insert, {Value::Int(51), Value::String("b")}, "EXECUTE")), "1 0 ''");
  EXPECT_EQ(misses() - misses_before, 1u);
  EXPECT_EQ(Q("SELECT id, name, extra FROM t WHERE id >= 50 ORDER BY id"), "50,a,7|51,b,7");
}

TEST_F(PlanCacheTest, WritesFiringTriggersKeepTheirPlans) {
  // A trigger's body runs as its definer (a swap of identity and back): the invoker's kept
  // plans, the firing write's and the others', stay valid, and the trigger still fires.
  Ok("CREATE TABLE audit (n INT PRIMARY KEY AUTO_INCREMENT, id INT, k INT)");
  Ok("CREATE TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW INSERT INTO audit (id, k) VALUES (NEW.id, NEW.k)");
  uint32_t select = Prepare("SELECT name FROM t WHERE id = ?");
  ExpectAsText(select, "SELECT name FROM t WHERE id = ?", {Value::Int(1)});
  uint32_t insert = Prepare("INSERT INTO t (id, k, name) VALUES (?, ?, 'trig')");
  const uint64_t hits_before = hits();
  for (int64_t id = 20; id < 23; id++) {
    auto r = s_->ExecutePrepared(insert, {Value::Int(id), Value::Int(id * 2)}, "EXECUTE");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  ExpectAsText(select, "SELECT name FROM t WHERE id = ?", {Value::Int(21)});
  EXPECT_EQ(hits() - hits_before, 3u);  // the second and third inserts, and the SELECT
  EXPECT_EQ(Q("SELECT id, k FROM audit ORDER BY n"), "20,40|21,42|22,44");
}

TEST_F(PlanCacheTest, ExplainOfAWriteChecksWhatTheWriteWould) {
  // EXPLAIN UPDATE / DELETE / INSERT … ON DUPLICATE KEY UPDATE needs the privileges running
  // the write needs: its estimates would otherwise tell a user about rows it may not read.
  Ok("CREATE TABLE o (id INT PRIMARY KEY, name VARCHAR(10))");
  Ok("CREATE USER w IDENTIFIED BY 'pw'");
  Ok("GRANT UPDATE, DELETE ON d.t TO w");
  Ok("GRANT INSERT ON d.o TO w");
  sessions_.push_back(std::make_unique<Session>(sql_.get(), "w", "localhost", 78));
  Session* w = sessions_.back().get();
  w->SetAccount("%");
  Ok(w, "USE d");
  for (const char* sql : {"UPDATE t SET name = 'x' WHERE k > 5", "DELETE FROM t WHERE k > 5",
                          "INSERT INTO o (id) VALUES (9) ON DUPLICATE KEY UPDATE name = 'y'"}) {
    const std::string run = E(w, sql), explain = E(w, std::string("EXPLAIN ") + sql);
    EXPECT_NE(run, "no error") << sql;
    EXPECT_EQ(explain, run) << sql;
  }
  EXPECT_EQ(E(w, "EXPLAIN INSERT INTO o (id) VALUES (9)"), "no error");
  EXPECT_EQ(E(w, "EXPLAIN UPDATE t SET name = 'x'"), "no error");  // reads no column
  EXPECT_EQ(Q("SELECT (SELECT COUNT(*) FROM t WHERE name = 'x') + (SELECT COUNT(*) FROM o)"), "0");  // nothing ran
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
  auto update = u->Prepare("UPDATE t SET name = ? WHERE id = ?");
  ASSERT_TRUE(update.ok()) << update.status().ToString();
  EXPECT_EQ(u->ExecutePrepared(update->id, {Value::String("x"), Value::Int(1)}, "EXECUTE").status().mysql_errno(), 1142);
  Ok("GRANT UPDATE ON d.t TO u");
  for (int i = 0; i < 2; i++) {
    auto r = u->ExecutePrepared(update->id, {Value::String("x"), Value::Int(i)}, "EXECUTE");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->affected_rows, 1u);
  }
  Ok("REVOKE SELECT ON d.t FROM u");
  EXPECT_EQ(u->ExecutePrepared(d->id, {Value::Int(1)}, "EXECUTE").status().mysql_errno(), 1142);
  // UPDATE … WHERE reads the table: without SELECT it is refused, kept plan or not, as the
  // same statement sent as text is.
  const Result<QueryResult> as_text = Run(u, "UPDATE t SET name = 'y' WHERE id = 1");
  ASSERT_FALSE(as_text.ok());
  EXPECT_EQ(u->ExecutePrepared(update->id, {Value::String("y"), Value::Int(1)}, "EXECUTE").status().mysql_errno(),
            as_text.status().mysql_errno());
  Ok("REVOKE UPDATE ON d.t FROM u");
  EXPECT_EQ(u->ExecutePrepared(update->id, {Value::String("y"), Value::Int(1)}, "EXECUTE").status().mysql_errno(), 1142);
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
