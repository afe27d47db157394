// The harness of the libmariadb process tests: a `stratadb start` child process (the real
// binary, STRATADB_BIN) with its own data directory and ports, and small helpers over the C
// client library.
#pragma once

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

namespace strata::testing {


inline constexpr const char* kPassword = "libmariadb-Pw1";

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

inline void Exec(MYSQL* m, const std::string& sql) {
  ASSERT_EQ(mysql_query(m, sql.c_str()), 0) << sql << ": " << mysql_error(m);
}

inline std::vector<std::vector<std::string>> Query(MYSQL* m, const std::string& sql) {
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

// A started server and a root connection to its database `app` (created for each test).
class AppDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(server_.Start());
    conn_ = server_.Connect();
    ASSERT_TRUE(conn_);
    Exec(m(), "CREATE DATABASE app");
    Exec(m(), "USE app");
  }
  MYSQL* m() { return conn_.get(); }

  StrataProcess server_;
  Conn conn_;
};

}  // namespace strata::testing
