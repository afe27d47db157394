// Seeded fuzzing of the protocol layer: random and mutated bytes into the decoders, and
// over raw sockets into a live server. Deterministic for a seed (STRATA_FUZZ_SEED
// overrides; the seed is printed on failure). Asserts: no crash, no hang, and a normal
// client still works afterwards.
#include <arpa/inet.h>
#include <mysql.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "obs/metrics.h"
#include "server/mysql/auth.h"
#include "server/mysql/handshake.h"
#include "server/mysql/protocol.h"
#include "server/mysql/server.h"
#include "fake_session.h"
#include "raw_client.h"

namespace strata::server::mysql {
namespace {

uint64_t Seed() {
  const char* env = std::getenv("STRATA_FUZZ_SEED");
  return env ? std::strtoull(env, nullptr, 10) : 20261125;
}

class Fuzzer {
 public:
  explicit Fuzzer(uint64_t seed) : rng_(seed) {}
  size_t Below(size_t n) { return n == 0 ? 0 : rng_() % n; }
  bool Chance(int percent) { return Below(100) < static_cast<size_t>(percent); }

  std::string RandomBytes(size_t max_len) {
    std::string s(Below(max_len + 1), '\0');
    for (char& c : s) c = static_cast<char>(rng_());
    return s;
  }

  // Flips bytes, truncates, inserts lenenc prefixes with huge lengths, duplicates ranges.
  std::string Mutate(std::string s) {
    int edits = 1 + static_cast<int>(Below(4));
    for (int i = 0; i < edits; ++i) {
      switch (Below(5)) {
        case 0:
          if (!s.empty()) s[Below(s.size())] = static_cast<char>(rng_());
          break;
        case 1:
          s.resize(Below(s.size() + 1));
          break;
        case 2: {
          static const char* kPrefixes[] = {"\xfe\xff\xff\xff\xff\xff\xff\xff\xff", "\xfd\xff\xff\xff",
                                            "\xfc\xff\xff", "\xfb", "\xff"};
          s.insert(Below(s.size() + 1), kPrefixes[Below(5)]);
          break;
        }
        case 3:
          if (!s.empty()) {
            size_t at = Below(s.size());
            s.insert(at, s.substr(at, Below(32)));
          }
          break;
        default:
          s.insert(Below(s.size() + 1), RandomBytes(8));
      }
    }
    return s;
  }

 private:
  std::mt19937_64 rng_;
};

std::string ValidResponse(Fuzzer& f, const std::string& nonce) {
  uint32_t caps = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth |
                  kClientPluginAuthLenencClientData | kClientConnectWithDb |
                  kClientConnectAttrs | kClientMultiStatements | kClientDeprecateEof;
  if (f.Chance(30)) caps ^= 1u << f.Below(32);
  PacketWriter attrs;
  attrs.LenencString("_client_name").LenencString("fuzz");
  PacketWriter w;
  w.U32(caps).U32(1 << 24).U8(45).Zeros(23).NulString("root");
  w.LenencString(NativeScramble("pw", nonce)).NulString("test").NulString(kNativePlugin);
  w.LenencString(attrs.str());
  return w.Take();
}

TEST(MysqlFuzz, Decoders) {
  uint64_t seed = Seed();
  SCOPED_TRACE("STRATA_FUZZ_SEED=" + std::to_string(seed));
  Fuzzer f(seed);
  std::string nonce(20, 'n');
  for (int i = 0; i < 20000; ++i) {
    std::string input = f.Chance(50) ? f.Mutate(ValidResponse(f, nonce)) : f.RandomBytes(200);
    Result<HandshakeResponse> r = DecodeHandshakeResponse(input);
    if (r.ok()) {
      EXPECT_LE(r->auth_response.size(), input.size());
    }
    PacketReader reader(input);
    while (reader.ok() && !reader.at_end()) {
      uint64_t v;
      std::string_view s;
      switch (f.Below(4)) {
        case 0: (void)reader.ReadLenencInt(&v); break;
        case 1: (void)reader.ReadLenencString(&s); break;
        case 2: (void)reader.ReadNulString(&s); break;
        default: (void)reader.Skip(f.Below(8));
      }
      EXPECT_LE(reader.remaining(), input.size());
    }
  }
}

TEST(MysqlFuzz, LiveServer) {
  uint64_t seed = Seed();
  SCOPED_TRACE("STRATA_FUZZ_SEED=" + std::to_string(seed));
  Fuzzer f(seed);
  obs::Registry registry;
  testing::FakeFactory factory;
  ServerOptions opts;
  opts.port = 0;
  opts.registry = &registry;
  opts.max_allowed_packet = 1 << 20;
  opts.connect_timeout = std::chrono::seconds(5);
  auto started = Server::Start(opts, &factory);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  std::unique_ptr<Server> server = std::move(started).value();

  static const std::string kQueries[] = {"SELECT 1", "SELECT NULL, 'a'", "INSERT x", "fail",
                                         "SELECT 1;SELECT 1", "BEGIN"};
  for (int i = 0; i < 1000; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    RawConn c(server->port());
    ASSERT_TRUE(c.connected());
    std::string nonce = c.ReadNonce();
    ASSERT_EQ(nonce.size(), 20u);
    switch (f.Below(5)) {
      case 0:  // garbage instead of a handshake response
        c.SendRaw(f.RandomBytes(300));
        break;
      case 1:  // a header announcing more than will ever come, or a huge packet
        c.SendRaw(std::string("\xff\xff\xff\x01", 4) + f.RandomBytes(100));
        break;
      case 2:  // a mutated handshake response in valid framing
        c.SendPacket(f.Mutate(ValidResponse(f, nonce)), 1);
        break;
      case 3: {  // SSLRequest, then garbage where the TLS ClientHello belongs
        PacketWriter ssl;
        ssl.U32(kClientProtocol41 | kClientSsl | kClientSecureConnection).U32(0).U8(45).Zeros(23);
        c.SendPacket(ssl.str(), 1);
        c.SendRaw(f.RandomBytes(200));
        break;
      }
      default: {  // log in properly, then random and mutated commands
        c.SendPacket(ValidResponse(f, nonce), 1);
        int commands = 1 + static_cast<int>(f.Below(6));
        for (int k = 0; k < commands; ++k) {
          std::string cmd;
          // COM_STMT_PREPARE of a one-parameter statement (id 1 on a fresh connection),
          // then mutated COM_STMT_EXECUTE / FETCH / SEND_LONG_DATA / RESET of it.
          static const std::string kStmtCommands[] = {
              std::string("\x17\x01\x00\x00\x00\x00\x01\x00\x00\x00\x00\x01\xfe\x00\x02hi", 16),
              std::string("\x17\x01\x00\x00\x00\x01\x01\x00\x00\x00\x00\x01\x0c\x00\x07\xea\x07\x0b\x19\x0a\x14\x1e", 23),
              std::string("\x1c\x01\x00\x00\x00\x02\x00\x00\x00", 9),
              std::string("\x18\x01\x00\x00\x00\x00\x00long", 11),
              std::string("\x1a\x01\x00\x00\x00", 5)};
          if (k == 0 && f.Chance(30)) {
            cmd = "\x16SELECT ?";
          } else if (f.Chance(30)) {
            cmd = f.Mutate(kStmtCommands[f.Below(std::size(kStmtCommands))]);
          } else if (f.Chance(50)) {
            cmd = std::string(1, static_cast<char>(f.Below(0x24))) + f.RandomBytes(40);
          } else {
            cmd = f.Mutate("\x03" + kQueries[f.Below(std::size(kQueries))]);
          }
          c.SendPacket(cmd, f.Chance(90) ? 0 : static_cast<uint8_t>(f.Below(256)));
        }
      }
    }
    EXPECT_TRUE(c.DrainUntilClosed()) << "server neither answered nor closed";
  }

  // The fuzzer got past authentication often enough to exercise commands.
  EXPECT_GT(registry.AddCounterFamily("stratadb_mysql_commands_total", "", {"command"})
                .With({"query"}).Value(), 100u);
  // The server still serves a normal client.
  MYSQL* m = mysql_init(nullptr);
  ASSERT_NE(mysql_real_connect(m, "127.0.0.1", "root", "pw", nullptr, server->port(), nullptr, 0),
            nullptr) << mysql_error(m);
  EXPECT_EQ(mysql_query(m, "SELECT 1"), 0) << mysql_error(m);
  MYSQL_RES* res = mysql_store_result(m);
  ASSERT_NE(res, nullptr);
  EXPECT_EQ(mysql_num_rows(res), 1u);
  mysql_free_result(res);
  mysql_close(m);
  for (int i = 0; i < 300 && server->open_connections() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server->open_connections(), 0u);
  server->Stop();
}

}  // namespace
}  // namespace strata::server::mysql
