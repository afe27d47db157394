// The command phase: one command packet in, its response out, until the client quits.
#include "server/mysql/connection.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <fmt/format.h>

#include "obs/log.h"
#include "obs/metrics.h"
#include "server/mysql/protocol.h"
#include "server/mysql/tls.h"

namespace strata::server::mysql {

void SetSocketTimeouts(int fd, std::chrono::seconds read, std::chrono::seconds write) {
  timeval rt{static_cast<time_t>(read.count()), 0};
  timeval wt{static_cast<time_t>(write.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rt, sizeof(rt));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wt, sizeof(wt));
}

Connection::Connection(ServerContext* ctx, int fd, uint32_t connection_id, std::string peer_host)
    : ctx_(ctx),
      fd_(fd),
      connection_id_(connection_id),
      peer_host_(std::move(peer_host)),
      channel_(MakeSocketTransport(fd), ctx->metrics.bytes_received, ctx->metrics.bytes_sent) {}

Connection::~Connection() = default;

void Connection::Run() {
  SetSocketTimeouts(fd_, ctx_->options.connect_timeout, ctx_->options.net_write_timeout);
  Status s = Handshake();
  if (!s.ok()) {
    if (!denied_) ctx_->metrics.aborted_connects->Inc();  // Deny counted its own
    obs::Debug("mysql", "connection phase failed",
               {{"connection_id", uint64_t{connection_id_}}, {"host", peer_host_},
                {"error", s.ToString()}});
    return;
  }
  SetSocketTimeouts(fd_, ctx_->options.wait_timeout, ctx_->options.net_write_timeout);
  CommandLoop();
}

uint16_t Connection::StatusFlags() const {
  SessionStatus st = session_->status();
  uint16_t flags = 0;
  if (st.autocommit) flags |= kStatusAutocommit;
  if (st.in_transaction) flags |= kStatusInTrans;
  if (st.no_backslash_escapes) flags |= kStatusNoBackslashEscapes;
  return flags;
}

// A read that failed mid-stream: tell the client why when the stream is still usable
// for one more packet, then the caller closes the connection.
Status Connection::SendProtocolError(const Status& read_error) {
  ResultWriter w(&channel_, capabilities_);
  if (read_error.code() == StatusCode::kResourceExhausted) {
    (void)w.WriteErr(er::kNetPacketTooLarge, "08S01",
                     "Got a packet bigger than 'max_allowed_packet' bytes");
  } else if (read_error.code() == StatusCode::kTimedOut) {
    (void)w.WriteErr(er::kClientInteractionTimeout, "HY000",
                     "The client was disconnected by the server because of inactivity.");
  } else if (read_error.code() == StatusCode::kInvalidArgument) {
    (void)w.WriteErr(er::kNetPacketsOutOfOrder, "08S01", "Got packets out of order");
  } else {
    return read_error;  // closed, timed out or broken: nobody to tell
  }
  return channel_.Flush();
}

void Connection::CommandLoop() {
  for (;;) {
    channel_.ResetSequence();
    MemoryCharge packet_memory(ctx_->options.memory);  // released once the command is answered
    Result<std::string> payload = channel_.ReadPayload(ctx_->options.max_allowed_packet, &packet_memory);
    if (!payload.ok() && payload.status().mysql_errno() == er::kOutOfResources) {
      // The packet was read and dropped: the stream is intact, the session goes on.
      obs::Warn("mysql", "packet refused: sessions' memory budget exhausted",
                {{"connection_id", uint64_t{connection_id_}}, {"error", payload.status().message()}});
      Status s = ResultWriter(&channel_, capabilities_).WriteErr(payload.status());
      if (s.ok()) s = channel_.Flush();
      if (!s.ok()) return;
      continue;
    }
    if (!payload.ok()) {
      if (payload.status().code() == StatusCode::kResourceExhausted) {
        obs::Warn("mysql", "packet larger than max_allowed_packet",
                  {{"connection_id", uint64_t{connection_id_}},
                   {"max_allowed_packet", uint64_t{ctx_->options.max_allowed_packet}}});
      }
      (void)SendProtocolError(payload.status());
      return;
    }
    bool quit = false;
    Status s = Dispatch(*payload, &quit);
    if (s.ok()) s = channel_.Flush();
    if (!s.ok() || quit) {
      if (!s.ok() && s.code() == StatusCode::kInvalidArgument) {
        (void)ResultWriter(&channel_, capabilities_)
            .WriteErr(er::kMalformedPacket, "HY000", "Malformed communication packet.");
        (void)channel_.Flush();
      }
      return;
    }
  }
}

Status Connection::Dispatch(std::string_view payload, bool* quit) {
  if (payload.empty()) return Status::InvalidArgument("empty command packet");
  uint8_t command = static_cast<uint8_t>(payload[0]);
  std::string_view args = payload.substr(1);
  ctx_->metrics.commands->With({std::string(CommandName(command))}).Inc();
  ctx_->questions.fetch_add(1, std::memory_order_relaxed);
  ResultWriter w(&channel_, capabilities_);
  switch (static_cast<Command>(command)) {
    case Command::kQuit:
      *quit = true;
      return Status::OK();
    case Command::kQuery:
      return DoQuery(args);
    case Command::kInitDb: {
      Status s = session_->InitDb(args);
      if (!s.ok()) return w.WriteErr(s);
      std::vector<SessionStateChange> changes = session_->TakeStateChanges();
      return w.WriteOk({0, 0, StatusFlags(), 0, {}, &changes});
    }
    case Command::kPing:
      return w.WriteOk({0, 0, StatusFlags(), 0, {}});
    case Command::kFieldList:
      return DoFieldList(args);
    case Command::kResetConnection:
      session_->Reset();
      statements_.clear();
      multi_statements_ = (capabilities_ & kClientMultiStatements) != 0;
      return w.WriteOk({0, 0, StatusFlags(), 0, {}});
    case Command::kStatistics:
      return DoStatistics();
    case Command::kSetOption:
      return DoSetOption(args);
    case Command::kStmtPrepare:
      return DoStmtPrepare(args);
    case Command::kStmtExecute:
      return DoStmtExecute(args);
    case Command::kStmtSendLongData:  // these two never get a response, not even an error
      DoStmtSendLongData(args);
      return Status::OK();
    case Command::kStmtClose:
      DoStmtClose(args);
      return Status::OK();
    case Command::kStmtReset:
      return DoStmtReset(args);
    case Command::kStmtFetch:
      return DoStmtFetch(args);
    case Command::kChangeUser:
      return DoChangeUser(args);
    case Command::kProcessKill:
    case Command::kDebug:
      return w.WriteErr(er::kNotSupportedYet, "42000",
                        fmt::format("This version of StrataDB doesn't yet support 'COM_{}'",
                                    CommandName(command)));
    default:
      return w.WriteErr(er::kUnknownCom, "08S01", "Unknown command");
  }
}

Result<std::function<Result<std::string>()>> Connection::OpenLocalFile(std::string_view name) {
  if (local_file_open_) return Status::InvalidArgument("a LOCAL INFILE is already being read");
  STRATA_RETURN_IF_ERROR(channel_.WritePayload("\xfb" + std::string(name)));
  STRATA_RETURN_IF_ERROR(channel_.Flush());
  local_file_open_ = true;
  return std::function<Result<std::string>()>([this]() -> Result<std::string> {
    if (!local_file_open_) return std::string();
    STRATA_ASSIGN_OR_RETURN(std::string chunk, channel_.ReadPayload(ctx_->options.max_allowed_packet));
    if (chunk.empty()) local_file_open_ = false;
    return chunk;
  });
}

Status Connection::DoQuery(std::string_view sql) {
  SessionHandler::QueryResponse resp = session_->Query(sql, multi_statements_);
  while (local_file_open_) {  // a statement that failed part-way: read the rest of the file
    STRATA_ASSIGN_OR_RETURN(std::string chunk, channel_.ReadPayload(ctx_->options.max_allowed_packet));
    if (chunk.empty()) local_file_open_ = false;
  }
  uint16_t flags = StatusFlags();
  ResultWriter w(&channel_, capabilities_);
  const size_t n = resp.results.size();
  for (size_t i = 0; i < n; ++i) {
    bool more = i + 1 < n || !resp.error.ok();
    STRATA_RETURN_IF_ERROR(
        w.WriteResult(resp.results[i], flags | (more ? kMoreResultsExist : 0)));
  }
  if (!resp.error.ok()) return w.WriteErr(resp.error);
  if (n == 0) return w.WriteOk({0, 0, flags, 0, {}});
  return Status::OK();
}

Status Connection::DoFieldList(std::string_view args) {
  size_t nul = args.find('\0');
  std::string_view table = nul == std::string_view::npos ? args : args.substr(0, nul);
  Result<std::vector<Column>> columns = session_->FieldList(table);
  ResultWriter w(&channel_, capabilities_);
  if (!columns.ok()) return w.WriteErr(columns.status());
  return w.WriteFieldList(*columns, StatusFlags());
}

Status Connection::DoStatistics() {
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::steady_clock::now() - ctx_->start_time).count();
  uint64_t questions = ctx_->questions.load(std::memory_order_relaxed);
  std::string text = fmt::format(
      "Uptime: {}  Threads: {}  Questions: {}  Slow queries: 0  Opens: 0  Open tables: 0  "
      "Queries per second avg: {:.3f}",
      uptime, ctx_->open_connections.load(), questions,
      uptime > 0 ? static_cast<double>(questions) / static_cast<double>(uptime) : 0.0);
  return channel_.WritePayload(text);  // a bare string, no header byte
}

Status Connection::DoSetOption(std::string_view args) {
  PacketReader r(args);
  uint16_t option;
  if (!r.ReadU16(&option)) return Status::InvalidArgument("COM_SET_OPTION without option");
  ResultWriter w(&channel_, capabilities_);
  if (option > 1) return w.WriteErr(er::kUnknownCom, "08S01", "Unknown command");
  multi_statements_ = option == 0;  // MYSQL_OPTION_MULTI_STATEMENTS_ON
  return channel_.WritePayload(EncodeEof(0, StatusFlags()));
}

}  // namespace strata::server::mysql
