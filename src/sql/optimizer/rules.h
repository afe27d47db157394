// The optimizer's rules, one file each. Every rule takes a plan and returns an equivalent
// one: the same rows, in the same order where the plan defines one.
#pragma once

#include "sql/planner/logical_plan.h"

namespace strata::sql {

// decorrelate.cc: a WHERE conjunct EXISTS / NOT EXISTS / IN (subquery) whose subquery
// carries a semi join form (SubqueryPlan::semi) becomes a semi or anti join of the WHERE's
// rows with the subquery's FROM, above a Filter of the other conjuncts.
LogicalPlan Decorrelate(LogicalPlan plan);

// join_order.cc: a chain of inner joins (under a WHERE or not) joins its tables in the order
// of least estimated cost (cardinality.h) instead of FROM order (no cross product while a
// condition connects a remaining table); a Project restores FROM order when it changed.
LogicalPlan ReorderJoins(LogicalPlan plan);

// predicate_pushdown.cc: WHERE and ON conjuncts move down to the lowest node that sees all
// the columns they read (a Filter above a Get, where index selection finds it), as far as
// outer joins allow; equalities between a join's two sides become its hash-join keys.
LogicalPlan PushDownPredicates(LogicalPlan plan);

// index_join.cc: a join whose hash keys give a prefix of the primary key or of a secondary
// index of a right side that only reads a table becomes an index nested-loop join (one key
// lookup or key-prefix range per left row, index_join.h); the right side's filter joins the
// join's predicate.
LogicalPlan ChooseIndexJoins(LogicalPlan plan);

// index_selection.cc: a Filter directly above a Get chooses the Get's access path from the
// predicate's conjuncts (access_path.h). The Filter stays: the path returns a superset.
LogicalPlan SelectIndexes(LogicalPlan plan, const TimeZone* zone);

// limit_pushdown.cc: a Limit directly above a Project moves below it. A projection maps each
// row to one row, so limiting first returns the same rows and evaluates the select list
// only for the rows that are returned.
LogicalPlan PushDownLimits(LogicalPlan plan);

// top_n.cc: a Sort directly under a Limit needs only its first offset + count rows (at
// most kMaxTopN): it keeps them in a bounded heap (top-N sort) instead of sorting all rows.
inline constexpr uint64_t kMaxTopN = 100000;
LogicalPlan UseTopN(LogicalPlan plan);

}  // namespace strata::sql
