// strata_mysql driven by the real client library (libmariadb), in-process, on an
// ephemeral port: authentication flows, TLS, commands, result sets, limits.
#include <arpa/inet.h>
#include <mysql.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <cstring>

#include <gtest/gtest.h>

#include "obs/metrics.h"
#include "server/mysql/auth.h"
#include "server/mysql/protocol.h"
#include "server/mysql/server.h"
#include "fake_session.h"

namespace strata::server::mysql {
namespace {

using Options = std::function<void(MYSQL*)>;

struct MysqlCloser {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
using MysqlPtr = std::unique_ptr<MYSQL, MysqlCloser>;

class MysqlServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer({}); }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  void StartServer(std::function<void(ServerOptions&)> tweak) {
    if (server_) server_->Stop();
    ServerOptions opts;
    opts.port = 0;
    opts.server_version = "8.0.36-StrataDB-test";
    opts.registry = &registry_;
    opts.max_allowed_packet = 32 << 20;
    if (tweak) tweak(opts);
    auto s = Server::Start(opts, &factory_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
  }

  // Connects; on failure returns null and sets *err to the client's error number.
  MysqlPtr Connect(const char* user, const char* pw, Options opts = {}, unsigned* err = nullptr,
                   const char* db = nullptr, unsigned long flags = 0) {
    MYSQL* m = mysql_init(nullptr);
    unsigned timeout = 10;
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
    if (opts) opts(m);
    if (mysql_real_connect(m, "127.0.0.1", user, pw, db, server_->port(), nullptr, flags) ==
        nullptr) {
      last_error_ = mysql_error(m);
      if (err) *err = mysql_errno(m);
      mysql_close(m);
      return nullptr;
    }
    return MysqlPtr(m);
  }

  // Runs a query and returns its rows as strings ("NULL" for NULL).
  std::vector<std::vector<std::string>> Rows(MYSQL* m, const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    EXPECT_EQ(mysql_real_query(m, sql.data(), sql.size()), 0) << mysql_error(m);
    MYSQL_RES* res = mysql_store_result(m);
    if (res == nullptr) return out;
    unsigned n = mysql_num_fields(res);
    while (MYSQL_ROW row = mysql_fetch_row(res)) {
      unsigned long* lens = mysql_fetch_lengths(res);
      std::vector<std::string> r;
      for (unsigned i = 0; i < n; ++i) r.push_back(row[i] ? std::string(row[i], lens[i]) : "NULL");
      out.push_back(std::move(r));
    }
    mysql_free_result(res);
    return out;
  }

  obs::Registry registry_;
  testing::FakeFactory factory_;
  std::unique_ptr<Server> server_;
  std::string last_error_;
};

Options DefaultAuth(const char* plugin) {
  return [plugin](MYSQL* m) { mysql_options(m, MYSQL_DEFAULT_AUTH, plugin); };
}

Options Tls(Options more = {}) {
  return [more](MYSQL* m) {
    my_bool on = 1, off = 0;
    mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &on);
    mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
    if (more) more(m);
  };
}

TEST_F(MysqlServerTest, NativePasswordSelect) {
  MysqlPtr m = Connect("root", "pw");
  ASSERT_TRUE(m) << last_error_;
  EXPECT_EQ(Rows(m.get(), "SELECT 1"), (std::vector<std::vector<std::string>>{{"1"}}));
  EXPECT_EQ(Rows(m.get(), "SELECT NULL, 'a'"),
            (std::vector<std::vector<std::string>>{{"NULL", "a"}, {"", "NULL"}}));
  EXPECT_EQ(std::string(mysql_get_server_info(m.get())), "8.0.36-StrataDB-test");
}

TEST_F(MysqlServerTest, CachingSha2FastPath) {
  MysqlPtr m = Connect("root", "pw", DefaultAuth("caching_sha2_password"));
  ASSERT_TRUE(m) << last_error_;
  EXPECT_EQ(Rows(m.get(), "SELECT 1").size(), 1u);
  MysqlPtr sha = Connect("sha_only", "shapw");  // native first, switched to caching_sha2
  ASSERT_TRUE(sha) << last_error_;
  MysqlPtr nat = Connect("native_only", "npw", DefaultAuth("caching_sha2_password"));
  ASSERT_TRUE(nat) << last_error_;
}

TEST_F(MysqlServerTest, WrongPasswordIsAccessDenied) {
  unsigned err = 0;
  EXPECT_FALSE(Connect("root", "nope", {}, &err));
  EXPECT_EQ(err, 1045u);
  EXPECT_NE(last_error_.find("Access denied for user 'root'@'127.0.0.1' (using password: YES)"),
            std::string::npos) << last_error_;
  EXPECT_FALSE(Connect("root", "nope", DefaultAuth("caching_sha2_password"), &err));
  EXPECT_EQ(err, 1045u);
  EXPECT_FALSE(Connect("root", "", {}, &err));
  EXPECT_EQ(err, 1045u);
  EXPECT_NE(last_error_.find("(using password: NO)"), std::string::npos) << last_error_;
  EXPECT_FALSE(Connect("nobody", "pw", {}, &err));
  EXPECT_EQ(err, 1045u);
  EXPECT_NE(last_error_.find("'nobody'@'127.0.0.1' (using password: YES)"), std::string::npos)
      << last_error_;
  EXPECT_FALSE(Connect("nobody", "", DefaultAuth("caching_sha2_password"), &err));
  EXPECT_EQ(err, 1045u);
  EXPECT_FALSE(Connect("sha_only", "wrong", {}, &err));
  EXPECT_EQ(err, 1045u);
  EXPECT_GE(registry_.AddCounter("stratadb_mysql_aborted_connects_total", "").Value(), 5u);
}

TEST_F(MysqlServerTest, EmptyPasswordAccount) {
  ASSERT_TRUE(Connect("nopass", "")) << last_error_;
  ASSERT_TRUE(Connect("nopass", "", DefaultAuth("caching_sha2_password"))) << last_error_;
  unsigned err = 0;
  EXPECT_FALSE(Connect("nopass", "something", {}, &err));
  EXPECT_EQ(err, 1045u);
}

TEST_F(MysqlServerTest, Tls) {
  MysqlPtr m = Connect("root", "pw", Tls());
  ASSERT_TRUE(m) << last_error_;
  const char* cipher = mysql_get_ssl_cipher(m.get());
  ASSERT_NE(cipher, nullptr);
  EXPECT_EQ(Rows(m.get(), "SELECT 1").size(), 1u);
  MysqlPtr sha = Connect("root", "pw", Tls(DefaultAuth("caching_sha2_password")));
  ASSERT_TRUE(sha) << last_error_;
  EXPECT_NE(mysql_get_ssl_cipher(sha.get()), nullptr);
}

TEST_F(MysqlServerTest, CachingSha2FullAuthOverTls) {
  StartServer([](ServerOptions& o) { o.caching_sha2_fast_auth = false; });
  MysqlPtr m = Connect("root", "pw", Tls(DefaultAuth("caching_sha2_password")));
  ASSERT_TRUE(m) << last_error_;
  EXPECT_EQ(Rows(m.get(), "SELECT 1").size(), 1u);
  unsigned err = 0;
  EXPECT_FALSE(Connect("root", "bad", Tls(DefaultAuth("caching_sha2_password")), &err));
  EXPECT_EQ(err, 1045u);
}

TEST_F(MysqlServerTest, CachingSha2FullAuthOverRsa) {
  StartServer([](ServerOptions& o) { o.caching_sha2_fast_auth = false; });
  MysqlPtr m = Connect("sha_only", "shapw", DefaultAuth("caching_sha2_password"));
  ASSERT_TRUE(m) << last_error_;
  EXPECT_EQ(Rows(m.get(), "SELECT 1").size(), 1u);
  unsigned err = 0;
  EXPECT_FALSE(Connect("sha_only", "bad", DefaultAuth("caching_sha2_password"), &err));
  EXPECT_EQ(err, 1045u);
}

TEST_F(MysqlServerTest, OkPacketFieldsAndErrors) {
  MysqlPtr m = Connect("root", "pw");
  ASSERT_TRUE(m) << last_error_;
  ASSERT_EQ(mysql_query(m.get(), "INSERT INTO t VALUES (1)"), 0);
  EXPECT_EQ(mysql_affected_rows(m.get()), 3u);
  EXPECT_EQ(mysql_insert_id(m.get()), 42u);
  EXPECT_EQ(mysql_warning_count(m.get()), 1u);
  EXPECT_STREQ(mysql_info(m.get()), "Records: 3  Duplicates: 0  Warnings: 1");
  ASSERT_NE(mysql_query(m.get(), "fail here"), 0);
  EXPECT_EQ(mysql_errno(m.get()), 1064u);
  EXPECT_STREQ(mysql_sqlstate(m.get()), "42000");
  ASSERT_NE(mysql_query(m.get(), "plainfail"), 0);
  EXPECT_EQ(mysql_errno(m.get()), 1105u);
  EXPECT_STREQ(mysql_sqlstate(m.get()), "HY000");
  ASSERT_NE(mysql_query(m.get(), "badrow"), 0);
  EXPECT_EQ(mysql_errno(m.get()), 1105u);
  // Status flags follow the session.
  ASSERT_EQ(mysql_query(m.get(), "BEGIN"), 0);
  unsigned status = 0;
  mariadb_get_infov(m.get(), MARIADB_CONNECTION_SERVER_STATUS, &status);
  EXPECT_TRUE(status & 1) << status;  // SERVER_STATUS_IN_TRANS
  ASSERT_EQ(mysql_query(m.get(), "COMMIT"), 0);
  mariadb_get_infov(m.get(), MARIADB_CONNECTION_SERVER_STATUS, &status);
  EXPECT_FALSE(status & 1) << status;
  EXPECT_TRUE(status & 2) << status;  // SERVER_STATUS_AUTOCOMMIT
}

TEST_F(MysqlServerTest, InitDbPingFieldListResetStatistics) {
  unsigned err = 0;
  EXPECT_FALSE(Connect("root", "pw", {}, &err, "nosuchdb"));
  EXPECT_EQ(err, 1049u);
  MysqlPtr m = Connect("root", "pw", {}, nullptr, "test");
  ASSERT_TRUE(m) << last_error_;
  EXPECT_EQ(Rows(m.get(), "SELECT DATABASE()")[0][0], "test");
  EXPECT_EQ(mysql_select_db(m.get(), "other"), 0);
  EXPECT_EQ(Rows(m.get(), "SELECT DATABASE()")[0][0], "other");
  EXPECT_NE(mysql_select_db(m.get(), "nope"), 0);
  EXPECT_EQ(mysql_errno(m.get()), 1049u);
  EXPECT_EQ(mysql_ping(m.get()), 0);

  MYSQL_RES* fields = mysql_list_fields(m.get(), "t", nullptr);
  ASSERT_NE(fields, nullptr) << mysql_error(m.get());
  ASSERT_EQ(mysql_num_fields(fields), 2u);
  EXPECT_STREQ(mysql_fetch_field_direct(fields, 0)->name, "id");
  EXPECT_EQ(mysql_fetch_field_direct(fields, 0)->type, MYSQL_TYPE_LONGLONG);
  EXPECT_STREQ(mysql_fetch_field_direct(fields, 1)->name, "name");
  mysql_free_result(fields);
  EXPECT_EQ(mysql_list_fields(m.get(), "missing", nullptr), nullptr);
  EXPECT_EQ(mysql_errno(m.get()), 1146u);

  ASSERT_EQ(mysql_query(m.get(), "BEGIN"), 0);
  EXPECT_EQ(mysql_reset_connection(m.get()), 0) << mysql_error(m.get());
  EXPECT_EQ(Rows(m.get(), "SELECT 1").size(), 1u);  // libmariadb reads status from this
  unsigned status = 0;
  mariadb_get_infov(m.get(), MARIADB_CONNECTION_SERVER_STATUS, &status);
  EXPECT_FALSE(status & 1);
  const char* stat = mysql_stat(m.get());
  ASSERT_NE(stat, nullptr);
  EXPECT_NE(std::string(stat).find("Uptime:"), std::string::npos) << stat;
  EXPECT_EQ(Rows(m.get(), "SELECT 1").size(), 1u);  // still in step after all that
}

TEST_F(MysqlServerTest, MultiStatements) {
  MysqlPtr m = Connect("root", "pw", {}, nullptr, nullptr, CLIENT_MULTI_STATEMENTS);
  ASSERT_TRUE(m) << last_error_;
  ASSERT_EQ(mysql_query(m.get(), "SELECT 1;INSERT x;SELECT NULL, 'a'"), 0) << mysql_error(m.get());
  std::vector<int> kinds;  // row count, or -1 for an OK
  do {
    MYSQL_RES* res = mysql_store_result(m.get());
    if (res) {
      kinds.push_back(static_cast<int>(mysql_num_rows(res)));
      mysql_free_result(res);
    } else {
      EXPECT_EQ(mysql_field_count(m.get()), 0u);
      kinds.push_back(-1);
    }
  } while (mysql_next_result(m.get()) == 0);
  EXPECT_EQ(kinds, (std::vector<int>{1, -1, 2}));
  // An error stops the batch: results before it arrive, then the error.
  ASSERT_EQ(mysql_query(m.get(), "SELECT 1;fail;SELECT 1"), 0);
  MYSQL_RES* res = mysql_store_result(m.get());
  ASSERT_NE(res, nullptr);
  mysql_free_result(res);
  EXPECT_GT(mysql_next_result(m.get()), 0);
  EXPECT_EQ(mysql_errno(m.get()), 1064u);
  EXPECT_EQ(Rows(m.get(), "SELECT 1").size(), 1u);
}

// The binary protocol end to end through libmariadb (the SQL side is a fake; the real one
// is tested in tests/integration/sql_libmariadb_test.cc).
TEST_F(MysqlServerTest, PreparedStatementEchoesParameters) {
  MysqlPtr m = Connect("root", "pw");
  ASSERT_TRUE(m) << last_error_;
  MYSQL_STMT* stmt = mysql_stmt_init(m.get());
  ASSERT_EQ(mysql_stmt_prepare(stmt, "SELECT ?", 8), 0) << mysql_stmt_error(stmt);
  EXPECT_EQ(mysql_stmt_param_count(stmt), 1u);
  EXPECT_EQ(mysql_stmt_field_count(stmt), 1u);
  for (const char* text : {"hello", ""}) {
    MYSQL_BIND param{};
    unsigned long len = std::strlen(text);
    param.buffer_type = MYSQL_TYPE_STRING;
    param.buffer = const_cast<char*>(text);
    param.buffer_length = len;
    param.length = &len;
    ASSERT_EQ(mysql_stmt_bind_param(stmt, &param), 0);
    ASSERT_EQ(mysql_stmt_execute(stmt), 0) << mysql_stmt_error(stmt);
    char out[32] = {};
    unsigned long out_len = 0;
    my_bool is_null = 0;
    MYSQL_BIND result{};
    result.buffer_type = MYSQL_TYPE_STRING;
    result.buffer = out;
    result.buffer_length = sizeof out;
    result.length = &out_len;
    result.is_null = &is_null;
    ASSERT_EQ(mysql_stmt_bind_result(stmt, &result), 0);
    ASSERT_EQ(mysql_stmt_fetch(stmt), 0) << mysql_stmt_error(stmt);
    EXPECT_EQ(std::string(out, out_len), text);
    EXPECT_EQ(mysql_stmt_fetch(stmt), MYSQL_NO_DATA);
  }
  mysql_stmt_close(stmt);
  // A statement that failed to prepare leaves the connection usable.
  stmt = mysql_stmt_init(m.get());
  EXPECT_NE(mysql_stmt_prepare(stmt, "fail", 4), 0);
  EXPECT_EQ(mysql_stmt_errno(stmt), 1064u);
  mysql_stmt_close(stmt);
  EXPECT_EQ(Rows(m.get(), "SELECT 1").size(), 1u);
}

TEST_F(MysqlServerTest, ResultLargerThan16MiB) {
  MysqlPtr m = Connect("root", "pw");
  ASSERT_TRUE(m) << last_error_;
  unsigned long max = 64 << 20;
  mysql_options(m.get(), MYSQL_OPT_MAX_ALLOWED_PACKET, &max);
  for (size_t n : {size_t{0xffffff - 4}, size_t{0xffffff - 5}, size_t{(17 << 20) + 3}}) {
    auto rows = Rows(m.get(), "big " + std::to_string(n));
    ASSERT_EQ(rows.size(), 1u);
    ASSERT_EQ(rows[0][0].size(), n);
    EXPECT_EQ(rows[0][0][4093], static_cast<char>('a' + (4093 % 26)));
  }
  EXPECT_EQ(Rows(m.get(), "SELECT 1").size(), 1u);
}

TEST_F(MysqlServerTest, QueryLargerThan16MiB) {
  MysqlPtr m = Connect("root", "pw");
  ASSERT_TRUE(m) << last_error_;
  for (size_t n : {size_t{0xffffff - 1}, size_t{0xffffff}, size_t{20 << 20}}) {
    std::string q = "INSERT " + std::string(n - 7, 'v');
    ASSERT_EQ(mysql_real_query(m.get(), q.data(), q.size()), 0) << n << mysql_error(m.get());
    EXPECT_EQ(mysql_affected_rows(m.get()), 3u);
  }
}

TEST_F(MysqlServerTest, PacketOverMaxAllowedPacket) {
  StartServer([](ServerOptions& o) { o.max_allowed_packet = 1 << 20; });
  MysqlPtr other = Connect("root", "pw");
  ASSERT_TRUE(other) << last_error_;
  MysqlPtr m = Connect("root", "pw");
  ASSERT_TRUE(m) << last_error_;
  std::string q = "INSERT " + std::string(2 << 20, 'v');
  EXPECT_NE(mysql_real_query(m.get(), q.data(), q.size()), 0);
  // The client sees ER_NET_PACKET_TOO_LARGE or the lost connection, depending on timing.
  EXPECT_TRUE(mysql_errno(m.get()) == 1153 || mysql_errno(m.get()) == 2013 ||
              mysql_errno(m.get()) == 2006) << mysql_errno(m.get()) << mysql_error(m.get());
  EXPECT_EQ(Rows(other.get(), "SELECT 1").size(), 1u);
  EXPECT_TRUE(Connect("root", "pw")) << last_error_;
}

TEST_F(MysqlServerTest, TooManyConnections) {
  StartServer([](ServerOptions& o) { o.max_connections = 2; });
  MysqlPtr a = Connect("root", "pw");
  MysqlPtr b = Connect("root", "pw");
  ASSERT_TRUE(a && b) << last_error_;
  unsigned err = 0;
  EXPECT_FALSE(Connect("root", "pw", {}, &err));
  EXPECT_EQ(err, 1040u) << last_error_;
  a.reset();
  for (int i = 0; i < 200 && server_->open_connections() > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(Connect("root", "pw")) << last_error_;
}

TEST_F(MysqlServerTest, IdleConnectionClosedAfterWaitTimeout) {
  StartServer([](ServerOptions& o) { o.wait_timeout = std::chrono::seconds(1); });
  MysqlPtr m = Connect("root", "pw");
  ASSERT_TRUE(m) << last_error_;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_NE(mysql_query(m.get(), "SELECT 1"), 0);
  EXPECT_EQ(server_->open_connections(), 0u);
}

TEST_F(MysqlServerTest, StopClosesIdleConnections) {
  MysqlPtr m = Connect("root", "pw");
  ASSERT_TRUE(m);
  EXPECT_EQ(Rows(m.get(), "SELECT 1").size(), 1u);
  EXPECT_EQ(server_->open_connections(), 1u);
  server_->Stop();
  EXPECT_EQ(server_->open_connections(), 0u);
  EXPECT_NE(mysql_query(m.get(), "SELECT 1"), 0);
  std::string metrics = registry_.RenderPrometheus();
  EXPECT_NE(metrics.find("stratadb_mysql_commands_total{command=\"query\"}"), std::string::npos);
  EXPECT_NE(metrics.find("stratadb_mysql_connections_total 1"), std::string::npos) << metrics;
}

// A client may send its TLS ClientHello in the same segment as the SSLRequest (PyMySQL
// often does); those bytes must reach OpenSSL, not the packet reader's buffer.
TEST_F(MysqlServerTest, ClientHelloPipelinedBehindSslRequest) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  auto read_packet = [](auto read) {
    unsigned char h[4];
    if (!read(h, 4)) return std::string();
    std::string p(h[0] | (h[1] << 8) | (h[2] << 16), '\0');
    return read(p.data(), p.size()) ? p : std::string();
  };
  auto sock_read = [fd](void* dst, size_t n) {
    for (char* d = static_cast<char*>(dst); n > 0;) {
      ssize_t got = ::recv(fd, d, n, 0);
      if (got <= 0) return false;
      d += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  };
  std::string hello = read_packet(sock_read);
  ASSERT_GT(hello.size(), 60u);
  size_t ver_end = hello.find('\0', 1);
  std::string nonce = hello.substr(ver_end + 5, 8) + hello.substr(ver_end + 5 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10, 12);

  uint32_t caps = kClientProtocol41 | kClientSsl | kClientSecureConnection | kClientPluginAuth |
                  kClientPluginAuthLenencClientData;
  PacketWriter ssl_req;
  ssl_req.U24(32).U8(1).U32(caps).U32(1 << 24).U8(45).Zeros(23);
  // MSG_MORE holds the SSLRequest back until the ClientHello joins it in one segment.
  ASSERT_EQ(::send(fd, ssl_req.str().data(), ssl_req.str().size(), MSG_MORE), 36);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  ASSERT_EQ(SSL_connect(ssl), 1);

  PacketWriter resp;
  resp.U32(caps).U32(1 << 24).U8(45).Zeros(23).NulString("root");
  resp.LenencString(NativeScramble("pw", nonce)).NulString(kNativePlugin);
  PacketWriter framed;
  framed.U24(static_cast<uint32_t>(resp.str().size())).U8(2).Bytes(resp.str());
  ASSERT_GT(SSL_write(ssl, framed.str().data(), static_cast<int>(framed.str().size())), 0);
  std::string ok = read_packet([ssl](void* dst, size_t n) {
    for (char* d = static_cast<char*>(dst); n > 0;) {
      int got = SSL_read(ssl, d, static_cast<int>(n));
      if (got <= 0) return false;
      d += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  });
  ASSERT_FALSE(ok.empty());
  EXPECT_EQ(ok[0], '\0') << "not an OK packet";
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
}

}  // namespace
}  // namespace strata::server::mysql
