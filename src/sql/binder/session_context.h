// What binding needs from the session a statement runs in: the values behind DATABASE(),
// USER(), LAST_INSERT_ID(), @user and @@system variables, and the statement's clock.
// sql::Session (sql.h) implements it; the binder sees only this interface, so it does not
// depend on the session layer above it (DESIGN §2: dependencies point down).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/expression/expr.h"
#include "sql/types/value.h"

namespace strata::sql {

struct BindContext;
namespace ast {
struct Select;
}

// A subquery bound and planned by the session (which can resolve its tables and owns the
// planner): the plan is opaque to the binder.
struct BoundSubquery {
  std::shared_ptr<const SubqueryPlan> plan;
  std::vector<OutType> columns;  // the types of its visible columns
  bool correlated = false;       // it reads a column of an enclosing query
};

// How an enclosing query may use a subquery as a semi join (optimizer/decorrelate.cc).
enum class SemiJoinUse : uint8_t {
  kNone,    // a scalar subquery, NOT IN
  kExists,  // EXISTS (…): the select list does not matter
  kIn,      // x IN (…): its single column must equal x
};

class SessionContext {
 public:
  // Binds and plans `select`, a subquery inside a query bound with `outer`: a column the
  // subquery's own tables lack is looked up in `outer` and the contexts around it. An
  // EXISTS or IN subquery (`semi_join`) also gets its semi join form where its shape allows
  // (SubqueryPlan::semi).
  virtual Result<BoundSubquery> BindSubquery(const ast::Select& select, const BindContext& outer,
                                             SemiJoinUse semi_join) const = 0;

  virtual ~SessionContext() = default;

  virtual const std::string& database() const = 0;  // "" when none is selected
  virtual const std::string& user() const = 0;
  // The client's host (USER()) and the host part of the account it logged in as
  // (CURRENT_USER()).
  virtual std::string client_host() const { return "localhost"; }
  virtual std::string account_host() const { return "%"; }
  virtual std::string current_role() const { return "NONE"; }  // CURRENT_ROLE()
  virtual bool only_full_group_by() const { return false; }      // sql_mode ONLY_FULL_GROUP_BY
  virtual uint32_t connection_id() const = 0;
  virtual const std::string& server_version() const = 0;  // VERSION(), @@version
  virtual uint64_t last_insert_id() const = 0;
  // ROW_COUNT() and FOUND_ROWS() of the previous statement.
  virtual int64_t row_count() const = 0;
  virtual uint64_t found_rows() const = 0;
  // @name (NULL when never set).
  virtual Result<Value> UserVariable(std::string_view name) const = 0;
  // @@name or @@session.name (global = false), @@global.name (global = true); `lower_name`
  // is lower case. nullopt when no such variable exists (the binder raises 1193).
  virtual std::optional<Value> SystemVariable(std::string_view lower_name, bool global) const = 0;
  // What a string literal compares by: @@collation_connection, coercible (collation.h).
  virtual StringCollation literal_collation() const {
    return MakeStringCollation(CollationKind::kUcaPadSpace, Coercibility::kCoercible);
  }
  // NOW() for the statement being bound and run.
  virtual EvalContext eval_context() const = 0;
  // What encloses a statement's own names: while a trigger body runs, the NEW / OLD row
  // (its values are eval_context().outer_rows[0]); nullptr otherwise.
  virtual const BindContext* statement_outer() const { return nullptr; }
  // The value of the `index`th ? placeholder while a prepared statement runs; nullopt when
  // the statement is not a prepared one (the binder raises 1235). While a statement is being
  // prepared (describing_prepared()), every parameter is NULL: the binder plans with it only
  // to learn the result columns, never to run.
  // `binding` receives the serial of this use of a placeholder (BoundExpr::param; 0 when
  // the session keeps no plan of the statement).
  virtual std::optional<Value> Parameter(uint32_t index, uint32_t* binding) const {
    (void)index;
    *binding = 0;
    return std::nullopt;
  }
  // Called when what is bound depends on more than the statement text, the catalog, the
  // session's settings and the types of its parameters: a user variable, LAST_INSERT_ID(),
  // two placeholders compared by value. A prepared statement's plan is then not kept.
  virtual void MarkPlanUncacheable() const {}
  virtual bool describing_prepared() const { return false; }
};

}  // namespace strata::sql
