#include "sql/execution/table_writer.h"

#include "sql/catalog/catalog.h"
#include "sql/errors.h"

namespace strata::sql {

namespace {

// A TIMESTAMP value in the session's time zone as the column stores it (UTC), with
// `warning` set when a lenient statement stores the zero date for a time out of range.
Result<Value> ToUtc(const ColumnSchema& col, Value local, uint64_t row_number, const EvalContext& eval,
                    Status* warning) {
  if (col.type.kind != ast::TypeKind::kTimestamp || local.kind() != ValueKind::kString) return local;
  std::string utc = TimestampToUtc(local.string_value(), eval.time_zone.get());
  if (TimestampInRange(utc)) return Value::String(std::move(utc));
  if (eval.assignment.strict) return ErrIncorrectValueForColumn("datetime", local.string_value(), col.name, row_number);
  *warning = ErrOutOfRangeForColumn(col.name, row_number);
  return ImplicitDefault(col.type);
}

}  // namespace

Result<Value> AssignColumn(const ColumnSchema& col, Value&& v, uint64_t row_number, const EvalContext& eval) {
  if (std::optional<Value> taken = TakeFittingString(col, v)) return std::move(*taken);  // never a TIMESTAMP
  return AssignColumn(col, static_cast<const Value&>(v), row_number, eval);
}

Result<Value> AssignColumn(const ColumnSchema& col, const Value& v, uint64_t row_number, const EvalContext& eval) {
  Status warning;
  STRATA_ASSIGN_OR_RETURN(Value out, AssignToColumn(col, v, row_number, eval.assignment, &warning));
  STRATA_ASSIGN_OR_RETURN(out, ToUtc(col, std::move(out), row_number, eval, &warning));
  if (!warning.ok() && eval.warnings) eval.warnings->push_back(std::move(warning));
  return out;
}

Result<Value> StoredValue(const ColumnSchema& col, Value converted, uint64_t row_number, const EvalContext& eval) {
  Status warning;
  STRATA_ASSIGN_OR_RETURN(Value out, ToUtc(col, std::move(converted), row_number, eval, &warning));
  if (!warning.ok() && eval.warnings) eval.warnings->push_back(std::move(warning));
  return out;
}

Value CurrentTimeForColumn(const ColumnSchema& col, const EvalContext& eval) {
  return Value::String(CurrentTimestampText(eval, static_cast<int>(col.type.scale), col.type.kind == ast::TypeKind::kTimestamp));
}

Result<Value> AssignNullToNotNull(const ColumnSchema& col, const EvalContext& eval) {
  Status error = ErrColumnCannotBeNull(col.name);
  if (eval.assignment.strict) return error;
  if (eval.warnings) eval.warnings->push_back(std::move(error));
  return ImplicitDefault(col.type);
}

namespace {

constexpr size_t kKeyPrefixBytes = 8;  // table_id | index_id

bool HasNull(const IndexSchema& index, const Row& row) {
  for (uint32_t c : index.columns)
    if (row[c].is_null()) return true;
  return false;
}

}  // namespace

Slice PkSuffixOfRowKey(Slice row_key) {
  STRATA_CHECK(row_key.size() >= kKeyPrefixBytes);
  return row_key.substr(kKeyPrefixBytes);
}

Status ErrDuplicateKey(const TableSchema& table, const IndexSchema& index, const Row& row, const TimeZone* zone) {
  std::string key;
  for (size_t i = 0; i < index.columns.size(); i++) {
    if (i) key += '-';
    const Value& v = row[index.columns[i]];
    std::string text = v.ToText().value_or("NULL");
    if (table.columns[index.columns[i]].type.kind == ast::TypeKind::kTimestamp && v.kind() == ValueKind::kString)
      text = TimestampFromUtc(text, zone);
    key += text;
  }
  return ErrDuplicateEntry(key, table.name, index.name.empty() ? "PRIMARY" : index.name);
}

// The key prefix every entry of `row`'s values in unique `index` shares: the lock key and
// the range the uniqueness check reads.
Bytes UniqueValuePrefix(const TableSchema& table, const IndexSchema& index, const Row& row) {
  Bytes prefix = IndexPrefix(table.id, index.id);
  for (uint32_t c : index.columns) AppendKeyValue(row[c], table.columns[c].type, &prefix);
  return prefix;
}

Result<std::optional<Bytes>> UniqueConflict(txn::Transaction* txn, const TableSchema& table,
                                            const IndexSchema& index, const Row& row, Slice pk_suffix) {
  if (!index.unique || HasNull(index, row)) return std::optional<Bytes>();
  // A locking read of the value at its latest state: a concurrent claimer of the same value
  // waits here and then sees this one's entry (1062, as in InnoDB); a writer that does not
  // take the lock (another node) makes this commit fail instead (the unchanged range).
  Bytes prefix = UniqueValuePrefix(table, index, row);
  STRATA_RETURN_IF_ERROR(txn->Lock(prefix, txn::LockMode::kExclusive));
  txn::LogIndex read_at = 0;
  Bytes end = PrefixSuccessor(prefix);
  STRATA_ASSIGN_OR_RETURN(auto hits, txn->ScanLatest(prefix, end, 2, &read_at));
  txn->RequireRangeUnchanged(prefix, end, read_at);
  for (const auto& kv : hits)
    if (Slice(kv.key).substr(prefix.size()) != pk_suffix) return std::optional<Bytes>(kv.key.substr(prefix.size()));
  return std::optional<Bytes>();
}

// A row's index entries are written only together with the row itself, so they conflict
// from the index the row was read at under its lock (Transaction::LockedBase).
Status PutRow(txn::Transaction* txn, const TableSchema& table, const Row& row, Slice pk_suffix) {
  txn->RequireUnchanged(CatalogTableKey(table.database, table.name));
  Bytes row_key = RowKey(table, pk_suffix);
  txn::LogIndex base = txn->LockedBase(row_key);
  STRATA_RETURN_IF_ERROR(txn->PutOwned(row_key, EncodeRow(row), base));
  for (const IndexSchema& index : table.indexes)
    STRATA_RETURN_IF_ERROR(txn->Put(IndexKey(table, index, row, pk_suffix), "", base));
  return Status::OK();
}

namespace {

// Equal under the columns' collations: the index keys are the same.
bool SameIndexValues(const IndexSchema& index, const Row& a, const Row& b) {
  for (uint32_t c : index.columns) {
    if (a[c].is_null() != b[c].is_null()) return false;
    if (!a[c].is_null() && (a[c].kind() != b[c].kind() || CompareValues(a[c], b[c]) != 0)) return false;
  }
  return true;
}

// DeleteRow; with `replacement`, a unique value the replacement keeps is not released.
Status DeleteRowFor(txn::Transaction* txn, const TableSchema& table, const Row& row, Slice pk_suffix,
                    const Row* replacement) {
  txn->RequireUnchanged(CatalogTableKey(table.database, table.name));
  Bytes row_key = RowKey(table, pk_suffix);
  txn::LogIndex base = txn->LockedBase(row_key);
  STRATA_RETURN_IF_ERROR(txn->Delete(row_key, base));
  for (const IndexSchema& index : table.indexes) {
    // Releasing a unique value: a concurrent claimer of it waits for this commit.
    if (index.unique && !HasNull(index, row) && !(replacement && SameIndexValues(index, row, *replacement)))
      STRATA_RETURN_IF_ERROR(txn->Lock(UniqueValuePrefix(table, index, row), txn::LockMode::kExclusive));
    STRATA_RETURN_IF_ERROR(txn->Delete(IndexKey(table, index, row, pk_suffix), base));
  }
  return Status::OK();
}

}  // namespace

Status DeleteRow(txn::Transaction* txn, const TableSchema& table, const Row& row, Slice pk_suffix) {
  return DeleteRowFor(txn, table, row, pk_suffix, nullptr);
}

Status ReplaceRow(txn::Transaction* txn, const TableSchema& table, const Row& old_row, Slice old_pk,
                  const Row& new_row, const TimeZone* zone) {
  Bytes new_pk = PrimaryKeySuffix(table, new_row, 0);
  if (table.has_hidden_key()) new_pk = Bytes(old_pk);
  if (new_pk != old_pk) {
    STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> existing, txn->GetForUpdate(RowKey(table, new_pk), txn::LockMode::kExclusive));
    if (existing) return ErrDuplicateKey(table, table.primary, new_row, zone);
  }
  for (const IndexSchema& index : table.indexes) {
    if (SameIndexValues(index, old_row, new_row)) continue;  // the row keeps the value it holds
    STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> other, UniqueConflict(txn, table, index, new_row, old_pk));
    if (other) return ErrDuplicateKey(table, index, new_row, zone);
  }
  STRATA_RETURN_IF_ERROR(DeleteRowFor(txn, table, old_row, old_pk, &new_row));
  return PutRow(txn, table, new_row, new_pk);
}

bool RowsEqual(const Row& a, const Row& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); i++) {
    if (a[i].is_null() != b[i].is_null()) return false;
    if (!a[i].is_null() && (a[i].kind() != b[i].kind() || CompareValuesBinary(a[i], b[i]) != 0)) return false;
  }
  return true;
}

void TouchOnUpdateColumns(const TableSchema& table, const std::vector<bool>& assigned, const EvalContext& ctx,
                          Row* updated) {
  for (size_t i = 0; i < table.columns.size() && i < updated->size(); i++) {
    const ColumnSchema& c = table.columns[i];
    if (!c.on_update_current_timestamp || (i < assigned.size() && assigned[i])) continue;
    (*updated)[i] = CurrentTimeForColumn(c, ctx);
  }
}

}  // namespace strata::sql
