// One client connection, run to completion on its own thread (internal to strata_mysql).
//
// Phases: handshake (HandshakeV10 → optional SSLRequest + TLS → HandshakeResponse41),
// authentication (connection_auth.cc), then the command loop (connection.cc) until
// COM_QUIT, a closed or broken socket, a protocol violation, wait_timeout, or Stop().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/mysql/handler.h"
#include "server/mysql/handshake.h"
#include "server/mysql/packet_io.h"
#include "server/mysql/result_writer.h"
#include "server/mysql/server.h"

namespace strata::obs {
class Counter;
class Gauge;
template <typename M>
class Family;
}  // namespace strata::obs

namespace strata::server::mysql {

class TlsContext;

struct ServerMetrics {
  obs::Gauge* connections_open = nullptr;
  obs::Counter* connections_total = nullptr;
  obs::Counter* aborted_connects = nullptr;      // failed handshakes and logins
  obs::Counter* refused_max_connections = nullptr;
  obs::Counter* bytes_received = nullptr;
  obs::Counter* bytes_sent = nullptr;
  obs::Family<obs::Counter>* commands = nullptr;  // label "command"
};

// What every connection shares; owned by the Server, read-only but for the atomics.
struct ServerContext {
  ServerOptions options;
  SessionFactory* factory = nullptr;
  std::unique_ptr<TlsContext> tls;
  ServerMetrics metrics;
  std::chrono::steady_clock::time_point start_time;
  std::atomic<uint64_t> questions{0};  // commands executed, for COM_STATISTICS
  std::atomic<size_t> open_connections{0};
};

class Connection {
 public:
  // `fd`: a connected socket, owned by the server (closed after this returns).
  Connection(ServerContext* ctx, int fd, uint32_t connection_id, std::string peer_host);
  ~Connection();
  void Run();

 private:
  // Connection phase. On success session_ is open and the client has its OK.
  Status Handshake();
  Status ReadHandshakeResponse(HandshakeResponse* resp);
  Status Authenticate(const HandshakeResponse& resp);
  // Each returns true when the client proved the password (or the account has none and
  // the response is empty), false for a wrong one; errors are I/O failures. Authenticate
  // sends the denial.
  Result<bool> RunNative(const Account& account, std::string_view response);
  Result<bool> RunCachingSha2(const Account& account, std::string_view response);
  Result<bool> CachingSha2FullAuth(const Account& account);
  Status Deny(std::string_view user, bool used_password);

  // Command phase.
  void CommandLoop();
  Status Dispatch(std::string_view payload, bool* quit);
  Status DoQuery(std::string_view sql);
  Status DoFieldList(std::string_view args);
  Status DoStatistics();
  Status DoSetOption(std::string_view args);
  uint16_t StatusFlags() const;
  Status SendProtocolError(const Status& read_error);

  ServerContext* ctx_;
  int fd_;
  uint32_t connection_id_;
  std::string peer_host_;
  PacketChannel channel_;
  std::string nonce_;
  uint32_t capabilities_ = 0;  // negotiated: server ∩ client
  bool tls_active_ = false;
  bool denied_ = false;  // authentication failed (already counted and logged)
  bool multi_statements_ = false;  // CLIENT_MULTI_STATEMENTS, toggled by COM_SET_OPTION
  std::unique_ptr<SessionHandler> session_;
};

// Sets SO_RCVTIMEO / SO_SNDTIMEO on `fd`.
void SetSocketTimeouts(int fd, std::chrono::seconds read, std::chrono::seconds write);

}  // namespace strata::server::mysql
