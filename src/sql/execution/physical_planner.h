// The physical planner: a logical plan (planner/logical_plan.h), once optimized, becomes a
// tree of operators (operators.h). Today every logical node has one operator: Get → Scan
// along the access path the optimizer chose, Values, Filter, Join (hash or nested loop),
// Aggregate (hash), Project, Distinct (hash), Sort (stable, in memory), Limit, Update,
// Delete, Insert. Subqueries inside expressions run through a SubqueryRunner.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

#include "sql/execution/operators.h"
#include "sql/planner/logical_plan.h"
#include "txn/transaction.h"

namespace strata::sql {

// EXPLAIN ANALYZE: what the operators built for one plan node did.
struct OperatorProfile {
  uint64_t rows = 0;   // rows returned
  uint64_t loops = 0;  // times built (a recursive CTE's part: once per round)
  int64_t ns = 0;      // time inside Next, its inputs' included
};

struct ExecutionContext {
  txn::Transaction* txn = nullptr;    // REQUIRES: set when the plan reads a table
  const EvalContext* eval = nullptr;  // REQUIRES: set
  uint64_t* rows_examined = nullptr;  // REQUIRES: set; scans add the rows they read
  AutoIncrement* auto_increment = nullptr;  // REQUIRES: set when the plan inserts or updates
  // When set, every operator counts its rows and time into the entry of its plan node.
  std::unordered_map<const LogicalOperator*, OperatorProfile>* profile = nullptr;
  // SELECT … FOR UPDATE / FOR SHARE: the lock every table scan takes on the rows it reads.
  // (An UPDATE's or DELETE's target rows are always locked exclusively.)
  txn::LockMode select_lock = txn::LockMode::kNone;
};

// The operators point into `plan` and `ctx`'s targets: both must outlive them.
OperatorPtr BuildOperators(const LogicalOperator& plan, const ExecutionContext& ctx);

// WITH RECURSIVE (recursive_cte_operator.cc): builds the recursive part's operators once per
// round, so it needs the context the whole plan was built with.
OperatorPtr MakeRecursiveCte(const LogicalRecursiveCte* plan, const ExecutionContext& ctx);
// Window functions (window_operator.cc): reads every row of `child`, then appends each call's
// value to each row. Points into `plan`.
OperatorPtr MakeWindow(OperatorPtr child, const LogicalWindow* plan, const EvalContext* ctx);

// Runs the subqueries of one statement (subquery_runner.cc): each with the statement's
// transaction, a correlated one once per enclosing row, an uncorrelated one once (its rows
// are kept for the statement). `ctx.eval` is not used (each run gets the caller's).
std::unique_ptr<SubqueryRunner> MakeSubqueryRunner(const ExecutionContext& ctx);

}  // namespace strata::sql
