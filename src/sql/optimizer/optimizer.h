// The optimizer: rewrites a logical plan (planner/logical_plan.h) into one that returns the
// same rows and costs less to run. Each rule is one file and a pure function of the plan
// (rules.h); Optimize applies them in a fixed order. Rules are heuristics; join ordering
// weighs orders by a small cost model over table row counts (LogicalGet::estimated_rows,
// set by the session) and fixed selectivities (cardinality.h).
#pragma once

#include "sql/planner/logical_plan.h"

namespace strata::sql {

// Decorrelation, join ordering, predicate pushdown, index joins, index selection, limit
// pushdown. `zone`: the session's time zone (nullptr: SYSTEM), for key ranges over TIMESTAMP
// columns.
LogicalPlan Optimize(LogicalPlan plan, const TimeZone* zone);

// The semi join form of an EXISTS or IN (`in_subquery`) subquery's plan, as planned and not
// yet optimized (decorrelate.cc): nullptr when its shape does not allow one. Consumes `plan`.
std::unique_ptr<SemiJoinForm> ExtractSemiJoinForm(LogicalPlan plan, bool in_subquery);

}  // namespace strata::sql
