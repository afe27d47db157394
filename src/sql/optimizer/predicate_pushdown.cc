// PushDownPredicates (rules.h): WHERE and ON conjuncts move to the lowest node that sees every
// column they read, and equalities between a join's two sides become hash-join keys.
#include "common/check.h"
#include "sql/optimizer/rules.h"

namespace strata::sql {
namespace {

// kFixed: a conjunct that must stay where it is (a correlated subquery inside it reads the
// row of this level by position).
enum class Side { kNone, kLeft, kRight, kBoth, kFixed };

// Which side of a join (left: positions below left_width) a conjunct reads.
Side SideOf(const BoundExpr& e, size_t left_width) {
  if (HasCorrelatedSubquery(e)) return Side::kFixed;
  uint32_t min = 0, max = 0;
  if (!ColumnSpan(e, &min, &max)) return Side::kNone;
  if (max < left_width) return Side::kLeft;
  if (min >= left_width) return Side::kRight;
  return Side::kBoth;
}

// ANDs `conjuncts` into a Filter above `plan` (into the Filter already there, if any).
LogicalPlan AddFilter(LogicalPlan plan, std::vector<BoundExprPtr> conjuncts) {
  if (conjuncts.empty()) return plan;
  if (plan->kind == LogicalKind::kFilter) {
    auto& filter = static_cast<LogicalFilter&>(*plan);
    std::vector<BoundExprPtr> all;
    TakeConjuncts(std::move(filter.predicate), &all);
    for (BoundExprPtr& c : conjuncts) all.push_back(std::move(c));
    filter.predicate = CombineConjuncts(std::move(all));
    return plan;
  }
  return Stack(std::make_unique<LogicalFilter>(CombineConjuncts(std::move(conjuncts))), std::move(plan));
}

// A hash key can stand for `=` only when equal values hash alike (HashValue): both sides
// numeric, or both strings. The executor re-checks the predicate on every hash match.
bool Hashable(const OutType& a, const OutType& b) {
  auto numeric = [](OutKind k) {
    return k == OutKind::kInt || k == OutKind::kUint || k == OutKind::kDouble || k == OutKind::kDecimal;
  };
  return (numeric(a.kind) && numeric(b.kind)) || (a.kind == OutKind::kString && b.kind == OutKind::kString);
}

// Equalities `left expr = right expr` of the join's predicate become its hash keys.
void ChooseHashKeys(LogicalJoin& join, size_t left_width) {
  std::vector<const BoundExpr*> conjuncts;
  SplitConjuncts(join.predicate.get(), &conjuncts);
  for (const BoundExpr* c : conjuncts) {
    if (c->kind != BoundExpr::Kind::kBinary || c->op != ast::Op::kEq) continue;
    const BoundExpr* a = c->children[0].get();
    const BoundExpr* b = c->children[1].get();
    Side sa = SideOf(*a, left_width), sb = SideOf(*b, left_width);
    if (sa == Side::kRight && sb == Side::kLeft) {
      std::swap(a, b);
      std::swap(sa, sb);
    }
    if (sa != Side::kLeft || sb != Side::kRight || !Hashable(a->type, b->type)) continue;
    BoundExprPtr right = CloneExpr(*b);
    ShiftColumns(right.get(), -static_cast<int64_t>(left_width));
    join.left_keys.push_back(CloneExpr(*a));
    join.right_keys.push_back(std::move(right));
  }
}

LogicalPlan Push(LogicalPlan plan);

// Moves `conjuncts` (over the join's output row) into the join: those of one side go below
// it where the join type allows, those of both sides into an inner join's predicate. Returns
// the ones that must stay above the join.
std::vector<BoundExprPtr> IntoJoin(LogicalJoin& join, std::vector<BoundExprPtr> conjuncts) {
  const size_t left_width = join.children[0]->width();
  std::vector<BoundExprPtr> left, right, both, above;
  for (BoundExprPtr& c : conjuncts) {
    Side side = SideOf(*c, left_width);
    // Below an outer join only the side whose rows are all kept may be filtered: a NULL-
    // padded row must still meet the WHERE above.
    if (side == Side::kLeft && join.type != JoinType::kRight) left.push_back(std::move(c));
    else if (side == Side::kRight && join.type != JoinType::kLeft) right.push_back(std::move(c));
    else if (side == Side::kBoth && join.type == JoinType::kInner) both.push_back(std::move(c));
    else above.push_back(std::move(c));
  }
  for (BoundExprPtr& c : right) ShiftColumns(c.get(), -static_cast<int64_t>(left_width));
  join.children[0] = AddFilter(std::move(join.children[0]), std::move(left));
  join.children[1] = AddFilter(std::move(join.children[1]), std::move(right));
  if (!both.empty()) {
    std::vector<BoundExprPtr> all;
    TakeConjuncts(std::move(join.predicate), &all);
    for (BoundExprPtr& c : both) all.push_back(std::move(c));
    join.predicate = CombineConjuncts(std::move(all));
  }
  return above;
}

// A join's own ON: conjuncts of one side move below it where that does not change which
// rows an outer join keeps (an ON never removes a row of the preserved side).
void PushOn(LogicalJoin& join) {
  const size_t left_width = join.children[0]->width();
  std::vector<BoundExprPtr> conjuncts, left, right, stay;
  TakeConjuncts(std::move(join.predicate), &conjuncts);
  for (BoundExprPtr& c : conjuncts) {
    Side side = SideOf(*c, left_width);
    // (An anti join keeps the left rows its ON fails for: like a LEFT join's, they stay.)
    const bool left_kept = join.type == JoinType::kLeft || join.type == JoinType::kAnti;
    if (side == Side::kLeft && !left_kept) left.push_back(std::move(c));
    else if (side == Side::kRight && join.type != JoinType::kRight) right.push_back(std::move(c));
    else stay.push_back(std::move(c));
  }
  for (BoundExprPtr& c : right) ShiftColumns(c.get(), -static_cast<int64_t>(left_width));
  join.children[0] = AddFilter(std::move(join.children[0]), std::move(left));
  join.children[1] = AddFilter(std::move(join.children[1]), std::move(right));
  join.predicate = CombineConjuncts(std::move(stay));
}

LogicalPlan Push(LogicalPlan plan) {
  if (plan->kind == LogicalKind::kFilter && plan->child().kind == LogicalKind::kJoin) {
    auto& filter = static_cast<LogicalFilter&>(*plan);
    std::vector<BoundExprPtr> conjuncts;
    TakeConjuncts(std::move(filter.predicate), &conjuncts);
    std::vector<BoundExprPtr> above = IntoJoin(static_cast<LogicalJoin&>(plan->child()), std::move(conjuncts));
    LogicalPlan join = Push(std::move(plan->children[0]));
    if (above.empty()) return join;
    filter.predicate = CombineConjuncts(std::move(above));
    plan->children[0] = std::move(join);
    return plan;
  }
  if (plan->kind == LogicalKind::kJoin) {
    auto& join = static_cast<LogicalJoin&>(*plan);
    PushOn(join);
    for (LogicalPlan& child : plan->children) child = Push(std::move(child));
    ChooseHashKeys(join, join.children[0]->width());
    return plan;
  }
  for (LogicalPlan& child : plan->children) child = Push(std::move(child));
  return plan;
}

}  // namespace

LogicalPlan PushDownPredicates(LogicalPlan plan) { return Push(std::move(plan)); }

}  // namespace strata::sql
