// The planner: bound statements (binder/statement_binder.h) → logical plans
// (logical_plan.h). It decides what is computed and in which order, nothing about how:
// every Get is a full scan until the optimizer picks an access path.
#pragma once

#include "sql/binder/statement_binder.h"
#include "sql/planner/logical_plan.h"

namespace strata::sql {

// SELECT:
//   Get(table) | Join(...Join(Get(t1), Get(t2))..., Get(tn)) (left-deep, in FROM order, each
//   with its ON) | Values(one empty row) → [Filter(WHERE)] → [Aggregate → [Filter(HAVING)]]
//   → Project(select list, then hidden ORDER BY expressions) → [Distinct] → [Sort] → [Limit]
// The result rows keep the hidden columns; the caller drops all but the first `visible`.
// Consumes the bound statement's expressions (the plan owns them); its table, alias and
// output names stay.
LogicalPlan PlanSelect(BoundSelect& select);

// The target rows of UPDATE / DELETE, each with its row key as a trailing value:
//   Get(table, with row keys) → [Filter(WHERE)] → [Sort] → [Limit]
LogicalPlan PlanTargetRows(BoundTargetRows& target);

// Update(table, SET list) above PlanTargetRows.
LogicalPlan PlanUpdate(BoundUpdate& update);
// Delete(table) above PlanTargetRows.
LogicalPlan PlanDelete(BoundTargetRows& target);

// Insert(table, rows): one node; above `source` (the query's plan) for INSERT ... SELECT.
LogicalPlan PlanInsert(BoundInsert& insert, LogicalPlan source = nullptr);

}  // namespace strata::sql
