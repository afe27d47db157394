// MakeSubqueryRunner (physical_planner.h).
#include <memory>
#include <unordered_map>

#include "sql/errors.h"
#include "sql/execution/physical_planner.h"
#include "sql/expression/in_values.h"

namespace strata::sql {
namespace {

class PlanSubqueryRunner final : public SubqueryRunner {
 public:
  explicit PlanSubqueryRunner(const ExecutionContext& ctx) : ctx_(ctx) {}

  Result<std::vector<Row>> Rows(const SubqueryPlan& plan, const Row& outer_row, const EvalContext& ctx,
                                size_t limit) override {
    if (!plan.correlated) {
      auto it = cache_.find(&plan);
      if (it == cache_.end()) {
        STRATA_ASSIGN_OR_RETURN(std::vector<Row> rows, Run(plan, outer_row, ctx, SIZE_MAX));
        it = cache_.emplace(&plan, std::move(rows)).first;
      }
      const std::vector<Row>& rows = it->second;
      return std::vector<Row>(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(std::min(limit, rows.size())));
    }
    return Run(plan, outer_row, ctx, limit);
  }

  Result<const InValues*> InSet(const SubqueryPlan& plan, const Row& outer_row, const EvalContext& ctx) override {
    if (plan.correlated) return nullptr;
    auto it = in_sets_.find(&plan);
    if (it == in_sets_.end()) {
      STRATA_ASSIGN_OR_RETURN(std::vector<Row> rows, Rows(plan, outer_row, ctx, SIZE_MAX));
      std::vector<Value> values;
      values.reserve(rows.size());
      for (Row& row : rows) values.push_back(std::move(row[0]));
      cache_.erase(&plan);  // the set holds its values now (a Rows() of this plan would run it again)
      it = in_sets_.emplace(&plan, std::make_unique<InValues>(std::move(values))).first;
    }
    return it->second.get();
  }

 private:
  Result<std::vector<Row>> Run(const SubqueryPlan& plan, const Row& outer_row, const EvalContext& ctx, size_t limit) {
    STRATA_RETURN_IF_ERROR(CheckInterrupted(ctx));
    EvalContext inner = ctx;
    inner.outer_rows.push_back(&outer_row);
    ExecutionContext exec = ctx_;
    exec.eval = &inner;
    OperatorPtr root = BuildOperators(*plan.plan, exec);
    std::vector<Row> rows;
    bool more = true;
    while (more && rows.size() < limit) {
      RowBatch batch;
      STRATA_ASSIGN_OR_RETURN(more, root->Next(&batch));
      for (Row& row : batch) {
        if (rows.size() >= limit) break;
        row.resize(plan.visible);
        rows.push_back(std::move(row));
      }
      if (rows.size() > kMaxSortRows) return ErrTooManyRows("subquery", kMaxSortRows);
    }
    return rows;
  }

  ExecutionContext ctx_;
  std::unordered_map<const SubqueryPlan*, std::vector<Row>> cache_;
  std::unordered_map<const SubqueryPlan*, std::unique_ptr<InValues>> in_sets_;
};

}  // namespace

std::unique_ptr<SubqueryRunner> MakeSubqueryRunner(const ExecutionContext& ctx) {
  return std::make_unique<PlanSubqueryRunner>(ctx);
}

}  // namespace strata::sql
