// Multi-table UPDATE and DELETE (executors.h): UPDATE t1 JOIN t2 ON ... SET t1.c = ... WHERE
// ..., DELETE t1, t2 FROM ... WHERE ..., DELETE FROM t1 USING .... The join runs as a
// SELECT of each target table's primary key (and, for an UPDATE, every assigned value); then
// each target row it found is written once (an UPDATE takes its first match's values, as
// MySQL does), with the table's triggers, in the statement's transaction. Every row is read
// before the first write, so the statement does not see its own changes.
#include <map>
#include <set>

#include <fmt/format.h>

#include "sql/execution/operators.h"
#include "sql/execution/table_writer.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

struct Target {
  std::shared_ptr<const TableSchema> table;
  std::string alias;       // how the statement names it
  size_t first_key = 0;    // where its primary-key values start in the SELECT's rows
  std::vector<std::pair<uint32_t, size_t>> assignments;  // UPDATE: column ← SELECT value position
  std::set<Bytes> done;    // the row keys written so far
};

// A copy of the statement's table references for the SELECT (derived tables are not copied).
Result<std::vector<ast::TableRef>> CopyRefs(const std::vector<ast::TableRef>& refs) {
  std::vector<ast::TableRef> out;
  for (const ast::TableRef& ref : refs) {
    if (ref.derived) return ErrNotSupportedYet("derived tables in a multi-table UPDATE or DELETE");
    ast::TableRef copy;
    copy.table = ref.table;
    copy.alias = ref.alias;
    copy.join = ref.join;
    copy.using_columns = ref.using_columns;
    copy.natural = ref.natural;
    if (ref.on) {
      if (!ast::Clonable(*ref.on)) return ErrNotSupportedYet("subqueries in a multi-table UPDATE or DELETE");
      copy.on = ast::CloneExpr(*ref.on);
    }
    out.push_back(std::move(copy));
  }
  return out;
}

// The table reference `name` names (its alias, or its table's name when it has none).
Result<Target> FindTarget(Session& session, const std::vector<ast::TableRef>& refs, const ast::TableName& name,
                          std::string_view statement) {
  for (const ast::TableRef& ref : refs) {
    std::string alias = ref.alias.empty() ? ref.table.name : ref.alias;
    if (!EqualsIgnoreCase(alias, name.name) || (!name.schema.empty() && !EqualsIgnoreCase(name.schema, ref.table.schema)))
      continue;
    Target t;
    STRATA_ASSIGN_OR_RETURN(t.table, session.ResolveWriteTable(ref.table, statement));
    STRATA_RETURN_IF_ERROR(session.CheckTriggerTarget(*t.table));
    if (t.table->has_hidden_key()) return ErrNotSupportedYet("a multi-table " + std::string(statement) + " of a table without a primary key");
    t.alias = alias;
    return t;
  }
  // ER_UNKNOWN_TABLE: not among the statement's tables
  return Status::InvalidArgument(fmt::format("Unknown table '{}' in MULTI {}", name.name, statement)).WithMysql(1109, "42S02");
}

ast::ExprPtr ColumnRef(const std::string& alias, const std::string& column) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = ast::ExprKind::kColumn;
  e->qualifier = alias;
  e->name = column;
  e->source = alias + "." + column;
  return e;
}

// Runs `select` (the targets' keys first) and returns its rows.
Result<std::vector<Row>> Matches(Session& session, ast::Select& select, std::vector<Target>* targets) {
  for (Target& t : *targets) {
    t.first_key = select.items.size();
    for (uint32_t c : t.table->primary.columns) select.items.push_back({ColumnRef(t.alias, t.table->columns[c].name), ""});
  }
  STRATA_ASSIGN_OR_RETURN(PlannedQuery query, PlanQuery(session, select, nullptr, nullptr));
  // The keys must be the stored values: a TIMESTAMP key column reads as the session's time
  // otherwise (BoundExpr::timestamp_utc), which names another row, or none.
  LogicalOperator* top = query.plan.get();
  while (top->kind != LogicalKind::kProject && top->children.size() == 1) top = top->children[0].get();
  if (top->kind != LogicalKind::kProject) return Status::Internal("a multi-table statement's query has no projection");
  auto& outputs = static_cast<LogicalProject&>(*top).exprs;
  for (const Target& t : *targets) {
    for (size_t i = 0; i < t.table->primary.columns.size(); i++) {
      if (t.first_key + i >= outputs.size()) return Status::Internal("a multi-table statement's key is not projected");
      outputs[t.first_key + i]->timestamp_utc = false;
    }
  }
  STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, session.Txn());
  uint64_t examined = 0;
  return RunPlan(std::move(query.plan), txn, session.eval_context(), &examined);
}

// The row key of target `t` in `row`, or nullopt when its key is NULL (an outer join's
// missing side) or the row was already written.
std::optional<Bytes> KeyOf(Target& t, const Row& row) {
  Row key_row(t.table->columns.size());
  const auto& pk = t.table->primary.columns;
  for (size_t i = 0; i < pk.size(); i++) {
    if (row[t.first_key + i].is_null()) return std::nullopt;
    key_row[pk[i]] = row[t.first_key + i];
  }
  Bytes key = PrimaryKeySuffix(*t.table, key_row, 0);
  if (!t.done.insert(key).second) return std::nullopt;
  return key;
}

// The statement's WHERE, copied into the SELECT that finds the target rows.
Status CopyWhere(const ast::ExprPtr& where, ast::Select* select) {
  if (!where) return Status::OK();
  if (!ast::Clonable(*where)) return ErrNotSupportedYet("subqueries in a multi-table UPDATE or DELETE");
  select->where = ast::CloneExpr(*where);
  return Status::OK();
}

// Target `t`'s stored row that `row` found (its key and values), or nullopt when there is
// none, or it was already written.
Result<std::optional<std::pair<Bytes, Row>>> StoredTarget(Target& t, const Row& row, txn::Transaction* txn) {
  std::optional<Bytes> pk = KeyOf(t, row);
  if (!pk) return std::optional<std::pair<Bytes, Row>>();
  STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> stored, txn->Get(RowKey(*t.table, *pk)));
  if (!stored) return std::optional<std::pair<Bytes, Row>>();
  STRATA_ASSIGN_OR_RETURN(Row values, DecodeRow(*stored, *t.table));
  return std::optional<std::pair<Bytes, Row>>(std::make_pair(std::move(*pk), std::move(values)));
}

}  // namespace

Result<QueryResult> ExecuteMultiTableUpdate(Session& session, const ast::Update& stmt) {
  ast::Select select;
  STRATA_ASSIGN_OR_RETURN(select.from, CopyRefs(stmt.from));
  // The tables the assignments name (an unqualified column: the one table that has it).
  std::vector<Target> targets;
  auto target_of = [&](const ast::Assignment& a) -> Result<size_t> {
    std::string alias = a.qualifier;
    if (alias.empty()) {  // an unqualified column: the one table reference that has it
      for (const ast::TableRef& ref : stmt.from) {
        if (ref.table.schema.empty() && CteInScope(ref.table.name)) continue;  // read-only: not a target
        STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table, session.ResolveTable(ref.table));
        if (!table->FindColumn(a.column)) continue;
        if (!alias.empty()) return ErrAmbiguousColumn(a.column, "field list");
        alias = ref.alias.empty() ? ref.table.name : ref.alias;
      }
      if (alias.empty()) return ErrUnknownColumn(a.column, "field list");
    }
    for (size_t i = 0; i < targets.size(); i++)
      if (EqualsIgnoreCase(targets[i].alias, alias)) return i;
    STRATA_ASSIGN_OR_RETURN(Target t, FindTarget(session, stmt.from, ast::TableName{"", alias}, "UPDATE"));
    targets.push_back(std::move(t));
    return targets.size() - 1;
  };
  for (const ast::Assignment& a : stmt.assignments) {
    STRATA_ASSIGN_OR_RETURN(size_t i, target_of(a));
    std::optional<uint32_t> column = targets[i].table->FindColumn(a.column);
    if (!column) return ErrUnknownColumn(a.column, "field list");
    if (!a.value) return ErrNotSupportedYet("DEFAULT in a multi-table UPDATE");
    if (!ast::Clonable(*a.value)) return ErrNotSupportedYet("subqueries in a multi-table UPDATE or DELETE");
    targets[i].assignments.emplace_back(*column, select.items.size());
    select.items.push_back({ast::CloneExpr(*a.value), ""});
  }
  STRATA_RETURN_IF_ERROR(CopyWhere(stmt.where, &select));
  STRATA_ASSIGN_OR_RETURN(std::vector<Row> rows, Matches(session, select, &targets));
  STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, session.Txn());
  EvalContext eval = session.eval_context();
  if (stmt.ignore) eval.assignment.strict = false;
  const size_t warnings_before = eval.warnings ? eval.warnings->size() : 0;
  std::unique_ptr<TriggerRunner> triggers = MakeTriggerRunner(session);
  eval.triggers = triggers.get();
  uint64_t matched = 0, changed = 0;
  for (const Row& row : rows) {
    for (Target& t : targets) {
      STRATA_ASSIGN_OR_RETURN(auto target_row, StoredTarget(t, row, txn));
      if (!target_row) continue;
      const auto& [pk, old_row] = *target_row;
      Row updated = old_row;
      for (const auto& [column, position] : t.assignments) {
        const ColumnSchema& col = t.table->columns[column];
        STRATA_ASSIGN_OR_RETURN(updated[column], AssignColumn(col, row[position], matched + 1, eval));
        if (updated[column].is_null() && !col.nullable) {
          STRATA_ASSIGN_OR_RETURN(updated[column], AssignNullToNotNull(col, eval));
        }
        if (col.auto_increment && updated[column].ToDouble() > 0)
          STRATA_RETURN_IF_ERROR(session.engine().auto_increment().Observe(*t.table, SaturatingUint64(updated[column].ToDouble())));
      }
      matched++;
      STRATA_RETURN_IF_ERROR(FireTableTriggers(&eval, *t.table, TriggerTiming::kBefore, TriggerEvent::kUpdate, &old_row, &updated));
      if (!RowsEqual(updated, old_row)) {
        std::vector<bool> assigned(t.table->columns.size(), false);
        for (const auto& [column, position] : t.assignments) assigned[column] = true;
        TouchOnUpdateColumns(*t.table, assigned, eval, &updated);
        STRATA_RETURN_IF_ERROR(ReplaceRow(txn, *t.table, old_row, pk, updated, eval.time_zone.get()));
        changed++;
      }
      STRATA_RETURN_IF_ERROR(FireTableTriggers(&eval, *t.table, TriggerTiming::kAfter, TriggerEvent::kUpdate, &old_row, &updated));
    }
  }
  QueryResult result;
  result.affected_rows = session.client_found_rows() ? matched : changed;
  result.info = fmt::format("Rows matched: {}  Changed: {}  Warnings: {}", matched, changed,
                            eval.warnings ? eval.warnings->size() - warnings_before : 0);
  return result;
}

Result<QueryResult> ExecuteMultiTableDelete(Session& session, const ast::Delete& stmt) {
  ast::Select select;
  STRATA_ASSIGN_OR_RETURN(select.from, CopyRefs(stmt.from));
  std::vector<Target> targets;
  for (const ast::TableName& name : stmt.targets) {
    STRATA_ASSIGN_OR_RETURN(Target t, FindTarget(session, stmt.from, name, "DELETE"));
    targets.push_back(std::move(t));
  }
  STRATA_RETURN_IF_ERROR(CopyWhere(stmt.where, &select));
  STRATA_ASSIGN_OR_RETURN(std::vector<Row> rows, Matches(session, select, &targets));
  STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, session.Txn());
  EvalContext eval = session.eval_context();
  std::unique_ptr<TriggerRunner> triggers = MakeTriggerRunner(session);
  eval.triggers = triggers.get();
  uint64_t deleted = 0;
  for (const Row& row : rows) {
    for (Target& t : targets) {
      STRATA_ASSIGN_OR_RETURN(auto target_row, StoredTarget(t, row, txn));
      if (!target_row) continue;
      const auto& [pk, old_row] = *target_row;
      STRATA_RETURN_IF_ERROR(FireTableTriggers(&eval, *t.table, TriggerTiming::kBefore, TriggerEvent::kDelete, &old_row, nullptr));
      STRATA_RETURN_IF_ERROR(DeleteRow(txn, *t.table, old_row, pk));
      STRATA_RETURN_IF_ERROR(FireTableTriggers(&eval, *t.table, TriggerTiming::kAfter, TriggerEvent::kDelete, &old_row, nullptr));
      deleted++;
    }
  }
  QueryResult result;
  result.affected_rows = deleted;
  return result;
}

}  // namespace strata::sql
