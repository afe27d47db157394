// The real `stratadb` binary (a child process, STRATADB_BIN) driven by the real C client
// library (libmariadb): password authentication, DDL/DML, transactions, affected rows,
// insert ids, result metadata, error codes and SQLSTATEs, and reconnection after a restart.
#include <errmsg.h>
#include <fcntl.h>
#include <mysql.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../testing/free_port.h"

namespace {

using strata::testing::FreePort;

constexpr const char* kPassword = "libmariadb-Pw1";

struct MysqlCloser {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
using Conn = std::unique_ptr<MYSQL, MysqlCloser>;
struct ResultFree {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};
using Res = std::unique_ptr<MYSQL_RES, ResultFree>;

// One `stratadb start` child process with its own data dir and ports.
class StrataProcess {
 public:
  StrataProcess() {
    const char* bin = std::getenv("STRATADB_BIN");
    bin_ = bin ? bin : "stratadb";
    char tmpl[] = "/tmp/stratadb-libmariadb-XXXXXX";
    tmp_ = mkdtemp(tmpl);
    port_ = FreePort();
    admin_port_ = FreePort();
    raft_port_ = FreePort();
  }
  ~StrataProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(tmp_);
  }

  void Start() {
    std::vector<std::string> args = {bin_, "start", "--data-dir", tmp_ + "/data", "--port", std::to_string(port_),
                                     "--admin-port", std::to_string(admin_port_), "--raft-port",
                                     std::to_string(raft_port_), "--root-password", kPassword};
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      int log = open((tmp_ + "/stderr.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(log, 2);
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    // Ready when a client can log in.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      ASSERT_EQ(waitpid(pid_, &status, WNOHANG), 0) << "stratadb exited: " << Log();
      if (Connect(nullptr, /*quiet=*/true)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "stratadb did not accept connections: " << Log();
  }

  // SIGTERM; returns the exit status.
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  void Kill9() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  Conn Connect(const char* db = nullptr, bool quiet = false, const char* password = kPassword) {
    Conn m(mysql_init(nullptr));
    unsigned timeout = 10;
    mysql_options(m.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(m.get(), MYSQL_OPT_READ_TIMEOUT, &timeout);
    if (mysql_real_connect(m.get(), "127.0.0.1", "root", password, db, port_, nullptr, 0) == nullptr) {
      if (!quiet) ADD_FAILURE() << "connect: " << mysql_error(m.get());
      last_connect_errno_ = mysql_errno(m.get());
      return nullptr;
    }
    return m;
  }

  std::string Log() const {
    std::ifstream f(tmp_ + "/stderr.log");
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  unsigned last_connect_errno() const { return last_connect_errno_; }

 private:
  std::string bin_, tmp_;
  int port_ = 0, admin_port_ = 0, raft_port_ = 0;
  pid_t pid_ = -1;
  unsigned last_connect_errno_ = 0;
};

void Exec(MYSQL* m, const std::string& sql) {
  ASSERT_EQ(mysql_query(m, sql.c_str()), 0) << sql << ": " << mysql_error(m);
}

std::vector<std::vector<std::string>> Query(MYSQL* m, const std::string& sql) {
  std::vector<std::vector<std::string>> out;
  if (mysql_query(m, sql.c_str()) != 0) {
    ADD_FAILURE() << sql << ": " << mysql_error(m);
    return out;
  }
  Res res(mysql_store_result(m));
  if (!res) {
    ADD_FAILURE() << sql << ": no result set";
    return out;
  }
  unsigned n = mysql_num_fields(res.get());
  while (MYSQL_ROW row = mysql_fetch_row(res.get())) {
    std::vector<std::string> r;
    for (unsigned i = 0; i < n; i++) r.push_back(row[i] ? row[i] : "NULL");
    out.push_back(std::move(r));
  }
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

class LibmariadbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(server_.Start());
    conn_ = server_.Connect();
    ASSERT_TRUE(conn_);
    Exec(m(), "CREATE DATABASE app");
    Exec(m(), "USE app");
  }
  MYSQL* m() { return conn_.get(); }

  void ExpectError(const std::string& sql, unsigned code, const char* sqlstate, const std::string& message) {
    EXPECT_NE(mysql_query(m(), sql.c_str()), 0) << sql;
    EXPECT_EQ(mysql_errno(m()), code) << sql << ": " << mysql_error(m());
    EXPECT_STREQ(mysql_sqlstate(m()), sqlstate) << sql;
    EXPECT_EQ(std::string(mysql_error(m())), message) << sql;
  }

  StrataProcess server_;
  Conn conn_;
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
