#include "sql/execution/table_writer.h"

#include "sql/catalog/catalog.h"
#include "sql/errors.h"

namespace strata::sql {
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

Status ErrDuplicateKey(const TableSchema& table, const IndexSchema& index, const Row& row) {
  std::string key;
  for (size_t i = 0; i < index.columns.size(); i++) {
    if (i) key += '-';
    key += row[index.columns[i]].ToText().value_or("NULL");
  }
  return ErrDuplicateEntry(key, table.name, index.name.empty() ? "PRIMARY" : index.name);
}

Result<std::optional<Bytes>> UniqueConflict(txn::Transaction* txn, const TableSchema& table,
                                            const IndexSchema& index, const Row& row, Slice pk_suffix) {
  if (!index.unique || HasNull(index, row)) return std::optional<Bytes>();
  Bytes prefix = IndexPrefix(table.id, index.id);
  for (uint32_t c : index.columns) AppendKeyValue(row[c], &prefix);
  STRATA_ASSIGN_OR_RETURN(auto hits, txn->Scan(prefix, PrefixSuccessor(prefix), 2));
  for (const auto& kv : hits)
    if (Slice(kv.key).substr(prefix.size()) != pk_suffix) return std::optional<Bytes>(kv.key.substr(prefix.size()));
  return std::optional<Bytes>();
}

Status PutRow(txn::Transaction* txn, const TableSchema& table, const Row& row, Slice pk_suffix) {
  txn->RequireUnchanged(CatalogTableKey(table.database, table.name));
  STRATA_RETURN_IF_ERROR(txn->Put(RowKey(table, pk_suffix), EncodeRow(row)));
  for (const IndexSchema& index : table.indexes)
    STRATA_RETURN_IF_ERROR(txn->Put(IndexKey(table, index, row, pk_suffix), ""));
  return Status::OK();
}

Status DeleteRow(txn::Transaction* txn, const TableSchema& table, const Row& row, Slice pk_suffix) {
  txn->RequireUnchanged(CatalogTableKey(table.database, table.name));
  STRATA_RETURN_IF_ERROR(txn->Delete(RowKey(table, pk_suffix)));
  for (const IndexSchema& index : table.indexes)
    STRATA_RETURN_IF_ERROR(txn->Delete(IndexKey(table, index, row, pk_suffix)));
  return Status::OK();
}

Status ReplaceRow(txn::Transaction* txn, const TableSchema& table, const Row& old_row, Slice old_pk,
                  const Row& new_row) {
  Bytes new_pk = PrimaryKeySuffix(table, new_row, 0);
  if (table.has_hidden_key()) new_pk = Bytes(old_pk);
  if (new_pk != old_pk) {
    STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> existing, txn->Get(RowKey(table, new_pk)));
    if (existing) return ErrDuplicateKey(table, table.primary, new_row);
  }
  for (const IndexSchema& index : table.indexes) {
    STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> other, UniqueConflict(txn, table, index, new_row, old_pk));
    if (other) return ErrDuplicateKey(table, index, new_row);
  }
  STRATA_RETURN_IF_ERROR(DeleteRow(txn, table, old_row, old_pk));
  return PutRow(txn, table, new_row, new_pk);
}

bool RowsEqual(const Row& a, const Row& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); i++) {
    if (a[i].is_null() != b[i].is_null()) return false;
    if (!a[i].is_null() && (a[i].kind() != b[i].kind() || CompareValues(a[i], b[i]) != 0)) return false;
  }
  return true;
}

}  // namespace strata::sql
