#include "sql/types/codec.h"

#include <cstring>

#include <fmt/format.h>

#include "common/coding.h"
#include "common/key_encoding.h"

namespace strata::sql {
namespace {

enum Tag : uint8_t {
  kTagNull = 0, kTagInt = 1, kTagUint = 2, kTagDouble = 3, kTagDecimal = 4, kTagBytes = 5, kTagWideDecimal = 6
};
constexpr uint8_t kRowFormatVersion = 1;

Status Bad(std::string_view what) { return Status::Corruption(fmt::format("bad row encoding: {}", what)); }

// A decimal's unscaled integer, big-endian two's complement: the low `width` bytes (16 or
// 32), with the sign bit flipped when `biased` (memcomparable).
void PutUnscaled(const Int256& v, size_t width, bool biased, Bytes* out) {
  uint8_t bytes[32];
  v.ToBigEndian(bytes);
  const uint8_t* first = bytes + (32 - width);
  out->append(reinterpret_cast<const char*>(first), width);
  if (biased) (*out)[out->size() - width] ^= static_cast<char>(0x80);
}

Int256 GetUnscaled(const char* p, size_t width) {
  uint8_t bytes[32];
  std::memcpy(bytes + (32 - width), p, width);
  std::memset(bytes, (static_cast<uint8_t>(p[0]) & 0x80) ? 0xff : 0, 32 - width);
  return Int256::FromBigEndian(bytes);
}

size_t DecimalKeyWidth(const ColumnType& type) { return type.length > 38 ? 32 : 16; }

// Skips one memcomparable component of a key column of type `type`.
Status SkipKeyComponent(const ColumnType& type, Slice* in) {
  if (in->empty()) return Bad("key too short");
  if (static_cast<uint8_t>((*in)[0]) == 0x01) {  // NULL
    in->remove_prefix(1);
    return Status::OK();
  }
  if (type.IsString() || type.IsTemporal()) {
    // Escaped bytes end at 0x00 0x01; 0x00 0xff is an escaped zero byte.
    for (size_t i = 1; i + 1 < in->size(); i++) {
      if ((*in)[i] == 0 && static_cast<uint8_t>((*in)[i + 1]) == 0x01) {
        in->remove_prefix(i + 2);
        return Status::OK();
      }
      if ((*in)[i] == 0) i++;
    }
    return Bad("unterminated string key");
  }
  size_t width = type.kind == ast::TypeKind::kDecimal ? DecimalKeyWidth(type) : 8;
  if (in->size() < 1 + width) return Bad("key too short");
  in->remove_prefix(1 + width);
  return Status::OK();
}

}  // namespace

void EncodeValue(const Value& v, Bytes* out) {
  switch (v.kind()) {
    case ValueKind::kNull: out->push_back(kTagNull); break;
    case ValueKind::kInt: {
      out->push_back(kTagInt);
      int64_t x = v.int_value();
      PutVarint64(out, (static_cast<uint64_t>(x) << 1) ^ static_cast<uint64_t>(x >> 63));
      break;
    }
    case ValueKind::kUint: out->push_back(kTagUint); PutVarint64(out, v.uint_value()); break;
    case ValueKind::kDouble: {
      out->push_back(kTagDouble);
      uint64_t bits;
      double d = v.double_value();
      std::memcpy(&bits, &d, 8);
      PutFixed64(out, bits);
      break;
    }
    case ValueKind::kDecimal: {
      // Within 38 digits (every DECIMAL(p ≤ 38) value) in 16 bytes, the format before
      // DECIMAL(65); wider values in 32.
      const Decimal& d = v.decimal_value();
      const bool narrow = d.unscaled.FitsInt128();
      out->push_back(narrow ? kTagDecimal : kTagWideDecimal);
      out->push_back(static_cast<char>(d.scale));
      PutUnscaled(d.unscaled, narrow ? 16 : 32, false, out);
      break;
    }
    case ValueKind::kString: out->push_back(kTagBytes); PutLengthPrefixed(out, v.string_value()); break;
  }
}

Result<Value> DecodeValue(Slice* in) {
  if (in->empty()) return Bad("missing value");
  uint8_t tag = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  switch (tag) {
    case kTagNull: return Value::Null();
    case kTagInt: {
      uint64_t z;
      if (!GetVarint64(in, &z)) return Bad("int");
      return Value::Int(static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1)));
    }
    case kTagUint: {
      uint64_t u;
      if (!GetVarint64(in, &u)) return Bad("uint");
      return Value::Uint(u);
    }
    case kTagDouble: {
      uint64_t bits;
      if (!GetFixed64(in, &bits)) return Bad("double");
      double d;
      std::memcpy(&d, &bits, 8);
      return Value::Double(d);
    }
    case kTagDecimal:
    case kTagWideDecimal: {
      const size_t width = tag == kTagDecimal ? 16 : 32;
      if (in->size() < 1 + width) return Bad("decimal");
      Decimal d{GetUnscaled(in->data() + 1, width), static_cast<uint8_t>((*in)[0])};
      in->remove_prefix(1 + width);
      if (d.scale > Decimal::kMaxScale) return Bad("decimal scale");
      if (width == 32 && d.unscaled.Digits() > Decimal::kMaxDigits) return Bad("decimal digits");
      return Value::Dec(d);
    }
    case kTagBytes: {
      Slice s;
      if (!GetLengthPrefixed(in, &s)) return Bad("bytes");
      return Value::String(Bytes(s));
    }
    default: return Bad(fmt::format("tag {}", tag));
  }
}

Bytes EncodeRow(const Row& row) {
  Bytes out;
  out.push_back(kRowFormatVersion);
  PutVarint64(&out, row.size());
  for (const Value& v : row) EncodeValue(v, &out);
  return out;
}

Result<Row> DecodeRow(Slice in, const TableSchema& table) {
  const size_t column_count = table.columns.size();
  if (in.empty() || in[0] != kRowFormatVersion) return Bad("row version");
  in.remove_prefix(1);
  uint64_t n;
  if (!GetVarint64(&in, &n) || n > 4096) return Bad("column count");
  Row row;
  row.reserve(std::max<size_t>(n, column_count));
  for (uint64_t i = 0; i < n; i++) {
    STRATA_ASSIGN_OR_RETURN(Value v, DecodeValue(&in));
    row.push_back(std::move(v));
  }
  if (!in.empty()) return Bad("trailing bytes");
  for (size_t i = row.size(); i < column_count; i++) row.push_back(table.columns[i].added_default);
  row.resize(column_count);
  // A column's strings compare under its collation (implicit: a literal's gives way).
  for (size_t i = 0; i < column_count; i++)
    if (row[i].kind() == ValueKind::kString) row[i].set_collation(table.columns[i].type.ValueCollation());
  return row;
}

Bytes IndexPrefix(TableId table, IndexId index) {
  Bytes out;
  PutBigEndian32(&out, table);
  PutBigEndian32(&out, index);
  return out;
}

void AppendKeyValue(const Value& v, const ColumnType& type, Bytes* out) {
  KeyEncoder enc(out);
  switch (v.kind()) {
    case ValueKind::kNull: enc.PutNull(); break;
    case ValueKind::kInt: enc.PutInt64(v.int_value()); break;
    case ValueKind::kUint: enc.PutUint64(v.uint_value()); break;
    case ValueKind::kDouble: enc.PutDouble(v.double_value()); break;
    case ValueKind::kString: {
      // A text column's key is the string's weights under its collation: strings it calls
      // equal share a key (a UNIQUE 'a' refuses 'A' under a _ci collation).
      CollationKind kind = type.Collation();
      if (kind == CollationKind::kBinary) {
        enc.PutBytes(v.string_value());
      } else {
        std::string weights;
        weights.reserve(v.string_value().size() * 2);
        AppendWeights(v.string_value(), kind, &weights);
        enc.PutBytes(weights);
      }
      break;
    }
    case ValueKind::kDecimal: {
      // Values of one DECIMAL column share its scale, so the unscaled integer orders them;
      // its width is the column's (16 bytes up to DECIMAL(38), 32 past it).
      out->push_back(0x02);
      PutUnscaled(v.decimal_value().unscaled, DecimalKeyWidth(type), true, out);
      break;
    }
  }
}

Bytes PrimaryKeySuffix(const TableSchema& table, const Row& row, uint64_t hidden_row_id) {
  Bytes out;
  if (table.has_hidden_key()) {
    KeyEncoder(&out).PutUint64(hidden_row_id);
    return out;
  }
  for (uint32_t c : table.primary.columns) AppendKeyValue(row[c], table.columns[c].type, &out);
  return out;
}

Bytes RowKey(const TableSchema& table, Slice pk_suffix) {
  Bytes key = IndexPrefix(table.id, kPrimaryIndexId);
  key.append(pk_suffix);
  return key;
}

Bytes IndexKey(const TableSchema& table, const IndexSchema& index, const Row& row, Slice pk_suffix) {
  Bytes key = IndexPrefix(table.id, index.id);
  for (uint32_t c : index.columns) AppendKeyValue(row[c], table.columns[c].type, &key);
  key.append(pk_suffix);
  return key;
}

Result<Bytes> PkSuffixFromIndexKey(const TableSchema& table, const IndexSchema& index, Slice index_key) {
  if (index_key.size() < 8) return Bad("index key too short");
  index_key.remove_prefix(8);
  for (uint32_t c : index.columns) STRATA_RETURN_IF_ERROR(SkipKeyComponent(table.columns[c].type, &index_key));
  return Bytes(index_key);
}

Result<uint64_t> HiddenRowIdFromKey(Slice row_key) {
  if (row_key.size() < 8) return Bad("row key too short");
  KeyDecoder dec(row_key.substr(8));
  STRATA_ASSIGN_OR_RETURN(std::optional<uint64_t> id, dec.GetUint64());
  if (!id) return Bad("hidden row id is NULL");
  return *id;
}

}  // namespace strata::sql
