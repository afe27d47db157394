// EXPLAIN (executors.h): the optimized plan of a query, in MySQL's traditional table (one row
// per table read) or as the plan tree (FORMAT=TREE: PlanToString, one row of text).
#include <fmt/format.h>

#include "sql/errors.h"
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
        if (join.index_lookup) {  // one primary-key read per left row
          const auto& get = static_cast<const LogicalGet&>(*node.children[1]);
          rows.push_back({Value::Int(1), Value::String("SIMPLE"), Value::String(get.alias), Value::Null(),
                          Value::String("eq_ref"), Value::String("PRIMARY"), Value::String("PRIMARY"), Value::Null(),
                          Value::Null(), Value::Null(), Value::String("100.00"),
                          join.predicate ? Value::String("Using where") : Value::Null()});
          return;
        }
        const char* buffer = join.left_keys.empty() ? "Using join buffer (Block Nested Loop)"
                                                    : "Using join buffer (hash join)";
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

}  // namespace

Result<QueryResult> ExecuteExplain(Session& session, const ast::Explain& stmt) {
  STRATA_ASSIGN_OR_RETURN(PlannedQuery query, PlanQuery(session, *stmt.query, nullptr, nullptr));
  LogicalPlan plan = Optimize(std::move(query.plan));
  QueryResult result;
  result.has_rows = true;
  result.schemas = std::move(query.tables);
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
