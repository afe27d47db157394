// CheckFullGroupBy (statement_binder.h): sql_mode ONLY_FULL_GROUP_BY, as MySQL 8 applies it
// (errors 1055 and 1140).
// A grouped query's select list, HAVING and ORDER BY may read a column of the FROM row only
// inside an aggregate, as (part of) an expression the query groups by, or when it is
// functionally dependent on the grouped columns: its table's whole primary key, or all
// columns of a unique key that are NOT NULL, are grouped.
#include <fmt/format.h>

#include "sql/binder/statement_binder.h"
#include "sql/errors.h"

namespace strata::sql {
namespace {

// `*by_parameter_value` is set when two placeholders' values decided it.
bool SameExpr(const BoundExpr& a, const BoundExpr& b, bool* by_parameter_value) {
  if (a.kind != b.kind || a.column != b.column || a.op != b.op || a.fn != b.fn || a.negated != b.negated ||
      a.builtin != b.builtin || a.depth != b.depth || a.children.size() != b.children.size() ||
      a.kind == BoundExpr::Kind::kSubquery)
    return false;
  if (a.kind == BoundExpr::Kind::kConst &&
      (a.constant.is_null() != b.constant.is_null() ||
       (!a.constant.is_null() && CompareValues(a.constant, b.constant) != 0)))
    return false;
  if (a.kind == BoundExpr::Kind::kConst && a.param != b.param) *by_parameter_value = true;
  for (size_t i = 0; i < a.children.size(); i++)
    if (!SameExpr(*a.children[i], *b.children[i], by_parameter_value)) return false;
  return true;
}

class FullGroupByCheck {
 public:
  FullGroupByCheck(const BoundSelect& select, const BindScope& scope, uint32_t width)
      : select_(select), scope_(scope), width_(width), allowed_(width, false) {
    for (const BoundExprPtr& g : select.group_by)
      if (g->kind == BoundExpr::Kind::kColumn && g->column < width) allowed_[g->column] = true;
    for (const ScopeTable& st : scope.tables) {  // functional dependence on a grouped key
      const TableSchema& t = *st.table;
      auto grouped = [&](const IndexSchema& index, bool need_not_null) {
        if (index.columns.empty()) return false;
        for (uint32_t c : index.columns) {
          uint32_t at = st.offset + c;
          if (at >= width || !allowed_[at] || (need_not_null && t.columns[c].nullable)) return false;
        }
        return true;
      };
      bool dependent = grouped(t.primary, false);
      for (const IndexSchema& index : t.indexes) dependent = dependent || (index.unique && grouped(index, true));
      if (!dependent) continue;
      for (uint32_t c = 0; c < t.columns.size() && st.offset + c < width; c++) allowed_[st.offset + c] = true;
    }
  }

  // The first column of the FROM row `e` reads outside an aggregate and a grouped
  // expression, unless it is allowed: its "db.table.column" name.
  std::optional<std::string> Offending(const BoundExpr& e) const {
    for (const BoundExprPtr& g : select_.group_by)
      if (SameExpr(e, *g, &by_parameter_value_)) return std::nullopt;
    if (e.kind == BoundExpr::Kind::kColumn && e.column < width_ && !allowed_[e.column]) return ColumnName(e.column);
    for (const BoundExprPtr& child : e.children) {
      if (std::optional<std::string> name = Offending(*child)) return name;
    }
    return std::nullopt;
  }
  // A placeholder's value made two expressions the same.
  bool by_parameter_value() const { return by_parameter_value_; }

 private:
  std::string ColumnName(uint32_t column) const {
    for (const ScopeTable& st : scope_.tables) {
      if (column >= st.offset && column < st.offset + st.table->columns.size())
        return fmt::format("{}.{}.{}", st.table->database, st.alias, st.table->columns[column - st.offset].name);
    }
    return "?";
  }

  const BoundSelect& select_;
  const BindScope& scope_;
  uint32_t width_;
  std::vector<bool> allowed_;
  mutable bool by_parameter_value_ = false;
};

Status Incompatible(uint16_t code, std::string message) {
  return Status::InvalidArgument(std::move(message) + "; this is incompatible with sql_mode=only_full_group_by")
      .WithMysql(code, "42000");
}

}  // namespace

Status CheckFullGroupBy(const BoundSelect& select, const BindScope& scope, uint32_t width,
                        const SessionContext& session) {
  FullGroupByCheck check(select, scope, width);
  for (size_t i = 0; i < select.outputs.size(); i++) {
    std::optional<std::string> column = check.Offending(*select.outputs[i].expr);
    if (check.by_parameter_value()) session.MarkPlanUncacheable();
    if (!column) continue;
    const bool in_select_list = i < select.visible;
    const size_t number = in_select_list ? i + 1 : i - select.visible + 1;
    const char* clause = in_select_list ? "SELECT list" : "ORDER BY clause";
    if (select.group_by.empty())  // ER_MIX_OF_GROUP_FUNC_AND_FIELDS_V2
      return Incompatible(1140, fmt::format("In aggregated query without GROUP BY, expression #{} of {} contains "
                                            "nonaggregated column '{}'",
                                            number, clause, *column));
    return Incompatible(1055, fmt::format("Expression #{} of {} is not in GROUP BY clause and contains nonaggregated "
                                          "column '{}' which is not functionally dependent on columns in GROUP BY "
                                          "clause",
                                          number, clause, *column));  // ER_WRONG_FIELD_WITH_GROUP_V2
  }
  if (select.having) {
    std::optional<std::string> column = check.Offending(*select.having);
    if (check.by_parameter_value()) session.MarkPlanUncacheable();
    if (column) {
      return Incompatible(1055, fmt::format("Expression #1 of HAVING clause is not in GROUP BY clause and contains "
                                            "nonaggregated column '{}' which is not functionally dependent on "
                                            "columns in GROUP BY clause",
                                            *column));
    }
  }
  return Status::OK();
}

}  // namespace strata::sql
