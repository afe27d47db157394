#include "sql/types/schema.h"

#include <cctype>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/coding.h"
#include "sql/types/codec.h"

namespace strata::sql {

using ast::TypeKind;

bool ColumnType::IsInteger() const {
  switch (kind) {
    case TypeKind::kTinyInt: case TypeKind::kSmallInt: case TypeKind::kMediumInt:
    case TypeKind::kInt: case TypeKind::kBigInt: case TypeKind::kYear: case TypeKind::kBit:
      return true;
    default: return false;
  }
}

bool ColumnType::IsString() const {
  switch (kind) {
    case TypeKind::kChar: case TypeKind::kVarchar: case TypeKind::kBinary: case TypeKind::kVarbinary:
    case TypeKind::kTinyText: case TypeKind::kText: case TypeKind::kMediumText: case TypeKind::kLongText:
    case TypeKind::kTinyBlob: case TypeKind::kBlob: case TypeKind::kMediumBlob: case TypeKind::kLongBlob:
    case TypeKind::kJson: case TypeKind::kEnum: case TypeKind::kSet:
      return true;
    default: return false;
  }
}

bool ColumnType::IsSpatial() const { return kind >= TypeKind::kGeometry && kind <= TypeKind::kGeometryCollection; }

bool ColumnType::IsText() const {
  switch (kind) {
    case TypeKind::kChar: case TypeKind::kVarchar: case TypeKind::kTinyText: case TypeKind::kText:
    case TypeKind::kMediumText: case TypeKind::kLongText: case TypeKind::kEnum: case TypeKind::kSet:
      return true;
    default: return false;
  }
}

uint16_t ColumnType::CollationId() const {
  if (!IsText()) return kCollationBinary;
  return collation == 0 ? kCollationUtf8mb4Bin : collation;
}

StringCollation ColumnType::ValueCollation() const {
  if (!IsString() || kind == TypeKind::kJson) return 0;
  // A column from before collations (0) compares bytes, NO PAD, as it always did.
  const CollationInfo* info = collation == 0 ? nullptr : CollationById(collation);
  return MakeStringCollation(info != nullptr ? info->kind : CollationKind::kBinary, Coercibility::kImplicit);
}

bool ColumnType::IsTemporal() const {
  return kind == TypeKind::kDate || kind == TypeKind::kDateTime || kind == TypeKind::kTimestamp ||
         kind == TypeKind::kTime;
}

std::string ColumnType::ToSql() const {
  std::string base;
  switch (kind) {
    case TypeKind::kTinyInt: base = is_boolean ? "tinyint(1)" : "tinyint"; break;
    case TypeKind::kSmallInt: base = "smallint"; break;
    case TypeKind::kMediumInt: base = "mediumint"; break;
    case TypeKind::kInt: base = "int"; break;
    case TypeKind::kBigInt: base = "bigint"; break;
    case TypeKind::kFloat: base = fixed_decimals ? fmt::format("float({},{})", length, scale) : "float"; break;
    case TypeKind::kDouble: base = fixed_decimals ? fmt::format("double({},{})", length, scale) : "double"; break;
    case TypeKind::kDecimal: base = fmt::format("decimal({},{})", length, scale); break;
    case TypeKind::kChar: base = fmt::format("char({})", length); break;
    case TypeKind::kVarchar: base = fmt::format("varchar({})", length); break;
    case TypeKind::kBinary: base = fmt::format("binary({})", length); break;
    case TypeKind::kVarbinary: base = fmt::format("varbinary({})", length); break;
    case TypeKind::kTinyText: base = "tinytext"; break;
    case TypeKind::kText: base = "text"; break;
    case TypeKind::kMediumText: base = "mediumtext"; break;
    case TypeKind::kLongText: base = "longtext"; break;
    case TypeKind::kTinyBlob: base = "tinyblob"; break;
    case TypeKind::kBlob: base = "blob"; break;
    case TypeKind::kMediumBlob: base = "mediumblob"; break;
    case TypeKind::kLongBlob: base = "longblob"; break;
    case TypeKind::kDate: base = "date"; break;
    case TypeKind::kDateTime: base = scale ? fmt::format("datetime({})", scale) : "datetime"; break;
    case TypeKind::kTimestamp: base = scale ? fmt::format("timestamp({})", scale) : "timestamp"; break;
    case TypeKind::kTime: base = scale ? fmt::format("time({})", scale) : "time"; break;
    case TypeKind::kYear: base = "year"; break;
    case TypeKind::kJson: base = "json"; break;
    case TypeKind::kBit: base = fmt::format("bit({})", length ? length : 1); break;
    case TypeKind::kGeometry: base = "geometry"; break;
    case TypeKind::kPoint: base = "point"; break;
    case TypeKind::kLineString: base = "linestring"; break;
    case TypeKind::kPolygon: base = "polygon"; break;
    case TypeKind::kMultiPoint: base = "multipoint"; break;
    case TypeKind::kMultiLineString: base = "multilinestring"; break;
    case TypeKind::kMultiPolygon: base = "multipolygon"; break;
    case TypeKind::kGeometryCollection: base = "geomcollection"; break;
    case TypeKind::kEnum:
    case TypeKind::kSet: {
      base = kind == TypeKind::kEnum ? "enum(" : "set(";
      for (size_t i = 0; i < enum_values.size(); i++) base += (i ? ",'" : "'") + enum_values[i] + "'";
      base += ")";
      break;
    }
  }
  if (is_unsigned && (IsInteger() || kind == TypeKind::kDecimal || kind == TypeKind::kDouble)) base += " unsigned";
  return base;
}

std::optional<uint32_t> TableSchema::FindColumn(std::string_view name) const {
  for (uint32_t i = 0; i < columns.size(); i++)
    if (EqualsIgnoreCase(columns[i].name, name)) return i;
  return std::nullopt;
}

std::optional<uint32_t> TableSchema::AutoIncrementColumn() const {
  for (uint32_t i = 0; i < columns.size(); i++)
    if (columns[i].auto_increment) return i;
  return std::nullopt;
}

IndexId TableSchema::NextIndexId() const {
  IndexId next = kPrimaryIndexId + 1;
  for (const IndexSchema& index : indexes) next = std::max(next, index.id + 1);
  return next;
}

// ---- Encoding -----------------------------------------------------------------------

namespace {

constexpr uint8_t kSchemaVersion = 1;

void PutIndex(const IndexSchema& index, Bytes* out) {
  PutVarint32(out, index.id);
  PutLengthPrefixed(out, index.name);
  PutVarint32(out, static_cast<uint32_t>(index.columns.size()));
  for (uint32_t c : index.columns) PutVarint32(out, c);
  out->push_back(index.unique ? 1 : 0);
}

struct Reader {
  Slice in;
  bool ok = true;
  uint32_t U32() {
    uint32_t v = 0;
    ok = ok && GetVarint32(&in, &v);
    return v;
  }
  uint64_t U64() {
    uint64_t v = 0;
    ok = ok && GetVarint64(&in, &v);
    return v;
  }
  std::string Str() {
    Slice s;
    ok = ok && GetLengthPrefixed(&in, &s);
    return ok ? std::string(s) : std::string();
  }
  uint8_t Byte() {
    if (in.empty()) {
      ok = false;
      return 0;
    }
    uint8_t b = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    return b;
  }
  IndexSchema Index() {
    IndexSchema index;
    index.id = U32();
    index.name = Str();
    uint32_t n = U32();
    for (uint32_t i = 0; ok && i < n && i < 64; i++) index.columns.push_back(U32());
    index.unique = Byte() != 0;
    return index;
  }
};

}  // namespace

uint64_t TableSchema::FenceClockMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Bytes TableSchema::Encode() const {
  Bytes out;
  out.push_back(kSchemaVersion);
  PutVarint32(&out, id);
  PutLengthPrefixed(&out, database);
  PutLengthPrefixed(&out, name);
  PutLengthPrefixed(&out, engine);
  PutLengthPrefixed(&out, comment);
  PutVarint64(&out, auto_increment_start);
  PutVarint32(&out, static_cast<uint32_t>(columns.size()));
  for (const ColumnSchema& c : columns) {
    PutLengthPrefixed(&out, c.name);
    out.push_back(static_cast<char>(c.type.kind));
    PutVarint32(&out, c.type.length);
    PutVarint32(&out, c.type.scale);
    out.push_back(static_cast<char>((c.type.is_unsigned ? 1 : 0) | (c.type.is_boolean ? 2 : 0) |
                                    (c.nullable ? 4 : 0) | (c.auto_increment ? 8 : 0) |
                                    (c.on_update_current_timestamp ? 16 : 0) | (c.type.fixed_decimals ? 32 : 0)));
    PutVarint32(&out, static_cast<uint32_t>(c.type.enum_values.size()));
    for (const std::string& e : c.type.enum_values) PutLengthPrefixed(&out, e);
    out.push_back(static_cast<char>(c.default_kind));
    EncodeValue(c.default_value, &out);
    PutLengthPrefixed(&out, c.comment);
  }
  PutIndex(primary, &out);
  PutVarint32(&out, static_cast<uint32_t>(indexes.size()));
  for (const IndexSchema& index : indexes) PutIndex(index, &out);
  // An optional trailer (older schemas end before it): the move state, then the columns
  // whose added_default is not NULL.
  uint32_t added = 0;
  for (const ColumnSchema& c : columns) added += c.added_default.is_null() ? 0 : 1;
  uint32_t collated = 0;
  for (const ColumnSchema& c : columns) collated += c.type.collation == 0 ? 0 : 1;
  if (default_collation != 0) collated++;
  if (moving_to != 0 || write_fence_until_ms != 0 || added != 0 || collated != 0) {
    PutVarint32(&out, moving_to);
    PutVarint64(&out, write_fence_until_ms);
  }
  if (added != 0 || collated != 0) {
    PutVarint32(&out, added);
    for (uint32_t i = 0; i < columns.size(); i++) {
      if (columns[i].added_default.is_null()) continue;
      PutVarint32(&out, i);
      EncodeValue(columns[i].added_default, &out);
    }
  }
  // Then the collations (older schemas end before: every column binary): the table's
  // default, then each text column's.
  if (collated != 0) {
    PutVarint32(&out, default_collation);
    PutVarint32(&out, collated - (default_collation != 0 ? 1 : 0));
    for (uint32_t i = 0; i < columns.size(); i++) {
      if (columns[i].type.collation == 0) continue;
      PutVarint32(&out, i);
      PutVarint32(&out, columns[i].type.collation);
    }
  }
  return out;
}

Result<TableSchema> TableSchema::Decode(Slice in) {
  Reader r{in};
  TableSchema t;
  if (r.Byte() != kSchemaVersion) return Status::Corruption("table schema: unknown version");
  t.id = r.U32();
  t.database = r.Str();
  t.name = r.Str();
  t.engine = r.Str();
  t.comment = r.Str();
  t.auto_increment_start = r.U64();
  uint32_t ncols = r.U32();
  for (uint32_t i = 0; r.ok && i < ncols && i < 4096; i++) {
    ColumnSchema c;
    c.name = r.Str();
    uint8_t kind = r.Byte();
    if (kind > static_cast<uint8_t>(TypeKind::kGeometryCollection)) r.ok = false;  // corrupt: no such type
    c.type.kind = static_cast<TypeKind>(kind);
    c.type.length = r.U32();
    c.type.scale = r.U32();
    uint8_t flags = r.Byte();
    c.type.is_unsigned = flags & 1;
    c.type.is_boolean = flags & 2;
    c.nullable = flags & 4;
    c.auto_increment = flags & 8;
    c.on_update_current_timestamp = flags & 16;
    c.type.fixed_decimals = flags & 32;
    uint32_t nenum = r.U32();
    for (uint32_t e = 0; r.ok && e < nenum && e < 65536; e++) c.type.enum_values.push_back(r.Str());
    c.default_kind = static_cast<DefaultKind>(r.Byte());
    if (r.ok) {
      auto v = DecodeValue(&r.in);
      if (!v.ok()) return v.status();
      c.default_value = std::move(*v);
    }
    c.comment = r.Str();
    t.columns.push_back(std::move(c));
  }
  t.primary = r.Index();
  uint32_t nidx = r.U32();
  for (uint32_t i = 0; r.ok && i < nidx && i < 1024; i++) t.indexes.push_back(r.Index());
  if (r.ok && !r.in.empty()) {
    t.moving_to = r.U32();
    t.write_fence_until_ms = r.U64();
  }
  if (r.ok && !r.in.empty()) {
    uint32_t added = r.U32();
    for (uint32_t i = 0; r.ok && i < added && i < 4096; i++) {
      uint32_t column = r.U32();
      if (!r.ok || column >= t.columns.size()) return Status::Corruption("table schema: added default of no column");
      auto v = DecodeValue(&r.in);
      if (!v.ok()) return v.status();
      t.columns[column].added_default = std::move(*v);
    }
  }
  if (r.ok && !r.in.empty()) {
    uint32_t table_default = r.U32();
    if (!r.ok || table_default > 0xffff || (table_default != 0 && CollationById(static_cast<uint16_t>(table_default)) == nullptr))
      return Status::Corruption("table schema: unknown default collation");
    t.default_collation = static_cast<uint16_t>(table_default);
    uint32_t collated = r.U32();
    for (uint32_t i = 0; r.ok && i < collated && i < 4096; i++) {
      uint32_t column = r.U32();
      uint32_t id = r.U32();
      if (!r.ok || column >= t.columns.size() || id > 0xffff || CollationById(static_cast<uint16_t>(id)) == nullptr)
        return Status::Corruption("table schema: collation of no column, or unknown");
      t.columns[column].type.collation = static_cast<uint16_t>(id);
    }
  }
  if (!r.ok || !r.in.empty()) return Status::Corruption(fmt::format("table schema of '{}': truncated", t.name));
  for (const IndexSchema* index : {&t.primary}) {
    for (uint32_t c : index->columns)
      if (c >= t.columns.size()) return Status::Corruption("table schema: index column out of range");
  }
  for (const IndexSchema& index : t.indexes)
    for (uint32_t c : index.columns)
      if (c >= t.columns.size()) return Status::Corruption("table schema: index column out of range");
  return t;
}

}  // namespace strata::sql
