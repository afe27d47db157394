// The optimizer: rewrites a logical plan (planner/logical_plan.h) into one that returns the
// same rows and costs less to run. Each rule is one file and a pure function of the plan
// (rules.h); Optimize applies them in a fixed order. Today's rules are heuristics: there are
// no statistics yet, so nothing here estimates cost.
#pragma once

#include "sql/planner/logical_plan.h"

namespace strata::sql {

// Index selection (index_selection.cc), then limit pushdown (limit_pushdown.cc).
LogicalPlan Optimize(LogicalPlan plan);

}  // namespace strata::sql
