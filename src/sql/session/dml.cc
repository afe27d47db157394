// INSERT / REPLACE / UPDATE / DELETE. A row and its secondary-index entries are written in
// the same transaction, so they reach Raft in one WriteSet (DESIGN D4).
#include <ctime>

#include <fmt/format.h>

#include "sql/binder/binder.h"
#include "sql/errors.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

constexpr size_t kPrefixBytes = 8;  // table_id | index_id

std::string KeyText(const TableSchema& table, const IndexSchema& index, const Row& row) {
  std::string out;
  for (size_t i = 0; i < index.columns.size(); i++) {
    if (i) out += '-';
    out += row[index.columns[i]].ToText().value_or("NULL");
  }
  (void)table;
  return out;
}

Status Duplicate(const TableSchema& table, const IndexSchema& index, const Row& row) {
  std::string name = index.name.empty() ? "PRIMARY" : index.name;
  return ErrDuplicateEntry(KeyText(table, index, row), table.name, name);
}

bool HasNull(const IndexSchema& index, const Row& row) {
  for (uint32_t c : index.columns)
    if (row[c].is_null()) return true;
  return false;
}

bool RowsEqual(const Row& a, const Row& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); i++) {
    if (a[i].is_null() != b[i].is_null()) return false;
    if (!a[i].is_null() && (a[i].kind() != b[i].kind() || CompareValues(a[i], b[i]) != 0)) return false;
  }
  return true;
}

// A unique secondary index already holds these values for a row other than `pk_suffix`.
Result<bool> UniqueTaken(txn::Transaction* txn, const TableSchema& table, const IndexSchema& index, const Row& row,
                         Slice pk_suffix) {
  if (!index.unique || HasNull(index, row)) return false;
  Bytes prefix = IndexPrefix(table.id, index.id);
  for (uint32_t c : index.columns) AppendKeyValue(row[c], &prefix);
  STRATA_ASSIGN_OR_RETURN(auto hits, txn->Scan(prefix, PrefixSuccessor(prefix), 2));
  for (const auto& kv : hits)
    if (Slice(kv.key).substr(prefix.size()) != pk_suffix) return true;
  return false;
}

// The pk suffix of another row already holding `row`'s values in unique `index`, if any.
Result<std::optional<Bytes>> UniqueConflict(txn::Transaction* txn, const TableSchema& table, const IndexSchema& index,
                                            const Row& row, Slice pk_suffix) {
  if (!index.unique || HasNull(index, row)) return std::optional<Bytes>();
  Bytes prefix = IndexPrefix(table.id, index.id);
  for (uint32_t c : index.columns) AppendKeyValue(row[c], &prefix);
  STRATA_ASSIGN_OR_RETURN(auto hits, txn->Scan(prefix, PrefixSuccessor(prefix), 2));
  for (const auto& kv : hits)
    if (Slice(kv.key).substr(prefix.size()) != pk_suffix) return std::optional<Bytes>(kv.key.substr(prefix.size()));
  return std::optional<Bytes>();
}

Status PutRow(txn::Transaction* txn, const TableSchema& table, const Row& row, Slice pk_suffix) {
  STRATA_RETURN_IF_ERROR(txn->Put(RowKey(table, pk_suffix), EncodeRow(row)));
  for (const IndexSchema& index : table.indexes)
    STRATA_RETURN_IF_ERROR(txn->Put(IndexKey(table, index, row, pk_suffix), ""));
  return Status::OK();
}

Status DeleteRow(txn::Transaction* txn, const TableSchema& table, const Row& row, Slice pk_suffix) {
  STRATA_RETURN_IF_ERROR(txn->Delete(RowKey(table, pk_suffix)));
  for (const IndexSchema& index : table.indexes)
    STRATA_RETURN_IF_ERROR(txn->Delete(IndexKey(table, index, row, pk_suffix)));
  return Status::OK();
}

// Replaces old_row (at old_pk) by new_row, keeping indexes and uniqueness right.
Status ReplaceRow(txn::Transaction* txn, const TableSchema& table, const Row& old_row, Slice old_pk,
                  const Row& new_row) {
  Bytes new_pk = PrimaryKeySuffix(table, new_row, 0);
  if (table.has_hidden_key()) new_pk = Bytes(old_pk);
  if (new_pk != old_pk) {
    STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> existing, txn->Get(RowKey(table, new_pk)));
    if (existing) return Duplicate(table, table.primary, new_row);
  }
  for (const IndexSchema& index : table.indexes) {
    STRATA_ASSIGN_OR_RETURN(bool taken, UniqueTaken(txn, table, index, new_row, old_pk));
    if (taken) return Duplicate(table, index, new_row);
  }
  STRATA_RETURN_IF_ERROR(DeleteRow(txn, table, old_row, old_pk));
  return PutRow(txn, table, new_row, new_pk);
}

std::string NowText() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

struct InsertState {
  Session* session;
  txn::Transaction* txn;
  const TableSchema* table;
  const ast::Insert* stmt;
  std::vector<uint32_t> targets;  // column positions the VALUES fill
  std::vector<BoundExprPtr> on_duplicate;  // one per stmt->on_duplicate
  std::vector<uint32_t> on_duplicate_columns;
  EvalContext eval;
  uint64_t affected = 0, duplicates = 0, first_generated_id = 0;
};

Result<Row> BuildRow(InsertState& st, const std::vector<const ast::Expr*>& values, uint64_t row_number) {
  const TableSchema& t = *st.table;
  Row row(t.columns.size());
  std::vector<bool> given(t.columns.size(), false);
  for (size_t i = 0; i < t.columns.size(); i++) {
    const ColumnSchema& c = t.columns[i];
    if (c.default_kind == DefaultKind::kValue) row[i] = c.default_value;
    if (c.default_kind == DefaultKind::kCurrentTimestamp) row[i] = Value::String(NowText());
  }
  BindContext ctx;
  ctx.session = st.session;
  for (size_t i = 0; i < values.size(); i++) {
    uint32_t col = st.targets[i];
    if (!values[i]) continue;  // DEFAULT
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*values[i], ctx));
    STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e, Row(), st.eval));
    STRATA_ASSIGN_OR_RETURN(row[col], ConvertForColumn(t.columns[col], v, row_number));
    given[col] = true;
  }
  if (auto ai = t.AutoIncrementColumn()) {
    Value& v = row[*ai];
    bool zero = !v.is_null() && v.ToDouble() == 0;
    if (v.is_null() || zero) {
      STRATA_ASSIGN_OR_RETURN(uint64_t id, st.session->engine().auto_increment().Next(t));
      STRATA_ASSIGN_OR_RETURN(v, ConvertForColumn(t.columns[*ai], Value::Uint(id), row_number));
      if (st.first_generated_id == 0) st.first_generated_id = id;
      given[*ai] = true;
    } else if (v.ToDouble() > 0) {
      STRATA_RETURN_IF_ERROR(st.session->engine().auto_increment().Observe(t, SaturatingUint64(v.ToDouble())));
    }
  }
  for (size_t i = 0; i < t.columns.size(); i++) {
    const ColumnSchema& c = t.columns[i];
    if (!row[i].is_null() || c.nullable) continue;
    if (given[i]) return ErrColumnCannotBeNull(c.name);
    if (c.default_kind == DefaultKind::kNone)
      return ErrNoDefaultForField(c.name);
    return ErrColumnCannotBeNull(c.name);
  }
  return row;
}

Status OnDuplicate(InsertState& st, const Row& new_row, const Row& old_row, Slice old_pk) {
  Row updated = old_row;
  st.eval.values_row = &new_row;
  for (size_t i = 0; i < st.on_duplicate.size(); i++) {
    uint32_t col = st.on_duplicate_columns[i];
    STRATA_ASSIGN_OR_RETURN(Value v, Eval(*st.on_duplicate[i], updated, st.eval));
    STRATA_ASSIGN_OR_RETURN(updated[col], ConvertForColumn(st.table->columns[col], v, 1));
    if (updated[col].is_null() && !st.table->columns[col].nullable) return ErrColumnCannotBeNull(st.table->columns[col].name);
  }
  st.eval.values_row = nullptr;
  if (RowsEqual(updated, old_row)) return Status::OK();
  STRATA_RETURN_IF_ERROR(ReplaceRow(st.txn, *st.table, old_row, old_pk, updated));
  st.affected += 2;
  return Status::OK();
}

Status InsertOne(InsertState& st, const Row& row) {
  const TableSchema& t = *st.table;
  uint64_t hidden_id = 0;
  if (t.has_hidden_key()) {
    STRATA_ASSIGN_OR_RETURN(hidden_id, st.session->engine().auto_increment().Next(t));
  }
  Bytes pk = PrimaryKeySuffix(t, row, hidden_id);
  Bytes key = RowKey(t, pk);
  STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> existing, st.txn->Get(key));
  if (existing) {
    STRATA_ASSIGN_OR_RETURN(Row old_row, DecodeRow(*existing, t.columns.size()));
    if (!st.stmt->on_duplicate.empty()) return OnDuplicate(st, row, old_row, pk);
    if (st.stmt->ignore) {
      st.duplicates++;
      return Status::OK();
    }
    if (!st.stmt->replace) return Duplicate(t, t.primary, row);
    STRATA_RETURN_IF_ERROR(DeleteRow(st.txn, t, old_row, pk));
    st.affected++;
  }
  for (const IndexSchema& index : t.indexes) {
    STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> other_pk, UniqueConflict(st.txn, t, index, row, pk));
    if (!other_pk) continue;
    if (st.stmt->ignore) {
      st.duplicates++;
      return Status::OK();
    }
    if (!st.stmt->replace && st.stmt->on_duplicate.empty()) return Duplicate(t, index, row);
    // REPLACE deletes, and ON DUPLICATE KEY UPDATE updates, the row holding the unique values.
    STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> other, st.txn->Get(RowKey(t, *other_pk)));
    if (!other) return Status::Corruption(fmt::format("index '{}' of '{}' names a missing row", index.name, t.name));
    STRATA_ASSIGN_OR_RETURN(Row other_row, DecodeRow(*other, t.columns.size()));
    if (!st.stmt->on_duplicate.empty()) return OnDuplicate(st, row, other_row, *other_pk);
    STRATA_RETURN_IF_ERROR(DeleteRow(st.txn, t, other_row, *other_pk));
    st.affected++;
  }
  STRATA_RETURN_IF_ERROR(PutRow(st.txn, t, row, pk));
  st.affected++;
  return Status::OK();
}

}  // namespace

Result<QueryResult> ExecuteInsert(Session& session, const ast::Insert& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table, session.ResolveTable(stmt.table));
  STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, session.Txn());
  InsertState st{&session, txn, table.get(), &stmt, {}, {}, {}, session.eval_context()};
  std::vector<std::vector<const ast::Expr*>> rows;
  if (!stmt.set_assignments.empty()) {
    rows.emplace_back();
    for (const auto& a : stmt.set_assignments) {
      auto col = table->FindColumn(a.column);
      if (!col) return ErrUnknownColumn(a.column, "field list");
      st.targets.push_back(*col);
      rows.back().push_back(a.value.get());
    }
  } else {
    if (stmt.columns.empty()) {
      for (uint32_t c = 0; c < table->columns.size(); c++) st.targets.push_back(c);
    } else {
      for (const auto& name : stmt.columns) {
        auto col = table->FindColumn(name);
        if (!col) return ErrUnknownColumn(name, "field list");
        st.targets.push_back(*col);
      }
    }
    for (size_t r = 0; r < stmt.rows.size(); r++) {
      if (stmt.rows[r].size() != st.targets.size())
        return ErrColumnCountMismatch(r + 1);
      std::vector<const ast::Expr*> values;
      for (const auto& v : stmt.rows[r]) values.push_back(v.get());
      rows.push_back(std::move(values));
    }
  }
  BindContext dup_ctx;
  dup_ctx.session = &session;
  dup_ctx.scope = {table.get(), table->name};
  dup_ctx.allow_values_function = true;
  for (const auto& a : stmt.on_duplicate) {
    auto col = table->FindColumn(a.column);
    if (!col) return ErrUnknownColumn(a.column, "field list");
    st.on_duplicate_columns.push_back(*col);
    if (!a.value) {
      st.on_duplicate.push_back(MakeConst(table->columns[*col].default_value));
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*a.value, dup_ctx));
    st.on_duplicate.push_back(std::move(e));
  }
  for (size_t r = 0; r < rows.size(); r++) {
    STRATA_ASSIGN_OR_RETURN(Row row, BuildRow(st, rows[r], r + 1));
    STRATA_RETURN_IF_ERROR(InsertOne(st, row));
  }
  QueryResult result;
  result.affected_rows = st.affected;
  result.last_insert_id = st.first_generated_id;
  if (st.first_generated_id) session.set_last_insert_id(st.first_generated_id);
  result.warnings = static_cast<uint16_t>(std::min<uint64_t>(st.duplicates, 65535));
  if (rows.size() > 1 || stmt.ignore)
    result.info = fmt::format("Records: {}  Duplicates: {}  Warnings: {}", rows.size(), st.duplicates, st.duplicates);
  return result;
}

Result<QueryResult> ExecuteUpdate(Session& session, const ast::Update& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table, session.ResolveTable(stmt.table.table));
  STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, session.Txn());
  std::string alias = stmt.table.alias.empty() ? stmt.table.table.name : stmt.table.alias;
  BindContext ctx;
  ctx.session = &session;
  ctx.scope = {table.get(), alias};
  std::vector<uint32_t> columns;
  std::vector<BoundExprPtr> values;
  for (const auto& a : stmt.assignments) {
    auto col = table->FindColumn(a.column);
    if (!col || (!a.qualifier.empty() && !EqualsIgnoreCase(a.qualifier, alias)))
      return ErrUnknownColumn(a.column, "field list");
    columns.push_back(*col);
    if (!a.value) {
      values.push_back(MakeConst(table->columns[*col].default_value));
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*a.value, ctx));
    values.push_back(std::move(e));
  }
  QueryResult result;
  STRATA_ASSIGN_OR_RETURN(std::vector<Row> targets,
                          FindTargetRows(session, txn, table, alias, stmt.where.get(), stmt.order_by,
                                         stmt.limit.get(), &result.rows_examined));
  EvalContext eval = session.eval_context();
  uint64_t changed = 0, row_number = 0;
  const size_t width = table->columns.size();
  for (Row& target : targets) {
    row_number++;
    Bytes key = target.back().string_value();
    target.pop_back();
    Row updated = target;
    for (size_t i = 0; i < columns.size(); i++) {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*values[i], updated, eval));
      const ColumnSchema& col = table->columns[columns[i]];
      STRATA_ASSIGN_OR_RETURN(updated[columns[i]], ConvertForColumn(col, v, row_number));
      if (updated[columns[i]].is_null() && !col.nullable) return ErrColumnCannotBeNull(col.name);
      if (col.auto_increment && updated[columns[i]].ToDouble() > 0)
        STRATA_RETURN_IF_ERROR(session.engine().auto_increment().Observe(*table, SaturatingUint64(updated[columns[i]].ToDouble())));
    }
    if (RowsEqual(updated, target)) continue;
    updated.resize(width);
    STRATA_RETURN_IF_ERROR(ReplaceRow(txn, *table, target, Slice(key).substr(kPrefixBytes), updated));
    changed++;
  }
  result.affected_rows = changed;
  result.info = fmt::format("Rows matched: {}  Changed: {}  Warnings: 0", targets.size(), changed);
  return result;
}

Result<QueryResult> ExecuteDelete(Session& session, const ast::Delete& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table, session.ResolveTable(stmt.table.table));
  STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, session.Txn());
  std::string alias = stmt.table.alias.empty() ? stmt.table.table.name : stmt.table.alias;
  QueryResult result;
  STRATA_ASSIGN_OR_RETURN(std::vector<Row> targets,
                          FindTargetRows(session, txn, table, alias, stmt.where.get(), stmt.order_by,
                                         stmt.limit.get(), &result.rows_examined));
  for (Row& target : targets) {
    Bytes key = target.back().string_value();
    target.pop_back();
    STRATA_RETURN_IF_ERROR(DeleteRow(txn, *table, target, Slice(key).substr(kPrefixBytes)));
  }
  result.affected_rows = targets.size();
  return result;
}

}  // namespace strata::sql
