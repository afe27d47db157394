// The binary protocol of prepared statements (docs/mysql_protocol.md, "Prepared
// statements"): the COM_STMT_* request decoders and the encoders of the prepare-OK packet
// and of binary result-set rows. Pure functions over bytes, like protocol.h: a malformed
// request is an InvalidArgument Status (the connection answers 1210 or 1835), never a read
// past the input. Fuzzed by tests/fuzz/mysql_packet_fuzz.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/mysql/handler.h"
#include "server/mysql/protocol.h"

namespace strata::server::mysql {

// COM_STMT_EXECUTE flags: the cursor the client asks for.
inline constexpr uint8_t kCursorTypeReadOnly = 0x01;

// The type a client declares for one parameter: a FieldType byte, and the unsigned flag
// (bit 15 of the 16-bit type field).
struct ParamType {
  uint8_t type = static_cast<uint8_t>(FieldType::kNull);
  bool is_unsigned = false;
};

// COM_STMT_EXECUTE, decoded.
struct ExecuteRequest {
  uint32_t statement_id = 0;
  uint8_t flags = 0;  // kCursorTypeReadOnly, ...
  std::vector<ParamValue> params;
};

// The 4-byte statement id every COM_STMT_* request starts with (after the command byte).
std::optional<uint32_t> ReadStatementId(std::string_view args);

// Decodes COM_STMT_EXECUTE's arguments for a statement of `param_count` placeholders.
// `types` holds the types the statement's previous execute declared (empty before the
// first): a request that binds new types replaces them, one that does not reuses them.
// `long_data[i]`, when set, is what COM_STMT_SEND_LONG_DATA sent for parameter i: its value
// is not in the packet. InvalidArgument for a short or inconsistent packet, an unknown type,
// or a request without types when none were declared before.
Status DecodeExecute(std::string_view args, uint16_t param_count, std::vector<ParamType>* types,
                     const std::vector<std::optional<std::string>>& long_data, ExecuteRequest* out);

// One binary value of type `type`. False (and r->ok() false, or an unknown type) on failure.
bool ReadBinaryValue(PacketReader* r, ParamType type, ParamValue* out);

// COM_STMT_SEND_LONG_DATA: statement id, parameter index, a piece of its value.
struct LongDataRequest {
  uint32_t statement_id = 0;
  uint16_t param = 0;
  std::string_view data;
};
std::optional<LongDataRequest> DecodeLongData(std::string_view args);

// COM_STMT_FETCH: statement id and how many rows to send.
struct FetchRequest {
  uint32_t statement_id = 0;
  uint32_t rows = 0;
};
std::optional<FetchRequest> DecodeFetch(std::string_view args);

// COM_STMT_PREPARE's first response packet.
std::string EncodePrepareOk(uint32_t statement_id, uint16_t columns, uint16_t params, uint16_t warnings);

// One binary result-set row: header 0x00, the NULL bitmap (offset 2), then each non-NULL
// value in its column type's binary form. The values arrive in their text form (TextRow);
// InvalidArgument when one does not read as its column's type or the row is not as wide as
// `columns`.
Result<std::string> EncodeBinaryRow(const std::vector<Column>& columns, const TextRow& row);

// The binary forms of temporal text, appended to `out` (exposed for tests): DATE /
// DATETIME / TIMESTAMP from "YYYY-MM-DD[ hh:mm:ss[.ffffff]]" and TIME from
// "[-]h:mm:ss[.ffffff]". False when the text is not of that form.
bool AppendBinaryDateTime(std::string_view text, std::string* out);
bool AppendBinaryTime(std::string_view text, std::string* out);

}  // namespace strata::server::mysql
