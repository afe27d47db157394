// libFuzzer target: the MySQL protocol decoders (src/server/mysql), which read bytes straight
// from clients before they have authenticated. The first byte picks a decoder; the rest is
// its input:
//   0: DecodeHandshakeResponse (HandshakeResponse41 / SSLRequest);
//   1: a PacketReader walking the input with every accessor in turn;
//   2: the authentication verifiers (mysql_native_password, caching_sha2_password);
//   3: PacketChannel framing and reassembly over a byte stream that delivers the input in
//      pieces of input-chosen sizes;
//   4: values described by the input, written with PacketWriter / PacketChannel and read
//      back with PacketReader / PacketChannel.
// Properties: errors are Status values of the documented kinds; a reader never reports more
// than it was given; written values and payloads round-trip exactly.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>
#include <string_view>

#include "fuzz_util.h"
#include "server/mysql/auth.h"
#include "server/mysql/handshake.h"
#include "server/mysql/packet_io.h"
#include "server/mysql/protocol.h"

using namespace strata;
using namespace strata::server::mysql;

namespace {

// A stream over fixed bytes that hands them out in pieces of at most `piece` bytes.
class MemoryTransport : public Transport {
 public:
  MemoryTransport(std::string in, size_t piece, std::string* written)
      : in_(std::move(in)), piece_(piece), written_(written) {}
  Result<size_t> Read(char* buf, size_t len) override {
    if (pos_ == in_.size()) return Status::Unavailable("end of stream");
    size_t n = std::min({len, piece_, in_.size() - pos_});
    std::memcpy(buf, in_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  Status WriteAll(std::string_view data) override {
    written_->append(data);
    return Status::OK();
  }

 private:
  std::string in_;
  size_t pos_ = 0;
  size_t piece_;
  std::string* written_;
};

void Channel(FuzzedDataProvider& in) {
  size_t piece = in.ConsumeIntegralInRange<size_t>(1, 64);
  size_t max_payload = in.ConsumeIntegralInRange<size_t>(0, 1 << 16);
  bool exact = in.ConsumeBool();
  std::string bytes = in.ConsumeRemainingBytesAsString();
  std::string written;
  PacketChannel channel(std::make_unique<MemoryTransport>(bytes, piece, &written), nullptr, nullptr);
  channel.set_exact_reads(exact);
  size_t consumed = 0;
  for (;;) {
    Result<std::string> payload = channel.ReadPayload(max_payload);
    if (!payload.ok()) {
      fuzz::CheckErrorKind(payload.status(), {StatusCode::kInvalidArgument, StatusCode::kResourceExhausted,
                                              StatusCode::kUnavailable});
      break;
    }
    FUZZ_CHECK(payload->size() <= max_payload);
    consumed += 4 + payload->size();
    FUZZ_CHECK(consumed <= bytes.size());
  }
}

void WriteThenRead(FuzzedDataProvider& in) {
  struct Value {
    int kind;
    uint64_t n;
    std::string s;
  };
  std::vector<Value> values;
  std::string packet;
  PacketWriter w(&packet);
  while (in.remaining_bytes() > 0 && values.size() < 64) {
    Value v{in.ConsumeIntegralInRange<int>(0, 6), in.ConsumeIntegral<uint64_t>(), {}};
    switch (v.kind) {
      case 0: v.n &= 0xff; w.U8(static_cast<uint8_t>(v.n)); break;
      case 1: v.n &= 0xffff; w.U16(static_cast<uint16_t>(v.n)); break;
      case 2: v.n &= 0xffffff; w.U24(static_cast<uint32_t>(v.n)); break;
      case 3: w.U64(v.n); break;
      case 4: w.LenencInt(v.n); break;
      case 5: v.s = in.ConsumeRandomLengthString(300); w.LenencString(v.s); break;
      default: {
        v.s = in.ConsumeRandomLengthString(100);
        v.s = v.s.substr(0, v.s.find('\0'));  // a NUL string cannot hold a NUL
        w.NulString(v.s);
      }
    }
    values.push_back(std::move(v));
  }
  PacketReader r(packet);
  for (const Value& v : values) {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    std::string_view s;
    switch (v.kind) {
      case 0: FUZZ_CHECK(r.ReadU8(&u8) && u8 == v.n); break;
      case 1: FUZZ_CHECK(r.ReadU16(&u16) && u16 == v.n); break;
      case 2: FUZZ_CHECK(r.ReadU24(&u32) && u32 == v.n); break;
      case 3: FUZZ_CHECK(r.ReadU64(&u64) && u64 == v.n); break;
      case 4: FUZZ_CHECK(r.ReadLenencInt(&u64) && u64 == v.n); break;
      case 5: FUZZ_CHECK(r.ReadLenencString(&s) && s == v.s); break;
      default: FUZZ_CHECK(r.ReadNulString(&s) && s == v.s);
    }
  }
  FUZZ_CHECK(r.ok() && r.at_end());

  // The same bytes as payloads through the packet layer, in a second channel.
  std::string stream;
  PacketChannel out(std::make_unique<MemoryTransport>("", 1, &stream), nullptr, nullptr);
  std::vector<std::string> payloads = {packet, "", packet.substr(0, packet.size() / 2)};
  for (const std::string& p : payloads) FUZZ_CHECK(out.WritePayload(p).ok());
  FUZZ_CHECK(out.Flush().ok());
  PacketChannel back(std::make_unique<MemoryTransport>(stream, 7, &stream), nullptr, nullptr);
  for (const std::string& p : payloads) {
    Result<std::string> got = back.ReadPayload(1 << 20);
    FUZZ_CHECK(got.ok() && *got == p);
  }
  FUZZ_CHECK(!back.has_buffered_input());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      auto r = DecodeHandshakeResponse(input);
      if (r.ok()) {
        FUZZ_CHECK(r->auth_response.size() <= input.size());
        FUZZ_CHECK(r->user.size() + r->database.size() + r->auth_plugin.size() <= input.size());
      } else {
        fuzz::CheckErrorKind(r.status(), {StatusCode::kInvalidArgument, StatusCode::kNotSupported});
      }
      break;
    }
    case 1: {  // a reader walking the input with every accessor in turn
      PacketReader r(input);
      size_t before = r.remaining();
      for (int step = 0; r.ok() && !r.at_end(); ++step) {
        uint64_t v;
        uint32_t u24;
        std::string_view s;
        switch (step % 4) {
          case 0: (void)r.ReadLenencInt(&v); break;
          case 1:
            if (r.ReadLenencString(&s)) FUZZ_CHECK(s.size() <= before);
            break;
          case 2:
            if (r.ReadNulString(&s)) FUZZ_CHECK(s.find('\0') == std::string_view::npos);
            break;
          default: (void)r.ReadU24(&u24);
        }
        FUZZ_CHECK(!r.ok() || r.remaining() < before);  // every successful read consumes
        before = r.remaining();
      }
      break;
    }
    case 2: {
      std::string nonce(20, 'n');
      (void)VerifyNative("*0123456789ABCDEF0123456789ABCDEF01234567", nonce, input);
      (void)VerifyCachingSha2Fast(std::string(64, 'a'), nonce, input);
      (void)VerifyCachingSha2Cleartext(input, "pw");
      break;
    }
    case 3: {
      FuzzedDataProvider in(data + 1, size - 1);
      Channel(in);
      break;
    }
    default: {
      FuzzedDataProvider in(data + 1, size - 1);
      WriteThenRead(in);
    }
  }
  return 0;
}
