// Row and key codecs: how tables live in the ordered key space (DESIGN §5).
//
//   row key    := table_id (u32 BE) | index_id (u32 BE) = 1 | memcomparable(pk columns)
//                 (a table without a primary key: memcomparable(hidden row id))
//   row value  := version (1 byte = 1) | column count varint | value*   (values in column order)
//   index key  := table_id | index_id | memcomparable(index columns) | memcomparable(pk columns)
//   index value:= empty
//   value      := tag (1 byte) | payload: 0 NULL; 1 int64 varint-zigzag; 2 uint64 varint;
//                 3 double (fixed64 bits); 4 decimal (scale byte, 16-byte two's complement);
//                 5 bytes (length-prefixed); 6 decimal past 38 digits (scale byte, 32 bytes)
//   a string key component: its weights under the column's collation (collation.h: the
//                 bytes, less trailing spaces under PAD SPACE; UCA weights under _ci), so
//                 strings the collation calls equal share a key
//   a DECIMAL key component: 0x02 | the unscaled integer, big-endian with its sign bit
//                 flipped, 16 bytes wide for DECIMAL(p ≤ 38) and 32 past it
//
// Table ids below kFirstUserTableId are reserved for the system (the catalog is table 1).
#pragma once

#include <vector>

#include "common/slice.h"
#include "common/status.h"
#include "sql/types/schema.h"
#include "sql/types/value.h"

namespace strata::sql {

using Row = std::vector<Value>;

constexpr TableId kCatalogTableId = 1;
constexpr TableId kFirstUserTableId = 1024;

void EncodeValue(const Value& v, Bytes* out);
Result<Value> DecodeValue(Slice* in);

Bytes EncodeRow(const Row& row);
// The row of `table`: a row stored before ALTER TABLE … ADD COLUMN reads each column it
// predates as that column's added_default.
Result<Row> DecodeRow(Slice in, const TableSchema& table);

// table_id | index_id: the prefix of every key of one index.
Bytes IndexPrefix(TableId table, IndexId index);
// Appends the memcomparable form of `v`, a value of a column of type `type` (already
// converted to it: a DECIMAL at the column's scale).
void AppendKeyValue(const Value& v, const ColumnType& type, Bytes* out);

// The primary-key part of a row (the hidden row id when the table has no primary key).
Bytes PrimaryKeySuffix(const TableSchema& table, const Row& row, uint64_t hidden_row_id);
Bytes RowKey(const TableSchema& table, Slice pk_suffix);
Bytes IndexKey(const TableSchema& table, const IndexSchema& index, const Row& row, Slice pk_suffix);
// The pk suffix at the end of a secondary-index key.
Result<Bytes> PkSuffixFromIndexKey(const TableSchema& table, const IndexSchema& index, Slice index_key);
// The hidden row id of a row key of a table without a primary key.
Result<uint64_t> HiddenRowIdFromKey(Slice row_key);

}  // namespace strata::sql
