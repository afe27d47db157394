#include "server/mysql/packet_io.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "obs/metrics.h"
#include "server/mysql/protocol.h"

namespace strata::server::mysql {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kFlushThreshold = 256 * 1024;  // queued output sent early beyond this
// A piece this large is written, not queued: queued, it would be sent at once anyway.
constexpr size_t kDirectWriteBytes = kFlushThreshold;

class SocketTransport final : public Transport {
 public:
  explicit SocketTransport(int fd) : fd_(fd) {}

  Result<size_t> Read(char* buf, size_t len) override {
    for (;;) {
      ssize_t n = ::recv(fd_, buf, len, 0);
      if (n > 0) return static_cast<size_t>(n);
      if (n == 0) return Status::Unavailable("connection closed by peer");
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::TimedOut("read timeout");
      return Status::FromErrno(errno, "recv");
    }
  }

  Status WriteAll(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::TimedOut("write timeout");
        return Status::FromErrno(errno, "send");
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::OK();
  }

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<Transport> MakeSocketTransport(int fd) {
  return std::make_unique<SocketTransport>(fd);
}

PacketChannel::PacketChannel(std::unique_ptr<Transport> transport, obs::Counter* bytes_in,
                             obs::Counter* bytes_out)
    : transport_(std::move(transport)), bytes_in_(bytes_in), bytes_out_(bytes_out) {}

Status PacketChannel::ReadExact(char* dst, size_t n) {
  while (n > 0) {
    if (in_pos_ == in_.size() && exact_reads_) {
      in_.clear();
      in_pos_ = 0;
      STRATA_ASSIGN_OR_RETURN(size_t got, transport_->Read(dst, n));
      if (bytes_in_ != nullptr) bytes_in_->Inc(got);
      dst += got;
      n -= got;
      continue;
    }
    if (in_pos_ == in_.size()) {
      in_.resize(kReadChunk);
      in_pos_ = 0;
      Result<size_t> got = transport_->Read(in_.data(), in_.size());
      if (!got.ok()) {
        in_.clear();
        return got.status();
      }
      in_.resize(*got);
      if (bytes_in_ != nullptr) bytes_in_->Inc(*got);
    }
    size_t take = std::min(n, in_.size() - in_pos_);
    std::memcpy(dst, in_.data() + in_pos_, take);
    in_pos_ += take;
    dst += take;
    n -= take;
  }
  return Status::OK();
}

Status PacketChannel::Discard(size_t n) {
  char sink[4096];
  while (n > 0) {
    size_t take = std::min(n, sizeof sink);
    STRATA_RETURN_IF_ERROR(ReadExact(sink, take));
    n -= take;
  }
  return Status::OK();
}

Result<std::string> PacketChannel::ReadPayload(size_t max_payload, MemoryCharge* memory) {
  std::string payload;
  bool refusing = false;  // the memory budget could not hold the payload: read it, throw it away
  size_t refused = 0;
  for (;;) {
    char header[4];
    STRATA_RETURN_IF_ERROR(ReadExact(header, 4));
    size_t len = static_cast<uint8_t>(header[0]) | (static_cast<uint8_t>(header[1]) << 8) |
                 (static_cast<size_t>(static_cast<uint8_t>(header[2])) << 16);
    uint8_t seq = static_cast<uint8_t>(header[3]);
    if (seq != seq_) {
      return Status::InvalidArgument(
          fmt::format("packet sequence id {} where {} was expected", seq, seq_));
    }
    ++seq_;
    if (payload.size() + len > max_payload) {
      return Status::ResourceExhausted(fmt::format(
          "packet of more than {} bytes (max_allowed_packet)", max_payload));
    }
    size_t old = payload.size();
    if (!refusing && memory != nullptr && old + len > kFreePayloadBytes && !memory->GrowTo(old + len)) {
      refusing = true;
      refused = old;
      std::string().swap(payload);
    }
    if (refusing) {
      STRATA_RETURN_IF_ERROR(Discard(len));
      refused += len;
      if (len < kMaxPacketChunk) {
        return ErrOutOfSessionMemory(*memory->budget(), fmt::format("a packet of {} bytes", refused),
                                     "it was not executed");
      }
      continue;
    }
    payload.resize(old + len);
    STRATA_RETURN_IF_ERROR(ReadExact(payload.data() + old, len));
    if (len < kMaxPacketChunk) return payload;
  }
}

Status PacketChannel::WritePayload(std::string_view payload) { return WritePayload(std::span(&payload, 1)); }

Status PacketChannel::WritePayload(std::span<const std::string_view> pieces) {
  size_t left = 0;
  for (std::string_view p : pieces) left += p.size();
  size_t piece = 0, offset = 0;  // where the next byte comes from
  for (;;) {
    const size_t len = std::min(left, kMaxPacketChunk);
    out_.push_back(static_cast<char>(len & 0xff));
    out_.push_back(static_cast<char>((len >> 8) & 0xff));
    out_.push_back(static_cast<char>((len >> 16) & 0xff));
    out_.push_back(static_cast<char>(seq_++));
    for (size_t need = len; need > 0;) {
      std::string_view part = pieces[piece].substr(offset, need);
      if (part.size() >= kDirectWriteBytes) {  // a large value goes out from where it lies
        STRATA_RETURN_IF_ERROR(Flush());
        STRATA_RETURN_IF_ERROR(transport_->WriteAll(part));
        if (bytes_out_ != nullptr) bytes_out_->Inc(part.size());
      } else {
        out_.append(part);
      }
      need -= part.size();
      offset += part.size();
      if (offset == pieces[piece].size()) {
        piece++;
        offset = 0;
      }
    }
    left -= len;
    if (out_.size() >= kFlushThreshold) STRATA_RETURN_IF_ERROR(Flush());
    // A chunk of exactly 0xffffff bytes says "more follows", so an exact multiple ends
    // with an empty packet.
    if (len < kMaxPacketChunk) return Status::OK();
  }
}

Status PacketChannel::Flush() {
  if (out_.empty()) return Status::OK();
  Status s = transport_->WriteAll(out_);
  if (s.ok() && bytes_out_ != nullptr) bytes_out_->Inc(out_.size());
  out_.clear();
  return s;
}

Status PacketChannel::ReplaceTransport(std::unique_ptr<Transport> transport) {
  if (has_buffered_input() || !out_.empty()) {
    return Status::InvalidArgument("bytes pipelined behind the SSLRequest");
  }
  transport_ = std::move(transport);
  return Status::OK();
}

}  // namespace strata::server::mysql
