// Packet codec, handshake decoding, result encoding and authentication primitives.
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "server/mysql/auth.h"
#include "server/mysql/handshake.h"
#include "server/mysql/packet_io.h"
#include "server/mysql/protocol.h"
#include "server/mysql/result_writer.h"

namespace strata::server::mysql {
namespace {

TEST(PacketCodec, LenencIntRoundTrip) {
  for (uint64_t v : {0ull, 250ull, 251ull, 0xffffull, 0x10000ull, 0xffffffull, 0x1000000ull,
                     ~0ull}) {
    PacketWriter w;
    w.LenencInt(v);
    EXPECT_EQ(w.str().size(), LenencIntSize(v)) << v;
    PacketReader r(w.str());
    uint64_t got = 0;
    ASSERT_TRUE(r.ReadLenencInt(&got)) << v;
    EXPECT_EQ(got, v);
    EXPECT_TRUE(r.at_end());
  }
}

TEST(PacketCodec, ReaderNeverReadsPastTheEnd) {
  PacketReader r(std::string_view("\xfe\x01\x02", 3));  // 8-byte lenenc int, truncated
  uint64_t v;
  EXPECT_FALSE(r.ReadLenencInt(&v));
  EXPECT_FALSE(r.ok());
  uint8_t b;
  EXPECT_FALSE(r.ReadU8(&b));  // latched

  std::string huge = "\xfe";
  huge += std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8);
  huge += "abc";
  PacketReader r2(huge);
  std::string_view s;
  EXPECT_FALSE(r2.ReadLenencString(&s));

  PacketReader r3(std::string_view("abc", 3));
  EXPECT_FALSE(r3.ReadNulString(&s));
  PacketReader r4(std::string_view("\xfb", 1));
  EXPECT_FALSE(r4.ReadLenencInt(&v));  // NULL is not an integer
}

TEST(PacketCodec, OkWithSessionStateLayout) {
  // MySQL's layout: info as a length-encoded string (empty here), then the whole block
  // length-encoded; each entry is its type, its length, then its data (variable: name and
  // value; schema, characteristics, state: one length-encoded string; state change: "1").
  using T = SessionStateChange::Type;
  std::vector<SessionStateChange> changes = {{T::kSystemVariable, "autocommit", "ON"},
                                             {T::kSchema, {}, "db"},
                                             {T::kStateChange, {}, "1"},
                                             {T::kTransactionState, {}, "T___W___"}};
  OkFields ok{0, 0, 0x0002, 0, {}, &changes};
  std::string expected("\x00\x00\x00\x02\x40\x00\x00"  // status: autocommit | SESSION_STATE_CHANGED
                       "\x00"                              // info ""
                       "\x23"                              // the block: 35 bytes
                       "\x00\x0e\x0a" "autocommit\x02ON"  // variable
                       "\x01\x03\x02" "db"                 // schema
                       "\x02\x01" "1"                      // state change
                       "\x05\x09\x08" "T___W___",          // transaction state
                       8 + 1 + 35);
  EXPECT_EQ(EncodeOk(ok), expected);
  std::vector<SessionStateChange> none;
  EXPECT_EQ(EncodeOk({1, 2, 0x0002, 3, {}, &none}), std::string("\x00\x01\x02\x02\x00\x03\x00", 7));
}

TEST(PacketCodec, OkErrEofLayout) {
  EXPECT_EQ(EncodeOk({1, 2, 0x0002, 3, {}}), std::string("\x00\x01\x02\x02\x00\x03\x00", 7));
  EXPECT_EQ(EncodeOk({0, 0, 0, 0, "hi"}), std::string("\x00\x00\x00\x00\x00\x00\x00\x02hi", 10));
  EXPECT_EQ(EncodeEof(1, 2), std::string("\xfe\x01\x00\x02\x00", 5));
  EXPECT_EQ(EncodeErr(1045, "28000", "no"), std::string("\xff\x15\x04#28000no", 11));
  Status s = Status::InvalidArgument("bad").WithMysql(1064, "42000");
  EXPECT_EQ(EncodeStatusErr(s), std::string("\xff\x28\x04#42000bad", 12));
  EXPECT_EQ(EncodeStatusErr(Status::Internal("x")), std::string("\xff\x51\x04#HY000x", 10));
}

TEST(PacketCodec, TextRowNullAndValues) {
  TextRow row{std::string("ab"), std::nullopt, std::string()};
  EXPECT_EQ(EncodeTextRow(row), std::string("\x02" "ab" "\xfb\x00", 5));
}

TEST(Handshake, EncodeV10) {
  HandshakeV10 h;
  h.server_version = "8.0.36";
  h.connection_id = 7;
  h.nonce = std::string(20, 'n');
  h.capabilities = kServerCapabilities;
  h.auth_plugin = "caching_sha2_password";
  std::string p = EncodeHandshakeV10(h);
  PacketReader r(p);
  uint8_t proto;
  std::string_view version, part1, part2, plugin;
  uint32_t id;
  ASSERT_TRUE(r.ReadU8(&proto) && r.ReadNulString(&version) && r.ReadU32(&id) &&
              r.ReadBytes(8, &part1));
  EXPECT_EQ(proto, 10);
  EXPECT_EQ(version, "8.0.36");
  EXPECT_EQ(id, 7u);
  uint16_t lo, status, hi;
  uint8_t filler, charset, data_len;
  ASSERT_TRUE(r.ReadU8(&filler) && r.ReadU16(&lo) && r.ReadU8(&charset) &&
              r.ReadU16(&status) && r.ReadU16(&hi) && r.ReadU8(&data_len) && r.Skip(10));
  EXPECT_EQ(lo | (uint32_t{hi} << 16), kServerCapabilities);
  EXPECT_EQ(data_len, 21);
  ASSERT_TRUE(r.ReadBytes(13, &part2) && r.ReadNulString(&plugin));
  EXPECT_EQ(std::string(part1) + std::string(part2.substr(0, 12)), h.nonce);
  EXPECT_EQ(plugin, "caching_sha2_password");
  EXPECT_TRUE(r.at_end());
}

std::string Response41(uint32_t caps, std::string user, std::string auth, std::string db,
                       std::string plugin, std::string attrs) {
  PacketWriter w;
  w.U32(caps).U32(1 << 24).U8(45).Zeros(23).NulString(user).LenencString(auth);
  if (caps & kClientConnectWithDb) w.NulString(db);
  if (caps & kClientPluginAuth) w.NulString(plugin);
  if (caps & kClientConnectAttrs) w.LenencString(attrs);
  return w.Take();
}

TEST(Handshake, DecodeResponse41) {
  uint32_t caps = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth |
                  kClientPluginAuthLenencClientData | kClientConnectWithDb | kClientConnectAttrs;
  PacketWriter attrs;
  attrs.LenencString("_client_name").LenencString("libmariadb");
  auto r = DecodeHandshakeResponse(
      Response41(caps, "root", std::string(20, '\x01'), "test", "mysql_native_password",
                 attrs.str()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->is_ssl_request);
  EXPECT_EQ(r->user, "root");
  EXPECT_EQ(r->auth_response, std::string(20, '\x01'));
  EXPECT_EQ(r->database, "test");
  EXPECT_EQ(r->auth_plugin, "mysql_native_password");
  EXPECT_EQ(r->connect_attrs, 1u);

  PacketWriter ssl;
  ssl.U32(kClientProtocol41 | kClientSsl).U32(0).U8(45).Zeros(23);
  auto s = DecodeHandshakeResponse(ssl.str());
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->is_ssl_request);

  // Every truncation of a valid response is rejected or decoded, never read past.
  std::string full = Response41(caps, "root", "x", "db", "p", attrs.str());
  for (size_t n = 0; n < full.size(); ++n) (void)DecodeHandshakeResponse(full.substr(0, n));
  PacketWriter old;
  old.U32(kClientLongPassword).U32(0).U8(8).Zeros(23).NulString("u");
  EXPECT_EQ(DecodeHandshakeResponse(old.str()).status().code(), StatusCode::kNotSupported);
}

TEST(Handshake, DecodeChangeUser) {
  uint32_t caps = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth | kClientConnectAttrs;
  PacketWriter w;
  w.NulString("cu").U8(20).Bytes(std::string(20, '\x02')).NulString("app").U16(255).NulString("mysql_native_password");
  auto r = DecodeChangeUser(w.str(), caps);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->user, "cu");
  EXPECT_EQ(r->auth_response, std::string(20, '\x02'));
  EXPECT_EQ(r->database, "app");
  EXPECT_EQ(r->charset, 255);
  EXPECT_EQ(r->auth_plugin, "mysql_native_password");
  // Without CLIENT_SECURE_CONNECTION the response is NUL-terminated; the rest is optional.
  PacketWriter old;
  old.NulString("u").NulString("scramble");
  auto o = DecodeChangeUser(old.str(), kClientProtocol41);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->auth_response, "scramble");
  EXPECT_EQ(o->database, "");
  // Every truncation is rejected or decoded, never read past.
  std::string full = w.str();
  for (size_t n = 0; n < full.size(); ++n) (void)DecodeChangeUser(full.substr(0, n), caps);
  EXPECT_FALSE(DecodeChangeUser("", caps).ok());
}

TEST(Auth, VerifiersAndScrambles) {
  // Known values: MySQL's PASSWORD('pw') and SHA2(UNHEX(SHA2('pw',256)),256).
  EXPECT_EQ(NativeVerifier(""), "*BE1BDEC0AA74B4DCB079943E70528096CCA985F8");
  EXPECT_EQ(NativeVerifier("pw").size(), 41u);
  EXPECT_EQ(CachingSha2Verifier("pw").size(), 64u);
  std::string nonce = GenerateNonce();
  ASSERT_EQ(nonce.size(), 20u);
  for (char c : nonce) EXPECT_TRUE(c != '\0' && c != '$' && static_cast<unsigned char>(c) < 128);
  EXPECT_TRUE(VerifyNative(NativeVerifier("pw"), nonce, NativeScramble("pw", nonce)));
  EXPECT_FALSE(VerifyNative(NativeVerifier("pw"), nonce, NativeScramble("pX", nonce)));
  EXPECT_FALSE(VerifyNative(NativeVerifier("pw"), nonce, "short"));
  EXPECT_FALSE(VerifyNative("garbage", nonce, NativeScramble("pw", nonce)));
  EXPECT_TRUE(VerifyCachingSha2Fast(CachingSha2Verifier("pw"), nonce,
                                    CachingSha2Scramble("pw", nonce)));
  EXPECT_FALSE(VerifyCachingSha2Fast(CachingSha2Verifier("pw"), nonce,
                                     CachingSha2Scramble("pw", GenerateNonce())));
  EXPECT_TRUE(VerifyCachingSha2Cleartext(CachingSha2Verifier("pw"), "pw"));
  EXPECT_FALSE(VerifyCachingSha2Cleartext(CachingSha2Verifier("pw"), "pw2"));
  EXPECT_FALSE(VerifyCachingSha2Cleartext("zz", "pw"));
}

// A PacketChannel over one end of a socketpair; raw bytes on the other.
class ChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    channel_ = std::make_unique<PacketChannel>(MakeSocketTransport(fds_[0]), nullptr, nullptr);
  }
  void TearDown() override {
    channel_.reset();
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  void SendRaw(std::string bytes) {
    writer_ = std::thread([this, bytes = std::move(bytes)] {
      size_t off = 0;
      while (off < bytes.size()) {
        ssize_t n = ::write(fds_[1], bytes.data() + off, bytes.size() - off);
        if (n <= 0) return;
        off += static_cast<size_t>(n);
      }
    });
  }
  void Join() {
    if (writer_.joinable()) writer_.join();
  }
  static std::string Header(size_t len, uint8_t seq) {
    return {static_cast<char>(len & 0xff), static_cast<char>((len >> 8) & 0xff),
            static_cast<char>((len >> 16) & 0xff), static_cast<char>(seq)};
  }
  int fds_[2];
  std::unique_ptr<PacketChannel> channel_;
  std::thread writer_;
};

TEST_F(ChannelTest, ReassemblesSplitPayloads) {
  std::string big(kMaxPacketChunk, 'a');
  SendRaw(Header(kMaxPacketChunk, 0) + big + Header(0, 1) + Header(3, 0) + "xyz");
  auto p = channel_->ReadPayload(64 << 20);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->size(), kMaxPacketChunk);
  channel_->ResetSequence();
  auto q = channel_->ReadPayload(64 << 20);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, "xyz");
  Join();
}

TEST_F(ChannelTest, RejectsOversizeAndOutOfOrder) {
  SendRaw(Header(100, 0) + std::string(100, 'a'));
  auto p = channel_->ReadPayload(99);
  EXPECT_EQ(p.status().code(), StatusCode::kResourceExhausted);
  Join();
  channel_ = std::make_unique<PacketChannel>(MakeSocketTransport(fds_[0]), nullptr, nullptr);
  SendRaw(Header(1, 5) + "a");
  EXPECT_EQ(channel_->ReadPayload(99).status().code(), StatusCode::kInvalidArgument);
  Join();
}

// A payload the sessions' memory budget cannot hold is read and dropped (multi-chunk
// included): 1041, nothing charged, and the next command on the stream reads normally.
TEST_F(ChannelTest, PayloadPastTheMemoryBudgetIsDroppedAndTheStreamGoesOn) {
  MemoryBudget budget(1 << 20);
  std::string big(kMaxPacketChunk, 'a');
  std::string small(PacketChannel::kFreePayloadBytes, 's');  // not charged
  SendRaw(Header(kMaxPacketChunk, 0) + big + Header(5, 1) + "tail!" + Header(small.size(), 0) + small +
          Header(200 << 10, 0) + std::string(200 << 10, 'm'));
  MemoryCharge charge(&budget);
  auto p = channel_->ReadPayload(64 << 20, &charge);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().mysql_errno(), 1041);
  EXPECT_NE(p.status().message().find(std::to_string(kMaxPacketChunk + 5) + " bytes"), std::string::npos)
      << p.status().ToString();
  EXPECT_EQ(charge.bytes(), 0u);
  EXPECT_EQ(budget.refusals(), 1u);
  channel_->ResetSequence();
  auto q = channel_->ReadPayload(64 << 20, &charge);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(*q, small);
  EXPECT_EQ(budget.used(), 0u);
  channel_->ResetSequence();
  auto r = channel_->ReadPayload(64 << 20, &charge);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 200u << 10);
  EXPECT_EQ(budget.used(), 200u << 10);  // held until the command is answered
  charge.Reset();
  EXPECT_EQ(budget.used(), 0u);
  Join();
}

TEST_F(ChannelTest, SplitsOnWrite) {
  std::string payload(kMaxPacketChunk * 2, 'b');
  std::string got;
  std::thread reader([&] {
    char buf[65536];
    size_t want = payload.size() + 3 * 4;  // two full chunks + an empty trailer
    while (got.size() < want) {
      ssize_t n = ::read(fds_[1], buf, sizeof(buf));
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
  });
  ASSERT_TRUE(channel_->WritePayload(payload).ok());
  ASSERT_TRUE(channel_->Flush().ok());
  reader.join();
  ASSERT_EQ(got.size(), payload.size() + 12);
  EXPECT_EQ(got.substr(0, 4), Header(kMaxPacketChunk, 0));
  EXPECT_EQ(got.substr(4 + kMaxPacketChunk, 4), Header(kMaxPacketChunk, 1));
  EXPECT_EQ(got.substr(got.size() - 4), Header(0, 2));
}

// A byte stream that keeps what is written.
class Sink final : public Transport {
 public:
  Result<size_t> Read(char*, size_t) override { return Status::Unavailable("write only"); }
  Status WriteAll(std::string_view data) override {
    bytes.append(data);
    writes++;
    return Status::OK();
  }
  std::string bytes;
  size_t writes = 0;
};

// A payload written in pieces (large ones straight to the stream, not queued) frames exactly
// as the joined payload does: across 16 MiB packet boundaries, at an exact multiple of them
// (the empty trailer), with empty pieces, and between small payloads queued around it.
TEST(PacketChannelPieces, FrameAsTheJoinedPayload) {
  std::string a(100, 'a'), big(kMaxPacketChunk - 50, 'b'), c(200 << 10, 'c'), d(3, 'd');
  for (char& ch : big) ch = static_cast<char>('b' + (&ch - big.data()) % 7);
  const std::vector<std::vector<std::string_view>> layouts = {
      {a},
      {a, "", c, d},
      {a, big, d},                                        // crosses one packet boundary
      {big, std::string_view(c).substr(0, kMaxPacketChunk - big.size())},  // exactly one full packet
      {c, big, big, a},                                   // two boundaries
      {std::string_view(big), std::string_view(big).substr(0, 100), ""},
  };
  for (size_t i = 0; i < layouts.size(); i++) {
    std::string joined;
    for (std::string_view p : layouts[i]) joined.append(p);
    auto joined_sink = std::make_unique<Sink>(), pieces_sink = std::make_unique<Sink>();
    Sink* want = joined_sink.get();
    Sink* got = pieces_sink.get();
    PacketChannel one(std::move(joined_sink), nullptr, nullptr), two(std::move(pieces_sink), nullptr, nullptr);
    for (PacketChannel* ch : {&one, &two}) ASSERT_TRUE(ch->WritePayload(std::string_view("before")).ok());
    ASSERT_TRUE(one.WritePayload(joined).ok());
    ASSERT_TRUE(two.WritePayload(std::span<const std::string_view>(layouts[i])).ok());
    for (PacketChannel* ch : {&one, &two}) {
      ASSERT_TRUE(ch->WritePayload(std::string_view("after")).ok());
      ASSERT_TRUE(ch->Flush().ok());
    }
    EXPECT_EQ(got->bytes.size(), want->bytes.size()) << "layout " << i;
    EXPECT_TRUE(got->bytes == want->bytes) << "layout " << i;
    EXPECT_EQ(two.sequence(), one.sequence()) << "layout " << i;
  }
}

}  // namespace
}  // namespace strata::server::mysql
