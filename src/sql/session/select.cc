// SELECT: bind → plan → execute. The plan is a chain of operators.h operators:
//   Scan(access path) | SingleRow → Filter(WHERE) → [Aggregate → Filter(HAVING)]
//   → Project(select list + hidden ORDER BY keys) → [Distinct] → [Sort] → [Limit]
#include <fmt/format.h>

#include "sql/binder/binder.h"
#include "sql/errors.h"
#include "sql/execution/operators.h"
#include "sql/optimizer/access_path.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

struct OutputColumn {
  std::string name;
  BoundExprPtr expr;
};

ResultColumn DescribeColumn(const OutputColumn& out, const std::string& table_alias) {
  ResultColumn c;
  c.name = out.name;
  c.type = out.expr->type;
  if (c.type.table && c.type.column >= 0) {
    const TableSchema& t = *c.type.table;
    const ColumnSchema& col = t.columns[static_cast<size_t>(c.type.column)];
    c.org_name = col.name;
    c.table = table_alias;
    c.org_table = t.name;
    c.schema = t.database;
    c.auto_increment = col.auto_increment;
    c.is_unsigned = col.type.is_unsigned;
    for (uint32_t pk : t.primary.columns) c.primary_key = c.primary_key || pk == static_cast<uint32_t>(c.type.column);
  }
  return c;
}

bool IsPositionLiteral(const ast::Expr& e) {
  return e.kind == ast::ExprKind::kLiteral && e.literal_kind == ast::LiteralKind::kInteger;
}

}  // namespace

Result<QueryResult> ExecuteSelect(Session& session, const ast::Select& stmt) {
  if (stmt.from.size() > 1) return ErrNotSupportedYet("joins");
  std::shared_ptr<const TableSchema> table;
  std::string alias;
  if (!stmt.from.empty()) {
    STRATA_ASSIGN_OR_RETURN(table, session.ResolveTable(stmt.from[0].table));
    alias = stmt.from[0].alias.empty() ? stmt.from[0].table.name : stmt.from[0].alias;
  }
  const uint32_t width = table ? static_cast<uint32_t>(table->columns.size()) : 0;

  bool grouped = !stmt.group_by.empty() || (stmt.having && ContainsAggregate(*stmt.having));
  for (const auto& item : stmt.items) grouped = grouped || ContainsAggregate(*item.expr);
  for (const auto& o : stmt.order_by) grouped = grouped || ContainsAggregate(*o.expr);

  std::vector<AggregateSpec> aggregates;
  BindContext ctx;
  ctx.session = &session;
  ctx.scope = {table.get(), alias};
  ctx.aggregates = grouped ? &aggregates : nullptr;
  ctx.aggregate_base = width;

  // Select list (stars expanded).
  std::vector<OutputColumn> outputs;
  for (const auto& item : stmt.items) {
    if (item.expr->kind == ast::ExprKind::kStar) {
      if (!table) return ErrNoTablesUsed();
      if (!item.expr->qualifier.empty() && !EqualsIgnoreCase(item.expr->qualifier, alias))
        return ErrUnknownTable(item.expr->qualifier);
      for (uint32_t c = 0; c < width; c++) outputs.push_back({table->columns[c].name, MakeColumnRef(c, OutTypeOfColumn(*table, c))});
      continue;
    }
    ctx.clause = "field list";
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*item.expr, ctx));
    outputs.push_back({item.alias.empty() ? ExprHeader(*item.expr) : item.alias, std::move(e)});
  }
  const size_t visible = outputs.size();

  BindContext row_ctx = ctx;
  row_ctx.aggregates = nullptr;
  BoundExprPtr where;
  if (stmt.where) {
    row_ctx.clause = "where clause";
    STRATA_ASSIGN_OR_RETURN(where, BindExpr(*stmt.where, row_ctx));
  }
  std::vector<BoundExprPtr> group_by;
  for (const auto& g : stmt.group_by) {
    const ast::Expr* source = g.get();
    if (IsPositionLiteral(*g)) {
      size_t pos = std::strtoull(g->text.c_str(), nullptr, 10);
      if (pos < 1 || pos > stmt.items.size() || stmt.items[pos - 1].expr->kind == ast::ExprKind::kStar)
        return ErrUnknownColumn(g->text, "group statement");
      source = stmt.items[pos - 1].expr.get();
    } else if (g->kind == ast::ExprKind::kColumn && g->qualifier.empty() && !(table && table->FindColumn(g->name))) {
      for (const auto& item : stmt.items)
        if (!item.alias.empty() && EqualsIgnoreCase(item.alias, g->name)) source = item.expr.get();
    }
    row_ctx.clause = "group statement";
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr b, BindExpr(*source, row_ctx));
    group_by.push_back(std::move(b));
  }
  BoundExprPtr having;
  if (stmt.having) {
    ctx.clause = "having clause";
    STRATA_ASSIGN_OR_RETURN(having, BindExpr(*stmt.having, ctx));
  }
  // ORDER BY: a position, an alias of the select list, or an expression (hidden column).
  std::vector<SortKey> sort_keys;
  for (const auto& o : stmt.order_by) {
    if (IsPositionLiteral(*o.expr)) {
      size_t pos = std::strtoull(o.expr->text.c_str(), nullptr, 10);
      if (pos < 1 || pos > visible)
        return ErrUnknownColumn(o.expr->text, "order clause");
      sort_keys.push_back({static_cast<uint32_t>(pos - 1), o.descending});
      continue;
    }
    std::optional<uint32_t> alias_index;
    if (o.expr->kind == ast::ExprKind::kColumn && o.expr->qualifier.empty()) {
      for (size_t i = 0; i < stmt.items.size() && i < visible; i++)
        if (!stmt.items[i].alias.empty() && EqualsIgnoreCase(stmt.items[i].alias, o.expr->name)) alias_index = static_cast<uint32_t>(i);
    }
    if (alias_index) {
      sort_keys.push_back({*alias_index, o.descending});
      continue;
    }
    ctx.clause = "order clause";
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*o.expr, ctx));
    sort_keys.push_back({static_cast<uint32_t>(outputs.size()), o.descending});
    outputs.push_back({"", std::move(e)});
  }
  std::optional<uint64_t> limit, offset;
  if (stmt.limit) {
    STRATA_ASSIGN_OR_RETURN(limit, BindLimit(*stmt.limit, session));
  }
  if (stmt.offset) {
    STRATA_ASSIGN_OR_RETURN(offset, BindLimit(*stmt.offset, session));
  }

  // Plan and run.
  EvalContext eval = session.eval_context();
  QueryResult result;
  OperatorPtr plan;
  if (table) {
    STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, session.Txn());
    plan = MakeScan(txn, table.get(), ChooseAccessPath(*table, where.get()), false, &result.rows_examined);
  } else {
    plan = MakeSingleRow();
  }
  if (where) plan = MakeFilter(std::move(plan), where.get(), &eval);
  std::vector<const BoundExpr*> group_ptrs;
  for (const auto& g : group_by) group_ptrs.push_back(g.get());
  if (grouped) plan = MakeAggregate(std::move(plan), std::move(group_ptrs), &aggregates, width, &eval);
  if (having) plan = MakeFilter(std::move(plan), having.get(), &eval);
  std::vector<const BoundExpr*> projections;
  for (const auto& o : outputs) projections.push_back(o.expr.get());
  plan = MakeProject(std::move(plan), std::move(projections), &eval);
  if (stmt.distinct) plan = MakeDistinct(std::move(plan), visible);
  if (!sort_keys.empty()) plan = MakeSort(std::move(plan), std::move(sort_keys));
  if (limit || offset) plan = MakeLimit(std::move(plan), offset.value_or(0), limit.value_or(UINT64_MAX));
  STRATA_ASSIGN_OR_RETURN(result.rows, Drain(*plan));
  for (Row& row : result.rows) row.resize(visible);

  result.has_rows = true;
  for (size_t i = 0; i < visible; i++) result.columns.push_back(DescribeColumn(outputs[i], alias));
  // The columns' types point into the schema: it must outlive the result, even when a DDL
  // replaces the catalog snapshot before the result is sent (found by ASan).
  result.schema = table;
  return result;
}

Result<std::vector<Row>> FindTargetRows(Session& session, txn::Transaction* txn, const TableSchema& table,
                                        const std::string& alias, const ast::Expr* where_expr,
                                        const std::vector<ast::OrderItem>& order_by, const ast::Expr* limit_expr,
                                        uint64_t* rows_examined) {
  BindContext ctx;
  ctx.session = &session;
  ctx.scope = {&table, alias};
  ctx.clause = "where clause";
  BoundExprPtr where;
  if (where_expr) {
    STRATA_ASSIGN_OR_RETURN(where, BindExpr(*where_expr, ctx));
  }
  std::vector<SortKey> keys;
  for (const auto& o : order_by) {
    ctx.clause = "order clause";
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*o.expr, ctx));
    if (e->kind != BoundExpr::Kind::kColumn) return ErrNotSupportedYet("ORDER BY expressions in UPDATE/DELETE");
    keys.push_back({e->column, o.descending});
  }
  std::optional<uint64_t> limit;
  if (limit_expr) {
    STRATA_ASSIGN_OR_RETURN(limit, BindLimit(*limit_expr, session));
  }
  EvalContext eval = session.eval_context();
  OperatorPtr plan = MakeScan(txn, &table, ChooseAccessPath(table, where.get()), true, rows_examined);
  if (where) plan = MakeFilter(std::move(plan), where.get(), &eval);
  if (!keys.empty()) plan = MakeSort(std::move(plan), std::move(keys));
  if (limit) plan = MakeLimit(std::move(plan), 0, *limit);
  return Drain(*plan);
}

}  // namespace strata::sql
