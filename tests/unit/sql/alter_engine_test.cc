// ALTER TABLE … ENGINE's state in the catalog (session/alter_engine.cc): the write fence that
// holds a table's writers during the final catch-up and swap, and the copy an interrupted
// move leaves under TableSchema::moving_to. The crash itself is simulated by writing the
// state it leaves straight into the catalog.
#include <functional>
#include <thread>

#include "sql/catalog/catalog.h"
#include "sql_fixture.h"

namespace strata::sql {
namespace {

class AlterEngineTest : public SqlTest {
 protected:
  // Changes db d's table t in the catalog, as an ALTER in progress would have.
  void ChangeSchema(const std::function<void(TableSchema&)>& change) {
    std::unique_ptr<txn::Transaction> txn = sql_->txn().Begin();
    auto catalog = sql_->catalog().Load(*txn);
    ASSERT_TRUE(catalog.ok());
    auto table = (*catalog)->FindTable("d", "t");
    ASSERT_NE(table, nullptr);
    TableSchema updated = *table;
    change(updated);
    ASSERT_TRUE(sql_->catalog().UpdateTable(*txn, updated).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  // What a crash between ALTER's copy and its swap leaves: an id recorded as the move's
  // target, keys under it, and a fence that has expired.
  TableId LeaveInterruptedMove() {
    std::unique_ptr<txn::Transaction> txn = sql_->txn().Begin();
    TableId copy = *sql_->catalog().AllocateTableId(*txn, /*btree=*/true);
    for (int i = 0; i < 50; i++) EXPECT_TRUE(txn->Put(Prefix(copy) + "row" + std::to_string(i), "stale copy").ok());
    EXPECT_TRUE(txn->Commit().ok());
    ChangeSchema([&](TableSchema& t) {
      t.moving_to = copy;
      t.write_fence_until_ms = TableSchema::FenceClockMs() - 1000;
    });
    return copy;
  }

  static Bytes Prefix(TableId id) {
    Bytes prefix;
    PutBigEndian32(&prefix, id);
    return prefix;
  }

  size_t KeysUnder(TableId id) {
    std::unique_ptr<txn::Transaction> txn = sql_->txn().Begin();
    Bytes prefix = Prefix(id);
    auto kvs = txn->Scan(prefix, PrefixSuccessor(prefix), 1000);
    EXPECT_TRUE(kvs.ok());
    return kvs.ok() ? kvs->size() : 0;
  }
};

TEST_F(AlterEngineTest, AnExpiredFenceHoldsNoWriter) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=LSM");
  LeaveInterruptedMove();
  Ok("INSERT INTO t VALUES (1)");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t"), "1");
}

TEST_F(AlterEngineTest, AFencedTableMakesWritersWaitUntilLockWaitTimeout) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY)");
  ChangeSchema([](TableSchema& t) { t.write_fence_until_ms = TableSchema::FenceClockMs() + 600'000; });
  Ok("SET innodb_lock_wait_timeout = 1");
  EXPECT_EQ(E("INSERT INTO t VALUES (1)"),
            "ERROR 1205 (HY000): Lock wait timeout exceeded; try restarting transaction");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t"), "0");  // reads do not wait
}

TEST_F(AlterEngineTest, AWaitingAutocommitWriterGoesOnWhenTheFenceIsLifted) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY)");
  ChangeSchema([](TableSchema& t) { t.write_fence_until_ms = TableSchema::FenceClockMs() + 600'000; });
  std::thread lifter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ChangeSchema([](TableSchema& t) { t.write_fence_until_ms = 0; });
  });
  Ok("INSERT INTO t VALUES (1)");  // waits, then runs again on the catalog without the fence
  lifter.join();
  EXPECT_EQ(Q("SELECT id FROM t"), "1");
}

TEST_F(AlterEngineTest, InAnExplicitTransactionTheLiftedFenceIs1213) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY)");
  Ok("BEGIN");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t"), "0");  // the transaction's catalog: without a fence
  ChangeSchema([](TableSchema& t) { t.write_fence_until_ms = TableSchema::FenceClockMs() + 600'000; });
  Ok("INSERT INTO t VALUES (1)");  // its snapshot shows no fence: no wait here...
  EXPECT_EQ(E("COMMIT").substr(0, 10), "ERROR 1213");  // ...but the entry changed: 1213
}

TEST_F(AlterEngineTest, TheNextAlterDeletesAnInterruptedMovesCopy) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY, v INT) ENGINE=LSM");
  Ok("INSERT INTO t VALUES (1, 10), (2, 20)");
  TableId copy = LeaveInterruptedMove();
  EXPECT_EQ(KeysUnder(copy), 50u);
  Ok("ALTER TABLE t ENGINE=BTREE");
  EXPECT_EQ(KeysUnder(copy), 0u);
  EXPECT_EQ(Q("SELECT id, v FROM t ORDER BY id"), "1,10|2,20");
  EXPECT_EQ(Q("SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_NAME = 't'"), "BTREE");
}

TEST_F(AlterEngineTest, AnAlterToTheSameEngineStillDeletesTheCopy) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=LSM");
  TableId copy = LeaveInterruptedMove();
  Ok("ALTER TABLE t ENGINE=LSM");
  EXPECT_EQ(KeysUnder(copy), 0u);
}

TEST_F(AlterEngineTest, TruncateAndDropDeleteTheCopy) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=LSM");
  TableId copy = LeaveInterruptedMove();
  Ok("TRUNCATE TABLE t");
  EXPECT_EQ(KeysUnder(copy), 0u);
  copy = LeaveInterruptedMove();  // TRUNCATE cleared the state; leave it again
  Ok("DROP TABLE t");
  EXPECT_EQ(KeysUnder(copy), 0u);
}

}  // namespace
}  // namespace strata::sql
