#include "storage/lsm/table_format.h"

#include <lz4.h>
#include <zstd.h>

#include <fmt/format.h>

#include "common/checksum.h"
#include "common/coding.h"
#include "io/io.h"

namespace strata::storage::lsm {

// Limits what a corrupt size field can make the reader allocate.
constexpr uint64_t kMaxBlockSize = uint64_t{2} << 30;

void BlockHandle::EncodeTo(Bytes* dst) const {
  PutVarint64(dst, offset);
  PutVarint64(dst, size);
}

bool BlockHandle::DecodeFrom(Slice* in) { return GetVarint64(in, &offset) && GetVarint64(in, &size); }

Bytes Footer::Encode() const {
  Bytes out;
  for (const BlockHandle* h : {&filter, &index}) {
    PutFixed64(&out, h->offset);
    PutFixed64(&out, h->size);
  }
  PutFixed64(&out, entries);
  PutFixed32(&out, kTableFormatVersion);
  PutFixed64(&out, Checksum64(out));
  PutFixed64(&out, kTableMagic);
  return out;
}

Result<Footer> Footer::Decode(Slice data, const std::string& file) {
  if (data.size() != kFooterSize) return Status::Corruption(file + ": file too short for a footer");
  const char* p = data.data();
  if (DecodeFixed64(p + kFooterSize - 8) != kTableMagic) {
    return Status::Corruption(file + ": bad magic (not an SST file)");
  }
  if (DecodeFixed64(p + kFooterSize - 16) != Checksum64(data.substr(0, kFooterSize - 16))) {
    return Status::Corruption(file + ": footer checksum mismatch");
  }
  uint32_t version = DecodeFixed32(p + 40);
  if (version != kTableFormatVersion) {
    return Status::Corruption(fmt::format("{}: unsupported format version {}", file, version));
  }
  Footer f;
  BlockHandle* handles[] = {&f.filter, &f.index};
  for (int i = 0; i < 2; i++) {
    handles[i]->offset = DecodeFixed64(p + 16 * i);
    handles[i]->size = DecodeFixed64(p + 16 * i + 8);
  }
  f.entries = DecodeFixed64(p + 32);
  return f;
}

Bytes CompressBlock(Slice raw, Compression wanted, Compression* used) {
  Bytes out;
  if (wanted == Compression::kLz4 && raw.size() < LZ4_MAX_INPUT_SIZE) {
    out.resize(4 + LZ4_compressBound(static_cast<int>(raw.size())));
    uint32_t raw_len = static_cast<uint32_t>(raw.size());
    std::memcpy(out.data(), &raw_len, 4);
    int n = LZ4_compress_default(raw.data(), out.data() + 4, static_cast<int>(raw.size()),
                                 static_cast<int>(out.size() - 4));
    out.resize(n > 0 ? 4 + n : 0);
  } else if (wanted == Compression::kZstd) {
    out.resize(ZSTD_compressBound(raw.size()));
    size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3);
    out.resize(ZSTD_isError(n) ? 0 : n);
  }
  if (!out.empty() && out.size() < raw.size() - raw.size() / 8) {
    *used = wanted;
    return out;
  }
  *used = Compression::kNone;
  return Bytes(raw);
}

void AppendBlockTrailer(Bytes* block, Compression used) {
  block->push_back(static_cast<char>(used));
  PutFixed64(block, Checksum64(*block));
}

namespace {

Result<Bytes> Decompress(Slice stored, Compression c, const std::string& where) {
  switch (c) {
    case Compression::kNone:
      return Bytes(stored);
    case Compression::kLz4: {
      if (stored.size() < 4) return Status::Corruption(where + ": truncated lz4 block");
      uint32_t raw_len = DecodeFixed32(stored.data());
      if (raw_len > kMaxBlockSize) return Status::Corruption(where + ": lz4 block too large");
      Bytes out(raw_len, '\0');
      int n = LZ4_decompress_safe(stored.data() + 4, out.data(), static_cast<int>(stored.size() - 4),
                                  static_cast<int>(raw_len));
      if (n < 0 || static_cast<uint32_t>(n) != raw_len) return Status::Corruption(where + ": bad lz4 data");
      return out;
    }
    case Compression::kZstd: {
      unsigned long long raw_len = ZSTD_getFrameContentSize(stored.data(), stored.size());
      if (raw_len == ZSTD_CONTENTSIZE_ERROR || raw_len == ZSTD_CONTENTSIZE_UNKNOWN || raw_len > kMaxBlockSize) {
        return Status::Corruption(where + ": bad zstd frame");
      }
      Bytes out(raw_len, '\0');
      size_t n = ZSTD_decompress(out.data(), out.size(), stored.data(), stored.size());
      if (ZSTD_isError(n) || n != raw_len) return Status::Corruption(where + ": bad zstd data");
      return out;
    }
  }
  return Status::Corruption(where + ": unknown compression type");
}

}  // namespace

Result<Bytes> ReadBlock(io::File* file, const BlockHandle& handle, bool foreground) {
  std::string where = fmt::format("{} at offset {}", file->path(), handle.offset);
  if (handle.size > kMaxBlockSize) return Status::Corruption(where + ": block size out of range");
  // Read whole aligned 4 KiB pages so the same code works with O_DIRECT.
  uint64_t begin = io::AlignDown(handle.offset);
  uint64_t end = io::AlignUp(handle.offset + handle.size + kBlockTrailerSize);
  io::AlignedBuffer buf(end - begin);
  auto io_class = foreground ? io::IoClass::kForegroundRead : io::IoClass::kCompaction;
  STRATA_ASSIGN_OR_RETURN(size_t got, file->ReadAt(io_class, begin, buf.data(), end - begin));
  uint64_t need = handle.offset + handle.size + kBlockTrailerSize - begin;
  if (got < need) return Status::Corruption(where + ": block extends past end of file");
  return DecodeBlock(Slice(buf.data() + (handle.offset - begin), handle.size + kBlockTrailerSize), where);
}

Result<Bytes> DecodeBlock(Slice stored, const std::string& where) {
  if (stored.size() < kBlockTrailerSize) return Status::Corruption(where + ": truncated block");
  size_t size = stored.size() - kBlockTrailerSize;
  uint64_t expected = DecodeFixed64(stored.data() + size + 1);
  if (Checksum64(stored.substr(0, size + 1)) != expected) {
    return Status::Corruption(where + ": block checksum mismatch");
  }
  auto c = static_cast<Compression>(stored[size]);
  return Decompress(stored.substr(0, size), c, where);
}

}  // namespace strata::storage::lsm
