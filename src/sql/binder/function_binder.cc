// Binding function calls: aggregates, the session's functions, and the function library.
#include <algorithm>
#include <unordered_map>

#include "common/ascii.h"
#include "sql/binder/binder_internal.h"
#include "sql/errors.h"
#include "sql/expression/functions.h"

namespace strata::sql::binder_internal {
namespace {

using ast::ExprKind;
using K = BoundExpr::Kind;

const std::unordered_map<std::string_view, Fn>& AggregateFunctions() {
  static const auto* m = new std::unordered_map<std::string_view, Fn>{
      {"COUNT", Fn::kCount},          {"SUM", Fn::kSum},           {"MIN", Fn::kMin},
      {"MAX", Fn::kMax},              {"AVG", Fn::kAvg},           {"GROUP_CONCAT", Fn::kGroupConcat},
      {"BIT_AND", Fn::kBitAnd},       {"BIT_OR", Fn::kBitOr},      {"BIT_XOR", Fn::kBitXor},
      {"STD", Fn::kStdPop},           {"STDDEV", Fn::kStdPop},     {"STDDEV_POP", Fn::kStdPop},
      {"STDDEV_SAMP", Fn::kStdSamp},  {"VARIANCE", Fn::kVarPop},   {"VAR_POP", Fn::kVarPop},
      {"VAR_SAMP", Fn::kVarSamp},     {"JSON_ARRAYAGG", Fn::kJsonArrayAgg},
      {"JSON_OBJECTAGG", Fn::kJsonObjectAgg},
  };
  return *m;
}

OutType Untied(OutType t) {  // a type derived from an argument's: no longer names its column
  t.table = nullptr;
  t.column = -1;
  t.not_null = false;
  return t;
}

// The AggregateSpec of aggregate call `e` and its result type; its arguments are bound with
// `args` (a grouped aggregate's forbid aggregates inside, a window aggregate's allow them).
Result<std::pair<AggregateSpec, OutType>> BuildAggregate(const ast::Expr& e, Fn fn, BindContext& args) {
  AggregateSpec spec;
  spec.fn = fn;
  spec.distinct = e.distinct;
  size_t n = e.children.size();
  if (fn == Fn::kCount && n == 1 && e.children[0]->kind == ExprKind::kStar) {
    spec.fn = Fn::kCountStar;
  } else {
    bool arity_ok = fn == Fn::kGroupConcat ? n >= 1
                    : fn == Fn::kJsonObjectAgg ? n == 2
                    : fn == Fn::kCount ? n == 1 || (n > 1 && e.distinct)  // COUNT(DISTINCT a, b)
                                       : n == 1;
    if (!arity_ok) return ErrWrongParameterCount(e.text);
    STRATA_ASSIGN_OR_RETURN(spec.arg, BindExpr(*e.children[0], args));
    for (size_t i = 1; i < n; i++) {
      STRATA_ASSIGN_OR_RETURN(BoundExprPtr more, BindExpr(*e.children[i], args));
      spec.more_args.push_back(std::move(more));
    }
    for (const ast::OrderItem& item : e.order_by) {
      STRATA_ASSIGN_OR_RETURN(BoundExprPtr key, BindExpr(*item.expr, args));
      spec.order_by.emplace_back(std::move(key), item.descending);
    }
    if (e.separator) spec.separator = *e.separator;
    if (fn == Fn::kGroupConcat) {
      std::optional<Value> max = args.session->SystemVariable("group_concat_max_len", false);
      if (max && !max->is_null()) spec.max_length = static_cast<uint64_t>(std::max<double>(4, max->ToDouble()));
    }
    if (spec.arg->type.kind == OutKind::kJson) spec.json_args |= 1;
    if (!spec.more_args.empty() && spec.more_args[0]->type.kind == OutKind::kJson) spec.json_args |= 2;
  }
  OutType type;
  switch (spec.fn) {
    case Fn::kCount: case Fn::kCountStar: type.kind = OutKind::kInt; type.length = 21; type.not_null = true; break;
    case Fn::kMin: case Fn::kMax: type = Untied(spec.arg->type); break;
    case Fn::kSum: case Fn::kAvg: {
      OutKind k = spec.arg->type.kind;
      bool exact = k == OutKind::kInt || k == OutKind::kUint || k == OutKind::kDecimal;
      type.kind = exact ? OutKind::kDecimal : OutKind::kDouble;
      type.decimals = exact ? static_cast<uint8_t>(spec.arg->type.decimals + (spec.fn == Fn::kAvg ? 4 : 0)) : 31;
      type.length = 42;
      break;
    }
    case Fn::kBitAnd: case Fn::kBitOr: case Fn::kBitXor: type.kind = OutKind::kUint; type.not_null = true; break;
    case Fn::kStdPop: case Fn::kStdSamp: case Fn::kVarPop: case Fn::kVarSamp:
      type.kind = OutKind::kDouble;
      type.decimals = 31;
      break;
    case Fn::kJsonArrayAgg: case Fn::kJsonObjectAgg: type.kind = OutKind::kJson; break;
    default: type.kind = OutKind::kString; break;  // GROUP_CONCAT
  }
  return std::make_pair(std::move(spec), type);
}

Result<BoundExprPtr> BindAggregate(const ast::Expr& e, Fn fn, BindContext& ctx) {
  if (!ctx.aggregates || ctx.inside_aggregate) return ErrInvalidGroupFunction();
  BindContext inner = ctx;
  inner.inside_aggregate = true;
  inner.aggregates = nullptr;
  inner.windows = nullptr;
  STRATA_ASSIGN_OR_RETURN(auto built, BuildAggregate(e, fn, inner));
  uint32_t index = ctx.aggregate_base + static_cast<uint32_t>(ctx.aggregates->size());
  ctx.aggregates->push_back(std::move(built.first));
  return MakeColumnRef(index, built.second);
}

const std::unordered_map<std::string_view, WindowFn>& WindowFunctions() {
  static const auto* m = new std::unordered_map<std::string_view, WindowFn>{
      {"ROW_NUMBER", WindowFn::kRowNumber},   {"RANK", WindowFn::kRank},         {"DENSE_RANK", WindowFn::kDenseRank},
      {"PERCENT_RANK", WindowFn::kPercentRank}, {"CUME_DIST", WindowFn::kCumeDist}, {"NTILE", WindowFn::kNtile},
      {"LAG", WindowFn::kLag},                {"LEAD", WindowFn::kLead},         {"FIRST_VALUE", WindowFn::kFirstValue},
      {"LAST_VALUE", WindowFn::kLastValue},   {"NTH_VALUE", WindowFn::kNthValue},
  };
  return *m;
}

// f(...) OVER (...): the call joins ctx.windows; its value is a reference the SELECT's binder
// moves to the window node's output once the input width is known.
Result<BoundExprPtr> BindWindow(const ast::Expr& e, BindContext& ctx) {
  const std::string& name = e.text;
  auto window_fn = WindowFunctions().find(name);
  auto aggregate_fn = AggregateFunctions().find(name);
  if (window_fn == WindowFunctions().end() && aggregate_fn == AggregateFunctions().end())
    return ErrSyntax("You have an error in your SQL syntax: " + ToLower(name) + " is not a window function", "OVER", 1);
  if (!ctx.windows || ctx.inside_aggregate) return ErrWindowContext(ToLower(name));
  const ast::WindowSpec* spec = e.window.get();
  if (!spec->name.empty()) {
    spec = nullptr;
    if (ctx.named_windows)
      for (const ast::NamedWindow& w : *ctx.named_windows)
        if (EqualsIgnoreCase(w.name, e.window->name)) spec = &w.spec;
    if (!spec) return ErrNoSuchWindow(e.window->name);
  }
  BindContext inner = ctx;  // arguments, PARTITION BY and ORDER BY: the window's input row
  inner.windows = nullptr;
  WindowCall call;
  call.name = ToLower(name);
  OutType type;
  if (aggregate_fn != AggregateFunctions().end()) {
    if (e.distinct || aggregate_fn->second == Fn::kGroupConcat)
      return ErrNotSupportedYet(e.distinct ? "DISTINCT in a window function" : "GROUP_CONCAT as a window function");
    call.fn = WindowFn::kAggregate;
    STRATA_ASSIGN_OR_RETURN(auto built, BuildAggregate(e, aggregate_fn->second, inner));
    call.aggregate = std::move(built.first);
    type = built.second;
    if (call.aggregate.fn == Fn::kCount || call.aggregate.fn == Fn::kCountStar) type.not_null = true;
  } else {
    call.fn = window_fn->second;
    size_t n = e.children.size(), min = 0, max = 0;
    switch (call.fn) {
      case WindowFn::kNtile: min = max = 1; break;
      case WindowFn::kLag: case WindowFn::kLead: min = 1, max = 3; break;
      case WindowFn::kFirstValue: case WindowFn::kLastValue: min = max = 1; break;
      case WindowFn::kNthValue: min = max = 2; break;
      default: break;
    }
    if (n < min || n > max || e.distinct) return ErrWrongParameterCount(name);
    for (const auto& child : e.children) {
      STRATA_ASSIGN_OR_RETURN(BoundExprPtr b, BindExpr(*child, inner));
      call.args.push_back(std::move(b));
    }
    switch (call.fn) {
      case WindowFn::kPercentRank: case WindowFn::kCumeDist: type.kind = OutKind::kDouble; type.decimals = 31; break;
      case WindowFn::kLag: case WindowFn::kLead: case WindowFn::kFirstValue: case WindowFn::kLastValue:
      case WindowFn::kNthValue:
        type = Untied(call.args[0]->type);
        break;
      default: type.kind = OutKind::kInt; type.length = 21; type.not_null = true; break;
    }
  }
  for (const ast::ExprPtr& p : spec->partition_by) {
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr b, BindExpr(*p, inner));
    call.partition_by.push_back(std::move(b));
  }
  for (const ast::OrderItem& o : spec->order_by) {
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr b, BindExpr(*o.expr, inner));
    call.order_by.emplace_back(std::move(b), o.descending);
  }
  if (spec->has_frame) {
    call.frame_rows = spec->frame_rows;
    call.start = spec->start;
    call.end = spec->end;
    using K = ast::FrameBound::Kind;
    bool offsets = call.start.kind == K::kPreceding || call.start.kind == K::kFollowing ||
                   call.end.kind == K::kPreceding || call.end.kind == K::kFollowing;
    if (!call.frame_rows && offsets) return ErrNotSupportedYet("RANGE frames with offsets");
    if (call.start.kind == K::kUnboundedFollowing || call.end.kind == K::kUnboundedPreceding)
      return ErrSyntax("You have an error in your SQL syntax: a frame cannot start at UNBOUNDED FOLLOWING or end at UNBOUNDED PRECEDING", "OVER", 1);
  } else if (call.order_by.empty()) {
    call.end.kind = ast::FrameBound::Kind::kUnboundedFollowing;  // the whole partition
  }
  uint32_t index = static_cast<uint32_t>(ctx.windows->size());
  ctx.windows->push_back(std::move(call));
  return MakeColumnRef(kWindowColumnMark + index, type);
}

// DATABASE(), USER(), LAST_INSERT_ID(), ...: constants for the statement. nullptr: not one.
Result<BoundExprPtr> BindSessionFunction(const ast::Expr& e, const SessionContext& s) {
  const std::string& name = e.text;
  if (name == "DATABASE" || name == "SCHEMA")
    return MakeConst(s.database().empty() ? Value::Null() : Value::String(s.database()));
  if (name == "VERSION") return MakeConst(Value::String(s.server_version()));
  if (name == "USER" || name == "SESSION_USER" || name == "SYSTEM_USER" || name == "CURRENT_USER")
    return MakeConst(Value::String(s.user() + "@" + (name == "CURRENT_USER" ? s.account_host() : s.client_host())));
  if (name == "CURRENT_ROLE") return MakeConst(Value::String(s.current_role()));
  if (name == "CONNECTION_ID") return MakeConst(Value::Uint(s.connection_id()));
  if (name == "LAST_INSERT_ID" && e.children.empty()) return MakeConst(Value::Uint(s.last_insert_id()));
  if (name == "ROW_COUNT") return MakeConst(Value::Int(s.row_count()));
  if (name == "FOUND_ROWS") return MakeConst(Value::Uint(s.found_rows()));
  return BoundExprPtr();
}

// IF, IFNULL, COALESCE, NULLIF, NOW(), CURDATE(): evaluated in expr.cc.
struct SpecialFunction {
  Fn fn;
  int min_args, max_args;
};
const std::unordered_map<std::string_view, SpecialFunction>& SpecialFunctions() {
  static const auto* m = new std::unordered_map<std::string_view, SpecialFunction>{
      {"IF", {Fn::kIf, 3, 3}},           {"IFNULL", {Fn::kIfNull, 2, 2}},          {"COALESCE", {Fn::kCoalesce, 1, -1}},
      {"NULLIF", {Fn::kNullIf, 2, 2}},   {"NOW", {Fn::kNow, 0, 1}},                {"CURRENT_TIMESTAMP", {Fn::kNow, 0, 1}},
      {"LOCALTIME", {Fn::kNow, 0, 1}},   {"LOCALTIMESTAMP", {Fn::kNow, 0, 1}},     {"SYSDATE", {Fn::kNow, 0, 1}},
      {"CURDATE", {Fn::kCurDate, 0, 0}}, {"CURRENT_DATE", {Fn::kCurDate, 0, 0}},
  };
  return *m;
}

// The fsp of NOW(fsp), CURTIME(fsp), UTC_TIMESTAMP(fsp), UTC_TIME(fsp): fractional-second
// digits, a constant 0-6 (else a syntax error, as MySQL; 1426 past 6).
Result<uint8_t> ClockPrecision(const BoundExpr& fsp, std::string_view function, const SessionContext& session) {
  if (fsp.param) session.MarkPlanUncacheable();  // the column's decimals come from the placeholder's value
  if (!fsp.IsConst() || (fsp.constant.kind() != ValueKind::kInt && fsp.constant.kind() != ValueKind::kUint) ||
      (fsp.constant.kind() == ValueKind::kInt && fsp.constant.int_value() < 0))
    return ErrSyntax("You have an error in your SQL syntax; the precision of " + std::string(function) +
                         " must be an integer",
                     function, 1);
  uint64_t digits = fsp.constant.kind() == ValueKind::kInt ? static_cast<uint64_t>(fsp.constant.int_value())
                                                           : fsp.constant.uint_value();
  if (digits > 6) return ErrTooBigPrecision(static_cast<uint32_t>(std::min<uint64_t>(digits, UINT32_MAX)), ToLower(function), 6);
  return static_cast<uint8_t>(digits);
}

Result<BoundExprPtr> BindSpecial(const ast::Expr& e, const SpecialFunction& info, BindContext& ctx) {
  int n = static_cast<int>(e.children.size());
  if (n < info.min_args || (info.max_args >= 0 && n > info.max_args)) return ErrWrongParameterCount(e.text);
  auto out = std::make_unique<BoundExpr>();
  out->kind = K::kFunc;
  out->fn = info.fn;
  if (info.fn == Fn::kNow || info.fn == Fn::kCurDate) {
    out->type.kind = info.fn == Fn::kNow ? OutKind::kDateTime : OutKind::kDate;
    if (info.fn == Fn::kNow && n == 1) {  // NOW(fsp)
      STRATA_ASSIGN_OR_RETURN(BoundExprPtr fsp, BindExpr(*e.children[0], ctx));
      STRATA_ASSIGN_OR_RETURN(out->type.decimals, ClockPrecision(*fsp, e.text, *ctx.session));
    }
    return BoundExprPtr(std::move(out));
  }
  for (const auto& child : e.children) {
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr b, BindExpr(*child, ctx));
    out->children.push_back(std::move(b));
  }
  // The type of the first value it may answer that is not a NULL literal; a FLOAT only when
  // every such value is one (MySQL: FLOAT with DOUBLE is DOUBLE).
  const size_t first = info.fn == Fn::kIf ? 1 : 0, end = info.fn == Fn::kNullIf ? 1 : out->children.size();
  out->type = Untied(out->children[first]->type);
  for (size_t i = first; i < end; i++) {
    const OutType& t = out->children[i]->type;
    if (t.kind == OutKind::kNull) continue;
    if (out->type.kind == OutKind::kNull) out->type = Untied(t);
    out->type.single_precision = out->type.single_precision && t.single_precision;
  }
  return Fold(std::move(out), ctx);
}

OutType ResultType(const BuiltinFunction& f, const BoundExpr& call, std::string_view unit) {
  OutType t;
  switch (f.rule) {
    case ResultRule::kFixed: t.kind = f.result; break;
    case ResultRule::kFirstArg:  // ABS, ROUND, GREATEST, …: of a FLOAT, a DOUBLE (as MySQL's)
      t = Untied(call.children[0]->type);
      t.single_precision = false;
      break;
    case ResultRule::kTemporal: {
      OutKind date = call.children[f.name == "TIMESTAMPADD" ? 2 : 0]->type.kind;
      if (date == OutKind::kDateTime) t.kind = OutKind::kDateTime;
      else if (date == OutKind::kDate) t.kind = IsWholeDayUnit(unit) ? OutKind::kDate : OutKind::kDateTime;
      else t.kind = OutKind::kString;
      break;
    }
  }
  return t;
}

Result<BoundExprPtr> BindBuiltin(const BuiltinFunction& f, std::vector<BoundExprPtr> args, std::string_view unit,
                                 BindContext& ctx) {
  auto out = std::make_unique<BoundExpr>();
  out->kind = K::kFunc;
  out->fn = Fn::kBuiltin;
  out->builtin = &f;
  for (size_t i = 0; i < args.size() && i < 64; i++)
    if (args[i]->type.kind == OutKind::kJson) out->json_args |= uint64_t{1} << i;
  out->children = std::move(args);
  out->type = ResultType(f, *out, unit);
  if ((f.name == "CURTIME" || f.name == "CURRENT_TIME" || f.name == "UTC_TIMESTAMP" || f.name == "UTC_TIME") && out->children.size() == 1) {
    STRATA_ASSIGN_OR_RETURN(out->type.decimals, ClockPrecision(*out->children[0], f.name, *ctx.session));  // column metadata
  }
  return Fold(std::move(out), ctx);
}

}  // namespace

bool IsAggregateName(std::string_view name) { return AggregateFunctions().contains(name); }

Result<BoundExprPtr> BindIntervalArithmetic(const ast::Expr& date, const ast::Expr& interval, bool subtract,
                                            BindContext& ctx) {
  std::vector<BoundExprPtr> args;
  STRATA_ASSIGN_OR_RETURN(BoundExprPtr d, BindExpr(date, ctx));
  args.push_back(std::move(d));
  STRATA_ASSIGN_OR_RETURN(BoundExprPtr amount, BindExpr(*interval.children[0], ctx));
  args.push_back(std::move(amount));
  args.push_back(MakeConst(Value::String(interval.text)));
  return BindBuiltin(subtract ? DateSubIntervalFunction() : DateAddIntervalFunction(), std::move(args), interval.text, ctx);
}

Result<BoundExprPtr> BindFunction(const ast::Expr& e, BindContext& ctx) {
  const std::string& name = e.text;
  if (name == ast::kCollateFunction && e.children.size() == 2) {  // x COLLATE c, BINARY x
    const CollationInfo* info = CollationByName(e.children[1]->text);
    if (info == nullptr) return ErrUnknownCollation(e.children[1]->text);
    std::vector<BoundExprPtr> args;
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr x, BindExpr(*e.children[0], ctx));
    args.push_back(std::move(x));
    args.push_back(MakeConst(Value::String(std::string(info->name))));
    args.push_back(MakeConst(Value::Int(MakeStringCollation(info->kind, Coercibility::kExplicit))));
    return BindBuiltin(CollateFunction(), std::move(args), "", ctx);
  }
  if (e.window) return BindWindow(e, ctx);
  if (auto agg = AggregateFunctions().find(name); agg != AggregateFunctions().end()) return BindAggregate(e, agg->second, ctx);
  if (!e.order_by.empty() || e.separator || e.distinct) return ErrWrongArguments(name);
  STRATA_ASSIGN_OR_RETURN(BoundExprPtr session_value, BindSessionFunction(e, *ctx.session));
  if (session_value) {
    ctx.session->MarkPlanUncacheable();  // LAST_INSERT_ID(), ROW_COUNT(), … change with every statement
    return session_value;
  }
  if (name == "VALUES" && ctx.allow_values_function && e.children.size() == 1 &&
      e.children[0]->kind == ExprKind::kColumn && ctx.scope.single()) {
    const TableSchema& table = *ctx.scope.single()->table;
    auto col = table.FindColumn(e.children[0]->name);
    if (!col) return UnknownColumn(*e.children[0], ctx.clause);
    auto out = std::make_unique<BoundExpr>();
    out->kind = K::kFunc;
    out->fn = Fn::kValues;
    out->column = *col;
    out->type = OutTypeOfColumn(table, *col);
    out->timestamp_utc = table.columns[*col].type.kind == ast::TypeKind::kTimestamp;  // the row to insert, as stored
    return BoundExprPtr(std::move(out));
  }
  if (auto special = SpecialFunctions().find(name); special != SpecialFunctions().end())
    return BindSpecial(e, special->second, ctx);
  static const std::unordered_map<std::string_view, std::pair<UserLockOp, size_t>> kUserLocks = {
      {"GET_LOCK", {UserLockOp::kGet, 2}},       {"RELEASE_LOCK", {UserLockOp::kRelease, 1}},
      {"IS_FREE_LOCK", {UserLockOp::kIsFree, 1}}, {"IS_USED_LOCK", {UserLockOp::kIsUsed, 1}},
      {"RELEASE_ALL_LOCKS", {UserLockOp::kReleaseAll, 0}}};
  if (auto lock = kUserLocks.find(name); lock != kUserLocks.end()) {  // run per row, never folded
    if (e.children.size() != lock->second.second) return ErrWrongParameterCount(name);
    auto out = std::make_unique<BoundExpr>();
    out->kind = K::kFunc;
    out->fn = Fn::kUserLock;
    out->column = static_cast<uint32_t>(lock->second.first);
    for (const auto& child : e.children) {
      STRATA_ASSIGN_OR_RETURN(BoundExprPtr arg, BindExpr(*child, ctx));
      out->children.push_back(std::move(arg));
    }
    out->type.kind = lock->second.first == UserLockOp::kIsUsed ? OutKind::kUint : OutKind::kInt;
    out->type.length = 21;
    return BoundExprPtr(std::move(out));
  }
  if (name == "LAST_INSERT_ID") {  // LAST_INSERT_ID(expr); LAST_INSERT_ID() is a session constant
    if (e.children.size() != 1) return ErrWrongParameterCount(name);
    auto out = std::make_unique<BoundExpr>();
    out->kind = K::kFunc;
    out->fn = Fn::kSetLastInsertId;
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr arg, BindExpr(*e.children[0], ctx));
    out->children.push_back(std::move(arg));
    out->type.kind = OutKind::kUint;
    return BoundExprPtr(std::move(out));
  }
  if (name == "MOD") {  // MOD(a, b) is a % b
    if (e.children.size() != 2) return ErrWrongParameterCount(name);
    auto out = std::make_unique<BoundExpr>();
    out->kind = K::kBinary;
    out->op = ast::Op::kMod;
    for (const auto& child : e.children) {
      STRATA_ASSIGN_OR_RETURN(BoundExprPtr b, BindExpr(*child, ctx));
      out->children.push_back(std::move(b));
    }
    out->type = Numeric(*out->children[0], *out->children[1], ast::Op::kMod);
    return Fold(std::move(out), ctx);
  }
  // DATE_ADD(d, INTERVAL n unit) and friends.
  bool interval_form = (name == "DATE_ADD" || name == "DATE_SUB" || name == "ADDDATE" || name == "SUBDATE") &&
                       e.children.size() == 2 && e.children[1]->kind == ExprKind::kInterval;
  if (interval_form)
    return BindIntervalArithmetic(*e.children[0], *e.children[1], name == "DATE_SUB" || name == "SUBDATE", ctx);
  const BuiltinFunction* f = FindBuiltinFunction(name);
  if (!f) return ErrUnknownFunction(ctx.session->database().empty() ? "strata" : ctx.session->database(), ToLower(name));
  int n = static_cast<int>(e.children.size());
  if (n < f->min_args || (f->max_args >= 0 && n > f->max_args)) return ErrWrongParameterCount(name);
  std::vector<BoundExprPtr> args;
  for (const auto& child : e.children) {
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr b, BindExpr(*child, ctx));
    args.push_back(std::move(b));
  }
  std::string unit = name == "TIMESTAMPADD" && !e.children.empty() ? ToUpper(e.children[0]->text) : "DAY";
  return BindBuiltin(*f, std::move(args), unit, ctx);
}

}  // namespace strata::sql::binder_internal
