// ReorderJoins (rules.h): the order in which a chain of inner joins meets its tables.
//
// The planner joins tables in FROM order. With a comma join of many tables that order can
// pass through cross products: FROM t1, t2, t3 WHERE t1.a = t3.b AND t2.c = t3.d joins t1
// with t2 on nothing. Without statistics yet, a greedy order avoids that: start with a table
// that a condition of its own filters (else the first), then repeatedly join the first
// remaining table that a condition connects to those already joined. A Project on top puts
// the columns back in FROM order, so nothing above the joins changes.
#include <algorithm>

#include "common/check.h"
#include "sql/optimizer/rules.h"

namespace strata::sql {
namespace {

struct Leaf {
  LogicalPlan plan;
  uint32_t offset = 0;  // first column in FROM order
  uint32_t width = 0;
};

// Flattens a left-deep chain of inner joins into its leaves (FROM order) and its predicates.
void Flatten(LogicalPlan plan, std::vector<Leaf>* leaves, std::vector<BoundExprPtr>* conjuncts) {
  std::vector<LogicalPlan> rights;
  while (plan->kind == LogicalKind::kJoin && static_cast<LogicalJoin&>(*plan).type == JoinType::kInner) {
    auto& join = static_cast<LogicalJoin&>(*plan);
    TakeConjuncts(std::move(join.predicate), conjuncts);
    rights.push_back(std::move(plan->children[1]));
    LogicalPlan left = std::move(plan->children[0]);
    plan = std::move(left);
  }
  rights.push_back(std::move(plan));
  uint32_t offset = 0;
  for (auto it = rights.rbegin(); it != rights.rend(); ++it) {
    uint32_t width = static_cast<uint32_t>((*it)->width());
    leaves->push_back({std::move(*it), offset, width});
    offset += width;
  }
}

// The leaves each conjunct reads (sorted, unique).
std::vector<std::vector<size_t>> LeavesRead(const std::vector<BoundExprPtr>& conjuncts, const std::vector<Leaf>& leaves) {
  std::vector<std::vector<size_t>> out;
  for (const BoundExprPtr& c : conjuncts) {
    std::vector<uint32_t> columns;
    CollectColumns(*c, &columns);
    std::vector<size_t> read;
    for (uint32_t col : columns) {
      size_t leaf = 0;
      while (leaf + 1 < leaves.size() && leaves[leaf + 1].offset <= col) ++leaf;
      read.push_back(leaf);
    }
    std::sort(read.begin(), read.end());
    read.erase(std::unique(read.begin(), read.end()), read.end());
    out.push_back(std::move(read));
  }
  return out;
}

std::vector<size_t> GreedyOrder(size_t n, const std::vector<std::vector<size_t>>& reads) {
  std::vector<bool> joined(n, false);
  std::vector<size_t> order;
  size_t start = 0;
  for (const auto& r : reads) {
    if (r.size() == 1) {
      start = r[0];
      break;
    }
  }
  order.push_back(start);
  joined[start] = true;
  while (order.size() < n) {
    size_t next = n;
    for (size_t candidate = 0; candidate < n && next == n; candidate++) {
      if (joined[candidate]) continue;
      for (const auto& r : reads) {
        bool has_candidate = false, has_joined = false, others = false;
        for (size_t leaf : r) {
          if (leaf == candidate) has_candidate = true;
          else if (joined[leaf]) has_joined = true;
          else others = true;
        }
        if (has_candidate && has_joined && !others) {
          next = candidate;
          break;
        }
      }
    }
    if (next == n) next = static_cast<size_t>(std::find(joined.begin(), joined.end(), false) - joined.begin());
    order.push_back(next);
    joined[next] = true;
  }
  return order;
}

LogicalPlan Reorder(LogicalPlan plan, BoundExprPtr* filter) {
  std::vector<Leaf> leaves;
  std::vector<BoundExprPtr> conjuncts;
  TakeConjuncts(std::move(*filter), &conjuncts);
  Flatten(std::move(plan), &leaves, &conjuncts);
  std::vector<size_t> order = GreedyOrder(leaves.size(), LeavesRead(conjuncts, leaves));

  // new_position[p]: where FROM-order column p sits in the reordered row.
  uint32_t total = leaves.back().offset + leaves.back().width;
  std::vector<uint32_t> new_position(total);
  uint32_t offset = 0;
  LogicalPlan joined;
  for (size_t index : order) {
    Leaf& leaf = leaves[index];
    for (uint32_t c = 0; c < leaf.width; c++) new_position[leaf.offset + c] = offset + c;
    offset += leaf.width;
    joined = joined ? MakeJoin(JoinType::kInner, nullptr, std::move(joined), std::move(leaf.plan)) : std::move(leaf.plan);
  }
  for (BoundExprPtr& c : conjuncts) RemapColumns(c.get(), new_position);
  if (!conjuncts.empty()) {
    joined = Stack(std::make_unique<LogicalFilter>(CombineConjuncts(std::move(conjuncts))), std::move(joined));
  }
  std::vector<BoundExprPtr> restore;
  for (uint32_t p = 0; p < total; p++) restore.push_back(MakeColumnRef(new_position[p], OutType{}));
  return Stack(std::make_unique<LogicalProject>(std::move(restore)), std::move(joined));
}

size_t InnerChainLength(const LogicalOperator& plan) {
  size_t n = 1;
  const LogicalOperator* node = &plan;
  while (node->kind == LogicalKind::kJoin && static_cast<const LogicalJoin&>(*node).type == JoinType::kInner) {
    ++n;
    node = node->children[0].get();
  }
  return n;
}

// A correlated subquery reads this level's row by position: its conditions pin the order.
bool HasFixedConjunct(const LogicalOperator& filter) {
  if (HasCorrelatedSubquery(*static_cast<const LogicalFilter&>(filter).predicate)) return true;
  const LogicalOperator* node = filter.children[0].get();
  while (node->kind == LogicalKind::kJoin && static_cast<const LogicalJoin&>(*node).type == JoinType::kInner) {
    const auto& join = static_cast<const LogicalJoin&>(*node);
    if (join.predicate && HasCorrelatedSubquery(*join.predicate)) return true;
    node = node->children[0].get();
  }
  return false;
}

}  // namespace

LogicalPlan ReorderJoins(LogicalPlan plan) {
  for (LogicalPlan& child : plan->children) child = ReorderJoins(std::move(child));
  // A WHERE above a chain of three or more tables joined by inner joins.
  if (plan->kind != LogicalKind::kFilter || plan->child().kind != LogicalKind::kJoin) return plan;
  if (InnerChainLength(plan->child()) < 3 || HasFixedConjunct(*plan)) return plan;
  auto& filter = static_cast<LogicalFilter&>(*plan);
  return Reorder(std::move(plan->children[0]), &filter.predicate);
}

}  // namespace strata::sql
