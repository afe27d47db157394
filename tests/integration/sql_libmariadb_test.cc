// The real `stratadb` binary (a child process, STRATADB_BIN) driven by the real C client
// library (libmariadb): password authentication, DDL/DML, transactions, affected rows,
// insert ids, result metadata, error codes and SQLSTATEs, and reconnection after a restart.
#include <errmsg.h>
#include <mysql.h>

#include <string>

#include <gtest/gtest.h>

#include "libmariadb_harness.h"

namespace {

using namespace strata::testing;

class LibmariadbTest : public AppDatabaseTest {
 protected:
  void ExpectError(const std::string& sql, unsigned code, const char* sqlstate, const std::string& message) {
    EXPECT_NE(mysql_query(m(), sql.c_str()), 0) << sql;
    EXPECT_EQ(mysql_errno(m()), code) << sql << ": " << mysql_error(m());
    EXPECT_STREQ(mysql_sqlstate(m()), sqlstate) << sql;
    EXPECT_EQ(std::string(mysql_error(m())), message) << sql;
  }
};

TEST_F(LibmariadbTest, WrongPasswordIs1045) {
  EXPECT_FALSE(server_.Connect(nullptr, /*quiet=*/true, "wrong"));
  EXPECT_EQ(server_.last_connect_errno(), 1045u);
}

TEST_F(LibmariadbTest, DmlAffectedRowsAndInsertId) {
  Exec(m(), "CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(20) NOT NULL, n INT)");
  Exec(m(), "INSERT INTO t (name, n) VALUES ('a', 1), ('b', 2), ('c', 3)");
  EXPECT_EQ(mysql_affected_rows(m()), 3u);
  EXPECT_EQ(mysql_insert_id(m()), 1u);  // the first generated id of a multi-row INSERT
  Exec(m(), "INSERT INTO t (name, n) VALUES ('d', 4)");
  EXPECT_EQ(mysql_insert_id(m()), 4u);
  Exec(m(), "UPDATE t SET n = n * 10 WHERE n >= 2");
  EXPECT_EQ(mysql_affected_rows(m()), 3u);
  Exec(m(), "UPDATE t SET n = 10 WHERE id = 1");
  EXPECT_EQ(mysql_affected_rows(m()), 1u);
  Exec(m(), "UPDATE t SET n = 10 WHERE id = 1");
  EXPECT_EQ(mysql_affected_rows(m()), 0u);  // matched, not changed
  Exec(m(), "DELETE FROM t WHERE n > 25");
  EXPECT_EQ(mysql_affected_rows(m()), 2u);
  EXPECT_EQ(Query(m(), "SELECT id, name, n FROM t ORDER BY id"), (Rows{{"1", "a", "10"}, {"2", "b", "20"}}));
  EXPECT_EQ(Query(m(), "SELECT COUNT(*), SUM(n) FROM t"), (Rows{{"2", "30"}}));
}

TEST_F(LibmariadbTest, ResultMetadata) {
  Exec(m(), "CREATE TABLE meta (id INT PRIMARY KEY, b BIGINT NOT NULL, s VARCHAR(30), d DECIMAL(8,2), f DOUBLE)");
  Exec(m(), "INSERT INTO meta VALUES (1, 2, 'x', 1.25, 0.5)");
  ASSERT_EQ(mysql_query(m(), "SELECT id, b, s, d, f FROM meta"), 0) << mysql_error(m());
  Res res(mysql_store_result(m()));
  ASSERT_TRUE(res);
  ASSERT_EQ(mysql_num_fields(res.get()), 5u);
  MYSQL_FIELD* f = mysql_fetch_fields(res.get());
  EXPECT_STREQ(f[0].name, "id");
  EXPECT_STREQ(f[0].table, "meta");
  EXPECT_STREQ(f[0].db, "app");
  EXPECT_EQ(f[0].type, MYSQL_TYPE_LONG);
  EXPECT_TRUE(f[0].flags & NOT_NULL_FLAG);
  EXPECT_TRUE(f[0].flags & PRI_KEY_FLAG);
  EXPECT_STREQ(f[1].name, "b");
  EXPECT_EQ(f[1].type, MYSQL_TYPE_LONGLONG);
  EXPECT_TRUE(f[1].flags & NOT_NULL_FLAG);
  EXPECT_FALSE(f[1].flags & PRI_KEY_FLAG);
  EXPECT_EQ(f[2].type, MYSQL_TYPE_VAR_STRING);
  EXPECT_FALSE(f[2].flags & NOT_NULL_FLAG);
  EXPECT_EQ(f[3].type, MYSQL_TYPE_NEWDECIMAL);
  EXPECT_EQ(f[3].decimals, 2u);
  EXPECT_EQ(f[4].type, MYSQL_TYPE_DOUBLE);
  MYSQL_ROW row = mysql_fetch_row(res.get());
  ASSERT_NE(row, nullptr);
  EXPECT_STREQ(row[3], "1.25");
}

// COM_FIELD_LIST answers from the catalog in a transaction of its own: an explicit
// transaction around it stays open, and an unknown table is 1146.
TEST_F(LibmariadbTest, FieldListFromTheCatalog) {
  Exec(m(), "CREATE TABLE fl (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(20) NOT NULL, n BIGINT)");
  Exec(m(), "BEGIN");
  Exec(m(), "INSERT INTO fl (name) VALUES ('a')");
  Res fields(mysql_list_fields(m(), "fl", nullptr));
  ASSERT_TRUE(fields) << mysql_error(m());
  ASSERT_EQ(mysql_num_fields(fields.get()), 3u);
  MYSQL_FIELD* f = mysql_fetch_fields(fields.get());
  EXPECT_STREQ(f[0].name, "id");
  EXPECT_TRUE(f[0].flags & PRI_KEY_FLAG);
  EXPECT_TRUE(f[0].flags & AUTO_INCREMENT_FLAG);
  EXPECT_STREQ(f[1].name, "name");
  EXPECT_TRUE(f[1].flags & NOT_NULL_FLAG);
  EXPECT_EQ(f[2].type, MYSQL_TYPE_LONGLONG);
  EXPECT_EQ(mysql_list_fields(m(), "missing", nullptr), nullptr);
  EXPECT_EQ(mysql_errno(m()), 1146u);
  Exec(m(), "ROLLBACK");
  EXPECT_EQ(Query(m(), "SELECT COUNT(*) FROM fl"), (Rows{{"0"}}));
}

TEST_F(LibmariadbTest, Transactions) {
  Exec(m(), "CREATE TABLE tx (id INT PRIMARY KEY)");
  Exec(m(), "BEGIN");
  Exec(m(), "INSERT INTO tx VALUES (1), (2)");
  EXPECT_TRUE(m()->server_status & SERVER_STATUS_IN_TRANS);
  Exec(m(), "ROLLBACK");
  EXPECT_FALSE(m()->server_status & SERVER_STATUS_IN_TRANS);
  EXPECT_EQ(Query(m(), "SELECT COUNT(*) FROM tx"), (Rows{{"0"}}));
  ASSERT_EQ(mysql_autocommit(m(), 0), 0);
  Exec(m(), "INSERT INTO tx VALUES (3)");
  Conn other = server_.Connect("app");
  ASSERT_TRUE(other);
  EXPECT_EQ(Query(other.get(), "SELECT COUNT(*) FROM tx"), (Rows{{"0"}}));
  ASSERT_EQ(mysql_commit(m()), 0);
  EXPECT_EQ(Query(other.get(), "SELECT id FROM tx"), (Rows{{"3"}}));
  ASSERT_EQ(mysql_autocommit(m(), 1), 0);
}

TEST_F(LibmariadbTest, ErrorCodesAndSessionSurvives) {
  Exec(m(), "CREATE TABLE e (id INT PRIMARY KEY, c INT NOT NULL, s SMALLINT)");
  Exec(m(), "INSERT INTO e VALUES (1, 1, 1)");
  ExpectError("SELEC 1", 1064, "42000",
              "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server "
              "version for the right syntax to use near 'SELEC 1' at line 1");
  ExpectError("SELECT * FROM nope", 1146, "42S02", "Table 'app.nope' doesn't exist");
  ExpectError("SELECT x FROM e", 1054, "42S22", "Unknown column 'x' in 'field list'");
  ExpectError("INSERT INTO e VALUES (1, 2, 2)", 1062, "23000", "Duplicate entry '1' for key 'e.PRIMARY'");
  ExpectError("INSERT INTO e VALUES (2, NULL, 2)", 1048, "23000", "Column 'c' cannot be null");
  ExpectError("INSERT INTO e VALUES (3, 3, 40000)", 1264, "22003", "Out of range value for column 's' at row 1");
  ExpectError("USE nodb", 1049, "42000", "Unknown database 'nodb'");
  EXPECT_NE(mysql_select_db(m(), "nodb2"), 0);  // COM_INIT_DB
  EXPECT_EQ(mysql_errno(m()), 1049u);
  EXPECT_EQ(Query(m(), "SELECT id, c, s FROM e"), (Rows{{"1", "1", "1"}}));
  EXPECT_EQ(mysql_ping(m()), 0);
}

TEST_F(LibmariadbTest, ReconnectAfterRestart) {
  Exec(m(), "CREATE TABLE r (id INT PRIMARY KEY, s VARCHAR(10))");
  Exec(m(), "INSERT INTO r VALUES (1, 'one'), (2, 'two')");
  ASSERT_EQ(server_.Stop(), 0);
  EXPECT_NE(mysql_query(m(), "SELECT 1"), 0);
  EXPECT_TRUE(mysql_errno(m()) == CR_SERVER_LOST || mysql_errno(m()) == CR_SERVER_GONE_ERROR) << mysql_errno(m());
  ASSERT_NO_FATAL_FAILURE(server_.Start());
  // libmariadb's own reconnect (MYSQL_OPT_RECONNECT) on the old handle.
  my_bool reconnect = 1;
  mysql_options(m(), MYSQL_OPT_RECONNECT, &reconnect);
  ASSERT_EQ(mysql_ping(m()), 0) << mysql_error(m());
  Exec(m(), "USE app");
  EXPECT_EQ(Query(m(), "SELECT id, s FROM r ORDER BY id"), (Rows{{"1", "one"}, {"2", "two"}}));
  // And after kill -9 with a fresh connection.
  Exec(m(), "INSERT INTO r VALUES (3, 'three')");
  server_.Kill9();
  ASSERT_NO_FATAL_FAILURE(server_.Start());
  Conn fresh = server_.Connect("app");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(Query(fresh.get(), "SELECT COUNT(*) FROM r"), (Rows{{"3"}}));
}

}  // namespace

namespace {

// CLIENT_SESSION_TRACK (libmariadb asks for it by default): what the last OK packet said
// changed, as "type:value" strings (a system variable as "0:name=value").
std::vector<std::string> Tracked(MYSQL* m) {
  std::vector<std::string> out;
  for (int type = SESSION_TRACK_BEGIN; type <= SESSION_TRACK_END; type++) {
    const char* data = nullptr;
    size_t len = 0;
    auto t = static_cast<enum_session_state_type>(type);
    if (mysql_session_track_get_first(m, t, &data, &len) != 0) continue;
    do {
      std::string value(data, len);
      if (t == SESSION_TRACK_SYSTEM_VARIABLES) {  // the name, then its value
        EXPECT_EQ(mysql_session_track_get_next(m, t, &data, &len), 0);
        value += "=" + std::string(data, len);
      }
      out.push_back(std::to_string(type) + ":" + value);
    } while (mysql_session_track_get_next(m, t, &data, &len) == 0);
  }
  return out;
}

TEST_F(LibmariadbTest, SessionTrackReportsSchemaAndSystemVariables) {
  EXPECT_TRUE(m()->server_capabilities & CLIENT_SESSION_TRACKING);
  Exec(m(), "CREATE DATABASE tracked");
  EXPECT_EQ(Tracked(m()), std::vector<std::string>{});  // nothing changed in the session
  Exec(m(), "USE tracked");
  EXPECT_EQ(Tracked(m()), std::vector<std::string>{"1:tracked"});
  // COM_INIT_DB's OK carries the schema too, but mysql_select_db() does not read session
  // state (mysql_server_test checks that packet).
  EXPECT_EQ(mysql_select_db(m(), "app"), 0);
  Exec(m(), "SET autocommit = 0");
  EXPECT_EQ(Tracked(m()), std::vector<std::string>{"0:autocommit=OFF"});
  Exec(m(), "SET autocommit = 1, time_zone = '+01:00', sql_notes = 0");  // sql_notes is not tracked
  EXPECT_EQ(Tracked(m()), (std::vector<std::string>{"0:autocommit=ON", "0:time_zone=+01:00"}));
  Exec(m(), "SET NAMES latin1");
  EXPECT_EQ(Tracked(m()), (std::vector<std::string>{"0:character_set_client=latin1",
                                                    "0:character_set_connection=latin1",
                                                    "0:character_set_results=latin1"}));
  Exec(m(), "SET NAMES utf8mb4");
  // The tracked list is itself a variable; '*' tracks every one; state changes on request.
  Exec(m(), "SET session_track_system_variables = '*', session_track_state_change = ON, @u = 1");
  EXPECT_EQ(Tracked(m()), (std::vector<std::string>{"0:session_track_system_variables=*",
                                                    "0:session_track_state_change=ON", "2:1"}));
  Exec(m(), "SET session_track_schema = OFF");
  Exec(m(), "USE tracked");
  EXPECT_EQ(Tracked(m()), std::vector<std::string>{"2:1"});  // the state changed; the schema is not told
  EXPECT_NE(mysql_query(m(), "SET session_track_transaction_info = 'SOMETIMES'"), 0);
  EXPECT_EQ(mysql_errno(m()), 1231u);
}

TEST_F(LibmariadbTest, SessionTrackReportsTransactionState) {
  Exec(m(), "CREATE TABLE tx (id INT PRIMARY KEY)");
  Exec(m(), "SET session_track_transaction_info = 'CHARACTERISTICS'");
  Exec(m(), "BEGIN");
  EXPECT_EQ(Tracked(m()), (std::vector<std::string>{"4:START TRANSACTION;", "5:T_______"}));
  Exec(m(), "INSERT INTO tx VALUES (1)");
  EXPECT_EQ(Tracked(m()), std::vector<std::string>{"5:T___W___"});
  Exec(m(), "INSERT INTO tx VALUES (2)");
  EXPECT_EQ(Tracked(m()), std::vector<std::string>{});  // unchanged: not repeated
  // A result set's end carries session state only as an OK packet (CLIENT_DEPRECATE_EOF,
  // which libmariadb does not negotiate; mysql_transcript_test covers it): here the state
  // the SELECT made waits for the next OK.
  EXPECT_EQ(Query(m(), "SELECT COUNT(*) FROM tx"), (Rows{{"2"}}));
  Exec(m(), "SET @after_select = 1");
  EXPECT_EQ(Tracked(m()), std::vector<std::string>{"5:T_R_W_S_"});
  Exec(m(), "COMMIT");
  EXPECT_EQ(Tracked(m()), (std::vector<std::string>{"4:", "5:________"}));
  // autocommit=0: the first statement opens the transaction implicitly (a SELECT too).
  Exec(m(), "SET session_track_transaction_info = 'STATE', autocommit = 0");
  EXPECT_EQ(Query(m(), "SELECT COUNT(*) FROM tx"), (Rows{{"2"}}));
  Exec(m(), "SET @after_select = 1");
  EXPECT_EQ(Tracked(m()), std::vector<std::string>{"5:I_R___S_"});
  Exec(m(), "ROLLBACK");
  Exec(m(), "DELETE FROM tx WHERE id = 2");
  EXPECT_EQ(Tracked(m()), std::vector<std::string>{"5:I___W___"});
  Exec(m(), "ROLLBACK");
  EXPECT_EQ(Tracked(m()), std::vector<std::string>{"5:________"});
  // Through a prepared statement too.
  MYSQL_STMT* stmt = mysql_stmt_init(m());
  ASSERT_EQ(mysql_stmt_prepare(stmt, "INSERT INTO tx VALUES (3)", 25), 0) << mysql_stmt_error(stmt);
  ASSERT_EQ(mysql_stmt_execute(stmt), 0) << mysql_stmt_error(stmt);
  EXPECT_EQ(Tracked(m()), std::vector<std::string>{"5:I___W___"});
  mysql_stmt_close(stmt);
  Exec(m(), "COMMIT");
}

}  // namespace
