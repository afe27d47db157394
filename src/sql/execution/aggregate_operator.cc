// Hash aggregation: groups rows by the GROUP BY values (first-seen order) and computes each
// aggregate per group: COUNT, SUM, AVG, MIN, MAX, BIT_AND/OR/XOR, the standard deviations
// and variances, GROUP_CONCAT and JSON_ARRAYAGG / JSON_OBJECTAGG.
#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "sql/errors.h"
#include "sql/execution/operators.h"
#include "sql/execution/aggregate_state.h"
#include "sql/execution/row_hash.h"

namespace strata::sql {
namespace {

class AggregateOp : public Operator {
 public:
  AggregateOp(OperatorPtr child, std::vector<const BoundExpr*> group_by, const std::vector<AggregateSpec>* aggs,
              size_t width, const EvalContext* ctx)
      : child_(std::move(child)), group_by_(std::move(group_by)), aggs_(aggs), width_(width), ctx_(ctx) {}

  Result<bool> Next(RowBatch* out) override {
    if (!done_) {
      STRATA_RETURN_IF_ERROR(Consume());
      done_ = true;
    }
    while (emitted_ < order_.size() && out->size() < kBatchRows) {
      Group& g = groups_[order_[emitted_++]];
      Row row = std::move(g.first);
      row.resize(width_);
      for (size_t i = 0; i < aggs_->size(); i++) {
        STRATA_ASSIGN_OR_RETURN(Value v, FinishAggregate((*aggs_)[i], &g.states[i]));
        row.push_back(std::move(v));
      }
      out->push_back(std::move(row));
    }
    return emitted_ < order_.size();
  }

 private:
  struct Group {
    Row first;
    std::vector<AggState> states;
  };

  Status Consume() {
    while (true) {
      RowBatch in;
      STRATA_ASSIGN_OR_RETURN(bool more, child_->Next(&in));
      for (Row& row : in) STRATA_RETURN_IF_ERROR(Add(std::move(row)));
      if (!more) break;
    }
    if (order_.empty() && group_by_.empty()) {  // aggregate over no rows: one row
      Row key;
      groups_.emplace(key, Group{Row(width_), std::vector<AggState>(aggs_->size())});
      order_.push_back(key);
    }
    return Status::OK();
  }

  Status Add(Row row) {
    Row key;
    for (const BoundExpr* e : group_by_) {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e, row, *ctx_));
      key.push_back(std::move(v));
    }
    auto it = groups_.find(key);
    if (it == groups_.end()) {
      if (groups_.size() >= kMaxGroups) return ErrTooManyRows("GROUP BY", kMaxGroups);
      order_.push_back(key);
      it = groups_.emplace(std::move(key), Group{row, std::vector<AggState>(aggs_->size())}).first;
    }
    for (size_t i = 0; i < aggs_->size(); i++) STRATA_RETURN_IF_ERROR(Accumulate((*aggs_)[i], row, *ctx_, &it->second.states[i]));
    return Status::OK();
  }

  OperatorPtr child_;
  std::vector<const BoundExpr*> group_by_;
  const std::vector<AggregateSpec>* aggs_;
  size_t width_;
  const EvalContext* ctx_;
  std::unordered_map<Row, Group, RowHash, RowEq> groups_;
  std::vector<Row> order_;  // group keys in first-seen order
  size_t emitted_ = 0;
  bool done_ = false;
};

}  // namespace

OperatorPtr MakeAggregate(OperatorPtr child, std::vector<const BoundExpr*> group_by,
                          const std::vector<AggregateSpec>* aggregates, size_t input_width, const EvalContext* ctx) {
  return std::make_unique<AggregateOp>(std::move(child), std::move(group_by), aggregates, input_width, ctx);
}

}  // namespace strata::sql
