// Table schemas: what the catalog (catalog.h) stores for each database and table, and
// how column values are checked and converted when they are written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/slice.h"
#include "common/status.h"
#include "sql/parser/ast.h"
#include "sql/types/value.h"

namespace strata::sql {

using TableId = uint32_t;
using IndexId = uint32_t;

constexpr IndexId kPrimaryIndexId = 1;  // the clustered index: primary key → row
// Tables with ids from here on live in the B+tree engine, the others in the LSM: the node
// routes by the first key byte (storage/routed_engine.h), so the id is the placement.
constexpr TableId kFirstBtreeTableId = 0x80000000;
// The engine names a table shows (SHOW CREATE TABLE, information_schema.TABLES.ENGINE).
inline constexpr std::string_view kLsmEngineName = "LSM";
inline constexpr std::string_view kBtreeEngineName = "BTREE";

struct ColumnType {
  ast::TypeKind kind = ast::TypeKind::kInt;
  uint32_t length = 0;  // characters for strings, precision for DECIMAL, display width
  uint32_t scale = 0;   // DECIMAL scale
  bool is_unsigned = false;
  bool is_boolean = false;
  // FLOAT(M,D) / DOUBLE(M,D): length is M and scale D. Without it a FLOAT/DOUBLE's length
  // means nothing (schemas written before (M,D) was honoured hold FLOAT(p)'s p there).
  bool fixed_decimals = false;
  std::vector<std::string> enum_values;
  // A text column's collation: its MySQL id (collation.h). 0 in schemas written before
  // collations existed: those columns compare as binary (utf8mb4_bin), as they always did.
  uint16_t collation = 0;

  bool IsInteger() const;
  bool IsString() const;      // CHAR/VARCHAR/TEXT/BLOB/BINARY/ENUM/SET/JSON
  bool IsTemporal() const;    // DATE/DATETIME/TIMESTAMP/TIME/YEAR (YEAR: integer form)
  bool IsSpatial() const;     // GEOMETRY, POINT, ... GEOMETRYCOLLECTION
  std::string ToSql() const;  // "int", "varchar(20)", "decimal(10,2)", "bigint unsigned"
  // CHAR/VARCHAR/TEXT/ENUM/SET: the types a character collation applies to.
  bool IsText() const;
  // The collation a text column shows: utf8mb4_bin for one from before collations.
  uint16_t CollationId() const;
  // What this column's string values carry (Value::collation): its collation, implicit.
  // Binary for BINARY/VARBINARY/BLOB; 0 for other types.
  StringCollation ValueCollation() const;
  // How its key components and comparisons treat strings.
  CollationKind Collation() const { return KindOf(ValueCollation()); }
};

enum class DefaultKind : uint8_t { kNone, kNull, kValue, kCurrentTimestamp };

struct ColumnSchema {
  std::string name;
  ColumnType type;
  bool nullable = true;
  bool auto_increment = false;
  DefaultKind default_kind = DefaultKind::kNone;
  Value default_value;  // kValue: already converted to the column's type
  bool on_update_current_timestamp = false;
  std::string comment;
  // What a row stored before ALTER TABLE … ADD COLUMN added this column reads as (its
  // default at that time; NULL for columns the table was created with). See DecodeRow.
  Value added_default;
};

struct IndexSchema {
  IndexId id = 0;
  std::string name;                 // "PRIMARY" for the primary key
  std::vector<uint32_t> columns;    // positions in TableSchema::columns
  bool unique = false;
};

struct TableSchema {
  TableId id = 0;
  std::string database;
  std::string name;
  std::vector<ColumnSchema> columns;
  // The primary key. A table declared without one gets a hidden row id: `primary.columns`
  // is empty and rows are keyed by an auto-allocated 64-bit integer.
  IndexSchema primary;
  std::vector<IndexSchema> indexes;  // secondary indexes
  // The engine asked for when the table was created: kLsmEngineName or kBtreeEngineName
  // (MySQL's engine names are resolved to the default engine first; tables created before
  // per-table engines may hold "InnoDB" or another name). Only the id decides where the
  // rows live: engine_name() is what a client is shown.
  std::string engine = std::string(kLsmEngineName);
  std::string comment;
  // DEFAULT COLLATE: what a text column declared without one gets (ALTER … ADD too); 0 in
  // schemas from before collations, which show utf8mb4_bin.
  uint16_t default_collation = 0;
  uint16_t DefaultCollationId() const { return default_collation == 0 ? kCollationUtf8mb4Bin : default_collation; }
  uint64_t auto_increment_start = 1;
  // ALTER TABLE … ENGINE in progress (session/alter_engine.cc): the id the rows are being
  // copied to (0: none). Keys under it are the copy's; a crash leaves them, and the next
  // ALTER TABLE … ENGINE, TRUNCATE or DROP of the table deletes them.
  TableId moving_to = 0;
  // Until this wall-clock time (ms since the Unix epoch), writers of the table wait: the
  // move's final catch-up and swap run without them. Past it the fence counts for nothing,
  // so an ALTER that crashed holds no writer up.
  uint64_t write_fence_until_ms = 0;
  static uint64_t FenceClockMs();  // the wall clock write_fence_until_ms is read against
  bool write_fenced() const { return write_fence_until_ms != 0 && write_fence_until_ms > FenceClockMs(); }

  bool has_hidden_key() const { return primary.columns.empty(); }
  bool in_btree() const { return id >= kFirstBtreeTableId; }
  std::string_view engine_name() const { return in_btree() ? kBtreeEngineName : kLsmEngineName; }
  std::optional<uint32_t> FindColumn(std::string_view name) const;  // case-insensitive
  std::optional<uint32_t> AutoIncrementColumn() const;
  IndexId NextIndexId() const;

  Bytes Encode() const;
  static Result<TableSchema> Decode(Slice in);
};

// Converts `v` to what column `col` stores, with MySQL's strict-mode errors: 1264 out of
// range, 1366 incorrect integer/decimal value, 1406 data too long, 1292 incorrect
// datetime value. NULL passes through (NOT NULL is checked by the caller: 1048).
Result<Value> ConvertForColumn(const ColumnSchema& col, const Value& v, uint64_t row_number);
// ConvertForColumn's answer when it is `v` itself — a string that fits a VARCHAR, BINARY,
// VARBINARY, TEXT or BLOB column — taken from `v` without a copy (a LONGBLOB); else nullopt
// and `v` untouched.
std::optional<Value> TakeFittingString(const ColumnSchema& col, Value& v);

// How an INSERT or UPDATE assigns values under the session's sql_mode (assign.cc).
struct AssignmentMode {
  bool strict = true;         // STRICT_TRANS_TABLES / STRICT_ALL_TABLES / TRADITIONAL, and no IGNORE
  bool no_zero_date = false;  // NO_ZERO_DATE: '0000-00-00' is refused (strict) or warned about
};
// ConvertForColumn under `mode`. Strict: its errors, and NO_ZERO_DATE's 1292. Otherwise what
// MySQL stores instead — the range's end for an out-of-range number, a string's numeric
// prefix (or 0), text cut to the column's length, the zero date for an invalid one, '' for an
// ENUM value that is no member — with the error it would have been as *warning (untouched
// when there is nothing to warn about). Errors no mode forgives (1416) stay errors.
Result<Value> AssignToColumn(const ColumnSchema& col, const Value& v, uint64_t row_number, const AssignmentMode& mode,
                             Status* warning);
// The value MySQL gives a NOT NULL column that has no default (non-strict INSERT, INSERT
// IGNORE): 0, '', the zero date, an ENUM's first member.
Value ImplicitDefault(const ColumnType& type);

}  // namespace strata::sql
