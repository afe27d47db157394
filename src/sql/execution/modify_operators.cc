// MakeUpdate and MakeDelete (operators.h): the write side of UPDATE and DELETE.
#include "sql/errors.h"
#include "sql/execution/operators.h"
#include "sql/execution/table_writer.h"

namespace strata::sql {
namespace {

// Runs `table`'s triggers for (timing, event) when it has any.
Status FireTriggers(const EvalContext* ctx, const TableSchema& table, TriggerTiming timing, TriggerEvent event,
                    const Row* old_row, Row* new_row) {
  if (!ctx || !ctx->triggers || !ctx->triggers->Has(table, timing, event)) return Status::OK();
  return ctx->triggers->Fire(table, timing, event, old_row, new_row);
}

// Splits a target row into the table row and its row key (the trailing value).
Bytes TakeRowKey(Row* target) {
  STRATA_CHECK(!target->empty() && target->back().kind() == ValueKind::kString);
  Bytes key = target->back().string_value();
  target->pop_back();
  return key;
}

class UpdateOp : public Operator {
 public:
  UpdateOp(OperatorPtr child, txn::Transaction* txn, const TableSchema* table, std::vector<Assignment> assignments,
           AutoIncrement* auto_increment, const EvalContext* ctx)
      : child_(std::move(child)), txn_(txn), table_(table), assignments_(std::move(assignments)),
        assigned_(table->columns.size(), false), auto_increment_(auto_increment), ctx_(ctx) {
    for (const Assignment& a : assignments_) assigned_[a.column] = true;
  }

  Result<bool> Next(RowBatch* out) override {
    if (done_) return false;
    done_ = true;
    STRATA_ASSIGN_OR_RETURN(std::vector<Row> targets, Drain(*child_));
    uint64_t changed = 0, row_number = 0;
    for (Row& target : targets) {
      Bytes key = TakeRowKey(&target);
      STRATA_ASSIGN_OR_RETURN(Row updated, Apply(target, ++row_number));
      // As in MySQL, an UPDATE's triggers fire for every row it matches, changed or not.
      STRATA_RETURN_IF_ERROR(FireTriggers(ctx_, *table_, TriggerTiming::kBefore, TriggerEvent::kUpdate, &target, &updated));
      if (!RowsEqual(updated, target)) {
        updated.resize(table_->columns.size());
        TouchOnUpdateColumns(*table_, assigned_, *ctx_, &updated);
        STRATA_RETURN_IF_ERROR(ReplaceRow(txn_, *table_, target, PkSuffixOfRowKey(key), updated, ctx_->time_zone.get()));
        changed++;
      } else {
        STRATA_RETURN_IF_ERROR(txn_->DependOn(key));  // matched, unchanged: still a lost update if stale
      }
      STRATA_RETURN_IF_ERROR(FireTriggers(ctx_, *table_, TriggerTiming::kAfter, TriggerEvent::kUpdate, &target, &updated));
    }
    out->push_back({Value::Uint(targets.size()), Value::Uint(changed)});
    return false;
  }

 private:
  // The row with every assignment applied in order, converted to the column types.
  Result<Row> Apply(const Row& target, uint64_t row_number) {
    Row updated = target;
    for (const Assignment& a : assignments_) {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*a.value, updated, *ctx_));
      const ColumnSchema& col = table_->columns[a.column];
      STRATA_ASSIGN_OR_RETURN(updated[a.column], AssignColumn(col, std::move(v), row_number, *ctx_));
      if (updated[a.column].is_null() && !col.nullable) {
        STRATA_ASSIGN_OR_RETURN(updated[a.column], AssignNullToNotNull(col, *ctx_));
      }
      if (col.auto_increment && updated[a.column].ToDouble() > 0) {
        STRATA_RETURN_IF_ERROR(auto_increment_->Observe(*table_, SaturatingUint64(updated[a.column].ToDouble())));
      }
    }
    return updated;
  }

  OperatorPtr child_;
  txn::Transaction* txn_;
  const TableSchema* table_;
  std::vector<Assignment> assignments_;
  std::vector<bool> assigned_;  // by column: an assignment names it (ON UPDATE columns)
  AutoIncrement* auto_increment_;
  const EvalContext* ctx_;
  bool done_ = false;
};

class DeleteOp : public Operator {
 public:
  DeleteOp(OperatorPtr child, txn::Transaction* txn, const TableSchema* table, const EvalContext* ctx)
      : child_(std::move(child)), txn_(txn), table_(table), ctx_(ctx) {}

  Result<bool> Next(RowBatch* out) override {
    if (done_) return false;
    done_ = true;
    STRATA_ASSIGN_OR_RETURN(std::vector<Row> targets, Drain(*child_));
    for (Row& target : targets) {
      Bytes key = TakeRowKey(&target);
      STRATA_RETURN_IF_ERROR(FireTriggers(ctx_, *table_, TriggerTiming::kBefore, TriggerEvent::kDelete, &target, nullptr));
      STRATA_RETURN_IF_ERROR(DeleteRow(txn_, *table_, target, PkSuffixOfRowKey(key)));
      STRATA_RETURN_IF_ERROR(FireTriggers(ctx_, *table_, TriggerTiming::kAfter, TriggerEvent::kDelete, &target, nullptr));
    }
    out->push_back({Value::Uint(targets.size())});
    return false;
  }

 private:
  OperatorPtr child_;
  txn::Transaction* txn_;
  const TableSchema* table_;
  const EvalContext* ctx_;
  bool done_ = false;
};

}  // namespace

OperatorPtr MakeUpdate(OperatorPtr child, txn::Transaction* txn, const TableSchema* table,
                       std::vector<Assignment> assignments, AutoIncrement* auto_increment, const EvalContext* ctx) {
  return std::make_unique<UpdateOp>(std::move(child), txn, table, std::move(assignments), auto_increment, ctx);
}

OperatorPtr MakeDelete(OperatorPtr child, txn::Transaction* txn, const TableSchema* table, const EvalContext* ctx) {
  return std::make_unique<DeleteOp>(std::move(child), txn, table, ctx);
}

Status FireTableTriggers(const EvalContext* ctx, const TableSchema& table, TriggerTiming timing, TriggerEvent event,
                         const Row* old_row, Row* new_row) {
  return FireTriggers(ctx, table, timing, event, old_row, new_row);
}

}  // namespace strata::sql
