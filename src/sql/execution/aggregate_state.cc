#include "sql/execution/aggregate_state.h"

#include <algorithm>
#include <cmath>

#include "sql/errors.h"
#include "sql/expression/functions.h"

namespace strata::sql {
namespace {

Result<nlohmann::json> ToJson(const Value& v, bool is_json) {
  switch (v.kind()) {
    case ValueKind::kNull: return nlohmann::json(nullptr);
    case ValueKind::kInt: return nlohmann::json(v.int_value());
    case ValueKind::kUint: return nlohmann::json(v.uint_value());
    case ValueKind::kDouble: return nlohmann::json(v.double_value());
    case ValueKind::kDecimal: return nlohmann::json(v.decimal_value().ToDouble());
    case ValueKind::kString: {
      if (!is_json) return nlohmann::json(v.string_value());
      STRATA_ASSIGN_OR_RETURN(std::string checked, CanonicalJson(v.string_value()));  // valid, not too deep
      return nlohmann::json::parse(checked);
    }
  }
  return nlohmann::json(nullptr);
}

Status AccumulateJson(const AggregateSpec& spec, const Row& row, Value v, const EvalContext& ctx, AggState* s) {
  if (s->json.is_null()) s->json = spec.fn == Fn::kJsonArrayAgg ? nlohmann::json::array() : nlohmann::json::object();
  s->count++;
  if (spec.fn == Fn::kJsonArrayAgg) {
    STRATA_ASSIGN_OR_RETURN(nlohmann::json j, ToJson(v, spec.json_args & 1));
    s->json.push_back(std::move(j));
    return Status::OK();
  }
  if (v.is_null()) return ErrWrongArguments("json_objectagg: a key is NULL");
  STRATA_ASSIGN_OR_RETURN(Value value, Eval(*spec.more_args[0], row, ctx));
  STRATA_ASSIGN_OR_RETURN(nlohmann::json j, ToJson(value, spec.json_args & 2));
  s->json[v.ToText().value_or("")] = std::move(j);
  return Status::OK();
}

}  // namespace

Status Accumulate(const AggregateSpec& spec, const Row& row, const EvalContext& ctx, AggState* s) {
  if (spec.fn == Fn::kCountStar) {
    s->count++;
    return Status::OK();
  }
  STRATA_ASSIGN_OR_RETURN(Value v, Eval(*spec.arg, row, ctx));
  if (spec.fn == Fn::kJsonArrayAgg || spec.fn == Fn::kJsonObjectAgg) return AccumulateJson(spec, row, std::move(v), ctx, s);
  if (v.is_null() && spec.fn != Fn::kGroupConcat) return Status::OK();
  Row distinct_key;
  if (!spec.more_args.empty() || spec.fn == Fn::kGroupConcat) {  // GROUP_CONCAT / COUNT(DISTINCT a, b)
    distinct_key.push_back(v);
    for (const auto& more : spec.more_args) {
      STRATA_ASSIGN_OR_RETURN(Value m, Eval(*more, row, ctx));
      distinct_key.push_back(std::move(m));
    }
    for (const Value& part : distinct_key)
      if (part.is_null()) return Status::OK();  // a NULL in any argument skips the row
  } else {
    distinct_key.push_back(v);
  }
  if (spec.distinct && !s->seen.insert(distinct_key).second) return Status::OK();
  s->count++;
  switch (spec.fn) {
    case Fn::kSum:
    case Fn::kAvg:
      if (s->exact && (v.kind() == ValueKind::kInt || v.kind() == ValueKind::kUint || v.kind() == ValueKind::kDecimal)) {
        Decimal d = v.kind() == ValueKind::kInt    ? Decimal{v.int_value(), 0}
                    : v.kind() == ValueKind::kUint ? Decimal{v.uint_value(), 0}
                                                   : v.decimal_value();
        STRATA_ASSIGN_OR_RETURN(s->sum_exact, DecimalAdd(s->sum_exact, d));
      } else {
        s->exact = false;
      }
      s->sum_double += v.ToDouble();
      break;
    case Fn::kMin:
      if (s->best.is_null() || CompareValues(v, s->best) < 0) s->best = v;
      break;
    case Fn::kMax:
      if (s->best.is_null() || CompareValues(v, s->best) > 0) s->best = v;
      break;
    case Fn::kBitAnd: case Fn::kBitOr: case Fn::kBitXor: {
      uint64_t b = v.kind() == ValueKind::kUint ? v.uint_value()
                   : v.kind() == ValueKind::kInt ? static_cast<uint64_t>(v.int_value())
                                                 : static_cast<uint64_t>(SaturatingInt64(std::round(v.ToDouble())));
      if (spec.fn == Fn::kBitAnd) s->bits = s->bits_started ? s->bits & b : b;
      else if (spec.fn == Fn::kBitOr) s->bits |= b;
      else s->bits ^= b;
      s->bits_started = true;
      break;
    }
    case Fn::kStdPop: case Fn::kStdSamp: case Fn::kVarPop: case Fn::kVarSamp: {
      double x = v.ToDouble(), delta = x - s->mean;
      s->mean += delta / static_cast<double>(s->count);
      s->m2 += delta * (x - s->mean);
      break;
    }
    case Fn::kGroupConcat: {
      if (s->part_bytes > spec.max_length) break;  // already past the limit: the rest is cut anyway
      std::string text;
      for (const Value& part : distinct_key) text += part.ToText().value_or("");
      Row keys;
      for (const auto& [key, descending] : spec.order_by) {
        STRATA_ASSIGN_OR_RETURN(Value k, Eval(*key, row, ctx));
        keys.push_back(std::move(k));
      }
      s->part_bytes += text.size() + spec.separator.size();
      s->parts.emplace_back(std::move(keys), std::move(text));
      break;
    }
    default: break;
  }
  return Status::OK();
}

Result<Value> FinishAggregate(const AggregateSpec& spec, AggState* s) {
  switch (spec.fn) {
    case Fn::kCount: case Fn::kCountStar: return Value::Int(s->count);
    case Fn::kMin: case Fn::kMax: return s->best;
    case Fn::kSum:
      if (s->count == 0) return Value::Null();
      return s->exact ? Value::Dec(s->sum_exact) : Value::Double(s->sum_double);
    case Fn::kAvg: {
      if (s->count == 0) return Value::Null();
      if (!s->exact) return Value::Double(s->sum_double / static_cast<double>(s->count));
      STRATA_ASSIGN_OR_RETURN(std::optional<Decimal> avg, DecimalDiv(s->sum_exact, Decimal{s->count, 0}));
      return Value::Dec(*avg);
    }
    case Fn::kBitAnd: return Value::Uint(s->bits_started ? s->bits : UINT64_MAX);
    case Fn::kBitOr: case Fn::kBitXor: return Value::Uint(s->bits);
    case Fn::kStdPop: case Fn::kVarPop: case Fn::kStdSamp: case Fn::kVarSamp: {
      bool sample = spec.fn == Fn::kStdSamp || spec.fn == Fn::kVarSamp;
      if (s->count == 0 || (sample && s->count == 1)) return Value::Null();
      double var = s->m2 / static_cast<double>(sample ? s->count - 1 : s->count);
      return Value::Double(spec.fn == Fn::kStdPop || spec.fn == Fn::kStdSamp ? std::sqrt(var) : var);
    }
    case Fn::kGroupConcat: {
      if (s->parts.empty()) return Value::Null();
      if (!spec.order_by.empty()) {
        std::stable_sort(s->parts.begin(), s->parts.end(), [&](const auto& a, const auto& b) {
          for (size_t i = 0; i < spec.order_by.size(); i++) {
            const Value &x = a.first[i], &y = b.first[i];
            int c = x.is_null() ? (y.is_null() ? 0 : -1) : y.is_null() ? 1 : CompareValues(x, y);
            if (c != 0) return spec.order_by[i].second ? c > 0 : c < 0;
          }
          return false;
        });
      }
      std::string out;
      for (size_t i = 0; i < s->parts.size() && out.size() < spec.max_length; i++) {
        if (i) out += spec.separator;
        out += s->parts[i].second;
      }
      if (out.size() > spec.max_length) out.resize(spec.max_length);  // MySQL cuts at group_concat_max_len
      return Value::String(std::move(out));
    }
    case Fn::kJsonArrayAgg: case Fn::kJsonObjectAgg:
      if (s->count == 0) return Value::Null();
      {
      STRATA_ASSIGN_OR_RETURN(std::string text, CanonicalJson(s->json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
      return Value::String(std::move(text));
    }
    default: return Status::Internal("bad aggregate");
  }
}


}  // namespace strata::sql
