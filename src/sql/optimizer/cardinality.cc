// Cardinality estimates (cardinality.h).
#include "sql/optimizer/cardinality.h"

#include <algorithm>

#include "sql/optimizer/access_path.h"

namespace strata::sql {
namespace {

using K = BoundExpr::Kind;
using ast::Op;

// The column of `get`'s table that `e` is, or -1.
int64_t TableColumn(const BoundExpr& e, const LogicalGet* get, uint32_t offset) {
  if (get == nullptr || e.kind != K::kColumn || e.column < offset) return -1;
  uint32_t column = e.column - offset;
  return column < get->table->columns.size() ? column : -1;
}

// `column = constant` (either way round): the column, or nullptr.
const BoundExpr* EqualityColumn(const BoundExpr& e) {
  if (e.kind != K::kBinary || (e.op != Op::kEq && e.op != Op::kNullSafeEq)) return nullptr;
  const BoundExpr* a = e.children[0].get();
  const BoundExpr* b = e.children[1].get();
  if (a->IsConst()) std::swap(a, b);
  return a->kind == K::kColumn && b->IsConst() ? a : nullptr;
}

// The rows of `table` as a Get of it under `plan` estimates them, or 0 when none reads it.
double RowsOfTableUnder(const LogicalOperator& plan, const TableSchema* table) {
  if (plan.kind == LogicalKind::kGet && static_cast<const LogicalGet&>(plan).table.get() == table)
    return TableRows(static_cast<const LogicalGet&>(plan));
  for (const LogicalPlan& child : plan.children)
    if (double rows = RowsOfTableUnder(*child, table); rows > 0) return rows;
  return 0;
}

// The statistics of the column `e` is, when it is one of `get`'s table.
const ColumnStatistics* StatsOf(const BoundExpr& e, const LogicalGet* get, uint32_t offset) {
  const int64_t c = TableColumn(e, get, offset);
  return c < 0 ? nullptr : ColumnStats(get, static_cast<uint32_t>(c));
}

// The share of rows `e` keeps by the statistics of the column it compares with constants;
// nullopt when it is not such a comparison or there are none.
std::optional<double> StatisticalSelectivity(const BoundExpr& e, const LogicalGet* get, uint32_t offset) {
  if (get == nullptr || !get->statistics) return std::nullopt;
  const BoundExpr* column = nullptr;
  auto below = [](const std::optional<double>& x) { return x.value_or(0.0); };
  switch (e.kind) {
    case K::kBinary: {
      if (e.children.size() != 2) return std::nullopt;
      const BoundExpr* a = e.children[0].get();
      const BoundExpr* b = e.children[1].get();
      Op op = e.op;
      if (a->IsConst() && b->kind == K::kColumn) {
        std::swap(a, b);
        op = FlipComparison(op);
      }
      const ColumnStatistics* s = b->IsConst() ? StatsOf(*a, get, offset) : nullptr;
      if (s == nullptr) return std::nullopt;
      const Value& v = b->constant;
      const double live = 1 - s->null_fraction;
      const bool comparison = op == Op::kEq || op == Op::kNullSafeEq || op == Op::kNe || op == Op::kLt ||
                              op == Op::kLe || op == Op::kGt || op == Op::kGe;
      if (!comparison) return std::nullopt;
      if (v.is_null()) return op == Op::kNullSafeEq ? s->null_fraction : 0.0;
      if (!s->Comparable(v)) return std::nullopt;
      switch (op) {
        case Op::kEq: case Op::kNullSafeEq: return live * below(s->EqualShare(v));
        case Op::kNe: return live * (1 - below(s->EqualShare(v)));
        case Op::kLt: return live * below(s->BelowShare(v, false));
        case Op::kLe: return live * below(s->BelowShare(v, true));
        case Op::kGt: return live * (1 - below(s->BelowShare(v, true)));
        case Op::kGe: return live * (1 - below(s->BelowShare(v, false)));
        default: return std::nullopt;
      }
    }
    case K::kBetween: {
      column = e.children[0].get();
      const ColumnStatistics* s = StatsOf(*column, get, offset);
      const BoundExpr& lo = *e.children[1];
      const BoundExpr& hi = *e.children[2];
      if (s == nullptr || !lo.IsConst() || !hi.IsConst() || !s->Comparable(lo.constant) || !s->Comparable(hi.constant))
        return std::nullopt;
      const double live = 1 - s->null_fraction;
      const double in = live * std::max(0.0, below(s->BelowShare(hi.constant, true)) - below(s->BelowShare(lo.constant, false)));
      return e.negated ? live - in : in;
    }
    case K::kIn: {
      const ColumnStatistics* s = StatsOf(*e.children[0], get, offset);
      if (s == nullptr) return std::nullopt;
      double in = 0;
      for (size_t i = 1; i < e.children.size(); i++) {
        const BoundExpr& item = *e.children[i];
        if (!item.IsConst()) return std::nullopt;
        if (item.constant.is_null()) continue;
        if (!s->Comparable(item.constant)) return std::nullopt;
        in += below(s->EqualShare(item.constant));
      }
      const double live = 1 - s->null_fraction;
      in = live * std::min(1.0, in);
      return e.negated ? live - in : in;
    }
    case K::kIsNull: {
      const ColumnStatistics* s = StatsOf(*e.children[0], get, offset);
      if (s == nullptr) return std::nullopt;
      return e.negated ? 1 - s->null_fraction : s->null_fraction;
    }
    default: return std::nullopt;
  }
}

bool UniqueColumnExpr(const BoundExpr& e) {
  return e.kind == K::kColumn && e.type.table != nullptr && e.type.column >= 0 &&
         IsUniqueColumn(*e.type.table, static_cast<uint32_t>(e.type.column));
}

}  // namespace

double RowsPerKey(const LogicalOperator& left, double left_rows, const std::vector<BoundExprPtr>& left_keys,
                  double right_rows, double right_base, const std::vector<BoundExprPtr>& right_keys,
                  const LogicalGet* right_get) {
  double per_row = std::min(right_rows / std::max(1.0, std::min(left_rows, right_rows)), 0.1 * right_rows);
  std::optional<double> by_statistics;
  for (const BoundExprPtr& key : right_keys) {
    if (const ColumnStatistics* s = StatsOf(*key, right_get, 0))
      by_statistics = std::min(by_statistics.value_or(right_rows), right_rows * (1 - s->null_fraction) / std::max(1.0, s->distinct));
  }
  if (by_statistics) per_row = *by_statistics;
  for (const BoundExprPtr& key : right_keys)
    if (UniqueColumnExpr(*key)) per_row = std::min(per_row, right_rows / std::max(1.0, right_base));
  for (const BoundExprPtr& key : left_keys) {
    if (!UniqueColumnExpr(*key)) continue;
    if (double base = RowsOfTableUnder(left, key->type.table); base > 0) per_row = std::min(per_row, right_rows / base);
  }
  return per_row;
}

double TableRows(const LogicalGet& get) {
  return std::max(1.0, get.estimated_rows ? static_cast<double>(*get.estimated_rows) : kUnknownTableRows);
}

const ColumnStatistics* ColumnStats(const LogicalGet* get, uint32_t column) {
  return get && get->statistics ? get->statistics->Column(*get->table, column) : nullptr;
}

bool IsUniqueColumn(const TableSchema& table, uint32_t column) {
  if (table.primary.columns.size() == 1 && table.primary.columns[0] == column) return true;
  for (const IndexSchema& index : table.indexes)
    if (index.unique && index.columns.size() == 1 && index.columns[0] == column) return true;
  return false;
}

double Selectivity(const BoundExpr& e, const LogicalGet* get, uint32_t offset) {
  if (std::optional<double> s = StatisticalSelectivity(e, get, offset)) {
    // Half a row at least: a value the sample missed may still be there.
    return std::clamp(*s, 0.5 / TableRows(*get), 1.0);
  }
  switch (e.kind) {
    case K::kBinary:
      switch (e.op) {
        // AND and OR are n-ary (flattened chains): every operand counts.
        case Op::kAnd: {
          double s = 1.0;
          for (const auto& c : e.children) s *= Selectivity(*c, get, offset);
          return s;
        }
        case Op::kOr: {
          double s = 0.0;
          for (const auto& c : e.children) {
            double b = Selectivity(*c, get, offset);
            s = s + b - s * b;
          }
          return std::min(1.0, s);
        }
        case Op::kEq: case Op::kNullSafeEq: {
          const BoundExpr* column = EqualityColumn(e);
          int64_t c = column ? TableColumn(*column, get, offset) : -1;
          if (c >= 0 && IsUniqueColumn(*get->table, static_cast<uint32_t>(c))) return 1.0 / TableRows(*get);
          return 0.1;
        }
        case Op::kNe: return 0.9;
        case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe: return 1.0 / 3;
        default: return 0.5;
      }
    case K::kBetween: return e.negated ? 0.9 : 1.0 / 9;
    case K::kIn: return e.negated ? 0.9 : std::min(0.5, 0.1 * static_cast<double>(e.children.size() - 1));
    case K::kUnary: return e.op == Op::kNot ? 0.9 : 0.5;
    default: return 0.5;
  }
}

double EstimateRows(const LogicalOperator& plan) {
  switch (plan.kind) {
    case LogicalKind::kGet: return TableRows(static_cast<const LogicalGet&>(plan));
    case LogicalKind::kValues: return std::max<double>(1, static_cast<double>(static_cast<const LogicalValues&>(plan).rows.size()));
    case LogicalKind::kFilter: {
      const LogicalOperator& child = plan.child();
      const auto* get = child.kind == LogicalKind::kGet ? static_cast<const LogicalGet*>(&child) : nullptr;
      double rows = EstimateRows(child) * Selectivity(*static_cast<const LogicalFilter&>(plan).predicate, get, 0);
      return std::max(1.0, rows);
    }
    case LogicalKind::kJoin: {
      const auto& join = static_cast<const LogicalJoin&>(plan);
      double left = EstimateRows(*plan.children[0]), right = EstimateRows(*plan.children[1]);
      // Without equalities, every pair the predicate keeps (a third of them).
      double rows = left * right * (join.predicate ? 1.0 / 3 : 1.0);
      if (join.lookup_unique()) {
        rows = left;
      } else if (!join.left_keys.empty()) {
        const double base = plan.children[1]->kind == LogicalKind::kGet
                                ? TableRows(static_cast<const LogicalGet&>(*plan.children[1])) : right;
        const auto* right_get = plan.children[1]->kind == LogicalKind::kGet
                                    ? static_cast<const LogicalGet*>(plan.children[1].get()) : nullptr;
        rows = left * RowsPerKey(*plan.children[0], left, join.left_keys, right, base, join.right_keys, right_get);
      }
      if (join.type == JoinType::kLeft) rows = std::max(rows, left);
      if (join.type == JoinType::kRight) rows = std::max(rows, right);
      // A semi join keeps each left row at most once; an anti join the others.
      if (join.type == JoinType::kSemi) rows = std::min(rows, left);
      if (join.type == JoinType::kAnti) rows = left - std::min(rows, left) / 2;
      return std::max(1.0, rows);
    }
    case LogicalKind::kSetOp: return EstimateRows(*plan.children[0]) + EstimateRows(*plan.children[1]);
    case LogicalKind::kAggregate: {
      const auto& aggregate = static_cast<const LogicalAggregate&>(plan);
      return aggregate.group_by.empty() ? 1 : std::max(1.0, EstimateRows(plan.child()) / 10);
    }
    case LogicalKind::kLimit: {
      const auto& limit = static_cast<const LogicalLimit&>(plan);
      double rows = EstimateRows(plan.child());
      return limit.count == UINT64_MAX ? rows : std::max(1.0, std::min(rows, static_cast<double>(limit.count)));
    }
    case LogicalKind::kWorkTable: return kUnknownTableRows;
    default: return plan.children.empty() ? 1 : EstimateRows(*plan.children[0]);
  }
}

}  // namespace strata::sql
