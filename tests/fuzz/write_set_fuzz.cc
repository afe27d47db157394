// libFuzzer target: the WriteSet codec (src/txn/write_set.h), the bytes every replica
// decodes from a committed Raft entry.
//
// Properties:
//   * Decode of any bytes returns a WriteSet or Corruption, never anything else;
//   * whatever Decode accepts re-encodes to bytes that decode to the same WriteSet, and that
//     encoding is a fixed point (Encode(Decode(Encode(ws))) == Encode(ws));
//   * a WriteSet built from the input round-trips: Decode(Encode(ws)) == ws.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "txn/write_set.h"

using strata::Slice;
using strata::StatusCode;
using strata::txn::WriteSet;

namespace {

bool Equal(const WriteSet& a, const WriteSet& b) {
  return a.start_index == b.start_index && a.writes == b.writes && a.unchanged == b.unchanged;
}

void CheckDecode(Slice bytes) {
  auto ws = WriteSet::Decode(bytes);
  if (!ws.ok()) {
    strata::fuzz::CheckErrorKind(ws.status(), {StatusCode::kCorruption});
    return;
  }
  strata::Bytes encoded = ws->Encode();
  auto again = WriteSet::Decode(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(Equal(*ws, *again));
  FUZZ_CHECK(again->Encode() == encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  FuzzedDataProvider in(data + 1, size - 1);
  if (data[0] % 2 == 0) {  // the raw bytes as an encoded WriteSet
    std::string bytes = in.ConsumeRemainingBytesAsString();
    CheckDecode(bytes);
    return 0;
  }
  WriteSet ws;  // a WriteSet described by the input
  ws.start_index = in.ConsumeIntegral<uint64_t>();
  while (in.remaining_bytes() > 0 && ws.writes.size() < 256) {
    std::string key = in.ConsumeRandomLengthString(64);
    switch (in.ConsumeIntegralInRange(0, 2)) {
      case 0: ws.writes[key] = in.ConsumeRandomLengthString(256); break;
      case 1: ws.writes[key] = std::nullopt; break;
      default: ws.unchanged.insert(key); break;
    }
  }
  strata::Bytes encoded = ws.Encode();
  auto decoded = WriteSet::Decode(encoded);
  FUZZ_CHECK(decoded.ok());
  FUZZ_CHECK(Equal(ws, *decoded));
  CheckDecode(encoded);
  return 0;
}
