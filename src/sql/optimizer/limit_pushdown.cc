// PushDownLimits (rules.h): Limit(Project(x)) → Project(Limit(x)).
#include "sql/optimizer/rules.h"

namespace strata::sql {

LogicalPlan PushDownLimits(LogicalPlan plan) {
  for (LogicalPlan& child : plan->children) child = PushDownLimits(std::move(child));
  if (plan->kind != LogicalKind::kLimit || plan->child().kind != LogicalKind::kProject) return plan;
  LogicalPlan project = std::move(plan->children[0]);
  plan->children[0] = std::move(project->children[0]);
  project->children[0] = std::move(plan);
  return project;
}

}  // namespace strata::sql
