// INSERT, INSERT IGNORE, REPLACE and INSERT ... ON DUPLICATE KEY UPDATE. Each row is bound,
// evaluated and written before the next one is read (rows are written by
// execution/table_writer.h); UPDATE and DELETE go through the planner (query.cc).
#include <ctime>

#include <fmt/format.h>

#include "sql/binder/statement_binder.h"
#include "sql/errors.h"
#include "sql/execution/table_writer.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

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
    if (!st.stmt->replace) return ErrDuplicateKey(t, t.primary, row);
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
    if (!st.stmt->replace && st.stmt->on_duplicate.empty()) return ErrDuplicateKey(t, index, row);
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
  STRATA_RETURN_IF_ERROR(BindAssignments(stmt.on_duplicate, dup_ctx, /*check_qualifier=*/false,
                                         &st.on_duplicate_columns, &st.on_duplicate));
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

}  // namespace strata::sql
