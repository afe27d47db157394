#include "server/mysql/compression.h"

#include <algorithm>

#include <zlib.h>
#include <zstd.h>

namespace strata::server::mysql {
namespace {

constexpr size_t kFrameHeader = 7;
constexpr size_t kMaxFramePayload = 0xffffff;
constexpr size_t kMinCompressBytes = 50;  // MySQL's MIN_COMPRESS_LENGTH

uint32_t Get3(const char* p) {
  return static_cast<uint8_t>(p[0]) | static_cast<uint8_t>(p[1]) << 8 | static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 16;
}
void Put3(std::string* out, size_t v) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>((v >> 8) & 0xff));
  out->push_back(static_cast<char>((v >> 16) & 0xff));
}

class CompressedTransport final : public Transport {
 public:
  CompressedTransport(std::unique_ptr<Transport> inner, Compression algorithm, int level)
      : inner_(std::move(inner)), algorithm_(algorithm), level_(level) {}

  Result<size_t> Read(char* buf, size_t len) override {
    while (pos_ == plain_.size()) STRATA_RETURN_IF_ERROR(ReadFrame());
    size_t n = std::min(len, plain_.size() - pos_);
    std::copy_n(plain_.data() + pos_, n, buf);
    pos_ += n;
    return n;
  }

  Status WriteAll(std::string_view data) override {
    std::string frames;
    do {
      std::string_view chunk = data.substr(0, kMaxFramePayload);
      data.remove_prefix(chunk.size());
      std::string packed = chunk.size() >= kMinCompressBytes ? Compress(chunk) : std::string();
      bool compressed = !packed.empty() && packed.size() < chunk.size();
      std::string_view payload = compressed ? std::string_view(packed) : chunk;
      Put3(&frames, payload.size());
      frames.push_back(static_cast<char>(seq_++));
      Put3(&frames, compressed ? chunk.size() : 0);
      frames.append(payload);
    } while (!data.empty());
    return inner_->WriteAll(frames);
  }

 private:
  Status ReadExact(char* dst, size_t n) {
    while (n > 0) {
      STRATA_ASSIGN_OR_RETURN(size_t got, inner_->Read(dst, n));
      dst += got;
      n -= got;
    }
    return Status::OK();
  }

  Status ReadFrame() {
    char header[kFrameHeader];
    STRATA_RETURN_IF_ERROR(ReadExact(header, kFrameHeader));
    size_t length = Get3(header), plain_length = Get3(header + 4);
    seq_ = static_cast<uint8_t>(static_cast<uint8_t>(header[3]) + 1);  // our next frame follows it
    std::string payload(length, '\0');
    STRATA_RETURN_IF_ERROR(ReadExact(payload.data(), length));
    pos_ = 0;
    if (plain_length == 0) {
      plain_ = std::move(payload);
      return Status::OK();
    }
    plain_.assign(plain_length, '\0');
    if (algorithm_ == Compression::kZlib) {
      uLongf out_len = plain_length;
      if (uncompress(reinterpret_cast<Bytef*>(plain_.data()), &out_len, reinterpret_cast<const Bytef*>(payload.data()),
                     payload.size()) != Z_OK ||
          out_len != plain_length) {
        return Status::InvalidArgument("a compressed frame that does not inflate to its announced length");
      }
    } else {
      size_t got = ZSTD_decompress(plain_.data(), plain_length, payload.data(), payload.size());
      if (ZSTD_isError(got) || got != plain_length)
        return Status::InvalidArgument("a zstd frame that does not decompress to its announced length");
    }
    return Status::OK();
  }

  // Empty when compression fails (the chunk then goes as it is).
  std::string Compress(std::string_view chunk) const {
    std::string out;
    if (algorithm_ == Compression::kZlib) {
      uLongf len = compressBound(chunk.size());
      out.resize(len);
      if (compress2(reinterpret_cast<Bytef*>(out.data()), &len, reinterpret_cast<const Bytef*>(chunk.data()), chunk.size(),
                    level_) != Z_OK)
        return std::string();
      out.resize(len);
    } else {
      out.resize(ZSTD_compressBound(chunk.size()));
      size_t len = ZSTD_compress(out.data(), out.size(), chunk.data(), chunk.size(), level_);
      if (ZSTD_isError(len)) return std::string();
      out.resize(len);
    }
    return out;
  }

  std::unique_ptr<Transport> inner_;
  const Compression algorithm_;
  const int level_;
  uint8_t seq_ = 0;
  std::string plain_;  // the current frame's packets; bytes [pos_, size) not yet read
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<Transport> MakeCompressedTransport(std::unique_ptr<Transport> inner, Compression algorithm, int level) {
  return std::make_unique<CompressedTransport>(std::move(inner), algorithm, level);
}

}  // namespace strata::server::mysql
