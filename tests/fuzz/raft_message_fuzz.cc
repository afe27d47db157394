// libFuzzer target: the Raft wire codec (src/raft/message_codec.h), which decodes bytes that
// arrive from the network.
//
// Every record carries an XXH3 checksum, so random bytes almost never reach the body parser.
// The first input byte therefore picks a mode:
//   0: the input as a whole record (checksum, version and cluster checks);
//   1: the input as a record body, framed with a valid header and checksum by this target,
//      so the body parser sees arbitrary bytes;
//   2: a Message built from the input, encoded and decoded.
// Properties: errors are Corruption / InvalidArgument / ResourceExhausted Status values;
// whatever decodes re-encodes to a record that decodes to the same Message; a built Message
// round-trips exactly (Decode(Encode(m)) == m).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>

#include "common/checksum.h"
#include "common/coding.h"
#include "fuzz_util.h"
#include "raft/message_codec.h"

using namespace strata;
using namespace strata::raft;

namespace {

constexpr uint64_t kCluster = 0x5eedc0ffee;

void CheckDecode(Slice record) {
  Result<Message> m = DecodeMessage(record, kCluster);
  if (!m.ok()) {
    fuzz::CheckErrorKind(m.status(), {StatusCode::kCorruption, StatusCode::kInvalidArgument,
                                      StatusCode::kResourceExhausted});
    return;
  }
  Bytes encoded = EncodeMessage(*m, kCluster);
  Result<Message> again = DecodeMessage(encoded, kCluster);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *m);
  FUZZ_CHECK(EncodeMessage(*again, kCluster) == encoded);
  // The same record addressed to another cluster is refused, never misread.
  Result<Message> other = DecodeMessage(encoded, kCluster + 1);
  FUZZ_CHECK(!other.ok() && other.status().code() == StatusCode::kInvalidArgument);
}

std::vector<NodeId> Ids(FuzzedDataProvider& in) {
  std::vector<NodeId> ids(in.ConsumeIntegralInRange<size_t>(0, 7));
  for (NodeId& id : ids) id = in.ConsumeIntegral<uint64_t>();
  return ids;
}

Message Build(FuzzedDataProvider& in) {
  Message m;
  m.type = static_cast<MessageType>(in.ConsumeIntegralInRange<uint8_t>(1, kMaxMessageType));
  m.from = in.ConsumeIntegral<uint64_t>();
  m.to = in.ConsumeIntegral<uint64_t>();
  m.term = in.ConsumeIntegral<uint64_t>();
  m.log_term = in.ConsumeIntegral<uint64_t>();
  m.index = in.ConsumeIntegral<uint64_t>();
  m.commit = in.ConsumeIntegral<uint64_t>();
  m.reject = in.ConsumeBool();
  m.reject_hint = in.ConsumeIntegral<uint64_t>();
  m.send_tick = in.ConsumeIntegral<uint64_t>();
  m.context = in.ConsumeRandomLengthString(64);
  size_t n = in.ConsumeIntegralInRange<size_t>(0, 16);
  for (size_t i = 0; i < n; i++) {
    Entry e;
    e.term = in.ConsumeIntegral<uint64_t>();
    e.index = in.ConsumeIntegral<uint64_t>();
    e.type = static_cast<EntryType>(
        in.ConsumeIntegralInRange<uint8_t>(0, static_cast<uint8_t>(EntryType::kNoop)));
    e.data = in.ConsumeRandomLengthString(512);
    m.entries.push_back(std::move(e));
  }
  if (in.ConsumeBool()) {
    Snapshot s;
    s.metadata.index = in.ConsumeIntegral<uint64_t>();
    s.metadata.term = in.ConsumeIntegral<uint64_t>();
    s.metadata.conf.voters = Ids(in);
    s.metadata.conf.learners = Ids(in);
    s.data = in.ConsumeRemainingBytesAsString();
    m.snapshot = std::move(s);
  }
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Slice rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      CheckDecode(rest);
      break;
    case 1: {
      Bytes record;
      record.push_back(static_cast<char>(kMessageFormatVersion));
      PutFixed64(&record, kCluster);
      record.append(rest.data(), rest.size());
      PutFixed64(&record, Checksum64(record));
      CheckDecode(record);
      break;
    }
    default: {
      FuzzedDataProvider in(data + 1, size - 1);
      Message m = Build(in);
      Bytes encoded = EncodeMessage(m, kCluster);
      Result<Message> decoded = DecodeMessage(encoded, kCluster);
      FUZZ_CHECK(decoded.ok());
      FUZZ_CHECK(*decoded == m);
      // Any single flipped bit is caught (by the checksum or a field check), never misread.
      if (!encoded.empty()) {
        size_t bit = (m.term ^ m.index) % (encoded.size() * 8);
        encoded[bit / 8] = static_cast<char>(encoded[bit / 8] ^ (1 << (bit % 8)));
        FUZZ_CHECK(!DecodeMessage(encoded, kCluster).ok());
      }
    }
  }
  return 0;
}
