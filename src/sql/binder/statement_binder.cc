// BindSelect, BindUpdate, BindDelete, BindInsert and BindAssignments (statement_binder.h).
#include <cstdlib>

#include "common/ascii.h"
#include "common/check.h"
#include "sql/binder/statement_binder.h"
#include "sql/errors.h"

namespace strata::sql {
namespace {

bool IsPositionLiteral(const ast::Expr& e) {
  return e.kind == ast::ExprKind::kLiteral && e.literal_kind == ast::LiteralKind::kInteger;
}

bool IsGrouped(const ast::Select& stmt) {
  bool grouped = !stmt.group_by.empty() || (stmt.having && ContainsAggregate(*stmt.having));
  for (const auto& item : stmt.items) grouped = grouped || ContainsAggregate(*item.expr);
  for (const auto& o : stmt.order_by) grouped = grouped || ContainsAggregate(*o.expr);
  return grouped;
}

// `*` or `t.*`: the columns of every table in scope (or of t), USING copies hidden.
Status ExpandStar(const ast::Expr& star, const BindScope& scope, BoundSelect* out) {
  if (scope.tables.empty()) return ErrNoTablesUsed();
  bool matched = false;
  for (const ScopeTable& st : scope.tables) {
    if (!star.qualifier.empty() && !EqualsIgnoreCase(star.qualifier, st.alias)) continue;
    matched = true;
    const TableSchema& table = *st.table;
    for (uint32_t c = 0; c < table.columns.size(); c++) {
      if (star.qualifier.empty() && c < st.hidden.size() && st.hidden[c]) continue;
      out->outputs.push_back({table.columns[c].name, st.Ref(c)});
    }
  }
  if (!matched) return ErrUnknownTable(star.qualifier);
  return Status::OK();
}

// The select list, stars expanded, into out->outputs.
Status BindSelectList(const ast::Select& stmt, BindContext& ctx, BoundSelect* out) {
  for (const auto& item : stmt.items) {
    if (item.expr->kind == ast::ExprKind::kStar) {
      STRATA_RETURN_IF_ERROR(ExpandStar(*item.expr, ctx.scope, out));
      continue;
    }
    ctx.clause = "field list";
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*item.expr, ctx));
    out->outputs.push_back({item.alias.empty() ? ExprHeader(*item.expr) : item.alias, std::move(e)});
  }
  out->visible = out->outputs.size();
  return Status::OK();
}

bool InScope(const BindScope& scope, const std::string& column) {
  for (const ScopeTable& st : scope.tables)
    if (st.table->FindColumn(column)) return true;
  return false;
}

// GROUP BY: a position in the select list, an alias of it (unless a column has that name),
// or an expression over the table's row.
Status BindGroupBy(const ast::Select& stmt, BindContext& row_ctx, BoundSelect* out) {
  for (const auto& g : stmt.group_by) {
    const ast::Expr* source = g.get();
    if (IsPositionLiteral(*g)) {
      size_t pos = std::strtoull(g->text.c_str(), nullptr, 10);
      if (pos < 1 || pos > stmt.items.size() || stmt.items[pos - 1].expr->kind == ast::ExprKind::kStar)
        return ErrUnknownColumn(g->text, "group statement");
      source = stmt.items[pos - 1].expr.get();
    } else if (g->kind == ast::ExprKind::kColumn && g->qualifier.empty() && !InScope(row_ctx.scope, g->name)) {
      for (const auto& item : stmt.items)
        if (!item.alias.empty() && EqualsIgnoreCase(item.alias, g->name)) source = item.expr.get();
    }
    row_ctx.clause = "group statement";
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr b, BindExpr(*source, row_ctx));
    out->group_by.push_back(std::move(b));
  }
  return Status::OK();
}

// ORDER BY: a position, an alias of the select list, or an expression (a hidden output).
Status BindOrderBy(const ast::Select& stmt, BindContext& ctx, BoundSelect* out) {
  for (const auto& o : stmt.order_by) {
    if (IsPositionLiteral(*o.expr)) {
      size_t pos = std::strtoull(o.expr->text.c_str(), nullptr, 10);
      if (pos < 1 || pos > out->visible) return ErrUnknownColumn(o.expr->text, "order clause");
      out->order_by.push_back({static_cast<uint32_t>(pos - 1), o.descending});
      continue;
    }
    std::optional<uint32_t> alias_index;
    if (o.expr->kind == ast::ExprKind::kColumn && o.expr->qualifier.empty()) {
      for (size_t i = 0; i < stmt.items.size() && i < out->visible; i++)
        if (!stmt.items[i].alias.empty() && EqualsIgnoreCase(stmt.items[i].alias, o.expr->name))
          alias_index = static_cast<uint32_t>(i);
    }
    if (alias_index) {
      out->order_by.push_back({*alias_index, o.descending});
      continue;
    }
    ctx.clause = "order clause";
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*o.expr, ctx));
    out->order_by.push_back({static_cast<uint32_t>(out->outputs.size()), o.descending});
    out->outputs.push_back({"", std::move(e)});
  }
  return Status::OK();
}

}  // namespace

namespace {

// A column of the tables in scope (visible to unqualified names), as (table index, column).
std::optional<std::pair<size_t, uint32_t>> FindVisible(const BindScope& scope, const std::string& name, size_t* count) {
  std::optional<std::pair<size_t, uint32_t>> found;
  *count = 0;
  for (size_t t = 0; t < scope.tables.size(); t++) {
    const ScopeTable& st = scope.tables[t];
    std::optional<uint32_t> col = st.table->FindColumn(name);
    if (!col || (*col < st.hidden.size() && st.hidden[*col])) continue;
    ++*count;
    found = {{t, *col}};
  }
  return found;
}

// USING (a, b) / NATURAL between the tables in scope and `right` (the last table in scope):
// the ON equalities, with right's copies hidden.
Result<BoundExprPtr> BindUsing(const ast::TableRef& ref, BindScope* scope) {
  ScopeTable& right = scope->tables.back();
  BindScope left;
  left.tables.assign(scope->tables.begin(), scope->tables.end() - 1);
  std::vector<std::string> columns = ref.using_columns;
  if (ref.natural) {
    for (const ColumnSchema& c : right.table->columns) {
      size_t count = 0;
      if (FindVisible(left, c.name, &count)) columns.push_back(c.name);
    }
  }
  right.hidden.assign(right.table->columns.size(), false);
  BoundExprPtr on;
  for (const std::string& name : columns) {
    size_t count = 0;
    auto l = FindVisible(left, name, &count);
    std::optional<uint32_t> r = right.table->FindColumn(name);
    if (!l || !r) return ErrUnknownColumn(name, "from clause");
    if (count > 1) return ErrAmbiguousColumn(name, "from clause");
    const ScopeTable& lt = left.tables[l->first];
    auto eq = std::make_unique<BoundExpr>();
    eq->kind = BoundExpr::Kind::kBinary;
    eq->op = ast::Op::kEq;
    eq->type.kind = OutKind::kInt;
    eq->children.push_back(lt.Ref(l->second));
    eq->children.push_back(right.Ref(*r));
    right.hidden[*r] = true;
    on = on ? MakeAnd(std::move(on), std::move(eq)) : std::move(eq);
  }
  return on;
}

// The FROM list into out->from and ctx.scope, each ON bound over the tables up to its own.
Status BindFrom(const ast::Select& stmt, std::vector<FromTable> from, BindContext& ctx, BoundSelect* out) {
  STRATA_CHECK(from.size() == stmt.from.size());
  uint32_t offset = 0;
  for (size_t i = 0; i < from.size(); i++) {
    for (size_t j = 0; j < i; j++)
      if (EqualsIgnoreCase(from[j].alias, from[i].alias)) return ErrNonUniqueTable(from[i].alias);
    const ast::TableRef& ref = stmt.from[i];
    ctx.scope.tables.push_back({from[i].table.get(), from[i].alias, offset, {}, from[i].column_types});
    offset += static_cast<uint32_t>(from[i].table->columns.size());
    BoundJoin join{from[i].table, from[i].alias, ref.join, nullptr, std::move(from[i].derived)};
    if (!ref.using_columns.empty() || ref.natural) {
      STRATA_ASSIGN_OR_RETURN(join.on, BindUsing(ref, &ctx.scope));
    } else if (ref.on) {
      ctx.clause = "on clause";
      STRATA_ASSIGN_OR_RETURN(join.on, BindExpr(*ref.on, ctx));
    }
    out->from.push_back(std::move(join));
  }
  return Status::OK();
}

// Window references bound at kWindowColumnMark + i move to base + i.
void MoveWindowReferences(BoundExpr* e, uint32_t base) {
  if (e->kind == BoundExpr::Kind::kColumn && e->column >= kWindowColumnMark) e->column = e->column - kWindowColumnMark + base;
  for (BoundExprPtr& child : e->children) MoveWindowReferences(child.get(), base);
}

}  // namespace

Result<BoundSelect> BindSelect(const ast::Select& stmt, std::shared_ptr<const TableSchema> table,
                               std::string alias, const SessionContext& session) {
  std::vector<FromTable> from;
  if (table) from.push_back({std::move(table), std::move(alias), nullptr, nullptr});
  return BindSelect(stmt, std::move(from), session);
}

Result<BoundSelect> BindSelect(const ast::Select& stmt, std::vector<FromTable> from, const SessionContext& session,
                               const BindContext* outer, bool* correlated) {
  BoundSelect out;
  out.grouped = IsGrouped(stmt);
  out.distinct = stmt.distinct;

  BindContext ctx;
  ctx.session = &session;
  ctx.outer = outer ? outer : session.statement_outer();
  ctx.correlated = correlated;
  STRATA_RETURN_IF_ERROR(BindFrom(stmt, std::move(from), ctx, &out));
  // Aggregates are allowed in the select list, HAVING and ORDER BY of a grouped query; each
  // becomes a reference to its value after the FROM row's columns.
  uint32_t width = 0;
  for (const ScopeTable& st : ctx.scope.tables) width += static_cast<uint32_t>(st.table->columns.size());
  ctx.aggregates = out.grouped ? &out.aggregates : nullptr;
  ctx.aggregate_base = width;
  ctx.windows = &out.windows;  // window functions: the select list and ORDER BY only
  ctx.named_windows = &stmt.windows;
  STRATA_RETURN_IF_ERROR(BindSelectList(stmt, ctx, &out));

  BindContext row_ctx = ctx;
  row_ctx.aggregates = nullptr;
  row_ctx.windows = nullptr;
  if (stmt.where) {
    row_ctx.clause = "where clause";
    STRATA_ASSIGN_OR_RETURN(out.where, BindExpr(*stmt.where, row_ctx));
  }
  STRATA_RETURN_IF_ERROR(BindGroupBy(stmt, row_ctx, &out));
  if (stmt.having) {
    BindContext having_ctx = ctx;
    having_ctx.windows = nullptr;
    having_ctx.clause = "having clause";
    STRATA_ASSIGN_OR_RETURN(out.having, BindExpr(*stmt.having, having_ctx));
  }
  STRATA_RETURN_IF_ERROR(BindOrderBy(stmt, ctx, &out));
  if (out.grouped && session.only_full_group_by()) STRATA_RETURN_IF_ERROR(CheckFullGroupBy(out, ctx.scope, width, session));
  // The window calls' values follow the row they read (the aggregate's, if grouped).
  uint32_t window_base = width + (out.grouped ? static_cast<uint32_t>(out.aggregates.size()) : 0);
  for (BoundOutput& output : out.outputs) MoveWindowReferences(output.expr.get(), window_base);
  if (stmt.limit) {
    STRATA_ASSIGN_OR_RETURN(out.limit, BindLimit(*stmt.limit, session));
  }
  if (stmt.offset) {
    STRATA_ASSIGN_OR_RETURN(out.offset, BindLimit(*stmt.offset, session));
  }
  return out;
}

namespace {

Result<BoundTargetRows> BindTargetRows(std::shared_ptr<const TableSchema> table, std::string alias,
                                       const ast::Expr* where, const std::vector<ast::OrderItem>& order_by,
                                       const ast::Expr* limit, const SessionContext& session) {
  BoundTargetRows out;
  out.table = std::move(table);
  out.alias = std::move(alias);
  BindContext ctx;
  ctx.session = &session;
  ctx.outer = session.statement_outer();
  ctx.scope = {out.table.get(), out.alias};
  ctx.clause = "where clause";
  if (where) {
    STRATA_ASSIGN_OR_RETURN(out.where, BindExpr(*where, ctx));
  }
  for (const auto& o : order_by) {
    ctx.clause = "order clause";
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*o.expr, ctx));
    if (e->kind != BoundExpr::Kind::kColumn) return ErrNotSupportedYet("ORDER BY expressions in UPDATE/DELETE");
    out.order_by.push_back({e->column, o.descending});
  }
  if (limit) {
    STRATA_ASSIGN_OR_RETURN(out.limit, BindLimit(*limit, session));
  }
  return out;
}

}  // namespace

Status BindAssignments(const std::vector<ast::Assignment>& assignments, BindContext& ctx, bool check_qualifier,
                       std::vector<uint32_t>* columns, std::vector<BoundExprPtr>* values) {
  STRATA_CHECK(ctx.scope.single() != nullptr);
  const TableSchema& table = *ctx.scope.single()->table;
  for (const auto& a : assignments) {
    auto col = table.FindColumn(a.column);
    if (!col || (check_qualifier && !a.qualifier.empty() && !EqualsIgnoreCase(a.qualifier, ctx.scope.single()->alias)))
      return ErrUnknownColumn(a.column, "field list");
    columns->push_back(*col);
    if (!a.value) {
      values->push_back(MakeConst(table.columns[*col].default_value));
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*a.value, ctx));
    values->push_back(std::move(e));
  }
  return Status::OK();
}

Result<BoundTargetRows> BindDelete(const ast::Delete& stmt, std::shared_ptr<const TableSchema> table,
                                   std::string alias, const SessionContext& session) {
  return BindTargetRows(std::move(table), std::move(alias), stmt.where.get(), stmt.order_by, stmt.limit.get(),
                        session);
}

Result<BoundUpdate> BindUpdate(const ast::Update& stmt, std::shared_ptr<const TableSchema> table,
                               std::string alias, const SessionContext& session) {
  BoundUpdate out;
  BindContext ctx;
  ctx.session = &session;
  ctx.outer = session.statement_outer();
  ctx.scope = {table.get(), alias};
  STRATA_RETURN_IF_ERROR(BindAssignments(stmt.assignments, ctx, /*check_qualifier=*/true, &out.columns, &out.values));
  STRATA_ASSIGN_OR_RETURN(out.target, BindTargetRows(std::move(table), std::move(alias), stmt.where.get(),
                                                     stmt.order_by, stmt.limit.get(), session));
  return out;
}

namespace {

// The rows of an INSERT as expressions: its VALUES rows, or its SET list as one row.
Result<std::vector<std::vector<const ast::Expr*>>> InsertRows(const ast::Insert& stmt, const TableSchema& table,
                                                             std::vector<uint32_t>* targets) {
  std::vector<std::vector<const ast::Expr*>> rows;
  if (!stmt.set_assignments.empty()) {
    rows.emplace_back();
    for (const auto& a : stmt.set_assignments) {
      auto col = table.FindColumn(a.column);
      if (!col) return ErrUnknownColumn(a.column, "field list");
      targets->push_back(*col);
      rows.back().push_back(a.value.get());
    }
    return rows;
  }
  if (stmt.columns.empty()) {
    for (uint32_t c = 0; c < table.columns.size(); c++) targets->push_back(c);
  } else {
    for (const auto& name : stmt.columns) {
      auto col = table.FindColumn(name);
      if (!col) return ErrUnknownColumn(name, "field list");
      targets->push_back(*col);
    }
  }
  for (size_t r = 0; r < stmt.rows.size(); r++) {
    if (stmt.rows[r].size() != targets->size()) return ErrColumnCountMismatch(r + 1);
    std::vector<const ast::Expr*> values;
    for (const auto& v : stmt.rows[r]) values.push_back(v.get());
    rows.push_back(std::move(values));
  }
  return rows;
}

}  // namespace

Result<BoundInsert> BindInsert(const ast::Insert& stmt, std::shared_ptr<const TableSchema> table,
                               const SessionContext& session, const std::vector<OutType>* source) {
  BoundInsert out;
  out.table = std::move(table);
  out.ignore = stmt.ignore;
  out.replace = stmt.replace;
  STRATA_ASSIGN_OR_RETURN(auto rows, InsertRows(stmt, *out.table, &out.targets));
  BindContext dup_ctx;
  dup_ctx.session = &session;
  dup_ctx.outer = session.statement_outer();
  dup_ctx.scope = {out.table.get(), out.table->name};
  dup_ctx.allow_values_function = true;
  STRATA_RETURN_IF_ERROR(BindAssignments(stmt.on_duplicate, dup_ctx, /*check_qualifier=*/false,
                                         &out.update_columns, &out.update_values));
  if (source) {
    if (source->size() != out.targets.size()) return ErrColumnCountMismatch(1);
    std::vector<BoundExprPtr> refs;
    for (uint32_t i = 0; i < source->size(); i++) refs.push_back(MakeColumnRef(i, (*source)[i]));
    out.rows.push_back(std::move(refs));
    return out;
  }
  BindContext ctx;
  ctx.session = &session;
  ctx.outer = session.statement_outer();
  for (const auto& row : rows) {
    std::vector<BoundExprPtr> values;
    for (const ast::Expr* value : row) {
      if (!value) {
        values.push_back(nullptr);  // DEFAULT
        continue;
      }
      STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*value, ctx));
      values.push_back(std::move(e));
    }
    out.rows.push_back(std::move(values));
  }
  return out;
}

}  // namespace strata::sql
