// INSERT, UPDATE and DELETE through a view (executors.h). A view is updatable when its query
// reads one table (or one updatable view) with no DISTINCT, GROUP BY, HAVING, aggregate,
// window function, set operation, WITH, LIMIT or subquery. The statement is rewritten onto
// that table: the view's column names become the expressions they stand for, its WHERE is
// ANDed to the statement's, and a column the view computes cannot be written (1348).
// Otherwise the view is read-only (1288), as in MySQL. A view WITH CHECK OPTION hands its
// WHERE down with the rewritten INSERT or UPDATE (ast::ViewCheck, rewritten at each view
// below it); at the table every row written must satisfy it, after BEFORE triggers, or the
// statement fails with 1369. LOCAL checks the views that say so; CASCADED also every view
// below, as in MySQL.
#include <fmt/format.h>

#include "sql/binder/binder.h"
#include "sql/parser/parser.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

using ast::ExprKind;
using ast::ExprPtr;

Status ErrNotUpdatableColumn(std::string_view column, std::string_view view) {  // ER_NONUPDATEABLE_COLUMN
  return Status::InvalidArgument(fmt::format("Column '{}' is not updatable", column)).WithMysql(1348, "HY000");
}

// Views through views nest at most this deep.
constexpr int kMaxViewWriteDepth = 16;
thread_local int view_write_depth = 0;

struct Nest {
  Nest() { ++view_write_depth; }
  ~Nest() { --view_write_depth; }
};

// The view, parsed, and what each of its columns stands for over its table.
struct UpdatableView {
  ast::StatementPtr statement;  // owns the query the expressions point into
  const ast::Select* query = nullptr;
  ast::TableName table;         // its table (or view), in the view's database
  std::string alias;            // how the query names it
  std::vector<std::pair<std::string, const ast::Expr*>> columns;  // view column → expression (nullptr: a * column)
};

Result<UpdatableView> Analyze(Session& session, const ViewDefinition& view, std::string_view statement) {
  if (view_write_depth > kMaxViewWriteDepth) return ErrViewRecursion(view.database, view.name);
  UpdatableView out;
  STRATA_ASSIGN_OR_RETURN(out.statement, ParseOne(view.query));
  if (out.statement->kind != ast::StatementKind::kSelect) return Status::Corruption("a view's query is not a SELECT");
  const auto& q = static_cast<const ast::Select&>(*out.statement);
  out.query = &q;
  bool plain = q.set_operands.empty() && q.with.empty() && !q.distinct && q.group_by.empty() && !q.having &&
               q.windows.empty() && !q.limit && q.from.size() == 1 && !q.from[0].derived && !q.from[0].on &&
               (!q.where || ast::Clonable(*q.where));
  for (const ast::SelectItem& item : q.items)
    plain = plain && !ContainsAggregate(*item.expr) && ast::Clonable(*item.expr);
  if (!plain) return ErrViewNotUpdatable(view.name, statement);
  out.table = q.from[0].table;
  if (out.table.schema.empty()) out.table.schema = view.database;
  out.alias = q.from[0].alias.empty() ? q.from[0].table.name : q.from[0].alias;
  for (const ast::SelectItem& item : q.items) {
    if (item.expr->kind == ExprKind::kStar) {
      STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table, session.ResolveTable(out.table));
      for (const ColumnSchema& c : table->columns) out.columns.emplace_back(c.name, nullptr);
      continue;
    }
    out.columns.emplace_back(item.alias.empty() ? ExprHeader(*item.expr) : item.alias, item.expr.get());
  }
  if (!view.columns.empty()) {
    if (view.columns.size() != out.columns.size()) return ErrViewColumnCount();
    for (size_t i = 0; i < view.columns.size(); i++) out.columns[i].first = view.columns[i];
  }
  return out;
}

// The base-table column a view column writes, or 1348 when the view computes it.
Result<std::string> BaseColumn(const UpdatableView& v, std::string_view name, std::string_view view_name) {
  for (const auto& [column, expr] : v.columns) {
    if (!EqualsIgnoreCase(column, name)) continue;
    if (!expr) return column;
    if (expr->kind != ExprKind::kColumn) return ErrNotUpdatableColumn(name, view_name);
    return expr->name;
  }
  return ErrUnknownColumn(name, "field list");
}

// `e` of a statement on the view, over the view's table: its view column names replaced by
// what they stand for. Subqueries (which would need their own rewrite) are 1235.
Result<ExprPtr> Substitute(const ast::Expr& e, const UpdatableView& v, const std::string& view_name) {
  if (!ast::Clonable(e)) return ErrNotSupportedYet("subqueries in a statement that writes through a view");
  if (e.kind == ExprKind::kColumn && e.schema.empty() && (e.qualifier.empty() || EqualsIgnoreCase(e.qualifier, view_name))) {
    for (const auto& [column, expr] : v.columns) {
      if (!EqualsIgnoreCase(column, e.name)) continue;
      if (expr) return ast::CloneExpr(*expr);
      ExprPtr ref = ast::CloneExpr(e);
      ref->qualifier = v.alias;
      return ref;
    }
    return ErrUnknownColumn(e.qualifier.empty() ? e.name : e.qualifier + "." + e.name, "where clause");
  }
  ExprPtr out = ast::CloneNode(e);
  for (const ExprPtr& c : e.children) {
    if (!c) {
      out->children.push_back(nullptr);
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(ExprPtr s, Substitute(*c, v, view_name));
    out->children.push_back(std::move(s));
  }
  return out;
}

// The view's WHERE AND the statement's (either may be absent).
Result<ExprPtr> CombinedWhere(const UpdatableView& v, const ast::Expr* where, const std::string& view_name) {
  ExprPtr own;
  if (where) {
    STRATA_ASSIGN_OR_RETURN(own, Substitute(*where, v, view_name));
  }
  if (!v.query->where) return own;
  ExprPtr view_where = ast::CloneExpr(*v.query->where);
  if (!own) return view_where;
  auto both = std::make_unique<ast::Expr>();
  both->kind = ExprKind::kBinary;
  both->op = ast::Op::kAnd;
  both->children.push_back(std::move(view_where));
  both->children.push_back(std::move(own));
  return ExprPtr(std::move(both));
}

Result<std::vector<ast::OrderItem>> OrderBy(const std::vector<ast::OrderItem>& items, const UpdatableView& v,
                                            const std::string& view_name) {
  std::vector<ast::OrderItem> out;
  for (const ast::OrderItem& o : items) {
    STRATA_ASSIGN_OR_RETURN(ExprPtr e, Substitute(*o.expr, v, view_name));
    out.push_back({std::move(e), o.descending});
  }
  return out;
}

// The checks the rewritten statement carries onto the view's table: those from the views
// above (named `view_name` here; restated over the table), then this view's WHERE when it
// has a CHECK OPTION or a CASCADED one above asks for it.
Status CarryChecks(const std::vector<ast::ViewCheck>& above, bool cascade_above, const ViewDefinition& view,
                   const UpdatableView& v, std::vector<ast::ViewCheck>* out, bool* cascade_out) {
  for (const ast::ViewCheck& check : above) {
    STRATA_ASSIGN_OR_RETURN(ExprPtr condition, Substitute(*check.condition, v, check.qualifier));
    out->push_back({check.view, v.alias, std::move(condition)});
  }
  if ((cascade_above || !view.check_option.empty()) && v.query->where)
    out->push_back({view.database + "." + view.name, v.alias, ast::CloneExpr(*v.query->where)});
  *cascade_out = cascade_above || view.check_option == "CASCADED";
  return Status::OK();
}

// An UPDATE's or DELETE's target rows (WHERE, ORDER BY, LIMIT) onto the view's table.
template <typename Statement>
Status RewriteTargetRows(const Statement& stmt, const UpdatableView& v, const std::string& view_name, Statement* out) {
  out->text = stmt.text;
  out->table.table = v.table;
  out->table.alias = v.alias;
  out->ignore = stmt.ignore;
  STRATA_ASSIGN_OR_RETURN(out->where, CombinedWhere(v, stmt.where.get(), view_name));
  STRATA_ASSIGN_OR_RETURN(out->order_by, OrderBy(stmt.order_by, v, view_name));
  if (stmt.limit) out->limit = ast::CloneExpr(*stmt.limit);
  return Status::OK();
}

// The view `name` names, when it is a view (nullptr: a table, or nothing).
Result<std::shared_ptr<const ViewDefinition>> ViewTarget(Session& session, const ast::TableName& name) {
  Result<std::shared_ptr<const TableSchema>> table = session.ResolveTable(name);
  if (table.ok() || table.status().mysql_errno() != kErNoSuchTable) return std::shared_ptr<const ViewDefinition>();
  return session.ResolveView(name);
}

// Runs the table's triggers, then checks each row an INSERT or UPDATE writes against the
// conditions its views carried down (after BEFORE triggers, which may change the row).
class ViewCheckRunner final : public TriggerRunner {
 public:
  struct Check {
    std::string view;
    BoundExprPtr condition;
  };
  ViewCheckRunner(const TableSchema& table, std::vector<Check> checks, std::unique_ptr<TriggerRunner> inner,
                  EvalContext eval)
      : table_id_(table.id), checks_(std::move(checks)), inner_(std::move(inner)), eval_(std::move(eval)) {}

  bool Has(const TableSchema& table, TriggerTiming timing, TriggerEvent event) override {
    return Checks(table, timing, event) || (inner_ && inner_->Has(table, timing, event));
  }

  Status Fire(const TableSchema& table, TriggerTiming timing, TriggerEvent event, const Row* old_row,
              Row* new_row) override {
    if (inner_ && inner_->Has(table, timing, event))
      STRATA_RETURN_IF_ERROR(inner_->Fire(table, timing, event, old_row, new_row));
    if (!Checks(table, timing, event) || new_row == nullptr) return Status::OK();
    for (const Check& check : checks_) {
      STRATA_ASSIGN_OR_RETURN(bool ok, EvalPredicate(*check.condition, *new_row, eval_));
      if (!ok)  // ER_VIEW_CHECK_FAILED
        return Status::InvalidArgument(fmt::format("CHECK OPTION failed '{}'", check.view)).WithMysql(1369, "HY000");
    }
    return Status::OK();
  }

 private:
  bool Checks(const TableSchema& table, TriggerTiming timing, TriggerEvent event) const {
    return table.id == table_id_ && timing == TriggerTiming::kBefore && event != TriggerEvent::kDelete;
  }

  const TableId table_id_;
  const std::vector<Check> checks_;
  const std::unique_ptr<TriggerRunner> inner_;
  const EvalContext eval_;
};

}  // namespace

Result<std::unique_ptr<TriggerRunner>> AddViewChecks(Session& session, const TableSchema& table,
                                                     const std::vector<ast::ViewCheck>& checks,
                                                     std::unique_ptr<TriggerRunner> triggers) {
  if (checks.empty()) return triggers;
  std::vector<ViewCheckRunner::Check> bound;
  for (const ast::ViewCheck& check : checks) {
    BindContext ctx;
    ctx.session = &session;
    ctx.scope = BindScope(&table, check.qualifier);
    ctx.clause = "where clause";
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr condition, BindExpr(*check.condition, ctx));
    bound.push_back({check.view, std::move(condition)});
  }
  return std::unique_ptr<TriggerRunner>(
      std::make_unique<ViewCheckRunner>(table, std::move(bound), std::move(triggers), session.eval_context()));
}

bool ViewIsUpdatable(Session& session, const ViewDefinition& view) {
  return Analyze(session, view, "UPDATE").ok();
}

Result<std::optional<QueryResult>> UpdateThroughView(Session& session, const ast::Update& stmt) {
  STRATA_ASSIGN_OR_RETURN(auto view, ViewTarget(session, stmt.table.table));
  if (!view) return std::optional<QueryResult>();
  Nest nest;
  STRATA_ASSIGN_OR_RETURN(UpdatableView v, Analyze(session, *view, "UPDATE"));
  std::string view_name = stmt.table.alias.empty() ? view->name : stmt.table.alias;
  ast::Update rewritten;
  for (const ast::Assignment& a : stmt.assignments) {
    ast::Assignment out;
    STRATA_ASSIGN_OR_RETURN(out.column, BaseColumn(v, a.column, view->name));
    if (a.value) {
      STRATA_ASSIGN_OR_RETURN(out.value, Substitute(*a.value, v, view_name));
    }
    rewritten.assignments.push_back(std::move(out));
  }
  STRATA_RETURN_IF_ERROR(RewriteTargetRows(stmt, v, view_name, &rewritten));
  STRATA_RETURN_IF_ERROR(CarryChecks(stmt.view_checks, stmt.cascade_view_checks, *view, v, &rewritten.view_checks,
                                     &rewritten.cascade_view_checks));
  STRATA_ASSIGN_OR_RETURN(QueryResult result, ExecuteUpdate(session, rewritten));
  return std::optional<QueryResult>(std::move(result));
}

Result<std::optional<QueryResult>> DeleteThroughView(Session& session, const ast::Delete& stmt) {
  STRATA_ASSIGN_OR_RETURN(auto view, ViewTarget(session, stmt.table.table));
  if (!view) return std::optional<QueryResult>();
  Nest nest;
  STRATA_ASSIGN_OR_RETURN(UpdatableView v, Analyze(session, *view, "DELETE"));
  std::string view_name = stmt.table.alias.empty() ? view->name : stmt.table.alias;
  ast::Delete rewritten;
  STRATA_RETURN_IF_ERROR(RewriteTargetRows(stmt, v, view_name, &rewritten));
  STRATA_ASSIGN_OR_RETURN(QueryResult result, ExecuteDelete(session, rewritten));
  return std::optional<QueryResult>(std::move(result));
}

Result<std::optional<QueryResult>> InsertThroughView(Session& session, const ast::Insert& stmt) {
  STRATA_ASSIGN_OR_RETURN(auto view, ViewTarget(session, stmt.table));
  if (!view) return std::optional<QueryResult>();
  Nest nest;
  std::string_view verb = stmt.replace ? "REPLACE" : "INSERT";
  STRATA_ASSIGN_OR_RETURN(UpdatableView v, Analyze(session, *view, verb));
  if (!stmt.on_duplicate.empty()) return ErrNotSupportedYet("ON DUPLICATE KEY UPDATE through a view");
  ast::Insert rewritten;
  rewritten.text = stmt.text;
  rewritten.table = v.table;
  rewritten.replace = stmt.replace;
  rewritten.ignore = stmt.ignore;
  std::vector<std::string> names = stmt.columns;
  if (names.empty() && stmt.set_assignments.empty()) {  // every view column: none may be computed
    for (const auto& [column, expr] : v.columns) {
      if (expr && expr->kind != ExprKind::kColumn)  // ER_NON_INSERTABLE_TABLE
        return Status::InvalidArgument(fmt::format("The target table {} of the INSERT is not insertable-into", view->name))
            .WithMysql(1471, "HY000");
      names.push_back(column);
    }
  }
  for (const std::string& name : names) {
    STRATA_ASSIGN_OR_RETURN(std::string base, BaseColumn(v, name, view->name));
    rewritten.columns.push_back(std::move(base));
  }
  for (const auto& row : stmt.rows) {
    std::vector<ExprPtr> values;
    for (const ExprPtr& value : row) {
      if (value && !ast::Clonable(*value)) return ErrNotSupportedYet("subqueries in a statement that writes through a view");
      values.push_back(value ? ast::CloneExpr(*value) : nullptr);
    }
    rewritten.rows.push_back(std::move(values));
  }
  for (const ast::Assignment& a : stmt.set_assignments) {
    ast::Assignment out;
    STRATA_ASSIGN_OR_RETURN(out.column, BaseColumn(v, a.column, view->name));
    if (a.value && !ast::Clonable(*a.value)) return ErrNotSupportedYet("subqueries in a statement that writes through a view");
    if (a.value) out.value = ast::CloneExpr(*a.value);
    rewritten.set_assignments.push_back(std::move(out));
  }
  if (stmt.select) {
    // INSERT ... SELECT: the rewritten statement needs a query of its own (a query is not
    // clonable: it may hold subqueries), so the statement's text is parsed again; its ?
    // placeholders keep their numbers and read the same values.
    if (stmt.text.empty()) return ErrNotSupportedYet("INSERT ... SELECT into a view here");
    STRATA_ASSIGN_OR_RETURN(ast::StatementPtr again, ParseOne(stmt.text));
    auto* insert = again->kind == ast::StatementKind::kInsert ? static_cast<ast::Insert*>(again.get()) : nullptr;
    if (!insert || !insert->select) return Status::Internal("INSERT ... SELECT did not parse back to one");
    rewritten.select = std::move(insert->select);
  }
  STRATA_RETURN_IF_ERROR(CarryChecks(stmt.view_checks, stmt.cascade_view_checks, *view, v, &rewritten.view_checks,
                                     &rewritten.cascade_view_checks));
  STRATA_ASSIGN_OR_RETURN(QueryResult result, ExecuteInsert(session, rewritten));
  return std::optional<QueryResult>(std::move(result));
}

}  // namespace strata::sql
