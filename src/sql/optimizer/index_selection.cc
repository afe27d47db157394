// SelectIndexes (rules.h): predicate pushdown into the access path of a Get.
#include "sql/optimizer/access_path.h"
#include "sql/optimizer/rules.h"

namespace strata::sql {

LogicalPlan SelectIndexes(LogicalPlan plan, const TimeZone* zone) {
  for (LogicalPlan& child : plan->children) child = SelectIndexes(std::move(child), zone);
  if (plan->kind == LogicalKind::kFilter && plan->child().kind == LogicalKind::kGet) {
    auto& filter = static_cast<LogicalFilter&>(*plan);
    auto& get = static_cast<LogicalGet&>(plan->child());
    get.path = ChooseAccessPath(*get.table, filter.predicate.get(), zone);
  }
  return plan;
}

}  // namespace strata::sql
