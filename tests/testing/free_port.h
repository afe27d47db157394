// A loopback port nobody listens on right now, for tests whose peers must know a port in
// advance. Drawn at random below the kernel's ephemeral range (ip_local_port_range): a
// port the kernel picks (bind to 0) is an ephemeral one, which any outgoing connection may
// take as its local port before the test binds it ("Address already in use"). Another
// process may still take it first; never the same port twice from one process.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <mutex>
#include <random>
#include <set>

namespace strata::testing {

inline uint16_t FreePort() {
  static std::mutex mu;
  static std::set<uint16_t> given;
  static std::mt19937 rng{std::random_device{}()};
  int floor = 32768;
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  if (!(range >> floor) || floor <= 10001) floor = 32768;
  std::lock_guard lock(mu);
  std::uniform_int_distribution<int> pick(10000, floor - 1);
  while (true) {
    auto port = static_cast<uint16_t>(pick(rng));
    if (given.count(port)) continue;
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    if (!ok) continue;
    given.insert(port);
    return port;
  }
}

}  // namespace strata::testing
