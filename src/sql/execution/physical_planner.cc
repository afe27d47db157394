#include "sql/execution/physical_planner.h"

#include <chrono>

#include "common/check.h"

namespace strata::sql {
namespace {

std::vector<const BoundExpr*> Pointers(const std::vector<BoundExprPtr>& exprs) {
  std::vector<const BoundExpr*> out;
  out.reserve(exprs.size());
  for (const BoundExprPtr& e : exprs) out.push_back(e.get());
  return out;
}

class ProfiledOp : public Operator {
 public:
  ProfiledOp(OperatorPtr inner, OperatorProfile* profile) : inner_(std::move(inner)), profile_(profile) {
    profile_->loops++;
  }
  Result<bool> Next(RowBatch* out) override {
    size_t before = out->size();
    auto start = std::chrono::steady_clock::now();
    Result<bool> more = inner_->Next(out);
    profile_->ns += (std::chrono::steady_clock::now() - start).count();
    profile_->rows += out->size() - before;
    return more;
  }

 private:
  OperatorPtr inner_;
  OperatorProfile* profile_;
};

OperatorPtr Build(const LogicalOperator& plan, const ExecutionContext& ctx);

}  // namespace

OperatorPtr BuildOperators(const LogicalOperator& plan, const ExecutionContext& ctx) {
  OperatorPtr op = Build(plan, ctx);
  if (!ctx.profile) return op;
  return std::make_unique<ProfiledOp>(std::move(op), &(*ctx.profile)[&plan]);
}

namespace {

OperatorPtr Build(const LogicalOperator& plan, const ExecutionContext& ctx) {
  STRATA_CHECK(ctx.eval != nullptr && ctx.rows_examined != nullptr);
  switch (plan.kind) {
    case LogicalKind::kGet: {
      const auto& get = static_cast<const LogicalGet&>(plan);
      STRATA_CHECK_MSG(ctx.txn != nullptr, "a plan that reads a table needs a transaction");
      txn::LockMode lock = get.with_row_keys ? txn::LockMode::kExclusive : ctx.select_lock;
      return MakeScan(ctx.txn, get.table.get(), get.path, get.with_row_keys, ctx.rows_examined, lock);
    }
    case LogicalKind::kValues: return MakeValues(&static_cast<const LogicalValues&>(plan).rows);
    case LogicalKind::kFilter:
      return MakeFilter(BuildOperators(plan.child(), ctx), static_cast<const LogicalFilter&>(plan).predicate.get(),
                        ctx.eval);
    case LogicalKind::kJoin:
      if (static_cast<const LogicalJoin&>(plan).index_lookup) {
        STRATA_CHECK_MSG(ctx.txn != nullptr, "an index join reads a table: it needs a transaction");
        return MakeIndexJoin(BuildOperators(*plan.children[0], ctx), static_cast<const LogicalJoin*>(&plan), ctx.txn,
                             ctx.eval, ctx.rows_examined, ctx.select_lock);
      }
      return MakeJoin(BuildOperators(*plan.children[0], ctx), BuildOperators(*plan.children[1], ctx),
                      static_cast<const LogicalJoin*>(&plan), ctx.eval);
    case LogicalKind::kSetOp: {
      const auto& set = static_cast<const LogicalSetOp&>(plan);
      return MakeSetOp(BuildOperators(*plan.children[0], ctx), BuildOperators(*plan.children[1], ctx), set.op,
                       set.all);
    }
    case LogicalKind::kAggregate: {
      const auto& agg = static_cast<const LogicalAggregate&>(plan);
      return MakeAggregate(BuildOperators(plan.child(), ctx), Pointers(agg.group_by), &agg.aggregates,
                           plan.child().width(), ctx.eval);
    }
    case LogicalKind::kWindow:
      return MakeWindow(BuildOperators(plan.child(), ctx), static_cast<const LogicalWindow*>(&plan), ctx.eval);
    case LogicalKind::kProject:
      return MakeProject(BuildOperators(plan.child(), ctx), Pointers(static_cast<const LogicalProject&>(plan).exprs),
                         ctx.eval);
    case LogicalKind::kDistinct:
      return MakeDistinct(BuildOperators(plan.child(), ctx), static_cast<const LogicalDistinct&>(plan).key_width);
    case LogicalKind::kSort:
      return MakeSort(BuildOperators(plan.child(), ctx), static_cast<const LogicalSort&>(plan).keys,
                      static_cast<const LogicalSort&>(plan).top_n);
    case LogicalKind::kLimit: {
      const auto& limit = static_cast<const LogicalLimit&>(plan);
      return MakeLimit(BuildOperators(plan.child(), ctx), limit.offset, limit.count);
    }
    case LogicalKind::kUpdate: {
      const auto& update = static_cast<const LogicalUpdate&>(plan);
      STRATA_CHECK(ctx.txn != nullptr && ctx.auto_increment != nullptr);
      std::vector<Assignment> assignments;
      for (size_t i = 0; i < update.columns.size(); i++) assignments.push_back({update.columns[i], update.values[i].get()});
      return MakeUpdate(BuildOperators(plan.child(), ctx), ctx.txn, update.table.get(), std::move(assignments),
                        ctx.auto_increment, ctx.eval);
    }
    case LogicalKind::kInsert:
      STRATA_CHECK(ctx.txn != nullptr && ctx.auto_increment != nullptr);
      return MakeInsert(static_cast<const LogicalInsert*>(&plan),
                        plan.children.empty() ? nullptr : BuildOperators(plan.child(), ctx), ctx.txn,
                        ctx.auto_increment, ctx.eval);
    case LogicalKind::kWorkTable: return MakeValues(&static_cast<const LogicalWorkTable&>(plan).table->rows);
    case LogicalKind::kRecursiveCte: return MakeRecursiveCte(static_cast<const LogicalRecursiveCte*>(&plan), ctx);
    case LogicalKind::kDelete:
      STRATA_CHECK(ctx.txn != nullptr);
      return MakeDelete(BuildOperators(plan.child(), ctx), ctx.txn,
                        static_cast<const LogicalDelete&>(plan).table.get(), ctx.eval);
  }
  STRATA_CHECK_MSG(false, "unknown logical operator");
  return nullptr;
}

}  // namespace

}  // namespace strata::sql
