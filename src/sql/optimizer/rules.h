// The optimizer's rules, one file each. Every rule takes a plan and returns an equivalent
// one: the same rows, in the same order where the plan defines one.
#pragma once

#include "sql/planner/logical_plan.h"

namespace strata::sql {

// index_selection.cc: a Filter directly above a Get chooses the Get's access path from the
// predicate's conjuncts (access_path.h). The Filter stays: the path returns a superset.
LogicalPlan SelectIndexes(LogicalPlan plan);

// limit_pushdown.cc: a Limit directly above a Project moves below it. A projection maps each
// row to one row, so limiting first returns the same rows and evaluates the select list
// only for the rows that are returned.
LogicalPlan PushDownLimits(LogicalPlan plan);

}  // namespace strata::sql
