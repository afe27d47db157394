// ExprToString (expr.h): bound expressions as text, for plans (EXPLAIN) and test output.
#include <fmt/format.h>

#include "sql/expression/expr.h"

#include "common/ascii.h"
#include "sql/expression/functions.h"

namespace strata::sql {
namespace {

using ast::Op;
using K = BoundExpr::Kind;

std::string_view OpText(Op op) {
  switch (op) {
    case Op::kNone: return "?";
    case Op::kNeg: return "-";
    case Op::kPlus: return "+";
    case Op::kNot: return "NOT ";
    case Op::kBitNot: return "~";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
    case Op::kIntDiv: return "DIV";
    case Op::kMod: return "%";
    case Op::kEq: return "=";
    case Op::kNullSafeEq: return "<=>";
    case Op::kNe: return "<>";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kAnd: return "AND";
    case Op::kOr: return "OR";
    case Op::kXor: return "XOR";
    case Op::kBitAnd: return "&";
    case Op::kBitOr: return "|";
    case Op::kBitXor: return "^";
    case Op::kShiftLeft: return "<<";
    case Op::kShiftRight: return ">>";
  }
  return "?";
}

std::string ConstText(const Value& v) {
  if (v.is_null()) return "NULL";
  std::string text = v.ToText().value_or("NULL");
  return v.kind() == ValueKind::kString ? "'" + text + "'" : text;
}

std::string Children(const BoundExpr& e, size_t from) {
  std::string out;
  for (size_t i = from; i < e.children.size(); i++) {
    if (i > from) out += ", ";
    out += ExprToString(*e.children[i]);
  }
  return out;
}

}  // namespace

std::string_view FnName(Fn fn) {
  switch (fn) {
    case Fn::kNone: return "?";
    case Fn::kIf: return "if";
    case Fn::kIfNull: return "ifnull";
    case Fn::kCoalesce: return "coalesce";
    case Fn::kNullIf: return "nullif";
    case Fn::kNow: return "now";
    case Fn::kCurDate: return "curdate";
    case Fn::kValues: return "values";
    case Fn::kSetLastInsertId: return "last_insert_id";
    case Fn::kUserLock: return "get_lock";  // the family: ExprToString names each by BoundExpr::column
    case Fn::kCount: return "count";
    case Fn::kCountStar: return "count";
    case Fn::kSum: return "sum";
    case Fn::kMin: return "min";
    case Fn::kMax: return "max";
    case Fn::kAvg: return "avg";
    case Fn::kGroupConcat: return "group_concat";
    case Fn::kBitAnd: return "bit_and";
    case Fn::kBitOr: return "bit_or";
    case Fn::kBitXor: return "bit_xor";
    case Fn::kStdPop: return "std";
    case Fn::kStdSamp: return "stddev_samp";
    case Fn::kVarPop: return "variance";
    case Fn::kVarSamp: return "var_samp";
    case Fn::kJsonArrayAgg: return "json_arrayagg";
    case Fn::kJsonObjectAgg: return "json_objectagg";
    case Fn::kBuiltin: return "builtin";
  }
  return "?";
}

std::string ExprToString(const BoundExpr& e) {
  const std::string_view negated = e.negated ? "NOT " : "";
  switch (e.kind) {
    case K::kConst: return ConstText(e.constant);
    case K::kColumn: return fmt::format("#{}", e.column);
    case K::kUnary: return fmt::format("{}{}", OpText(e.op), ExprToString(*e.children[0]));
    case K::kBinary: {  // AND / OR chains have any number of operands
      std::string out = "(" + ExprToString(*e.children[0]);
      for (size_t i = 1; i < e.children.size(); i++) out += fmt::format(" {} {}", OpText(e.op), ExprToString(*e.children[i]));
      return out + ")";
    }
    case K::kFunc:
      if (e.fn == Fn::kValues) return fmt::format("values(#{})", e.column);
      if (e.fn == Fn::kBuiltin && e.builtin == &CollateFunction() && e.children.size() == 3)
        return fmt::format("({} collate {})", ExprToString(*e.children[0]), *e.children[1]->constant.ToText());
      if (e.fn == Fn::kBuiltin && e.builtin) return fmt::format("{}({})", ToLower(e.builtin->name), Children(e, 0));
      if (e.fn == Fn::kUserLock) {
        static const char* const kNames[] = {"get_lock", "release_lock", "is_free_lock", "is_used_lock",
                                             "release_all_locks"};
        return fmt::format("{}({})", kNames[e.column < 5 ? e.column : 0], Children(e, 0));
      }
      return fmt::format("{}({})", FnName(e.fn), Children(e, 0));
    case K::kIsNull: return fmt::format("({} IS {}NULL)", ExprToString(*e.children[0]), negated);
    case K::kIsBool:
      return fmt::format("({} IS {}{})", ExprToString(*e.children[0]), negated,
                         e.constant.ToBool().value_or(false) ? "TRUE" : "FALSE");
    case K::kIn: return fmt::format("({} {}IN ({}))", ExprToString(*e.children[0]), negated, Children(e, 1));
    case K::kBetween:
      return fmt::format("({} {}BETWEEN {} AND {})", ExprToString(*e.children[0]), negated,
                         ExprToString(*e.children[1]), ExprToString(*e.children[2]));
    case K::kLike:
      return fmt::format("({} {}LIKE {})", ExprToString(*e.children[0]), negated, ExprToString(*e.children[1]));
    case K::kCase: return fmt::format("CASE({})", Children(e, 0));
    case K::kCast: return fmt::format("CAST({} AS {})", ExprToString(*e.children[0]), e.cast_type.ToSql());
    case K::kOuterColumn: return fmt::format("outer{}#{}", e.depth, e.column);
    case K::kSubquery: {
      const char* what = e.correlated ? "correlated subquery" : "subquery";
      switch (e.subquery_kind) {
        case SubqueryKind::kScalar: return fmt::format("({})", what);
        case SubqueryKind::kExists: return fmt::format("EXISTS({})", what);
        case SubqueryKind::kIn: return fmt::format("({} {}IN ({}))", ExprToString(*e.children[0]), negated, what);
      }
      return "?";
    }
  }
  return "?";
}

std::string AggregateToString(const AggregateSpec& spec) {
  if (spec.fn == Fn::kCountStar) return "count(*)";
  return fmt::format("{}({}{})", FnName(spec.fn), spec.distinct ? "DISTINCT " : "",
                     spec.arg ? ExprToString(*spec.arg) : "");
}

}  // namespace strata::sql
