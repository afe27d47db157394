#include "parser_test_util.h"

#include <fmt/format.h>

namespace strata::sql::testing {

namespace {

std::string_view OpName(ast::Op op) {
  using ast::Op;
  switch (op) {
    case Op::kNone: return "none";
    case Op::kNeg: return "neg";
    case Op::kPlus: return "pos";
    case Op::kNot: return "not";
    case Op::kBitNot: return "~";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
    case Op::kIntDiv: return "div";
    case Op::kMod: return "%";
    case Op::kEq: return "=";
    case Op::kNullSafeEq: return "<=>";
    case Op::kNe: return "<>";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kAnd: return "and";
    case Op::kOr: return "or";
    case Op::kXor: return "xor";
    case Op::kBitAnd: return "&";
    case Op::kBitOr: return "|";
    case Op::kBitXor: return "^";
    case Op::kShiftLeft: return "<<";
    case Op::kShiftRight: return ">>";
  }
  return "?";
}

std::string Children(const ast::Expr& e, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < e.children.size(); ++i) {
    if (!out.empty()) out += " ";
    out += e.children[i] ? Render(*e.children[i]) : "DEFAULT";
  }
  return out;
}

}  // namespace

std::string Render(const ast::Expr& e) {
  using ast::ExprKind;
  std::string neg = e.negated ? "not-" : "";
  switch (e.kind) {
    case ExprKind::kLiteral:
      switch (e.literal_kind) {
        case ast::LiteralKind::kNull: return "NULL";
        case ast::LiteralKind::kString: return "'" + e.text + "'";
        case ast::LiteralKind::kBool: return e.text == "1" ? "TRUE" : "FALSE";
        default: return e.text;
      }
    case ExprKind::kColumn: {
      std::string out;
      if (!e.schema.empty()) out += e.schema + ".";
      if (!e.qualifier.empty()) out += e.qualifier + ".";
      return out + e.name;
    }
    case ExprKind::kStar: {
      std::string out;
      if (!e.schema.empty()) out += e.schema + ".";
      if (!e.qualifier.empty()) out += e.qualifier + ".";
      return out + "*";
    }
    case ExprKind::kVariable: {
      switch (e.scope) {
        case ast::VariableScope::kUser: return "@" + e.name;
        case ast::VariableScope::kSession: return "@@session." + e.name;
        case ast::VariableScope::kGlobal: return "@@global." + e.name;
        case ast::VariableScope::kDefault: return "@@" + e.name;
      }
      return "?";
    }
    case ExprKind::kParameter: return "?";
    case ExprKind::kUnary:
    case ExprKind::kBinary: return fmt::format("({} {})", OpName(e.op), Children(e));
    case ExprKind::kFunction:
      return fmt::format("{}({}{})", e.text, e.distinct ? "DISTINCT " : "", Children(e));
    case ExprKind::kIsNull: return fmt::format("({}is-null {})", neg, Children(e));
    case ExprKind::kIsBool: return fmt::format("({}is-{} {})", neg, e.text, Children(e));
    case ExprKind::kIn: return fmt::format("({}in {})", neg, Children(e));
    case ExprKind::kBetween: return fmt::format("({}between {})", neg, Children(e));
    case ExprKind::kLike: return fmt::format("({}like {})", neg, Children(e));
    case ExprKind::kCase:
      return fmt::format("(case{}{} {})", e.has_case_operand ? "-operand" : "", e.has_else ? "-else" : "",
                         Children(e));
    case ExprKind::kCast: return fmt::format("(cast {} {})", static_cast<int>(e.cast_type->kind), Children(e));
    case ExprKind::kInterval: return fmt::format("(interval {} {})", Children(e), e.text);
    case ExprKind::kRow: return fmt::format("(row {})", Children(e));
    case ExprKind::kSubquery: return "(subquery)";
    case ExprKind::kExists: return "(exists subquery)";
    case ExprKind::kInSubquery: return fmt::format("({}in {} subquery)", neg, Children(e));
  }
  return "?";
}

std::string RenderExpr(std::string_view expr) {
  std::string sql = "SELECT " + std::string(expr);
  Result<ast::StatementPtr> result = ParseOne(sql);
  if (!result.ok()) return "ERROR: " + result.status().ToString();
  auto* select = static_cast<ast::Select*>(result->get());
  if (select->kind != ast::StatementKind::kSelect || select->items.size() != 1) return "ERROR: not one item";
  return Render(*select->items[0].expr);
}

}  // namespace strata::sql::testing
