// Writing table rows. A row and its secondary-index entries are written into the same
// transaction, so they reach Raft in one WriteSet (DESIGN D4). Uniqueness of the primary key
// and of unique indexes is checked by locking reads (txn/transaction.h): the row key, or
// the unique value, is locked and read at its latest state plus the transaction's own
// writes; the commit's conflict check catches a writer that did not wait for the lock (the
// same key written, or an entry added under the unique value: an unchanged range).
// Every row write also names the table's catalog entry as unchanged (CatalogTableKey): a
// transaction whose table was dropped, truncated or altered after it began fails its
// commit with 1213 instead of leaving rows under the old definition (orphaned, or without
// the new index's entries).
//
// `pk_suffix` is always the primary-key part of a row key (codec.h: what follows
// table_id | index_id).
#pragma once

#include <optional>
#include <vector>

#include "common/slice.h"
#include "common/status.h"
#include "sql/expression/expr.h"
#include "sql/types/codec.h"
#include "txn/transaction.h"

namespace strata::sql {

// Converts `v` for column `col` as the statement's sql_mode says (eval.assignment), adding a
// lenient conversion's warning to eval.warnings. A TIMESTAMP is stored in UTC (StoredValue).
Result<Value> AssignColumn(const ColumnSchema& col, const Value& v, uint64_t row_number, const EvalContext& eval);
// The same for a value not needed after: a string that fits is moved, not copied.
Result<Value> AssignColumn(const ColumnSchema& col, Value&& v, uint64_t row_number, const EvalContext& eval);
// A value already converted to `col`'s type (a column default, SET NEW.c = …) as the column
// stores it: a TIMESTAMP in the session's time zone becomes UTC (1292 past TIMESTAMP's range,
// or the zero date and a warning under a lenient statement); other columns unchanged.
Result<Value> StoredValue(const ColumnSchema& col, Value converted, uint64_t row_number, const EvalContext& eval);
// The statement's time as `col` stores it (DEFAULT / ON UPDATE CURRENT_TIMESTAMP): UTC for a
// TIMESTAMP column, the session's time for a DATETIME.
Value CurrentTimeForColumn(const ColumnSchema& col, const EvalContext& eval);
// NULL for NOT NULL column `col`: 1048, or under a lenient statement the column's implicit
// default and a 1048 warning.
Result<Value> AssignNullToNotNull(const ColumnSchema& col, const EvalContext& eval);

// The primary-key part of a row key. REQUIRES: `row_key` is a row key (RowKey).
Slice PkSuffixOfRowKey(Slice row_key);

// 1062 for `row`'s values in `index`: "Duplicate entry '1-a' for key 't.PRIMARY'". `row` is
// as stored; a TIMESTAMP shows in time zone `zone` (nullptr: SYSTEM), as the session reads it.
Status ErrDuplicateKey(const TableSchema& table, const IndexSchema& index, const Row& row, const TimeZone* zone);

// The pk suffix of a row other than `pk_suffix` that already holds `row`'s values in
// `index`, when the index is unique (NULLs never conflict); nullopt otherwise.
Result<std::optional<Bytes>> UniqueConflict(txn::Transaction* txn, const TableSchema& table,
                                            const IndexSchema& index, const Row& row, Slice pk_suffix);

// Writes the row and its index entries (no uniqueness check).
Status PutRow(txn::Transaction* txn, const TableSchema& table, const Row& row, Slice pk_suffix);
// Deletes the row and its index entries. REQUIRES: `row` is the stored row.
Status DeleteRow(txn::Transaction* txn, const TableSchema& table, const Row& row, Slice pk_suffix);
// Replaces `old_row` (stored at `old_pk`) by `new_row`, moving it when its primary key
// changes; 1062 when the new key or a unique index value belongs to another row (its
// message in time zone `zone`, as ErrDuplicateKey).
Status ReplaceRow(txn::Transaction* txn, const TableSchema& table, const Row& old_row, Slice old_pk,
                  const Row& new_row, const TimeZone* zone);

// ON UPDATE CURRENT_TIMESTAMP, as MySQL: when an UPDATE changes a row, every such column the
// statement did not assign (`assigned`, by column) gets the statement's time, with the
// column's fractional digits. Call it only for a row that changed.
void TouchOnUpdateColumns(const TableSchema& table, const std::vector<bool>& assigned, const EvalContext& ctx,
                          Row* updated);

// The same values column by column (NULL equals NULL, 1 does not equal 1.0): an UPDATE that
// changes nothing writes nothing and does not count the row as changed.
bool RowsEqual(const Row& a, const Row& b);

}  // namespace strata::sql
