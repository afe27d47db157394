// Byte-exact protocol transcripts: what the server sends for a few commands, with and
// without CLIENT_DEPRECATE_EOF (libmariadb and PyMySQL never negotiate it; MySQL's own
// connectors do), checked packet by packet with sequence ids.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "obs/metrics.h"
#include "server/mysql/auth.h"
#include "server/mysql/server.h"
#include "fake_session.h"
#include "raw_client.h"

namespace strata::server::mysql {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

class TranscriptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions opts;
    opts.port = 0;
    opts.registry = &registry_;
    auto s = Server::Start(opts, &factory_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
  }

  // Logs in as root with `extra` capabilities; returns the connection.
  std::unique_ptr<RawConn> Login(uint32_t extra) {
    auto c = std::make_unique<RawConn>(server_->port());
    std::string nonce = c->ReadNonce();
    EXPECT_EQ(nonce.size(), 20u);
    uint32_t caps = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth |
                    kClientPluginAuthLenencClientData | extra;
    PacketWriter w;
    w.U32(caps).U32(1 << 24).U8(45).Zeros(23).NulString("root");
    w.LenencString(NativeScramble("pw", nonce)).NulString(kNativePlugin);
    c->SendPacket(w.str(), 1);
    EXPECT_EQ(Hex(c->ReadPacket()), "00000002000000");  // OK, autocommit
    EXPECT_EQ(c->last_seq(), 2);
    return c;
  }

  // Sends a command and returns the next `n` packets as "seq:hex".
  std::vector<std::string> Exchange(RawConn& c, std::string_view command, int n) {
    c.SendPacket(command, 0);
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      std::string p = c.ReadPacket();
      out.push_back(std::to_string(c.last_seq()) + ":" + Hex(p));
    }
    return out;
  }

  obs::Registry registry_;
  testing::FakeFactory factory_;
  std::unique_ptr<Server> server_;
};

// ColumnDefinition41 of the fake's "SELECT 1": catalog "def", empty schema/table/org_table,
// name "1", empty org_name, 0x0c, charset 63, length 0, type LONGLONG, flags 0, decimals 0.
const char* kSelect1Column = "03646566000000013100" "0c" "3f00" "00000000" "08" "0000" "00" "0000";

TEST_F(TranscriptTest, ResultSetWithDeprecateEof) {
  auto c = Login(kClientDeprecateEof);
  EXPECT_EQ(Exchange(*c, "\x03SELECT 1", 4),
            (std::vector<std::string>{"1:01", std::string("2:") + kSelect1Column, "3:0131",
                                      "4:fe000002000000"}));
}

// CLIENT_SESSION_TRACK: the OK that ends a result set carries the statement's session
// state (SERVER_SESSION_STATE_CHANGED, empty info, the block); the handler only fills it in
// when the client negotiated CLIENT_DEPRECATE_EOF (an EOF packet cannot carry it).
TEST_F(TranscriptTest, ResultSetEndCarriesSessionState) {
  auto c = Login(kClientDeprecateEof | kClientSessionTrack);
  EXPECT_EQ(Exchange(*c, "\x03SELECT tracked", 4),
            (std::vector<std::string>{"1:01", std::string("2:") + kSelect1Column, "3:0131",
                                      "4:fe00000240000000" "0b" "0509" "08" + Hex("I_R___S_")}));
}

TEST_F(TranscriptTest, ResultSetWithEofPackets) {
  auto c = Login(0);
  EXPECT_EQ(Exchange(*c, "\x03SELECT 1", 5),
            (std::vector<std::string>{"1:01", std::string("2:") + kSelect1Column,
                                      "3:fe00000200", "4:0131", "5:fe00000200"}));
}

TEST_F(TranscriptTest, MultiStatementsAndOkFields) {
  auto c = Login(kClientDeprecateEof | kClientMultiStatements);
  std::string info = "Records: 3  Duplicates: 0  Warnings: 1";
  EXPECT_EQ(Exchange(*c, "\x03SELECT 1;INSERT x", 5),
            (std::vector<std::string>{
                "1:01", std::string("2:") + kSelect1Column, "3:0131",
                "4:fe00000a000000",  // AUTOCOMMIT | MORE_RESULTS_EXISTS
                "5:00032a02000100" + Hex(std::string(1, static_cast<char>(info.size())) + info)}));
  // An error ends the batch.
  EXPECT_EQ(Exchange(*c, "\x03INSERT x;fail", 2)[1],
            "2:ff2804" + Hex("#42000You have an error in your SQL syntax"));
}

TEST_F(TranscriptTest, SmallCommands) {
  auto c = Login(kClientDeprecateEof);
  EXPECT_EQ(Exchange(*c, "\x0e", 1), (std::vector<std::string>{"1:00000002000000"}));
  EXPECT_EQ(Exchange(*c, "\x0d", 1)[0],
            "1:ffd304" + Hex("#42000This version of StrataDB doesn't yet support 'COM_debug'"));
  EXPECT_EQ(Exchange(*c, "\x30", 1)[0], "1:ff1704" + Hex("#08S01Unknown command"));
  EXPECT_EQ(Exchange(*c, std::string("\x1b\x01\x00", 3), 1)[0], "1:fe00000200");
  // COM_STMT_CLOSE gets no answer: the next reply is the ping's.
  c->SendPacket(std::string("\x19\x01\x00\x00\x00", 5), 0);
  EXPECT_EQ(Exchange(*c, "\x0e", 1), (std::vector<std::string>{"1:00000002000000"}));
  // A command with a wrong sequence id: ERR 1156, then the server closes.
  c->SendPacket("\x0e", 3);
  EXPECT_EQ(Hex(c->ReadPacket()), "ff8404" + Hex("#08S01Got packets out of order"));
  EXPECT_TRUE(c->DrainUntilClosed());
}

// COM_STMT_PREPARE then COM_STMT_EXECUTE (docs/mysql_protocol.md, "Prepared statements").
TEST_F(TranscriptTest, PreparedStatement) {
  auto c = Login(kClientDeprecateEof);
  // prepare-OK: id 1, one column, no parameters; then the column (no EOF: DEPRECATE_EOF).
  EXPECT_EQ(Exchange(*c, "\x16SELECT 1", 2),
            (std::vector<std::string>{"1:000100000001000000000000",
                                      std::string("2:") + kSelect1Column}));
  // execute: column count, column, one binary row (header, NULL bitmap, 8-byte integer), end.
  EXPECT_EQ(Exchange(*c, std::string("\x17\x01\x00\x00\x00\x00\x01\x00\x00\x00", 10), 4),
            (std::vector<std::string>{"1:01", std::string("2:") + kSelect1Column, "3:00000100000000000000",
                                      "4:fe000002000000"}));
  // With CURSOR_TYPE_READ_ONLY: the columns and an end marker with CURSOR_EXISTS (0x40);
  // FETCH then sends the row and an end marker with LAST_ROW_SENT (0x80).
  EXPECT_EQ(Exchange(*c, std::string("\x17\x01\x00\x00\x00\x01\x01\x00\x00\x00", 10), 3),
            (std::vector<std::string>{"1:01", std::string("2:") + kSelect1Column, "3:fe000042000000"}));
  EXPECT_EQ(Exchange(*c, std::string("\x1c\x01\x00\x00\x00\x05\x00\x00\x00", 9), 2),
            (std::vector<std::string>{"1:00000100000000000000", "2:fe000082000000"}));
  // An unknown statement: 1243, and the connection goes on.
  EXPECT_EQ(Exchange(*c, std::string("\x17\x09\x00\x00\x00\x00\x01\x00\x00\x00", 10), 1)[0],
            "1:ffdb04" + Hex("#HY000Unknown prepared statement handler (9) given to mysqld_stmt_execute"));
  // A truncated execute: 1210.
  EXPECT_EQ(Exchange(*c, std::string("\x17\x01\x00", 3), 1)[0],
            "1:ffba04" + Hex("#HY000Incorrect arguments to mysqld_stmt_execute"));
  // FETCH without a cursor: 1421.
  EXPECT_EQ(Exchange(*c, std::string("\x1c\x01\x00\x00\x00\x05\x00\x00\x00", 9), 1)[0],
            "1:ff8d05" + Hex("#HY000The statement (1) has no open cursor."));
  EXPECT_EQ(Exchange(*c, "\x0e", 1), (std::vector<std::string>{"1:00000002000000"}));
}

}  // namespace
}  // namespace strata::server::mysql
