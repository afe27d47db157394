#include "sql/execution/physical_planner.h"

#include "common/check.h"

namespace strata::sql {
namespace {

std::vector<const BoundExpr*> Pointers(const std::vector<BoundExprPtr>& exprs) {
  std::vector<const BoundExpr*> out;
  out.reserve(exprs.size());
  for (const BoundExprPtr& e : exprs) out.push_back(e.get());
  return out;
}

}  // namespace

OperatorPtr BuildOperators(const LogicalOperator& plan, const ExecutionContext& ctx) {
  STRATA_CHECK(ctx.eval != nullptr && ctx.rows_examined != nullptr);
  switch (plan.kind) {
    case LogicalKind::kGet: {
      const auto& get = static_cast<const LogicalGet&>(plan);
      STRATA_CHECK_MSG(ctx.txn != nullptr, "a plan that reads a table needs a transaction");
      return MakeScan(ctx.txn, get.table.get(), get.path, get.with_row_keys, ctx.rows_examined);
    }
    case LogicalKind::kValues: return MakeValues(&static_cast<const LogicalValues&>(plan).rows);
    case LogicalKind::kFilter:
      return MakeFilter(BuildOperators(plan.child(), ctx), static_cast<const LogicalFilter&>(plan).predicate.get(),
                        ctx.eval);
    case LogicalKind::kAggregate: {
      const auto& agg = static_cast<const LogicalAggregate&>(plan);
      return MakeAggregate(BuildOperators(plan.child(), ctx), Pointers(agg.group_by), &agg.aggregates,
                           plan.child().width(), ctx.eval);
    }
    case LogicalKind::kProject:
      return MakeProject(BuildOperators(plan.child(), ctx), Pointers(static_cast<const LogicalProject&>(plan).exprs),
                         ctx.eval);
    case LogicalKind::kDistinct:
      return MakeDistinct(BuildOperators(plan.child(), ctx), static_cast<const LogicalDistinct&>(plan).key_width);
    case LogicalKind::kSort:
      return MakeSort(BuildOperators(plan.child(), ctx), static_cast<const LogicalSort&>(plan).keys);
    case LogicalKind::kLimit: {
      const auto& limit = static_cast<const LogicalLimit&>(plan);
      return MakeLimit(BuildOperators(plan.child(), ctx), limit.offset, limit.count);
    }
  }
  STRATA_CHECK_MSG(false, "unknown logical operator");
  return nullptr;
}

}  // namespace strata::sql
