// The SQL layer's front door: a Session executes parsed statements (sql/parser/parser.h)
// for one client connection against the shared SqlEngine (catalog, auto-increment counters,
// transaction manager) and returns a QueryResult. Nothing here knows the wire protocol;
// src/server adapts results to packets. The node implements NodeVariables
// (sql/node_variables.h) to expose its own settings as global variables.
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
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sql/binder/session_context.h"
#include "sql/catalog/auto_increment.h"
#include "sql/catalog/catalog.h"
#include "sql/catalog/row_estimates.h"
#include "sql/expression/expr.h"
#include "sql/node_variables.h"
#include "sql/parser/ast.h"
#include "sql/parser/parser.h"
#include "sql/session/process_list.h"
#include "sql/session/user_locks.h"
#include "storage/engine.h"
#include "txn/transaction.h"

namespace strata::sql {

struct KeptPlan;  // a kept plan (session/plan_cache.h)

// One column of a result set, as the protocol's column definition describes it.
struct ResultColumn {
  std::string name;                                // the header (alias or expression text)
  std::string org_name, table, org_table, schema;  // set when the column is a table column
  OutType type;
  bool primary_key = false, auto_increment = false, is_unsigned = false;
};

// One row of SHOW WARNINGS: a note, warning or error of the last statement.
struct Warning {
  std::string level;  // "Note", "Warning" or "Error"
  uint16_t code = 0;
  std::string message;
};
// An error a statement turned into a note or warning (IF [NOT] EXISTS, INSERT IGNORE).
Warning AsWarning(std::string_view level, const Status& error);

// What a statement returns: rows (has_rows: SELECT, SHOW) or an OK packet's fields.
struct QueryResult {
  bool has_rows = false;
  std::vector<ResultColumn> columns;
  std::vector<Row> rows;           // each of columns.size() values
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;     // the first id this statement generated, 0 when none
  uint16_t warnings = 0;            // set from warning_list when the statement ends (Session::Execute)
  std::vector<Warning> warning_list;  // what SHOW WARNINGS lists after this statement
  std::string info;                // "Rows matched: 1  Changed: 1  Warnings: 0"
  uint64_t rows_examined = 0;      // rows the scans read (slow-query log)
  // Keeps the tables whose columns `columns[i].type.table` point into alive while the result
  // lives (the server reads those pointers when it sends the column definitions).
  std::vector<std::shared_ptr<const TableSchema>> schemas;
};

// A statement kept by Session::Prepare: its parsed form and, when it returns rows, the
// columns it returns as planned at prepare time with every parameter NULL.
struct PreparedDescription {
  uint32_t id = 0;
  uint32_t param_count = 0;
  bool has_rows = false;
  std::vector<ResultColumn> columns;
  std::vector<std::shared_ptr<const TableSchema>> schemas;  // columns[i].type.table points into them
};

// SHOW [GLOBAL] STATUS rows (name → value), supplied by the node from its metrics.
using StatusProvider = std::function<std::vector<std::pair<std::string, std::string>>()>;

// The cluster, as SQL sees it (SHOW CLUSTER STATUS, ALTER CLUSTER), supplied by the node.
struct ClusterHooks {
  // One row per member: Node_id, Role, Admin_addr, Mysql_addr, Match_index, Lag (nullopt: NULL).
  std::function<std::vector<std::vector<std::optional<std::string>>>()> status_rows;
  // "add" (id, raft, admin, mysql), "remove" (id) or "transfer-leader" (id); runs on the
  // leader wherever it is issued. Errors carry their MySQL code.
  std::function<Status(std::string_view action, uint64_t id, std::string_view raft, std::string_view admin,
                       std::string_view mysql)>
      change;
};

struct SqlEngineOptions {
  txn::TxnManager* txn = nullptr;
  storage::Engine* engine = nullptr;
  std::string server_version;  // @@version
  StatusProvider status;       // empty: SHOW STATUS has no rows
  NodeVariables* node_variables = nullptr;  // node-level globals; outlives the engine (may be null)
  IdReservations id_reservations;           // empty: every node counts on its own (one node)
  ClusterHooks cluster;                     // empty: SHOW CLUSTER STATUS / ALTER CLUSTER refused
  // SHOW ENGINE STRATADB STATUS: the node's engine and Raft state as text (empty: refused).
  std::function<std::string()> engine_status;
  // The data directory's root user (it has every privilege and is not a catalog account:
  // CREATE USER of that name is refused).
  std::string root_user = "root";
  // The engine of CREATE TABLE without ENGINE=LSM/BTREE (no ENGINE clause, or one of MySQL's
  // engine names): the node's default_engine.
  bool default_btree = false;
};

// A statement's text as logs and SHOW PROCESSLIST may show it: passwords in account
// statements replaced by '<secret>'.
std::string TextForLogs(const ast::Statement& stmt);

class SqlEngine {
 public:
  explicit SqlEngine(SqlEngineOptions options)
      : options_(std::move(options)), auto_increment_(options_.engine, options_.id_reservations) {}
  txn::TxnManager& txn() { return *options_.txn; }
  Catalog& catalog() { return catalog_; }
  AutoIncrement& auto_increment() { return auto_increment_; }
  RowEstimates& row_estimates() { return row_estimates_; }
  const std::string& server_version() const { return options_.server_version; }
  const std::string& root_user() const { return options_.root_user; }
  bool default_btree() const { return options_.default_btree; }
  // The catalog account a client `user` connecting from `peer` logs in as (accounts.h),
  // read at the latest applied state; nullptr when none admits it.
  Result<std::shared_ptr<const UserAccount>> FindLoginAccount(std::string_view user, std::string_view peer);
  // The node's rows (SqlEngineOptions::status), then the SQL layer's own: Prepared_stmt_count
  // and the plan cache's Strata_plan_cache_hits / _misses (prepared statement executions
  // that took a kept plan / planned anew).
  std::vector<std::pair<std::string, std::string>> StatusRows() const;
  void CountPlanCache(bool hit) { (hit ? plan_cache_hits_ : plan_cache_misses_).fetch_add(1, std::memory_order_relaxed); }
  uint64_t plan_cache_hits() const { return plan_cache_hits_.load(std::memory_order_relaxed); }
  uint64_t plan_cache_misses() const { return plan_cache_misses_.load(std::memory_order_relaxed); }

  NodeVariables* node_variables() const { return options_.node_variables; }
  const ClusterHooks& cluster() const { return options_.cluster; }
  std::string EngineStatus() const { return options_.engine_status ? options_.engine_status() : std::string(); }
  // Global system variables (SET GLOBAL): name (lower case) → value.
  std::optional<Value> GetGlobal(std::string_view name);
  void SetGlobal(std::string_view name, Value v);
  // The variables SET GLOBAL has given a value (lower-case name → value).
  std::map<std::string, Value> GlobalsSet();
  uint64_t globals_version() const { return globals_version_.load(std::memory_order_acquire); }

  // Shutdown: every statement still running stops at its next check with 1053 (a query that
  // would run for hours must not hold the node's Stop()).
  void InterruptStatements() { interrupted_.store(true, std::memory_order_relaxed); }
  const std::atomic<bool>* interrupted() const { return &interrupted_; }

  // The sessions of this node (SHOW PROCESSLIST, KILL).
  ProcessList& processes() { return processes_; }
  // GET_LOCK and its family: the node's user-level locks (session/user_locks.h).
  UserLockTable& user_locks() { return user_locks_; }

  // Prepared statements held by all sessions, against the server-wide limit
  // max_prepared_stmt_count (1461 past it, as MySQL).
  bool AcquirePrepared(uint64_t limit) {
    uint64_t n = prepared_statements_.load(std::memory_order_relaxed);
    while (n < limit)
      if (prepared_statements_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
    return false;
  }
  void ReleasePrepared(uint64_t n) { prepared_statements_.fetch_sub(n, std::memory_order_relaxed); }
  uint64_t prepared_statements() const { return prepared_statements_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> interrupted_{false};
  std::atomic<uint64_t> prepared_statements_{0};
  std::atomic<uint64_t> plan_cache_hits_{0}, plan_cache_misses_{0};
  ProcessList processes_;
  UserLockTable user_locks_;
  SqlEngineOptions options_;
  Catalog catalog_;
  AutoIncrement auto_increment_;
  RowEstimates row_estimates_;
  std::mutex globals_mu_;
  std::map<std::string, Value> globals_;
  std::atomic<uint64_t> globals_version_{0};  // +1 at each SetGlobal (sessions' caches check it)
};

// The kind of a statement, for metrics ("select", "insert", ...).
std::string_view StatementKindName(const ast::Statement& stmt);

class Session final : public SessionContext, public UserLockRunner {
 public:
  Session(SqlEngine* engine, std::string user, std::string host, uint32_t connection_id);
  ~Session() override;

  Result<QueryResult> Execute(const ast::Statement& stmt);
  Status Use(std::string_view database);  // 1049 when unknown
  // The schema of `table` in the current database, read in a transaction of its own (so
  // it neither opens nor joins the session's): COM_FIELD_LIST. 1046 / 1146 as ResolveTable.
  Result<std::shared_ptr<const TableSchema>> DescribeTable(std::string_view table);
  // COM_RESET_CONNECTION: rolls back, resets variables, closes prepared statements, releases
  // user-level locks; keeps user and database.
  void Reset();
  // sql_mode has NO_BACKSLASH_ESCAPES: statements are parsed with '\\' as an ordinary
  // character, and the OK packets say so (clients choose their escaping from the flag).
  bool no_backslash_escapes() const;
  // How this session's statements are read (NO_BACKSLASH_ESCAPES, ANSI_QUOTES).
  ParseOptions parse_options() const;
  // The session's sql_mode lists `mode` (upper case).
  bool SqlModeHas(std::string_view mode) const;
  // ",MODE,MODE,": upper case, commas around each. Cached: read again only after a SET of a
  // session variable or a SET GLOBAL (every statement asks, twice).
  const std::string& SqlModeList() const;
  static bool SqlModeListHas(std::string_view list, std::string_view mode);
  bool only_full_group_by() const override { return SqlModeListHas(SqlModeList(), "ONLY_FULL_GROUP_BY"); }
  // GET_LOCK & co. as this session (session/user_locks.cc).
  Result<Value> RunUserLock(UserLockOp op, const std::vector<Value>& args, const EvalContext& ctx) override;

  // ---- Prepared statements (session/prepared.cc) ----
  // The statement is parsed once and kept; each execution binds it again with that
  // execution's parameter values as constants (so a DDL between executions is seen: the
  // tables are resolved anew), then plans and runs it like any statement. A SELECT's plan is
  // kept and reused while nothing it was made from changes (session/plan_cache.h).
  //
  // Parses `text` (exactly one statement) and keeps it under a new id. 1461 when the session
  // already holds max_prepared_stmt_count statements; 1390 past 65535 placeholders; 1295 for
  // PREPARE / EXECUTE / DEALLOCATE themselves.
  Result<PreparedDescription> Prepare(std::string_view text);
  // Runs statement `id` with one value per placeholder: 1243 for an unknown id and 1210 for a
  // wrong number of values, both naming `command` (MySQL: "mysqld_stmt_execute", "EXECUTE").
  Result<QueryResult> ExecutePrepared(uint32_t id, std::vector<Value> params, std::string_view command);
  // The statement kept under `id`, or nullptr.
  const ast::Statement* PreparedStatement(uint32_t id) const;
  void ClosePrepared(uint32_t id);  // no-op for an unknown id (COM_STMT_CLOSE has no reply)
  size_t prepared_count() const { return prepared_.size(); }

  const std::string& database() const override { return database_; }
  // Sets the current database without USE's checks and returns the previous one: a view's
  // stored query names its tables relative to the view's database while it is planned.
  std::string SwapDatabase(std::string db) { return std::exchange(database_, std::move(db)); }
  const std::string& user() const override { return user_; }
  std::string client_host() const override { return host_; }
  std::string account_host() const override { return account_host_; }

  // ---- accounts and privileges (session/accounts.cc) ----
  // Makes this session one of account user()@`account_host` (catalog accounts): from now on
  // every statement needs that account's privileges. A session never given an account (the
  // data directory's root, internal sessions, tests) may do everything.
  // Its active roles start as the account's default roles (session/roles.cc).
  void SetAccount(std::string account_host);
  bool superuser() const { return superuser_; }
  // The roles this session activated (SET ROLE); nullopt until it chose: the account's
  // default roles then (session/roles.cc). Each is (user, host).
  using RoleList = std::vector<std::pair<std::string, std::string>>;
  const std::optional<RoleList>& active_roles() const { return active_roles_; }
  void set_active_roles(std::optional<RoleList> roles) {
    active_roles_ = std::move(roles);
    identity_version_++;  // kept plans checked other privileges
  }
  // CURRENT_ROLE(): the active roles as `r`@`h`,… in name order, or NONE.
  std::string current_role() const override;
  // Whose privileges statements are checked with: the session's account, or a trigger's
  // definer while its body runs (trigger.cc swaps it in and back; USER() then names the
  // definer too).
  struct Identity {
    std::string user, account_host;
    bool superuser = false;
    std::optional<RoleList> active_roles;
    // SwapIdentity's: the identity version this identity had, and the one the swap left.
    uint64_t identity_version = 0, swapped_version = 0;
  };
  Identity SwapIdentity(Identity next);
  // 1142 unless the account holds every privilege in `privileges` on db.table (at the
  // global, database or table level); `command` names the statement in the message.
  Status RequireTablePrivilege(uint32_t privileges, std::string_view command, std::string_view db,
                               std::string_view table);
  // 1044 unless it holds `privileges` on db (or globally); privileges 0: any privilege on
  // db or on one of its tables (USE).
  Status RequireDatabasePrivilege(uint32_t privileges, std::string_view db);
  // 1227 unless it holds `privileges` globally.
  Status RequireGlobalPrivilege(uint32_t privileges);
  // Whether SHOW DATABASES / information_schema show `db` to this session.
  bool SeesDatabase(std::string_view db);
  // Whether SHOW TABLES / information_schema show db.table (any privilege on it).
  bool SeesTable(std::string_view db, std::string_view table);
  bool autocommit() const { return autocommit_; }
  // The client asked for CLIENT_FOUND_ROWS: an UPDATE's affected rows (and ROW_COUNT()) are
  // the rows it matched, not only those it changed. Set once per connection.
  void set_client_found_rows(bool on) { client_found_rows_ = on; }
  // The collation the client asked for in its handshake (a MySQL id; unknown ones are left
  // alone): collation_connection, which string literals compare by.
  void set_connection_collation(uint16_t id) {
    if (const CollationInfo* info = CollationById(id); info != nullptr && info->id != kCollationBinary) {
      session_vars_["collation_connection"] = Value::String(std::string(info->name));
      session_vars_version_++;
    }
  }
  // LOAD DATA LOCAL INFILE: asks the client for a file and returns a function giving its
  // contents chunk by chunk ("" at the end). Empty when the client did not offer its files.
  using LocalFiles = std::function<Result<std::function<Result<std::string>()>>(std::string_view file)>;
  void set_local_files(LocalFiles files) { local_files_ = std::move(files); }
  const LocalFiles& local_files() const { return local_files_; }
  bool client_found_rows() const { return client_found_rows_; }
  bool in_transaction() const { return txn_ != nullptr && explicit_txn_; }
  // The last statement's notes, warnings and error (SHOW WARNINGS / SHOW ERRORS, which leave
  // them in place; @@warning_count, @@error_count).
  const std::vector<Warning>& warnings() const { return warnings_; }
  uint32_t connection_id() const override { return connection_id_; }
  // A session variable (lower-case name) or the global default; nullopt when unknown.
  std::optional<Value> GetVariable(std::string_view name) const;
  double long_query_time() const;
  // @@GLOBAL.slow_query_log: whether slow statements are logged (SET GLOBAL slow_query_log = OFF).
  bool slow_query_log() const;

  // ---- SessionContext: what the binder reads ----
  const std::string& server_version() const override;
  uint64_t last_insert_id() const override { return last_insert_id_; }
  // ROW_COUNT() and FOUND_ROWS() of the previous statement.
  int64_t row_count() const override { return row_count_; }
  uint64_t found_rows() const override { return found_rows_; }
  Result<Value> UserVariable(std::string_view name) const override;
  std::optional<Value> SystemVariable(std::string_view lower_name, bool global) const override;
  StringCollation literal_collation() const override;
  EvalContext eval_context() const override;
  // The session's time_zone, parsed once per change (variables.cc); nullptr: SYSTEM.
  std::shared_ptr<const TimeZone> time_zone() const;
  Result<BoundSubquery> BindSubquery(const ast::Select& select, const BindContext& outer,
                                     SemiJoinUse semi_join) const override;
  const BindContext* statement_outer() const override {
    return trigger_frames_.empty() ? nullptr : trigger_frames_.back().names;
  }
  std::optional<Value> Parameter(uint32_t index, uint32_t* binding) const override;
  void MarkPlanUncacheable() const override { plan_uncacheable_ = true; }
  bool describing_prepared() const override { return describing_prepared_; }

  // ---- used by the statement executors (session/executors.h) ----
  SqlEngine& engine() { return *engine_; }
  // The open transaction, begun if needed.
  Result<txn::Transaction*> Txn();
  bool has_txn() const { return txn_ != nullptr; }
  // What strata_read_consistency / strata_max_staleness_ms ask of a new transaction.
  txn::ReadRequirement ReadRequirement() const;
  // How the running statement's row locks wait: innodb_lock_wait_timeout, ended early by
  // KILL QUERY (1317) or shutdown.
  txn::LockWait StatementLockWait() const;
  Result<std::shared_ptr<const CatalogSnapshot>> LoadCatalog();
  // Resolves a table name (empty schema: current database): 1046 no database selected,
  // 1146 unknown table; 1142 when the session's account may not SELECT from it.
  Result<std::shared_ptr<const TableSchema>> ResolveTable(const ast::TableName& name);
  // The view `name` names, or nullptr (1046 as ResolveTable).
  Result<std::shared_ptr<const ViewDefinition>> ResolveView(const ast::TableName& name);
  // A table to write: ResolveTable, with 1288 for a view (views are read-only), and the
  // statement's privilege (INSERT, UPDATE, DELETE; REPLACE: INSERT and DELETE) instead of SELECT.
  // A table that ALTER TABLE … ENGINE fences (TableSchema::write_fence_until_ms) makes it
  // wait first (session.cc, WaitForWriteFence), unless `wait_for_fence` is false (EXPLAIN).
  Result<std::shared_ptr<const TableSchema>> ResolveWriteTable(const ast::TableName& name, std::string_view statement,
                                                               bool wait_for_fence = true);
  void set_last_insert_id(uint64_t id) { last_insert_id_ = id; }
  void SetUserVariable(std::string_view name, Value value);

  // A trigger body running (session/trigger.cc): its NEW / OLD names and their row, and the
  // table whose write fired it (a trigger may not write that table again: 1442).
  struct TriggerFrame {
    const BindContext* names;
    const Row* row;
    const TableSchema* table;
  };
  void PushTrigger(TriggerFrame frame) { trigger_frames_.push_back(frame); }
  void PopTrigger() { trigger_frames_.pop_back(); }
  size_t trigger_depth() const { return trigger_frames_.size(); }
  // 1442 when a running trigger's table is `table`.
  Status CheckTriggerTarget(const TableSchema& table) const;

 private:
  Result<QueryResult> ExecuteStatement(const ast::Statement& stmt);
  // ResolveTable without the privilege check.
  Result<std::shared_ptr<const TableSchema>> FindTable(const ast::TableName& name);
  Result<QueryResult> ExecuteInTransaction(const ast::Statement& stmt);
  Result<QueryResult> ExecuteOnce(const ast::Statement& stmt);
  Result<QueryResult> Dispatch(const ast::Statement& stmt);
  Status CommitOpen();
  void RollbackOpen();
  Result<QueryResult> ExecuteSet(const ast::Set& stmt);
  Result<PreparedDescription> Describe(const ast::Statement& stmt);
  Result<QueryResult> ExecutePrepare(const ast::Prepare& stmt);
  Result<QueryResult> ExecuteExecute(const ast::Execute& stmt);
  Result<QueryResult> ExecuteDeallocate(const ast::Deallocate& stmt);
  Status SetSystemVariable(const ast::SetItem& item, const Value& value);
  // The session's variables start as the globals are now (MySQL copies them at connect, so
  // a later SET GLOBAL reaches new sessions only); autocommit included. Session creation
  // and COM_RESET_CONNECTION (variables.cc).
  void InheritGlobals();
  // SAVEPOINT / ROLLBACK TO SAVEPOINT / RELEASE SAVEPOINT (session/savepoints.cc).
  Result<QueryResult> ExecuteSavepoint(const ast::Savepoint& stmt);
  // Keeps a finished top-level statement's warnings (or error) for SHOW WARNINGS.
  void KeepWarnings(const ast::Statement& stmt, Result<QueryResult>* result);
  // MySQL's max_error_count default: SHOW WARNINGS lists at most this many of a statement's.
  static constexpr size_t kMaxWarnings = 1024;

  SqlEngine* engine_;
  std::string user_, host_;
  std::string account_host_ = "%";
  bool superuser_ = true;
  std::optional<RoleList> active_roles_;
  bool statement_may_lock_ = true;  // the running statement is not a plain SELECT / SHOW
  uint32_t connection_id_;
  std::string database_;
  bool autocommit_ = true;
  bool explicit_txn_ = false;  // BEGIN, or autocommit=0 with a statement run
  std::unique_ptr<txn::Transaction> txn_;
  // The open transaction's savepoints by name (lower case), index i = txn_'s savepoint i.
  std::vector<std::string> savepoints_;
  std::vector<Warning> warnings_;  // the last statement's, at most kMaxWarnings
  std::vector<Status> statement_warnings_;  // the running statement's lenient conversions (EvalContext)
  // The open transaction is READ ONLY (writes are 1792 until it ends): START TRANSACTION READ
  // ONLY, SET TRANSACTION READ ONLY for the next one, or the session's transaction_read_only.
  bool txn_read_only_ = false;
  std::optional<bool> next_txn_read_only_;  // SET TRANSACTION READ ONLY|WRITE (no scope)
  // Whether a transaction starting now is read-only (consumes next_txn_read_only_).
  bool StartingReadOnly();
  uint64_t last_insert_id_ = 0;
  int64_t row_count_ = -1;
  uint64_t found_rows_ = 0;
  bool client_found_rows_ = false;
  LocalFiles local_files_;
  std::shared_ptr<ProcessEntry> process_;  // nullptr for internal sessions (connection id 0)
  int execute_depth_ = 0;                  // Execute nests (EXECUTE of a prepared statement)
  std::map<std::string, Value> session_vars_;  // lower-case name → value
  uint64_t session_vars_version_ = 0;          // +1 at each change of session_vars_
  uint64_t identity_version_ = 0;  // changes with whose privileges apply (kept plans checked them)
  // collation_connection as literal_collation() gives it, for session_vars_version_ (cached).
  mutable std::pair<uint64_t, StringCollation> literal_collation_{~0ull, 0};
  struct SqlModeCache {
    uint64_t session_version = UINT64_MAX, global_version = UINT64_MAX;
    std::string list;
  };
  mutable SqlModeCache sql_mode_cache_;
  struct TimeZoneCache {
    uint64_t session_version = UINT64_MAX, global_version = UINT64_MAX;
    std::shared_ptr<const TimeZone> zone;  // nullptr: the server's (an unreadable setting)
  };
  mutable TimeZoneCache time_zone_cache_;
  std::map<std::string, Value> user_vars_;     // lower-case name → value
  std::vector<TriggerFrame> trigger_frames_;   // innermost last
  std::shared_ptr<const CatalogSnapshot> txn_catalog_;  // the open transaction's catalog, once loaded
  // Prepared statements by id (COM_STMT_PREPARE and PREPARE name FROM share the ids and the
  // max_prepared_stmt_count limit); named ones also by their lower-case name.
  std::map<uint32_t, std::shared_ptr<const ast::Statement>> prepared_;
  std::map<std::string, uint32_t> prepared_names_;
  uint32_t next_statement_id_ = 1;
  const std::vector<Value>* parameters_ = nullptr;  // the running prepared statement's values
  bool describing_prepared_ = false;
  // The plan cache (session/plan_cache.h): the prepared statement running (id and statement)
  // and the kept plans by statement id. While a plan to keep is bound, `bindings_[i]` is the
  // placeholder whose binding i + 1 is (BoundExpr::param).
  uint32_t running_prepared_id_ = 0;
  const ast::Statement* running_prepared_ = nullptr;
  std::map<uint32_t, std::shared_ptr<KeptPlan>> plans_;
  mutable std::vector<uint32_t> bindings_;
  mutable bool tracking_bindings_ = false;
  mutable bool plan_uncacheable_ = false;
  friend struct PlanCache;  // session/plan_cache.cc
};

}  // namespace strata::sql
