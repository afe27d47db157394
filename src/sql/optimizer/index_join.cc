// ChooseIndexJoins (rules.h): a join whose equalities give a prefix of an index of its right
// table reads that table through the index, once per left row, instead of reading all of it
// — when the lookups are estimated to cost less than the whole read (LookupsPay).
#include "sql/optimizer/index_join.h"

#include <algorithm>
#include <tuple>

#include "sql/optimizer/cardinality.h"
#include "sql/optimizer/rules.h"

namespace strata::sql {
namespace {

// The Get the right side reads, and its filter (nullptr: none), when the right side is just
// a table read.
bool PlainTableRead(LogicalOperator& right, LogicalGet** get, LogicalFilter** filter) {
  LogicalOperator* node = &right;
  *filter = nullptr;
  if (node->kind == LogicalKind::kFilter) {
    *filter = static_cast<LogicalFilter*>(node);
    node = node->children[0].get();
  }
  if (node->kind != LogicalKind::kGet) return false;
  *get = static_cast<LogicalGet*>(node);
  return !(*get)->with_row_keys;
}

bool Numeric(OutKind k) {
  return k == OutKind::kInt || k == OutKind::kUint || k == OutKind::kDouble || k == OutKind::kDecimal;
}

// What can give a right-table column's value for the lookup: a join key's left expression,
// or a constant the right side's filter compares the column with (`o.status = 'F'` lets a
// join on o.cust use an index on (status, cust)).
struct KeySource {
  KeyEquality equality;
  const BoundExpr* expr;
};

std::vector<KeySource> KeySources(const LogicalJoin& join, const LogicalFilter* filter) {
  std::vector<KeySource> out;
  for (size_t i = 0; i < join.right_keys.size(); i++) {
    const BoundExpr& key = *join.right_keys[i];
    if (key.kind == BoundExpr::Kind::kColumn) out.push_back({{key.column, join.left_keys[i]->type}, join.left_keys[i].get()});
  }
  if (filter == nullptr) return out;
  std::vector<const BoundExpr*> conjuncts;
  SplitConjuncts(filter->predicate.get(), &conjuncts);
  for (const BoundExpr* c : conjuncts) {
    if (c->kind != BoundExpr::Kind::kBinary || c->op != ast::Op::kEq) continue;
    const BoundExpr* column = c->children[0].get();
    const BoundExpr* value = c->children[1].get();
    if (column->IsConst()) std::swap(column, value);
    if (column->kind != BoundExpr::Kind::kColumn || !value->IsConst() || value->constant.is_null()) continue;
    out.push_back({{column->column, value->type, /*from_join=*/false}, value});
  }
  return out;
}

// Whether lookups beat reading the right table whole for a hash join (cardinality.h's cost
// units). A unique lookup always does: it reads at most one row per left row.
bool LookupsPay(const LogicalJoin& join, const LogicalGet& get, const LookupIndex& choice) {
  if (choice.unique) return true;
  const double left = EstimateRows(*join.children[0]);
  const double right = TableRows(get);
  const double per_row = RowsPerKey(*join.children[0], left, join.left_keys, right, right, join.right_keys, &get);
  const double per_fetch = choice.index->id == kPrimaryIndexId ? 1 : 2;
  return left * (kLookupCost + per_row * per_fetch) <= right + left;
}

void TryIndexJoin(LogicalJoin& join) {
  if (join.type == JoinType::kRight || join.right_keys.empty()) return;
  LogicalGet* get = nullptr;
  LogicalFilter* filter = nullptr;
  if (!PlainTableRead(*join.children[1], &get, &filter)) return;
  const TableSchema& table = *get->table;
  std::vector<KeySource> sources = KeySources(join, filter);
  std::vector<KeyEquality> given;
  for (const KeySource& source : sources) given.push_back(source.equality);
  LookupIndex choice = BestLookupIndex(table, given);
  if (choice.index == nullptr) return;
  std::vector<BoundExprPtr> lookup;
  for (size_t i = 0; i < choice.covered; i++) {
    const uint32_t column = choice.index->columns[i];
    for (const KeySource& source : sources) {
      if (source.equality.column != column || !IndexKeyServes(table.columns[column], source.equality.left_type)) continue;
      lookup.push_back(CloneExpr(*source.expr));
      break;
    }
  }
  if (!LookupsPay(join, *get, choice)) return;
  // The right side's filter is checked with the join's predicate, over the combined row.
  const size_t left_width = join.children[0]->width();
  if (filter) {
    BoundExprPtr moved = std::move(filter->predicate);
    ShiftColumns(moved.get(), static_cast<int64_t>(left_width));
    join.predicate = join.predicate ? MakeAnd(std::move(join.predicate), std::move(moved)) : std::move(moved);
    join.children[1] = std::move(filter->children[0]);
  }
  join.index_lookup = true;
  join.lookup_index = choice.index;
  join.lookup_keys = std::move(lookup);
}

}  // namespace

bool IndexKeyServes(const ColumnSchema& column, const OutType& left) {
  using TK = ast::TypeKind;
  switch (column.type.kind) {
    case TK::kTinyInt: case TK::kSmallInt: case TK::kMediumInt: case TK::kInt: case TK::kBigInt:
    case TK::kFloat: case TK::kDouble: case TK::kDecimal:
      return Numeric(left.kind);
    case TK::kChar: case TK::kVarchar:
    case TK::kTinyText: case TK::kText: case TK::kMediumText: case TK::kLongText: {
      if (left.kind != OutKind::kString) return false;
      // A column on the left: the two compare under the index's collation (else a binary
      // comparison would take a _ci index's matches for its own, or a _ci one miss some).
      if (left.table == nullptr || left.column < 0 || static_cast<size_t>(left.column) >= left.table->columns.size())
        return true;
      const ColumnType& outer = left.table->columns[static_cast<size_t>(left.column)].type;
      return ResolveCollation(outer.ValueCollation(), column.type.ValueCollation()) == column.type.Collation();
    }
    default:  // temporal, binary, ENUM/SET, JSON, BIT, spatial: not served (hash join)
      return false;
  }
}

LookupIndex BestLookupIndex(const TableSchema& table, const std::vector<KeyEquality>& given) {
  // 0: no equality serves the column; 1: a constant does; 2: a join key does.
  auto served = [&](uint32_t column) {
    int how = 0;
    for (const KeyEquality& e : given)
      if (e.column == column && IndexKeyServes(table.columns[column], e.left_type)) how = std::max(how, e.from_join ? 2 : 1);
    return how;
  };
  // A unique lookup first (one row), then more key columns, then the primary key (no second
  // read per row).
  auto rank = [](const LookupIndex& c) { return std::tuple(c.unique, c.covered, c.index->id == kPrimaryIndexId); };
  LookupIndex best;
  auto consider = [&](const IndexSchema& index) {
    LookupIndex c{&index, 0, false};
    bool joined = false;  // else index selection's business, not a join's
    while (c.covered < index.columns.size() && served(index.columns[c.covered])) {
      joined = joined || served(index.columns[c.covered]) == 2;
      ++c.covered;
    }
    if (!joined) return;
    c.unique = c.covered == index.columns.size() && (index.unique || index.id == kPrimaryIndexId);
    if (best.index == nullptr || rank(c) > rank(best)) best = c;
  };
  if (!table.has_hidden_key()) consider(table.primary);
  for (const IndexSchema& index : table.indexes) consider(index);
  return best;
}

LogicalPlan ChooseIndexJoins(LogicalPlan plan) {
  for (LogicalPlan& child : plan->children) child = ChooseIndexJoins(std::move(child));
  if (plan->kind == LogicalKind::kJoin) TryIndexJoin(static_cast<LogicalJoin&>(*plan));
  return plan;
}

}  // namespace strata::sql
