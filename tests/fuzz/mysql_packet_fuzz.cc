// libFuzzer target: the MySQL protocol decoders (src/server/mysql), which read bytes straight
// from clients before they have authenticated. The first byte picks a decoder; the rest is
// its input:
//   0: DecodeHandshakeResponse (HandshakeResponse41 / SSLRequest);
//   1: a PacketReader walking the input with every accessor in turn;
//   2: the authentication verifiers (mysql_native_password, caching_sha2_password);
//   3: PacketChannel framing and reassembly over a byte stream that delivers the input in
//      pieces of input-chosen sizes;
//   4: values described by the input, written with PacketWriter / PacketChannel and read
//      back with PacketReader / PacketChannel;
//   5: the prepared-statement request decoders (COM_STMT_EXECUTE for an input-chosen
//      parameter count, with and without remembered types and long data; SEND_LONG_DATA;
//      FETCH);
//   6: binary result rows of input-chosen column types and text values, and the temporal
//      encodings read back through the parameter decoder.
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
#include "server/mysql/binary_protocol.h"
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

void StmtRequests(FuzzedDataProvider& in) {
  uint16_t param_count = in.ConsumeIntegralInRange<uint16_t>(0, 70);
  std::vector<ParamType> types;
  if (in.ConsumeBool()) types.assign(param_count, ParamType{static_cast<uint8_t>(FieldType::kLongLong), false});
  std::vector<std::optional<std::string>> long_data(param_count);
  for (auto& slot : long_data) {
    if (in.ConsumeIntegralInRange<int>(0, 9) == 0) slot = in.ConsumeRandomLengthString(20);
  }
  std::string args = in.ConsumeRemainingBytesAsString();
  ExecuteRequest req;
  Status s = DecodeExecute(args, param_count, &types, long_data, &req);
  if (s.ok()) {
    FUZZ_CHECK(req.params.size() == param_count || (param_count == 0 && req.params.empty()));
    FUZZ_CHECK(types.size() == param_count || param_count == 0);
    for (size_t i = 0; i < req.params.size(); i++) {
      const ParamValue& p = req.params[i];
      bool bytes = p.kind == ParamValue::Kind::kString || p.kind == ParamValue::Kind::kDecimal;
      if (bytes && !long_data[i]) FUZZ_CHECK(p.text.size() <= args.size());  // a slice of the packet
    }
  } else {
    fuzz::CheckErrorKind(s, {StatusCode::kInvalidArgument});
  }
  if (auto ld = DecodeLongData(args)) FUZZ_CHECK(ld->data.size() + 6 == args.size());
  (void)DecodeFetch(args);
  (void)ReadStatementId(args);
}

void BinaryRows(FuzzedDataProvider& in) {
  static const FieldType kTypes[] = {FieldType::kTiny, FieldType::kShort, FieldType::kLong, FieldType::kLongLong,
                                     FieldType::kFloat, FieldType::kDouble, FieldType::kDate, FieldType::kDateTime,
                                     FieldType::kTimestamp, FieldType::kTime, FieldType::kYear, FieldType::kVarString,
                                     FieldType::kNewDecimal, FieldType::kBlob, FieldType::kNull};
  std::vector<Column> columns;
  TextRow row;
  while (in.remaining_bytes() > 0 && columns.size() < 40) {
    Column c;
    c.type = in.PickValueInArray(kTypes);
    if (in.ConsumeBool()) c.flags |= kUnsignedFlag;
    columns.push_back(c);
    if (in.ConsumeBool()) row.push_back(std::nullopt);
    else row.push_back(in.ConsumeRandomLengthString(40));
  }
  Result<std::string> encoded = EncodeBinaryRow(columns, row);
  if (encoded.ok()) {
    FUZZ_CHECK(!encoded->empty() && (*encoded)[0] == '\0');
    FUZZ_CHECK(encoded->size() >= 1 + (columns.size() + 9) / 8);
  }
  // A temporal value that encodes reads back as itself (canonical text) through the decoder.
  for (size_t i = 0; i < columns.size(); i++) {
    if (!row[i] || (columns[i].type != FieldType::kDateTime && columns[i].type != FieldType::kTime)) continue;
    std::string bytes;
    bool is_time = columns[i].type == FieldType::kTime;
    if (!(is_time ? AppendBinaryTime(*row[i], &bytes) : AppendBinaryDateTime(*row[i], &bytes))) continue;
    PacketReader r(bytes);
    ParamValue v;
    FUZZ_CHECK(ReadBinaryValue(&r, ParamType{static_cast<uint8_t>(columns[i].type), false}, &v));
    FUZZ_CHECK(r.at_end());
    std::string again;
    FUZZ_CHECK(is_time ? AppendBinaryTime(v.text, &again) : AppendBinaryDateTime(v.text, &again));
    FUZZ_CHECK(again == bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 7) {
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
    case 4: {
      FuzzedDataProvider in(data + 1, size - 1);
      WriteThenRead(in);
      break;
    }
    case 5: {
      FuzzedDataProvider in(data + 1, size - 1);
      StmtRequests(in);
      break;
    }
    default: {
      FuzzedDataProvider in(data + 1, size - 1);
      BinaryRows(in);
    }
  }
  return 0;
}
