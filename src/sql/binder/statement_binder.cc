// BindSelect, BindUpdate, BindDelete, BindInsert and BindAssignments (statement_binder.h).
#include <cstdlib>

#include "common/ascii.h"
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

// The select list, stars expanded, into out->outputs.
Status BindSelectList(const ast::Select& stmt, BindContext& ctx, BoundSelect* out) {
  const TableSchema* table = out->table.get();
  for (const auto& item : stmt.items) {
    if (item.expr->kind == ast::ExprKind::kStar) {
      if (!table) return ErrNoTablesUsed();
      if (!item.expr->qualifier.empty() && !EqualsIgnoreCase(item.expr->qualifier, out->alias))
        return ErrUnknownTable(item.expr->qualifier);
      for (uint32_t c = 0; c < table->columns.size(); c++)
        out->outputs.push_back({table->columns[c].name, MakeColumnRef(c, OutTypeOfColumn(*table, c))});
      continue;
    }
    ctx.clause = "field list";
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*item.expr, ctx));
    out->outputs.push_back({item.alias.empty() ? ExprHeader(*item.expr) : item.alias, std::move(e)});
  }
  out->visible = out->outputs.size();
  return Status::OK();
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
    } else if (g->kind == ast::ExprKind::kColumn && g->qualifier.empty() &&
               !(out->table && out->table->FindColumn(g->name))) {
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

Result<BoundSelect> BindSelect(const ast::Select& stmt, std::shared_ptr<const TableSchema> table,
                               std::string alias, const SessionContext& session) {
  BoundSelect out;
  out.table = std::move(table);
  out.alias = std::move(alias);
  out.grouped = IsGrouped(stmt);
  out.distinct = stmt.distinct;

  // Aggregates are allowed in the select list, HAVING and ORDER BY of a grouped query; each
  // becomes a reference to its value after the table's columns.
  BindContext ctx;
  ctx.session = &session;
  ctx.scope = {out.table.get(), out.alias};
  ctx.aggregates = out.grouped ? &out.aggregates : nullptr;
  ctx.aggregate_base = out.table ? static_cast<uint32_t>(out.table->columns.size()) : 0;
  STRATA_RETURN_IF_ERROR(BindSelectList(stmt, ctx, &out));

  BindContext row_ctx = ctx;
  row_ctx.aggregates = nullptr;
  if (stmt.where) {
    row_ctx.clause = "where clause";
    STRATA_ASSIGN_OR_RETURN(out.where, BindExpr(*stmt.where, row_ctx));
  }
  STRATA_RETURN_IF_ERROR(BindGroupBy(stmt, row_ctx, &out));
  if (stmt.having) {
    ctx.clause = "having clause";
    STRATA_ASSIGN_OR_RETURN(out.having, BindExpr(*stmt.having, ctx));
  }
  STRATA_RETURN_IF_ERROR(BindOrderBy(stmt, ctx, &out));
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
  const TableSchema& table = *ctx.scope.table;
  for (const auto& a : assignments) {
    auto col = table.FindColumn(a.column);
    if (!col || (check_qualifier && !a.qualifier.empty() && !EqualsIgnoreCase(a.qualifier, ctx.scope.alias)))
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
