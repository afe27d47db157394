// The built-in scalar functions: string, math, date and time, JSON. Each is a name, an
// arity, how its result type follows from its arguments, and an evaluation over already
// evaluated arguments. The binder looks calls up here (FindBuiltinFunction) and Eval runs
// them. Functions that evaluate lazily or read the session (IF, COALESCE, NOW(),
// DATABASE(), VALUES(col)) are not here: expr.cc and the binder handle those.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "sql/expression/expr.h"

namespace strata::sql {

// How a function's result type follows from its arguments' types.
enum class ResultRule : uint8_t {
  kFixed,       // BuiltinFunction::result
  kFirstArg,    // the first argument's type (ABS, GREATEST, ROUND)
  kTemporal,    // DATE_ADD and friends: DATE stays DATE for whole-day units, DATETIME stays
                // DATETIME, anything else is a string (MySQL's rule)
};

struct BuiltinFunction {
  std::string_view name;  // upper case
  int8_t min_args = 0;
  int8_t max_args = 0;  // -1: any number
  OutKind result = OutKind::kString;
  ResultRule rule = ResultRule::kFixed;
  bool null_propagates = true;  // any NULL argument makes the result NULL; eval is not called
  bool deterministic = true;    // false: never folded into a constant (RAND, UUID, UNIX_TIMESTAMP())
  Result<Value> (*eval)(std::span<const Value> args, const EvalContext& ctx) = nullptr;
  // Instead of eval, for functions that build JSON: bit i of json_args is set when argument
  // i is itself JSON (a JSON column or function), to be nested rather than quoted.
  Result<Value> (*eval_json)(std::span<const Value> args, uint64_t json_args, const EvalContext& ctx) = nullptr;
};

// The function called `upper_name` (upper case), or nullptr.
const BuiltinFunction* FindBuiltinFunction(std::string_view upper_name);

// The internal functions the binder calls for `date ± INTERVAL n unit` (args: date, amount,
// unit name as a string constant); users cannot name them.
const BuiltinFunction& DateAddIntervalFunction();
const BuiltinFunction& DateSubIntervalFunction();
// `x COLLATE c` / `BINARY x` (args: x, the collation's name, its StringCollation byte).
const BuiltinFunction& CollateFunction();

// JSON text in MySQL's printed form (", " and ": " separators, object keys by length and
// then bytes). 3141 when it is not JSON, 3157 past 100 levels of nesting.
Result<std::string> CanonicalJson(std::string_view json_text);

// True when `unit` (upper case: DAY, HOUR_MINUTE, ...) has no part below a day.
bool IsWholeDayUnit(std::string_view unit);

}  // namespace strata::sql
