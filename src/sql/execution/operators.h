// Physical operators: a pull-based (Volcano) executor over batches of rows (DESIGN D9).
// Each operator pulls batches from its child and fills `out`; Next returns false once the
// operator is exhausted. Batches keep per-row overhead low and leave room for vectorized
// kernels later.
#pragma once

#include <memory>
#include <vector>

#include "sql/catalog/auto_increment.h"
#include "sql/expression/expr.h"
#include "sql/planner/logical_plan.h"
#include "sql/planner/access_path.h"
#include "txn/transaction.h"

namespace strata::sql {

using RowBatch = std::vector<Row>;
constexpr size_t kBatchRows = 1024;

// Limits on what one statement may hold in memory (STYLE: a limit on everything that grows).
constexpr size_t kMaxSortRows = 10'000'000;
constexpr size_t kMaxGroups = 10'000'000;
// Bytes one materialized set of rows (a sort's input, a join's build side, a result) may
// hold; past it the statement fails with 1041 and the server keeps serving.
constexpr size_t kMaxMaterializedBytes = size_t{512} << 20;

class Operator {
 public:
  virtual ~Operator() = default;
  // Appends up to kBatchRows rows to `out` (cleared by the caller); false when exhausted
  // (out may still hold the last rows).
  virtual Result<bool> Next(RowBatch* out) = 0;
};
using OperatorPtr = std::unique_ptr<Operator>;

// Emits table rows (all columns in schema order). With `with_keys`, each row gets its row
// key as one more trailing string value (DML needs it). Adds the rows it reads to
// *rows_examined (for the slow-query log). With a `lock` mode it is a locking read
// (txn/transaction.h): each row is locked, then read at its latest committed version; a
// row found through a secondary index that no longer matches that index entry once locked
// is left out.
OperatorPtr MakeScan(txn::Transaction* txn, const TableSchema* table, AccessPath path, bool with_keys,
                     uint64_t* rows_examined, txn::LockMode lock = txn::LockMode::kNone);
// Emits `*rows` (copies; the rows must outlive the operator).
OperatorPtr MakeValues(const std::vector<Row>* rows);
OperatorPtr MakeFilter(OperatorPtr child, const BoundExpr* predicate, const EvalContext* ctx);
// JOIN (join_operator.cc): `plan`'s type, predicate and hash keys over its two inputs. Reads
// the right input whole first (at most kMaxSortRows rows). Points into `plan`.
OperatorPtr MakeJoin(OperatorPtr left, OperatorPtr right, const LogicalJoin* plan, const EvalContext* ctx);
// An index join (plan->index_lookup): for each left row, a read of the right table along
// plan->lookup_index (a key, or a key-prefix range); adds the rows read to *rows_examined.
OperatorPtr MakeIndexJoin(OperatorPtr left, const LogicalJoin* plan, txn::Transaction* txn, const EvalContext* ctx,
                          uint64_t* rows_examined, txn::LockMode lock = txn::LockMode::kNone);
// UNION / EXCEPT / INTERSECT [ALL] (set_operator.cc): UNION streams both inputs; EXCEPT and
// INTERSECT read the right input whole first (at most kMaxSortRows rows).
OperatorPtr MakeSetOp(OperatorPtr left, OperatorPtr right, ast::SetOp op, bool all);
// Evaluates `exprs` over each input row.
OperatorPtr MakeProject(OperatorPtr child, std::vector<const BoundExpr*> exprs, const EvalContext* ctx);

// Groups by `group_by`; output rows = the group's first input row (input_width values)
// followed by one value per aggregate. Without GROUP BY an empty input still yields one row.
OperatorPtr MakeAggregate(OperatorPtr child, std::vector<const BoundExpr*> group_by,
                          const std::vector<AggregateSpec>* aggregates, size_t input_width,
                          const EvalContext* ctx);

// `top_n` > 0: only the first top_n rows of the sorted order are produced, kept in a bounded
// heap while the child's rows stream by (ties keep input order, as the full stable sort).
OperatorPtr MakeSort(OperatorPtr child, std::vector<SortKey> keys, uint64_t top_n = 0);
// Keeps the first row of each distinct prefix of `width` values.
OperatorPtr MakeDistinct(OperatorPtr child, size_t width);
OperatorPtr MakeLimit(OperatorPtr child, uint64_t offset, uint64_t count);

// ---- Writes (modify_operators.cc, insert_operator.cc) ----
// UPDATE and DELETE read every row of `child` (table rows with their row key last, a
// LogicalGet with row keys) before the first write, so a statement never sees its own
// changes. Each write operator emits one row of counts.

struct Assignment {
  uint32_t column;          // position in the table's row
  const BoundExpr* value;   // over the row as updated so far (SET a = 1, b = a sees a = 1)
};
// UPDATE: emits (rows matched, rows changed). `auto_increment` learns explicit values.
OperatorPtr MakeUpdate(OperatorPtr child, txn::Transaction* txn, const TableSchema* table,
                       std::vector<Assignment> assignments, AutoIncrement* auto_increment, const EvalContext* ctx);
// DELETE: emits (rows deleted).
OperatorPtr MakeDelete(OperatorPtr child, txn::Transaction* txn, const TableSchema* table, const EvalContext* ctx);
// Runs `table`'s triggers for (timing, event) through ctx->triggers, when it has any
// (modify_operators.cc; the insert operator uses it too).
Status FireTableTriggers(const EvalContext* ctx, const TableSchema& table, TriggerTiming timing, TriggerEvent event,
                         const Row* old_row, Row* new_row);
// INSERT / REPLACE of `plan`'s rows (insert_operator.cc), each evaluated and written before
// the next; emits (affected rows, duplicates skipped, first generated auto-increment id or 0,
// rows processed). With a `source` (INSERT ... SELECT) plan->rows[0] is evaluated over each
// of its rows, all read before the first write. The operator points into `plan`, which must
// outlive it.
OperatorPtr MakeInsert(const LogicalInsert* plan, OperatorPtr source, txn::Transaction* txn,
                       AutoIncrement* auto_increment, const EvalContext* ctx);

// Pulls every row (at most `max_rows`, else error 1104; at most kMaxMaterializedBytes, else
// error 1041).
Result<std::vector<Row>> Drain(Operator& op, size_t max_rows = kMaxSortRows);
// The bytes a row holds (its values and their strings), for the materialization cap.
size_t RowBytes(const Row& row);

}  // namespace strata::sql
