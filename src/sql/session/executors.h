// Inside the session layer: the statement executors sql::Session dispatches to (one file
// each) and the system-variable table. Not part of the front door (sql.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/planner/logical_plan.h"
#include "sql/sql.h"

namespace strata::sql {

// A query expression planned (query_planning.cc): a SELECT, or SELECTs combined by UNION /
// EXCEPT / INTERSECT. Rows of `plan` carry the `visible` columns first (hidden ORDER BY
// columns may follow). For a subquery, `outer` is the enclosing query's binding context and
// *correlated is set when the query reads it.
struct PlannedQuery {
  LogicalPlan plan;  // not yet optimized
  size_t visible = 0;
  std::vector<std::string> names;  // of the visible columns
  std::vector<OutType> types;
  std::vector<std::pair<const TableSchema*, std::string>> aliases;  // how it names its tables
  std::vector<std::shared_ptr<const TableSchema>> tables;           // the plan and types point into them
};
Result<PlannedQuery> PlanQuery(Session& session, const ast::Select& stmt, const BindContext* outer, bool* correlated);

// Statement executors. Each runs in the session's open transaction (Session::Txn).
Result<QueryResult> ExecuteSelect(Session& session, const ast::Select& stmt);
Result<QueryResult> ExecuteInsert(Session& session, const ast::Insert& stmt);
Result<QueryResult> ExecuteUpdate(Session& session, const ast::Update& stmt);
Result<QueryResult> ExecuteDelete(Session& session, const ast::Delete& stmt);
Result<QueryResult> ExecuteShow(Session& session, const ast::Show& stmt);
// A bound expression outside a query (SET x = expr): its subqueries run in the session's
// transaction when binding them began one.
Result<Value> EvaluateExpression(Session& session, const BoundExpr& expr);
// DDL runs in its own transaction(s) (the caller has committed any open one).
Result<QueryResult> ExecuteDdl(Session& session, const ast::Statement& stmt);

// System variables: defaults and whether they exist (variables.cc).
std::optional<Value> SystemVariableDefault(std::string_view name, const SqlEngine& engine);
std::vector<std::string> SystemVariableNames(const SqlEngine& engine);
// SET [GLOBAL] of a variable that SqlEngineOptions::node_variables owns.
bool IsNodeVariable(const SqlEngine& engine, std::string_view lower_name);
Status SetNodeVariable(SqlEngine& engine, const ast::SetItem& item, const Value& value);

}  // namespace strata::sql
