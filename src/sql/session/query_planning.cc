// PlanQuery (executors.h): a query expression — a SELECT, or SELECTs combined by UNION /
// EXCEPT / INTERSECT — resolved (tables, derived tables), bound and planned. Every place
// a query appears uses it: SELECT statements, INSERT ... SELECT, subqueries, derived tables.
#include "common/ascii.h"
#include "sql/binder/statement_binder.h"
#include "sql/errors.h"
#include "sql/optimizer/optimizer.h"
#include "sql/parser/parser.h"
#include "sql/planner/planner.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

// Views inside views nest at most this deep (a cycle made by CREATE OR REPLACE ends here).
constexpr int kMaxViewDepth = 32;
thread_local int view_depth = 0;

bool HasJoin(const LogicalOperator& plan) {
  if (plan.kind == LogicalKind::kJoin) return true;
  for (const LogicalPlan& child : plan.children)
    if (HasJoin(*child)) return true;
  return false;
}

void SetRowEstimates(RowEstimates& estimates, txn::Transaction& txn, LogicalOperator& plan) {
  if (plan.kind == LogicalKind::kGet) {
    auto& get = static_cast<LogicalGet&>(plan);
    if (!get.estimated_rows) {
      get.estimated_rows = estimates.Estimate(txn, *get.table);
      get.statistics = estimates.Statistics(*get.table);
    }
  }
  for (LogicalPlan& child : plan.children) SetRowEstimates(estimates, txn, *child);
}

// Join ordering reads table sizes (catalog/row_estimates.h) from the Gets; a plan without a
// join does not pay for counting them.
void EstimateRows(Session& session, LogicalOperator& plan) {
  if (HasJoin(plan)) EstimateTableRows(session, plan);
}

}  // namespace

void EstimateTableRows(Session& session, LogicalOperator& plan) {
  if (!session.has_txn()) return;  // resolving the tables began it
  Result<txn::Transaction*> txn = session.Txn();
  if (txn.ok()) SetRowEstimates(session.engine().row_estimates(), **txn, plan);
}

// A planned query as a FROM item named `alias`: a schema of its visible columns (named
// `names`; 1060 for a name used twice) and its plan. Its tables join `tables`, which keeps
// them alive.
Result<FromTable> AsFromItem(PlannedQuery inner, const std::vector<std::string>& names, const std::string& alias,
                             std::vector<std::shared_ptr<const TableSchema>>* tables) {
  auto schema = std::make_shared<TableSchema>();
  schema->name = alias;
  auto types = std::make_shared<std::vector<OutType>>();
  for (size_t i = 0; i < inner.visible; i++) {
    if (schema->FindColumn(names[i])) return ErrDuplicateColumn(names[i]);
    ColumnSchema column;
    column.name = names[i];
    schema->columns.push_back(std::move(column));
    OutType type = inner.types[i];
    type.table = nullptr;
    type.column = -1;
    types->push_back(type);
  }
  auto plan = std::make_shared<SubqueryPlan>();
  plan->visible = inner.visible;
  plan->plan = std::move(inner.plan);
  for (auto& t : inner.tables) tables->push_back(std::move(t));
  tables->push_back(schema);
  return FromTable{std::move(schema), alias, std::move(types), std::move(plan)};
}

namespace {

// FROM (SELECT ...) AS alias. The query sees no enclosing query's columns (no LATERAL).
Result<FromTable> ResolveDerived(Session& session, const ast::Select& select, const std::string& alias,
                                 std::vector<std::shared_ptr<const TableSchema>>* tables) {
  STRATA_ASSIGN_OR_RETURN(PlannedQuery inner, PlanQuery(session, select, nullptr, nullptr));
  std::vector<std::string> names = inner.names;
  return AsFromItem(std::move(inner), names, alias, tables);
}

// A view used in FROM: its stored query parsed and planned again, as a derived table named
// by the alias (or the view's name), its columns named by the view's column list.
Result<FromTable> ResolveView(Session& session, const ViewDefinition& view, const std::string& alias,
                              std::vector<std::shared_ptr<const TableSchema>>* tables) {
  STRATA_ASSIGN_OR_RETURN(PlannedQuery inner, PlanViewQuery(session, view));
  std::vector<std::string> names = inner.names;
  return AsFromItem(std::move(inner), names, alias, tables);
}

}  // namespace

Result<PlannedQuery> PlanViewQuery(Session& session, const ViewDefinition& view) {
  if (view_depth >= kMaxViewDepth) return ErrViewRecursion(view.database, view.name);
  ++view_depth;
  struct Leave {
    ~Leave() { --view_depth; }
  } leave;
  CteBarrier own_names_only;  // the view's query does not see the caller's CTEs
  // Its unqualified table names are in the view's database, whatever the session's is.
  struct Restore {
    Session& session;
    std::string saved;
    ~Restore() { session.SwapDatabase(std::move(saved)); }
  } restore{session, session.SwapDatabase(view.database)};
  STRATA_ASSIGN_OR_RETURN(ast::StatementPtr statement, ParseOne(view.query));
  if (statement->kind != ast::StatementKind::kSelect) return Status::Corruption("a view's query is not a SELECT");
  STRATA_ASSIGN_OR_RETURN(PlannedQuery inner,
                          PlanQuery(session, static_cast<const ast::Select&>(*statement), nullptr, nullptr));
  if (!view.columns.empty() && view.columns.size() != inner.visible) return ErrViewColumnCount();
  if (!view.columns.empty()) inner.names = view.columns;
  return inner;
}

// One SELECT (its set operands, if any, are the caller's business).
Result<PlannedQuery> PlanSelectTerm(Session& session, const ast::Select& stmt, const BindContext* outer,
                                    bool* correlated) {
  PlannedQuery out;
  std::vector<FromTable> from;
  for (const ast::TableRef& ref : stmt.from) {
    if (ref.derived) {
      STRATA_ASSIGN_OR_RETURN(FromTable derived, ResolveDerived(session, *ref.derived, ref.alias, &out.tables));
      from.push_back(std::move(derived));
      continue;
    }
    std::string alias = ref.alias.empty() ? ref.table.name : ref.alias;
    STRATA_ASSIGN_OR_RETURN(std::optional<FromTable> system, ResolveInformationSchema(session, ref.table, alias, &out.tables));
    if (system) {
      from.push_back(std::move(*system));
      continue;
    }
    if (ref.table.schema.empty()) {  // a CTE's name hides a table's
      STRATA_ASSIGN_OR_RETURN(std::optional<FromTable> cte, ResolveCte(session, ref.table.name, alias, &out.tables));
      if (cte) {
        from.push_back(std::move(*cte));
        continue;
      }
    }
    Result<std::shared_ptr<const TableSchema>> table = session.ResolveTable(ref.table);
    if (!table.ok() && table.status().mysql_errno() == kErNoSuchTable) {
      STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const ViewDefinition> view, session.ResolveView(ref.table));
      if (view) {
        STRATA_ASSIGN_OR_RETURN(FromTable item, ResolveView(session, *view, alias, &out.tables));
        from.push_back(std::move(item));
        continue;
      }
    }
    STRATA_RETURN_IF_ERROR(table.status());
    out.tables.push_back(*table);
    from.push_back({*table, alias, nullptr, nullptr});
  }
  STRATA_ASSIGN_OR_RETURN(BoundSelect bound, BindSelect(stmt, std::move(from), session, outer, correlated));
  out.visible = bound.visible;
  for (size_t i = 0; i < bound.visible; i++) {
    out.names.push_back(bound.outputs[i].name);
    out.types.push_back(bound.outputs[i].expr->type);
  }
  for (const BoundJoin& item : bound.from) out.aliases.emplace_back(item.table.get(), item.alias);
  out.plan = PlanSelect(bound);
  return out;
}

void TrimToVisible(PlannedQuery* q) {
  if (q->plan->width() <= q->visible) return;
  std::vector<BoundExprPtr> visible;
  for (uint32_t c = 0; c < q->visible; c++) visible.push_back(MakeColumnRef(c, q->types[c]));
  q->plan = Stack(std::make_unique<LogicalProject>(std::move(visible)), std::move(q->plan));
}

namespace {

// ORDER BY of a set operation: a position, or the name of a result column (1054 else).
Result<std::vector<SortKey>> SetOrderBy(const ast::Select& stmt, const PlannedQuery& q) {
  std::vector<SortKey> keys;
  for (const ast::OrderItem& item : stmt.set_order_by) {
    const ast::Expr& e = *item.expr;
    std::optional<uint32_t> column;
    if (e.kind == ast::ExprKind::kLiteral && e.literal_kind == ast::LiteralKind::kInteger) {
      uint64_t position = std::strtoull(e.text.c_str(), nullptr, 10);
      if (position >= 1 && position <= q.visible) column = static_cast<uint32_t>(position - 1);
    } else if (e.kind == ast::ExprKind::kColumn) {
      for (uint32_t i = 0; i < q.visible && !column; i++)
        if (EqualsIgnoreCase(q.names[i], e.name)) column = i;
    }
    if (!column) return ErrUnknownColumn(e.kind == ast::ExprKind::kColumn ? e.name : e.text, "order clause");
    keys.push_back({*column, item.descending});
  }
  return keys;
}

}  // namespace

Status CombineSetOperand(PlannedQuery* out, PlannedQuery next, ast::SetOp op, bool all) {
  if (next.visible != out->visible) return ErrSetOperandColumns();
  TrimToVisible(out);
  TrimToVisible(&next);
  auto node = std::make_unique<LogicalSetOp>(op, all);
  node->children.push_back(std::move(out->plan));
  node->children.push_back(std::move(next.plan));
  out->plan = std::move(node);
  for (size_t i = 0; i < out->visible; i++) {
    if (out->types[i].kind == OutKind::kNull) out->types[i] = next.types[i];
    else if (next.types[i].kind != OutKind::kNull)  // FLOAT with DOUBLE is DOUBLE
      out->types[i].single_precision = out->types[i].single_precision && next.types[i].single_precision;
  }
  for (auto& t : next.tables) out->tables.push_back(std::move(t));
  return Status::OK();
}

Result<PlannedQuery> PlanQuery(Session& session, const ast::Select& stmt, const BindContext* outer, bool* correlated) {
  for (size_t i = 0; i < stmt.with.size(); i++)
    for (size_t j = 0; j < i; j++)
      if (EqualsIgnoreCase(stmt.with[i].name, stmt.with[j].name)) return ErrNonUniqueTable(stmt.with[i].name);
  CteScope with(stmt);  // its WITH's names, if any, for the query and its subqueries
  STRATA_ASSIGN_OR_RETURN(PlannedQuery out, PlanSelectTerm(session, stmt, outer, correlated));
  EstimateRows(session, *out.plan);
  if (stmt.set_operands.empty()) return out;
  for (const ast::SetOperand& operand : stmt.set_operands) {
    STRATA_ASSIGN_OR_RETURN(PlannedQuery next, PlanQuery(session, *operand.select, outer, correlated));
    STRATA_RETURN_IF_ERROR(CombineSetOperand(&out, std::move(next), operand.op, operand.all));
  }
  // A set operation's columns are no table's.
  for (OutType& type : out.types) {
    type.table = nullptr;
    type.column = -1;
  }
  if (!stmt.set_order_by.empty()) {
    STRATA_ASSIGN_OR_RETURN(std::vector<SortKey> keys, SetOrderBy(stmt, out));
    out.plan = Stack(std::make_unique<LogicalSort>(std::move(keys)), std::move(out.plan));
  }
  if (stmt.set_limit || stmt.set_offset) {
    uint64_t limit = UINT64_MAX, offset = 0;
    if (stmt.set_limit) {
      STRATA_ASSIGN_OR_RETURN(limit, BindLimit(*stmt.set_limit, session));
    }
    if (stmt.set_offset) {
      STRATA_ASSIGN_OR_RETURN(offset, BindLimit(*stmt.set_offset, session));
    }
    out.plan = Stack(std::make_unique<LogicalLimit>(offset, limit), std::move(out.plan));
  }
  return out;
}

namespace {

// A single SELECT … FROM tables … [WHERE …] (no set operation, WITH, grouping, window, LIMIT
// or derived table): the only queries a semi join can stand for.
bool MaySemiJoin(const ast::Select& s) {
  if (!s.set_operands.empty() || !s.with.empty() || s.from.empty() || !s.group_by.empty() || s.having ||
      !s.windows.empty() || s.limit || s.offset || !s.into_vars.empty())
    return false;
  for (const ast::TableRef& ref : s.from)
    if (ref.derived) return false;
  return true;
}

}  // namespace

Result<BoundSubquery> Session::BindSubquery(const ast::Select& select, const BindContext& outer,
                                            SemiJoinUse semi_join) const {
  // Binding is const for the binder's sake; resolving the subquery's tables may begin the
  // session's transaction, as resolving the enclosing query's did.
  Session& self = const_cast<Session&>(*this);
  bool correlated = false;
  STRATA_ASSIGN_OR_RETURN(PlannedQuery planned, PlanQuery(self, select, &outer, &correlated));
  BoundSubquery out;
  out.columns = planned.types;
  auto plan = std::make_shared<SubqueryPlan>();
  plan->visible = planned.visible;
  plan->correlated = correlated;
  // The semi join form is a second plan of the same query (plans are not copied), made only
  // when the query might have the shape (optimizer.h, ExtractSemiJoinForm says for sure).
  if (semi_join != SemiJoinUse::kNone && MaySemiJoin(select)) {
    bool ignored = false;
    STRATA_ASSIGN_OR_RETURN(PlannedQuery again, PlanQuery(self, select, &outer, &ignored));
    plan->semi = ExtractSemiJoinForm(std::move(again.plan), semi_join == SemiJoinUse::kIn);
  }
  plan->plan = Optimize(std::move(planned.plan), time_zone().get());
  out.plan = std::move(plan);
  out.correlated = correlated;
  return out;
}

}  // namespace strata::sql
