// One client connection, run to completion on its own thread (internal to strata_mysql).
//
// Phases: handshake (HandshakeV10 → optional SSLRequest + TLS → HandshakeResponse41),
// authentication (connection_auth.cc), then the command loop (connection.cc) until
// COM_QUIT, a closed or broken socket, a protocol violation, wait_timeout, or Stop().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/mysql/binary_protocol.h"
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
  // COM_CHANGE_USER: ends the session (its transaction rolls back, its statements and locks
  // go), then authenticates the new user against the handshake's nonce as at connect and
  // opens a fresh session. A denial is sent and closes the connection, as MySQL does.
  Status DoChangeUser(std::string_view args);

  // Command phase.
  void CommandLoop();
  Status Dispatch(std::string_view payload, bool* quit);
  Status DoQuery(std::string_view sql);
  // LOAD DATA LOCAL INFILE: sends the request for `name`; the function returned reads the
  // client's packets ("" after the empty one that ends the file). DoQuery reads what the
  // statement left unread, so the client is back in step before the reply.
  Result<std::function<Result<std::string>()>> OpenLocalFile(std::string_view name);
  Status DoFieldList(std::string_view args);
  Status DoStatistics();
  Status DoSetOption(std::string_view args);
  uint16_t StatusFlags() const;
  Status SendProtocolError(const Status& read_error);

  // Prepared statements (connection_stmt.cc). What the protocol keeps per statement; the
  // statement itself lives in the session (SessionHandler::Prepare).
  struct PreparedState {
    uint16_t param_count = 0;
    std::vector<ParamType> param_types;                // as the last execute declared them
    std::vector<std::optional<std::string>> long_data;  // COM_STMT_SEND_LONG_DATA, per parameter
    uint64_t long_data_bytes = 0;
    MemoryCharge long_data_memory;  // long_data, charged to the sessions' memory budget
    Status long_data_error;  // reported by the next execute (SEND_LONG_DATA has no reply)
    // An open cursor (COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY): its rows in binary form.
    bool cursor_open = false;
    std::vector<std::string> cursor_rows;
    size_t cursor_next = 0;
    MemoryCharge cursor_memory;
    void CloseCursor();
    void ResetLongData();
  };
  Status DoStmtPrepare(std::string_view sql);
  Status DoStmtExecute(std::string_view args);
  void DoStmtSendLongData(std::string_view args);
  void DoStmtClose(std::string_view args);
  Status DoStmtReset(std::string_view args);
  Status DoStmtFetch(std::string_view args);
  Status WriteBinaryResultSet(PreparedState* state, const StatementResult& result, bool open_cursor);

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
  bool local_file_open_ = false;   // the client is sending a LOCAL INFILE (until an empty packet)
  std::unique_ptr<SessionHandler> session_;
  std::map<uint32_t, PreparedState> statements_;  // by statement id
};

// Sets SO_RCVTIMEO / SO_SNDTIMEO on `fd`.
void SetSocketTimeouts(int fd, std::chrono::seconds read, std::chrono::seconds write);

}  // namespace strata::server::mysql
