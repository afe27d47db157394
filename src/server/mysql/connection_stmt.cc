// The prepared-statement commands of the command phase: COM_STMT_PREPARE, _EXECUTE,
// _SEND_LONG_DATA, _CLOSE, _RESET and _FETCH (docs/mysql_protocol.md, "Prepared
// statements"). The session keeps each statement; the connection keeps what only the
// protocol needs: the parameter types a client declared, long data sent ahead of an execute,
// and an open cursor's rows. A malformed request gets an ERR and the connection goes on: the
// packet framing is intact.
#include <fmt/format.h>

#include "server/mysql/connection.h"
#include "server/mysql/protocol.h"

namespace strata::server::mysql {
namespace {

Status UnknownStatement(ResultWriter& w, uint32_t id, std::string_view command) {
  return w.WriteErr(er::kUnknownStmtHandler, "HY000",
                    fmt::format("Unknown prepared statement handler ({}) given to {}", id, command));
}

Status WrongArguments(ResultWriter& w, std::string_view command) {
  return w.WriteErr(er::kWrongArguments, "HY000", fmt::format("Incorrect arguments to {}", command));
}

// COM_STMT_PREPARE describes each parameter with a column definition; MySQL's carry no type
// information a client uses, only the name "?".
Column ParameterColumn() {
  Column c;
  c.name = "?";
  c.type = FieldType::kVarString;
  c.charset = 63;
  c.flags = kBinaryFlag;
  return c;
}

}  // namespace

void Connection::PreparedState::CloseCursor() {
  cursor_open = false;
  cursor_rows.clear();
  cursor_rows.shrink_to_fit();
  cursor_next = 0;
  cursor_memory.Reset();
}

void Connection::PreparedState::ResetLongData() {
  long_data.assign(param_count, std::nullopt);
  long_data.shrink_to_fit();
  long_data_bytes = 0;
  long_data_memory.Reset();
  long_data_error = Status::OK();
}

Status Connection::DoStmtPrepare(std::string_view sql) {
  ResultWriter w(&channel_, capabilities_);
  Result<PreparedInfo> info = session_->Prepare(sql);
  if (!info.ok()) return w.WriteErr(info.status());
  if (info->columns.size() > 0xffff) {  // the prepare-OK packet counts columns in 16 bits
    session_->CloseStatement(info->id);
    return w.WriteErr(Status::InvalidArgument("Too many columns").WithMysql(1117, "HY000"));
  }
  PreparedState& state = statements_[info->id];
  state = PreparedState();
  state.param_count = info->param_count;
  state.cursor_memory = MemoryCharge(ctx_->options.memory);
  state.long_data_memory = MemoryCharge(ctx_->options.memory);
  state.ResetLongData();
  STRATA_RETURN_IF_ERROR(channel_.WritePayload(EncodePrepareOk(
      info->id, static_cast<uint16_t>(info->columns.size()), info->param_count, 0)));
  std::vector<Column> params(info->param_count, ParameterColumn());
  uint16_t flags = StatusFlags();
  STRATA_RETURN_IF_ERROR(w.WriteDefinitions(params, flags));
  return w.WriteDefinitions(info->columns, flags);
}

Status Connection::DoStmtExecute(std::string_view args) {
  constexpr std::string_view kCommand = "mysqld_stmt_execute";
  ResultWriter w(&channel_, capabilities_);
  std::optional<uint32_t> id = ReadStatementId(args);
  if (!id) return WrongArguments(w, kCommand);
  auto it = statements_.find(*id);
  if (it == statements_.end()) return UnknownStatement(w, *id, kCommand);
  PreparedState& state = it->second;
  state.CloseCursor();  // a new execution closes the previous one's cursor, as in MySQL
  ExecuteRequest request;
  Status decoded = DecodeExecute(args, state.param_count, &state.param_types, state.long_data, &request);
  Status long_data_error = state.long_data_error;
  state.ResetLongData();  // long data serves one execution
  if (!decoded.ok()) return WrongArguments(w, kCommand);
  if (!long_data_error.ok()) return w.WriteErr(long_data_error);
  SessionHandler::QueryResponse resp = session_->Execute(*id, request.params);
  if (!resp.error.ok()) return w.WriteErr(resp.error);
  if (resp.results.empty()) return w.WriteOk({0, 0, StatusFlags(), 0, {}});
  StatementResult& result = resp.results.front();
  if (!result.is_result_set) {
    return w.WriteOk({result.affected_rows, result.last_insert_id, StatusFlags(), result.warnings, result.info,
                      &result.state_changes});
  }
  // resp.memory keeps the text rows charged until they are sent (or kept as a cursor's).
  return WriteBinaryResultSet(&state, result, (request.flags & kCursorTypeReadOnly) != 0);
}

// The binary result set of an execute: column definitions then binary rows, or, when the
// client asked for a cursor, the column definitions and an end marker with
// SERVER_STATUS_CURSOR_EXISTS while the rows wait (encoded, charged to the memory budget)
// for COM_STMT_FETCH.
Status Connection::WriteBinaryResultSet(PreparedState* state, const StatementResult& result, bool open_cursor) {
  ResultWriter w(&channel_, capabilities_);
  const uint16_t flags = StatusFlags();
  if (result.columns.empty()) return w.WriteErr(er::kUnknownError, "HY000", "internal error: result set without columns");
  if (open_cursor) {
    std::vector<std::string> rows;
    rows.reserve(result.rows.size());
    uint64_t bytes = 0;
    for (const TextRow& row : result.rows) {
      Result<std::string> encoded = EncodeBinaryRow(result.columns, row);
      if (!encoded.ok()) return w.WriteErr(er::kUnknownError, "HY000", encoded.status().message());
      bytes += encoded->size() + sizeof(std::string);
      rows.push_back(std::move(encoded).value());
      if (!state->cursor_memory.GrowTo(bytes, 1 << 20)) {
        state->CloseCursor();
        return w.WriteErr(ErrOutOfSessionMemory(*state->cursor_memory.budget(),
                                                fmt::format("a cursor of {} rows", result.rows.size()),
                                                "no cursor was opened"));
      }
    }
    state->cursor_rows = std::move(rows);
    state->cursor_next = 0;
    state->cursor_open = true;
    return w.WriteColumns(result.columns, flags | kStatusCursorExists, /*always_end=*/true, &result.state_changes);
  }
  STRATA_RETURN_IF_ERROR(w.WriteColumns(result.columns, flags));
  for (const TextRow& row : result.rows) {
    Result<std::string> encoded = EncodeBinaryRow(result.columns, row);
    // An ERR in place of a row is legal: the client ends the result set there.
    if (!encoded.ok()) return w.WriteErr(er::kUnknownError, "HY000", encoded.status().message());
    STRATA_RETURN_IF_ERROR(channel_.WritePayload(*encoded));
  }
  return w.WriteEnd(result.warnings, flags, &result.state_changes);
}

void Connection::DoStmtSendLongData(std::string_view args) {
  std::optional<LongDataRequest> req = DecodeLongData(args);
  if (!req) return;  // no reply, and no statement to blame
  auto it = statements_.find(req->statement_id);
  if (it == statements_.end()) return;  // as MySQL: nothing to report it to
  PreparedState& state = it->second;
  if (!state.long_data_error.ok()) return;
  if (req->param >= state.param_count) {
    state.long_data_error = Status::InvalidArgument("Incorrect arguments to mysqld_stmt_send_long_data")
                                .WithMysql(er::kWrongArguments, "HY000");
    return;
  }
  // All the long data of one execution adds up to at most max_allowed_packet, like one packet.
  state.long_data_bytes += req->data.size();
  if (state.long_data_bytes > ctx_->options.max_allowed_packet) {
    state.ResetLongData();
    state.long_data_error = Status::ResourceExhausted("Got a packet bigger than 'max_allowed_packet' bytes")
                                .WithMysql(er::kNetPacketTooLarge, "08S01");
    return;
  }
  if (!state.long_data_memory.GrowTo(state.long_data_bytes, 1 << 20)) {
    Status error = ErrOutOfSessionMemory(*state.long_data_memory.budget(),
                                         fmt::format("{} bytes of long data", state.long_data_bytes),
                                         "the long data was dropped");
    state.ResetLongData();
    state.long_data_error = error;
    return;
  }
  std::optional<std::string>& slot = state.long_data[req->param];
  if (!slot) slot.emplace();
  slot->append(req->data);
}

void Connection::DoStmtClose(std::string_view args) {
  std::optional<uint32_t> id = ReadStatementId(args);
  if (!id) return;
  statements_.erase(*id);
  session_->CloseStatement(*id);
}

Status Connection::DoStmtReset(std::string_view args) {
  ResultWriter w(&channel_, capabilities_);
  std::optional<uint32_t> id = ReadStatementId(args);
  if (!id) return WrongArguments(w, "mysqld_stmt_reset");
  auto it = statements_.find(*id);
  if (it == statements_.end()) return UnknownStatement(w, *id, "mysqld_stmt_reset");
  it->second.CloseCursor();
  it->second.ResetLongData();
  return w.WriteOk({0, 0, StatusFlags(), 0, {}});
}

Status Connection::DoStmtFetch(std::string_view args) {
  ResultWriter w(&channel_, capabilities_);
  std::optional<FetchRequest> req = DecodeFetch(args);
  if (!req) return WrongArguments(w, "mysqld_stmt_fetch");
  auto it = statements_.find(req->statement_id);
  if (it == statements_.end()) return UnknownStatement(w, req->statement_id, "mysqld_stmt_fetch");
  PreparedState& state = it->second;
  if (!state.cursor_open) {
    return w.WriteErr(er::kStmtHasNoOpenCursor, "HY000",
                      fmt::format("The statement ({}) has no open cursor.", req->statement_id));
  }
  uint64_t sent = 0;
  while (sent < req->rows && state.cursor_next < state.cursor_rows.size()) {
    STRATA_RETURN_IF_ERROR(channel_.WritePayload(state.cursor_rows[state.cursor_next]));
    std::string().swap(state.cursor_rows[state.cursor_next]);  // sent: give its memory back
    state.cursor_next++;
    sent++;
  }
  // As MySQL: CURSOR_EXISTS while rows remain, LAST_ROW_SENT (alone) once they are all sent.
  uint16_t flags = StatusFlags();
  if (state.cursor_next == state.cursor_rows.size()) {
    flags |= kStatusLastRowSent;
    state.CloseCursor();
  } else {
    flags |= kStatusCursorExists;
  }
  return w.WriteEnd(0, flags);
}

}  // namespace strata::server::mysql
