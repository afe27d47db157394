// SELECT, INSERT, UPDATE and DELETE: bind (binder/statement_binder.h) → plan
// (planner/planner.h) → optimize (optimizer/optimizer.h) → build operators
// (execution/physical_planner.h) → run.
#include <chrono>

#include <fmt/format.h>

#include "sql/binder/statement_binder.h"
#include "sql/errors.h"
#include "sql/execution/physical_planner.h"
#include "sql/optimizer/optimizer.h"
#include "sql/planner/planner.h"
#include "sql/session/executors.h"
#include "sql/session/plan_cache.h"

namespace strata::sql {
namespace {

ResultColumn DescribeColumn(const PlannedQuery& query, size_t i) {
  ResultColumn c;
  c.name = query.names[i];
  c.type = query.types[i];
  if (c.type.table && c.type.column >= 0) {
    const TableSchema& t = *c.type.table;
    const ColumnSchema& col = t.columns[static_cast<size_t>(c.type.column)];
    c.org_name = col.name;
    for (const auto& [table, alias] : query.aliases) {
      if (table == &t) {
        c.table = alias;  // the first use of the table (a self-join names its first alias)
        break;
      }
    }
    c.org_table = t.name;
    c.schema = t.database;
    c.auto_increment = col.auto_increment;
    c.is_unsigned = col.type.is_unsigned;
    for (uint32_t pk : t.primary.columns) c.primary_key = c.primary_key || pk == static_cast<uint32_t>(c.type.column);
  }
  return c;
}

}  // namespace

Result<std::vector<Row>> RunPlan(LogicalPlan plan, txn::Transaction* txn, const EvalContext& eval,
                                 uint64_t* rows_examined, AutoIncrement* auto_increment, TriggerRunner* triggers,
                                 txn::LockMode select_lock) {
  plan = Optimize(std::move(plan), eval.time_zone.get());
  return RunOptimizedPlan(*plan, txn, eval, rows_examined, auto_increment, triggers, select_lock);
}

Result<std::vector<Row>> RunOptimizedPlan(const LogicalOperator& plan, txn::Transaction* txn, const EvalContext& eval,
                                          uint64_t* rows_examined, AutoIncrement* auto_increment,
                                          TriggerRunner* triggers, txn::LockMode select_lock) {
  ExecutionContext exec{txn, nullptr, rows_examined, auto_increment};
  exec.select_lock = select_lock;
  std::unique_ptr<SubqueryRunner> subqueries = MakeSubqueryRunner(exec);
  EvalContext with_subqueries = eval;
  with_subqueries.subqueries = subqueries.get();
  with_subqueries.triggers = triggers;
  exec.eval = &with_subqueries;
  OperatorPtr root = BuildOperators(plan, exec);
  return Drain(*root);
}

namespace {

// Whether `e` reads a column of the statement's table (MySQL then wants SELECT besides the
// write privilege; a subquery's own tables are checked where they resolve).
bool ReadsColumns(const ast::Expr* e) {
  if (e == nullptr) return false;
  if (e->kind == ast::ExprKind::kColumn) return true;
  for (const ast::ExprPtr& child : e->children)
    if (ReadsColumns(child.get())) return true;
  return false;
}

Status RequireSelectIfRead(Session& session, const TableSchema& table, bool reads) {
  if (!reads || session.superuser()) return Status::OK();
  return session.RequireTablePrivilege(kPrivSelect, "SELECT", table.database, table.name);
}

}  // namespace

Status CheckWriteTarget(Session& session, const ast::Statement& stmt, const TableSchema& table) {
  if (stmt.kind == ast::StatementKind::kInsert) {
    // ON DUPLICATE KEY UPDATE changes existing rows: UPDATE too, as MySQL.
    if (!static_cast<const ast::Insert&>(stmt).on_duplicate.empty() && !session.superuser())
      STRATA_RETURN_IF_ERROR(session.RequireTablePrivilege(kPrivUpdate, "UPDATE", table.database, table.name));
  } else if (stmt.kind == ast::StatementKind::kUpdate) {
    const auto& update = static_cast<const ast::Update&>(stmt);
    bool reads = ReadsColumns(update.where.get()) || !update.order_by.empty();
    for (const ast::Assignment& a : update.assignments) reads = reads || ReadsColumns(a.value.get());
    STRATA_RETURN_IF_ERROR(RequireSelectIfRead(session, table, reads));
  } else if (stmt.kind == ast::StatementKind::kDelete) {
    const auto& del = static_cast<const ast::Delete&>(stmt);
    STRATA_RETURN_IF_ERROR(RequireSelectIfRead(session, table, ReadsColumns(del.where.get()) || !del.order_by.empty()));
  }
  return session.CheckTriggerTarget(table);
}

Result<Value> EvaluateExpression(Session& session, const BoundExpr& expr) {
  txn::Transaction* txn = nullptr;
  if (session.has_txn()) {
    STRATA_ASSIGN_OR_RETURN(txn, session.Txn());
  }
  uint64_t rows_examined = 0;
  std::unique_ptr<SubqueryRunner> subqueries =
      MakeSubqueryRunner(ExecutionContext{txn, nullptr, &rows_examined, nullptr});
  EvalContext eval = session.eval_context();
  eval.subqueries = subqueries.get();
  return Eval(expr, Row(), eval);
}

namespace {

QueryResult ColumnsOf(const PlannedQuery& query) {
  QueryResult result;
  result.has_rows = true;
  for (size_t i = 0; i < query.visible; i++) result.columns.push_back(DescribeColumn(query, i));
  // The columns' types point into the schemas: they must outlive the result, even when a DDL
  // replaces the catalog snapshot before the result is sent (found by ASan).
  result.schemas = query.tables;
  return result;
}

}  // namespace

Result<QueryResult> DescribeSelect(Session& session, const ast::Select& stmt) {
  STRATA_ASSIGN_OR_RETURN(PlannedQuery query, PlanQuery(session, stmt, nullptr, nullptr));
  return ColumnsOf(query);
}

namespace {

// SELECT ... INTO @a, @b: the one row's values go to the user variables, as MySQL: more
// than one row is 1172, no row leaves them as they were with warning 1329, a column count
// other than the variables' is 1222.
Result<QueryResult> SelectIntoVariables(Session& session, const std::vector<std::string>& vars, QueryResult rows) {
  if (rows.columns.size() != vars.size())
    return Status::InvalidArgument("The used SELECT statements have a different number of columns").WithMysql(1222, "21000");
  if (rows.rows.size() > 1) return Status::InvalidArgument("Result consisted of more than one row").WithMysql(1172, "42000");
  QueryResult result;
  if (rows.rows.empty()) {
    result.warning_list = {AsWarning("Warning", Status::NotFound("No data - zero rows fetched, selected, or processed")
                                                    .WithMysql(1329, "02000"))};
    return result;
  }
  for (size_t i = 0; i < vars.size(); i++) session.SetUserVariable(vars[i], rows.rows[0][i]);
  result.affected_rows = 1;
  return result;
}

}  // namespace

Result<QueryResult> ExecuteSelect(Session& session, const ast::Select& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<KeptPlan> planned, PlanSelect(session, stmt));
  const PlannedQuery& query = planned->query;
  QueryResult result = ColumnsOf(query);

  txn::Transaction* txn = nullptr;
  if (!query.tables.empty() || session.has_txn()) {  // a subquery's tables began it
    STRATA_ASSIGN_OR_RETURN(txn, session.Txn());
  }
  EvalContext eval = session.eval_context();
  // max_execution_time (ms) bounds a SELECT, as in MySQL.
  if (std::optional<Value> limit = session.GetVariable("max_execution_time"); limit && limit->ToDouble() > 0) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(SaturatingInt64(limit->ToDouble()));
    eval.deadline_ns = deadline.time_since_epoch().count();
  }
  txn::LockMode lock = txn::LockMode::kNone;
  // An autocommit SELECT takes no lock after its reads: nothing needs to remember them.
  if (txn && !stmt.for_update && !session.in_transaction()) txn->StopTrackingReads();
  if (stmt.for_update && txn) {  // a locking read (txn/lock_manager.h)
    lock = stmt.for_share ? txn::LockMode::kShared : txn::LockMode::kExclusive;
    txn::LockWait wait = session.StatementLockWait();
    wait.nowait = stmt.lock_nowait;
    wait.skip_locked = stmt.lock_skip_locked;
    txn->SetLockWait(std::move(wait));
  }
  Result<std::vector<Row>> rows = RunOptimizedPlan(*query.plan, txn, eval, &result.rows_examined, nullptr, nullptr, lock);
  if (lock != txn::LockMode::kNone) txn->SetLockWait(session.StatementLockWait());  // NOWAIT is this statement's
  STRATA_ASSIGN_OR_RETURN(result.rows, std::move(rows));
  for (Row& row : result.rows) row.resize(query.visible);
  if (!stmt.into_vars.empty()) return SelectIntoVariables(session, stmt.into_vars, std::move(result));
  return result;
}

namespace {

// A write's plan, holding the schema it points into.
PlannedQuery WritePlan(LogicalPlan plan, std::shared_ptr<const TableSchema> table) {
  PlannedQuery planned;
  planned.plan = std::move(plan);
  planned.tables.push_back(std::move(table));
  return planned;
}

const std::string& TargetAlias(const ast::TableRef& ref) { return ref.alias.empty() ? ref.table.name : ref.alias; }

}  // namespace

Result<PlannedQuery> PlanInsertStatement(Session& session, const ast::Insert& stmt,
                                         const std::shared_ptr<const TableSchema>& table) {
  if (!stmt.select) {
    STRATA_ASSIGN_OR_RETURN(BoundInsert bound, BindInsert(stmt, table, session));
    return WritePlan(PlanInsert(bound, nullptr), table);
  }
  STRATA_ASSIGN_OR_RETURN(PlannedQuery query, PlanQuery(session, *stmt.select, nullptr, nullptr));
  STRATA_ASSIGN_OR_RETURN(BoundInsert bound, BindInsert(stmt, table, session, &query.types));
  PlannedQuery planned = WritePlan(PlanInsert(bound, std::move(query.plan)), table);
  for (auto& source : query.tables) planned.tables.push_back(std::move(source));  // the plan points into them
  return planned;
}

Result<PlannedQuery> PlanUpdateStatement(Session& session, const ast::Update& stmt,
                                         const std::shared_ptr<const TableSchema>& table) {
  STRATA_ASSIGN_OR_RETURN(BoundUpdate bound, BindUpdate(stmt, table, TargetAlias(stmt.table), session));
  return WritePlan(PlanUpdate(bound), table);
}

Result<PlannedQuery> PlanDeleteStatement(Session& session, const ast::Delete& stmt,
                                         const std::shared_ptr<const TableSchema>& table) {
  STRATA_ASSIGN_OR_RETURN(BoundTargetRows bound, BindDelete(stmt, table, TargetAlias(stmt.table), session));
  return WritePlan(PlanDelete(bound), table);
}

Result<QueryResult> ExecuteInsert(Session& session, const ast::Insert& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::optional<QueryResult> through_view, InsertThroughView(session, stmt));
  if (through_view) return std::move(*through_view);
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table,
                          session.ResolveWriteTable(stmt.table, stmt.replace ? "REPLACE" : "INSERT"));
  STRATA_RETURN_IF_ERROR(CheckWriteTarget(session, stmt, *table));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<TriggerRunner> triggers,
                          AddViewChecks(session, *table, stmt.view_checks, MakeTriggerRunner(session)));
  STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, session.Txn());
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<KeptPlan> plan,
                          PlanStatement(session, stmt, [&] { return PlanInsertStatement(session, stmt, table); }));
  QueryResult result;
  EvalContext eval = session.eval_context();
  if (stmt.ignore) eval.assignment.strict = false;  // INSERT IGNORE: bad values become warnings
  const size_t warnings_before = eval.warnings ? eval.warnings->size() : 0;
  STRATA_ASSIGN_OR_RETURN(std::vector<Row> counts,
                          RunOptimizedPlan(*plan->query.plan, txn, eval, &result.rows_examined,
                                           &session.engine().auto_increment(), triggers.get(), txn::LockMode::kNone));
  STRATA_CHECK(counts.size() == 1 && counts[0].size() == 5);
  const uint64_t duplicates = counts[0][1].uint_value(), first_generated_id = counts[0][2].uint_value();
  const uint64_t rows = counts[0][3].uint_value();
  result.affected_rows = counts[0][0].uint_value();
  result.last_insert_id = first_generated_id;
  if (first_generated_id) session.set_last_insert_id(first_generated_id);
  const std::string& messages = counts[0][4].string_value();
  for (size_t begin = 0; begin < messages.size();) {  // one warning per skipped row, as MySQL
    size_t end = std::min(messages.find('\n', begin), messages.size());
    result.warning_list.push_back(
        Warning{"Warning", 1062, messages.substr(begin, end - begin)});  // ER_DUP_ENTRY
    begin = end + 1;
  }
  const size_t conversions = eval.warnings ? eval.warnings->size() - warnings_before : 0;
  if (rows > 1 || stmt.ignore || stmt.select)
    result.info = fmt::format("Records: {}  Duplicates: {}  Warnings: {}", rows, duplicates, duplicates + conversions);
  return result;
}

Result<QueryResult> ExecuteUpdate(Session& session, const ast::Update& stmt) {
  CteScope ctes(stmt.with, stmt.with_recursive);  // for the statement's subqueries and joins
  if (!stmt.from.empty()) return ExecuteMultiTableUpdate(session, stmt);
  STRATA_ASSIGN_OR_RETURN(std::optional<QueryResult> through_view, UpdateThroughView(session, stmt));
  if (through_view) return std::move(*through_view);
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table, session.ResolveWriteTable(stmt.table.table, "UPDATE"));
  STRATA_RETURN_IF_ERROR(CheckWriteTarget(session, stmt, *table));
  STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, session.Txn());
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<KeptPlan> plan,
                          PlanStatement(session, stmt, [&] { return PlanUpdateStatement(session, stmt, table); }));
  QueryResult result;
  EvalContext eval = session.eval_context();
  if (stmt.ignore) eval.assignment.strict = false;
  const size_t warnings_before = eval.warnings ? eval.warnings->size() : 0;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<TriggerRunner> triggers,
                          AddViewChecks(session, *table, stmt.view_checks, MakeTriggerRunner(session)));
  STRATA_ASSIGN_OR_RETURN(std::vector<Row> counts,
                          RunOptimizedPlan(*plan->query.plan, txn, eval, &result.rows_examined,
                                           &session.engine().auto_increment(), triggers.get(), txn::LockMode::kNone));
  STRATA_CHECK(counts.size() == 1 && counts[0].size() == 2);
  uint64_t matched = counts[0][0].uint_value(), changed = counts[0][1].uint_value();
  result.affected_rows = session.client_found_rows() ? matched : changed;
  result.info = fmt::format("Rows matched: {}  Changed: {}  Warnings: {}", matched, changed,
                            eval.warnings ? eval.warnings->size() - warnings_before : 0);
  return result;
}

Result<QueryResult> ExecuteDelete(Session& session, const ast::Delete& stmt) {
  CteScope ctes(stmt.with, stmt.with_recursive);
  if (!stmt.from.empty()) return ExecuteMultiTableDelete(session, stmt);
  STRATA_ASSIGN_OR_RETURN(std::optional<QueryResult> through_view, DeleteThroughView(session, stmt));
  if (through_view) return std::move(*through_view);
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table, session.ResolveWriteTable(stmt.table.table, "DELETE"));
  STRATA_RETURN_IF_ERROR(CheckWriteTarget(session, stmt, *table));
  STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, session.Txn());
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<KeptPlan> plan,
                          PlanStatement(session, stmt, [&] { return PlanDeleteStatement(session, stmt, table); }));
  QueryResult result;
  EvalContext eval = session.eval_context();
  std::unique_ptr<TriggerRunner> triggers = MakeTriggerRunner(session);
  STRATA_ASSIGN_OR_RETURN(std::vector<Row> counts, RunOptimizedPlan(*plan->query.plan, txn, eval,
                                                                    &result.rows_examined, nullptr, triggers.get(),
                                                                    txn::LockMode::kNone));
  STRATA_CHECK(counts.size() == 1 && counts[0].size() == 1);
  result.affected_rows = counts[0][0].uint_value();
  return result;
}

}  // namespace strata::sql
