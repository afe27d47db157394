// SST file format pieces shared by the writer and the reader (docs/sst_format.md).
//
//   file    := data_block* filter_block index_block footer
//   block   := payload | compression (1 byte) | checksum fixed64 = XXH3(payload|compression)
//   footer  := filter handle | index handle   (each: offset, size fixed64)
//              | entries fixed64 | format_version fixed32 | checksum fixed64 | magic fixed64
//
// A handle's size counts the payload only (the 9-byte trailer follows it). The payload is
// stored compressed when `compression` is not kNone; the checksum covers the stored bytes.
// Range tombstones are not stored in SSTs: they live in the MANIFEST (see version_set.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/slice.h"
#include "common/status.h"

namespace strata::io {
class File;
}

namespace strata::storage::lsm {

enum class Compression : uint8_t { kNone = 0, kLz4 = 1, kZstd = 2 };

constexpr uint64_t kTableMagic = 0x5354524154415354ULL;  // "TSATARTS" little-endian: STRATAST
constexpr uint32_t kTableFormatVersion = 1;
constexpr size_t kBlockTrailerSize = 9;
constexpr size_t kFooterSize = 2 * 16 + 8 + 4 + 8 + 8;

struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;
  void EncodeTo(Bytes* dst) const;         // varint pair (index block values)
  bool DecodeFrom(Slice* in);
};

struct Footer {
  BlockHandle filter, index;
  uint64_t entries = 0;
  Bytes Encode() const;
  static Result<Footer> Decode(Slice data, const std::string& file);
};

// Compresses `raw` as asked; falls back to kNone when compression would not save >= 1/8.
// Returns the stored payload and writes the compression actually used.
Bytes CompressBlock(Slice raw, Compression wanted, Compression* used);

// Appends trailer to a stored payload.
void AppendBlockTrailer(Bytes* block, Compression used);

// Verifies and decompresses a block already in memory: `stored` is the payload followed by
// its 9-byte trailer. `where` names the file and offset in errors.
Result<Bytes> DecodeBlock(Slice stored, const std::string& where);

// Reads the block at `handle` from `file`, verifies its checksum and decompresses it.
// Corruption names the file and offset. `foreground` selects the I/O class.
Result<Bytes> ReadBlock(io::File* file, const BlockHandle& handle, bool foreground);

}  // namespace strata::storage::lsm
