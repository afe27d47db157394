#include "sql/planner/logical_plan.h"

#include <fmt/format.h>

#include "common/check.h"

namespace strata::sql {
namespace {

std::string PathText(const AccessPath& path) {
  switch (path.kind) {
    case AccessPath::Kind::kFullScan: return "full scan";
    case AccessPath::Kind::kPrimaryPoints: return fmt::format("primary key, {} point(s)", path.points.size());
    case AccessPath::Kind::kPrimaryRanges: return fmt::format("primary key, {} range(s)", path.ranges.size());
    case AccessPath::Kind::kIndexPrefix:
      return fmt::format("index {}, {} range(s)", path.index ? path.index->name : "?", path.ranges.size());
  }
  return "?";
}

std::string List(const std::vector<BoundExprPtr>& exprs) {
  std::string out;
  for (size_t i = 0; i < exprs.size(); i++) out += (i ? ", " : "") + ExprToString(*exprs[i]);
  return out;
}

void Print(const LogicalOperator& node, int depth, std::string* out,
           const std::function<std::string(const LogicalOperator&)>* annotate) {
  out->append(static_cast<size_t>(depth) * 2, ' ');
  out->append(node.Describe());
  if (annotate) out->append((*annotate)(node));
  out->push_back('\n');
  for (const LogicalPlan& child : node.children) Print(*child, depth + 1, out, annotate);
}

}  // namespace

const LogicalOperator& LogicalOperator::child() const {
  STRATA_CHECK_MSG(children.size() == 1, "logical operator without its one child");
  return *children[0];
}
LogicalOperator& LogicalOperator::child() {
  STRATA_CHECK_MSG(children.size() == 1, "logical operator without its one child");
  return *children[0];
}

std::string LogicalGet::Describe() const {
  std::string name = table->database + "." + table->name;
  if (alias != table->name) name += " AS " + alias;
  return fmt::format("Get {} ({}{})", name, PathText(path), with_row_keys ? ", with row keys" : "");
}

std::string LogicalValues::Describe() const {
  return fmt::format("Values ({} row(s) of {} value(s))", rows.size(), values_width);
}

std::string LogicalFilter::Describe() const { return "Filter " + ExprToString(*predicate); }

std::string LogicalJoin::Describe() const {
  static constexpr const char* kNames[] = {"inner", "left", "right", "semi", "anti"};
  const char* name = kNames[static_cast<size_t>(type)];
  std::string text = index_lookup       ? fmt::format("IndexJoin {}, {}", name, LookupText())
                     : left_keys.empty() ? fmt::format("NestedLoopJoin {}", name)
                                         : fmt::format("HashJoin {} [{}] = [{}]", name, List(left_keys), List(right_keys));
  if (predicate) text += " on " + ExprToString(*predicate);
  return text;
}

// "index lookup on t using ik (k = #1, g = #2)": the index columns the left row's values give.
std::string LogicalJoin::LookupText() const {
  STRATA_CHECK(index_lookup && lookup_index != nullptr && children[1]->kind == LogicalKind::kGet);
  const auto& get = static_cast<const LogicalGet&>(*children[1]);
  std::string columns;
  for (size_t i = 0; i < lookup_keys.size(); i++) {
    columns += fmt::format("{}{} = {}", i ? ", " : "", get.table->columns[lookup_index->columns[i]].name,
                           ExprToString(*lookup_keys[i]));
  }
  return fmt::format("index lookup on {} using {} ({})", get.alias, lookup_index->name, columns);
}

bool LogicalJoin::lookup_unique() const {
  return index_lookup && lookup_index != nullptr && (lookup_index->unique || lookup_index->id == kPrimaryIndexId) &&
         lookup_keys.size() == lookup_index->columns.size();
}

std::string LogicalSetOp::Describe() const {
  const char* name = op == ast::SetOp::kUnion ? "Union" : op == ast::SetOp::kExcept ? "Except" : "Intersect";
  return fmt::format("{}{}", name, all ? " all" : "");
}

LogicalPlan MakeJoin(JoinType type, BoundExprPtr predicate, LogicalPlan left, LogicalPlan right) {
  auto join = std::make_unique<LogicalJoin>(type, std::move(predicate));
  join->children.push_back(std::move(left));
  join->children.push_back(std::move(right));
  return join;
}

std::string LogicalAggregate::Describe() const {
  std::string aggs;
  for (size_t i = 0; i < aggregates.size(); i++) aggs += (i ? ", " : "") + AggregateToString(aggregates[i]);
  return fmt::format("Aggregate group by [{}] aggregates [{}]", List(group_by), aggs);
}

std::string LogicalProject::Describe() const { return "Project " + List(exprs); }

std::string LogicalDistinct::Describe() const { return fmt::format("Distinct on the first {} value(s)", key_width); }

std::string LogicalSort::Describe() const {
  std::string out = top_n ? fmt::format("Sort (top {})", top_n) : std::string("Sort");
  for (size_t i = 0; i < keys.size(); i++)
    out += fmt::format("{} #{}{}", i ? "," : "", keys[i].column, keys[i].descending ? " DESC" : "");
  return out;
}

std::string LogicalWindow::Describe() const {
  std::string out = "Window";
  for (size_t i = 0; i < calls.size(); i++) {
    const WindowCall& c = calls[i];
    std::string args;
    if (c.fn == WindowFn::kAggregate) {
      args = AggregateToString(c.aggregate);
    } else {
      for (size_t a = 0; a < c.args.size(); a++) args += (a ? ", " : "") + ExprToString(*c.args[a]);
      args = c.name + "(" + args + ")";
    }
    std::string spec;
    for (size_t p = 0; p < c.partition_by.size(); p++)
      spec += (p ? ", " : "PARTITION BY ") + ExprToString(*c.partition_by[p]);
    for (size_t o = 0; o < c.order_by.size(); o++)
      spec += std::string(o ? ", " : spec.empty() ? "ORDER BY " : " ORDER BY ") + ExprToString(*c.order_by[o].first) +
              (c.order_by[o].second ? " DESC" : "");
    out += fmt::format("{} {} OVER ({})", i ? "," : "", args, spec);
  }
  return out;
}

std::string LogicalWorkTable::Describe() const { return fmt::format("WorkTable {} ({} value(s))", name, table_width); }

std::string LogicalRecursiveCte::Describe() const {
  return fmt::format("RecursiveCte {} UNION{}", name, distinct ? "" : " ALL");
}

std::string LogicalLimit::Describe() const {
  if (count == UINT64_MAX) return fmt::format("Limit offset {}", offset);
  return fmt::format("Limit {} offset {}", count, offset);
}

std::string LogicalUpdate::Describe() const {
  std::string sets;
  for (size_t i = 0; i < columns.size(); i++)
    sets += fmt::format("{}{} = {}", i ? ", " : "", table->columns[columns[i]].name, ExprToString(*values[i]));
  return fmt::format("Update {}.{} set {}", table->database, table->name, sets);
}

std::string LogicalDelete::Describe() const { return fmt::format("Delete {}.{}", table->database, table->name); }

std::string LogicalInsert::Describe() const {
  std::string columns;
  for (size_t i = 0; i < targets.size(); i++) columns += (i ? ", " : "") + table->columns[targets[i]].name;
  std::string out = fmt::format("{} {}.{} ({}), {} row(s)", replace ? "Replace" : ignore ? "Insert ignore" : "Insert",
                                table->database, table->name, columns, rows.size());
  for (size_t i = 0; i < update_columns.size(); i++) {
    out += fmt::format("{} {} = {}", i ? "," : ", on duplicate key update", table->columns[update_columns[i]].name,
                       ExprToString(*update_values[i]));
  }
  return out;
}

LogicalPlan Stack(LogicalPlan parent, LogicalPlan child) {
  STRATA_CHECK(parent->children.empty());
  parent->children.push_back(std::move(child));
  return parent;
}

std::string PlanToString(const LogicalOperator& plan) {
  std::string out;
  Print(plan, 0, &out, nullptr);
  return out;
}

std::string PlanToString(const LogicalOperator& plan, const std::function<std::string(const LogicalOperator&)>& annotate) {
  std::string out;
  Print(plan, 0, &out, &annotate);
  return out;
}

}  // namespace strata::sql
