#include "sql/sql.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "common/ascii.h"
#include "sql/binder/binder.h"
#include "sql/errors.h"
#include "sql/parser/ast_account.h"
#include "sql/parser/ast_alter.h"
#include "sql/session/executors.h"

namespace strata::sql {

using SK = ast::StatementKind;

// How long an autocommit statement keeps retrying a write-write conflict (as long as
// InnoDB's default innodb_lock_wait_timeout would let it wait for the row lock).
constexpr std::chrono::seconds kAutocommitRetryFor{50};

// ---- SqlEngine ----------------------------------------------------------------------

std::optional<Value> SqlEngine::GetGlobal(std::string_view name) {
  std::lock_guard lock(globals_mu_);
  auto it = globals_.find(std::string(name));
  if (it != globals_.end()) return it->second;
  return SystemVariableDefault(name, *this);
}

std::map<std::string, Value> SqlEngine::GlobalsSet() {
  std::lock_guard lock(globals_mu_);
  return globals_;
}

void SqlEngine::SetGlobal(std::string_view name, Value v) {
  std::lock_guard lock(globals_mu_);
  globals_[std::string(name)] = std::move(v);
  globals_version_.fetch_add(1, std::memory_order_release);
}

std::string_view StatementKindName(const ast::Statement& stmt) {
  switch (stmt.kind) {
    case SK::kSelect: return "select";
    case SK::kInsert: return static_cast<const ast::Insert&>(stmt).replace ? "replace" : "insert";
    case SK::kUpdate: return "update";
    case SK::kDelete: return "delete";
    case SK::kBegin: return "begin";
    case SK::kCommit: return "commit";
    case SK::kRollback: return "rollback";
    case SK::kSet: return "set";
    case SK::kShow: return "show";
    case SK::kExplain: return "explain";
    case SK::kUse: return "use";
    case SK::kEmpty: return "empty";
    case SK::kCreateDatabase: case SK::kDropDatabase: case SK::kCreateTable: case SK::kDropTable:
    case SK::kCreateIndex: case SK::kDropIndex: case SK::kCreateView:
      return "ddl";
    case SK::kAlterCluster: return "admin";
    case SK::kPrepare: return "prepare";
    case SK::kExecute: return "execute";
    case SK::kDeallocate: return "deallocate";
    case SK::kKill: return "kill";
    default: return "other";
  }
}

// ---- Session ------------------------------------------------------------------------

Session::Session(SqlEngine* engine, std::string user, std::string host, uint32_t connection_id)
    : engine_(engine), user_(std::move(user)), host_(std::move(host)), connection_id_(connection_id) {
  if (connection_id_ != 0) process_ = engine_->processes().Register(connection_id_, user_, host_);
  InheritGlobals();
}

Session::~Session() {
  RollbackOpen();
  engine_->user_locks().ReleaseAll(connection_id_);
  engine_->ReleasePrepared(prepared_.size());
  if (process_) engine_->processes().Unregister(connection_id_, process_.get());
}

const std::string& Session::server_version() const { return engine_->server_version(); }

std::optional<Value> Session::SystemVariable(std::string_view lower_name, bool global) const {
  std::optional<Value> v = global ? engine_->GetGlobal(CanonicalVariableName(std::string(lower_name)))
                                  : GetVariable(lower_name);
  if (!v) v = SystemVariableDefault(lower_name, *engine_);
  return v;
}

StringCollation Session::literal_collation() const {
  if (literal_collation_.first != session_vars_version_) {
    std::optional<Value> name = SystemVariable("collation_connection", false);
    const CollationInfo* info =
        name && name->kind() == ValueKind::kString ? CollationByName(name->string_value()) : nullptr;
    CollationKind kind = info != nullptr ? info->kind : CollationKind::kUcaPadSpace;
    literal_collation_ = {session_vars_version_, MakeStringCollation(kind, Coercibility::kCoercible)};
  }
  return literal_collation_.second;
}

EvalContext Session::eval_context() const {
  EvalContext ctx;
  int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  ctx.now_unix_seconds = now_us / 1'000'000;
  ctx.now_micros = now_us % 1'000'000;
  ctx.interrupted = engine_->interrupted();
  if (process_) ctx.killed = &process_->kill_query;
  if (!trigger_frames_.empty()) ctx.outer_rows.push_back(trigger_frames_.back().row);  // NEW / OLD
  ctx.last_insert_id = const_cast<uint64_t*>(&last_insert_id_);  // LAST_INSERT_ID(expr) sets it
  ctx.user_locks = const_cast<Session*>(this);                   // GET_LOCK & co.
  const std::string& modes = SqlModeList();
  ctx.no_auto_value_on_zero = SqlModeListHas(modes, "NO_AUTO_VALUE_ON_ZERO");
  ctx.assignment.strict = SqlModeListHas(modes, "STRICT_TRANS_TABLES") || SqlModeListHas(modes, "STRICT_ALL_TABLES");
  ctx.assignment.no_zero_date = SqlModeListHas(modes, "NO_ZERO_DATE");
  ctx.warnings = const_cast<std::vector<Status>*>(&statement_warnings_);  // the statement's, kept by KeepWarnings
  ctx.time_zone = time_zone();
  return ctx;
}

void Session::SetUserVariable(std::string_view name, Value value) { user_vars_[ToLower(name)] = std::move(value); }

Status Session::CheckTriggerTarget(const TableSchema& table) const {
  for (const TriggerFrame& frame : trigger_frames_) {
    if (frame.table->id == table.id)  // ER_CANT_UPDATE_USED_TABLE_IN_SF_OR_TRG
      return Status::InvalidArgument(fmt::format("Can't update table '{}' in stored function/trigger because it is "
                                                 "already used by statement which invoked this stored function/trigger.",
                                                 table.name))
          .WithMysql(1442, "HY000");
  }
  return Status::OK();
}

txn::ReadRequirement Session::ReadRequirement() const {
  txn::ReadRequirement r;
  std::optional<Value> mode = GetVariable("strata_read_consistency");
  std::string name = mode ? mode->ToText().value_or("") : "";
  r.linearizable = name != "follower";
  r.lease = name == "lease";
  std::optional<Value> staleness = GetVariable("strata_max_staleness_ms");
  r.max_staleness_ms = staleness ? static_cast<uint64_t>(std::max(0.0, staleness->ToDouble())) : 0;
  return r;
}

txn::LockWait Session::StatementLockWait() const {
  txn::LockWait wait;
  std::optional<Value> timeout = GetVariable("innodb_lock_wait_timeout");
  double seconds = timeout ? std::clamp(timeout->ToDouble(), 0.0, 1073741824.0) : 50.0;
  wait.timeout = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  wait.interrupted = [engine = engine_, process = process_.get()]() -> Status {
    if (engine->interrupted()->load(std::memory_order_relaxed)) return ErrServerShutdown();
    if (process && process->kill_query.load(std::memory_order_relaxed)) return ErrQueryInterrupted();
    return Status::OK();
  };
  return wait;
}

Result<txn::Transaction*> Session::Txn() {
  if (!txn_) {
    txn_ = engine_->txn().Begin(ReadRequirement());
    if (statement_may_lock_) txn_->SetLockWait(StatementLockWait());
  }
  return txn_.get();
}

Result<std::shared_ptr<const CatalogSnapshot>> Session::LoadCatalog() {
  // One transaction sees one catalog (its snapshot; DDL runs in transactions of its own), so
  // the statements of a transaction share the snapshot its first one loaded.
  if (txn_catalog_) return txn_catalog_;
  STRATA_ASSIGN_OR_RETURN(txn::Transaction * txn, Txn());
  STRATA_ASSIGN_OR_RETURN(txn_catalog_, engine_->catalog().Load(*txn));
  return txn_catalog_;
}

Result<std::shared_ptr<const TableSchema>> Session::FindTable(const ast::TableName& name) {
  std::string db = name.schema.empty() ? database_ : name.schema;
  if (db.empty()) return ErrNoDatabaseSelected();
  STRATA_ASSIGN_OR_RETURN(auto catalog, LoadCatalog());
  auto table = catalog->FindTable(db, name.name);
  if (!table)
    return ErrNoSuchTable(db, name.name);
  return table;
}

Result<std::shared_ptr<const TableSchema>> Session::ResolveTable(const ast::TableName& name) {
  if (!superuser_) {  // 1142 before 1146, as MySQL: a missing privilege does not tell what exists
    std::string db = name.schema.empty() ? database_ : name.schema;
    if (db.empty()) return ErrNoDatabaseSelected();
    STRATA_RETURN_IF_ERROR(RequireTablePrivilege(kPrivSelect, "SELECT", db, name.name));
  }
  return FindTable(name);
}

Result<std::shared_ptr<const ViewDefinition>> Session::ResolveView(const ast::TableName& name) {
  std::string db = name.schema.empty() ? database_ : name.schema;
  if (db.empty()) return ErrNoDatabaseSelected();
  STRATA_ASSIGN_OR_RETURN(auto catalog, LoadCatalog());
  auto view = catalog->FindView(db, name.name);
  if (view && !superuser_) STRATA_RETURN_IF_ERROR(RequireTablePrivilege(kPrivSelect, "SELECT", view->database, view->name));
  return view;
}

namespace {

// ALTER TABLE … ENGINE holds the writers of a table for its final catch-up and swap
// (TableSchema::write_fence_until_ms). Waits until the latest catalog shows the fence gone
// (the move done or given up) or expired. Then, if the table's entry is still the one this
// transaction's snapshot holds, the statement goes on; otherwise it fails with 1213, since
// it would fail at commit anyway (table_writer.h), and an autocommit statement runs again
// at once on the new catalog. innodb_lock_wait_timeout bounds the wait (1205), and KILL
// QUERY ends it.
Status WaitForWriteFence(SqlEngine& engine, const TableSchema& table, const txn::LockWait& wait) {
  auto deadline = std::chrono::steady_clock::now() + wait.timeout;
  while (true) {
    if (wait.interrupted) STRATA_RETURN_IF_ERROR(wait.interrupted());
    std::unique_ptr<txn::Transaction> reader = engine.txn().Begin();
    STRATA_ASSIGN_OR_RETURN(auto catalog, engine.catalog().Load(*reader));
    std::shared_ptr<const TableSchema> now = catalog->FindTable(table.database, table.name);
    if (!now || now->id != table.id || now->write_fence_until_ms != table.write_fence_until_ms)
      return txn::ErrLockDeadlock();
    if (!now->write_fenced()) return Status::OK();  // expired: its ALTER is gone or late
    if (std::chrono::steady_clock::now() >= deadline) return txn::ErrLockWaitTimeout();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace

Result<std::shared_ptr<const TableSchema>> Session::ResolveWriteTable(const ast::TableName& name,
                                                                       std::string_view statement,
                                                                       bool wait_for_fence) {
  Result<std::shared_ptr<const TableSchema>> table = FindTable(name);
  if (!table.ok() && table.status().mysql_errno() == kErNoSuchTable) {
    STRATA_ASSIGN_OR_RETURN(auto view, ResolveView(name));
    if (view) return ErrViewNotUpdatable(name.name, statement);
  }
  if (table.ok() && !superuser_) {
    uint32_t need = statement == "REPLACE" ? kPrivInsert | kPrivDelete
                    : statement == "UPDATE" ? kPrivUpdate
                    : statement == "DELETE" ? kPrivDelete
                                            : kPrivInsert;
    STRATA_RETURN_IF_ERROR(RequireTablePrivilege(need, statement, (*table)->database, (*table)->name));
  }
  if (wait_for_fence && table.ok() && (*table)->write_fenced())
    STRATA_RETURN_IF_ERROR(WaitForWriteFence(*engine_, **table, StatementLockWait()));
  return table;
}

Result<Value> Session::UserVariable(std::string_view name) const {
  auto it = user_vars_.find(ToLower(name));
  return it == user_vars_.end() ? Value::Null() : it->second;
}

std::optional<Value> Session::GetVariable(std::string_view name) const {
  std::string lower = CanonicalVariableName(ToLower(name));
  if (lower == "autocommit") return Value::Int(autocommit_ ? 1 : 0);
  if (lower == "last_insert_id" || lower == "identity") return Value::Uint(last_insert_id_);
  if (lower == "warning_count") return Value::Uint(warnings_.size());
  if (lower == "error_count")
    return Value::Uint(std::count_if(warnings_.begin(), warnings_.end(), [](const Warning& w) { return w.level == "Error"; }));
  if (IsGlobalOnlyVariable(*engine_, lower)) return engine_->GetGlobal(lower);
  auto it = session_vars_.find(lower);
  if (it != session_vars_.end()) return it->second;
  // Not SET GLOBAL when the session began (InheritGlobals), nor SET since: the server's default.
  return SystemVariableDefault(lower, *engine_);
}

bool Session::slow_query_log() const {
  std::optional<Value> v = SystemVariable("slow_query_log", true);
  return !v || v->ToBool().value_or(true);
}

double Session::long_query_time() const {
  std::optional<Value> v = GetVariable("long_query_time");
  return v ? v->ToDouble() : 10.0;
}

Status Session::Use(std::string_view database) {
  std::unique_ptr<txn::Transaction> txn = engine_->txn().Begin();
  STRATA_ASSIGN_OR_RETURN(auto catalog, engine_->catalog().Load(*txn));
  txn->Rollback();
  if (!superuser_ && !EqualsIgnoreCase(database, "information_schema"))
    STRATA_RETURN_IF_ERROR(RequireDatabasePrivilege(0, database));  // before 1049: names stay private
  std::vector<std::string_view> system = SystemSchemas();
  system.push_back("information_schema");
  for (std::string_view s : system) {
    if (EqualsIgnoreCase(database, s)) {
      database_ = std::string(s);
      return Status::OK();
    }
  }
  if (!catalog->HasDatabase(database))
    return ErrUnknownDatabase(database);
  database_ = catalog->databases.at(ToLower(database));
  return Status::OK();
}

Result<std::shared_ptr<const TableSchema>> Session::DescribeTable(std::string_view table) {
  if (database_.empty()) return ErrNoDatabaseSelected();
  if (!SeesTable(database_, table)) return ErrTableAccessDenied("SELECT", user_, host_, table);
  std::unique_ptr<txn::Transaction> txn = engine_->txn().Begin();
  STRATA_ASSIGN_OR_RETURN(auto catalog, engine_->catalog().Load(*txn));
  txn->Rollback();
  auto schema = catalog->FindTable(database_, table);
  if (!schema)
    return ErrNoSuchTable(database_, table);
  return schema;
}

void Session::Reset() {
  RollbackOpen();
  next_txn_read_only_.reset();
  engine_->user_locks().ReleaseAll(connection_id_);
  autocommit_ = true;
  session_vars_.clear();
  InheritGlobals();
  user_vars_.clear();
  last_insert_id_ = 0;
  engine_->ReleasePrepared(prepared_.size());
  prepared_.clear();
  prepared_names_.clear();
  plans_.clear();
}

Status Session::CommitOpen() {
  explicit_txn_ = false;
  txn_read_only_ = false;
  savepoints_.clear();
  txn_catalog_.reset();
  if (!txn_) return Status::OK();
  std::unique_ptr<txn::Transaction> txn = std::move(txn_);
  return txn->Commit();
}

void Session::RollbackOpen() {
  explicit_txn_ = false;
  txn_read_only_ = false;
  savepoints_.clear();
  txn_catalog_.reset();
  if (txn_) txn_->Rollback();
  txn_.reset();
}

Result<QueryResult> Session::Execute(const ast::Statement& stmt) {
  const bool top = execute_depth_++ == 0;
  if (top) statement_warnings_.clear();
  if (top && process_) {
    if (stmt.kind == ast::StatementKind::kAccount) {
      process_->StatementStartedOwned(database_, TextForLogs(stmt));
    } else {
      process_->StatementStarted(database_, stmt.text);
    }
  }
  // The entry borrows stmt.text: it is ended on every way out, an exception's too.
  struct EndInProcessList {
    ProcessEntry* entry;
    const std::string& database;
    ~EndInProcessList() {
      if (entry) entry->StatementEnded(database);
    }
  } end_in_process_list{top ? process_.get() : nullptr, database_};
  Result<QueryResult> result = ExecuteStatement(stmt);
  --execute_depth_;
  if (top) KeepWarnings(stmt, &result);
  if (result.ok()) {
    // MySQL: ROW_COUNT() is the affected rows of a DML statement, -1 after a result set.
    row_count_ = result->has_rows ? -1 : static_cast<int64_t>(result->affected_rows);
    if (result->has_rows) found_rows_ = result->rows.size();
  }
  return result;
}

Warning AsWarning(std::string_view level, const Status& error) {
  // An error without a MySQL number reaches clients as 1105 (the protocol layer's default).
  return Warning{std::string(level), error.mysql_errno() ? error.mysql_errno() : uint16_t{1105},
                 std::string(error.message())};
}

// MySQL's diagnostics area: every statement but SHOW WARNINGS / SHOW ERRORS replaces it with
// its own notes and warnings (or its error), and the OK packet's warning count is their
// number, so a client that reads SHOW WARNINGS after a count gets exactly that many rows.
void Session::KeepWarnings(const ast::Statement& stmt, Result<QueryResult>* result) {
  if (stmt.kind == SK::kShow) {
    auto kind = static_cast<const ast::Show&>(stmt).show;
    if (kind == ast::ShowKind::kWarnings || kind == ast::ShowKind::kErrors) return;
  }
  if (!result->ok()) {
    warnings_ = {AsWarning("Error", result->status())};
    return;
  }
  std::vector<Warning>& list = (*result)->warning_list;
  // The warnings of lenient value conversions come first (they happened as rows were built).
  std::vector<Warning> converted;
  for (const Status& w : statement_warnings_) converted.push_back(AsWarning("Warning", w));
  list.insert(list.begin(), converted.begin(), converted.end());
  statement_warnings_.clear();
  if (list.size() > kMaxWarnings) list.resize(kMaxWarnings);
  warnings_ = list;
  (*result)->warnings = static_cast<uint16_t>(list.size());
}

Result<QueryResult> Session::ExecuteStatement(const ast::Statement& stmt) {
  if (!superuser_) STRATA_RETURN_IF_ERROR(CheckStatementPrivileges(*this, stmt));
  switch (stmt.kind) {
    case SK::kBegin: {
      STRATA_RETURN_IF_ERROR(CommitOpen());  // BEGIN commits an open transaction, as MySQL does
      txn_ = engine_->txn().Begin(ReadRequirement());
      explicit_txn_ = true;
      txn_read_only_ = StartingReadOnly() || static_cast<const ast::Begin&>(stmt).read_only;
      return QueryResult();
    }
    case SK::kCommit:
      STRATA_RETURN_IF_ERROR(CommitOpen());
      return QueryResult();
    case SK::kRollback:
      RollbackOpen();
      return QueryResult();
    case SK::kSavepoint: return ExecuteSavepoint(static_cast<const ast::Savepoint&>(stmt));
    case SK::kCreateDatabase: case SK::kDropDatabase: case SK::kCreateTable: case SK::kDropTable:
    case SK::kCreateIndex: case SK::kDropIndex: case SK::kTruncate: case SK::kRenameTable:
    case SK::kAlterTableEngine: case SK::kAlterTable: {
      STRATA_RETURN_IF_ERROR(CommitOpen());  // DDL commits implicitly
      Result<QueryResult> result = ExecuteDdl(*this, stmt);
      // What its checks read (CREATE TABLE … LIKE's source) was in a transaction of its own:
      // the next statement must not run on that snapshot, from before the DDL.
      RollbackOpen();
      return result;
    }
    case SK::kCreateTrigger: case SK::kDropTrigger:
      STRATA_RETURN_IF_ERROR(CommitOpen());
      return stmt.kind == SK::kCreateTrigger ? CreateTrigger(*this, static_cast<const ast::CreateTrigger&>(stmt))
                                             : DropTrigger(*this, static_cast<const ast::DropTrigger&>(stmt));
    case SK::kCreateView: {
      STRATA_RETURN_IF_ERROR(CommitOpen());
      Result<QueryResult> result = CreateView(*this, static_cast<const ast::CreateView&>(stmt));
      RollbackOpen();  // planning the query read in a transaction of its own
      return result;
    }
    case SK::kTableMaintenance: {  // commits implicitly, as MySQL, and reads in a transaction of its own
      STRATA_RETURN_IF_ERROR(CommitOpen());
      Result<QueryResult> result = ExecuteTableMaintenance(*this, static_cast<const ast::TableMaintenance&>(stmt));
      RollbackOpen();
      return result;
    }
    case SK::kUse: {
      STRATA_RETURN_IF_ERROR(Use(static_cast<const ast::Use&>(stmt).database));
      return QueryResult();
    }
    case SK::kEmpty:
      return QueryResult();
    case SK::kPrepare: return ExecutePrepare(static_cast<const ast::Prepare&>(stmt));
    case SK::kExecute: return ExecuteExecute(static_cast<const ast::Execute&>(stmt));
    case SK::kDeallocate: return ExecuteDeallocate(static_cast<const ast::Deallocate&>(stmt));
    case SK::kKill: return ExecuteKill(*this, static_cast<const ast::Kill&>(stmt));
    case SK::kAccount: {
      // Account statements commit implicitly, as DDL; SET ROLE and SHOW GRANTS do not.
      using AccountAction = ast::AccountStatement::Action;
      const auto& account = static_cast<const ast::AccountStatement&>(stmt);
      if (account.action != AccountAction::kSetRole && account.action != AccountAction::kShowGrants)
        STRATA_RETURN_IF_ERROR(CommitOpen());
      return ExecuteAccount(*this, account);
    }
    case SK::kSet:
      return ExecuteSet(static_cast<const ast::Set&>(stmt));
    case SK::kLockTables: case SK::kUnlockTables:
      return QueryResult();  // accepted for mysqldump files; snapshot isolation needs no table locks
    case SK::kAlterCluster: {
      const ClusterHooks& cluster = engine_->cluster();
      if (!cluster.change) return ErrNotSupportedYet("ALTER CLUSTER outside a node");
      const auto& alter = static_cast<const ast::AlterCluster&>(stmt);
      using Action = ast::AlterCluster::Action;
      std::string_view action = alter.action == Action::kAddNode      ? "add"
                                : alter.action == Action::kRemoveNode ? "remove"
                                                                      : "transfer-leader";
      STRATA_RETURN_IF_ERROR(cluster.change(action, alter.node_id, alter.raft_addr, alter.admin_addr, alter.mysql_addr));
      return QueryResult();
    }
    default:
      return ExecuteInTransaction(stmt);
  }
}

Result<QueryResult> Session::ExecuteInTransaction(const ast::Statement& stmt) {
  // An autocommit statement that loses a write-write conflict at commit has shown the client
  // nothing yet, so it runs again on a newer snapshot: like InnoDB, where a single statement
  // waits for the row lock instead of failing, contention costs time, not an error.
  auto deadline = std::chrono::steady_clock::now() + kAutocommitRetryFor;
  thread_local std::minstd_rand rng(std::random_device{}());
  for (int attempt = 0;; attempt++) {
    // Asked before running: a deadlock victim's transaction is rolled back, which ends it.
    // LOAD DATA LOCAL is not run again: the client's file was read once.
    bool in_transaction = explicit_txn_ || !autocommit_ || stmt.kind == SK::kLoadData;
    Result<QueryResult> result = ExecuteOnce(stmt);
    if (result.ok() || result.status().mysql_errno() != kErLockDeadlock || in_transaction ||
        std::chrono::steady_clock::now() > deadline)
      return result;
    // Randomised exponential backoff, so that the sessions that lost together do not
    // collide again in the next group commit.
    int64_t cap_us = std::min<int64_t>(5000, int64_t{50} << std::min(attempt, 7));
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % static_cast<uint64_t>(cap_us + 1)));
  }
}

bool Session::StartingReadOnly() {
  if (std::optional<bool> next = std::exchange(next_txn_read_only_, std::nullopt)) return *next;
  std::optional<Value> v = GetVariable("transaction_read_only");
  return v && v->ToBool().value_or(false);
}

Result<QueryResult> Session::ExecuteOnce(const ast::Statement& stmt) {
  // A read-only transaction (START TRANSACTION READ ONLY, or transaction_read_only / SET
  // SESSION TRANSACTION READ ONLY for every transaction) refuses writes, as MySQL does.
  if (!(explicit_txn_ && txn_)) txn_read_only_ = StartingReadOnly();  // this statement starts one
  if (txn_read_only_ && (stmt.kind == SK::kInsert || stmt.kind == SK::kUpdate || stmt.kind == SK::kDelete))
    return Status::InvalidArgument("Cannot execute statement in a READ ONLY transaction.").WithMysql(1792, "25006");
  if (!autocommit_) explicit_txn_ = true;
  // The first statement of an autocommit=0 transaction needs its savepoint too.
  if (explicit_txn_ && !txn_) txn_ = engine_->txn().Begin();
  // A plain SELECT takes no lock (FOR UPDATE sets its own wait): it skips reading the
  // timeout variable.
  statement_may_lock_ = stmt.kind != SK::kSelect && stmt.kind != SK::kShow;
  if (txn_ && statement_may_lock_) txn_->SetLockWait(StatementLockWait());
  bool have_savepoint = explicit_txn_ && stmt.kind != SK::kSelect && stmt.kind != SK::kShow;
  if (have_savepoint) txn_->BeginStatement();
  Result<QueryResult> result = Dispatch(stmt);
  if (!result.ok()) {
    // A deadlock victim is rolled back whole, as InnoDB does (a lock wait timeout only
    // rolls back the statement), and so is a transaction past max_txn_bytes: nothing of it
    // may become visible, and a later COMMIT must not commit the statements before the one
    // that failed.
    uint16_t error = result.status().mysql_errno();
    if (explicit_txn_ && error != kErTransCacheFull && error != kErLockDeadlock) {
      if (have_savepoint) txn_->RollbackStatement();
    } else {
      RollbackOpen();
    }
    return result;
  }
  if (have_savepoint) txn_->EndStatement();
  if (!explicit_txn_) STRATA_RETURN_IF_ERROR(CommitOpen());
  return result;
}

Result<QueryResult> Session::Dispatch(const ast::Statement& stmt) {
  switch (stmt.kind) {
    case SK::kSelect: return ExecuteSelect(*this, static_cast<const ast::Select&>(stmt));
    case SK::kInsert: return ExecuteInsert(*this, static_cast<const ast::Insert&>(stmt));
    case SK::kUpdate: return ExecuteUpdate(*this, static_cast<const ast::Update&>(stmt));
    case SK::kDelete: return ExecuteDelete(*this, static_cast<const ast::Delete&>(stmt));
    case SK::kShow: return ExecuteShow(*this, static_cast<const ast::Show&>(stmt));
    case SK::kExplain: return ExecuteExplain(*this, static_cast<const ast::Explain&>(stmt));
    case SK::kLoadData: return ExecuteLoadData(*this, static_cast<const ast::LoadData&>(stmt));
    default:
      return ErrStatementNotSupportedYet();
  }
}

}  // namespace strata::sql
