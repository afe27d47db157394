#include "server/mysql/binary_protocol.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace strata::server::mysql {
namespace {

Status Malformed(std::string_view what) {
  return Status::InvalidArgument(fmt::format("malformed COM_STMT_EXECUTE: {}", what));
}

// ---- text → numbers (the row values arrive in MySQL's text form) ----

template <typename T>
bool ParseInt(std::string_view s, T* v) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && end == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double* v) {
  std::string text(s);  // strtod needs a terminator
  char* end = nullptr;
  *v = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size();
}

// Reads exactly `digits` decimal digits at `*pos`.
bool Digits(std::string_view s, size_t* pos, size_t digits, uint32_t* v) {
  if (*pos + digits > s.size()) return false;
  *v = 0;
  for (size_t i = 0; i < digits; i++) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    *v = *v * 10 + static_cast<uint32_t>(c - '0');
  }
  *pos += digits;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

// ".ffffff" (1 to 6 digits) → microseconds; absent → 0.
bool Fraction(std::string_view s, size_t* pos, uint32_t* micros) {
  *micros = 0;
  if (*pos == s.size()) return true;
  if (!Expect(s, pos, '.')) return false;
  size_t n = s.size() - *pos;
  if (n == 0 || n > 6) return false;
  if (!Digits(s, pos, n, micros)) return false;
  for (size_t i = n; i < 6; i++) *micros *= 10;
  return true;
}

void PutU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>(v >> 8));
}
void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; i++) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; i++) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// ---- binary → text (the parameter values go to the SQL layer as text) ----

bool ReadDateTimeParam(PacketReader* r, FieldType type, ParamValue* out) {
  uint8_t len;
  if (!r->ReadU8(&len)) return false;
  uint16_t year = 0;
  uint8_t month = 0, day = 0, hour = 0, minute = 0, second = 0;
  uint32_t micros = 0;
  if (len != 0 && len != 4 && len != 7 && len != 11) return false;
  if (len >= 4 && !(r->ReadU16(&year) && r->ReadU8(&month) && r->ReadU8(&day))) return false;
  if (len >= 7 && !(r->ReadU8(&hour) && r->ReadU8(&minute) && r->ReadU8(&second))) return false;
  if (len == 11 && !r->ReadU32(&micros)) return false;
  // Fields out of range (month 13) become text the SQL layer refuses as it refuses such
  // text; only the microseconds must fit their six digits.
  if (micros > 999999) return false;
  out->kind = ParamValue::Kind::kTemporal;
  out->text = fmt::format("{:04}-{:02}-{:02}", year, month, day);
  if (type == FieldType::kDate) return true;
  out->text += fmt::format(" {:02}:{:02}:{:02}", hour, minute, second);
  if (micros) out->text += fmt::format(".{:06}", micros);
  return true;
}

bool ReadTimeParam(PacketReader* r, ParamValue* out) {
  uint8_t len;
  if (!r->ReadU8(&len)) return false;
  uint8_t negative = 0, hour = 0, minute = 0, second = 0;
  uint32_t days = 0, micros = 0;
  if (len != 0 && len != 8 && len != 12) return false;
  if (len >= 8 && !(r->ReadU8(&negative) && r->ReadU32(&days) && r->ReadU8(&hour) && r->ReadU8(&minute) &&
                    r->ReadU8(&second)))
    return false;
  if (len == 12 && !r->ReadU32(&micros)) return false;
  // Clients put whole days in `days` or all hours in `hour` (libmariadb sends hour 100);
  // the total goes to the SQL layer, which checks TIME's ±838:59:59 range.
  if (micros > 999999) return false;
  out->kind = ParamValue::Kind::kTemporal;
  out->text = fmt::format("{}{:02}:{:02}:{:02}", negative ? "-" : "", uint64_t{days} * 24 + hour, minute, second);
  if (micros) out->text += fmt::format(".{:06}", micros);
  return true;
}

template <typename U, typename S>
void SetInteger(U bits, bool is_unsigned, ParamValue* out) {
  if (is_unsigned) {
    out->kind = ParamValue::Kind::kUint;
    out->uint_value = bits;
  } else {
    out->kind = ParamValue::Kind::kInt;
    out->int_value = static_cast<S>(bits);
  }
}

}  // namespace

bool ReadBinaryValue(PacketReader* r, ParamType type, ParamValue* out) {
  *out = ParamValue();
  switch (static_cast<FieldType>(type.type)) {
    case FieldType::kNull: return true;
    case FieldType::kTiny: {
      uint8_t v;
      if (!r->ReadU8(&v)) return false;
      SetInteger<uint8_t, int8_t>(v, type.is_unsigned, out);
      return true;
    }
    case FieldType::kShort: case FieldType::kYear: {
      uint16_t v;
      if (!r->ReadU16(&v)) return false;
      SetInteger<uint16_t, int16_t>(v, type.is_unsigned, out);
      return true;
    }
    case FieldType::kLong: case FieldType::kInt24: {
      uint32_t v;
      if (!r->ReadU32(&v)) return false;
      SetInteger<uint32_t, int32_t>(v, type.is_unsigned, out);
      return true;
    }
    case FieldType::kLongLong: {
      uint64_t v;
      if (!r->ReadU64(&v)) return false;
      SetInteger<uint64_t, int64_t>(v, type.is_unsigned, out);
      return true;
    }
    case FieldType::kFloat: {
      uint32_t bits;
      if (!r->ReadU32(&bits)) return false;
      float f;
      std::memcpy(&f, &bits, sizeof f);
      out->kind = ParamValue::Kind::kDouble;
      out->double_value = f;
      return true;
    }
    case FieldType::kDouble: {
      uint64_t bits;
      if (!r->ReadU64(&bits)) return false;
      std::memcpy(&out->double_value, &bits, sizeof bits);
      out->kind = ParamValue::Kind::kDouble;
      return true;
    }
    case FieldType::kDate: case FieldType::kDateTime: case FieldType::kTimestamp:
      return ReadDateTimeParam(r, static_cast<FieldType>(type.type), out);
    case FieldType::kTime:
      return ReadTimeParam(r, out);
    case FieldType::kDecimal: case FieldType::kNewDecimal: {
      std::string_view s;
      if (!r->ReadLenencString(&s)) return false;
      out->kind = ParamValue::Kind::kDecimal;
      out->text = std::string(s);
      return true;
    }
    case FieldType::kVarchar: case FieldType::kBit: case FieldType::kJson: case FieldType::kBlob:
    case FieldType::kVarString: case FieldType::kString:
    case FieldType::kEnum: case FieldType::kSet: case FieldType::kTinyBlob: case FieldType::kMediumBlob:
    case FieldType::kLongBlob: case FieldType::kGeometry: {
      std::string_view s;
      if (!r->ReadLenencString(&s)) return false;
      out->kind = ParamValue::Kind::kString;
      out->text = std::string(s);
      return true;
    }
  }
  return false;  // a type byte no MySQL client sends
}

std::optional<uint32_t> ReadStatementId(std::string_view args) {
  PacketReader r(args);
  uint32_t id;
  if (!r.ReadU32(&id)) return std::nullopt;
  return id;
}

Status DecodeExecute(std::string_view args, uint16_t param_count, std::vector<ParamType>* types,
                     const std::vector<std::optional<std::string>>& long_data, ExecuteRequest* out) {
  PacketReader r(args);
  uint32_t iterations;
  if (!r.ReadU32(&out->statement_id) || !r.ReadU8(&out->flags) || !r.ReadU32(&iterations))
    return Malformed("short header");
  out->params.clear();
  if (param_count == 0) return Status::OK();  // MySQL ignores whatever follows
  std::string_view null_bitmap;
  uint8_t new_params_bound;
  if (!r.ReadBytes((param_count + 7) / 8, &null_bitmap) || !r.ReadU8(&new_params_bound))
    return Malformed("short NULL bitmap");
  if (new_params_bound == 1) {
    // Read whole before replacing: a cut-short packet must not leave the remembered types
    // half new, half NULL for the next execute that reuses them.
    std::vector<ParamType> read(param_count);
    for (ParamType& t : read) {
      uint16_t v;
      if (!r.ReadU16(&v)) return Malformed("short parameter types");
      t.type = static_cast<uint8_t>(v & 0xff);
      t.is_unsigned = (v & 0x8000) != 0;
    }
    *types = std::move(read);
  } else if (new_params_bound != 0 || types->size() != param_count) {
    return Malformed("no parameter types");
  }
  out->params.resize(param_count);
  for (uint16_t i = 0; i < param_count; i++) {
    ParamValue& p = out->params[i];
    if (i < long_data.size() && long_data[i]) {
      p.kind = ParamValue::Kind::kString;
      p.text = *long_data[i];
      continue;
    }
    if ((static_cast<uint8_t>(null_bitmap[i / 8]) >> (i % 8)) & 1) continue;  // NULL
    if (!ReadBinaryValue(&r, (*types)[i], &p))
      return Malformed(fmt::format("parameter {} (type {}) does not read as its type", i + 1, (*types)[i].type));
  }
  return Status::OK();
}

std::optional<LongDataRequest> DecodeLongData(std::string_view args) {
  PacketReader r(args);
  LongDataRequest req;
  if (!r.ReadU32(&req.statement_id) || !r.ReadU16(&req.param)) return std::nullopt;
  req.data = r.ReadRest();
  return req;
}

std::optional<FetchRequest> DecodeFetch(std::string_view args) {
  PacketReader r(args);
  FetchRequest req;
  if (!r.ReadU32(&req.statement_id) || !r.ReadU32(&req.rows)) return std::nullopt;
  return req;
}

std::string EncodePrepareOk(uint32_t statement_id, uint16_t columns, uint16_t params, uint16_t warnings) {
  PacketWriter w;
  w.U8(0x00).U32(statement_id).U16(columns).U16(params).U8(0x00).U16(warnings);
  return w.Take();
}

bool AppendBinaryDateTime(std::string_view s, std::string* out) {
  size_t pos = 0;
  uint32_t year, month, day, hour = 0, minute = 0, second = 0, micros = 0;
  if (!Digits(s, &pos, 4, &year) || !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &month) || !Expect(s, &pos, '-') ||
      !Digits(s, &pos, 2, &day))
    return false;
  if (pos < s.size()) {
    if (!Expect(s, &pos, ' ') || !Digits(s, &pos, 2, &hour) || !Expect(s, &pos, ':') || !Digits(s, &pos, 2, &minute) ||
        !Expect(s, &pos, ':') || !Digits(s, &pos, 2, &second) || !Fraction(s, &pos, &micros))
      return false;
  }
  // The shortest form that holds the value: 0, 4 (date), 7 (+ time) or 11 (+ microseconds).
  uint8_t len = micros ? 11 : (hour || minute || second) ? 7 : (year || month || day) ? 4 : 0;
  out->push_back(static_cast<char>(len));
  if (len >= 4) {
    PutU16(out, static_cast<uint16_t>(year));
    out->push_back(static_cast<char>(month));
    out->push_back(static_cast<char>(day));
  }
  if (len >= 7) {
    out->push_back(static_cast<char>(hour));
    out->push_back(static_cast<char>(minute));
    out->push_back(static_cast<char>(second));
  }
  if (len == 11) PutU32(out, micros);
  return true;
}

bool AppendBinaryTime(std::string_view s, std::string* out) {
  size_t pos = 0;
  bool negative = !s.empty() && s[0] == '-';
  if (negative) pos++;
  size_t colon = s.find(':', pos);
  if (colon == std::string_view::npos || colon == pos || colon - pos > 4) return false;
  uint32_t hours, minute, second, micros;
  if (!Digits(s, &pos, colon - pos, &hours) || !Expect(s, &pos, ':') || !Digits(s, &pos, 2, &minute) ||
      !Expect(s, &pos, ':') || !Digits(s, &pos, 2, &second) || !Fraction(s, &pos, &micros))
    return false;
  uint8_t len = micros ? 12 : (hours || minute || second) ? 8 : 0;
  out->push_back(static_cast<char>(len));
  if (len >= 8) {
    out->push_back(negative ? 1 : 0);
    PutU32(out, hours / 24);
    out->push_back(static_cast<char>(hours % 24));
    out->push_back(static_cast<char>(minute));
    out->push_back(static_cast<char>(second));
  }
  if (len == 12) PutU32(out, micros);
  return true;
}

namespace {

// Appends `text` in the binary form of column `c`; false when it does not read as that type.
bool AppendBinaryValue(const Column& c, std::string_view text, std::string* out) {
  const bool is_unsigned = (c.flags & kUnsignedFlag) != 0;
  auto integer = [&](int bytes) {
    uint64_t bits;
    if (is_unsigned) {
      if (!ParseInt(text, &bits)) return false;
    } else {
      int64_t v;
      if (!ParseInt(text, &v)) return false;
      bits = static_cast<uint64_t>(v);
    }
    for (int i = 0; i < bytes; i++) out->push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
    return true;
  };
  switch (c.type) {
    case FieldType::kTiny: return integer(1);
    case FieldType::kShort: case FieldType::kYear: return integer(2);
    case FieldType::kLong: case FieldType::kInt24: return integer(4);
    case FieldType::kLongLong: return integer(8);
    case FieldType::kFloat: {
      double d;
      if (!ParseDouble(text, &d)) return false;
      float f = static_cast<float>(d);
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      PutU32(out, bits);
      return true;
    }
    case FieldType::kDouble: {
      double d;
      if (!ParseDouble(text, &d)) return false;
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      PutU64(out, bits);
      return true;
    }
    case FieldType::kDate: case FieldType::kDateTime: case FieldType::kTimestamp:
      return AppendBinaryDateTime(text, out);
    case FieldType::kTime:
      return AppendBinaryTime(text, out);
    default: {  // strings, blobs, JSON, DECIMAL: length-encoded text
      PacketWriter w(out);
      w.LenencString(text);
      return true;
    }
  }
}

}  // namespace

Result<std::string> EncodeBinaryRow(const std::vector<Column>& columns, const TextRow& row) {
  if (row.size() != columns.size())
    return Status::InvalidArgument("internal error: a row's value count differs from the column count");
  std::string out;
  out.push_back('\0');
  const size_t bitmap_at = out.size();
  out.append((columns.size() + 7 + 2) / 8, '\0');
  for (size_t i = 0; i < row.size(); i++) {
    if (!row[i]) {
      out[bitmap_at + (i + 2) / 8] = static_cast<char>(out[bitmap_at + (i + 2) / 8] | (1 << ((i + 2) % 8)));
      continue;
    }
    if (!AppendBinaryValue(columns[i], *row[i], &out)) {
      return Status::InvalidArgument(fmt::format("internal error: value '{}' of column '{}' does not read as type {}",
                                                 row[i]->substr(0, 64), columns[i].name,
                                                 static_cast<int>(columns[i].type)));
    }
  }
  return out;
}

}  // namespace strata::server::mysql
