#include "sql/optimizer/optimizer.h"

#include "sql/optimizer/rules.h"

namespace strata::sql {

LogicalPlan Optimize(LogicalPlan plan, const TimeZone* zone) {
  plan = Decorrelate(std::move(plan));
  plan = ReorderJoins(std::move(plan));
  plan = PushDownPredicates(std::move(plan));
  plan = ChooseIndexJoins(std::move(plan));
  plan = SelectIndexes(std::move(plan), zone);
  plan = PushDownLimits(std::move(plan));
  plan = UseTopN(std::move(plan));
  return plan;
}

}  // namespace strata::sql
