// libFuzzer target: the SST block decoders (src/storage/lsm/block.h, table_format.h), which
// read bytes from disk that may be damaged.
//
// The first input byte picks a mode:
//   0: the input as an uncompressed block, walked by a BlockIterator in every direction;
//   1: the input as a stored block payload, framed by this target with a compression type
//      and a valid checksum, so the lz4/zstd decoders see arbitrary bytes (DecodeBlock);
//   2: sorted entries built from the input: BlockBuilder → CompressBlock → trailer →
//      DecodeBlock → BlockIterator must give back exactly the entries, forwards, backwards
//      and by Seek; the footer codec round-trips too.
// Properties: errors are Corruption Status values, iteration over any bytes terminates
// within a bound set by the block size, and built blocks round-trip.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include <zstd.h>

#include "common/checksum.h"
#include "common/coding.h"
#include "fuzz_util.h"
#include "storage/lsm/block.h"
#include "storage/lsm/table_format.h"

using namespace strata;
using namespace strata::storage::lsm;

namespace {

constexpr uint64_t kClaimLimit = 1 << 20;

int Bytewise(Slice a, Slice b) { return a.compare(b); }

// Walks any block every way a reader can. Each entry takes at least 3 bytes (three varints),
// so a walk longer than that is a loop on damaged input.
void WalkAnyBlock(Slice block, Slice target) {
  const size_t bound = block.size() / 3 + 1;
  BlockIterator it(block, Bytewise, nullptr);
  size_t n = 0;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    FUZZ_CHECK(++n <= bound);
    FUZZ_CHECK(it.key().size() <= block.size() * bound);  // keys grow by shared prefixes only
  }
  if (!it.status().ok()) fuzz::CheckErrorKind(it.status(), {StatusCode::kCorruption});
  BlockIterator back(block, Bytewise, nullptr);
  n = 0;
  for (back.SeekToLast(); back.Valid(); back.Prev()) FUZZ_CHECK(++n <= bound);
  if (!back.status().ok()) fuzz::CheckErrorKind(back.status(), {StatusCode::kCorruption});
  BlockIterator seek(block, Bytewise, nullptr);
  seek.Seek(target);
  n = 0;
  for (; seek.Valid(); seek.Next()) FUZZ_CHECK(++n <= bound);
  if (!seek.status().ok()) fuzz::CheckErrorKind(seek.status(), {StatusCode::kCorruption});
}

void RoundTrip(FuzzedDataProvider& in) {
  std::map<std::string, std::string> entries;
  size_t count = in.ConsumeIntegralInRange<size_t>(0, 200);
  int restart_interval = in.ConsumeIntegralInRange<int>(1, 32);
  auto wanted = static_cast<Compression>(in.ConsumeIntegralInRange<uint8_t>(0, 2));
  std::string target = in.ConsumeRandomLengthString(32);
  for (size_t i = 0; i < count && in.remaining_bytes() > 0; i++) {
    std::string key = in.ConsumeRandomLengthString(48);
    entries[key] = in.ConsumeRandomLengthString(128);
  }
  BlockBuilder builder(restart_interval);
  for (const auto& [k, v] : entries) builder.Add(k, v);
  Bytes raw(builder.Finish());

  Compression used;
  Bytes stored = CompressBlock(raw, wanted, &used);
  FUZZ_CHECK(used == wanted || used == Compression::kNone);
  AppendBlockTrailer(&stored, used);
  Result<Bytes> decoded = DecodeBlock(stored, "fuzz");
  FUZZ_CHECK(decoded.ok());
  FUZZ_CHECK(*decoded == raw);

  std::vector<std::pair<std::string, std::string>> want(entries.begin(), entries.end());
  BlockIterator it(*decoded, Bytewise, nullptr);
  size_t i = 0;
  for (it.SeekToFirst(); it.Valid(); it.Next(), i++) {
    FUZZ_CHECK(i < want.size());
    FUZZ_CHECK(it.key() == want[i].first && it.value() == want[i].second);
  }
  FUZZ_CHECK(it.status().ok() && i == want.size());
  for (it.SeekToLast(); it.Valid(); it.Prev()) {
    FUZZ_CHECK(i > 0);
    i--;
    FUZZ_CHECK(it.key() == want[i].first && it.value() == want[i].second);
  }
  FUZZ_CHECK(it.status().ok() && i == 0);
  for (const auto& [k, v] : want) {
    it.Seek(k);
    FUZZ_CHECK(it.Valid() && it.key() == k && it.value() == v);
  }
  it.Seek(target);
  auto lower = entries.lower_bound(target);
  if (lower == entries.end()) {
    FUZZ_CHECK(!it.Valid() && it.status().ok());
  } else {
    FUZZ_CHECK(it.Valid() && it.key() == lower->first);
  }

  // Damaging the stored block anywhere is caught by the checksum.
  if (!stored.empty()) {
    Bytes damaged = stored;
    size_t at = (raw.size() * 131 + count) % damaged.size();
    damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
    Result<Bytes> bad = DecodeBlock(damaged, "fuzz");
    fuzz::CheckErrorKind(bad.status(), {StatusCode::kCorruption});
  }

  Footer footer;
  footer.filter = {in.ConsumeIntegral<uint64_t>(), in.ConsumeIntegral<uint64_t>()};
  footer.index = {in.ConsumeIntegral<uint64_t>(), in.ConsumeIntegral<uint64_t>()};
  footer.entries = in.ConsumeIntegral<uint64_t>();
  Result<Footer> f = Footer::Decode(footer.Encode(), "fuzz");
  FUZZ_CHECK(f.ok());
  FUZZ_CHECK(f->filter.offset == footer.filter.offset && f->filter.size == footer.filter.size &&
             f->index.offset == footer.index.offset && f->index.size == footer.index.size &&
             f->entries == footer.entries);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Slice rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      WalkAnyBlock(rest, rest.substr(0, std::min<size_t>(rest.size(), 8)));
      break;
    case 1: {
      auto compression = static_cast<Compression>(data[0] / 4 % 4);  // none, lz4, zstd, unknown
      // DecodeBlock believes a checksummed block's claimed size up to kMaxBlockSize (2 GiB).
      // Damage cannot make such a claim (the checksum comes first); only this framing can, so
      // claims past 1 MiB are skipped rather than allocated at every run.
      if (compression == Compression::kLz4 && rest.size() >= 4 && DecodeFixed32(rest.data()) > kClaimLimit) break;
      if (compression == Compression::kZstd) {
        unsigned long long claimed = ZSTD_getFrameContentSize(rest.data(), rest.size());
        if (claimed != ZSTD_CONTENTSIZE_ERROR && claimed != ZSTD_CONTENTSIZE_UNKNOWN && claimed > kClaimLimit) break;
      }
      Bytes stored(rest);
      stored.push_back(static_cast<char>(compression));
      PutFixed64(&stored, Checksum64(stored));
      Result<Bytes> block = DecodeBlock(stored, "fuzz");
      if (!block.ok()) {
        fuzz::CheckErrorKind(block.status(), {StatusCode::kCorruption});
      } else {
        WalkAnyBlock(*block, rest.substr(0, std::min<size_t>(rest.size(), 8)));
      }
      break;
    }
    case 2: {
      // Footers and block handles read from the end of a (damaged) file.
      Result<Footer> f = Footer::Decode(rest, "fuzz");
      if (!f.ok()) fuzz::CheckErrorKind(f.status(), {StatusCode::kCorruption});
      Slice in = rest;
      BlockHandle h;
      while (h.DecodeFrom(&in)) {
        Bytes again;
        h.EncodeTo(&again);
        Slice s(again);
        BlockHandle h2;
        FUZZ_CHECK(h2.DecodeFrom(&s) && s.empty() && h2.offset == h.offset && h2.size == h.size);
      }
      break;
    }
    default: {
      FuzzedDataProvider in(data + 1, size - 1);
      RoundTrip(in);
    }
  }
  return 0;
}
