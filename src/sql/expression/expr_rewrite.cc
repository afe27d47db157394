// Rewriting bound expressions (expr.h): copies, conjuncts, column positions. Every walk
// uses an explicit stack, so a 50,000-term chain does not exhaust the thread's stack.
#include <limits>

#include "common/check.h"
#include "sql/expression/expr.h"

namespace strata::sql {
namespace {

// Calls fn on every node of `root`, parents before children.
template <typename Node, typename Fn>
void Walk(Node* root, Fn&& fn) {
  std::vector<Node*> stack{root};
  while (!stack.empty()) {
    Node* e = stack.back();
    stack.pop_back();
    fn(e);
    for (auto& child : e->children)
      if (child) stack.push_back(child.get());
  }
}

}  // namespace

BoundExprPtr CloneExpr(const BoundExpr& root) {
  auto copy_node = [](const BoundExpr& e) {
    auto c = std::make_unique<BoundExpr>();
    c->kind = e.kind;
    c->constant = e.constant;
    c->param = e.param;
    c->column = e.column;
    c->op = e.op;
    c->fn = e.fn;
    c->negated = e.negated;
    c->has_case_operand = e.has_case_operand;
    c->has_else = e.has_else;
    c->cast_type = e.cast_type;
    c->depth = e.depth;
    c->subquery_kind = e.subquery_kind;
    c->subquery = e.subquery;
    c->correlated = e.correlated;
    c->builtin = e.builtin;
    c->json_args = e.json_args;
    c->timestamp_utc = e.timestamp_utc;
    c->type = e.type;
    c->children.resize(e.children.size());
    return c;
  };
  BoundExprPtr out = copy_node(root);
  std::vector<std::pair<const BoundExpr*, BoundExpr*>> stack{{&root, out.get()}};
  while (!stack.empty()) {
    auto [from, to] = stack.back();
    stack.pop_back();
    for (size_t i = 0; i < from->children.size(); i++) {
      if (!from->children[i]) continue;
      to->children[i] = copy_node(*from->children[i]);
      stack.push_back({from->children[i].get(), to->children[i].get()});
    }
  }
  return out;
}

BoundExprPtr MakeAnd(BoundExprPtr a, BoundExprPtr b) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExpr::Kind::kBinary;
  e->op = ast::Op::kAnd;
  e->type.kind = OutKind::kInt;
  e->type.length = 1;
  e->children.push_back(std::move(a));
  e->children.push_back(std::move(b));
  return e;
}

void TakeConjuncts(BoundExprPtr root, std::vector<BoundExprPtr>* out) {
  if (!root) return;
  std::vector<BoundExprPtr> stack;
  stack.push_back(std::move(root));
  while (!stack.empty()) {
    BoundExprPtr e = std::move(stack.back());
    stack.pop_back();
    if (e->kind == BoundExpr::Kind::kBinary && e->op == ast::Op::kAnd) {
      for (size_t i = e->children.size(); i-- > 0;) stack.push_back(std::move(e->children[i]));  // written order
      continue;
    }
    out->push_back(std::move(e));
  }
}

BoundExprPtr CombineConjuncts(std::vector<BoundExprPtr> conjuncts) {
  if (conjuncts.empty()) return nullptr;
  if (conjuncts.size() == 1) return std::move(conjuncts[0]);
  BoundExprPtr out = MakeAnd(std::move(conjuncts[0]), std::move(conjuncts[1]));  // one n-ary AND
  for (size_t i = 2; i < conjuncts.size(); i++) out->children.push_back(std::move(conjuncts[i]));
  return out;
}

bool ColumnSpan(const BoundExpr& e, uint32_t* min, uint32_t* max) {
  bool any = false;
  *min = std::numeric_limits<uint32_t>::max();
  *max = 0;
  Walk(&e, [&](const BoundExpr* node) {
    if (node->kind != BoundExpr::Kind::kColumn) return;
    any = true;
    *min = std::min(*min, node->column);
    *max = std::max(*max, node->column);
  });
  return any;
}

void ShiftColumns(BoundExpr* e, int64_t delta) {
  Walk(e, [&](BoundExpr* node) {
    if (node->kind != BoundExpr::Kind::kColumn) return;
    int64_t shifted = static_cast<int64_t>(node->column) + delta;
    STRATA_CHECK(shifted >= 0);
    node->column = static_cast<uint32_t>(shifted);
  });
}

bool HasCorrelatedSubquery(const BoundExpr& e) {
  bool found = false;
  Walk(&e, [&](const BoundExpr* node) { found = found || (node->kind == BoundExpr::Kind::kSubquery && node->correlated); });
  return found;
}

void CollectColumns(const BoundExpr& e, std::vector<uint32_t>* out) {
  Walk(&e, [&](const BoundExpr* node) {
    if (node->kind == BoundExpr::Kind::kColumn) out->push_back(node->column);
  });
}

void RemapColumns(BoundExpr* e, const std::vector<uint32_t>& new_position) {
  Walk(e, [&](BoundExpr* node) {
    if (node->kind != BoundExpr::Kind::kColumn) return;
    STRATA_CHECK(node->column < new_position.size());
    node->column = new_position[node->column];
  });
}

}  // namespace strata::sql
