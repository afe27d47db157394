// MakeSubqueryRunner (physical_planner.h).
#include <unordered_map>

#include "sql/errors.h"
#include "sql/execution/physical_planner.h"

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
};

}  // namespace

std::unique_ptr<SubqueryRunner> MakeSubqueryRunner(const ExecutionContext& ctx) {
  return std::make_unique<PlanSubqueryRunner>(ctx);
}

}  // namespace strata::sql
