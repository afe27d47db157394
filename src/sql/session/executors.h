// Inside the session layer: the statement executors sql::Session dispatches to (one file
// each) and the system-variable table. Not part of the front door (sql.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/sql.h"

namespace strata::sql {

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
