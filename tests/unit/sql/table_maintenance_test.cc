// ANALYZE / CHECK / OPTIMIZE / REPAIR TABLE (session/table_maintenance.cc): MySQL's result
// rows, CHECK TABLE finding index entries that are missing or left over, the privileges,
// and the grammar's options.
#include <gtest/gtest.h>

#include "sql/parser/parser.h"
#include "sql/sql.h"
#include "sql/types/codec.h"
#include "sql_fixture.h"

namespace strata::sql {
namespace {

class TableMaintenanceTest : public SqlTest {
 protected:
  void SetUp() override {
    SqlTest::SetUp();
    Ok("CREATE TABLE t (id INT PRIMARY KEY, k INT, u VARCHAR(10), KEY k_idx (k), UNIQUE KEY u_idx (u))");
    Ok("INSERT INTO t VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 20, NULL)");
    Ok("CREATE VIEW v AS SELECT id FROM t");
  }

  // Writes (or deletes) index `index`'s entry of the row `row` of table t directly, behind
  // the SQL layer's back: what a bug or a damaged file would leave.
  void TamperIndex(std::string_view index, const Row& row, bool remove) {
    auto txn = txns_->Begin();
    auto catalog = sql_->catalog().Load(*txn);
    ASSERT_TRUE(catalog.ok());
    std::shared_ptr<const TableSchema> table = (*catalog)->FindTable("d", "t");
    ASSERT_NE(table, nullptr);
    const IndexSchema* target = nullptr;
    for (const IndexSchema& i : table->indexes)
      if (i.name == index) target = &i;
    ASSERT_NE(target, nullptr);
    Bytes key = IndexKey(*table, *target, row, PrimaryKeySuffix(*table, row, 0));
    ASSERT_TRUE((remove ? txn->Delete(key) : txn->Put(key, "")).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
};

TEST_F(TableMaintenanceTest, AnswersAsMysqlPerTable) {
  EXPECT_EQ(Q("CHECK TABLE t"), "d.t,check,status,OK");
  EXPECT_EQ(Q("ANALYZE TABLE t, d.t"), "d.t,analyze,status,OK|d.t,analyze,status,OK");
  EXPECT_EQ(Q("OPTIMIZE TABLE t"),
            "d.t,optimize,note,Table does not support optimize, doing analyze instead|d.t,optimize,status,OK");
  EXPECT_EQ(Q("REPAIR TABLE t"), "d.t,repair,note,The storage engine for the table doesn't support repair");
  // A missing table fails alone; the others are still checked. A view has no rows to check.
  EXPECT_EQ(Q("CHECK TABLE nope, t, v"),
            "d.nope,check,Error,Table 'd.nope' doesn't exist|d.nope,check,status,Operation failed|"
            "d.t,check,status,OK|d.v,check,status,OK");
  EXPECT_EQ(Q("ANALYZE TABLE v"), "d.v,analyze,Error,'d.v' is not BASE TABLE|d.v,analyze,status,Operation failed");
  // The column names clients print.
  auto r = Run(s_, "CHECK TABLE t");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->columns.size(), 4u);
  EXPECT_EQ(r->columns[0].name, "Table");
  EXPECT_EQ(r->columns[3].name, "Msg_text");
  // It commits an open transaction, as MySQL's table maintenance statements do.
  Ok("BEGIN");
  Ok("INSERT INTO t VALUES (4, 40, 'd')");
  Ok("ANALYZE TABLE t");
  Ok("ROLLBACK");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t"), "4");
}

TEST_F(TableMaintenanceTest, CheckFindsMissingAndStrayIndexEntries) {
  const Row second{Value::Int(2), Value::Int(20), Value::String("b")};
  TamperIndex("k_idx", second, /*remove=*/true);
  EXPECT_EQ(Q("CHECK TABLE t"),
            "d.t,check,Warning,Index 'k_idx' contains 2 entries, should be 3|"
            "d.t,check,Warning,Index 'k_idx' lacks the entries of 1 rows|d.t,check,error,Corrupt");
  TamperIndex("k_idx", second, /*remove=*/false);
  EXPECT_EQ(Q("CHECK TABLE t"), "d.t,check,status,OK");
  const Row stray{Value::Int(9), Value::Int(90), Value::String("z")};  // no such row
  TamperIndex("u_idx", stray, /*remove=*/false);
  EXPECT_EQ(Q("CHECK TABLE t EXTENDED"),
            "d.t,check,Warning,Index 'u_idx' contains 4 entries, should be 3|d.t,check,error,Corrupt");
}

TEST_F(TableMaintenanceTest, PrivilegesAndGrammar) {
  Ok("CREATE USER reader IDENTIFIED BY 'pw'");
  Ok("GRANT SELECT ON d.t TO reader");
  sessions_.push_back(std::make_unique<Session>(sql_.get(), "reader", "localhost", 50));
  Session* reader = sessions_.back().get();
  reader->SetAccount("%");
  Ok(reader, "USE d");
  EXPECT_EQ(Q(reader, "CHECK TABLE t"), "d.t,check,status,OK");
  EXPECT_EQ(E(reader, "ANALYZE TABLE t"),
            "ERROR 1142 (42000): INSERT command denied to user 'reader'@'localhost' for table 't'");
  // The options MySQL accepts; a histogram is not offered.
  EXPECT_EQ(Q("ANALYZE NO_WRITE_TO_BINLOG TABLE t"), "d.t,analyze,status,OK");
  EXPECT_EQ(Q("ANALYZE LOCAL TABLES t"), "d.t,analyze,status,OK");
  EXPECT_EQ(Q("CHECK TABLE t FOR UPGRADE QUICK"), "d.t,check,status,OK");
  EXPECT_EQ(Q("OPTIMIZE LOCAL TABLE t").substr(0, 13), "d.t,optimize,");
  EXPECT_EQ(Q("REPAIR TABLE t QUICK EXTENDED USE_FRM").substr(0, 11), "d.t,repair,");
  EXPECT_EQ(E("ANALYZE TABLE t UPDATE HISTOGRAM ON k").substr(0, 10), "ERROR 1235");
  EXPECT_EQ(E("CHECK t").substr(0, 10), "ERROR 1064");
}

}  // namespace
}  // namespace strata::sql
