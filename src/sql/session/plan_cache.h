// The plan cache of prepared statements (plan_cache.cc). An execution of a prepared SELECT,
// INSERT, REPLACE, UPDATE or DELETE keeps its optimized plan; the next execution takes it
// instead of binding and optimizing again when nothing it was made from has changed:
//   * the catalog version (every DDL, GRANT and REVOKE bumps it), the session's settings
//     (SET, SET GLOBAL), its current database and identity (SET ROLE, COM_CHANGE_USER);
//   * the type of each parameter (kind, length, decimals: the binder typed the plan by them).
// The new values go into the constants that came from placeholders (BoundExpr::param) and
// the access paths of the scans they filter are chosen again, so a key range always follows
// the values (the other decisions — join order, index joins, which expressions run where —
// hold for any values of those types).
//
// A plan is not kept when binding it used a placeholder's value beyond its type: when a
// binding of a placeholder is missing from the optimized plan (folded into another
// constant, read as a LIMIT or a precision), when the query has a subquery or a recursive
// CTE (their plans are bound apart) or rows read while planning (information_schema), or
// when the binder reads session state that changes without a setting
// (SessionContext::MarkPlanUncacheable: @variables, LAST_INSERT_ID(), …).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <absl/functional/function_ref.h>

#include "sql/session/executors.h"

namespace strata::sql {

// What a cached plan was made from, besides the statement itself.
struct PlanKey {
  uint64_t catalog_version = 0;
  uint64_t globals_version = 0;
  uint64_t session_settings = 0;  // the session's settings version
  uint64_t identity = 0;          // and its identity version (whose privileges)
  std::string database;
  std::vector<OutType> parameter_types;

  bool operator==(const PlanKey& other) const;
};

// A statement bound, planned and optimized, ready to run (its plan is only read while it
// runs). A write's plan has no result columns: only query.plan and query.tables are set.
struct KeptPlan {
  PlannedQuery query;  // query.plan is optimized
  PlanKey key;
  // Where the placeholders' values are: each constant bound from one, with its index.
  std::vector<std::pair<BoundExpr*, uint32_t>> parameters;
  // The scans whose access path a placeholder's value chose, under their filters.
  std::vector<std::pair<LogicalGet*, const LogicalFilter*>> paths;
};

// The plan of `stmt` for this execution: the prepared statement's cached one with the
// parameters' values put in when it is still valid, else `plan_now()` (bound and planned,
// not yet optimized) optimized now, and kept when `stmt` is the running prepared statement
// and the plan allows it.
Result<std::shared_ptr<KeptPlan>> PlanStatement(Session& session, const ast::Statement& stmt,
                                                absl::FunctionRef<Result<PlannedQuery>()> plan_now);

// PlanStatement for a SELECT.
Result<std::shared_ptr<KeptPlan>> PlanSelect(Session& session, const ast::Select& stmt);

}  // namespace strata::sql
