// EXPLAIN (executors.h): the optimized plan of a query or of a single-table INSERT, REPLACE,
// UPDATE or DELETE, in MySQL's traditional table (one row per table read or written) or as
// the plan tree (FORMAT=TREE: PlanToString, one row of text).
#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "sql/errors.h"
#include "sql/execution/physical_planner.h"
#include "sql/optimizer/cardinality.h"
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

// The bytes MySQL counts for one key part in EXPLAIN's key_len: the column's stored size
// (strings at utf8mb4's 4 bytes a character, the one character set StrataDB stores), 2 more
// for a variable length, 1 more when it may be NULL.
int64_t KeyPartLength(const ColumnSchema& column) {
  using ast::TypeKind;
  const ColumnType& type = column.type;
  const int64_t chars = type.length, fsp_bytes = (type.scale + 1) / 2;
  auto packed_digits = [](int64_t digits) {  // DECIMAL's packed form: 4 bytes per 9 digits
    static constexpr int64_t kRest[] = {0, 1, 1, 2, 2, 3, 3, 4, 4};
    return digits / 9 * 4 + kRest[digits % 9];
  };
  int64_t bytes = 0;
  switch (type.kind) {
    case TypeKind::kTinyInt: case TypeKind::kYear: bytes = 1; break;
    case TypeKind::kSmallInt: bytes = 2; break;
    case TypeKind::kMediumInt: case TypeKind::kDate: bytes = 3; break;
    case TypeKind::kInt: case TypeKind::kFloat: bytes = 4; break;
    case TypeKind::kBigInt: case TypeKind::kDouble: bytes = 8; break;
    case TypeKind::kDecimal: bytes = packed_digits(chars - type.scale) + packed_digits(type.scale); break;
    case TypeKind::kDateTime: bytes = 5 + fsp_bytes; break;
    case TypeKind::kTimestamp: bytes = 4 + fsp_bytes; break;
    case TypeKind::kTime: bytes = 3 + fsp_bytes; break;
    case TypeKind::kBit: bytes = (std::max<int64_t>(chars, 1) + 7) / 8; break;
    case TypeKind::kEnum: bytes = type.enum_values.size() > 255 ? 2 : 1; break;
    case TypeKind::kSet: {
      const int64_t set_bytes = (static_cast<int64_t>(type.enum_values.size()) + 7) / 8;
      bytes = set_bytes > 4 ? 8 : std::max<int64_t>(set_bytes, 1);
      break;
    }
    case TypeKind::kChar: bytes = chars * 4; break;
    case TypeKind::kBinary: bytes = chars; break;
    case TypeKind::kVarchar: bytes = chars * 4 + 2; break;
    case TypeKind::kVarbinary: bytes = chars + 2; break;
    default:  // TEXT, BLOB, JSON, spatial: keyed whole here; MySQL's limit of a key part, and a length
      bytes = 3072 + 2;
  }
  return bytes + (column.nullable ? 1 : 0);
}

// key_len of the first `parts` columns of `index`; NULL when no column is used.
Value KeyLength(const TableSchema& table, const IndexSchema& index, size_t parts) {
  if (parts == 0) return Value::Null();
  int64_t total = 0;
  for (size_t i = 0; i < std::min(parts, index.columns.size()); i++) total += KeyPartLength(table.columns[index.columns[i]]);
  return Value::String(std::to_string(total));
}

// One row of the traditional table per table read, in the order the plan reads them; a
// write's target is the row whose select_type names the statement, as in MySQL.
class TraditionalRows {
 public:
  // `statement`: a write's select_type ("INSERT", "REPLACE", "UPDATE", "DELETE"), else "SIMPLE".
  explicit TraditionalRows(const char* statement) : statement_(statement) {}

  void Visit(const LogicalOperator& node, const LogicalFilter* filter, const char* join_buffer) {
    switch (node.kind) {
      case LogicalKind::kInsert: {  // the rows it writes come from VALUES or from its query's tables
        const auto& insert = static_cast<const LogicalInsert&>(node);
        rows.push_back({Value::Int(1), Value::String(statement_), Value::String(insert.table->name), Value::Null(),
                        Value::String("ALL"), Value::Null(), Value::Null(), Value::Null(), Value::Null(), Value::Null(),
                        Value::Null(), Value::Null()});
        for (const LogicalPlan& child : node.children) Visit(*child, nullptr, join_buffer);
        return;
      }
      case LogicalKind::kUpdate:
      case LogicalKind::kDelete:  // the table it reads is the one it writes
        select_type_ = statement_;
        Visit(node.child(), nullptr, join_buffer);
        select_type_ = "SIMPLE";
        return;
      case LogicalKind::kGet:
        AddTable(static_cast<const LogicalGet&>(node), filter, false, join_buffer);
        return;
      case LogicalKind::kFilter:
        Visit(node.child(), &static_cast<const LogicalFilter&>(node), join_buffer);
        return;
      case LogicalKind::kJoin: {
        const auto& join = static_cast<const LogicalJoin&>(node);
        Visit(*node.children[0], nullptr, nullptr);
        // A semi join stops at a left row's first match (MySQL's FirstMatch strategy); an anti
        // join keeps the rows without one (MySQL's "Not exists").
        const bool semi = join.type == JoinType::kSemi, anti = join.type == JoinType::kAnti;
        if (join.index_lookup) {  // one index read per left row: eq_ref when it gives one row at most
          const auto& get = static_cast<const LogicalGet&>(*node.children[1]);
          const std::string& key = join.lookup_index->name;
          std::string extra = join.predicate ? "Using where" : "";
          if (semi || anti) extra += (extra.empty() ? "" : "; ") + std::string(semi ? "FirstMatch" : "Not exists");
          rows.push_back({Value::Int(1), Value::String(select_type_), Value::String(get.alias), Value::Null(),
                          Value::String(join.lookup_unique() ? "eq_ref" : "ref"), Value::String(key),
                          Value::String(key), KeyLength(*get.table, *join.lookup_index, join.lookup_keys.size()),
                          Value::Null(),
                          Value::Int(join.lookup_unique() ? 1 : RowsPerLookup(get, *join.lookup_index)),
                          Value::String("100.00"), TextOrNull(extra)});
          return;
        }
        const char* buffer = join.left_keys.empty()
                                 ? (semi   ? "FirstMatch; Using join buffer (Block Nested Loop)"
                                    : anti ? "Not exists; Using join buffer (Block Nested Loop)"
                                           : "Using join buffer (Block Nested Loop)")
                                 : (semi   ? "FirstMatch; Using join buffer (hash join)"
                                    : anti ? "Not exists; Using join buffer (hash join)"
                                           : "Using join buffer (hash join)");
        if (node.children[1]->kind == LogicalKind::kGet) {  // the join's own predicate filters its pairs
          AddTable(static_cast<const LogicalGet&>(*node.children[1]), nullptr, join.predicate != nullptr, buffer);
        } else {
          Visit(*node.children[1], nullptr, buffer);
        }
        return;
      }
      default:
        for (const LogicalPlan& child : node.children) Visit(*child, nullptr, join_buffer);
    }
  }

  std::vector<Row> rows;

 private:
  const char* statement_;
  const char* select_type_ = "SIMPLE";

  // The rows one lookup of `index` (not unique) meets in `get`'s table: the table's rows over
  // the distinct values of the index's first column when statistics were gathered, else a
  // tenth of them (the optimizer's guesses, cardinality.h).
  static int64_t RowsPerLookup(const LogicalGet& get, const IndexSchema& index) {
    const double rows = TableRows(get);
    const ColumnStatistics* stats = index.columns.empty() ? nullptr : ColumnStats(&get, index.columns[0]);
    const double per_key = stats && stats->distinct >= 1 ? rows * (1 - stats->null_fraction) / stats->distinct : rows / 10;
    return std::max<int64_t>(1, std::llround(per_key));
  }

  // `filter` is the Filter right above `get`, if any; `join_filter` tells that a join's
  // predicate filters what it reads.
  void AddTable(const LogicalGet& get, const LogicalFilter* filter, bool join_filter, const char* join_buffer) {
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
    // MySQL's rows (read through the access path) and filtered (the share of them the rest of
    // the WHERE keeps), from the optimizer's estimates: a key read is taken to use the whole
    // filter, a scan reads every row and the filter keeps its estimate.
    const double table_rows = TableRows(get);
    const double kept = filter ? EstimateRows(*filter) : table_rows;
    double read = table_rows, share = 1;
    if (path.kind == AccessPath::Kind::kPrimaryPoints) read = static_cast<double>(path.points.size());
    else if (path.kind != AccessPath::Kind::kFullScan) read = kept;
    else share = std::min(1.0, kept / table_rows);
    const bool filtered = filter != nullptr || join_filter;
    // A const or ref read gives each column of its key it uses a constant: MySQL's ref
    // "const,const,…".
    std::string ref;
    if (type == "const" || type == "ref") {
      for (size_t i = 0; i < path.key_parts; i++) ref += i ? ",const" : "const";
    }
    Value key_len = Value::Null();
    if (path.kind != AccessPath::Kind::kIndexPrefix) key_len = KeyLength(*get.table, get.table->primary, path.key_parts);
    else if (path.index != nullptr) key_len = KeyLength(*get.table, *path.index, path.key_parts);
    // A write reads by a key as a range (MySQL's UPDATE and DELETE have no const or ref).
    if ((type == "const" || type == "ref") && select_type_ != std::string_view("SIMPLE")) type = "range";
    std::string extra;
    if (filtered) extra = "Using where";
    if (join_buffer) extra += (extra.empty() ? "" : "; ") + std::string(join_buffer);
    rows.push_back({Value::Int(1), Value::String(select_type_), Value::String(get.alias), Value::Null(),
                    Value::String(type), TextOrNull(key), TextOrNull(key), std::move(key_len), TextOrNull(ref),
                    Value::Int(std::max<int64_t>(1, std::llround(read))),
                    Value::String(fmt::format("{:.2f}", 100 * share)), TextOrNull(extra)});
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

// The table a write an EXPLAIN names writes, checked as running the write would check it
// (privileges, trigger rules), without waiting for an online ALTER's write fence.
Result<std::shared_ptr<const TableSchema>> ExplainedTarget(Session& session, const ast::Statement& write,
                                                           const ast::TableName& name, std::string_view statement) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const ViewDefinition> view, session.ResolveView(name));
  if (view) return ErrNotSupportedYet("EXPLAIN of a write through a view");
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table,
                          session.ResolveWriteTable(name, statement, /*wait_for_fence=*/false));
  STRATA_RETURN_IF_ERROR(CheckWriteTarget(session, write, *table));
  return table;
}

// The plan of the write an EXPLAIN names; *statement is its select_type.
Result<PlannedQuery> PlanExplainedWrite(Session& session, const ast::Statement& write, const char** statement) {
  if (write.kind == ast::StatementKind::kInsert) {
    const auto& insert = static_cast<const ast::Insert&>(write);
    *statement = insert.replace ? "REPLACE" : "INSERT";
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table, ExplainedTarget(session, write, insert.table, *statement));
    return PlanInsertStatement(session, insert, table);
  }
  if (write.kind == ast::StatementKind::kUpdate) {
    const auto& update = static_cast<const ast::Update&>(write);
    if (!update.from.empty()) return ErrNotSupportedYet("EXPLAIN of a multi-table UPDATE");
    CteScope ctes(update.with, update.with_recursive);
    *statement = "UPDATE";
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table,
                            ExplainedTarget(session, write, update.table.table, *statement));
    return PlanUpdateStatement(session, update, table);
  }
  const auto& del = static_cast<const ast::Delete&>(write);
  if (!del.from.empty()) return ErrNotSupportedYet("EXPLAIN of a multi-table DELETE");
  CteScope ctes(del.with, del.with_recursive);
  *statement = "DELETE";
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table, ExplainedTarget(session, write, del.table.table, *statement));
  return PlanDeleteStatement(session, del, table);
}

}  // namespace

Result<QueryResult> ExecuteExplain(Session& session, const ast::Explain& stmt) {
  const char* statement = "SIMPLE";
  Result<PlannedQuery> planned = stmt.write ? PlanExplainedWrite(session, *stmt.write, &statement)
                                            : PlanQuery(session, *stmt.query, nullptr, nullptr);
  STRATA_ASSIGN_OR_RETURN(PlannedQuery query, std::move(planned));
  LogicalPlan plan = Optimize(std::move(query.plan), session.time_zone().get());
  // Row estimates for `rows` and `filtered`, after optimizing (the plan shown is the one that
  // runs). Not inside an explicit transaction: counting a table would add its rows to what
  // the transaction read (a join's plan has them anyway).
  if (!session.in_transaction()) EstimateTableRows(session, *plan);
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
  TraditionalRows rows(statement);
  rows.Visit(*plan, nullptr, nullptr);
  if (rows.rows.empty()) {  // no table: SELECT 1
    rows.rows.push_back({Value::Int(1), Value::String("SIMPLE"), Value::Null(), Value::Null(), Value::Null(),
                         Value::Null(), Value::Null(), Value::Null(), Value::Null(), Value::Null(), Value::Null(),
                         Value::String("No tables used")});
  }
  result.rows = std::move(rows.rows);
  return result;
}

}  // namespace strata::sql
