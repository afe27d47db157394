// Response packets of the command phase: OK, ERR, EOF, column definitions and text rows,
// and ResultWriter, which sends a whole StatementResult (a text result set or an OK) in
// the form the client negotiated (CLIENT_DEPRECATE_EOF: no EOF after the column
// definitions and an OK packet with a 0xfe header as terminator; otherwise EOF packets).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/mysql/handler.h"

namespace strata::server::mysql {

class PacketChannel;

struct OkFields {
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  uint16_t status_flags = 0;
  uint16_t warnings = 0;
  std::string_view info;
  // CLIENT_SESSION_TRACK's session state information (sets SERVER_SESSION_STATE_CHANGED).
  // REQUIRES: the client negotiated CLIENT_SESSION_TRACK when non-empty.
  const std::vector<SessionStateChange>* state_changes = nullptr;
};
// header 0x00 (OK) or 0xfe (OK used as end of result set under CLIENT_DEPRECATE_EOF).
std::string EncodeOk(const OkFields& ok, uint8_t header = 0x00);
std::string EncodeErr(uint16_t mysql_errno, std::string_view sqlstate, std::string_view message);
std::string EncodeEof(uint16_t warnings, uint16_t status_flags);
// ColumnDefinition41; `with_default` appends the (NULL) default value COM_FIELD_LIST sends.
std::string EncodeColumnDefinition(const Column& c, bool with_default = false);
std::string EncodeTextRow(const TextRow& row);

// The MySQL error a Status becomes: its errno/SQLSTATE, or 1105 HY000.
std::string EncodeStatusErr(const Status& s);

class ResultWriter {
 public:
  // `capabilities`: the negotiated set (server ∩ client).
  ResultWriter(PacketChannel* channel, uint32_t capabilities)
      : channel_(channel), capabilities_(capabilities) {}

  // A result set, or an OK packet for a statement without one. `status_flags` goes into
  // the final packet (add kMoreResultsExist when another result follows).
  Status WriteResult(const StatementResult& result, uint16_t status_flags);
  Status WriteOk(const OkFields& ok);
  Status WriteErr(uint16_t mysql_errno, std::string_view sqlstate, std::string_view message);
  Status WriteErr(const Status& s);
  // Column definitions then the end marker (COM_FIELD_LIST's response).
  Status WriteFieldList(const std::vector<Column>& columns, uint16_t status_flags);

  // The head of a result set: the column count, the column definitions, and the EOF packet
  // that follows them unless CLIENT_DEPRECATE_EOF. `always_end` sends an end marker even
  // then (an opened cursor's reply must carry its status flags: WriteEnd's form).
  Status WriteColumns(const std::vector<Column>& columns, uint16_t status_flags, bool always_end = false,
                      const std::vector<SessionStateChange>* state_changes = nullptr);
  // The end of a result set's rows: EOF, or an OK with a 0xfe header under CLIENT_DEPRECATE_EOF
  // (which also carries CLIENT_SESSION_TRACK's `state_changes`; an EOF cannot).
  Status WriteEnd(uint16_t warnings, uint16_t status_flags,
                  const std::vector<SessionStateChange>* state_changes = nullptr);
  // Definitions only, each then an EOF unless CLIENT_DEPRECATE_EOF (COM_STMT_PREPARE's
  // parameter and column blocks).
  Status WriteDefinitions(const std::vector<Column>& columns, uint16_t status_flags);

 private:
  // A text row at least this large is written in pieces, its values not copied.
  static constexpr size_t kPiecewiseRowBytes = 256 << 10;
  bool deprecate_eof() const;
  Status WriteTextRow(const TextRow& row);

  PacketChannel* channel_;
  uint32_t capabilities_;
};

}  // namespace strata::server::mysql
