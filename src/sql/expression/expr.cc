#include "sql/expression/expr.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>

#include <fmt/format.h>

#include "sql/errors.h"
#include "sql/expression/functions.h"
#include "sql/expression/in_values.h"

namespace strata::sql {
namespace {

using ast::Op;
using K = BoundExpr::Kind;

bool IsExact(const Value& v) {
  return v.kind() == ValueKind::kInt || v.kind() == ValueKind::kUint || v.kind() == ValueKind::kDecimal;
}

Decimal ToDecimal(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kInt: return Decimal{v.int_value(), 0};
    case ValueKind::kUint: return Decimal{v.uint_value(), 0};
    default: return v.decimal_value();
  }
}

Value FromInt128(__int128 v, bool prefer_unsigned) {
  if (!prefer_unsigned && v >= INT64_MIN && v <= INT64_MAX) return Value::Int(static_cast<int64_t>(v));
  return Value::Uint(static_cast<uint64_t>(v));
}

Result<Value> Arithmetic(Op op, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Value::Null();
  bool ints = (a.kind() == ValueKind::kInt || a.kind() == ValueKind::kUint) &&
              (b.kind() == ValueKind::kInt || b.kind() == ValueKind::kUint);
  if (ints && op != Op::kDiv) {
    __int128 x = a.kind() == ValueKind::kInt ? a.int_value() : static_cast<__int128>(a.uint_value());
    __int128 y = b.kind() == ValueKind::kInt ? b.int_value() : static_cast<__int128>(b.uint_value());
    bool is_unsigned = a.kind() == ValueKind::kUint || b.kind() == ValueKind::kUint;
    __int128 r = 0;
    switch (op) {
      case Op::kAdd: r = x + y; break;
      case Op::kSub: r = x - y; break;
      case Op::kMul:
        if (__builtin_mul_overflow(x, y, &r)) return ErrBigintOutOfRange("multiplication");
        break;
      case Op::kIntDiv:
        if (y == 0) return Value::Null();
        r = x / y;
        break;
      case Op::kMod:
        if (y == 0) return Value::Null();
        r = x % y;
        break;
      default: return Status::Internal("bad integer operator");
    }
    if (is_unsigned ? (r < 0 || r > static_cast<__int128>(UINT64_MAX)) : (r < INT64_MIN || r > INT64_MAX))
      return ErrBigintOutOfRange(fmt::format("{} {} {}", *a.ToText(), "op", *b.ToText()));
    return FromInt128(r, is_unsigned);
  }
  bool exact = IsExact(a) && IsExact(b);
  if (exact) {
    Decimal x = ToDecimal(a), y = ToDecimal(b);
    switch (op) {
      case Op::kAdd: { STRATA_ASSIGN_OR_RETURN(Decimal r, DecimalAdd(x, y)); return Value::Dec(r); }
      case Op::kSub: { STRATA_ASSIGN_OR_RETURN(Decimal r, DecimalSub(x, y)); return Value::Dec(r); }
      case Op::kMul: { STRATA_ASSIGN_OR_RETURN(Decimal r, DecimalMul(x, y)); return Value::Dec(r); }
      case Op::kDiv: {
        STRATA_ASSIGN_OR_RETURN(std::optional<Decimal> r, DecimalDiv(x, y));
        return r ? Value::Dec(*r) : Value::Null();
      }
      case Op::kIntDiv: {  // exact: x / y truncated, scales aligned in the division
        if (y.unscaled.is_zero()) return Value::Null();
        std::optional<Int256> q = Int256::ScaledDiv(x.unscaled, y.scale, y.unscaled, x.scale, /*round=*/false);
        if (!q || *q < INT64_MIN || *q > INT64_MAX)
          return ErrBigintOutOfRange(fmt::format("({} DIV {})", *a.ToText(), *b.ToText()));
        return Value::Int(static_cast<int64_t>(q->ToInt128()));
      }
      case Op::kMod: {
        std::optional<Decimal> r = DecimalMod(x, y);
        return r ? Value::Dec(*r) : Value::Null();
      }
      default: return Status::Internal("bad decimal operator");
    }
  }
  double x = a.ToDouble(), y = b.ToDouble();
  switch (op) {
    case Op::kAdd: return Value::Double(x + y);
    case Op::kSub: return Value::Double(x - y);
    case Op::kMul: return Value::Double(x * y);
    case Op::kDiv: return y == 0 ? Value::Null() : Value::Double(x / y);
    case Op::kIntDiv: return y == 0 ? Value::Null() : Value::Int(SaturatingInt64(std::trunc(x / y)));
    case Op::kMod: return y == 0 ? Value::Null() : Value::Double(std::fmod(x, y));
    default: return Status::Internal("bad double operator");
  }
}

Value Compare(Op op, const Value& a, const Value& b) {
  if (op == Op::kNullSafeEq) {
    if (a.is_null() || b.is_null()) return Value::Bool(a.is_null() && b.is_null());
    return Value::Bool(CompareValues(a, b) == 0);
  }
  if (a.is_null() || b.is_null()) return Value::Null();
  int c = CompareValues(a, b);
  switch (op) {
    case Op::kEq: return Value::Bool(c == 0);
    case Op::kNe: return Value::Bool(c != 0);
    case Op::kLt: return Value::Bool(c < 0);
    case Op::kLe: return Value::Bool(c <= 0);
    case Op::kGt: return Value::Bool(c > 0);
    case Op::kGe: return Value::Bool(c >= 0);
    default: return Value::Null();
  }
}

Result<Value> Bitwise(Op op, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Value::Null();
  auto as_u = [](const Value& v) -> uint64_t {
    if (v.kind() == ValueKind::kUint) return v.uint_value();
    if (v.kind() == ValueKind::kInt) return static_cast<uint64_t>(v.int_value());
    return static_cast<uint64_t>(SaturatingInt64(std::round(v.ToDouble())));
  };
  uint64_t x = as_u(a), y = as_u(b);
  switch (op) {
    case Op::kBitAnd: return Value::Uint(x & y);
    case Op::kBitOr: return Value::Uint(x | y);
    case Op::kBitXor: return Value::Uint(x ^ y);
    case Op::kShiftLeft: return Value::Uint(y >= 64 ? 0 : x << y);
    case Op::kShiftRight: return Value::Uint(y >= 64 ? 0 : x >> y);
    default: return Status::Internal("bad bit operator");
  }
}

Result<Value> Binary(const BoundExpr& e, const Row& row, const EvalContext& ctx) {
  Op op = e.op;
  if (op == Op::kAnd || op == Op::kOr) {  // n-ary: every operand of a chain, left to right
    bool unknown = false;
    for (const BoundExprPtr& child : e.children) {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*child, row, ctx));
      std::optional<bool> x = v.ToBool();
      if (op == Op::kAnd && x == false) return Value::Bool(false);
      if (op == Op::kOr && x == true) return Value::Bool(true);
      unknown = unknown || !x;
    }
    return unknown ? Value::Null() : Value::Bool(op == Op::kAnd);
  }
  if (op == Op::kXor) {
    STRATA_ASSIGN_OR_RETURN(Value a, Eval(*e.children[0], row, ctx));
    std::optional<bool> x = a.ToBool();
    STRATA_ASSIGN_OR_RETURN(Value b, Eval(*e.children[1], row, ctx));
    std::optional<bool> y = b.ToBool();
    if (!x || !y) return Value::Null();
    return Value::Bool(*x != *y);
  }
  STRATA_ASSIGN_OR_RETURN(Value a, Eval(*e.children[0], row, ctx));
  STRATA_ASSIGN_OR_RETURN(Value b, Eval(*e.children[1], row, ctx));
  switch (op) {
    case Op::kAdd: case Op::kSub: case Op::kMul: case Op::kDiv: case Op::kIntDiv: case Op::kMod:
      return Arithmetic(op, a, b);
    case Op::kEq: case Op::kNullSafeEq: case Op::kNe: case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe:
      return Compare(op, a, b);
    default: return Bitwise(op, a, b);
  }
}

Result<Value> Unary(const BoundExpr& e, const Row& row, const EvalContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(Value a, Eval(*e.children[0], row, ctx));
  if (a.is_null()) return a;
  switch (e.op) {
    case Op::kPlus: return a;
    case Op::kNot: return Value::Bool(!*a.ToBool());
    case Op::kBitNot: return Bitwise(Op::kBitXor, a, Value::Uint(UINT64_MAX));
    case Op::kNeg:
      switch (a.kind()) {
        case ValueKind::kInt:
          if (a.int_value() == INT64_MIN) return ErrBigintOutOfRange("-" + *a.ToText());
          return Value::Int(-a.int_value());
        case ValueKind::kUint:
          if (a.uint_value() > static_cast<uint64_t>(INT64_MAX) + 1) return ErrBigintOutOfRange("-" + *a.ToText());
          return Value::Int(static_cast<int64_t>(0 - a.uint_value()));
        case ValueKind::kDecimal: return Value::Dec(Decimal{-a.decimal_value().unscaled, a.decimal_value().scale});
        default: return Value::Double(-a.ToDouble());
      }
    default: return Status::Internal("bad unary operator");
  }
}

// NOW() / CURDATE() in the session's time zone (`utc`: in UTC, as a TIMESTAMP column stores it).
std::string FormatTime(const EvalContext& ctx, bool with_time, bool utc = false) {
  TimeZone::Civil c = utc ? TimeZone::Utc().ToCivil(ctx.now_unix_seconds) : CivilNow(ctx);
  if (!with_time) return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute, c.second);
}

Result<Value> Function(const BoundExpr& e, const Row& row, const EvalContext& ctx) {
  switch (e.fn) {
    case Fn::kIf: {  // IF/IFNULL/COALESCE evaluate lazily
      STRATA_ASSIGN_OR_RETURN(bool c, EvalPredicate(*e.children[0], row, ctx));
      return Eval(*e.children[c ? 1 : 2], row, ctx);
    }
    case Fn::kIfNull: case Fn::kCoalesce:
      for (const auto& child : e.children) {
        STRATA_ASSIGN_OR_RETURN(Value v, Eval(*child, row, ctx));
        if (!v.is_null()) return v;
      }
      return Value::Null();
    case Fn::kValues:
      if (!ctx.values_row || e.column >= ctx.values_row->size()) return Value::Null();
      if (e.timestamp_utc) return StoredTimestamp((*ctx.values_row)[e.column], ctx);
      return (*ctx.values_row)[e.column];
    case Fn::kNow: return Value::String(CurrentTimestampText(ctx, e.type.decimals));
    case Fn::kCurDate: return Value::String(FormatTime(ctx, false));
    case Fn::kUserLock: {
      std::vector<Value> args;
      for (const auto& child : e.children) {
        STRATA_ASSIGN_OR_RETURN(Value v, Eval(*child, row, ctx));
        args.push_back(std::move(v));
      }
      if (!ctx.user_locks) return Value::Null();  // no session (a constant folded at prepare)
      return ctx.user_locks->RunUserLock(static_cast<UserLockOp>(e.column), args, ctx);
    }
    case Fn::kSetLastInsertId: {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.children[0], row, ctx));
      if (v.is_null()) return v;
      uint64_t id = v.kind() == ValueKind::kUint ? v.uint_value() : static_cast<uint64_t>(SaturatingInt64(v.ToDouble()));
      if (ctx.last_insert_id) *ctx.last_insert_id = id;
      return Value::Uint(id);
    }
    default: break;
  }
  std::vector<Value> args;
  args.reserve(e.children.size());
  for (const auto& child : e.children) {
    STRATA_ASSIGN_OR_RETURN(Value v, Eval(*child, row, ctx));
    args.push_back(std::move(v));
  }
  if (e.fn == Fn::kNullIf)  // a = b is unknown, not true, when either is NULL: then a
    return !args[0].is_null() && !args[1].is_null() && CompareValues(args[0], args[1]) == 0 ? Value::Null() : args[0];
  if (e.fn != Fn::kBuiltin || !e.builtin) return Status::Internal("function not evaluable here");
  const BuiltinFunction& f = *e.builtin;
  if (f.null_propagates)
    for (const Value& v : args)
      if (v.is_null()) return Value::Null();
  Result<Value> result = f.eval_json ? f.eval_json(args, e.json_args, ctx) : f.eval(args, ctx);
  // A string result takes the collation of its first string argument that has one
  // (UPPER(col) compares as col does), as MySQL derives it.
  if (result.ok() && result->kind() == ValueKind::kString && result->collation() == 0 && e.type.kind == OutKind::kString) {
    for (const Value& a : args) {
      if (a.collation() != 0) {
        result->set_collation(a.collation());
        break;
      }
    }
  }
  return result;
}

Result<Value> Cast(const BoundExpr& e, const Row& row, const EvalContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.children[0], row, ctx));
  if (v.is_null()) return v;
  const ColumnType& t = e.cast_type;
  if (t.IsInteger()) {
    if (v.kind() == ValueKind::kString) {
      double d = StringToDouble(v.string_value());
      return t.is_unsigned ? Value::Uint(SaturatingUint64(d)) : Value::Int(SaturatingInt64(d));
    }
    if (v.kind() == ValueKind::kDouble || v.kind() == ValueKind::kDecimal) {
      double d = std::round(v.ToDouble());
      return t.is_unsigned ? Value::Uint(SaturatingUint64(d)) : Value::Int(SaturatingInt64(d));
    }
    if (t.is_unsigned && v.kind() == ValueKind::kInt) return Value::Uint(static_cast<uint64_t>(v.int_value()));
    if (!t.is_unsigned && v.kind() == ValueKind::kUint) return Value::Int(static_cast<int64_t>(v.uint_value()));
    return v;
  }
  if (t.kind == ast::TypeKind::kDecimal) {
    ColumnSchema col;
    col.name = "CAST";
    col.type = t;
    Value in = v;
    if (v.kind() == ValueKind::kString) {  // a plain decimal string keeps every digit; else its double
      auto exact = Decimal::Parse(v.string_value());
      in = exact.ok() ? Value::Dec(*exact) : Value::Double(v.ToDouble());
    }
    auto r = ConvertForColumn(col, in, 1);
    if (!r.ok()) return Value::Null();
    return r;
  }
  if (t.kind == ast::TypeKind::kDouble) return Value::Double(v.ToDouble());
  if (t.kind == ast::TypeKind::kFloat) {  // the nearest float; past a float's range an error, as MySQL
    const double d = v.ToDouble();
    if (std::fabs(d) > std::numeric_limits<float>::max()) {
      return ErrDoubleOutOfRange(fmt::format("cast({} as float)", ExprToString(*e.children[0])));
    }
    return Value::Double(static_cast<double>(static_cast<float>(d)));
  }
  if (t.IsTemporal()) {
    ColumnSchema col;
    col.name = "CAST";
    col.type = t;
    auto r = ConvertForColumn(col, v, 1);
    return r.ok() ? *r : Value::Null();
  }
  std::string s = *v.ToText();
  if (t.length && (t.kind == ast::TypeKind::kChar || t.kind == ast::TypeKind::kVarchar) && s.size() > t.length)
    s.resize(t.length);
  // AS CHAR: the session's collation (the binder puts it in cast_type); AS BINARY: binary.
  return Value::String(std::move(s), t.IsText() ? t.ValueCollation()
                                                : MakeStringCollation(CollationKind::kBinary, Coercibility::kExplicit));
}

}  // namespace

TimeZone::Civil CivilTime(const EvalContext& ctx, int64_t unix_seconds) {
  if (ctx.time_zone) return ctx.time_zone->ToCivil(unix_seconds);
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  return TimeZone::Civil{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

TimeZone::Civil CivilNow(const EvalContext& ctx) { return CivilTime(ctx, ctx.now_unix_seconds); }

int64_t UnixTime(const EvalContext& ctx, const TimeZone::Civil& c) {
  if (ctx.time_zone) return ctx.time_zone->ToUnix(c);
  std::tm tm{};
  tm.tm_year = static_cast<int>(c.year - 1900);
  tm.tm_mon = c.month - 1;
  tm.tm_mday = c.day;
  tm.tm_hour = c.hour;
  tm.tm_min = c.minute;
  tm.tm_sec = c.second;
  tm.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&tm));
}

Value StoredTimestamp(const Value& stored, const EvalContext& ctx) {
  if (stored.kind() != ValueKind::kString) return stored;
  return Value::String(TimestampFromUtc(stored.string_value(), ctx.time_zone.get()));
}

std::string CurrentTimestampText(const EvalContext& ctx, int fsp, bool utc) {
  std::string text = FormatTime(ctx, true, utc);
  if (fsp > 0 && fsp <= 6) {
    int64_t divisor = 1;
    for (int i = fsp; i < 6; i++) divisor *= 10;
    text += fmt::format(".{:0{}}", ctx.now_micros / divisor, fsp);  // the clock's digits, cut
  }
  return text;
}

OutType OutTypeOfColumn(const TableSchema& table, uint32_t column) {
  const ColumnSchema& c = table.columns[column];
  OutType t;
  t.table = &table;
  t.column = static_cast<int32_t>(column);
  t.not_null = !c.nullable;
  t.length = c.type.length;
  using TK = ast::TypeKind;
  if (c.type.IsInteger()) {
    t.kind = c.type.is_unsigned ? OutKind::kUint : OutKind::kInt;
  } else if (c.type.kind == TK::kDecimal) {
    t.kind = OutKind::kDecimal;
    t.decimals = static_cast<uint8_t>(c.type.scale);
  } else if (c.type.kind == TK::kDouble || c.type.kind == TK::kFloat) {
    t.kind = OutKind::kDouble;
    t.decimals = 31;
    t.single_precision = c.type.kind == TK::kFloat;
  } else if (c.type.kind == TK::kDate) {
    t.kind = OutKind::kDate;
  } else if (c.type.kind == TK::kDateTime || c.type.kind == TK::kTimestamp) {
    t.kind = OutKind::kDateTime;
    t.decimals = static_cast<uint8_t>(c.type.scale);  // fractional-second digits
  } else if (c.type.kind == TK::kTime) {
    t.kind = OutKind::kTime;
    t.decimals = static_cast<uint8_t>(c.type.scale);
  } else if (c.type.kind == TK::kBlob || c.type.kind == TK::kTinyBlob || c.type.kind == TK::kMediumBlob ||
             c.type.kind == TK::kLongBlob || c.type.kind == TK::kBinary || c.type.kind == TK::kVarbinary ||
             c.type.IsSpatial()) {
    t.kind = OutKind::kBlob;
  } else if (c.type.kind == TK::kJson) {
    t.kind = OutKind::kJson;
  } else {
    t.kind = OutKind::kString;
  }
  return t;
}

OutType TypeOfConstant(const Value& v) {
  OutType t;
  switch (v.kind()) {
    case ValueKind::kNull: t.kind = OutKind::kNull; break;
    case ValueKind::kInt: t.kind = OutKind::kInt; t.length = 21; break;
    case ValueKind::kUint: t.kind = OutKind::kUint; t.length = 20; break;
    case ValueKind::kDouble: t.kind = OutKind::kDouble; t.decimals = 31; break;
    case ValueKind::kDecimal:
      t.kind = OutKind::kDecimal;
      t.decimals = v.decimal_value().scale;
      break;
    case ValueKind::kString: t.kind = OutKind::kString; t.length = static_cast<uint32_t>(v.string_value().size()); break;
  }
  t.not_null = !v.is_null();
  return t;
}

BoundExprPtr MakeConst(Value v) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = K::kConst;
  e->type = TypeOfConstant(v);
  e->constant = std::move(v);
  return e;
}

BoundExprPtr MakeColumnRef(uint32_t column, OutType type) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = K::kColumn;
  e->column = column;
  e->type = type;
  return e;
}

Status CheckInterrupted(const EvalContext& ctx) {
  if (ctx.interrupted && ctx.interrupted->load(std::memory_order_relaxed)) return ErrServerShutdown();
  if (ctx.killed && ctx.killed->load(std::memory_order_relaxed)) return ErrQueryInterrupted();
  if (ctx.deadline_ns != 0 &&
      std::chrono::steady_clock::now().time_since_epoch().count() > ctx.deadline_ns) {
    return ErrExecutionTimeExceeded();
  }
  return Status::OK();
}

// A subquery's value over `row` (the row of the query that holds it).
Result<Value> Subquery(const BoundExpr& e, const Row& row, const EvalContext& ctx) {
  if (!ctx.subqueries) return Status::Internal("a subquery outside a statement's execution");
  switch (e.subquery_kind) {
    case SubqueryKind::kScalar: {
      STRATA_ASSIGN_OR_RETURN(std::vector<Row> rows, ctx.subqueries->Rows(*e.subquery, row, ctx, 2));
      if (rows.size() > 1) return ErrSubqueryRows();
      return rows.empty() ? Value::Null() : rows[0][0];
    }
    case SubqueryKind::kExists: {
      STRATA_ASSIGN_OR_RETURN(std::vector<Row> rows, ctx.subqueries->Rows(*e.subquery, row, ctx, 1));
      return Value::Bool(!rows.empty());
    }
    case SubqueryKind::kIn: {
      // x IN (rows): true on a match; else NULL when x or a row is NULL (unknown); else false.
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.children[0], row, ctx));
      STRATA_ASSIGN_OR_RETURN(const InValues* set, ctx.subqueries->InSet(*e.subquery, row, ctx));
      if (set) {  // uncorrelated: hashed once
        if (set->empty()) return Value::Bool(e.negated);
        if (v.is_null()) return Value::Null();
        if (set->Contains(v)) return Value::Bool(!e.negated);
        return set->has_null() ? Value::Null() : Value::Bool(e.negated);
      }
      STRATA_ASSIGN_OR_RETURN(std::vector<Row> rows, ctx.subqueries->Rows(*e.subquery, row, ctx, SIZE_MAX));
      if (rows.empty()) return Value::Bool(e.negated);
      if (v.is_null()) return Value::Null();
      bool saw_null = false;
      for (const Row& r : rows) {
        if (r[0].is_null()) {
          saw_null = true;
        } else if (CompareValues(v, r[0]) == 0) {
          return Value::Bool(!e.negated);
        }
      }
      return saw_null ? Value::Null() : Value::Bool(e.negated);
    }
  }
  return Status::Internal("unknown subquery kind");
}

Result<Value> Eval(const BoundExpr& e, const Row& row, const EvalContext& ctx) {
  switch (e.kind) {
    case K::kConst: return e.constant;
    case K::kColumn:
      if (e.column >= row.size()) return Status::Internal("column reference out of range");
      if (e.timestamp_utc) return StoredTimestamp(row[e.column], ctx);
      return row[e.column];
    case K::kOuterColumn: {
      if (e.depth == 0 || e.depth > ctx.outer_rows.size()) return Status::Internal("outer reference out of range");
      const Row& outer = *ctx.outer_rows[ctx.outer_rows.size() - e.depth];
      if (e.column >= outer.size()) return Status::Internal("outer column reference out of range");
      if (e.timestamp_utc) return StoredTimestamp(outer[e.column], ctx);
      return outer[e.column];
    }
    case K::kSubquery: return Subquery(e, row, ctx);
    case K::kUnary: return Unary(e, row, ctx);
    case K::kBinary: return Binary(e, row, ctx);
    case K::kFunc: return Function(e, row, ctx);
    case K::kCast: return Cast(e, row, ctx);
    case K::kIsNull: {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.children[0], row, ctx));
      return Value::Bool(v.is_null() != e.negated);
    }
    case K::kIsBool: {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.children[0], row, ctx));
      std::optional<bool> b = v.ToBool();
      bool is = b.has_value() && *b == (e.constant.int_value() != 0);
      return Value::Bool(is != e.negated);
    }
    case K::kIn: {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.children[0], row, ctx));
      if (v.is_null()) return Value::Null();
      bool saw_null = false;
      for (size_t i = 1; i < e.children.size(); i++) {
        STRATA_ASSIGN_OR_RETURN(Value x, Eval(*e.children[i], row, ctx));
        if (x.is_null()) {
          saw_null = true;
          continue;
        }
        if (CompareValues(v, x) == 0) return Value::Bool(!e.negated);
      }
      return saw_null ? Value::Null() : Value::Bool(e.negated);
    }
    case K::kBetween: {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.children[0], row, ctx));
      STRATA_ASSIGN_OR_RETURN(Value lo, Eval(*e.children[1], row, ctx));
      STRATA_ASSIGN_OR_RETURN(Value hi, Eval(*e.children[2], row, ctx));
      // v >= lo AND v <= hi in three-valued logic: one false side makes it false even when
      // the other is NULL (5 BETWEEN NULL AND 3 is false, so NOT BETWEEN is true).
      std::optional<bool> above = lo.is_null() || v.is_null() ? std::nullopt : std::optional<bool>(CompareValues(v, lo) >= 0);
      std::optional<bool> below = hi.is_null() || v.is_null() ? std::nullopt : std::optional<bool>(CompareValues(v, hi) <= 0);
      if (above == false || below == false) return Value::Bool(e.negated);
      if (!above || !below) return Value::Null();
      return Value::Bool(!e.negated);
    }
    case K::kLike: {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.children[0], row, ctx));
      STRATA_ASSIGN_OR_RETURN(Value p, Eval(*e.children[1], row, ctx));
      if (v.is_null() || p.is_null()) return Value::Null();
      char esc = '\\';
      if (e.children.size() > 2) {
        STRATA_ASSIGN_OR_RETURN(Value x, Eval(*e.children[2], row, ctx));
        std::string s = x.ToText().value_or("\\");
        if (!s.empty()) esc = s[0];
      }
      bool match = ResolveCollation(v.collation(), p.collation()) == CollationKind::kBinary
                       ? LikeMatch(*v.ToText(), *p.ToText(), esc)
                       : CollatedLike(*v.ToText(), *p.ToText(), esc);
      return Value::Bool(match != e.negated);
    }
    case K::kCase: {
      size_t i = 0;
      Value operand;
      if (e.has_case_operand) {
        STRATA_ASSIGN_OR_RETURN(operand, Eval(*e.children[0], row, ctx));
        i = 1;
      }
      size_t end = e.children.size() - (e.has_else ? 1 : 0);
      for (; i + 1 < end; i += 2) {
        STRATA_ASSIGN_OR_RETURN(Value w, Eval(*e.children[i], row, ctx));
        bool hit = e.has_case_operand ? (!operand.is_null() && !w.is_null() && CompareValues(operand, w) == 0)
                                      : w.ToBool().value_or(false);
        if (hit) return Eval(*e.children[i + 1], row, ctx);
      }
      if (e.has_else) return Eval(*e.children.back(), row, ctx);
      return Value::Null();
    }
  }
  return Status::Internal("unknown expression kind");
}

Result<bool> EvalPredicate(const BoundExpr& e, const Row& row, const EvalContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(Value v, Eval(e, row, ctx));
  return v.ToBool().value_or(false);
}

void SplitConjuncts(const BoundExpr* e, std::vector<const BoundExpr*>* out) {
  if (!e) return;
  std::vector<const BoundExpr*> stack{e};
  while (!stack.empty()) {
    const BoundExpr* top = stack.back();
    stack.pop_back();
    if (top->kind == BoundExpr::Kind::kBinary && top->op == ast::Op::kAnd) {
      for (size_t i = top->children.size(); i-- > 0;) stack.push_back(top->children[i].get());  // written order
      continue;
    }
    out->push_back(top);
  }
}

}  // namespace strata::sql
