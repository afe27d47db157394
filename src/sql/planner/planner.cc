#include "sql/planner/planner.h"

namespace strata::sql {

namespace {

JoinType TypeOf(ast::JoinKind kind) {
  switch (kind) {
    case ast::JoinKind::kLeft: return JoinType::kLeft;
    case ast::JoinKind::kRight: return JoinType::kRight;
    default: return JoinType::kInner;  // comma, CROSS, INNER
  }
}

}  // namespace

LogicalPlan PlanSelect(BoundSelect& select) {
  LogicalPlan plan;
  for (BoundJoin& item : select.from) {
    LogicalPlan get;
    if (item.derived) {
      get = std::move(item.derived->plan);
      if (get->width() > item.derived->visible) {  // drop the query's hidden ORDER BY columns
        std::vector<BoundExprPtr> visible;
        for (uint32_t c = 0; c < item.derived->visible; c++) visible.push_back(MakeColumnRef(c, OutType{}));
        get = Stack(std::make_unique<LogicalProject>(std::move(visible)), std::move(get));
      }
    } else {
      get = std::make_unique<LogicalGet>(item.table, item.alias, /*with_row_keys=*/false);
    }
    plan = plan ? MakeJoin(TypeOf(item.kind), std::move(item.on), std::move(plan), std::move(get)) : std::move(get);
  }
  if (!plan) plan = std::make_unique<LogicalValues>(std::vector<Row>{Row()}, 0);
  if (select.where) plan = Stack(std::make_unique<LogicalFilter>(std::move(select.where)), std::move(plan));
  if (select.grouped) {
    plan = Stack(std::make_unique<LogicalAggregate>(std::move(select.group_by), std::move(select.aggregates)),
                 std::move(plan));
  }
  if (select.having) plan = Stack(std::make_unique<LogicalFilter>(std::move(select.having)), std::move(plan));
  if (!select.windows.empty()) plan = Stack(std::make_unique<LogicalWindow>(std::move(select.windows)), std::move(plan));
  std::vector<BoundExprPtr> exprs;
  for (BoundOutput& output : select.outputs) exprs.push_back(std::move(output.expr));
  plan = Stack(std::make_unique<LogicalProject>(std::move(exprs)), std::move(plan));
  if (select.distinct) plan = Stack(std::make_unique<LogicalDistinct>(select.visible), std::move(plan));
  if (!select.order_by.empty()) plan = Stack(std::make_unique<LogicalSort>(select.order_by), std::move(plan));
  if (select.limit || select.offset) {
    plan = Stack(std::make_unique<LogicalLimit>(select.offset.value_or(0), select.limit.value_or(UINT64_MAX)),
                 std::move(plan));
  }
  return plan;
}

LogicalPlan PlanTargetRows(BoundTargetRows& target) {
  LogicalPlan plan = std::make_unique<LogicalGet>(target.table, target.alias, /*with_row_keys=*/true);
  if (target.where) plan = Stack(std::make_unique<LogicalFilter>(std::move(target.where)), std::move(plan));
  if (!target.order_by.empty()) plan = Stack(std::make_unique<LogicalSort>(target.order_by), std::move(plan));
  if (target.limit) plan = Stack(std::make_unique<LogicalLimit>(0, *target.limit), std::move(plan));
  return plan;
}

LogicalPlan PlanUpdate(BoundUpdate& update) {
  auto node = std::make_unique<LogicalUpdate>(update.target.table, std::move(update.columns), std::move(update.values));
  return Stack(std::move(node), PlanTargetRows(update.target));
}

LogicalPlan PlanDelete(BoundTargetRows& target) {
  return Stack(std::make_unique<LogicalDelete>(target.table), PlanTargetRows(target));
}

LogicalPlan PlanInsert(BoundInsert& insert, LogicalPlan source) {
  auto node = std::make_unique<LogicalInsert>(insert.table, std::move(insert.targets), std::move(insert.rows));
  node->ignore = insert.ignore;
  node->replace = insert.replace;
  node->update_columns = std::move(insert.update_columns);
  node->update_values = std::move(insert.update_values);
  if (source) return Stack(std::move(node), std::move(source));
  return node;
}

}  // namespace strata::sql
