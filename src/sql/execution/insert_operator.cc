// MakeInsert (operators.h): INSERT, INSERT IGNORE, REPLACE and ON DUPLICATE KEY UPDATE.

#include <fmt/format.h>

#include "common/check.h"
#include "sql/errors.h"
#include "sql/execution/operators.h"
#include "sql/execution/table_writer.h"

namespace strata::sql {
namespace {

class InsertOp : public Operator {
 public:
  InsertOp(const LogicalInsert* plan, OperatorPtr source, txn::Transaction* txn, AutoIncrement* auto_increment,
           const EvalContext* ctx)
      : plan_(*plan), source_(std::move(source)), table_(*plan->table), txn_(txn), auto_increment_(auto_increment),
        eval_(*ctx) {}

  Result<bool> Next(RowBatch* out) override {
    if (done_) return false;
    done_ = true;
    uint64_t processed = 0;
    if (source_) {
      // Every source row is read before the first write: the query sees the table as it was.
      STRATA_CHECK(plan_.rows.size() == 1);
      STRATA_ASSIGN_OR_RETURN(std::vector<Row> source_rows, Drain(*source_));
      for (const Row& source_row : source_rows) {
        STRATA_ASSIGN_OR_RETURN(Row row, BuildRow(plan_.rows[0], ++processed, source_row));
        STRATA_RETURN_IF_ERROR(FireAndInsert(std::move(row)));
      }
    } else {
      for (const auto& values : plan_.rows) {
        STRATA_ASSIGN_OR_RETURN(Row row, BuildRow(values, ++processed, Row()));
        STRATA_RETURN_IF_ERROR(FireAndInsert(std::move(row)));
      }
    }
    out->push_back({Value::Uint(affected_), Value::Uint(duplicates_), Value::Uint(first_generated_id_),
                    Value::Uint(processed), Value::String(std::move(duplicate_messages_))});
    return false;
  }

 private:
  // The table row for one VALUES row (expressions over `source_row`, the query's row for
  // INSERT ... SELECT): defaults, the given values converted to the column types, the
  // auto-increment value, NOT NULL checked.
  Result<Row> BuildRow(const std::vector<BoundExprPtr>& values, uint64_t row_number, const Row& source_row) {
    Row row(table_.columns.size());
    std::vector<bool> given(table_.columns.size(), false);
    for (size_t i = 0; i < table_.columns.size(); i++) {
      const ColumnSchema& c = table_.columns[i];
      if (c.default_kind == DefaultKind::kValue) row[i] = c.default_value;  // stored form (a TIMESTAMP's in UTC)
      if (c.default_kind == DefaultKind::kCurrentTimestamp) row[i] = CurrentTimeForColumn(c, eval_);
    }
    for (size_t i = 0; i < values.size(); i++) {
      uint32_t col = plan_.targets[i];
      if (!values[i]) continue;  // DEFAULT
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*values[i], source_row, eval_));
      STRATA_ASSIGN_OR_RETURN(row[col], AssignColumn(table_.columns[col], std::move(v), row_number, eval_));
      given[col] = true;
    }
    STRATA_RETURN_IF_ERROR(FillAutoIncrement(&row, &given, row_number));
    for (size_t i = 0; i < table_.columns.size(); i++) {
      const ColumnSchema& c = table_.columns[i];
      if (!row[i].is_null() || c.nullable) continue;
      if (!given[i] && c.default_kind == DefaultKind::kNone) {
        // MySQL: a NOT NULL ENUM's default is its first member; without strict mode any
        // other column takes its type's implicit default, with a warning.
        if (c.type.kind == ast::TypeKind::kEnum) {
          row[i] = ImplicitDefault(c.type);
          continue;
        }
        if (eval_.assignment.strict) return ErrNoDefaultForField(c.name);
        if (eval_.warnings) eval_.warnings->push_back(ErrNoDefaultForField(c.name));
        row[i] = ImplicitDefault(c.type);
        continue;
      }
      // NULL into NOT NULL: an error, but a warning and the implicit default for a lenient
      // statement of several rows (or INSERT IGNORE), as in MySQL.
      if (!plan_.ignore && !source_ && plan_.rows.size() == 1) return ErrColumnCannotBeNull(c.name);
      STRATA_ASSIGN_OR_RETURN(row[i], AssignNullToNotNull(c, eval_));
    }
    return row;
  }

  // NULL or 0 in the auto-increment column takes the next value; an explicit value moves the
  // counter above it.
  // INSERT IGNORE: the row is skipped; its error becomes a warning (SHOW WARNINGS).
  Status SkipDuplicate(const Status& error) {
    if (duplicates_++ < kMaxDuplicateMessages) {
      if (!duplicate_messages_.empty()) duplicate_messages_ += '\n';
      duplicate_messages_ += error.message();
    }
    return Status::OK();
  }

  Status FillAutoIncrement(Row* row, std::vector<bool>* given, uint64_t row_number) {
    std::optional<uint32_t> ai = table_.AutoIncrementColumn();
    if (!ai) return Status::OK();
    Value& v = (*row)[*ai];
    bool zero = !v.is_null() && v.ToDouble() == 0 && !eval_.no_auto_value_on_zero;
    if (v.is_null() || zero) {
      STRATA_ASSIGN_OR_RETURN(uint64_t id, auto_increment_->Next(table_));
      STRATA_ASSIGN_OR_RETURN(v, ConvertForColumn(table_.columns[*ai], Value::Uint(id), row_number));
      if (first_generated_id_ == 0) first_generated_id_ = id;
      (*given)[*ai] = true;
    } else if (v.ToDouble() > 0) {
      STRATA_RETURN_IF_ERROR(auto_increment_->Observe(table_, SaturatingUint64(v.ToDouble())));
    }
    return Status::OK();
  }

  Status Fire(TriggerTiming timing, TriggerEvent event, const Row* old_row, Row* new_row) {
    return FireTableTriggers(&eval_, table_, timing, event, old_row, new_row);
  }

  // BEFORE INSERT triggers may change the row; AFTER INSERT ones fire once it is written
  // (InsertOne). A REPLACE's deleted rows fire DELETE triggers, ON DUPLICATE KEY UPDATE's
  // updated row UPDATE triggers, as in MySQL.
  Status FireAndInsert(Row row) {
    STRATA_RETURN_IF_ERROR(Fire(TriggerTiming::kBefore, TriggerEvent::kInsert, nullptr, &row));
    return InsertOne(row);
  }

  Status DeleteOld(const Row& old_row, Slice pk) {
    STRATA_RETURN_IF_ERROR(Fire(TriggerTiming::kBefore, TriggerEvent::kDelete, &old_row, nullptr));
    STRATA_RETURN_IF_ERROR(DeleteRow(txn_, table_, old_row, pk));
    return Fire(TriggerTiming::kAfter, TriggerEvent::kDelete, &old_row, nullptr);
  }

  // ON DUPLICATE KEY UPDATE of `old_row` (at `old_pk`), VALUES(c) naming `new_row`.
  Status UpdateDuplicate(const Row& new_row, const Row& old_row, Slice old_pk) {
    Row updated = old_row;
    eval_.values_row = &new_row;
    for (size_t i = 0; i < plan_.update_values.size(); i++) {
      uint32_t col = plan_.update_columns[i];
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*plan_.update_values[i], updated, eval_));
      STRATA_ASSIGN_OR_RETURN(updated[col], AssignColumn(table_.columns[col], std::move(v), 1, eval_));
      if (updated[col].is_null() && !table_.columns[col].nullable) {
        STRATA_ASSIGN_OR_RETURN(updated[col], AssignNullToNotNull(table_.columns[col], eval_));
      }
    }
    eval_.values_row = nullptr;
    STRATA_RETURN_IF_ERROR(Fire(TriggerTiming::kBefore, TriggerEvent::kUpdate, &old_row, &updated));
    if (!RowsEqual(updated, old_row)) {
      std::vector<bool> assigned(table_.columns.size(), false);
      for (uint32_t col : plan_.update_columns) assigned[col] = true;
      TouchOnUpdateColumns(table_, assigned, eval_, &updated);
      STRATA_RETURN_IF_ERROR(ReplaceRow(txn_, table_, old_row, old_pk, updated, eval_.time_zone.get()));
      affected_ += 2;
    }
    return Fire(TriggerTiming::kAfter, TriggerEvent::kUpdate, &old_row, &updated);
  }

  Status InsertOne(const Row& row) {
    const bool on_duplicate = !plan_.update_values.empty();
    uint64_t hidden_id = 0;
    if (table_.has_hidden_key()) {
      STRATA_ASSIGN_OR_RETURN(hidden_id, auto_increment_->Next(table_));
    }
    Bytes pk = PrimaryKeySuffix(table_, row, hidden_id);
    // A locking read (InnoDB's duplicate check): a concurrent inserter of the same key waits
    // for this one, then sees its row. A hidden key is new by construction.
    Bytes row_key = RowKey(table_, pk);
    STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> existing, table_.has_hidden_key()
                                                               ? txn_->Get(row_key)
                                                               : txn_->GetForUpdate(row_key, txn::LockMode::kExclusive));
    if (existing) {
      STRATA_ASSIGN_OR_RETURN(Row old_row, DecodeRow(*existing, table_));
      if (on_duplicate) return UpdateDuplicate(row, old_row, pk);
      if (plan_.ignore) return SkipDuplicate(ErrDuplicateKey(table_, table_.primary, row, eval_.time_zone.get()));
      if (!plan_.replace) return ErrDuplicateKey(table_, table_.primary, row, eval_.time_zone.get());
      STRATA_RETURN_IF_ERROR(DeleteOld(old_row, pk));
      affected_++;
    }
    for (const IndexSchema& index : table_.indexes) {
      STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> other_pk, UniqueConflict(txn_, table_, index, row, pk));
      if (!other_pk) continue;
      if (plan_.ignore) return SkipDuplicate(ErrDuplicateKey(table_, index, row, eval_.time_zone.get()));
      if (!plan_.replace && !on_duplicate) return ErrDuplicateKey(table_, index, row, eval_.time_zone.get());
      // REPLACE deletes, and ON DUPLICATE KEY UPDATE updates, the row holding the unique values.
      STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> other,
                              txn_->GetForUpdate(RowKey(table_, *other_pk), txn::LockMode::kExclusive));
      if (!other) return Status::Corruption(fmt::format("index '{}' of '{}' names a missing row", index.name, table_.name));
      STRATA_ASSIGN_OR_RETURN(Row other_row, DecodeRow(*other, table_));
      if (on_duplicate) return UpdateDuplicate(row, other_row, *other_pk);
      STRATA_RETURN_IF_ERROR(DeleteOld(other_row, *other_pk));
      affected_++;
    }
    STRATA_RETURN_IF_ERROR(PutRow(txn_, table_, row, pk));
    affected_++;
    if (!eval_.triggers || !eval_.triggers->Has(table_, TriggerTiming::kAfter, TriggerEvent::kInsert))
      return Status::OK();
    Row written = row;  // an AFTER trigger reads it only
    return Fire(TriggerTiming::kAfter, TriggerEvent::kInsert, nullptr, &written);
  }

  const LogicalInsert& plan_;
  OperatorPtr source_;  // INSERT ... SELECT: the query's rows
  const TableSchema& table_;
  txn::Transaction* txn_;
  AutoIncrement* auto_increment_;
  EvalContext eval_;  // a copy: ON DUPLICATE KEY UPDATE points values_row at the new row
  static constexpr uint64_t kMaxDuplicateMessages = 1024;  // MySQL's max_error_count
  uint64_t affected_ = 0, duplicates_ = 0, first_generated_id_ = 0;
  std::string duplicate_messages_;  // one a line
  bool done_ = false;
};

}  // namespace

OperatorPtr MakeInsert(const LogicalInsert* plan, OperatorPtr source, txn::Transaction* txn,
                       AutoIncrement* auto_increment, const EvalContext* ctx) {
  return std::make_unique<InsertOp>(plan, std::move(source), txn, auto_increment, ctx);
}

}  // namespace strata::sql
