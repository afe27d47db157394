#include "sql/parser/ast.h"

#include "common/check.h"

namespace strata::sql::ast {

bool Clonable(const Expr& e) {
  if (e.subquery || e.window) return false;
  for (const ExprPtr& c : e.children)
    if (c && !Clonable(*c)) return false;
  for (const OrderItem& o : e.order_by)
    if (!Clonable(*o.expr)) return false;
  return true;
}

ExprPtr CloneNode(const Expr& e) {
  STRATA_CHECK(!e.subquery && !e.window);
  auto out = std::make_unique<Expr>();
  out->kind = e.kind;
  out->literal_kind = e.literal_kind;
  out->text = e.text;
  out->schema = e.schema;
  out->qualifier = e.qualifier;
  out->name = e.name;
  out->scope = e.scope;
  out->op = e.op;
  out->negated = e.negated;
  out->distinct = e.distinct;
  out->has_case_operand = e.has_case_operand;
  out->has_else = e.has_else;
  out->typed_literal = e.typed_literal;
  out->param_index = e.param_index;
  if (e.cast_type) out->cast_type = std::make_unique<TypeName>(*e.cast_type);
  out->separator = e.separator;
  for (const OrderItem& o : e.order_by) out->order_by.push_back({CloneExpr(*o.expr), o.descending});  // Clonable
  out->source = e.source;
  out->offset = e.offset;
  out->length = e.length;
  return out;
}

ExprPtr CloneExpr(const Expr& e) {
  ExprPtr out = CloneNode(e);
  for (const ExprPtr& c : e.children) out->children.push_back(c ? CloneExpr(*c) : nullptr);
  return out;
}

}  // namespace strata::sql::ast
