// ANALYZE / CHECK / OPTIMIZE / REPAIR TABLE (executors.h), answered as MySQL answers them:
// rows of Table ("db.table"), Op, Msg_type and Msg_text, one or more per table named.
//   ANALYZE   counts the table's rows again (catalog/row_estimates.h: the sizes join
//             ordering reads).
//   CHECK     reads every row and every secondary-index entry: each row must decode under the
//             table's schema, each of its index entries must exist, and each index must hold
//             as many entries as the table has rows. What is wrong is listed as warnings,
//             then "Corrupt".
//   OPTIMIZE  there is nothing to rebuild by hand (the LSM compacts by itself, the B+tree
//             reuses freed pages), so as InnoDB it says so in a note and analyzes instead.
//   REPAIR    as InnoDB: the engine does not support it.
// A table that does not exist is an Error row and "Operation failed"; the statement goes on
// to the next table. The privileges (SELECT, and INSERT but for CHECK) are checked before
// any table is read (accounts.cc, 1142).
#include <fmt/format.h>

#include "sql/execution/table_writer.h"
#include "sql/session/executors.h"
#include "sql/types/codec.h"

namespace strata::sql {
namespace {

using Op = ast::MaintenanceOp;

// At most this many problems of one table are listed; the rest only count.
constexpr size_t kMaxListedProblems = 20;

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kAnalyze: return "analyze";
    case Op::kCheck: return "check";
    case Op::kOptimize: return "optimize";
    case Op::kRepair: return "repair";
  }
  return "check";
}

// Reads `prefix`'s keys in chunks and calls `each` for every one. KILL QUERY (1317) and
// shutdown (1053) end it between chunks.
template <typename Each>
Status ScanPrefix(txn::Transaction& txn, const Bytes& prefix, const EvalContext& eval, Each each) {
  constexpr size_t kChunk = 1024;
  Bytes cursor = prefix;
  const Bytes end = PrefixSuccessor(prefix);
  while (true) {
    STRATA_RETURN_IF_ERROR(CheckInterrupted(eval));
    STRATA_ASSIGN_OR_RETURN(std::vector<txn::KeyValue> chunk, txn.Scan(cursor, end, kChunk));
    for (const txn::KeyValue& kv : chunk) STRATA_RETURN_IF_ERROR(each(kv));
    if (chunk.size() < kChunk) return Status::OK();
    cursor = chunk.back().key + '\0';
  }
}

// What CHECK TABLE finds wrong with `table` (empty: nothing).
Result<std::vector<std::string>> CheckTable(txn::Transaction& txn, const TableSchema& table, const EvalContext& eval) {
  std::vector<std::string> problems;
  size_t unlisted = 0;
  auto problem = [&](std::string text) {
    if (problems.size() < kMaxListedProblems) problems.push_back(std::move(text));
    else unlisted++;
  };
  uint64_t rows = 0;
  std::vector<uint64_t> missing(table.indexes.size(), 0);
  STRATA_RETURN_IF_ERROR(ScanPrefix(txn, IndexPrefix(table.id, kPrimaryIndexId), eval, [&](const txn::KeyValue& kv) -> Status {
    rows++;
    Result<Row> row = DecodeRow(kv.value, table);
    if (!row.ok()) {
      problem(fmt::format("Row {} does not decode: {}", rows, row.status().message()));
      return Status::OK();
    }
    const Slice pk = PkSuffixOfRowKey(kv.key);
    for (size_t i = 0; i < table.indexes.size(); i++) {
      STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> entry, txn.Get(IndexKey(table, table.indexes[i], *row, pk)));
      if (!entry) missing[i]++;
    }
    return Status::OK();
  }));
  for (size_t i = 0; i < table.indexes.size(); i++) {
    const IndexSchema& index = table.indexes[i];
    uint64_t entries = 0;
    STRATA_RETURN_IF_ERROR(ScanPrefix(txn, IndexPrefix(table.id, index.id), eval, [&](const txn::KeyValue&) {
      entries++;
      return Status::OK();
    }));
    if (entries != rows) problem(fmt::format("Index '{}' contains {} entries, should be {}", index.name, entries, rows));
    if (missing[i] != 0) problem(fmt::format("Index '{}' lacks the entries of {} rows", index.name, missing[i]));
  }
  if (unlisted != 0) problems.push_back(fmt::format("... and {} more problems", unlisted));
  return problems;
}

}  // namespace

Result<QueryResult> ExecuteTableMaintenance(Session& session, const ast::TableMaintenance& stmt) {
  QueryResult result = TextResult({"Table", "Op", "Msg_type", "Msg_text"});
  const std::string op(OpName(stmt.op));
  const EvalContext eval = session.eval_context();  // its KILL and shutdown flags
  for (const ast::TableName& name : stmt.tables) {
    STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, name.schema));
    const std::string label = db + "." + name.name;
    auto add = [&](std::string_view type, std::string text) {
      result.rows.push_back({Value::String(label), Value::String(op), Value::String(std::string(type)),
                             Value::String(std::move(text))});
    };
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const CatalogSnapshot> catalog, session.LoadCatalog());
    std::shared_ptr<const TableSchema> table = catalog->FindTable(db, name.name);
    if (!table) {
      if (catalog->FindView(db, name.name) && stmt.op == Op::kCheck) {
        add("status", "OK");  // a view holds no rows of its own
        continue;
      }
      add("Error", catalog->FindView(db, name.name) ? fmt::format("'{}' is not BASE TABLE", label)
                                                    : std::string(ErrNoSuchTable(db, name.name).message()));
      add("status", "Operation failed");
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, session.Txn());
    txn->StopTrackingReads();  // reads only: nothing needs to remember them
    switch (stmt.op) {
      case Op::kRepair: add("note", "The storage engine for the table doesn't support repair"); break;
      case Op::kCheck: {
        STRATA_ASSIGN_OR_RETURN(std::vector<std::string> problems, CheckTable(*txn, *table, eval));
        for (std::string& p : problems) add("Warning", std::move(p));
        add(problems.empty() ? "status" : "error", problems.empty() ? "OK" : "Corrupt");
        break;
      }
      case Op::kOptimize:
        add("note", "Table does not support optimize, doing analyze instead");
        [[fallthrough]];
      case Op::kAnalyze: {
        // The row count, and column statistics from a sample of the rows (join ordering
        // reads both: optimizer/cardinality.h).
        RowSampler sampler(table->id);
        STRATA_RETURN_IF_ERROR(ScanPrefix(*txn, IndexPrefix(table->id, kPrimaryIndexId), eval, [&](const txn::KeyValue& kv) {
          sampler.Add(kv.value);
          return Status::OK();
        }));
        session.engine().row_estimates().Record(
            *table, sampler.seen(), TableStatistics::Build(*table, sampler.Rows(*table), sampler.seen()));
        add("status", "OK");
        break;
      }
    }
  }
  return result;
}

}  // namespace strata::sql
