#include "sql/binder/binder.h"

#include <unordered_map>

#include <fmt/format.h>

#include "common/ascii.h"
#include "sql/binder/binder_internal.h"
#include "sql/errors.h"
#include "sql/expression/functions.h"

namespace strata::sql {
namespace binder_internal {

using K = BoundExpr::Kind;

Status UnknownColumn(const ast::Expr& e, std::string_view clause) {
  std::string name = e.qualifier.empty() ? e.name : e.qualifier + "." + e.name;
  return ErrUnknownColumn(name, clause);
}

Result<BoundExprPtr> Fold(BoundExprPtr e, const BindContext& ctx) {
  // A subquery runs only inside a statement's execution; an outer reference varies per row.
  if (e->kind == K::kConst || e->kind == K::kColumn || e->kind == K::kSubquery || e->kind == K::kOuterColumn) return e;
  if (e->kind == K::kFunc && (e->fn == Fn::kNow || e->fn == Fn::kCurDate || e->fn == Fn::kValues ||
                              e->fn == Fn::kSetLastInsertId || e->fn == Fn::kUserLock))
    return e;
  if (e->kind == K::kFunc && e->fn == Fn::kBuiltin && !e->builtin->deterministic) return e;
  for (const auto& c : e->children)
    if (!c->IsConst()) return e;
  EvalContext ectx = ctx.session->eval_context();
  STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e, Row(), ectx));
  bool keep_kind = !v.is_null() && (e->type.kind == OutKind::kJson || e->type.kind == OutKind::kDate ||
                                    e->type.kind == OutKind::kDateTime || e->type.kind == OutKind::kTime);
  BoundExprPtr folded = MakeConst(std::move(v));
  if (keep_kind) folded->type.kind = e->type.kind;  // a folded DATE_ADD(...) is still a DATE, JSON_ARRAY() JSON
  folded->type.single_precision = folded->type.kind == OutKind::kDouble && e->type.single_precision;  // still a FLOAT
  return folded;
}

OutType Numeric(const BoundExpr& a, const BoundExpr& b, ast::Op op) {
  OutType t;
  auto is_int = [](OutKind k) { return k == OutKind::kInt || k == OutKind::kUint; };
  auto is_exact = [&](OutKind k) { return is_int(k) || k == OutKind::kDecimal; };
  if (op == ast::Op::kDiv) {
    t.kind = is_exact(a.type.kind) && is_exact(b.type.kind) ? OutKind::kDecimal : OutKind::kDouble;
    t.decimals = t.kind == OutKind::kDecimal ? static_cast<uint8_t>(a.type.decimals + 4) : 31;
  } else if (is_int(a.type.kind) && is_int(b.type.kind)) {
    t.kind = a.type.kind == OutKind::kUint || b.type.kind == OutKind::kUint ? OutKind::kUint : OutKind::kInt;
  } else if (is_exact(a.type.kind) && is_exact(b.type.kind)) {
    t.kind = OutKind::kDecimal;
    t.decimals = std::max(a.type.decimals, b.type.decimals);
  } else {
    t.kind = OutKind::kDouble;
    t.decimals = 31;
  }
  t.length = 21;
  return t;
}

}  // namespace binder_internal

namespace {

using namespace binder_internal;

using ast::ExprKind;

// `e` among the tables of `scope`: nullptr when none has it.
Result<BoundExprPtr> FindInScope(const ast::Expr& e, const BindScope& scope, std::string_view clause) {
  BoundExprPtr found;
  for (const ScopeTable& st : scope.tables) {
    const TableSchema& table = *st.table;
    bool qualifier_ok = e.qualifier.empty() || EqualsIgnoreCase(e.qualifier, st.alias);
    bool schema_ok = e.schema.empty() || EqualsIgnoreCase(e.schema, table.database);
    if (!qualifier_ok || !schema_ok) continue;
    std::optional<uint32_t> col = table.FindColumn(e.name);
    if (!col || (e.qualifier.empty() && *col < st.hidden.size() && st.hidden[*col])) continue;
    if (found) return ErrAmbiguousColumn(e.name, clause);
    found = st.Ref(*col);
  }
  return found;
}

// A column of this query's tables, else (in a subquery) of an enclosing query's: then a
// kOuterColumn, and every subquery between is correlated.
Result<BoundExprPtr> BindColumn(const ast::Expr& e, BindContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(BoundExprPtr found, FindInScope(e, ctx.scope, ctx.clause));
  if (found) return found;
  uint32_t depth = 1;
  for (const BindContext* outer = ctx.outer; outer; outer = outer->outer, depth++) {
    STRATA_ASSIGN_OR_RETURN(found, FindInScope(e, outer->scope, ctx.clause));
    if (!found) continue;
    found->kind = K::kOuterColumn;
    found->depth = depth;
    const BindContext* level = &ctx;
    for (uint32_t d = 0; d < depth; d++, level = level->outer)
      if (level->correlated) *level->correlated = true;
    return found;
  }
  return UnknownColumn(e, ctx.clause);
}

// (SELECT ...), EXISTS (SELECT ...), x [NOT] IN (SELECT ...).
Result<BoundExprPtr> BindSubquery(const ast::Expr& e, BindContext& ctx) {
  const SemiJoinUse semi_join = e.kind == ExprKind::kExists                      ? SemiJoinUse::kExists
                                : e.kind == ExprKind::kInSubquery && !e.negated ? SemiJoinUse::kIn
                                                                                : SemiJoinUse::kNone;
  STRATA_ASSIGN_OR_RETURN(BoundSubquery sub, ctx.session->BindSubquery(*e.subquery, ctx, semi_join));
  auto node = std::make_unique<BoundExpr>();
  node->kind = K::kSubquery;
  node->subquery = std::move(sub.plan);
  node->correlated = sub.correlated;
  node->negated = e.negated;
  if (e.kind == ExprKind::kExists) {
    node->subquery_kind = SubqueryKind::kExists;
    node->type.kind = OutKind::kInt;
    node->type.not_null = true;
    return BoundExprPtr(std::move(node));
  }
  if (sub.columns.size() != 1) return ErrOperandColumns(1);
  if (e.kind == ExprKind::kSubquery) {
    node->subquery_kind = SubqueryKind::kScalar;
    node->type = sub.columns[0];
    node->type.table = nullptr;
    node->type.column = -1;
    node->type.not_null = false;
    return BoundExprPtr(std::move(node));
  }
  node->subquery_kind = SubqueryKind::kIn;
  node->type.kind = OutKind::kInt;
  STRATA_ASSIGN_OR_RETURN(BoundExprPtr left, BindExpr(*e.children[0], ctx));
  node->children.push_back(std::move(left));
  return BoundExprPtr(std::move(node));
}

Result<BoundExprPtr> BindVariable(const ast::Expr& e, BindContext& ctx) {
  ctx.session->MarkPlanUncacheable();  // @x changes without a statement the session sees as a setting
  if (e.scope == ast::VariableScope::kUser) {
    STRATA_ASSIGN_OR_RETURN(Value v, ctx.session->UserVariable(e.name));
    return MakeConst(std::move(v));
  }
  std::string name = ToLower(e.name);
  std::optional<Value> v = ctx.session->SystemVariable(name, e.scope == ast::VariableScope::kGlobal);
  if (!v)
    return ErrUnknownSystemVariable(e.name);
  return MakeConst(std::move(*v));
}

}  // namespace

Result<Value> LiteralValue(const ast::Expr& e) {
  switch (e.literal_kind) {
    case ast::LiteralKind::kNull: return Value::Null();
    case ast::LiteralKind::kBool: return Value::Int(e.text == "1" ? 1 : 0);
    case ast::LiteralKind::kString: return Value::String(e.text);
    case ast::LiteralKind::kInteger: {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(e.text.c_str(), &end, 10);
      if (errno == 0 && end && *end == '\0') return Value::Int(v);
      errno = 0;
      unsigned long long u = std::strtoull(e.text.c_str(), &end, 10);
      if (errno == 0 && e.text[0] != '-' && end && *end == '\0') return Value::Uint(u);
      STRATA_ASSIGN_OR_RETURN(Decimal d, Decimal::Parse(e.text));
      return Value::Dec(d);
    }
    case ast::LiteralKind::kDecimal: {
      auto d = Decimal::Parse(e.text);
      if (d.ok()) return Value::Dec(*d);
      return Value::Double(std::strtod(e.text.c_str(), nullptr));
    }
    case ast::LiteralKind::kFloat: return Value::Double(std::strtod(e.text.c_str(), nullptr));
  }
  return Value::Null();
}

std::string ExprHeader(const ast::Expr& e) {
  if (e.kind == ExprKind::kColumn) return e.name;
  if (e.kind == ExprKind::kLiteral && e.literal_kind == ast::LiteralKind::kString) return e.text;
  return e.source.empty() ? e.text : e.source;
}

bool ContainsAggregate(const ast::Expr& e) {
  if (e.kind == ExprKind::kFunction && IsAggregateName(e.text) && !e.window) return true;
  for (const auto& c : e.children)
    if (ContainsAggregate(*c)) return true;
  return false;
}

Result<BoundExprPtr> BindExpr(const ast::Expr& e, BindContext& ctx) {
  auto node = std::make_unique<BoundExpr>();
  auto bind_children = [&]() -> Status {
    for (const auto& child : e.children) {
      STRATA_ASSIGN_OR_RETURN(BoundExprPtr b, BindExpr(*child, ctx));
      node->children.push_back(std::move(b));
    }
    return Status::OK();
  };
  switch (e.kind) {
    case ExprKind::kLiteral: {
      STRATA_ASSIGN_OR_RETURN(Value v, LiteralValue(e));
      if (v.kind() == ValueKind::kString && ctx.session != nullptr) v.set_collation(ctx.session->literal_collation());
      return MakeConst(std::move(v));
    }
    case ExprKind::kColumn: return BindColumn(e, ctx);
    case ExprKind::kSubquery: case ExprKind::kExists: case ExprKind::kInSubquery: return BindSubquery(e, ctx);
    case ExprKind::kVariable: return BindVariable(e, ctx);
    case ExprKind::kFunction: return BindFunction(e, ctx);
    case ExprKind::kStar:
      return ErrStarNotAllowed();
    case ExprKind::kParameter: {
      uint32_t binding = 0;
      std::optional<Value> v = ctx.session ? ctx.session->Parameter(e.param_index, &binding) : std::nullopt;
      if (!v) return ErrNotSupportedYet("? parameters outside prepared statements");
      BoundExprPtr constant = MakeConst(std::move(*v));
      constant->param = binding;
      return constant;
    }
    case ExprKind::kRow:
      if (e.children.size() == 1) return BindExpr(*e.children[0], ctx);
      return ErrNotSupportedYet("row constructors");
    case ExprKind::kInterval:
      return ErrNotSupportedYet("INTERVAL arithmetic");
    case ExprKind::kUnary:
      node->kind = K::kUnary;
      node->op = e.op;
      STRATA_RETURN_IF_ERROR(bind_children());
      node->type = e.op == ast::Op::kNot ? MakeConst(Value::Int(0))->type : node->children[0]->type;
      node->type.table = nullptr;
      node->type.column = -1;
      node->type.single_precision = false;  // -f is a DOUBLE, as MySQL's
      if (e.op == ast::Op::kBitNot) node->type.kind = OutKind::kUint;
      break;
    case ExprKind::kBinary: {
      using ast::Op;
      if ((e.op == Op::kAdd || e.op == Op::kSub) && e.children[1]->kind == ExprKind::kInterval)
        return BindIntervalArithmetic(*e.children[0], *e.children[1], e.op == Op::kSub, ctx);
      if (e.op == Op::kAdd && e.children[0]->kind == ExprKind::kInterval)
        return BindIntervalArithmetic(*e.children[1], *e.children[0], false, ctx);
      node->kind = K::kBinary;
      node->op = e.op;
      STRATA_RETURN_IF_ERROR(bind_children());
      switch (e.op) {
        case Op::kAdd: case Op::kSub: case Op::kMul: case Op::kDiv: case Op::kMod:
          node->type = Numeric(*node->children[0], *node->children[1], e.op);
          break;
        case Op::kIntDiv: node->type.kind = OutKind::kInt; break;
        case Op::kBitAnd: case Op::kBitOr: case Op::kBitXor: case Op::kShiftLeft: case Op::kShiftRight:
          node->type.kind = OutKind::kUint;
          break;
        default: node->type.kind = OutKind::kInt; node->type.length = 1; break;
      }
      break;
    }
    case ExprKind::kIsNull: case ExprKind::kIn: case ExprKind::kBetween: case ExprKind::kLike:
      node->kind = e.kind == ExprKind::kIsNull ? K::kIsNull : e.kind == ExprKind::kIn ? K::kIn
                   : e.kind == ExprKind::kBetween ? K::kBetween : K::kLike;
      node->negated = e.negated;
      STRATA_RETURN_IF_ERROR(bind_children());
      node->type.kind = OutKind::kInt;
      node->type.length = 1;
      break;
    case ExprKind::kIsBool:
      node->kind = K::kIsBool;
      node->negated = e.negated;
      node->constant = Value::Int(e.text == "TRUE" ? 1 : 0);
      STRATA_RETURN_IF_ERROR(bind_children());
      node->type.kind = OutKind::kInt;
      node->type.length = 1;
      break;
    case ExprKind::kCase:
      node->kind = K::kCase;
      node->has_case_operand = e.has_case_operand;
      node->has_else = e.has_else;
      STRATA_RETURN_IF_ERROR(bind_children());
      {  // the first THEN or ELSE that is not a NULL literal gives the type (as IF's and
         // COALESCE's, function_binder.cc); a FLOAT only when every one is (FLOAT with
         // DOUBLE is DOUBLE)
        std::vector<const BoundExpr*> results;
        const size_t end = node->children.size() - (e.has_else ? 1 : 0);
        for (size_t i = e.has_case_operand ? 2 : 1; i < end; i += 2) results.push_back(node->children[i].get());
        if (e.has_else) results.push_back(node->children.back().get());
        node->type = results.front()->type;
        for (const BoundExpr* r : results) {
          if (r->type.kind == OutKind::kNull) continue;
          if (node->type.kind == OutKind::kNull) node->type = r->type;
          node->type.single_precision = node->type.single_precision && r->type.single_precision;
        }
      }
      node->type.table = nullptr;
      node->type.column = -1;
      break;
    case ExprKind::kCast: {
      node->kind = K::kCast;
      STRATA_RETURN_IF_ERROR(bind_children());
      const ast::TypeName& t = *e.cast_type;
      node->cast_type.kind = t.kind;
      node->cast_type.length = t.length.value_or(t.kind == ast::TypeKind::kDecimal ? 10 : 0);
      node->cast_type.scale = t.scale.value_or(0);
      if (t.kind == ast::TypeKind::kDecimal) {
        const std::string what = ExprHeader(*e.children[0]);
        if (node->cast_type.length > Decimal::kMaxDigits) return ErrTooBigPrecision(node->cast_type.length, what);
        if (node->cast_type.scale > Decimal::kMaxScale) return ErrTooBigScale(node->cast_type.scale, what);
        if (node->cast_type.scale > node->cast_type.length) return ErrMBiggerThanD(what);
      }
      if (node->cast_type.IsTemporal()) {  // DATETIME(3), TIME(6): the fractional digits
        if (node->cast_type.length > 6) return ErrTooBigPrecision(node->cast_type.length, "CAST", 6);
        node->cast_type.scale = node->cast_type.length;
        node->cast_type.length = 0;
      }
      node->cast_type.is_unsigned = t.is_unsigned;
      if (node->cast_type.IsText()) {  // CAST(x AS CHAR): the connection's collation
        const CollationInfo* info = nullptr;
        if (ctx.session != nullptr) {
          std::optional<Value> name = ctx.session->SystemVariable("collation_connection", false);
          if (name && name->kind() == ValueKind::kString) info = CollationByName(name->string_value());
        }
        node->cast_type.collation = info != nullptr ? info->id : kDefaultCollation;
      }
      ColumnSchema fake;
      fake.type = node->cast_type;
      TableSchema dummy;
      dummy.columns.push_back(fake);
      node->type = OutTypeOfColumn(dummy, 0);
      node->type.table = nullptr;
      node->type.column = -1;
      node->type.not_null = false;
      if (e.typed_literal && node->children[0]->IsConst() && !node->children[0]->constant.is_null()) {
        // DATE '2024-02-30' is an error, not NULL (a CAST of the same string is NULL).
        std::string text = node->children[0]->constant.ToText().value_or("");
        STRATA_ASSIGN_OR_RETURN(BoundExprPtr folded, Fold(std::move(node), ctx));
        if (folded->IsConst() && folded->constant.is_null())
          return ErrWrongValue(t.kind == ast::TypeKind::kDate ? "DATE" : t.kind == ast::TypeKind::kTime ? "TIME" : "DATETIME", text);
        return folded;
      }
      break;
    }
  }
  return Fold(std::move(node), ctx);
}

Result<uint64_t> BindLimit(const ast::Expr& e, const SessionContext& session) {
  // LIMIT ? while preparing: the value is unknown and only the result columns are wanted.
  if (e.kind == ExprKind::kParameter && session.describing_prepared()) return 0;
  BindContext ctx;
  ctx.session = &session;
  STRATA_ASSIGN_OR_RETURN(BoundExprPtr b, BindExpr(e, ctx));
  if (!b->IsConst() || b->constant.is_null() ||
      (b->constant.kind() != ValueKind::kInt && b->constant.kind() != ValueKind::kUint) ||
      (b->constant.kind() == ValueKind::kInt && b->constant.int_value() < 0))
    return ErrWrongLimitArguments();
  return b->constant.kind() == ValueKind::kInt ? static_cast<uint64_t>(b->constant.int_value()) : b->constant.uint_value();
}

}  // namespace strata::sql
