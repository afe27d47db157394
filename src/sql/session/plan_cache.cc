// PlanStatement (plan_cache.h): prepared statements keep their optimized plans.
#include "sql/session/plan_cache.h"

#include "sql/optimizer/access_path.h"
#include "sql/optimizer/optimizer.h"

namespace strata::sql {
namespace {

bool SameType(const OutType& a, const OutType& b) {
  return a.kind == b.kind && a.length == b.length && a.decimals == b.decimals && a.not_null == b.not_null;
}

// What a walk over an optimized plan finds: the constants bound from placeholders, the scans
// whose filter holds one, and whether anything keeps the plan from being reused.
struct PlanScan {
  std::vector<BoundExpr*> constants;
  std::vector<std::pair<LogicalGet*, const LogicalFilter*>> paths;
  bool reusable = true;
};

void ScanExpr(BoundExpr* e, PlanScan* scan) {
  if (e == nullptr) return;
  if (e->kind == BoundExpr::Kind::kSubquery) scan->reusable = false;  // its plan was bound apart
  if (e->kind == BoundExpr::Kind::kConst && e->param != 0) scan->constants.push_back(e);
  for (BoundExprPtr& child : e->children) ScanExpr(child.get(), scan);
}

void ScanExprs(std::vector<BoundExprPtr>& exprs, PlanScan* scan) {
  for (BoundExprPtr& e : exprs) ScanExpr(e.get(), scan);
}

void ScanAggregate(AggregateSpec& aggregate, PlanScan* scan) {
  ScanExpr(aggregate.arg.get(), scan);
  ScanExprs(aggregate.more_args, scan);
  for (auto& [key, descending] : aggregate.order_by) ScanExpr(key.get(), scan);
}

void ScanPlan(LogicalOperator& node, PlanScan* scan) {
  switch (node.kind) {
    case LogicalKind::kFilter: {
      auto& filter = static_cast<LogicalFilter&>(node);
      const size_t before = scan->constants.size();
      ScanExpr(filter.predicate.get(), scan);
      if (scan->constants.size() > before && filter.child().kind == LogicalKind::kGet)
        scan->paths.push_back({&static_cast<LogicalGet&>(filter.child()), &filter});
      break;
    }
    case LogicalKind::kJoin: {
      auto& join = static_cast<LogicalJoin&>(node);
      ScanExpr(join.predicate.get(), scan);
      ScanExprs(join.left_keys, scan);
      ScanExprs(join.right_keys, scan);
      ScanExprs(join.lookup_keys, scan);
      break;
    }
    case LogicalKind::kAggregate: {
      auto& aggregate = static_cast<LogicalAggregate&>(node);
      ScanExprs(aggregate.group_by, scan);
      for (AggregateSpec& spec : aggregate.aggregates) ScanAggregate(spec, scan);
      break;
    }
    case LogicalKind::kWindow:
      for (WindowCall& call : static_cast<LogicalWindow&>(node).calls) {
        ScanAggregate(call.aggregate, scan);
        ScanExprs(call.args, scan);
        ScanExprs(call.partition_by, scan);
        for (auto& [key, descending] : call.order_by) ScanExpr(key.get(), scan);
      }
      break;
    case LogicalKind::kProject: ScanExprs(static_cast<LogicalProject&>(node).exprs, scan); break;
    case LogicalKind::kUpdate: ScanExprs(static_cast<LogicalUpdate&>(node).values, scan); break;
    case LogicalKind::kInsert: {
      auto& insert = static_cast<LogicalInsert&>(node);
      for (auto& row : insert.rows) ScanExprs(row, scan);
      ScanExprs(insert.update_values, scan);
      break;
    }
    case LogicalKind::kWorkTable:
    case LogicalKind::kRecursiveCte: scan->reusable = false; break;  // rounds share state while they run
    case LogicalKind::kValues:  // rows read while planning (information_schema) would go stale
      if (node.width() > 0) scan->reusable = false;
      break;
    case LogicalKind::kGet:
    case LogicalKind::kSetOp:
    case LogicalKind::kDistinct:
    case LogicalKind::kSort:
    case LogicalKind::kLimit:
    case LogicalKind::kDelete: break;
  }
  for (LogicalPlan& child : node.children) ScanPlan(*child, scan);
}

Result<PlanKey> CurrentKey(Session& session, const std::vector<Value>& parameters, uint64_t settings,
                           uint64_t identity) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const CatalogSnapshot> catalog, session.LoadCatalog());
  PlanKey key;
  key.catalog_version = catalog->version;
  key.globals_version = session.engine().globals_version();
  key.session_settings = settings;
  key.identity = identity;
  key.database = session.database();
  for (const Value& v : parameters) key.parameter_types.push_back(TypeOfConstant(v));
  return key;
}

Result<std::shared_ptr<KeptPlan>> PlanNow(Session& session, absl::FunctionRef<Result<PlannedQuery>()> plan_now) {
  auto plan = std::make_shared<KeptPlan>();
  STRATA_ASSIGN_OR_RETURN(plan->query, plan_now());
  plan->query.plan = Optimize(std::move(plan->query.plan), session.time_zone().get());
  return plan;
}

}  // namespace

bool PlanKey::operator==(const PlanKey& other) const {
  if (catalog_version != other.catalog_version || globals_version != other.globals_version ||
      session_settings != other.session_settings || identity != other.identity || database != other.database ||
      parameter_types.size() != other.parameter_types.size())
    return false;
  for (size_t i = 0; i < parameter_types.size(); i++)
    if (!SameType(parameter_types[i], other.parameter_types[i])) return false;
  return true;
}

Result<std::shared_ptr<KeptPlan>> PlanSelect(Session& session, const ast::Select& stmt) {
  return PlanStatement(session, stmt, [&] { return PlanQuery(session, stmt, nullptr, nullptr); });
}

// The session's plan-cache state is private to it; this is the one place that uses it.
struct PlanCache {
  static Result<std::shared_ptr<KeptPlan>> Plan(Session& session, const ast::Statement& stmt,
                                                absl::FunctionRef<Result<PlannedQuery>()> plan_now);
};

Result<std::shared_ptr<KeptPlan>> PlanStatement(Session& session, const ast::Statement& stmt,
                                                absl::FunctionRef<Result<PlannedQuery>()> plan_now) {
  return PlanCache::Plan(session, stmt, plan_now);
}

Result<std::shared_ptr<KeptPlan>> PlanCache::Plan(Session& session, const ast::Statement& stmt,
                                                  absl::FunctionRef<Result<PlannedQuery>()> plan_now) {
  if (session.running_prepared_ != &stmt || session.parameters_ == nullptr) return PlanNow(session, plan_now);
  const std::vector<Value>& parameters = *session.parameters_;
  const uint32_t id = session.running_prepared_id_;
  STRATA_ASSIGN_OR_RETURN(PlanKey key, CurrentKey(session, parameters, session.session_vars_version_, session.identity_version_));

  if (auto kept = session.plans_.find(id); kept != session.plans_.end() && kept->second->key == key) {
    KeptPlan& plan = *kept->second;
    for (auto& [constant, index] : plan.parameters) constant->constant = parameters[index];
    const TimeZone* zone = session.time_zone().get();
    for (auto& [get, filter] : plan.paths) get->path = ChooseAccessPath(*get->table, filter->predicate.get(), zone);
    session.engine().CountPlanCache(true);
    return kept->second;
  }

  session.engine().CountPlanCache(false);
  session.bindings_.clear();
  session.tracking_bindings_ = true;
  session.plan_uncacheable_ = false;
  Result<std::shared_ptr<KeptPlan>> planned = PlanNow(session, plan_now);
  session.tracking_bindings_ = false;
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<KeptPlan> plan, std::move(planned));

  PlanScan scan;
  ScanPlan(*plan->query.plan, &scan);
  // Every binding of a placeholder must still be in the plan: one that is not was used up
  // by a decision (a folded expression, a LIMIT), which another value could change.
  std::vector<bool> present(session.bindings_.size(), false);
  for (const BoundExpr* constant : scan.constants) {
    if (constant->param > present.size()) scan.reusable = false;
    else present[constant->param - 1] = true;
  }
  for (bool p : present) scan.reusable = scan.reusable && p;
  if (!scan.reusable || session.plan_uncacheable_) {
    session.plans_.erase(id);
    return plan;
  }
  plan->key = std::move(key);
  for (BoundExpr* constant : scan.constants) plan->parameters.push_back({constant, session.bindings_[constant->param - 1]});
  plan->paths = std::move(scan.paths);
  session.plans_[id] = plan;
  return plan;
}

std::vector<std::pair<std::string, std::string>> SqlEngine::StatusRows() const {
  std::vector<std::pair<std::string, std::string>> rows;
  if (options_.status) rows = options_.status();
  rows.emplace_back("Prepared_stmt_count", std::to_string(prepared_statements()));
  rows.emplace_back("Strata_plan_cache_hits", std::to_string(plan_cache_hits_.load(std::memory_order_relaxed)));
  rows.emplace_back("Strata_plan_cache_misses", std::to_string(plan_cache_misses_.load(std::memory_order_relaxed)));
  return rows;
}

}  // namespace strata::sql
