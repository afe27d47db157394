// Expressions, by MySQL's precedence (lowest first): OR/||, XOR, AND/&&, NOT,
// comparison/IS, [NOT] IN/BETWEEN/LIKE/REGEXP, |, &, << >>, + -, * / DIV MOD %, ^,
// unary - + ~ ! BINARY, COLLATE, primaries. Every node's `source` spans its own tokens.
#include <array>

#include "sql/parser/parser_internal.h"

namespace strata::sql::internal {

namespace {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;
using ast::Op;

ExprPtr MakeBinary(Op op, ExprPtr left, ExprPtr right) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kBinary;
  e->op = op;
  e->children.push_back(std::move(left));
  e->children.push_back(std::move(right));
  return e;
}

// Reserved words that are still function names when followed by '('.
bool IsReservedFunctionName(std::string_view upper) {
  static constexpr std::array<std::string_view, 30> kNames = {
      "IF",           "REPLACE",      "LEFT",           "RIGHT",         "INSERT",
      "MOD",          "CHAR",         "DATABASE",       "SCHEMA",        "VALUES",
      "REPEAT",       "UTC_DATE",     "UTC_TIME",       "UTC_TIMESTAMP", "CURRENT_DATE",
      "CURRENT_TIME", "CURRENT_USER", "LOCALTIME",      "LOCALTIMESTAMP",
      // window functions (reserved words in MySQL 8)
      "ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST", "NTILE", "LAG", "LEAD",
      "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE"};
  for (std::string_view name : kNames) {
    if (name == upper) return true;
  }
  return upper == "CURRENT_TIMESTAMP";
}

// Functions MySQL lets you call without parentheses.
bool IsNiladicFunction(std::string_view upper) {
  return upper == "CURRENT_TIMESTAMP" || upper == "CURRENT_DATE" || upper == "CURRENT_TIME" ||
         upper == "LOCALTIME" || upper == "LOCALTIMESTAMP" || upper == "CURRENT_USER" ||
         upper == "UTC_DATE" || upper == "UTC_TIME" || upper == "UTC_TIMESTAMP";
}

// Character-set introducers (_utf8mb4'abc'); N'abc' is the national-charset form.
bool IsIntroducer(std::string_view upper) {
  return upper == "_UTF8MB4" || upper == "_UTF8" || upper == "_UTF8MB3" || upper == "_LATIN1" ||
         upper == "_BINARY" || upper == "_ASCII" || upper == "N";
}

bool ComparisonOp(const Token& t, Op* op) {
  if (t.kind != TokenKind::kPunct) return false;
  const std::string& v = t.value;
  if (v == "=") *op = Op::kEq;
  else if (v == "<=>") *op = Op::kNullSafeEq;
  else if (v == "<>" || v == "!=") *op = Op::kNe;
  else if (v == "<") *op = Op::kLt;
  else if (v == "<=") *op = Op::kLe;
  else if (v == ">") *op = Op::kGt;
  else if (v == ">=") *op = Op::kGe;
  else return false;
  return true;
}

}  // namespace

// a OR b OR c ... is one node with every operand as a child (and so for AND): a chain of
// 50,000 terms is as shallow as one of two, for the parser, the binder and evaluation.
Result<ExprPtr> Parser::ParseExpr() {
  DepthScope depth(&depth_);
  if (depth.exceeded()) return DepthError();
  size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ExprPtr left, ParseXor());
  if (PeekWord("OR") || PeekPunct("||")) {
    ExprPtr chain = MakeBinary(Op::kOr, std::move(left), nullptr);
    chain->children.pop_back();
    while (AcceptWord("OR") || AcceptPunct("||")) {
      STRATA_ASSIGN_OR_RETURN(ExprPtr right, ParseXor());
      chain->children.push_back(std::move(right));
    }
    Finish(chain.get(), start);
    if (height_exceeded_) return HeightError();
    left = std::move(chain);
  }
  if (depth_ == 1) FinishTopLevel(left.get());  // the outermost ParseExpr: a top-level expression
  return left;
}

Result<ExprPtr> Parser::ParseXor() {
  size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
  while (AcceptWord("XOR")) {
    STRATA_ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
    left = MakeBinary(Op::kXor, std::move(left), std::move(right));
    Finish(left.get(), start);
    if (height_exceeded_) return HeightError();
  }
  return left;
}

Result<ExprPtr> Parser::ParseAnd() {
  size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
  if (!PeekWord("AND") && !PeekPunct("&&")) return left;
  ExprPtr chain = MakeBinary(Op::kAnd, std::move(left), nullptr);
  chain->children.pop_back();
  while (AcceptWord("AND") || AcceptPunct("&&")) {
    STRATA_ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
    chain->children.push_back(std::move(right));
  }
  Finish(chain.get(), start);
  if (height_exceeded_) return HeightError();
  return chain;
}

Result<ExprPtr> Parser::ParseNot() {
  size_t start = pos_;
  if (!PeekWord("NOT")) return ParseComparison();
  DepthScope depth(&depth_);
  if (depth.exceeded()) return DepthError();
  Advance();
  STRATA_ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
  ExprPtr e = NewExpr(ExprKind::kUnary, start);
  e->op = Op::kNot;
  e->children.push_back(std::move(operand));
  Finish(e.get(), start);
  return e;
}

Result<ExprPtr> Parser::ParseComparison() {
  size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ExprPtr left, ParsePredicate());
  while (true) {
    Op op;
    if (ComparisonOp(Peek(), &op)) {
      Advance();
      if ((PeekWord("ANY") || PeekWord("ALL") || PeekWord("SOME")) && PeekPunct("(", 1)) {
        return ErrNotSupportedYet("subqueries");
      }
      STRATA_ASSIGN_OR_RETURN(ExprPtr right, ParsePredicate());
      left = MakeBinary(op, std::move(left), std::move(right));
    } else if (AcceptWord("IS")) {
      bool negated = AcceptWord("NOT");
      ExprPtr e = NewExpr(ExprKind::kIsNull, start);
      if (AcceptWord("NULL") || AcceptWord("UNKNOWN")) {
        e->kind = ExprKind::kIsNull;
      } else if (PeekWord("TRUE") || PeekWord("FALSE")) {
        e->kind = ExprKind::kIsBool;
        e->text = ToUpper(Advance().value);
      } else {
        return Error();
      }
      e->negated = negated;
      e->children.push_back(std::move(left));
      left = std::move(e);
    } else {
      break;
    }
    Finish(left.get(), start);
    if (height_exceeded_) return HeightError();
  }
  return left;
}

Result<ExprPtr> Parser::ParsePredicate() {
  size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ExprPtr left, ParseBitOr());
  bool negated = false;
  if (PeekWord("NOT") && (PeekWord("IN", 1) || PeekWord("BETWEEN", 1) || PeekWord("LIKE", 1) ||
                          PeekWord("REGEXP", 1) || PeekWord("RLIKE", 1))) {
    Advance();
    negated = true;
  }
  if (AcceptWord("IN")) return ParseIn(std::move(left), negated, start);
  ExprPtr e;
  if (AcceptWord("BETWEEN")) {
    DepthScope depth(&depth_);  // the upper bound recurses: a BETWEEN b AND c BETWEEN ...
    if (depth.exceeded()) return DepthError();
    e = NewExpr(ExprKind::kBetween, start);
    STRATA_ASSIGN_OR_RETURN(ExprPtr low, ParseBitOr());
    STRATA_RETURN_IF_ERROR(ExpectWord("AND"));
    STRATA_ASSIGN_OR_RETURN(ExprPtr high, ParsePredicate());
    e->children.push_back(std::move(left));
    e->children.push_back(std::move(low));
    e->children.push_back(std::move(high));
  } else if (AcceptWord("LIKE")) {
    e = NewExpr(ExprKind::kLike, start);
    STRATA_ASSIGN_OR_RETURN(ExprPtr pattern, ParseBitOr());
    e->children.push_back(std::move(left));
    e->children.push_back(std::move(pattern));
    if (AcceptWord("ESCAPE")) {
      STRATA_ASSIGN_OR_RETURN(ExprPtr escape, ParseUnary());
      e->children.push_back(std::move(escape));
    }
  } else if (AcceptWord("REGEXP") || AcceptWord("RLIKE")) {
    e = NewExpr(ExprKind::kFunction, start);
    e->text = e->name = "REGEXP";
    STRATA_ASSIGN_OR_RETURN(ExprPtr pattern, ParseBitOr());
    e->children.push_back(std::move(left));
    e->children.push_back(std::move(pattern));
    Finish(e.get(), start);
    if (!negated) return e;
    ExprPtr not_expr = NewExpr(ExprKind::kUnary, start);
    not_expr->op = Op::kNot;
    not_expr->children.push_back(std::move(e));
    Finish(not_expr.get(), start);
    return not_expr;
  } else {
    return left;
  }
  e->negated = negated;
  Finish(e.get(), start);
  return e;
}

Result<ExprPtr> Parser::ParseIn(ExprPtr left, bool negated, size_t start) {
  STRATA_RETURN_IF_ERROR(ExpectPunct("("));
  if (PeekWord("SELECT") || PeekWord("WITH") || (PeekPunct("(") && PeekWord("SELECT", 1))) {
    ExprPtr e = NewExpr(ExprKind::kInSubquery, start);
    e->negated = negated;
    e->children.push_back(std::move(left));
    STRATA_ASSIGN_OR_RETURN(e->subquery, ParseQueryInParentheses());
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    Finish(e.get(), start);
    return e;
  }
  ExprPtr e = NewExpr(ExprKind::kIn, start);
  e->negated = negated;
  e->children.push_back(std::move(left));
  do {
    STRATA_ASSIGN_OR_RETURN(ExprPtr item, ParseExpr());
    e->children.push_back(std::move(item));
  } while (AcceptPunct(","));
  STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  Finish(e.get(), start);
  return e;
}

Result<ExprPtr> Parser::ParseBitOr() {
  size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ExprPtr left, ParseBitAnd());
  while (AcceptPunct("|")) {
    STRATA_ASSIGN_OR_RETURN(ExprPtr right, ParseBitAnd());
    left = MakeBinary(Op::kBitOr, std::move(left), std::move(right));
    Finish(left.get(), start);
    if (height_exceeded_) return HeightError();
  }
  return left;
}

Result<ExprPtr> Parser::ParseBitAnd() {
  size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ExprPtr left, ParseShift());
  while (AcceptPunct("&")) {
    STRATA_ASSIGN_OR_RETURN(ExprPtr right, ParseShift());
    left = MakeBinary(Op::kBitAnd, std::move(left), std::move(right));
    Finish(left.get(), start);
    if (height_exceeded_) return HeightError();
  }
  return left;
}

Result<ExprPtr> Parser::ParseShift() {
  size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ExprPtr left, ParseAdditive());
  while (PeekPunct("<<") || PeekPunct(">>")) {
    Op op = Advance().value == "<<" ? Op::kShiftLeft : Op::kShiftRight;
    STRATA_ASSIGN_OR_RETURN(ExprPtr right, ParseAdditive());
    left = MakeBinary(op, std::move(left), std::move(right));
    Finish(left.get(), start);
    if (height_exceeded_) return HeightError();
  }
  return left;
}

Result<ExprPtr> Parser::ParseAdditive() {
  size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ExprPtr left, ParseMultiplicative());
  while (PeekPunct("+") || PeekPunct("-")) {
    Op op = Advance().value == "+" ? Op::kAdd : Op::kSub;
    STRATA_ASSIGN_OR_RETURN(ExprPtr right, ParseMultiplicative());
    left = MakeBinary(op, std::move(left), std::move(right));
    Finish(left.get(), start);
    if (height_exceeded_) return HeightError();
  }
  return left;
}

Result<ExprPtr> Parser::ParseMultiplicative() {
  size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ExprPtr left, ParseBitXor());
  while (true) {
    Op op;
    if (PeekPunct("*")) op = Op::kMul;
    else if (PeekPunct("/")) op = Op::kDiv;
    else if (PeekPunct("%") || PeekWord("MOD")) op = Op::kMod;
    else if (PeekWord("DIV")) op = Op::kIntDiv;
    else break;
    Advance();
    STRATA_ASSIGN_OR_RETURN(ExprPtr right, ParseBitXor());
    left = MakeBinary(op, std::move(left), std::move(right));
    Finish(left.get(), start);
    if (height_exceeded_) return HeightError();
  }
  return left;
}

Result<ExprPtr> Parser::ParseBitXor() {
  size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ExprPtr left, ParseUnary());
  while (AcceptPunct("^")) {
    STRATA_ASSIGN_OR_RETURN(ExprPtr right, ParseUnary());
    left = MakeBinary(Op::kBitXor, std::move(left), std::move(right));
    Finish(left.get(), start);
    if (height_exceeded_) return HeightError();
  }
  return left;
}

// Unary operators bind to the operand that follows, so -a^b is (-a)^b and !a = b is (!a) = b,
// as in MySQL's grammar. A minus directly before a number folds into the literal ("-5"),
// which keeps -9223372036854775808 representable.
Result<ExprPtr> Parser::ParseUnary() {
  size_t start = pos_;
  Op op = Op::kNone;
  if (PeekPunct("-")) op = Op::kNeg;
  else if (PeekPunct("+")) op = Op::kPlus;
  else if (PeekPunct("~")) op = Op::kBitNot;
  else if (PeekPunct("!")) op = Op::kNot;
  bool binary = op == Op::kNone && PeekWord("BINARY");
  if (op == Op::kNone && !binary) return ParseCollate();
  DepthScope depth(&depth_);
  if (depth.exceeded()) return DepthError();
  Advance();
  TokenKind next = Peek().kind;
  if (op == Op::kNeg &&
      (next == TokenKind::kInteger || next == TokenKind::kDecimal || next == TokenKind::kFloat)) {
    ExprPtr e = NewExpr(ExprKind::kLiteral, start);
    e->literal_kind = next == TokenKind::kInteger   ? ast::LiteralKind::kInteger
                      : next == TokenKind::kDecimal ? ast::LiteralKind::kDecimal
                                                    : ast::LiteralKind::kFloat;
    e->text = "-" + Advance().value;
    Finish(e.get(), start);
    return e;
  }
  STRATA_ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary());
  if (binary) return CollateCall(std::move(operand), "binary", start);  // BINARY x: x COLLATE binary
  ExprPtr e = NewExpr(ExprKind::kUnary, start);
  e->op = op;
  e->children.push_back(std::move(operand));
  Finish(e.get(), start);
  return e;
}

Result<ExprPtr> Parser::ParseCollate() {
  size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ExprPtr e, ParsePrimary());
  while (AcceptWord("COLLATE")) {
    STRATA_ASSIGN_OR_RETURN(std::string collation, ParseCharsetName());
    STRATA_ASSIGN_OR_RETURN(e, CollateCall(std::move(e), collation, start));
  }
  return e;
}

// x COLLATE c as the call ast::kCollateFunction(x, 'c'), which the binder resolves.
Result<ExprPtr> Parser::CollateCall(ExprPtr operand, std::string collation, size_t start) {
  ExprPtr e = NewExpr(ExprKind::kFunction, start);
  e->text = std::string(ast::kCollateFunction);
  e->children.push_back(std::move(operand));
  ExprPtr name = NewExpr(ExprKind::kLiteral, start);
  name->literal_kind = ast::LiteralKind::kString;
  name->text = std::move(collation);
  e->children.push_back(std::move(name));
  Finish(e.get(), start);
  return e;
}

Result<ExprPtr> Parser::ParsePrimary() {
  size_t start = pos_;
  const Token& t = Peek();
  switch (t.kind) {
    case TokenKind::kInteger:
    case TokenKind::kDecimal:
    case TokenKind::kFloat: {
      ExprPtr e = NewExpr(ExprKind::kLiteral, start);
      e->literal_kind = t.kind == TokenKind::kInteger   ? ast::LiteralKind::kInteger
                        : t.kind == TokenKind::kDecimal ? ast::LiteralKind::kDecimal
                                                        : ast::LiteralKind::kFloat;
      e->text = Advance().value;
      Finish(e.get(), start);
      return e;
    }
    case TokenKind::kString:
      return ParseStringLiteral();
    case TokenKind::kParam: {
      Advance();
      ExprPtr e = NewExpr(ExprKind::kParameter, start);
      e->param_index = param_count_++;
      Finish(e.get(), start);
      return e;
    }
    case TokenKind::kUserVar:
    case TokenKind::kSysVar: {
      if (t.kind == TokenKind::kUserVar && PeekPunct(":=", 1)) return ErrNotSupportedYet("@var := expr");
      ExprPtr e = NewExpr(ExprKind::kVariable, start);
      e->scope = t.kind == TokenKind::kUserVar ? ast::VariableScope::kUser : t.var_scope;
      e->name = Advance().value;
      Finish(e.get(), start);
      return e;
    }
    case TokenKind::kQuotedIdent:
      return ParseColumnRef();
    case TokenKind::kWord:
      return ParseWordPrimary();
    case TokenKind::kPunct:
      if (t.value == "(") return ParseParenthesized();
      return Error();
    case TokenKind::kEnd:
      break;
  }
  return Error();
}

Result<ExprPtr> Parser::ParseStringLiteral() {
  size_t start = pos_;
  ExprPtr e = NewExpr(ExprKind::kLiteral, start);
  e->literal_kind = ast::LiteralKind::kString;
  bool quoted = Peek().quoted_string;
  e->text = Advance().value;
  // 'a' 'b' is 'ab' (adjacent quoted literals concatenate).
  while (quoted && Peek().kind == TokenKind::kString && Peek().quoted_string) e->text += Advance().value;
  Finish(e.get(), start);
  return e;
}

Result<ExprPtr> Parser::ParseParenthesized() {
  size_t start = pos_;
  STRATA_RETURN_IF_ERROR(ExpectPunct("("));
  if (PeekWord("SELECT") || PeekWord("WITH")) {  // a scalar subquery
    ExprPtr e = NewExpr(ExprKind::kSubquery, start);
    STRATA_ASSIGN_OR_RETURN(e->subquery, ParseQueryInParentheses());
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    Finish(e.get(), start);
    return e;
  }
  STRATA_ASSIGN_OR_RETURN(ExprPtr first, ParseExpr());
  if (!PeekPunct(",")) {
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    Finish(first.get(), start);  // the source of (1+2) is "(1+2)", as MySQL names the column
    return first;
  }
  ExprPtr row = NewExpr(ExprKind::kRow, start);
  row->children.push_back(std::move(first));
  while (AcceptPunct(",")) {
    STRATA_ASSIGN_OR_RETURN(ExprPtr item, ParseExpr());
    row->children.push_back(std::move(item));
  }
  STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  Finish(row.get(), start);
  return row;
}

Result<ExprPtr> Parser::ParseWordPrimary() {
  size_t start = pos_;
  std::string upper = ToUpper(Peek().value);
  if (upper == "NULL" || upper == "TRUE" || upper == "FALSE") {
    Advance();
    ExprPtr e = NewExpr(ExprKind::kLiteral, start);
    e->literal_kind = upper == "NULL" ? ast::LiteralKind::kNull : ast::LiteralKind::kBool;
    if (upper != "NULL") e->text = upper == "TRUE" ? "1" : "0";
    Finish(e.get(), start);
    return e;
  }
  if (upper == "CASE") return ParseCase();
  if ((upper == "CAST" || upper == "CONVERT") && PeekPunct("(", 1)) return ParseCast(upper == "CONVERT");
  if (upper == "INTERVAL") return ParseInterval();
  if (upper == "EXISTS" && PeekPunct("(", 1)) {
    Advance();
    STRATA_RETURN_IF_ERROR(ExpectPunct("("));
    ExprPtr e = NewExpr(ExprKind::kExists, start);
    STRATA_ASSIGN_OR_RETURN(e->subquery, ParseQueryInParentheses());
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    Finish(e.get(), start);
    return e;
  }
  if (upper == "ROW" && PeekPunct("(", 1)) {
    Advance();
    STRATA_ASSIGN_OR_RETURN(ExprPtr row, ParseParenthesized());
    Finish(row.get(), start);
    return row;
  }
  const Token& next = Peek(1);
  bool string_follows = next.kind == TokenKind::kString && next.quoted_string;
  if (string_follows && IsIntroducer(upper)) {
    Advance();
    STRATA_ASSIGN_OR_RETURN(ExprPtr e, ParseStringLiteral());
    Finish(e.get(), start);
    return e;
  }
  if (string_follows && (upper == "DATE" || upper == "TIME" || upper == "TIMESTAMP")) {
    Advance();  // DATE '2024-01-31': a typed literal, i.e. a cast of the string
    ExprPtr e = NewExpr(ExprKind::kCast, start);
    e->typed_literal = true;
    e->cast_type = std::make_unique<ast::TypeName>();
    e->cast_type->kind = upper == "DATE" ? ast::TypeKind::kDate
                         : upper == "TIME" ? ast::TypeKind::kTime
                                           : ast::TypeKind::kDateTime;
    STRATA_ASSIGN_OR_RETURN(ExprPtr literal, ParseStringLiteral());
    e->children.push_back(std::move(literal));
    Finish(e.get(), start);
    return e;
  }
  bool reserved = IsReserved(upper);
  if (next.kind == TokenKind::kPunct && next.value == "(" && (!reserved || IsReservedFunctionName(upper))) {
    std::string name = Advance().value;
    return ParseFunctionCall(std::move(name), start);
  }
  if (IsNiladicFunction(upper)) {
    Advance();
    ExprPtr e = NewExpr(ExprKind::kFunction, start);
    e->text = e->name = upper;
    Finish(e.get(), start);
    return e;
  }
  if (reserved) return Error();
  STRATA_ASSIGN_OR_RETURN(ExprPtr column, ParseColumnRef());
  if (column->kind != ExprKind::kColumn || !(PeekPunct("->") || PeekPunct("->>"))) return column;
  // col->'$.path' is JSON_EXTRACT(col, path); col->>'$.path' also unquotes.
  ExprPtr e = NewExpr(ExprKind::kFunction, start);
  e->text = e->name = Advance().value;
  if (Peek().kind != TokenKind::kString) return Error();
  e->children.push_back(std::move(column));
  STRATA_ASSIGN_OR_RETURN(ExprPtr path, ParseStringLiteral());
  e->children.push_back(std::move(path));
  Finish(e.get(), start);
  return e;
}

Result<ExprPtr> Parser::ParseColumnRef() {
  size_t start = pos_;
  std::vector<std::string> parts;
  STRATA_ASSIGN_OR_RETURN(std::string first, ParseIdentifier());
  parts.push_back(std::move(first));
  bool star = false;
  while (AcceptPunct(".")) {
    if (AcceptPunct("*")) {
      star = true;
      break;
    }
    if (parts.size() == 3) return Error();
    STRATA_ASSIGN_OR_RETURN(std::string part, ParseNameAfterDot());
    parts.push_back(std::move(part));
  }
  if (star && parts.size() > 2) return ErrorAt(tokens_[pos_ - 1]);
  ExprPtr e = NewExpr(star ? ExprKind::kStar : ExprKind::kColumn, start);
  if (star) parts.emplace_back();  // t.* → qualifier t, no name
  if (parts.size() == 3) e->schema = std::move(parts[0]);
  if (parts.size() >= 2) e->qualifier = std::move(parts[parts.size() - 2]);
  e->name = std::move(parts.back());
  Finish(e.get(), start);
  return e;
}

}  // namespace strata::sql::internal
