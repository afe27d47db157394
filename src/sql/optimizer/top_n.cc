// UseTopN (rules.h): Limit(Sort(x)) reads only offset + count sorted rows.
#include "sql/optimizer/rules.h"

namespace strata::sql {

LogicalPlan UseTopN(LogicalPlan plan) {
  for (LogicalPlan& child : plan->children) child = UseTopN(std::move(child));
  if (plan->kind != LogicalKind::kLimit || plan->child().kind != LogicalKind::kSort) return plan;
  const auto& limit = static_cast<const LogicalLimit&>(*plan);
  if (limit.count == UINT64_MAX || limit.offset > kMaxTopN || limit.count > kMaxTopN - limit.offset) return plan;
  static_cast<LogicalSort&>(*plan->children[0]).top_n = limit.offset + limit.count;
  return plan;
}

}  // namespace strata::sql
