// ReorderJoins (rules.h): the order in which a chain of inner joins meets its tables.
//
// The planner joins tables in FROM order. That order can pass through cross products (FROM
// t1, t2, t3 WHERE t1.a = t3.b AND t2.c = t3.d joins t1 with t2 on nothing) and can start
// from the largest table. Instead the chain's tables are joined left-deep in the order of
// least estimated cost (cardinality.h: table row counts and fixed selectivities), where
//
//   * the first table costs its scan: its rows, or a lookup when a condition of its own
//     constrains the first column of one of its indexes;
//   * each next table costs an index lookup per row joined so far when the conditions give
//     a prefix of one of its indexes (index_join.h) and that is cheaper than reading the
//     whole table (as the index-join rule will then choose), else the read of the whole
//     table for a hash join (or a nested-loop join when no equality connects it);
//   * every step also costs the rows it produces, which the steps after it must process.
//
// A table that no condition connects to those already joined comes only when no connected
// one is left. Up to kExhaustiveTables tables every order is weighed (dynamic programming
// over subsets); beyond, the cheapest next step is taken greedily from every start. A
// Project on top puts the columns back in FROM order, so nothing above the joins changes.
#include <algorithm>
#include <limits>

#include "common/check.h"
#include "sql/optimizer/cardinality.h"
#include "sql/optimizer/index_join.h"
#include "sql/optimizer/rules.h"

namespace strata::sql {
namespace {

constexpr size_t kExhaustiveTables = 10;
constexpr size_t kMaxChainTables = 64;  // the leaves of a chain are bits of a uint64_t; longer chains keep FROM order

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

size_t LeafOf(const std::vector<Leaf>& leaves, uint32_t column) {
  size_t leaf = 0;
  while (leaf + 1 < leaves.size() && leaves[leaf + 1].offset <= column) ++leaf;
  return leaf;
}

// What ordering needs to know about the chain, read once.
class JoinGraph {
 public:
  JoinGraph(const std::vector<Leaf>& leaves, const std::vector<BoundExprPtr>& conjuncts) : leaves_(leaves) {
    for (const BoundExprPtr& c : conjuncts) {
      std::vector<uint32_t> columns;
      CollectColumns(*c, &columns);
      uint64_t reads = 0;
      for (uint32_t col : columns) reads |= uint64_t{1} << LeafOf(leaves, col);
      conjuncts_.push_back({c.get(), reads});
    }
    for (size_t i = 0; i < leaves.size(); i++) tables_.push_back(Describe(i));
  }

  size_t size() const { return leaves_.size(); }

  // Joining `next` to the leaves in `joined` (a bit set), which give `rows` rows.
  struct Step {
    double rows = 0, cost = 0;
    bool connected = false;
  };
  Step Start(size_t leaf) const { return {tables_[leaf].rows, tables_[leaf].access_cost + tables_[leaf].rows, true}; }
  Step Join(uint64_t joined, double rows, size_t next) const;

 private:
  struct Conjunct {
    const BoundExpr* expr;
    uint64_t reads;  // bit i: reads leaf i
  };
  struct Table {
    const LogicalGet* get = nullptr;  // when the leaf reads a table
    double base = 1;                  // rows of the leaf
    double rows = 1;                  // ... that its own conditions keep
    double access_cost = 1;           // reading those
  };

  Table Describe(size_t leaf) const;
  // For `e`: `column of leaf next = expression over joined leaves`, the column (in its
  // table) and the other side.
  bool JoinEquality(const BoundExpr& e, uint64_t joined, size_t next, uint32_t* column, const BoundExpr** other) const;

  const std::vector<Leaf>& leaves_;
  std::vector<Conjunct> conjuncts_;
  std::vector<Table> tables_;
};

JoinGraph::Table JoinGraph::Describe(size_t leaf) const {
  Table t;
  const LogicalOperator& plan = *leaves_[leaf].plan;
  if (plan.kind == LogicalKind::kGet) t.get = static_cast<const LogicalGet*>(&plan);
  t.base = EstimateRows(plan);
  t.rows = t.base;
  bool indexed = false, secondary = false;
  for (const Conjunct& c : conjuncts_) {
    if (c.reads != uint64_t{1} << leaf) continue;
    t.rows *= Selectivity(*c.expr, t.get, leaves_[leaf].offset);
    // A condition on the first column of an index: the scan reads through it (roughly).
    std::vector<uint32_t> columns;
    CollectColumns(*c.expr, &columns);
    if (t.get == nullptr || columns.size() != 1 || (c.expr->kind == BoundExpr::Kind::kBinary && c.expr->op == ast::Op::kNe))
      continue;
    const uint32_t column = columns[0] - leaves_[leaf].offset;
    const TableSchema& table = *t.get->table;
    if (!table.has_hidden_key() && table.primary.columns[0] == column) indexed = true;
    for (const IndexSchema& index : table.indexes) {
      if (index.columns[0] == column) indexed = secondary = true;
    }
  }
  t.rows = std::max(1.0, t.rows);
  t.access_cost = indexed ? std::min(t.base, kLookupCost + t.rows * (secondary ? 2 : 1)) : t.base;
  return t;
}

bool JoinGraph::JoinEquality(const BoundExpr& e, uint64_t joined, size_t next, uint32_t* column,
                             const BoundExpr** other) const {
  if (e.kind != BoundExpr::Kind::kBinary || e.op != ast::Op::kEq) return false;
  for (int side = 0; side < 2; side++) {
    const BoundExpr& mine = *e.children[side];
    const BoundExpr& theirs = *e.children[1 - side];
    if (mine.kind != BoundExpr::Kind::kColumn || LeafOf(leaves_, mine.column) != next) continue;
    std::vector<uint32_t> columns;
    CollectColumns(theirs, &columns);
    uint64_t reads = 0;
    for (uint32_t col : columns) reads |= uint64_t{1} << LeafOf(leaves_, col);
    if (reads == 0 || (reads & ~joined) != 0) continue;
    *column = mine.column - leaves_[next].offset;
    *other = &theirs;
    return true;
  }
  return false;
}

JoinGraph::Step JoinGraph::Join(uint64_t joined, double rows, size_t next) const {
  const Table& t = tables_[next];
  const uint64_t all = joined | uint64_t{1} << next;
  std::vector<KeyEquality> given;
  double matched = std::numeric_limits<double>::infinity();  // rows of `next` each joined row meets
  double other_selectivity = 1;
  Step step;
  for (const Conjunct& c : conjuncts_) {
    if ((c.reads & ~all) != 0 || !(c.reads >> next & 1) || (c.reads & joined) == 0) continue;
    step.connected = true;
    uint32_t column = 0;
    const BoundExpr* other = nullptr;
    if (!JoinEquality(*c.expr, joined, next, &column, &other)) {
      other_selectivity *= Selectivity(*c.expr, nullptr, 0);
      continue;
    }
    given.push_back({column, other->type});
    // Taken to follow a foreign key: a unique column on either side meets one row of the
    // other; otherwise each value recurs in proportion to the larger table.
    double other_base = rows;
    if (other->kind == BoundExpr::Kind::kColumn) {
      size_t leaf = LeafOf(leaves_, other->column);
      other_base = tables_[leaf].base;
      const LogicalGet* get = tables_[leaf].get;
      if (get && IsUniqueColumn(*get->table, other->column - leaves_[leaf].offset)) {
        matched = std::min(matched, t.rows / other_base);
        continue;
      }
    }
    if (t.get && IsUniqueColumn(*t.get->table, column)) matched = std::min(matched, t.rows / t.base);
    else if (const ColumnStatistics* s = ColumnStats(t.get, column))  // its distinct values share the rows
      matched = std::min(matched, t.rows * (1 - s->null_fraction) / std::max(1.0, s->distinct));
    else matched = std::min(matched, t.rows / std::max(t.base, other_base) * 10);
  }
  if (!step.connected) {
    step.rows = rows * t.rows;
    step.cost = t.base + rows * t.rows + step.rows;
    return step;
  }
  const bool equi = !given.empty();
  if (!equi) matched = t.rows;
  step.rows = std::max(1.0, rows * matched * other_selectivity);
  LookupIndex lookup = t.get ? BestLookupIndex(*t.get->table, given) : LookupIndex{};
  // The index-join rule's choice: lookups when unique or cheaper than the whole read.
  step.cost = t.base + (equi ? rows : rows * t.rows);
  if (lookup.index != nullptr) {
    double fetched = rows * matched * (t.base / t.rows);  // before the table's own conditions
    double lookups = rows * kLookupCost + fetched * (lookup.index->id == kPrimaryIndexId ? 1 : 2);
    if (lookup.unique || lookups < step.cost) step.cost = lookups;
  }
  step.cost += step.rows;
  return step;
}

// The cheapest left-deep order: every order up to kExhaustiveTables tables, else greedily.
std::vector<size_t> ChooseOrder(const JoinGraph& graph) {
  const size_t n = graph.size();
  struct Best {
    double cost = std::numeric_limits<double>::infinity();
    double rows = 0;
    std::vector<size_t> order;
  };
  // Offers `store` each table that may follow `from`: one a condition connects, while any is.
  auto extend = [&](const Best& from, uint64_t joined, auto&& store) {
    std::vector<std::pair<size_t, JoinGraph::Step>> steps;
    bool any_connected = false;
    for (size_t next = 0; next < n; next++) {
      if (joined >> next & 1) continue;
      steps.emplace_back(next, graph.Join(joined, from.rows, next));
      any_connected = any_connected || steps.back().second.connected;
    }
    for (const auto& [next, step] : steps)
      if (step.connected || !any_connected) store(next, step);
  };
  // Equal costs keep the order closest to FROM order.
  auto better = [](double cost, const std::vector<size_t>& order, const Best& than) {
    if (cost < than.cost * (1 - 1e-9)) return true;
    return cost <= than.cost * (1 + 1e-9) && order < than.order;
  };
  if (n <= kExhaustiveTables) {
    std::vector<Best> best(size_t{1} << n);
    for (size_t leaf = 0; leaf < n; leaf++) {
      JoinGraph::Step s = graph.Start(leaf);
      best[uint64_t{1} << leaf] = {s.cost, s.rows, {leaf}};
    }
    for (uint64_t joined = 1; joined < best.size(); joined++) {
      if (best[joined].order.empty()) continue;
      extend(best[joined], joined, [&](size_t next, const JoinGraph::Step& step) {
        Best candidate{best[joined].cost + step.cost, step.rows, best[joined].order};
        candidate.order.push_back(next);
        Best& target = best[joined | uint64_t{1} << next];
        if (target.order.empty() || better(candidate.cost, candidate.order, target)) target = std::move(candidate);
      });
    }
    return best.back().order;
  }
  Best overall;
  for (size_t start = 0; start < n; start++) {
    JoinGraph::Step s = graph.Start(start);
    Best path{s.cost, s.rows, {start}};
    uint64_t joined = uint64_t{1} << start;
    while (path.order.size() < n) {
      size_t chosen = n;
      JoinGraph::Step chosen_step;
      extend(path, joined, [&](size_t next, const JoinGraph::Step& step) {
        if (chosen == n || step.cost < chosen_step.cost) {
          chosen = next;
          chosen_step = step;
        }
      });
      path.cost += chosen_step.cost;
      path.rows = chosen_step.rows;
      path.order.push_back(chosen);
      joined |= uint64_t{1} << chosen;
    }
    if (overall.order.empty() || better(path.cost, path.order, overall)) overall = std::move(path);
  }
  return overall.order;
}

LogicalPlan ReorderJoinsIn(LogicalPlan plan);

// Reorders the chain of inner joins `chain`, under a WHERE `filter` (nullptr: none).
LogicalPlan Reorder(LogicalPlan chain, BoundExprPtr filter) {
  std::vector<Leaf> leaves;
  std::vector<BoundExprPtr> conjuncts;
  TakeConjuncts(std::move(filter), &conjuncts);
  Flatten(std::move(chain), &leaves, &conjuncts);
  for (Leaf& leaf : leaves) leaf.plan = ReorderJoinsIn(std::move(leaf.plan));
  std::vector<size_t> order = ChooseOrder(JoinGraph(leaves, conjuncts));
  STRATA_CHECK(order.size() == leaves.size());

  // new_position[p]: where FROM-order column p sits in the reordered row.
  uint32_t total = leaves.back().offset + leaves.back().width;
  std::vector<uint32_t> new_position(total);
  uint32_t offset = 0;
  bool moved = false;
  LogicalPlan joined;
  for (size_t index : order) {
    Leaf& leaf = leaves[index];
    for (uint32_t c = 0; c < leaf.width; c++) new_position[leaf.offset + c] = offset + c;
    moved = moved || offset != leaf.offset;
    offset += leaf.width;
    joined = joined ? MakeJoin(JoinType::kInner, nullptr, std::move(joined), std::move(leaf.plan)) : std::move(leaf.plan);
  }
  for (BoundExprPtr& c : conjuncts) RemapColumns(c.get(), new_position);
  if (!conjuncts.empty()) {
    joined = Stack(std::make_unique<LogicalFilter>(CombineConjuncts(std::move(conjuncts))), std::move(joined));
  }
  if (!moved) return joined;
  std::vector<BoundExprPtr> restore;
  for (uint32_t p = 0; p < total; p++) restore.push_back(MakeColumnRef(new_position[p], OutType{}));
  return Stack(std::make_unique<LogicalProject>(std::move(restore)), std::move(joined));
}

bool IsInnerJoin(const LogicalOperator& node) {
  return node.kind == LogicalKind::kJoin && static_cast<const LogicalJoin&>(node).type == JoinType::kInner;
}

size_t ChainLength(const LogicalOperator& chain) {
  size_t n = 1;
  for (const LogicalOperator* node = &chain; IsInnerJoin(*node); node = node->children[0].get()) ++n;
  return n;
}

// A correlated subquery reads its enclosing row by position: its conditions pin the order.
bool HasFixedConjunct(const LogicalOperator& chain) {
  const LogicalOperator* node = &chain;
  while (IsInnerJoin(*node)) {
    const auto& join = static_cast<const LogicalJoin&>(*node);
    if (join.predicate && HasCorrelatedSubquery(*join.predicate)) return true;
    node = node->children[0].get();
  }
  return false;
}

LogicalPlan ReorderJoinsIn(LogicalPlan plan) {
  // A chain's head: a WHERE above inner joins, or the top inner join of a chain.
  if (plan->kind == LogicalKind::kFilter && IsInnerJoin(plan->child()) && !HasFixedConjunct(plan->child()) &&
      ChainLength(plan->child()) <= kMaxChainTables &&
      !HasCorrelatedSubquery(*static_cast<LogicalFilter&>(*plan).predicate)) {
    return Reorder(std::move(plan->children[0]), std::move(static_cast<LogicalFilter&>(*plan).predicate));
  }
  if (IsInnerJoin(*plan) && !HasFixedConjunct(*plan) && ChainLength(*plan) <= kMaxChainTables) {
    return Reorder(std::move(plan), nullptr);
  }
  for (LogicalPlan& child : plan->children) child = ReorderJoinsIn(std::move(child));
  return plan;
}

}  // namespace

LogicalPlan ReorderJoins(LogicalPlan plan) { return ReorderJoinsIn(std::move(plan)); }

}  // namespace strata::sql
