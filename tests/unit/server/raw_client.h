// RawConn: a MySQL client at the byte level, for fuzzing and protocol transcripts.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "server/mysql/protocol.h"

namespace strata::server::mysql {

class RawConn {
 public:
  explicit RawConn(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConn() { ::close(fd_); }

  // Reads one packet's payload; empty on error.
  std::string ReadPacket() {
    char h[4];
    if (!ReadN(h, 4)) return {};
    size_t len = static_cast<uint8_t>(h[0]) | (static_cast<uint8_t>(h[1]) << 8) |
                 (static_cast<size_t>(static_cast<uint8_t>(h[2])) << 16);
    last_seq_ = static_cast<uint8_t>(h[3]);
    std::string p(len, '\0');
    return ReadN(p.data(), len) ? p : std::string();
  }
  // The nonce from the server's HandshakeV10.
  std::string ReadNonce() {
    std::string hello = ReadPacket();
    PacketReader r(hello);
    std::string_view version, part1, part2;
    uint32_t id;
    if (!r.Skip(1) || !r.ReadNulString(&version) || !r.ReadU32(&id) || !r.ReadBytes(8, &part1) ||
        !r.Skip(1 + 2 + 1 + 2 + 2 + 1 + 10) || !r.ReadBytes(12, &part2)) {
      return {};
    }
    return std::string(part1) + std::string(part2);
  }
  void SendPacket(std::string_view payload, uint8_t seq) {
    std::string b{static_cast<char>(payload.size() & 0xff),
                  static_cast<char>((payload.size() >> 8) & 0xff),
                  static_cast<char>((payload.size() >> 16) & 0xff), static_cast<char>(seq)};
    b += payload;
    SendRaw(b);
  }
  void SendRaw(std::string_view bytes) {
    (void)!::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
  // Half-closes and drains until the server closes (or the 5 s read timeout).
  bool DrainUntilClosed() {
    ::shutdown(fd_, SHUT_WR);
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n == 0) return true;
      if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
    }
  }
  bool connected() const { return connected_; }
  uint8_t last_seq() const { return last_seq_; }  // of the last packet read

 private:
  bool ReadN(char* dst, size_t n) {
    while (n > 0) {
      ssize_t got = ::recv(fd_, dst, n, 0);
      if (got <= 0) return false;
      dst += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }
  int fd_;
  bool connected_ = false;
  uint8_t last_seq_ = 0;
};

}  // namespace strata::server::mysql
