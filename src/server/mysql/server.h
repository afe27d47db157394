// The MySQL protocol server: the front door of src/server/mysql.
//
//   ServerOptions opts;  opts.port = 3306;
//   STRATA_ASSIGN_OR_RETURN(auto server, Server::Start(opts, &session_factory));
//   ...
//   server->Stop();
//
// Threading: one accept thread, and one thread per client connection running blocking
// socket I/O (handlers block: a COMMIT waits for Raft replication), as MySQL's default
// one-thread-per-connection model. Connections beyond max_connections get ERR 1040
// "Too many connections" and are closed. The SessionFactory is called from connection
// threads concurrently and must be thread-safe; each SessionHandler is used by its own
// connection thread only. Protocol details and limits: docs/mysql_protocol.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/mysql/handler.h"

// Set by src/server/mysql/CMakeLists.txt from the project version.
#ifndef STRATA_MYSQL_VERSION
#define STRATA_MYSQL_VERSION "8.0.36-StrataDB"
#endif

namespace strata::obs {
class Registry;
}

namespace strata::server::mysql {

struct ServerOptions {
  std::string listen_addr = "127.0.0.1";  // IPv4 or IPv6 literal
  uint16_t port = 3306;                   // 0: an ephemeral port (see Server::port())
  std::string server_version = STRATA_MYSQL_VERSION;  // sent in the handshake
  uint32_t max_connections = 151;
  // When set, read at each new connection instead of max_connections (SET GLOBAL).
  std::function<uint32_t()> max_connections_now;
  // Largest command payload a client may send (reads); ERR 1153 and close beyond it.
  size_t max_allowed_packet = 64 << 20;
  // PEM files; both empty: a self-signed certificate is generated in memory at start.
  std::string tls_cert_file, tls_key_file;
  // PEM RSA private key for caching_sha2_password over plain TCP; empty: generated
  // (2048 bits) at start.
  std::string rsa_private_key_file;
  obs::Registry* registry = nullptr;      // nullptr: obs::Registry::Default()
  std::chrono::seconds wait_timeout{28800};    // idle time before a connection is closed
  std::chrono::seconds connect_timeout{10};    // time allowed for handshake + auth
  std::chrono::seconds net_write_timeout{60};  // a client that stops reading is dropped
  // caching_sha2_password: the account's verifier suffices to check the fast-path
  // scramble, so fast authentication is always possible without a cache. false forces
  // "perform full authentication" (cleartext over TLS, or RSA) on every login, as a
  // MySQL server with an empty cache would (tests; paranoid deployments).
  bool caching_sha2_fast_auth = true;
  // Packets over PacketChannel::kFreePayloadBytes and result sets are charged to it (the
  // sessions' share of memory_limit_mb); past it, MySQL 1041. nullptr: not counted.
  MemoryBudget* memory = nullptr;
};

class Server {
 public:
  // Binds, listens and starts the accept thread. `factory` must outlive the Server.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, SessionFactory* factory);
  ~Server();  // Stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const;
  // Closes the listener, shuts down every connection's socket (blocked reads and writes
  // fail; a handler call in progress finishes first), joins all threads. Idempotent.
  void Stop();
  size_t open_connections() const;
  // KILL CONNECTION: shuts down connection `connection_id`'s socket, so its blocked read or
  // write fails and the connection ends (a statement in progress finishes or is interrupted
  // first). False when no such connection is open.
  bool CloseConnection(uint32_t connection_id);

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::server::mysql
