// strata_mysql against the client programs users run: the mariadb CLI and PyMySQL.
// Each test is skipped when its client is not installed.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "obs/metrics.h"
#include "server/mysql/server.h"
#include "fake_session.h"

namespace strata::server::mysql {
namespace {

// Runs a shell command; returns its stdout+stderr and sets *exit_code.
std::string RunShell(const std::string& cmd, int* exit_code) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

class MysqlClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions opts;
    opts.port = 0;
    opts.registry = &registry_;
    auto s = Server::Start(opts, &factory_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
  }
  void TearDown() override { server_->Stop(); }

  std::string Mariadb(const std::string& args, int* code) {
    return RunShell(fmt::format("mariadb --no-defaults -h127.0.0.1 -P{} {}", server_->port(), args),
               code);
  }
  std::string PyMysql(const std::string& kwargs, int* code) {
    std::string script = fmt::format(
        "import pymysql\n"
        "c = pymysql.connect(host='127.0.0.1', port={}, {})\n"
        "cur = c.cursor()\n"
        "cur.execute('SELECT 1')\n"
        "print('rows', cur.fetchall())\n"
        "c.close()\n",
        server_->port(), kwargs);
    return RunShell("/usr/bin/python3 -c \"" + script + "\"", code);
  }

  obs::Registry registry_;
  testing::FakeFactory factory_;
  std::unique_ptr<Server> server_;
};

TEST_F(MysqlClientsTest, MariadbCli) {
  if (::access("/usr/bin/mariadb", X_OK) != 0) GTEST_SKIP() << "mariadb CLI not installed";
  int code = 0;
  std::string out = Mariadb("-uroot -ppw -N -e 'SELECT 1'", &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("1"), std::string::npos) << out;
  out = Mariadb("-uroot -ppw -e status", &code);
  EXPECT_NE(out.find(STRATA_MYSQL_VERSION), std::string::npos) << out;
  out = Mariadb("-uroot -ppw --ssl --skip-ssl-verify-server-cert -e 'SELECT 1'", &code);
  EXPECT_EQ(code, 0) << out;
  out = Mariadb("-usha_only -pshapw -e 'SELECT 1'", &code);
  EXPECT_EQ(code, 0) << out;
  out = Mariadb("-unopass -e 'SELECT 1'", &code);
  EXPECT_EQ(code, 0) << out;
  out = Mariadb("-uroot -pwrong -e 'SELECT 1'", &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("1045"), std::string::npos) << out;
}

TEST_F(MysqlClientsTest, PyMysql) {
  int code = 0;
  RunShell("/usr/bin/python3 -c 'import pymysql'", &code);
  if (code != 0) GTEST_SKIP() << "PyMySQL not installed";
  std::string out = PyMysql("user='root', password='pw'", &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("rows ((1,),)"), std::string::npos) << out;
  out = PyMysql("user='root', password='pw', ssl={'check_hostname': False}", &code);
  EXPECT_EQ(code, 0) << out;
  out = PyMysql("user='native_only', password='npw'", &code);
  EXPECT_EQ(code, 0) << out;
  out = PyMysql("user='nopass', password=''", &code);
  EXPECT_EQ(code, 0) << out;
  out = PyMysql("user='root', password='bad'", &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("1045"), std::string::npos) << out;
}

}  // namespace
}  // namespace strata::server::mysql
