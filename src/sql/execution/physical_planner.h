// The physical planner: a logical plan (planner/logical_plan.h), once optimized, becomes a
// tree of operators (operators.h). Today every logical node has one operator: Get → Scan
// along the access path the optimizer chose, Values, Filter, Aggregate (hash), Project,
// Distinct (hash), Sort (stable, in memory), Limit, Update, Delete, Insert.
#pragma once

#include <cstdint>

#include "sql/execution/operators.h"
#include "sql/planner/logical_plan.h"
#include "txn/transaction.h"

namespace strata::sql {

struct ExecutionContext {
  txn::Transaction* txn = nullptr;    // REQUIRES: set when the plan reads a table
  const EvalContext* eval = nullptr;  // REQUIRES: set
  uint64_t* rows_examined = nullptr;  // REQUIRES: set; scans add the rows they read
  AutoIncrement* auto_increment = nullptr;  // REQUIRES: set when the plan inserts or updates
};

// The operators point into `plan` and `ctx`'s targets: both must outlive them.
OperatorPtr BuildOperators(const LogicalOperator& plan, const ExecutionContext& ctx);

}  // namespace strata::sql
