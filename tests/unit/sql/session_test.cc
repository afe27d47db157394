// SQL end to end in-process: statements parsed with sql::Parse and executed by sql::Session
// over a real TxnManager + LSM engine (temp dir) with a direct in-process proposer.
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "io/io.h"
#include "sql/parser/parser.h"
#include "sql/sql.h"
#include "storage/lsm/engine_impl.h"
#include "txn/transaction.h"
#include "sql_fixture.h"

namespace strata::sql {
namespace {

TEST_F(SqlTest, CreateTableWithEverySupportedType) {
  Ok("CREATE TABLE every ("
     " id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
     " ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, bi BIGINT NOT NULL DEFAULT 5,"
     " f FLOAT, db DOUBLE, dc DECIMAL(10,2) DEFAULT 1.5,"
     " c CHAR(4), v VARCHAR(20) NOT NULL DEFAULT 'x' COMMENT 'a comment', bn BINARY(2), vb VARBINARY(8),"
     " tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT, tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,"
     " dt DATE, dtt DATETIME, ts TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, tm TIME, y YEAR,"
     " j JSON, e ENUM('s','m','l') DEFAULT 'm', bo BOOLEAN, bt BIT(8)"
     ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='all types'");
  Ok("INSERT INTO every (ti, si, mi, f, db, c, tt, tx, mt, lt, tb, bl, mb, lb, dt, dtt, tm, y, j, bo, bt) VALUES"
     " (-1, 65535, -8388608, 1.5, 2.25, 'ab  ', 't', 'x', 'm', 'l', 'b', 'bb', 'mb', 'lb',"
     " '2026-1-2', '2026-01-02 03:04:05', '10:11:12', 2026, '{\"a\": 1}', TRUE, 255)");
  EXPECT_EQ(Q("SELECT id, ti, si, mi, bi, f, db, dc, c, v, dt, dtt, tm, y, j, e, bo, bt FROM every"),
            "1,-1,65535,-8388608,5,1.5,2.25,1.50,ab,x,2026-01-02,2026-01-02 03:04:05,10:11:12,2026,{\"a\": 1},m,1,255");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM every WHERE ts IS NOT NULL"), "1");
  QueryResult cols = Ok("SHOW COLUMNS FROM every");
  EXPECT_EQ(cols.rows.size(), 29u);
}

TEST_F(SqlTest, InsertDefaultsAndAutoIncrement) {
  Ok("CREATE TABLE a (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10) DEFAULT 'dflt', n INT)");
  QueryResult r = Ok("INSERT INTO a (v) VALUES ('x'), ('y')");
  EXPECT_EQ(r.affected_rows, 2u);
  EXPECT_EQ(r.last_insert_id, 1u);  // the first id the statement generated
  EXPECT_EQ(Q("SELECT LAST_INSERT_ID()"), "1");
  Ok("INSERT INTO a (id, v) VALUES (10, 'z')");  // explicit: the counter moves above it
  r = Ok("INSERT INTO a (n) VALUES (1)");
  EXPECT_EQ(r.last_insert_id, 11u);
  Ok("INSERT INTO a VALUES (NULL, 'n', 2)");  // NULL generates
  Ok("INSERT INTO a (id, n) VALUES (0, 3)");  // so does 0
  EXPECT_EQ(Q("SELECT * FROM a ORDER BY id"), "1,x,NULL|2,y,NULL|10,z,NULL|11,dflt,1|12,n,2|13,dflt,3");
  EXPECT_EQ(Q("SELECT LAST_INSERT_ID()"), "13");
  // A second session shares the counter; last_insert_id is per session.
  Session* other = NewSession();
  Ok(other, "USE d");
  Ok(other, "INSERT INTO a (n) VALUES (4)");
  EXPECT_EQ(Q(other, "SELECT LAST_INSERT_ID()"), "14");
  EXPECT_EQ(Q("SELECT LAST_INSERT_ID()"), "13");
}

TEST_F(SqlTest, InsertIgnoreReplaceAndOnDuplicateKeyUpdate) {
  Ok("CREATE TABLE u (id INT PRIMARY KEY, name VARCHAR(10), cnt INT, UNIQUE KEY name (name))");
  Ok("INSERT INTO u VALUES (1, 'a', 1), (2, 'b', 1)");
  QueryResult r = Ok("INSERT IGNORE INTO u VALUES (1, 'z', 9), (3, 'c', 1), (4, 'a', 1)");
  EXPECT_EQ(r.affected_rows, 1u);
  EXPECT_EQ(Q("SELECT * FROM u ORDER BY id"), "1,a,1|2,b,1|3,c,1");
  r = Ok("REPLACE INTO u VALUES (1, 'a2', 5)");
  EXPECT_EQ(r.affected_rows, 2u);  // deleted + inserted
  r = Ok("REPLACE INTO u VALUES (4, 'd', 1)");
  EXPECT_EQ(r.affected_rows, 1u);
  r = Ok("REPLACE INTO u VALUES (5, 'b', 7)");  // collides on the unique name with id 2
  EXPECT_EQ(r.affected_rows, 2u);
  EXPECT_EQ(Q("SELECT * FROM u ORDER BY id"), "1,a2,5|3,c,1|4,d,1|5,b,7");
  r = Ok("INSERT INTO u VALUES (1, 'q', 1) ON DUPLICATE KEY UPDATE cnt = cnt + VALUES(cnt)");
  EXPECT_EQ(r.affected_rows, 2u);
  r = Ok("INSERT INTO u VALUES (1, 'q', 1) ON DUPLICATE KEY UPDATE cnt = cnt");
  EXPECT_EQ(r.affected_rows, 0u);
  r = Ok("INSERT INTO u VALUES (6, 'f', 1) ON DUPLICATE KEY UPDATE cnt = 100");
  EXPECT_EQ(r.affected_rows, 1u);
  EXPECT_EQ(Q("SELECT id, name, cnt FROM u WHERE id IN (1, 6) ORDER BY id"), "1,a2,6|6,f,1");
  r = Ok("INSERT INTO u VALUES (9, 'c', 1) ON DUPLICATE KEY UPDATE cnt = 50");  // collides on the unique name
  EXPECT_EQ(r.affected_rows, 2u);
  EXPECT_EQ(Q("SELECT id, name, cnt FROM u WHERE name = 'c'"), "3,c,50");
  EXPECT_EQ(E("INSERT INTO u VALUES (7, 'c', 1)"), "ERROR 1062 (23000): Duplicate entry 'c' for key 'u.name'");
  EXPECT_EQ(E("INSERT INTO u VALUES (3, 'zz', 1)"), "ERROR 1062 (23000): Duplicate entry '3' for key 'u.PRIMARY'");
}

class SelectTest : public SqlTest {
 protected:
  void SetUp() override {
    SqlTest::SetUp();
    Ok("CREATE TABLE p (id INT PRIMARY KEY, g VARCHAR(5), x INT, price DECIMAL(6,2))");
    Ok("INSERT INTO p VALUES (1, 'a', 10, 1.50), (2, 'b', NULL, 2.00), (3, 'a', 30, 0.25), (4, 'c', 20, NULL),"
       " (5, 'b', 5, 10.00), (6, 'a', NULL, 3.33)");
  }
};

TEST_F(SelectTest, ProjectionWhereOrderLimit) {
  EXPECT_EQ(Q("SELECT id, x * 2 AS twice FROM p WHERE x > 5 ORDER BY id"), "1,20|3,60|4,40");
  EXPECT_EQ(Q("SELECT id, x FROM p ORDER BY x, id"), "2,NULL|6,NULL|5,5|1,10|4,20|3,30");  // NULLs first
  EXPECT_EQ(Q("SELECT id, x FROM p ORDER BY x DESC, id"), "3,30|4,20|1,10|5,5|2,NULL|6,NULL");
  EXPECT_EQ(Q("SELECT g, id FROM p ORDER BY 1 DESC, 2"), "c,4|b,2|b,5|a,1|a,3|a,6");
  EXPECT_EQ(Q("SELECT id AS k FROM p ORDER BY k DESC LIMIT 1, 2"), "5|4");
  EXPECT_EQ(Q("SELECT id FROM p ORDER BY id LIMIT 2 OFFSET 3"), "4|5");
  EXPECT_EQ(Q("SELECT id FROM p ORDER BY id LIMIT 0"), "");
  EXPECT_EQ(Q("SELECT id FROM p WHERE g = 'a' AND (x IS NULL OR x < 20) ORDER BY id"), "1|6");
  EXPECT_EQ(Q("SELECT id FROM p WHERE g LIKE 'b%' ORDER BY id"), "2|5");
  EXPECT_EQ(Q("SELECT DISTINCT g FROM p ORDER BY g"), "a|b|c");
  EXPECT_EQ(Q("SELECT 1 + 1, 'x', NULL"), "2,x,NULL");
}

TEST_F(SelectTest, GroupByAndAggregates) {
  EXPECT_EQ(Q("SELECT g, COUNT(*), COUNT(x), SUM(x), MIN(x), MAX(x), AVG(x) FROM p GROUP BY g ORDER BY g"),
            "a,3,2,40,10,30,20.0000|b,2,1,5,5,5,5.0000|c,1,1,20,20,20,20.0000");
  EXPECT_EQ(Q("SELECT g, COUNT(*) AS n FROM p GROUP BY g HAVING COUNT(*) > 1 ORDER BY n DESC"), "a,3|b,2");
  EXPECT_EQ(Q("SELECT SUM(price), AVG(price), MIN(price), MAX(g) FROM p"), "17.08,3.416000,0.25,c");
  EXPECT_EQ(Q("SELECT AVG(id) FROM p WHERE id <= 2"), "1.5000");
  EXPECT_EQ(Q("SELECT COUNT(*), SUM(x), MAX(x) FROM p WHERE id > 100"), "0,NULL,NULL");
  EXPECT_EQ(Q("SELECT COUNT(DISTINCT g) FROM p"), "3");
  auto r = Run(s_, "SELECT SUM(x) FROM p");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0][0].kind(), ValueKind::kDecimal);  // SUM of integers is DECIMAL
  EXPECT_EQ(r->columns[0].type.kind, OutKind::kDecimal);
  EXPECT_EQ(r->columns[0].name, "SUM(x)");
}

TEST_F(SelectTest, PrimaryKeyAccessPaths) {
  EXPECT_EQ(Q("SELECT g FROM p WHERE id = 3"), "a");
  auto point = Run(s_, "SELECT g FROM p WHERE id = 3");
  ASSERT_TRUE(point.ok());
  EXPECT_EQ(point->rows_examined, 1u);
  EXPECT_EQ(Q("SELECT id FROM p WHERE id = 99"), "");
  EXPECT_EQ(Q("SELECT id FROM p WHERE id BETWEEN 2 AND 4"), "2|3|4");
  EXPECT_EQ(Q("SELECT id FROM p WHERE id < 3"), "1|2");
  EXPECT_EQ(Q("SELECT id FROM p WHERE id >= 5"), "5|6");
  EXPECT_EQ(Q("SELECT id FROM p WHERE id > 2 AND id <= 4"), "3|4");
  EXPECT_EQ(Q("SELECT id FROM p WHERE id IN (6, 1, 99, 3) ORDER BY id"), "1|3|6");
  EXPECT_EQ(Q("SELECT id FROM p WHERE id = '3'"), "3");
  EXPECT_EQ(Q("SELECT id FROM p WHERE id = 2.5"), "");
}

TEST_F(SqlTest, CompositePrimaryKey) {
  Ok("CREATE TABLE cp (a INT, b VARCHAR(5), v INT, PRIMARY KEY (a, b))");
  Ok("INSERT INTO cp VALUES (1, 'x', 1), (1, 'y', 2), (2, 'x', 3), (1, '', 4)");
  EXPECT_EQ(Q("SELECT v FROM cp WHERE a = 1 ORDER BY b"), "4|1|2");
  EXPECT_EQ(Q("SELECT v FROM cp WHERE a = 1 AND b = 'y'"), "2");
  EXPECT_EQ(Q("SELECT v FROM cp WHERE a = 1 AND b > 'x'"), "2");
  EXPECT_EQ(Q("SELECT v FROM cp WHERE b = 'x' ORDER BY v"), "1|3");
  EXPECT_EQ(E("INSERT INTO cp VALUES (1, 'y', 9)"), "ERROR 1062 (23000): Duplicate entry '1-y' for key 'cp.PRIMARY'");
}

TEST_F(SqlTest, TableWithoutPrimaryKey) {
  Ok("CREATE TABLE h (v INT, s VARCHAR(5))");
  Ok("INSERT INTO h VALUES (1, 'a'), (1, 'a'), (2, 'b')");
  EXPECT_EQ(Q("SELECT v, s FROM h ORDER BY v"), "1,a|1,a|2,b");
  QueryResult r = Ok("DELETE FROM h WHERE v = 1 LIMIT 1");
  EXPECT_EQ(r.affected_rows, 1u);
  r = Ok("UPDATE h SET s = 'z' WHERE v = 2");
  EXPECT_EQ(r.affected_rows, 1u);
  EXPECT_EQ(Q("SELECT v, s FROM h ORDER BY v"), "1,a|2,z");
  Ok("CREATE INDEX k_s ON h (s)");
  EXPECT_EQ(Q("SELECT v FROM h WHERE s = 'z'"), "2");
}

TEST_F(SqlTest, UpdateCountsAndPrimaryKeyChange) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY, v INT, name VARCHAR(10), KEY k_v (v))");
  Ok("INSERT INTO t VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 1, 'c')");
  QueryResult r = Ok("UPDATE t SET v = 1 WHERE id <= 3");
  EXPECT_EQ(r.affected_rows, 1u);
  EXPECT_EQ(r.info, "Rows matched: 3  Changed: 1  Warnings: 0");
  r = Ok("UPDATE t SET v = v + 10 WHERE id IN (1, 3)");
  EXPECT_EQ(r.affected_rows, 2u);
  EXPECT_EQ(r.info, "Rows matched: 2  Changed: 2  Warnings: 0");
  // The index follows the new value and forgets the old one.
  EXPECT_EQ(Q("SELECT id FROM t WHERE v = 11 ORDER BY id"), "1|3");
  EXPECT_EQ(Q("SELECT id FROM t WHERE v = 1 ORDER BY id"), "2");
  EXPECT_EQ(Q("SELECT id FROM t WHERE v = 13"), "");
  r = Ok("UPDATE t SET id = 100 WHERE id = 1");
  EXPECT_EQ(r.affected_rows, 1u);
  EXPECT_EQ(Q("SELECT id, v, name FROM t WHERE id = 100"), "100,11,a");
  EXPECT_EQ(Q("SELECT id FROM t WHERE id = 1"), "");
  EXPECT_EQ(Q("SELECT id FROM t WHERE v = 11 ORDER BY id"), "3|100");
  EXPECT_EQ(E("UPDATE t SET id = 2 WHERE id = 3"), "ERROR 1062 (23000): Duplicate entry '2' for key 't.PRIMARY'");
  EXPECT_EQ(Q("SELECT id FROM t ORDER BY id"), "2|3|100");
  EXPECT_EQ(E("UPDATE t SET nope = 1"), "ERROR 1054 (42S22): Unknown column 'nope' in 'field list'");
}

TEST_F(SqlTest, DeleteWithOrderByAndLimit) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  Ok("INSERT INTO t VALUES (1, 1), (2, 1), (3, 1), (4, 2)");
  QueryResult r = Ok("DELETE FROM t WHERE v = 1 ORDER BY id DESC LIMIT 2");
  EXPECT_EQ(r.affected_rows, 2u);
  EXPECT_EQ(Q("SELECT id FROM t ORDER BY id"), "1|4");
  r = Ok("DELETE FROM t");
  EXPECT_EQ(r.affected_rows, 2u);
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t"), "0");
}

TEST_F(SqlTest, CreateIndexBackfillsAndUniqueIsEnforced) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(10), v INT)");
  Ok("INSERT INTO t VALUES (1, 'x', 1), (2, 'y', 1), (3, 'z', 2)");
  Ok("CREATE INDEX k_v ON t (v)");
  EXPECT_EQ(Q("SELECT id FROM t WHERE v = 1 ORDER BY id"), "1|2");
  EXPECT_EQ(E("CREATE UNIQUE INDEX u_v ON t (v)"), "ERROR 1062 (23000): Duplicate entry '1' for key 't.u_v'");
  Ok("CREATE UNIQUE INDEX name ON t (name)");
  EXPECT_EQ(Q("SELECT id FROM t WHERE name = 'y'"), "2");
  EXPECT_EQ(E("INSERT INTO t VALUES (4, 'x', 5)"), "ERROR 1062 (23000): Duplicate entry 'x' for key 't.name'");
  EXPECT_EQ(E("UPDATE t SET name = 'z' WHERE id = 1"), "ERROR 1062 (23000): Duplicate entry 'z' for key 't.name'");
  Ok("INSERT INTO t VALUES (4, NULL, 5), (5, NULL, 6)");  // NULLs never collide
  Ok("DROP INDEX name ON t");
  Ok("INSERT INTO t VALUES (6, 'x', 7)");
  EXPECT_EQ(Q("SELECT id FROM t WHERE name = 'x' ORDER BY id"), "1|6");
}

TEST_F(SqlTest, DropTableAndDropDatabaseRemoveData) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(5), KEY k (v))");
  Ok("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  Ok("DROP TABLE t");
  EXPECT_EQ(E("SELECT * FROM t"), "ERROR 1146 (42S02): Table 'd.t' doesn't exist");
  Ok("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(5), KEY k (v))");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t"), "0");
  EXPECT_EQ(Q("SELECT id FROM t WHERE v = 'a'"), "");
  Ok("INSERT INTO t VALUES (1, 'c')");
  Ok("CREATE DATABASE other");
  Ok("CREATE TABLE other.o (id INT)");
  Ok("INSERT INTO other.o VALUES (1)");
  Ok("DROP DATABASE other");
  EXPECT_EQ(E("USE other"), "ERROR 1049 (42000): Unknown database 'other'");
  EXPECT_EQ(Q("SHOW DATABASES LIKE 'other'"), "");
  Ok("CREATE DATABASE other");
  Ok("CREATE TABLE other.o (id INT)");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM other.o"), "0");
  EXPECT_EQ(Q("SELECT v FROM t"), "c");
  Ok("DROP TABLE IF EXISTS nope");
  Ok("CREATE TABLE IF NOT EXISTS t (x INT)");
  Ok("CREATE DATABASE IF NOT EXISTS d");
  Ok("DROP DATABASE IF EXISTS nope");
}

TEST_F(SqlTest, ErrorCodesAndMessages) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(3) NOT NULL, n TINYINT)");
  Ok("INSERT INTO t VALUES (1, 'a', 1)");
  auto syntax = Parse("SELEC 1");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().mysql_errno(), 1064);
  EXPECT_EQ(syntax.status().sqlstate(), "42000");
  EXPECT_EQ(E("SELECT * FROM nope"), "ERROR 1146 (42S02): Table 'd.nope' doesn't exist");
  EXPECT_EQ(E("SELECT nope FROM t"), "ERROR 1054 (42S22): Unknown column 'nope' in 'field list'");
  EXPECT_EQ(E("SELECT id FROM t WHERE nope = 1"), "ERROR 1054 (42S22): Unknown column 'nope' in 'where clause'");
  EXPECT_EQ(E("SELECT id FROM t ORDER BY nope"), "ERROR 1054 (42S22): Unknown column 'nope' in 'order clause'");
  EXPECT_EQ(E("INSERT INTO t VALUES (1, 'b', 1)"), "ERROR 1062 (23000): Duplicate entry '1' for key 't.PRIMARY'");
  EXPECT_EQ(E("INSERT INTO t VALUES (2, NULL, 1)"), "ERROR 1048 (23000): Column 'v' cannot be null");
  EXPECT_EQ(E("INSERT INTO t VALUES (2, 'b', 1), (3, 'c', 200)"),
            "ERROR 1264 (22003): Out of range value for column 'n' at row 2");
  EXPECT_EQ(E("INSERT INTO t VALUES (2, 'b', 'abc')"),
            "ERROR 1366 (HY000): Incorrect integer value: 'abc' for column 'n' at row 1");
  EXPECT_EQ(E("INSERT INTO t VALUES (2, 'abcd', 1)"), "ERROR 1406 (22001): Data too long for column 'v' at row 1");
  EXPECT_EQ(E("INSERT INTO t (id, v) VALUES (2)"), "ERROR 1136 (21S01): Column count doesn't match value count at row 1");
  EXPECT_EQ(E("INSERT INTO t (id) VALUES (2)"), "ERROR 1364 (HY000): Field 'v' doesn't have a default value");
  EXPECT_EQ(E("INSERT INTO t (id, nope) VALUES (2, 1)"), "ERROR 1054 (42S22): Unknown column 'nope' in 'field list'");
  EXPECT_EQ(E("USE nope"), "ERROR 1049 (42000): Unknown database 'nope'");
  EXPECT_EQ(E("CREATE TABLE t (x INT)"), "ERROR 1050 (42S01): Table 't' already exists");
  EXPECT_EQ(E("DROP TABLE nope"), "ERROR 1051 (42S02): Unknown table 'd.nope'");
  EXPECT_EQ(E("CREATE DATABASE d"), "ERROR 1007 (HY000): Can't create database 'd'; database exists");
  EXPECT_EQ(E("DROP DATABASE nope"), "ERROR 1008 (HY000): Can't drop database 'nope'; database doesn't exist");
  EXPECT_EQ(E("SET @@nope = 1"), "ERROR 1193 (HY000): Unknown system variable 'nope'");
  EXPECT_EQ(E("SELECT @@nope"), "ERROR 1193 (HY000): Unknown system variable 'nope'");
  Session* fresh = NewSession();
  EXPECT_EQ(E(fresh, "SELECT * FROM t"), "ERROR 1046 (3D000): No database selected");
  EXPECT_EQ(E(fresh, "CREATE TABLE t2 (x INT)"), "ERROR 1046 (3D000): No database selected");
  EXPECT_EQ(Q(fresh, "SELECT COUNT(*) FROM d.t"), "1");
  EXPECT_EQ(Q("SELECT * FROM t"), "1,a,1");  // nothing above wrote
}

TEST_F(SqlTest, FailedStatementIsAtomic) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
  // Autocommit: nothing of the failed statement remains.
  EXPECT_EQ(E("INSERT INTO t VALUES (1, 1), (2, 2), (3, NULL)"), "ERROR 1048 (23000): Column 'v' cannot be null");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t"), "0");
  // Explicit transaction: the failed statement is undone, the earlier ones stay.
  Ok("BEGIN");
  Ok("INSERT INTO t VALUES (10, 10)");
  EXPECT_EQ(E("INSERT INTO t VALUES (11, 11), (12, 12), (13, NULL)"), "ERROR 1048 (23000): Column 'v' cannot be null");
  EXPECT_TRUE(s_->in_transaction());
  EXPECT_EQ(Q("SELECT id FROM t ORDER BY id"), "10");
  Ok("INSERT INTO t VALUES (14, 14)");
  Ok("COMMIT");
  Session* other = NewSession();
  EXPECT_EQ(Q(other, "SELECT id FROM d.t ORDER BY id"), "10|14");
  // Failed UPDATE in a transaction: no row of it changes.
  Ok("BEGIN");
  EXPECT_EQ(E("UPDATE t SET id = 14 WHERE id = 10"), "ERROR 1062 (23000): Duplicate entry '14' for key 't.PRIMARY'");
  EXPECT_EQ(Q("SELECT id FROM t ORDER BY id"), "10|14");
  Ok("ROLLBACK");
}

TEST_F(SqlTest, FailedFirstStatementWithAutocommitOffIsAtomic) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
  Ok("SET autocommit = 0");
  EXPECT_EQ(E("INSERT INTO t VALUES (1, 1), (2, 2), (3, NULL)"), "ERROR 1048 (23000): Column 'v' cannot be null");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t"), "0");
  Ok("COMMIT");
  EXPECT_EQ(Q(NewSession(), "SELECT COUNT(*) FROM d.t"), "0");
}

TEST_F(SqlTest, TransactionsAndSnapshotIsolation) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  Ok("INSERT INTO t VALUES (1, 1)");
  Session* other = NewSession();
  Ok(other, "USE d");
  // BEGIN / ROLLBACK, reading our own writes.
  Ok("BEGIN");
  Ok("INSERT INTO t VALUES (2, 2)");
  Ok("UPDATE t SET v = 10 WHERE id = 1");
  EXPECT_EQ(Q("SELECT id, v FROM t ORDER BY id"), "1,10|2,2");
  EXPECT_EQ(Q(other, "SELECT id, v FROM t ORDER BY id"), "1,1");  // not visible uncommitted
  Ok("ROLLBACK");
  EXPECT_EQ(Q("SELECT id, v FROM t ORDER BY id"), "1,1");
  // autocommit=0 + COMMIT.
  Ok("SET autocommit = 0");
  EXPECT_EQ(Q("SELECT @@session.autocommit"), "0");
  Ok("INSERT INTO t VALUES (3, 3)");
  EXPECT_EQ(Q(other, "SELECT COUNT(*) FROM t"), "1");
  Ok("COMMIT");
  EXPECT_EQ(Q(other, "SELECT COUNT(*) FROM t"), "2");
  Ok("SET autocommit = 1");
  // A transaction keeps its snapshot after another session commits.
  Ok("BEGIN");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t"), "2");
  Ok(other, "INSERT INTO t VALUES (4, 4)");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t"), "2");
  Ok("COMMIT");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t"), "3");
}

TEST_F(SqlTest, WriteWriteConflictIs1213) {
  Ok("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  Ok("INSERT INTO t VALUES (1, 1)");
  Session* other = NewSession();
  Ok(other, "USE d");
  Ok("BEGIN");
  Ok(other, "BEGIN");
  // `other` reads the row through its snapshot, then writes it after the first session
  // committed a change to it: a lost update, refused at commit. (Had it not read the row
  // first, its UPDATE would have waited for the row lock and worked on the new version.)
  EXPECT_EQ(Q(other, "SELECT v FROM t WHERE id = 1"), "1");
  Ok("UPDATE t SET v = 2 WHERE id = 1");
  Ok("COMMIT");
  Ok(other, "UPDATE t SET v = 3 WHERE id = 1");
  EXPECT_EQ(E(other, "COMMIT"),
            "ERROR 1213 (40001): Deadlock found when trying to get lock; try restarting transaction");
  EXPECT_FALSE(other->in_transaction());
  EXPECT_EQ(Q(other, "SELECT v FROM t"), "2");
}

TEST(TextForLogsTest, AccountStatementsHidePasswords) {
  auto text = [](std::string_view sql) { return TextForLogs(**ParseOne(sql)); };
  EXPECT_EQ(text("CREATE USER 'a'@'%' IDENTIFIED BY 'pw', b IDENTIFIED WITH mysql_native_password BY \"x'y\""),
            "CREATE USER 'a'@'%' IDENTIFIED BY '<secret>', b IDENTIFIED WITH mysql_native_password BY '<secret>'");
  EXPECT_EQ(text("SET PASSWORD FOR u = 'it''s'"), "SET PASSWORD FOR u = '<secret>'");
  EXPECT_EQ(text("ALTER USER u IDENTIFIED WITH caching_sha2_password AS 'abc'"),
            "ALTER USER u IDENTIFIED WITH caching_sha2_password AS '<secret>'");
  EXPECT_EQ(text("SELECT 'pw' AS a"), "SELECT 'pw' AS a");  // other statements are left alone
}

TEST_F(SqlTest, Variables) {
  EXPECT_NE(Q("SELECT @@version_comment"), "");
  EXPECT_EQ(Q("SELECT @@version"), "8.0.36-strata");
  EXPECT_EQ(Q("SELECT @@session.autocommit, @@autocommit"), "1,1");
  Ok("SET autocommit = OFF");
  EXPECT_EQ(Q("SELECT @@autocommit"), "0");
  Ok("SET autocommit = 1");
  Ok("SET NAMES utf8mb4");
  EXPECT_EQ(Q("SELECT @@character_set_client, @@character_set_results"), "utf8mb4,utf8mb4");
  Ok("SET @x = 5, @y = 'text'");
  EXPECT_EQ(Q("SELECT @x + 1, @y, @undefined"), "6,text,NULL");
  Ok("SET @@session.sql_mode = 'STRICT_TRANS_TABLES'");
  EXPECT_EQ(Q("SELECT @@sql_mode"), "STRICT_TRANS_TABLES");
  EXPECT_EQ(Q("SELECT DATABASE()"), "d");
  EXPECT_EQ(Q(NewSession(), "SELECT DATABASE()"), "NULL");
  EXPECT_EQ(E("SET nope = 1"), "ERROR 1193 (HY000): Unknown system variable 'nope'");
  EXPECT_EQ(Q("SHOW VARIABLES LIKE 'autocommit'"), "autocommit,ON");
  EXPECT_EQ(Q("SHOW VARIABLES LIKE 'character_set_clien_'"), "character_set_client,utf8mb4");
}

TEST_F(SqlTest, Show) {
  Ok("CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT, name VARCHAR(20) NOT NULL DEFAULT 'x', price DECIMAL(6,2),"
     " PRIMARY KEY (id), UNIQUE KEY name (name), KEY k_price (price))");
  Ok("CREATE TABLE t2 (x INT)");
  EXPECT_NE(Q("SHOW DATABASES").find("d"), std::string::npos);
  EXPECT_EQ(Q("SHOW DATABASES LIKE 'd'"), "d");
  EXPECT_EQ(Q("SHOW TABLES"), "t|t2");
  EXPECT_EQ(Q("SHOW TABLES LIKE 't2'"), "t2");
  EXPECT_EQ(Q("SHOW COLUMNS FROM t"),
            "id,int,NO,PRI,NULL,auto_increment|name,varchar(20),NO,UNI,x,|price,decimal(6,2),YES,MUL,NULL,");
  QueryResult create = Ok("SHOW CREATE TABLE t");
  ASSERT_EQ(create.rows.size(), 1u);
  EXPECT_EQ(*create.rows[0][0].ToText(), "t");
  std::string ddl = *create.rows[0][1].ToText();
  EXPECT_NE(ddl.find("CREATE TABLE `t` ("), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("`id` int NOT NULL AUTO_INCREMENT"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("PRIMARY KEY (`id`)"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("UNIQUE KEY `name` (`name`)"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("KEY `k_price` (`price`)"), std::string::npos) << ddl;
  // The statement SHOW CREATE TABLE prints creates the same table again.
  Ok("DROP TABLE t");
  Ok(ddl);
  EXPECT_EQ(*Ok("SHOW CREATE TABLE t").rows[0][1].ToText(), ddl);
  QueryResult index = Ok("SHOW INDEX FROM t");
  ASSERT_EQ(index.rows.size(), 3u);
  EXPECT_EQ(*index.rows[0][2].ToText(), "PRIMARY");
  EXPECT_EQ(*index.rows[0][1].ToText(), "0");  // Non_unique
  EXPECT_EQ(*index.rows[1][2].ToText(), "name");
  EXPECT_EQ(*index.rows[2][2].ToText(), "k_price");
  EXPECT_EQ(*index.rows[2][1].ToText(), "1");
  EXPECT_EQ(E("SHOW COLUMNS FROM nope"), "ERROR 1146 (42S02): Table 'd.nope' doesn't exist");
}

// Random rows and predicates: a query that may use an index returns exactly what the same
// predicate returns when wrapped so that no index applies (k+0, CONCAT(s, '')).
TEST_F(SqlTest, IndexLookupsMatchFullScans) {
  Ok("CREATE TABLE r (id INT PRIMARY KEY, k INT, s VARCHAR(8), KEY k_k (k), KEY k_sk (s, k))");
  const uint32_t seed = 424242;
  std::mt19937 rng(seed);
  auto rand_k = [&]() -> std::string { return rng() % 8 == 0 ? "NULL" : std::to_string(static_cast<int>(rng() % 10) - 2); };
  const std::vector<std::string> strings = {"'a'", "'b'", "'ab'", "''", "NULL", "'a b'"};
  auto rand_s = [&]() { return strings[rng() % strings.size()]; };
  for (int id = 0; id < 150; id++) Ok(fmt::format("INSERT INTO r VALUES ({}, {}, {})", id, rand_k(), rand_s()));
  auto rand_pred = [&](bool wrapped) -> std::string {
    std::string k = wrapped ? "k+0" : "k", s = wrapped ? "CONCAT(s, '')" : "s";
    int a = static_cast<int>(rng() % 10) - 2, b = static_cast<int>(rng() % 10) - 2;
    switch (rng() % 9) {
      case 0: return fmt::format("{} = {}", k, a);
      case 1: return fmt::format("{} IN ({}, {}, 42)", k, a, b);
      case 2: return fmt::format("{} BETWEEN {} AND {}", k, std::min(a, b), std::max(a, b));
      case 3: return fmt::format("{} < {}", k, a);
      case 4: return fmt::format("{} >= {}", k, a);
      case 5: return fmt::format("{} IS NULL", k);
      case 6: return fmt::format("{} = {}", s, strings[rng() % (strings.size() - 1)]);
      case 7: return fmt::format("{} = {} AND {} = {}", s, strings[rng() % (strings.size() - 1)], k, a);
      default: return fmt::format("{} = {} AND {} > {}", s, strings[rng() % (strings.size() - 1)], k, a);
    }
  };
  for (int round = 0; round < 250; round++) {
    // Draw one predicate; replay the same draws for the wrapped form.
    std::mt19937 saved = rng;
    std::string pred = rand_pred(false);
    rng = saved;
    std::string wrapped = rand_pred(true);
    std::string with_index = Q(fmt::format("SELECT id, k, s FROM r WHERE {} ORDER BY id", pred));
    std::string full_scan = Q(fmt::format("SELECT id, k, s FROM r WHERE {} ORDER BY id", wrapped));
    ASSERT_EQ(with_index, full_scan) << "seed " << seed << " round " << round << ": " << pred;
    ASSERT_EQ(with_index.find("ERROR"), std::string::npos) << with_index;
    // Change the data between rounds so that index maintenance is exercised too.
    switch (rng() % 4) {
      case 0: Ok(fmt::format("UPDATE r SET k = {} WHERE id = {}", rand_k(), rng() % 150)); break;
      case 1: Ok(fmt::format("UPDATE r SET s = {}, k = {} WHERE k = {}", rand_s(), rand_k(), rng() % 8)); break;
      case 2: Ok(fmt::format("DELETE FROM r WHERE id = {}", rng() % 150)); break;
      default: Ok(fmt::format("REPLACE INTO r VALUES ({}, {}, {})", rng() % 150, rand_k(), rand_s())); break;
    }
  }
}

}  // namespace
}  // namespace strata::sql

namespace strata::sql {
namespace {

// Three-valued logic: a NULL bound or operand is unknown, not false, and one false side of
// BETWEEN decides it; NULLIF compares with `=`, which is unknown against NULL.
TEST_F(SelectTest, NullLogicInBetweenAndNullif) {
  EXPECT_EQ(Q("SELECT NULLIF(44, NULL), NULLIF(44, 44), NULLIF(NULL, 1), NULLIF(1, 2)"), "44,NULL,NULL,1");
  EXPECT_EQ(Q("SELECT 5 BETWEEN NULL AND 3, 5 NOT BETWEEN NULL AND 3, 2 BETWEEN NULL AND 3, 5 BETWEEN 6 AND NULL"),
            "0,1,NULL,0");
}

// A duplicate TIMESTAMP key is named as the session reads it, not as it is stored (UTC).
TEST_F(SqlTest, DuplicateTimestampKeyShowsTheSessionsTime) {
  Ok("SET time_zone = '+02:00'");
  Ok("CREATE TABLE dts (ts TIMESTAMP PRIMARY KEY, u TIMESTAMP NULL, UNIQUE KEY u_idx (u))");
  Ok("INSERT INTO dts VALUES ('2024-05-01 10:00:00', '2024-05-01 11:00:00'), ('2024-05-01 12:00:00', NULL)");
  EXPECT_EQ(E("INSERT INTO dts VALUES ('2024-05-01 10:00:00', NULL)"),
            "ERROR 1062 (23000): Duplicate entry '2024-05-01 10:00:00' for key 'dts.PRIMARY'");
  EXPECT_EQ(E("UPDATE dts SET u = '2024-05-01 11:00:00' WHERE ts = '2024-05-01 12:00:00'"),
            "ERROR 1062 (23000): Duplicate entry '2024-05-01 11:00:00' for key 'dts.u_idx'");
  Ok("SET time_zone = '+00:00'");
  EXPECT_EQ(E("INSERT INTO dts VALUES ('2024-05-01 08:00:00', NULL)"),
            "ERROR 1062 (23000): Duplicate entry '2024-05-01 08:00:00' for key 'dts.PRIMARY'");
}

// As MySQL: a session copies the global values when it begins, so SET GLOBAL reaches the
// sessions that begin later (and a reset session), not the ones already connected, except
// for variables that only have a global value.
TEST_F(SqlTest, SetGlobalReachesNewSessionsOnly) {
  Session* before = NewSession();
  Ok(before, "USE d");
  Ok("SET GLOBAL sql_mode = 'ANSI_QUOTES'");
  Ok("SET GLOBAL autocommit = 0");
  Ok("SET GLOBAL max_prepared_stmt_count = 5");
  EXPECT_EQ(Q("SELECT @@session.sql_mode = @@global.sql_mode, @@session.autocommit"), "0,1");  // the setter too
  EXPECT_EQ(Q(before, "SELECT @@sql_mode LIKE 'STRICT%', @@autocommit, @@max_prepared_stmt_count"), "1,1,5");
  Session* after = NewSession();
  EXPECT_EQ(Q(after, "SELECT @@sql_mode, @@autocommit"), "ANSI_QUOTES,0");
  // SET SESSION … = DEFAULT takes the global value; a reset session begins again.
  Ok(before, "SET SESSION sql_mode = DEFAULT");
  EXPECT_EQ(Q(before, "SELECT @@sql_mode, @@autocommit"), "ANSI_QUOTES,1");
  Session* reset = NewSession();
  EXPECT_EQ(Q(reset, "SELECT @@autocommit"), "0");
  Ok("SET GLOBAL autocommit = 1");
  reset->Reset();
  EXPECT_EQ(Q(reset, "SELECT @@autocommit"), "1");
  // A variable with only a global value cannot be set for a session (1229), as MySQL.
  EXPECT_EQ(E("SET local_infile = 1").substr(0, 10), "ERROR 1229");
  EXPECT_EQ(E("SET SESSION max_connections = DEFAULT").substr(0, 10), "ERROR 1229");
  // SET autocommit = DEFAULT (the global value, 1 again) commits the open transaction.
  Ok("CREATE TABLE ac (id INT PRIMARY KEY)");
  Ok(before, "SET autocommit = 0");
  Ok(before, "INSERT INTO ac VALUES (1)");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM ac"), "0");
  Ok(before, "SET autocommit = DEFAULT");
  EXPECT_EQ(Q("SELECT COUNT(*) FROM ac"), "1");
  Ok("SET GLOBAL sql_mode = DEFAULT");
  Ok("SET GLOBAL max_prepared_stmt_count = DEFAULT");
}

}  // namespace
}  // namespace strata::sql
