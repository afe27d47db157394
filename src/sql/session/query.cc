// SELECT, INSERT, UPDATE and DELETE: bind (binder/statement_binder.h) → plan
// (planner/planner.h) → optimize (optimizer/optimizer.h) → build operators
// (execution/physical_planner.h) → run.
#include <fmt/format.h>

#include "sql/binder/statement_binder.h"
#include "sql/errors.h"
#include "sql/execution/physical_planner.h"
#include "sql/optimizer/optimizer.h"
#include "sql/planner/planner.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

ResultColumn DescribeColumn(const BoundOutput& out, const std::vector<BoundJoin>& from) {
  ResultColumn c;
  c.name = out.name;
  c.type = out.expr->type;
  if (c.type.table && c.type.column >= 0) {
    const TableSchema& t = *c.type.table;
    const ColumnSchema& col = t.columns[static_cast<size_t>(c.type.column)];
    c.org_name = col.name;
    for (const BoundJoin& item : from) {
      if (item.table.get() == &t) {
        c.table = item.alias;  // the first use of the table (a self-join names its first alias)
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

// Optimizes `plan`, runs it and returns every row (at most kMaxSortRows). Subqueries in
// its expressions run in the same transaction.
Result<std::vector<Row>> Run(LogicalPlan plan, txn::Transaction* txn, const EvalContext& eval,
                             uint64_t* rows_examined, AutoIncrement* auto_increment = nullptr) {
  plan = Optimize(std::move(plan));
  ExecutionContext exec{txn, nullptr, rows_examined, auto_increment};
  std::unique_ptr<SubqueryRunner> subqueries = MakeSubqueryRunner(exec);
  EvalContext with_subqueries = eval;
  with_subqueries.subqueries = subqueries.get();
  exec.eval = &with_subqueries;
  OperatorPtr root = BuildOperators(*plan, exec);
  return Drain(*root);
}

// The table an UPDATE or DELETE writes, and the transaction it writes in.
struct WriteTarget {
  std::shared_ptr<const TableSchema> table;
  std::string alias;
  txn::Transaction* txn = nullptr;
};

Result<WriteTarget> ResolveWriteTarget(Session& session, const ast::TableRef& ref) {
  WriteTarget target;
  STRATA_ASSIGN_OR_RETURN(target.table, session.ResolveTable(ref.table));
  STRATA_ASSIGN_OR_RETURN(target.txn, session.Txn());
  target.alias = ref.alias.empty() ? ref.table.name : ref.alias;
  return target;
}

// A SELECT's tables resolved and the statement bound.
struct ResolvedSelect {
  std::vector<std::shared_ptr<const TableSchema>> tables;  // empty: no FROM
  BoundSelect bound;
};

Result<ResolvedSelect> ResolveSelect(Session& session, const ast::Select& stmt, const BindContext* outer = nullptr,
                                     bool* correlated = nullptr);

// FROM (SELECT ...) AS alias: the query planned, and a schema of its visible columns (named
// as its select list names them; 1060 for a name used twice). The query sees no enclosing
// query's columns (no LATERAL). Its tables join `tables`, which keeps them alive.
Result<FromTable> ResolveDerived(Session& session, const ast::Select& select, const std::string& alias,
                                 std::vector<std::shared_ptr<const TableSchema>>* tables) {
  STRATA_ASSIGN_OR_RETURN(ResolvedSelect inner, ResolveSelect(session, select));
  auto schema = std::make_shared<TableSchema>();
  schema->name = alias;
  auto types = std::make_shared<std::vector<OutType>>();
  for (size_t i = 0; i < inner.bound.visible; i++) {
    const BoundOutput& output = inner.bound.outputs[i];
    if (schema->FindColumn(output.name)) return ErrDuplicateColumn(output.name);
    ColumnSchema column;
    column.name = output.name;
    schema->columns.push_back(std::move(column));
    OutType type = output.expr->type;
    type.table = nullptr;
    type.column = -1;
    types->push_back(type);
  }
  auto plan = std::make_shared<SubqueryPlan>();
  plan->visible = inner.bound.visible;
  plan->plan = PlanSelect(inner.bound);
  for (auto& t : inner.tables) tables->push_back(std::move(t));
  tables->push_back(schema);
  return FromTable{std::move(schema), alias, std::move(types), std::move(plan)};
}

// For a subquery, `outer` is the enclosing query's binding context (statement_binder.h).
Result<ResolvedSelect> ResolveSelect(Session& session, const ast::Select& stmt, const BindContext* outer,
                                     bool* correlated) {
  ResolvedSelect out;
  std::vector<FromTable> from;
  for (const ast::TableRef& ref : stmt.from) {
    if (ref.derived) {
      STRATA_ASSIGN_OR_RETURN(FromTable derived, ResolveDerived(session, *ref.derived, ref.alias, &out.tables));
      from.push_back(std::move(derived));
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table, session.ResolveTable(ref.table));
    out.tables.push_back(table);
    from.push_back({std::move(table), ref.alias.empty() ? ref.table.name : ref.alias, nullptr, nullptr});
  }
  STRATA_ASSIGN_OR_RETURN(out.bound, BindSelect(stmt, std::move(from), session, outer, correlated));
  return out;
}

}  // namespace

Result<BoundSubquery> Session::BindSubquery(const ast::Select& select, const BindContext& outer) const {
  // Binding is const for the binder's sake; resolving the subquery's tables may begin the
  // session's transaction, as resolving the enclosing query's did.
  Session& self = const_cast<Session&>(*this);
  bool correlated = false;
  STRATA_ASSIGN_OR_RETURN(ResolvedSelect resolved, ResolveSelect(self, select, &outer, &correlated));
  BoundSubquery out;
  for (size_t i = 0; i < resolved.bound.visible; i++) out.columns.push_back(resolved.bound.outputs[i].expr->type);
  auto plan = std::make_shared<SubqueryPlan>();
  plan->visible = resolved.bound.visible;
  plan->correlated = correlated;
  plan->plan = Optimize(PlanSelect(resolved.bound));
  out.plan = std::move(plan);
  out.correlated = correlated;
  return out;
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

Result<QueryResult> ExecuteSelect(Session& session, const ast::Select& stmt) {
  STRATA_ASSIGN_OR_RETURN(ResolvedSelect select, ResolveSelect(session, stmt));
  BoundSelect& bound = select.bound;

  QueryResult result;
  result.has_rows = true;
  for (size_t i = 0; i < bound.visible; i++) result.columns.push_back(DescribeColumn(bound.outputs[i], bound.from));
  // The columns' types point into the schemas: they must outlive the result, even when a DDL
  // replaces the catalog snapshot before the result is sent (found by ASan).
  result.schemas = select.tables;

  txn::Transaction* txn = nullptr;
  if (!select.tables.empty() || session.has_txn()) {  // a subquery's tables began it
    STRATA_ASSIGN_OR_RETURN(txn, session.Txn());
  }
  EvalContext eval = session.eval_context();
  STRATA_ASSIGN_OR_RETURN(result.rows, Run(PlanSelect(bound), txn, eval, &result.rows_examined));
  for (Row& row : result.rows) row.resize(bound.visible);
  return result;
}

Result<QueryResult> ExecuteInsert(Session& session, const ast::Insert& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table, session.ResolveTable(stmt.table));
  STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, session.Txn());
  LogicalPlan source;
  std::vector<std::shared_ptr<const TableSchema>> source_tables;  // the plan points into them
  BoundInsert bound;
  if (stmt.select) {
    STRATA_ASSIGN_OR_RETURN(ResolvedSelect select, ResolveSelect(session, *stmt.select));
    std::vector<OutType> types;
    for (size_t i = 0; i < select.bound.visible; i++) types.push_back(select.bound.outputs[i].expr->type);
    STRATA_ASSIGN_OR_RETURN(bound, BindInsert(stmt, std::move(table), session, &types));
    source = PlanSelect(select.bound);
    source_tables = std::move(select.tables);
  } else {
    STRATA_ASSIGN_OR_RETURN(bound, BindInsert(stmt, std::move(table), session));
  }
  QueryResult result;
  EvalContext eval = session.eval_context();
  STRATA_ASSIGN_OR_RETURN(std::vector<Row> counts, Run(PlanInsert(bound, std::move(source)), txn, eval,
                                                       &result.rows_examined, &session.engine().auto_increment()));
  STRATA_CHECK(counts.size() == 1 && counts[0].size() == 4);
  const uint64_t duplicates = counts[0][1].uint_value(), first_generated_id = counts[0][2].uint_value();
  const uint64_t rows = counts[0][3].uint_value();
  result.affected_rows = counts[0][0].uint_value();
  result.last_insert_id = first_generated_id;
  if (first_generated_id) session.set_last_insert_id(first_generated_id);
  result.warnings = static_cast<uint16_t>(std::min<uint64_t>(duplicates, 65535));
  if (rows > 1 || stmt.ignore || stmt.select)
    result.info = fmt::format("Records: {}  Duplicates: {}  Warnings: {}", rows, duplicates, duplicates);
  return result;
}

Result<QueryResult> ExecuteUpdate(Session& session, const ast::Update& stmt) {
  STRATA_ASSIGN_OR_RETURN(WriteTarget target, ResolveWriteTarget(session, stmt.table));
  STRATA_ASSIGN_OR_RETURN(BoundUpdate bound, BindUpdate(stmt, target.table, target.alias, session));
  QueryResult result;
  EvalContext eval = session.eval_context();
  STRATA_ASSIGN_OR_RETURN(std::vector<Row> counts, Run(PlanUpdate(bound), target.txn, eval, &result.rows_examined,
                                                       &session.engine().auto_increment()));
  STRATA_CHECK(counts.size() == 1 && counts[0].size() == 2);
  uint64_t matched = counts[0][0].uint_value(), changed = counts[0][1].uint_value();
  result.affected_rows = changed;
  result.info = fmt::format("Rows matched: {}  Changed: {}  Warnings: 0", matched, changed);
  return result;
}

Result<QueryResult> ExecuteDelete(Session& session, const ast::Delete& stmt) {
  STRATA_ASSIGN_OR_RETURN(WriteTarget target, ResolveWriteTarget(session, stmt.table));
  STRATA_ASSIGN_OR_RETURN(BoundTargetRows bound, BindDelete(stmt, target.table, target.alias, session));
  QueryResult result;
  EvalContext eval = session.eval_context();
  STRATA_ASSIGN_OR_RETURN(std::vector<Row> counts, Run(PlanDelete(bound), target.txn, eval, &result.rows_examined));
  STRATA_CHECK(counts.size() == 1 && counts[0].size() == 1);
  result.affected_rows = counts[0][0].uint_value();
  return result;
}

}  // namespace strata::sql
