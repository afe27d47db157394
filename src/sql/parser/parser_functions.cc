// Expressions with their own syntax: function calls (COUNT(*), COUNT(DISTINCT x),
// SUBSTRING(s FROM p FOR n)), CASE, CAST/CONVERT with MySQL's cast types, and INTERVAL.
#include <array>

#include "sql/parser/parser_internal.h"

namespace strata::sql::internal {

namespace {

using ast::ExprKind;
using ast::ExprPtr;

bool IsIntervalUnit(std::string_view upper) {
  static constexpr std::array<std::string_view, 20> kUnits = {
      "MICROSECOND",      "SECOND",          "MINUTE",        "HOUR",         "DAY",
      "WEEK",             "MONTH",           "QUARTER",       "YEAR",         "SECOND_MICROSECOND",
      "MINUTE_MICROSECOND", "MINUTE_SECOND", "HOUR_MICROSECOND", "HOUR_SECOND", "HOUR_MINUTE",
      "DAY_MICROSECOND",  "DAY_SECOND",      "DAY_MINUTE",    "DAY_HOUR",     "YEAR_MONTH"};
  for (std::string_view unit : kUnits) {
    if (unit == upper) return true;
  }
  return false;
}

}  // namespace

Result<ExprPtr> Parser::ParseFunctionCall(std::string name, size_t start) {
  DepthScope depth(&depth_);
  if (depth.exceeded()) return DepthError();
  STRATA_RETURN_IF_ERROR(ExpectPunct("("));
  ExprPtr e = NewExpr(ExprKind::kFunction, start);
  e->text = e->name = ToUpper(name);
  const std::string& upper = e->text;
  if (upper == "EXTRACT" || upper == "TRIM" || upper == "POSITION") {
    STRATA_RETURN_IF_ERROR(ParseSpecialArguments(e.get()));
  } else if (upper == "COUNT" && PeekPunct("*") && PeekPunct(")", 1)) {
    size_t star_start = pos_;
    Advance();
    ExprPtr star = NewExpr(ExprKind::kStar, star_start);
    Finish(star.get(), star_start);
    e->children.push_back(std::move(star));
  } else if (!PeekPunct(")")) {
    if (AcceptWord("DISTINCT")) e->distinct = true;
    else AcceptWord("ALL");
    do {
      // TIMESTAMPDIFF(unit, a, b) / TIMESTAMPADD(unit, n, d): the unit is a word.
      if ((upper == "TIMESTAMPDIFF" || upper == "TIMESTAMPADD") && e->children.empty() &&
          Peek().kind == TokenKind::kWord && IsIntervalUnit(ToUpper(Peek().value))) {
        e->children.push_back(UnitLiteral());
        continue;
      }
      STRATA_ASSIGN_OR_RETURN(ExprPtr arg, ParseExpr());
      e->children.push_back(std::move(arg));
      // SUBSTRING(s FROM p [FOR n]) is SUBSTRING(s, p[, n]).
      if ((upper == "SUBSTRING" || upper == "SUBSTR") && e->children.size() == 1 && AcceptWord("FROM")) {
        STRATA_ASSIGN_OR_RETURN(ExprPtr from, ParseExpr());
        e->children.push_back(std::move(from));
        if (AcceptWord("FOR")) {
          STRATA_ASSIGN_OR_RETURN(ExprPtr count, ParseExpr());
          e->children.push_back(std::move(count));
        }
        break;
      }
    } while (AcceptPunct(","));
    if (upper == "GROUP_CONCAT") {
      if (AcceptWord("ORDER")) {
        STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
        STRATA_ASSIGN_OR_RETURN(e->order_by, ParseOrderList());
      }
      if (AcceptWord("SEPARATOR")) {
        if (Peek().kind != TokenKind::kString) return Error();
        e->separator = Advance().value;
      }
    }
  }
  STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  if (AcceptWord("OVER")) {
    e->window = std::make_unique<ast::WindowSpec>();
    if (AcceptPunct("(")) {
      STRATA_RETURN_IF_ERROR(ParseWindowBody(e->window.get()));
      STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    } else {
      STRATA_ASSIGN_OR_RETURN(e->window->name, ParseIdentifier());
    }
  }
  Finish(e.get(), start);
  return e;
}

// The inside of OVER (...) or WINDOW w AS (...): [PARTITION BY e, ...] [ORDER BY ...]
// [{ROWS|RANGE} {bound | BETWEEN bound AND bound}].
Status Parser::ParseWindowBody(ast::WindowSpec* w) {
  if (Peek().kind == TokenKind::kQuotedIdent ||
      (Peek().kind == TokenKind::kWord && !PeekWord("PARTITION") && !PeekWord("ORDER") && !PeekWord("ROWS") &&
       !PeekWord("RANGE"))) {
    return ErrNotSupportedYet("a window that extends a named window");
  }
  if (AcceptWord("PARTITION")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
    do {
      STRATA_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
      w->partition_by.push_back(std::move(e));
    } while (AcceptPunct(","));
  }
  if (AcceptWord("ORDER")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
    STRATA_ASSIGN_OR_RETURN(w->order_by, ParseOrderList());
  }
  if (!PeekWord("ROWS") && !PeekWord("RANGE")) return Status::OK();
  w->has_frame = true;
  w->frame_rows = ToUpper(Advance().value) == "ROWS";
  auto bound = [&](ast::FrameBound* b) -> Status {
    using K = ast::FrameBound::Kind;
    if (AcceptWord("UNBOUNDED")) {
      if (AcceptWord("PRECEDING")) b->kind = K::kUnboundedPreceding;
      else if (AcceptWord("FOLLOWING")) b->kind = K::kUnboundedFollowing;
      else return Error();
      return Status::OK();
    }
    if (AcceptWord("CURRENT")) {
      b->kind = K::kCurrentRow;
      return ExpectWord("ROW");
    }
    if (PeekWord("INTERVAL")) return ErrNotSupportedYet("INTERVAL in a window frame");
    STRATA_ASSIGN_OR_RETURN(b->offset, ParseUnsigned());
    if (AcceptWord("PRECEDING")) b->kind = K::kPreceding;
    else if (AcceptWord("FOLLOWING")) b->kind = K::kFollowing;
    else return Error();
    return Status::OK();
  };
  if (AcceptWord("BETWEEN")) {
    STRATA_RETURN_IF_ERROR(bound(&w->start));
    STRATA_RETURN_IF_ERROR(ExpectWord("AND"));
    return bound(&w->end);
  }
  STRATA_RETURN_IF_ERROR(bound(&w->start));
  w->end.kind = ast::FrameBound::Kind::kCurrentRow;
  return Status::OK();
}

ExprPtr Parser::UnitLiteral() {
  size_t start = pos_;
  ExprPtr unit = NewExpr(ExprKind::kLiteral, start);
  unit->literal_kind = ast::LiteralKind::kString;
  unit->text = ToUpper(Advance().value);
  Finish(unit.get(), start);
  return unit;
}

// EXTRACT(unit FROM d) → EXTRACT('unit', d); POSITION(sub IN s) → POSITION(sub, s);
// TRIM([BOTH|LEADING|TRAILING] [r] FROM s) → TRIM|LTRIM|RTRIM(s[, r]).
Status Parser::ParseSpecialArguments(ast::Expr* e) {
  if (e->text == "EXTRACT") {
    if (Peek().kind != TokenKind::kWord || !IsIntervalUnit(ToUpper(Peek().value))) return Error();
    e->children.push_back(UnitLiteral());
    STRATA_RETURN_IF_ERROR(ExpectWord("FROM"));
    STRATA_ASSIGN_OR_RETURN(ExprPtr d, ParseExpr());
    e->children.push_back(std::move(d));
    return Status::OK();
  }
  if (e->text == "POSITION") {
    STRATA_ASSIGN_OR_RETURN(ExprPtr sub, ParseBitOr());
    STRATA_RETURN_IF_ERROR(ExpectWord("IN"));
    STRATA_ASSIGN_OR_RETURN(ExprPtr s, ParseExpr());
    e->children.push_back(std::move(sub));
    e->children.push_back(std::move(s));
    return Status::OK();
  }
  bool side = false;
  if (AcceptWord("LEADING")) e->text = e->name = "LTRIM", side = true;
  else if (AcceptWord("TRAILING")) e->text = e->name = "RTRIM", side = true;
  else if (AcceptWord("BOTH")) side = true;
  ExprPtr remove;
  if (!(side && PeekWord("FROM"))) {
    STRATA_ASSIGN_OR_RETURN(remove, ParseExpr());
  }
  if (AcceptWord("FROM")) {
    STRATA_ASSIGN_OR_RETURN(ExprPtr s, ParseExpr());
    e->children.push_back(std::move(s));
    if (remove) e->children.push_back(std::move(remove));
  } else {
    if (side || !remove) return Error();
    e->children.push_back(std::move(remove));
  }
  return Status::OK();
}

Result<ExprPtr> Parser::ParseCase() {
  size_t start = pos_;
  DepthScope depth(&depth_);
  if (depth.exceeded()) return DepthError();
  STRATA_RETURN_IF_ERROR(ExpectWord("CASE"));
  ExprPtr e = NewExpr(ExprKind::kCase, start);
  if (!PeekWord("WHEN")) {
    STRATA_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr());
    e->children.push_back(std::move(operand));
    e->has_case_operand = true;
  }
  if (!PeekWord("WHEN")) return Error();
  while (AcceptWord("WHEN")) {
    STRATA_ASSIGN_OR_RETURN(ExprPtr condition, ParseExpr());
    STRATA_RETURN_IF_ERROR(ExpectWord("THEN"));
    STRATA_ASSIGN_OR_RETURN(ExprPtr result, ParseExpr());
    e->children.push_back(std::move(condition));
    e->children.push_back(std::move(result));
  }
  if (AcceptWord("ELSE")) {
    STRATA_ASSIGN_OR_RETURN(ExprPtr otherwise, ParseExpr());
    e->children.push_back(std::move(otherwise));
    e->has_else = true;
  }
  STRATA_RETURN_IF_ERROR(ExpectWord("END"));
  Finish(e.get(), start);
  return e;
}

// CAST(x AS type), CONVERT(x, type), CONVERT(x USING charset) (accepted; the value is x).
Result<ExprPtr> Parser::ParseCast(bool convert) {
  size_t start = pos_;
  DepthScope depth(&depth_);
  if (depth.exceeded()) return DepthError();
  Advance();
  STRATA_RETURN_IF_ERROR(ExpectPunct("("));
  STRATA_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr());
  if (convert && AcceptWord("USING")) {
    STRATA_ASSIGN_OR_RETURN(std::string charset, ParseNameOrString());
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    Finish(operand.get(), start);
    return operand;
  }
  STRATA_RETURN_IF_ERROR(convert ? ExpectPunct(",") : ExpectWord("AS"));
  ExprPtr e = NewExpr(ExprKind::kCast, start);
  STRATA_ASSIGN_OR_RETURN(ast::TypeName type, ParseCastType());
  STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  e->cast_type = std::make_unique<ast::TypeName>(std::move(type));
  e->children.push_back(std::move(operand));
  Finish(e.get(), start);
  return e;
}

Result<ast::TypeName> Parser::ParseCastType() {
  ast::TypeName type;
  if (Peek().kind != TokenKind::kWord) return Error();
  std::string word = ToUpper(Advance().value);
  if (word == "SIGNED" || word == "UNSIGNED") {
    type.kind = ast::TypeKind::kBigInt;
    type.is_unsigned = word == "UNSIGNED";
    if (!AcceptWord("INTEGER")) AcceptWord("INT");
    return type;
  }
  if (word == "CHAR" || word == "CHARACTER" || word == "NCHAR" || word == "BINARY") {
    type.kind = word == "BINARY" ? ast::TypeKind::kBinary : ast::TypeKind::kChar;
    STRATA_ASSIGN_OR_RETURN(type.length, ParseOptionalLength());
    if (type.kind == ast::TypeKind::kChar) {
      if (AcceptCharsetKeyword()) {
        STRATA_ASSIGN_OR_RETURN(type.charset, ParseNameOrString());
      } else if (!AcceptWord("ASCII") && !AcceptWord("UNICODE")) {
        AcceptWord("BINARY");
      }
    }
    return type;
  }
  if (word == "DATE") type.kind = ast::TypeKind::kDate;
  else if (word == "YEAR") type.kind = ast::TypeKind::kYear;
  else if (word == "JSON") type.kind = ast::TypeKind::kJson;
  else if (word == "DATETIME" || word == "TIME") {
    type.kind = word == "TIME" ? ast::TypeKind::kTime : ast::TypeKind::kDateTime;
    STRATA_ASSIGN_OR_RETURN(type.length, ParseOptionalLength());
  } else if (word == "DECIMAL" || word == "DEC") {
    type.kind = ast::TypeKind::kDecimal;
    STRATA_RETURN_IF_ERROR(ParseLengthAndScale(&type));
  } else if (word == "DOUBLE" || word == "REAL") {
    type.kind = ast::TypeKind::kDouble;
    if (word == "DOUBLE") AcceptWord("PRECISION");
  } else if (word == "FLOAT") {
    STRATA_ASSIGN_OR_RETURN(type.length, ParseOptionalLength());
    type.kind = type.length && *type.length > 24 ? ast::TypeKind::kDouble : ast::TypeKind::kFloat;
  } else {
    return ErrorAt(tokens_[pos_ - 1]);
  }
  return type;
}

Result<ExprPtr> Parser::ParseInterval() {
  size_t start = pos_;
  STRATA_RETURN_IF_ERROR(ExpectWord("INTERVAL"));
  ExprPtr e = NewExpr(ExprKind::kInterval, start);
  STRATA_ASSIGN_OR_RETURN(ExprPtr amount, ParseExpr());
  if (Peek().kind != TokenKind::kWord || !IsIntervalUnit(ToUpper(Peek().value))) return Error();
  e->text = ToUpper(Advance().value);
  e->children.push_back(std::move(amount));
  Finish(e.get(), start);
  return e;
}

}  // namespace strata::sql::internal
