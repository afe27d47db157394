// EXPLAIN (executors.h): the optimized plan of a query, in MySQL's traditional table (one row
// per table read) or as the plan tree (FORMAT=TREE: PlanToString, one row of text).
#include <fmt/format.h>

#include "sql/errors.h"
#include "sql/execution/physical_planner.h"
#include "sql/optimizer/optimizer.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

ResultColumn TextColumn(std::string name) {
  ResultColumn c;
  c.name = std::move(name);
  c.type.kind = OutKind::kString;
  c.type.length = 255;
  return c;
}

Value TextOrNull(const std::string& s) { return s.empty() ? Value::Null() : Value::String(s); }

// One row of the traditional table per table read, in the order the plan reads them.
class TraditionalRows {
 public:
  void Visit(const LogicalOperator& node, bool filtered, const char* join_buffer) {
    switch (node.kind) {
      case LogicalKind::kGet:
        AddTable(static_cast<const LogicalGet&>(node), filtered, join_buffer);
        return;
      case LogicalKind::kFilter:
        Visit(node.child(), true, join_buffer);
        return;
      case LogicalKind::kJoin: {
        const auto& join = static_cast<const LogicalJoin&>(node);
        Visit(*node.children[0], false, nullptr);
        // A semi join stops at a left row's first match (MySQL's FirstMatch strategy); an anti
        // join keeps the rows without one (MySQL's "Not exists").
        const bool semi = join.type == JoinType::kSemi, anti = join.type == JoinType::kAnti;
        if (join.index_lookup) {  // one index read per left row: eq_ref when it gives one row at most
          const auto& get = static_cast<const LogicalGet&>(*node.children[1]);
          const std::string& key = join.lookup_index->name;
          std::string extra = join.predicate ? "Using where" : "";
          if (semi || anti) extra += (extra.empty() ? "" : "; ") + std::string(semi ? "FirstMatch" : "Not exists");
          rows.push_back({Value::Int(1), Value::String("SIMPLE"), Value::String(get.alias), Value::Null(),
                          Value::String(join.lookup_unique() ? "eq_ref" : "ref"), Value::String(key),
                          Value::String(key), Value::Null(), Value::Null(), Value::Null(), Value::String("100.00"),
                          TextOrNull(extra)});
          return;
        }
        const char* buffer = join.left_keys.empty()
                                 ? (semi   ? "FirstMatch; Using join buffer (Block Nested Loop)"
                                    : anti ? "Not exists; Using join buffer (Block Nested Loop)"
                                           : "Using join buffer (Block Nested Loop)")
                                 : (semi   ? "FirstMatch; Using join buffer (hash join)"
                                    : anti ? "Not exists; Using join buffer (hash join)"
                                           : "Using join buffer (hash join)");
        Visit(*node.children[1], join.predicate != nullptr, buffer);
        return;
      }
      default:
        for (const LogicalPlan& child : node.children) Visit(*child, false, join_buffer);
    }
  }

  std::vector<Row> rows;

 private:
  void AddTable(const LogicalGet& get, bool filtered, const char* join_buffer) {
    std::string type = "ALL", key;
    const AccessPath& path = get.path;
    switch (path.kind) {
      case AccessPath::Kind::kFullScan: break;
      case AccessPath::Kind::kPrimaryPoints:
        type = path.points.size() == 1 ? "const" : "range";
        key = "PRIMARY";
        break;
      case AccessPath::Kind::kPrimaryRanges:
        type = "range";
        key = "PRIMARY";
        break;
      case AccessPath::Kind::kIndexPrefix:  // equality on every column of the index
        type = path.index && path.index->unique && path.index_whole_key ? "const" : "ref";
        if (path.ranges.size() != 1 || !path.index_equality) type = "range";
        key = path.index ? path.index->name : "";
        break;
    }
    std::string extra;
    if (filtered) extra = "Using where";
    if (join_buffer) extra += (extra.empty() ? "" : "; ") + std::string(join_buffer);
    rows.push_back({Value::Int(1), Value::String("SIMPLE"), Value::String(get.alias), Value::Null(),
                    Value::String(type), TextOrNull(key), TextOrNull(key), Value::Null(), Value::Null(),
                    Value::Null(), Value::String("100.00"), TextOrNull(extra)});
  }
};

// EXPLAIN ANALYZE: runs the query (its rows are dropped) with every operator counting, then
// prints the tree with each node's actual rows, loops and time. Subqueries inside
// expressions run but are not broken down.
Result<QueryResult> ExplainAnalyze(Session& session, LogicalPlan plan, const PlannedQuery& query, QueryResult result) {
  txn::Transaction* txn = nullptr;
  if (!query.tables.empty() || session.has_txn()) {
    STRATA_ASSIGN_OR_RETURN(txn, session.Txn());
  }
  uint64_t examined = 0;
  std::unordered_map<const LogicalOperator*, OperatorProfile> profile;
  ExecutionContext exec{txn, nullptr, &examined, nullptr, nullptr};
  std::unique_ptr<SubqueryRunner> subqueries = MakeSubqueryRunner(exec);
  EvalContext eval = session.eval_context();
  eval.subqueries = subqueries.get();
  exec.eval = &eval;
  exec.profile = &profile;
  OperatorPtr root = BuildOperators(*plan, exec);
  STRATA_RETURN_IF_ERROR(Drain(*root).status());
  std::string text = PlanToString(*plan, [&](const LogicalOperator& node) -> std::string {
    auto it = profile.find(&node);
    if (it == profile.end()) return "  (never executed)";
    return fmt::format("  (actual rows={} loops={} time={:.3f} ms)", it->second.rows, it->second.loops,
                       static_cast<double>(it->second.ns) / 1e6);
  });
  if (!text.empty() && text.back() == '\n') text.pop_back();
  result.columns.push_back(TextColumn("EXPLAIN"));
  result.rows.push_back({Value::String(std::move(text))});
  result.rows_examined = examined;
  return result;
}

}  // namespace

Result<QueryResult> ExecuteExplain(Session& session, const ast::Explain& stmt) {
  STRATA_ASSIGN_OR_RETURN(PlannedQuery query, PlanQuery(session, *stmt.query, nullptr, nullptr));
  LogicalPlan plan = Optimize(std::move(query.plan), session.time_zone().get());
  QueryResult result;
  result.has_rows = true;
  result.schemas = std::move(query.tables);
  if (stmt.analyze) return ExplainAnalyze(session, std::move(plan), query, std::move(result));
  if (stmt.tree) {
    result.columns.push_back(TextColumn("EXPLAIN"));
    std::string text = PlanToString(*plan);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    result.rows.push_back({Value::String(std::move(text))});
    return result;
  }
  for (const char* name : {"id", "select_type", "table", "partitions", "type", "possible_keys", "key", "key_len",
                           "ref", "rows", "filtered", "Extra"}) {
    result.columns.push_back(TextColumn(name));
  }
  result.columns[0].type.kind = OutKind::kInt;
  TraditionalRows rows;
  rows.Visit(*plan, false, nullptr);
  if (rows.rows.empty()) {  // no table: SELECT 1
    rows.rows.push_back({Value::Int(1), Value::String("SIMPLE"), Value::Null(), Value::Null(), Value::Null(),
                         Value::Null(), Value::Null(), Value::Null(), Value::Null(), Value::Null(), Value::Null(),
                         Value::String("No tables used")});
  }
  result.rows = std::move(rows.rows);
  return result;
}

}  // namespace strata::sql
