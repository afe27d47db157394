// The SQL layer's front door: a Session executes parsed statements for one client
// connection against the shared SqlEngine (catalog, auto-increment counters, transaction
// manager). Nothing here knows the wire protocol; src/server adapts results to packets.
//
// Transactions (DESIGN D4): in autocommit mode every statement runs in its own
// transaction, committed (one Raft proposal if it wrote anything) before the result is
// returned. BEGIN / START TRANSACTION or autocommit=0 keep one transaction open across
// statements; a failed statement inside it is undone (statement-level atomicity) and the
// transaction stays open. DDL commits the open transaction first, as MySQL does. An
// autocommit statement that loses a write-write conflict is retried on a fresh snapshot
// (the client has seen nothing of it); inside an explicit transaction the conflict is
// returned as 1213 and the client retries the transaction.
//
// Thread-safety: a Session is used by one thread at a time; SqlEngine is shared.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sql/parser/ast.h"
#include "sql/catalog/catalog.h"
#include "sql/expression/expr.h"
#include "sql/node_variables.h"
#include "storage/engine.h"
#include "txn/transaction.h"

namespace strata::sql {

struct ResultColumn {
  std::string name;
  std::string org_name, table, org_table, schema;
  OutType type;
  bool primary_key = false, auto_increment = false, is_unsigned = false;
};

struct QueryResult {
  bool has_rows = false;
  std::vector<ResultColumn> columns;
  std::vector<Row> rows;
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  uint16_t warnings = 0;
  std::string info;
  uint64_t rows_examined = 0;
  // Keeps the table whose columns `columns[i].type.table` point into alive while the result
  // lives (the server reads those pointers when it sends the column definitions).
  std::shared_ptr<const TableSchema> schema;
};

// Where a node in a multi-node cluster gets auto-increment values: `reserve(table, floor,
// count)` replicates a reservation of `count` values at or above `floor` and returns the
// first (every node applies it alike, so ranges never overlap across nodes); `replicated()`
// says whether to use it (false on a single-node cluster, whose own counter is enough).
struct IdReservations {
  std::function<Result<uint64_t>(uint64_t table, uint64_t floor, uint64_t count)> reserve;
  std::function<bool()> replicated;
};

// Auto-increment counters, one per table, kept in memory and initialised from the largest
// key in the table on first use. Allocation never conflicts between transactions (values
// are unique, not gap-free — as InnoDB's). In a multi-node cluster each node draws ranges
// of kRange values from the replicated reservation (IdReservations), so values stay unique
// across nodes; a node's values are increasing, interleaved with other nodes' ranges
// (InnoDB's innodb_autoinc_lock_mode = 2 gives the same guarantees).
class AutoIncrement {
 public:
  static constexpr uint64_t kRange = 100;
  explicit AutoIncrement(storage::Engine* engine, IdReservations reservations = {})
      : engine_(engine), reservations_(std::move(reservations)) {}
  // The next value for `table` (its primary-key auto-increment column or hidden row id).
  Result<uint64_t> Next(const TableSchema& table);
  // An explicit value was inserted: later allocations go above it.
  Status Observe(const TableSchema& table, uint64_t value);
  void Forget(TableId table);

 private:
  Result<uint64_t*> Counter(const TableSchema& table);  // REQUIRES: mu_ held
  storage::Engine* engine_;
  IdReservations reservations_;
  std::mutex mu_;
  std::map<TableId, uint64_t> next_;
  std::map<TableId, uint64_t> reserved_end_;  // replicated mode: the current range's end
};

// SHOW [GLOBAL] STATUS rows (name → value), supplied by the node from its metrics.
using StatusProvider = std::function<std::vector<std::pair<std::string, std::string>>()>;

struct SqlEngineOptions {
  txn::TxnManager* txn = nullptr;
  storage::Engine* engine = nullptr;
  std::string server_version;  // @@version
  StatusProvider status;       // empty: SHOW STATUS has no rows
  NodeVariables* node_variables = nullptr;  // node-level globals; outlives the engine (may be null)
  IdReservations id_reservations;           // empty: every node counts on its own (one node)
};

class SqlEngine {
 public:
  explicit SqlEngine(SqlEngineOptions options)
      : options_(std::move(options)), auto_increment_(options_.engine, options_.id_reservations) {}
  txn::TxnManager& txn() { return *options_.txn; }
  Catalog& catalog() { return catalog_; }
  AutoIncrement& auto_increment() { return auto_increment_; }
  const std::string& server_version() const { return options_.server_version; }
  std::vector<std::pair<std::string, std::string>> StatusRows() const {
    return options_.status ? options_.status() : std::vector<std::pair<std::string, std::string>>();
  }

  NodeVariables* node_variables() const { return options_.node_variables; }
  // Global system variables (SET GLOBAL): name (lower case) → value.
  std::optional<Value> GetGlobal(std::string_view name);
  void SetGlobal(std::string_view name, Value v);

 private:
  SqlEngineOptions options_;
  Catalog catalog_;
  AutoIncrement auto_increment_;
  std::mutex globals_mu_;
  std::map<std::string, Value> globals_;
};

// The kind of a statement, for metrics ("select", "insert", ...).
std::string_view StatementKindName(const ast::Statement& stmt);

class Session {
 public:
  Session(SqlEngine* engine, std::string user, std::string host, uint32_t connection_id);
  ~Session();

  Result<QueryResult> Execute(const ast::Statement& stmt);
  Status Use(std::string_view database);  // 1049 when unknown
  // The schema of `table` in the current database, read in a transaction of its own (so
  // it neither opens nor joins the session's): COM_FIELD_LIST. 1046 / 1146 as ResolveTable.
  Result<std::shared_ptr<const TableSchema>> DescribeTable(std::string_view table);
  // COM_RESET_CONNECTION: rolls back, resets variables; keeps user and database.
  void Reset();

  const std::string& database() const { return database_; }
  const std::string& user() const { return user_; }
  bool autocommit() const { return autocommit_; }
  bool in_transaction() const { return txn_ != nullptr && explicit_txn_; }
  uint32_t connection_id() const { return connection_id_; }
  // A session variable (lower-case name) or the global default; nullopt when unknown.
  std::optional<Value> GetVariable(std::string_view name) const;
  double long_query_time() const;

  // ---- used by the statement executors (select.cc, dml.cc, ddl.cc, show.cc) ----
  SqlEngine& engine() { return *engine_; }
  // The open transaction, begun if needed.
  Result<txn::Transaction*> Txn();
  Result<std::shared_ptr<const CatalogSnapshot>> LoadCatalog();
  // Resolves a table name (empty schema: current database): 1046 no database selected,
  // 1146 unknown table.
  Result<std::shared_ptr<const TableSchema>> ResolveTable(const ast::TableName& name);
  Result<Value> UserVariable(std::string_view name) const;
  uint64_t last_insert_id() const { return last_insert_id_; }
  void set_last_insert_id(uint64_t id) { last_insert_id_ = id; }
  // ROW_COUNT() and FOUND_ROWS() of the previous statement.
  int64_t row_count() const { return row_count_; }
  uint64_t found_rows() const { return found_rows_; }
  EvalContext eval_context() const;

 private:
  Result<QueryResult> ExecuteStatement(const ast::Statement& stmt);
  Result<QueryResult> ExecuteInTransaction(const ast::Statement& stmt);
  Result<QueryResult> ExecuteOnce(const ast::Statement& stmt);
  Result<QueryResult> Dispatch(const ast::Statement& stmt);
  Status CommitOpen();
  void RollbackOpen();
  Result<QueryResult> ExecuteSet(const ast::Set& stmt);
  Status SetSystemVariable(const ast::SetItem& item, const Value& value);

  SqlEngine* engine_;
  std::string user_, host_;
  uint32_t connection_id_;
  std::string database_;
  bool autocommit_ = true;
  bool explicit_txn_ = false;  // BEGIN, or autocommit=0 with a statement run
  std::unique_ptr<txn::Transaction> txn_;
  uint64_t last_insert_id_ = 0;
  int64_t row_count_ = -1;
  uint64_t found_rows_ = 0;
  std::map<std::string, Value> session_vars_;  // lower-case name → value
  std::map<std::string, Value> user_vars_;     // lower-case name → value
};

// Statement executors (one file each).
Result<QueryResult> ExecuteSelect(Session& session, const ast::Select& stmt);
Result<QueryResult> ExecuteInsert(Session& session, const ast::Insert& stmt);
Result<QueryResult> ExecuteUpdate(Session& session, const ast::Update& stmt);
Result<QueryResult> ExecuteDelete(Session& session, const ast::Delete& stmt);
Result<QueryResult> ExecuteShow(Session& session, const ast::Show& stmt);
// DDL runs in its own transaction(s) (the caller has committed any open one).
Result<QueryResult> ExecuteDdl(Session& session, const ast::Statement& stmt);

// System variables: defaults and whether they exist (variables.cc).
std::optional<Value> SystemVariableDefault(std::string_view name, const SqlEngine& engine);
std::vector<std::string> SystemVariableNames(const SqlEngine& engine);
// SET [GLOBAL] of a variable that SqlEngineOptions::node_variables owns.
bool IsNodeVariable(const SqlEngine& engine, std::string_view lower_name);
Status SetNodeVariable(SqlEngine& engine, const ast::SetItem& item, const Value& value);

}  // namespace strata::sql
