#include "server/mysql/result_writer.h"

#include <cstdlib>
#include <vector>

#include "common/float_text.h"
#include "server/mysql/packet_io.h"
#include "server/mysql/protocol.h"

namespace strata::server::mysql {

std::string EncodeOk(const OkFields& ok, uint8_t header) {
  PacketWriter w;
  const bool state_changed = ok.state_changes != nullptr && !ok.state_changes->empty();
  w.U8(header).LenencInt(ok.affected_rows).LenencInt(ok.last_insert_id);
  w.U16(ok.status_flags | (state_changed ? kStatusSessionStateChanged : 0)).U16(ok.warnings);
  // The protocol documents info as string<EOF> without CLIENT_SESSION_TRACK, but MySQL
  // sends it length-encoded and libmariadb reads it so; both agree on an empty tail.
  if (!ok.info.empty() || state_changed) w.LenencString(ok.info);
  if (state_changed) {
    PacketWriter block;
    for (const SessionStateChange& c : *ok.state_changes) {
      PacketWriter data;
      if (c.type == SessionStateChange::Type::kSystemVariable) data.LenencString(c.name);
      // Each value is length-encoded inside the entry except the state-change flag ("1").
      if (c.type == SessionStateChange::Type::kStateChange) data.Bytes(c.value);
      else data.LenencString(c.value);
      block.U8(static_cast<uint8_t>(c.type)).LenencString(data.str());
    }
    w.LenencString(block.str());
  }
  return w.Take();
}

std::string EncodeErr(uint16_t mysql_errno, std::string_view sqlstate,
                      std::string_view message) {
  PacketWriter w;
  w.U8(0xff).U16(mysql_errno).U8('#');
  std::string state(sqlstate.substr(0, 5));
  state.resize(5, '0');
  w.Bytes(state);
  // Keep an ERR packet well inside one wire packet whatever the handler put in it.
  w.Bytes(message.substr(0, 4096));
  return w.Take();
}

std::string EncodeEof(uint16_t warnings, uint16_t status_flags) {
  PacketWriter w;
  w.U8(0xfe).U16(warnings).U16(status_flags);
  return w.Take();
}

std::string EncodeColumnDefinition(const Column& c, bool with_default) {
  PacketWriter w;
  w.LenencString("def").LenencString(c.schema).LenencString(c.table);
  w.LenencString(c.org_table).LenencString(c.name).LenencString(c.org_name);
  w.LenencInt(0x0c).U16(c.charset).U32(c.length).U8(static_cast<uint8_t>(c.type));
  w.U16(c.flags).U8(c.decimals).Zeros(2);
  if (with_default) w.U8(0xfb);
  return w.Take();
}

std::string EncodeTextRow(const TextRow& row) {
  size_t size = 0;
  for (const auto& v : row) size += v ? v->size() + 9 : 1;
  std::string out;
  out.reserve(size);
  PacketWriter w(&out);
  for (const auto& v : row) {
    if (v) {
      w.LenencString(*v);
    } else {
      w.U8(0xfb);
    }
  }
  return out;
}

std::string EncodeStatusErr(const Status& s) {
  if (s.mysql_errno() != 0) return EncodeErr(s.mysql_errno(), s.sqlstate(), s.message());
  return EncodeErr(er::kUnknownError, "HY000", s.message());
}

bool ResultWriter::deprecate_eof() const {
  return (capabilities_ & kClientDeprecateEof) != 0;
}

Status ResultWriter::WriteEnd(uint16_t warnings, uint16_t status_flags,
                              const std::vector<SessionStateChange>* state_changes) {
  if (deprecate_eof()) {
    return channel_->WritePayload(EncodeOk({0, 0, status_flags, warnings, {}, state_changes}, 0xfe));
  }
  return channel_->WritePayload(EncodeEof(warnings, status_flags));
}

Status ResultWriter::WriteResult(const StatementResult& result, uint16_t status_flags) {
  if (!result.is_result_set) {
    return WriteOk({result.affected_rows, result.last_insert_id, status_flags, result.warnings, result.info,
                    &result.state_changes});
  }
  // A handler bug must not desynchronize the client: a column count of 0 reads as an OK
  // packet, and a short or long row shifts every later value. Checked before any byte goes
  // out, so the client gets a clean ERR.
  if (result.columns.empty()) {
    return WriteErr(er::kUnknownError, "HY000", "internal error: result set without columns");
  }
  for (const TextRow& row : result.rows) {
    if (row.size() != result.columns.size()) {
      return WriteErr(er::kUnknownError, "HY000",
                      "internal error: a row's value count differs from the column count");
    }
  }
  STRATA_RETURN_IF_ERROR(WriteColumns(result.columns, status_flags));
  // A FLOAT column's value arrives with a double's digits (the binary protocol sends the
  // float itself); in text MySQL shows 6 significant digits: 1.1, not 1.100000023841858.
  std::vector<size_t> floats;
  for (size_t i = 0; i < result.columns.size(); i++) {
    if (result.columns[i].type == FieldType::kFloat && result.columns[i].decimals == 31) floats.push_back(i);
  }
  for (const TextRow& row : result.rows) {
    if (floats.empty()) {
      STRATA_RETURN_IF_ERROR(WriteTextRow(row));
      continue;
    }
    TextRow shown = row;
    for (size_t i : floats) {
      if (shown[i]) shown[i] = FloatText(std::strtod(shown[i]->c_str(), nullptr));
    }
    STRATA_RETURN_IF_ERROR(WriteTextRow(shown));
  }
  return WriteEnd(result.warnings, status_flags, &result.state_changes);
}

Status ResultWriter::WriteColumns(const std::vector<Column>& columns, uint16_t status_flags, bool always_end,
                                  const std::vector<SessionStateChange>* state_changes) {
  PacketWriter count;
  count.LenencInt(columns.size());
  STRATA_RETURN_IF_ERROR(channel_->WritePayload(count.str()));
  for (const Column& c : columns) {
    STRATA_RETURN_IF_ERROR(channel_->WritePayload(EncodeColumnDefinition(c)));
  }
  if (always_end) return WriteEnd(0, status_flags, state_changes);
  if (!deprecate_eof()) return channel_->WritePayload(EncodeEof(0, status_flags));
  return Status::OK();
}

Status ResultWriter::WriteDefinitions(const std::vector<Column>& columns, uint16_t status_flags) {
  if (columns.empty()) return Status::OK();
  for (const Column& c : columns) {
    STRATA_RETURN_IF_ERROR(channel_->WritePayload(EncodeColumnDefinition(c)));
  }
  if (!deprecate_eof()) return channel_->WritePayload(EncodeEof(0, status_flags));
  return Status::OK();
}

Status ResultWriter::WriteTextRow(const TextRow& row) {
  size_t size = 0;
  for (const auto& v : row) size += v ? v->size() : 0;
  if (size < kPiecewiseRowBytes) return channel_->WritePayload(EncodeTextRow(row));
  // A large row goes out as its values' length headers and the values themselves, not
  // joined into one payload first.
  std::string heads;
  heads.reserve(9 * row.size());  // never reallocates: the views below point into it
  std::vector<std::string_view> pieces;
  PacketWriter w(&heads);
  for (const auto& v : row) {
    const size_t at = heads.size();
    if (v) w.LenencInt(v->size());
    else w.U8(0xfb);
    pieces.emplace_back(heads.data() + at, heads.size() - at);
    if (v) pieces.emplace_back(*v);
  }
  return channel_->WritePayload(pieces);
}

Status ResultWriter::WriteOk(const OkFields& ok) { return channel_->WritePayload(EncodeOk(ok)); }

Status ResultWriter::WriteErr(uint16_t mysql_errno, std::string_view sqlstate,
                              std::string_view message) {
  return channel_->WritePayload(EncodeErr(mysql_errno, sqlstate, message));
}

Status ResultWriter::WriteErr(const Status& s) { return channel_->WritePayload(EncodeStatusErr(s)); }

Status ResultWriter::WriteFieldList(const std::vector<Column>& columns, uint16_t status_flags) {
  for (const Column& c : columns) {
    STRATA_RETURN_IF_ERROR(channel_->WritePayload(EncodeColumnDefinition(c, true)));
  }
  return WriteEnd(0, status_flags);
}

}  // namespace strata::server::mysql
