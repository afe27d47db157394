// Decorrelation (rules.h, optimizer.h): a WHERE or HAVING conjunct `EXISTS (subquery)`,
// `NOT EXISTS (subquery)` or `x IN (subquery)` whose subquery is a plain SELECT … FROM …
// WHERE, tied to the enclosing row by at least one equality (an IN by its own), becomes a
// semi (anti) join with the subquery's FROM. The subquery then runs once, not once per row:
// its table is read whole into a hash join, or looked up by an index (index_join.cc),
// instead of being planned and read again for every row.
//
//   SELECT * FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.a AND t2.b > 0)
//   → HashJoin semi [t1.a] = [t2.a]  (t1, Filter t2.b > 0 (t2))
//
// A conjunct of a WHERE is the only place this is exact: there NULL and false both drop the
// row, so `x IN (…)` being NULL (no match, but a NULL met) and false need no telling apart.
// NOT IN is left alone (its NULL rules are not an anti join's), as are subqueries with
// GROUP BY, aggregates, windows, LIMIT, derived tables, or any other use of the enclosing row.
#include "sql/optimizer/optimizer.h"
#include "sql/optimizer/rules.h"

namespace strata::sql {
namespace {

using K = BoundExpr::Kind;

// What an expression reads: its own row's columns, the enclosing row's (depth 1), rows
// further out, correlated subqueries.
struct Reads {
  bool own = false, outer = false, further = false, correlated_subquery = false;
};

Reads ReadsOf(const BoundExpr& root) {
  Reads r;
  std::vector<const BoundExpr*> stack{&root};
  while (!stack.empty()) {
    const BoundExpr* e = stack.back();
    stack.pop_back();
    if (e->kind == K::kColumn) r.own = true;
    if (e->kind == K::kOuterColumn) (e->depth == 1 ? r.outer : r.further) = true;
    if (e->kind == K::kSubquery && e->correlated) r.correlated_subquery = true;
    for (const BoundExprPtr& child : e->children)
      if (child) stack.push_back(child.get());
  }
  return r;
}

bool SelfContained(const BoundExpr& e) {
  Reads r = ReadsOf(e);
  return !r.outer && !r.further && !r.correlated_subquery;
}

// The enclosing row's references (depth 1) become column references: the join's left row.
void OuterToColumns(BoundExpr* root) {
  std::vector<BoundExpr*> stack{root};
  while (!stack.empty()) {
    BoundExpr* e = stack.back();
    stack.pop_back();
    if (e->kind == K::kOuterColumn) {
      e->kind = K::kColumn;
      e->depth = 0;
    }
    for (BoundExprPtr& child : e->children)
      if (child) stack.push_back(child.get());
  }
}

// A FROM of tables and joins whose ON conditions read only their own rows.
bool PlainFrom(const LogicalOperator& plan) {
  if (plan.kind == LogicalKind::kGet) return true;
  if (plan.kind != LogicalKind::kJoin) return false;
  const auto& join = static_cast<const LogicalJoin&>(plan);
  if (KeepsLeftRowOnly(join.type) || (join.predicate && !SelfContained(*join.predicate))) return false;
  return PlainFrom(*plan.children[0]) && PlainFrom(*plan.children[1]);
}

// `outer = inner`, one side reading only the enclosing row (and constants), the other only
// the subquery's own row: a hash or lookup key once the join is made.
bool CorrelatingEquality(const BoundExpr& e) {
  if (e.kind != K::kBinary || e.op != ast::Op::kEq) return false;
  Reads a = ReadsOf(*e.children[0]), b = ReadsOf(*e.children[1]);
  auto outer_only = [](const Reads& r) { return r.outer && !r.own && !r.further && !r.correlated_subquery; };
  auto own_only = [](const Reads& r) { return !r.outer && !r.further && !r.correlated_subquery; };
  return (outer_only(a) && own_only(b)) || (outer_only(b) && own_only(a));
}

// Builds the semi join form of a conjunct, or nothing; `conjunct` is kept when nothing.
struct Rewrite {
  JoinType type;
  std::unique_ptr<SemiJoinForm> form;
  BoundExprPtr in_left;  // IN: its left operand, over the enclosing row
};

std::optional<Rewrite> AsSemiJoin(BoundExprPtr& conjunct) {
  BoundExpr* e = conjunct.get();
  JoinType type = JoinType::kSemi;
  if (e->kind == K::kUnary && e->op == ast::Op::kNot && e->children.size() == 1 &&
      e->children[0]->kind == K::kSubquery && e->children[0]->subquery_kind == SubqueryKind::kExists) {
    e = e->children[0].get();
    type = JoinType::kAnti;
  }
  if (e->kind != K::kSubquery || !e->subquery || !e->subquery->semi) return std::nullopt;
  if (e->subquery_kind == SubqueryKind::kExists) {
    // An uncorrelated EXISTS is answered once anyway.
    if (e->subquery->semi->correlated.empty()) return std::nullopt;
    return Rewrite{type, std::move(e->subquery->semi), nullptr};
  }
  if (e->subquery_kind != SubqueryKind::kIn || e->negated || !e->subquery->semi->in_key ||
      !SelfContained(*e->children[0]))
    return std::nullopt;
  return Rewrite{type, std::move(e->subquery->semi), std::move(e->children[0])};
}

// The join predicate over (left row, inner row): each correlated conjunct with the inner
// row's columns shifted past the left row's, and the enclosing row's read from the left row.
BoundExprPtr JoinPredicate(Rewrite& r, size_t left_width) {
  std::vector<BoundExprPtr> conjuncts;
  for (BoundExprPtr& c : r.form->correlated) {
    ShiftColumns(c.get(), static_cast<int64_t>(left_width));
    OuterToColumns(c.get());
    conjuncts.push_back(std::move(c));
  }
  if (r.in_left) {
    auto eq = std::make_unique<BoundExpr>();
    eq->kind = K::kBinary;
    eq->op = ast::Op::kEq;
    eq->type.kind = OutKind::kInt;
    eq->type.length = 1;
    ShiftColumns(r.form->in_key.get(), static_cast<int64_t>(left_width));
    eq->children.push_back(std::move(r.in_left));
    eq->children.push_back(std::move(r.form->in_key));
    conjuncts.push_back(std::move(eq));
  }
  return CombineConjuncts(std::move(conjuncts));
}

LogicalPlan DecorrelateFilter(LogicalPlan plan) {
  auto& filter = static_cast<LogicalFilter&>(*plan);
  // An UPDATE's or DELETE's target rows (a Get that reads row keys) keep their plain shape.
  if (filter.child().kind == LogicalKind::kGet && static_cast<const LogicalGet&>(filter.child()).with_row_keys)
    return plan;
  std::vector<BoundExprPtr> conjuncts, kept;
  TakeConjuncts(std::move(filter.predicate), &conjuncts);
  std::vector<Rewrite> joins;
  for (BoundExprPtr& c : conjuncts) {
    std::optional<Rewrite> r = AsSemiJoin(c);
    if (r) joins.push_back(std::move(*r));
    else kept.push_back(std::move(c));
  }
  if (joins.empty()) {
    filter.predicate = CombineConjuncts(std::move(kept));
    return plan;
  }
  // The other conjuncts stay right above the FROM (join ordering and index selection find
  // them there, and a correlated subquery among them reads that row); the joins go on top.
  LogicalPlan left = std::move(plan->children[0]);
  if (!kept.empty()) {
    filter.predicate = CombineConjuncts(std::move(kept));
    plan->children[0] = std::move(left);
    left = std::move(plan);
  }
  for (Rewrite& r : joins) {
    const size_t left_width = left->width();
    BoundExprPtr predicate = JoinPredicate(r, left_width);
    left = MakeJoin(r.type, std::move(predicate), std::move(left), std::move(r.form->inner));
  }
  return left;
}

}  // namespace

std::unique_ptr<SemiJoinForm> ExtractSemiJoinForm(LogicalPlan plan, bool in_subquery) {
  // [Sort] [Distinct] Project [Filter] FROM: ORDER BY and DISTINCT change nothing a semi
  // join sees.
  LogicalOperator* node = plan.get();
  while (node->kind == LogicalKind::kSort || node->kind == LogicalKind::kDistinct) node = node->children[0].get();
  if (node->kind != LogicalKind::kProject) return nullptr;
  auto& project = static_cast<LogicalProject&>(*node);
  auto form = std::make_unique<SemiJoinForm>();
  if (in_subquery) {
    if (project.exprs.empty() || !SelfContained(*project.exprs[0])) return nullptr;
    form->in_key = std::move(project.exprs[0]);
  }
  LogicalPlan below = std::move(node->children[0]);
  std::vector<BoundExprPtr> own;
  bool keyed = false;
  if (below->kind == LogicalKind::kFilter) {
    std::vector<BoundExprPtr> conjuncts;
    TakeConjuncts(std::move(static_cast<LogicalFilter&>(*below).predicate), &conjuncts);
    for (BoundExprPtr& c : conjuncts) {
      Reads reads = ReadsOf(*c);
      if (reads.further || reads.correlated_subquery) return nullptr;
      keyed = keyed || CorrelatingEquality(*c);
      (reads.outer ? form->correlated : own).push_back(std::move(c));
    }
    below = std::move(below->children[0]);
  }
  // Without an equality to hash or look up by, a join would read the subquery's whole FROM
  // for every row, as running it per row does, but without the index ranges that can use the
  // row's values: the subquery stays as it is.
  if (!keyed && !in_subquery) return nullptr;
  if (!PlainFrom(*below)) return nullptr;
  form->inner = own.empty() ? std::move(below)
                            : Stack(std::make_unique<LogicalFilter>(CombineConjuncts(std::move(own))), std::move(below));
  return form;
}

LogicalPlan Decorrelate(LogicalPlan plan) {
  for (LogicalPlan& child : plan->children) child = Decorrelate(std::move(child));
  if (plan->kind != LogicalKind::kFilter) return plan;
  return DecorrelateFilter(std::move(plan));
}

}  // namespace strata::sql
