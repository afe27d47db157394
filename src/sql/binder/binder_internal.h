// Internal to the binder: what binder.cc and function_binder.cc share.
#pragma once

#include <string_view>

#include "sql/binder/binder.h"

namespace strata::sql::binder_internal {

// COUNT, SUM, GROUP_CONCAT, ... (upper case).
bool IsAggregateName(std::string_view name);
// `e` as a constant when every input is one (and it is deterministic).
Result<BoundExprPtr> Fold(BoundExprPtr e, const BindContext& ctx);
// The type of `a op b` for the arithmetic operators.
OutType Numeric(const BoundExpr& a, const BoundExpr& b, ast::Op op);
Status UnknownColumn(const ast::Expr& e, std::string_view clause);

// A function call (kFunction): aggregates into ctx.aggregates, session functions as
// constants, the rest through the function library (functions.h).
Result<BoundExprPtr> BindFunction(const ast::Expr& e, BindContext& ctx);
// `date + INTERVAL n unit` (subtract: `-`); `interval` is the kInterval node.
Result<BoundExprPtr> BindIntervalArithmetic(const ast::Expr& date, const ast::Expr& interval, bool subtract,
                                            BindContext& ctx);

}  // namespace strata::sql::binder_internal
