// WITH RECURSIVE (LogicalRecursiveCte): round 0 is the anchor's rows; each next round builds
// the recursive part's operators afresh over the work table (the previous round's new rows)
// until a round adds no row. Every row is kept for the output, which streams out at the end.
#include <unordered_set>

#include <fmt/format.h>

#include "sql/errors.h"
#include "sql/execution/physical_planner.h"
#include "sql/execution/row_hash.h"

namespace strata::sql {
namespace {

class RecursiveCteOp : public Operator {
 public:
  RecursiveCteOp(const LogicalRecursiveCte* plan, ExecutionContext ctx) : plan_(plan), ctx_(ctx) {}

  Result<bool> Next(RowBatch* out) override {
    if (!done_) {
      STRATA_RETURN_IF_ERROR(Run());
      done_ = true;
    }
    while (emitted_ < rows_.size() && out->size() < kBatchRows) out->push_back(std::move(rows_[emitted_++]));
    return emitted_ < rows_.size();
  }

 private:
  // Adds each new row of `op` to the result and to `round`; false when the result is full.
  Status Collect(Operator& op, std::vector<Row>* round) {
    while (true) {
      RowBatch batch;
      STRATA_ASSIGN_OR_RETURN(bool more, op.Next(&batch));
      for (Row& row : batch) {
        if (plan_->distinct && !seen_.insert(row).second) continue;
        bytes_ += RowBytes(row);
        if (bytes_ > kMaxMaterializedBytes) return ErrStatementMemory(kMaxMaterializedBytes);
        if (rows_.size() >= kMaxSortRows) return ErrTooManyRows("recursive common table expression", kMaxSortRows);
        round->push_back(row);
        rows_.push_back(std::move(row));
        if (rows_.size() >= plan_->row_limit) return Status::OK();
      }
      if (!more) return Status::OK();
    }
  }

  Status Run() {
    std::vector<Row> round;
    OperatorPtr anchor = BuildOperators(*plan_->children[0], ctx_);
    STRATA_RETURN_IF_ERROR(Collect(*anchor, &round));
    for (uint64_t depth = 1; !round.empty() && rows_.size() < plan_->row_limit; depth++) {
      if (depth > plan_->max_depth) return ErrCteRecursionDepth(depth);
      STRATA_RETURN_IF_ERROR(CheckInterrupted(*ctx_.eval));
      plan_->work->rows = std::move(round);
      round.clear();
      OperatorPtr recursive = BuildOperators(*plan_->children[1], ctx_);
      Status s = Collect(*recursive, &round);
      plan_->work->rows.clear();
      STRATA_RETURN_IF_ERROR(s);
    }
    return Status::OK();
  }

  const LogicalRecursiveCte* plan_;
  ExecutionContext ctx_;
  std::vector<Row> rows_;
  std::unordered_set<Row, RowHash, RowEq> seen_;
  size_t bytes_ = 0;
  size_t emitted_ = 0;
  bool done_ = false;
};

}  // namespace

OperatorPtr MakeRecursiveCte(const LogicalRecursiveCte* plan, const ExecutionContext& ctx) {
  return std::make_unique<RecursiveCteOp>(plan, ctx);
}

}  // namespace strata::sql
