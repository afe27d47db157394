// The packet layer: a byte stream (plain socket or TLS) carrying MySQL packets, each a
// 3-byte little-endian payload length, a 1-byte sequence id and the payload. A payload of
// 0xffffff bytes or more is split into 0xffffff-byte packets followed by a shorter one (an
// empty one when the length is an exact multiple); PacketChannel reassembles on read and
// splits on write, so callers only see whole payloads.
//
// Sequence ids: the client's command starts at 0; each packet (either direction) takes the
// next id. ResetSequence() starts a new command. A packet with an unexpected id is an
// error (out of order).
//
// Thread-safety: a PacketChannel belongs to its connection's thread. Only the underlying
// socket may be shut down from another thread (Server::Stop), which makes blocked reads
// and writes fail.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/memory_budget.h"
#include "common/status.h"

namespace strata::obs {
class Counter;
}

namespace strata::server::mysql {

// A blocking byte stream.
class Transport {
 public:
  virtual ~Transport() = default;
  // Reads at least one byte into buf (up to len). 0 bytes read is an error (peer closed).
  virtual Result<size_t> Read(char* buf, size_t len) = 0;
  virtual Status WriteAll(std::string_view data) = 0;
};

// Plain TCP on a connected socket (not owned: the server closes it).
std::unique_ptr<Transport> MakeSocketTransport(int fd);

class PacketChannel {
 public:
  // `bytes_in`/`bytes_out` may be null.
  PacketChannel(std::unique_ptr<Transport> transport, obs::Counter* bytes_in,
                obs::Counter* bytes_out);

  // Reads one whole payload. Errors: kResourceExhausted when the reassembled payload would
  // exceed `max_payload` (nothing more can be read reliably; close the connection),
  // kInvalidArgument for an out-of-order sequence id, kIOError/kUnavailable for a
  // broken or closed stream.
  //
  // With `memory`, a payload past kFreePayloadBytes is charged to it first. When the budget
  // cannot hold it, the packet is read and thrown away (the stream stays usable) and the
  // error is MySQL 1041 (ER_OUT_OF_RESOURCES). The charge is the caller's to release.
  static constexpr size_t kFreePayloadBytes = 64 << 10;
  Result<std::string> ReadPayload(size_t max_payload, MemoryCharge* memory = nullptr);

  // Queues one payload (split as needed) with the next sequence ids. Bytes go out on
  // Flush(), or earlier when the queue exceeds its soft limit; a part of 256 KiB or more is
  // written to the stream from where it lies, after what is queued (a LONGBLOB is not copied
  // into the queue).
  Status WritePayload(std::string_view payload);
  // The same for a payload given in pieces, which are not joined.
  Status WritePayload(std::span<const std::string_view> pieces);
  Status Flush();

  void ResetSequence() { seq_ = 0; }
  uint8_t sequence() const { return seq_; }

  // Swaps the byte stream (plain → TLS after an SSLRequest). REQUIRES: no buffered input
  // (a client must not pipeline bytes behind its SSLRequest) and no queued output.
  Status ReplaceTransport(std::unique_ptr<Transport> transport);
  bool has_buffered_input() const { return in_pos_ < in_.size(); }
  // Wraps the byte stream (the compressed protocol, compression.h). Same REQUIRES.
  template <typename Wrap>
  Status WrapTransport(Wrap wrap) {
    if (has_buffered_input() || !out_.empty()) return Status::InvalidArgument("bytes pipelined behind the handshake");
    transport_ = wrap(std::move(transport_));
    return Status::OK();
  }

  // While set, reads take from the stream only the bytes of the current packet, never
  // read ahead. Needed until the client's SSLRequest has been read: a client starts its
  // TLS ClientHello right behind it, and those bytes belong to OpenSSL, not to us.
  void set_exact_reads(bool exact) { exact_reads_ = exact; }

 private:
  Status Discard(size_t n);
  Status ReadExact(char* dst, size_t n);

  std::unique_ptr<Transport> transport_;
  obs::Counter* bytes_in_;
  obs::Counter* bytes_out_;
  uint8_t seq_ = 0;
  bool exact_reads_ = false;
  std::string in_;      // read buffer; bytes [in_pos_, size) not yet consumed
  size_t in_pos_ = 0;
  std::string out_;     // queued output
};

}  // namespace strata::server::mysql
