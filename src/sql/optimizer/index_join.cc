// ChooseIndexJoins (rules.h): a join whose equalities give the whole primary key of its right
// table reads that table by key, once per left row, instead of reading all of it.
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

void TryIndexJoin(LogicalJoin& join) {
  if (join.type == JoinType::kRight || join.right_keys.empty()) return;
  LogicalGet* get = nullptr;
  LogicalFilter* filter = nullptr;
  if (!PlainTableRead(*join.children[1], &get, &filter)) return;
  const TableSchema& table = *get->table;
  if (table.has_hidden_key()) return;
  std::vector<BoundExprPtr> lookup;
  for (uint32_t pk_column : table.primary.columns) {
    const BoundExpr* found = nullptr;
    for (size_t i = 0; i < join.right_keys.size() && !found; i++) {
      const BoundExpr& key = *join.right_keys[i];
      if (key.kind == BoundExpr::Kind::kColumn && key.column == pk_column) found = join.left_keys[i].get();
    }
    if (!found) return;
    lookup.push_back(CloneExpr(*found));
  }
  // The right side's filter is checked with the join's predicate, over the combined row.
  const size_t left_width = join.children[0]->width();
  if (filter) {
    BoundExprPtr moved = std::move(filter->predicate);
    ShiftColumns(moved.get(), static_cast<int64_t>(left_width));
    join.predicate = join.predicate ? MakeAnd(std::move(join.predicate), std::move(moved)) : std::move(moved);
    join.children[1] = std::move(filter->children[0]);
  }
  join.index_lookup = true;
  join.lookup_keys = std::move(lookup);
}

}  // namespace

LogicalPlan ChooseIndexJoins(LogicalPlan plan) {
  for (LogicalPlan& child : plan->children) child = ChooseIndexJoins(std::move(child));
  if (plan->kind == LogicalKind::kJoin) TryIndexJoin(static_cast<LogicalJoin&>(*plan));
  return plan;
}

}  // namespace strata::sql
