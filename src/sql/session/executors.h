// Inside the session layer: the statement executors sql::Session dispatches to (one file
// each) and the system-variable table. Not part of the front door (sql.h).
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sql/binder/statement_binder.h"
#include "sql/errors.h"
#include "sql/parser/ast_account.h"
#include "sql/parser/ast_admin.h"
#include "sql/parser/ast_alter.h"
#include "sql/parser/ast_load.h"
#include "sql/planner/logical_plan.h"
#include "sql/sql.h"

namespace strata::sql {

// A query expression planned (query_planning.cc): a SELECT, or SELECTs combined by UNION /
// EXCEPT / INTERSECT. Rows of `plan` carry the `visible` columns first (hidden ORDER BY
// columns may follow). For a subquery, `outer` is the enclosing query's binding context and
// *correlated is set when the query reads it.
struct PlannedQuery {
  LogicalPlan plan;  // not yet optimized
  size_t visible = 0;
  std::vector<std::string> names;  // of the visible columns
  std::vector<OutType> types;
  std::vector<std::pair<const TableSchema*, std::string>> aliases;  // how it names its tables
  std::vector<std::shared_ptr<const TableSchema>> tables;           // the plan and types point into them
};
Result<PlannedQuery> PlanQuery(Session& session, const ast::Select& stmt, const BindContext* outer, bool* correlated);
// Gives every table `plan` reads its row estimate and statistics where it has none yet
// (PlanQuery does so only for joins, which order by them; EXPLAIN shows them).
void EstimateTableRows(Session& session, LogicalOperator& plan);
// The pieces PlanQuery is made of, which WITH RECURSIVE combines differently:
// one SELECT without its set operands;
Result<PlannedQuery> PlanSelectTerm(Session& session, const ast::Select& stmt, const BindContext* outer,
                                    bool* correlated);
// `out` op `next` (both planned queries; 1222 when their widths differ);
Status CombineSetOperand(PlannedQuery* out, PlannedQuery next, ast::SetOp op, bool all);
// drops the hidden ORDER BY columns that follow the visible ones;
void TrimToVisible(PlannedQuery* q);
// a planned query as a FROM item named `alias`, its columns named `names` (1060 for a name
// used twice); its tables join `tables`.
Result<FromTable> AsFromItem(PlannedQuery inner, const std::vector<std::string>& names, const std::string& alias,
                             std::vector<std::shared_ptr<const TableSchema>>* tables);

// Common table expressions (cte.cc). While a CteScope lives, the CTEs of `stmt`'s WITH
// are names that FROM items of the query (and of its subqueries) may read; ResolveCte
// finds one (innermost WITH first) and plans it as a FROM item, or answers nullopt.
struct CteFrame;
class CteScope {
 public:
  explicit CteScope(const ast::Select& stmt);
  CteScope(const std::vector<ast::CommonTableExpr>& with, bool recursive);
  ~CteScope();
  CteScope(const CteScope&) = delete;
  CteScope& operator=(const CteScope&) = delete;

 private:
  const CteFrame* saved_;
  std::unique_ptr<CteFrame> frame_;
};
// Hides every CTE in scope while it lives (a view's query does not see its caller's).
class CteBarrier {
 public:
  CteBarrier();
  ~CteBarrier();
  CteBarrier(const CteBarrier&) = delete;
  CteBarrier& operator=(const CteBarrier&) = delete;

 private:
  const CteFrame* saved_;
};
// Whether `name` is a CTE of a WITH in scope on this thread.
bool CteInScope(std::string_view name);
Result<std::optional<FromTable>> ResolveCte(Session& session, const std::string& name, const std::string& alias,
                                            std::vector<std::shared_ptr<const TableSchema>>* tables);

// Optimizes `plan`, runs it and returns every row (at most kMaxSortRows), with subqueries
// and triggers run in the same transaction (query.cc).
Result<std::vector<Row>> RunPlan(LogicalPlan plan, txn::Transaction* txn, const EvalContext& eval,
                                 uint64_t* rows_examined, AutoIncrement* auto_increment = nullptr,
                                 TriggerRunner* triggers = nullptr,
                                 txn::LockMode select_lock = txn::LockMode::kNone);
// The same for a plan already optimized, which it only reads.
Result<std::vector<Row>> RunOptimizedPlan(const LogicalOperator& plan, txn::Transaction* txn, const EvalContext& eval,
                                          uint64_t* rows_examined, AutoIncrement* auto_increment = nullptr,
                                          TriggerRunner* triggers = nullptr,
                                          txn::LockMode select_lock = txn::LockMode::kNone);

// Statement executors. Each runs in the session's open transaction (Session::Txn).
Result<QueryResult> ExecuteSelect(Session& session, const ast::Select& stmt);
// A SELECT's result columns, planned but not run (a prepared statement's metadata).
Result<QueryResult> DescribeSelect(Session& session, const ast::Select& stmt);
// What a single-table write checks of its resolved target before planning, besides the
// write privilege ResolveWriteTable checked: SELECT when it reads the table's columns, UPDATE
// for ON DUPLICATE KEY UPDATE, and that a trigger running it does not write its own table.
Status CheckWriteTarget(Session& session, const ast::Statement& stmt, const TableSchema& table);
// The plans of single-table writes into `table` (their resolved target), bound and planned
// but not optimized: what the executors run (through the plan cache) and EXPLAIN shows.
Result<PlannedQuery> PlanInsertStatement(Session& session, const ast::Insert& stmt,
                                         const std::shared_ptr<const TableSchema>& table);
Result<PlannedQuery> PlanUpdateStatement(Session& session, const ast::Update& stmt,
                                         const std::shared_ptr<const TableSchema>& table);
Result<PlannedQuery> PlanDeleteStatement(Session& session, const ast::Delete& stmt,
                                         const std::shared_ptr<const TableSchema>& table);
Result<QueryResult> ExecuteInsert(Session& session, const ast::Insert& stmt);
Result<QueryResult> ExecuteUpdate(Session& session, const ast::Update& stmt);
Result<QueryResult> ExecuteDelete(Session& session, const ast::Delete& stmt);
Result<QueryResult> ExecuteShow(Session& session, const ast::Show& stmt);
// show.cc: an empty result set whose columns are strings named `names` (SHOW-style output).
QueryResult TextResult(std::vector<std::string> names);
// ANALYZE / CHECK / OPTIMIZE / REPAIR TABLE (table_maintenance.cc), in the session's
// transaction (the caller commits before and rolls back after, as for an implicit commit).
Result<QueryResult> ExecuteTableMaintenance(Session& session, const ast::TableMaintenance& stmt);
// show.cc: what SHOW COLUMNS says of a column's default ("" when none; a TIMESTAMP's, which
// is stored in UTC, in time zone `zone`, nullptr: SYSTEM) and key ("PRI", "UNI", "MUL" or "").
std::string ColumnDefaultText(const ColumnSchema& c, const TimeZone* zone);
std::string ColumnKeyFlag(const TableSchema& t, uint32_t col);
// query_planning.cc: a view's stored query planned (not yet optimized), its visible columns
// named as the view names them.
Result<PlannedQuery> PlanViewQuery(Session& session, const ViewDefinition& view);
// view_dml.cc: whether INSERT/UPDATE/DELETE may write through the view.
bool ViewIsUpdatable(Session& session, const ViewDefinition& view);
// information_schema.cc: a FROM item naming information_schema.X (or X while it is the
// current database) as constant rows built now; nullopt for any other database; 1109 for a
// table information_schema does not have.
bool IsInformationSchema(std::string_view database);
// MySQL's other system databases, which clients USE and expect in SHOW DATABASES; they hold
// no tables here (a query on one is 1146).
std::vector<std::string_view> SystemSchemas();  // "mysql", "performance_schema"
Result<std::optional<FromTable>> ResolveInformationSchema(Session& session, const ast::TableName& name,
                                                          const std::string& alias,
                                                          std::vector<std::shared_ptr<const TableSchema>>* tables);
// processes.cc: SHOW [FULL] PROCESSLIST's rows; KILL [CONNECTION | QUERY] id (1094: no such id).
QueryResult ProcessListResult(Session& session, bool full);
Result<QueryResult> ExecuteKill(Session& session, const ast::Kill& stmt);
Result<QueryResult> ExecuteExplain(Session& session, const ast::Explain& stmt);  // explain.cc
// A bound expression outside a query (SET x = expr): its subqueries run in the session's
// transaction when binding them began one.
Result<Value> EvaluateExpression(Session& session, const BoundExpr& expr);
// DDL runs in its own transaction(s) (the caller has committed any open one).
Result<QueryResult> ExecuteDdl(Session& session, const ast::Statement& stmt);
// CREATE VIEW / DROP VIEW (view_ddl.cc). CREATE VIEW plans the query first (1146 for a
// missing table), which reads in the session's transaction: the caller ends it after.
Result<QueryResult> CreateView(Session& session, const ast::CreateView& stmt);
// Triggers (trigger.cc): CREATE / DROP TRIGGER, and the runner that fires them for the
// statements of one session (the write operators call it; a body's statements run through
// the executors below, in the session's transaction).
Result<QueryResult> CreateTrigger(Session& session, const ast::CreateTrigger& stmt);
Result<QueryResult> DropTrigger(Session& session, const ast::DropTrigger& stmt);
std::unique_ptr<TriggerRunner> MakeTriggerRunner(Session& session);
// `triggers`, then the CHECK OPTION conditions a write through views carried to `table`
// (view_dml.cc): 1369 for a row written that fails one.
Result<std::unique_ptr<TriggerRunner>> AddViewChecks(Session& session, const TableSchema& table,
                                                     const std::vector<ast::ViewCheck>& checks,
                                                     std::unique_ptr<TriggerRunner> triggers);
Result<QueryResult> DropViews(Session& session, const ast::DropTable& stmt);
// Writes through an updatable view (view_dml.cc): the statement rewritten onto the view's
// table and run; nullopt when the target is not a view (1288 for a view that is not updatable).
Result<std::optional<QueryResult>> InsertThroughView(Session& session, const ast::Insert& stmt);
Result<std::optional<QueryResult>> UpdateThroughView(Session& session, const ast::Update& stmt);
Result<std::optional<QueryResult>> DeleteThroughView(Session& session, const ast::Delete& stmt);
// Multi-table UPDATE and DELETE (multi_table_dml.cc).
Result<QueryResult> ExecuteMultiTableUpdate(Session& session, const ast::Update& stmt);
Result<QueryResult> ExecuteMultiTableDelete(Session& session, const ast::Delete& stmt);
// Account statements (accounts.cc): CREATE/ALTER/DROP USER, SET PASSWORD, GRANT, REVOKE,
// SHOW GRANTS.
Result<QueryResult> ExecuteAccount(Session& session, const ast::AccountStatement& stmt);
// The note IF [NOT] EXISTS gives for an account or role that exists / does not (3163 / 3162).
Warning AuthorizationIdNote(std::string_view user, std::string_view host, bool create);
// Roles (roles.cc): CREATE / DROP ROLE, GRANT / REVOKE roles, SET [DEFAULT] ROLE.
Result<QueryResult> ExecuteRoleStatement(Session& session, const ast::AccountStatement& stmt);
// After DROP USER / DROP ROLE of `dropped` ((user, lower-case host)): no other account keeps
// them as granted or default roles (a later account of that name must not inherit them).
Status ForgetDroppedAccounts(Session& session, txn::Transaction& txn, const CatalogSnapshot& catalog,
                             const std::set<std::pair<std::string, std::string>>& dropped);
// `account` with the privileges of the session's active roles added (itself when none).
std::shared_ptr<const UserAccount> WithActiveRoles(Session& session, const CatalogSnapshot& catalog,
                                                   std::shared_ptr<const UserAccount> account);
// SHOW GRANTS' role lines of `account` ("GRANT `r`@`%` TO …"), and the privileges of the
// USING roles added to `privileges` (3530 for a role not granted to it).
Result<std::vector<std::string>> RoleGrantLines(Session& session, const CatalogSnapshot& catalog,
                                                const UserAccount& account,
                                                const std::vector<ast::AccountName>& using_roles,
                                                UserAccount* privileges);
// The privileges a DDL or administrative statement needs (1142 / 1044 / 1227), for a
// session with an account; table reads and writes are checked where their tables resolve.
Status CheckStatementPrivileges(Session& session, const ast::Statement& stmt);
// A trigger's definer as SHOW TRIGGERS writes it, "user@host" (root@% for one kept from
// before definers were recorded).
std::string DefinerText(const TriggerDefinition& trigger);
// LOAD DATA LOCAL INFILE (load_data.cc): 3948 unless local_infile is ON and the client
// offered its files (Session::local_files).
Result<QueryResult> ExecuteLoadData(Session& session, const ast::LoadData& stmt);
// TRUNCATE TABLE and RENAME TABLE (table_ddl.cc).
Result<QueryResult> TruncateTable(Session& session, const ast::TruncateTable& stmt);
Result<QueryResult> RenameTables(Session& session, const ast::RenameTable& stmt);
// ALTER TABLE t ADD / DROP / MODIFY / CHANGE / RENAME COLUMN, [DEFAULT] CHARSET / COLLATE
// (alter_columns.cc).
Result<QueryResult> AlterTableColumns(Session& session, const ast::AlterTable& stmt);
// A table's DEFAULT CHARSET / COLLATE (CREATE or ALTER TABLE), else the server's (ddl.cc).
Result<uint16_t> TableCollation(const Session& session, const std::string& charset, const std::string& collation);
// A column of CREATE TABLE or ALTER TABLE (ddl.cc); `table_collation` is what a text column
// without its own collation gets.
Status BuildColumn(Session& session, const ast::ColumnDef& def, uint16_t table_collation, ColumnSchema* out);
// CREATE TABLE's table (ddl.cc): its definitions' columns, its keys and options. With
// `query_columns` (CREATE TABLE … SELECT's): the defined columns the query lacks, then the
// query's, each as defined where the definitions name it.
Result<TableSchema> BuildTable(Session& session, const ast::CreateTable& stmt, const std::string& db,
                               std::vector<ColumnSchema> query_columns = {});
// Writes `schema`'s catalog entry (in schema->database) in a DDL transaction of its own,
// after CREATE TABLE … LIKE's copy of its source read in that transaction (ddl.cc): false,
// with note 1050 in `notes`, when IF NOT EXISTS finds the name taken (1050 without it).
Result<bool> AddTableEntry(Session& session, const ast::CreateTable& stmt, TableSchema* schema,
                           std::vector<Warning>* notes);
// CREATE TABLE … SELECT into database `db` (create_select.cc).
Result<QueryResult> CreateTableAsSelect(Session& session, const ast::CreateTable& stmt, const std::string& db);
// ALTER TABLE t ENGINE = … (alter_engine.cc).
Result<QueryResult> AlterTableEngine(Session& session, const ast::AlterTableEngine& stmt);
// Rewrites db.table under a new id of its engine, online, as ALTER TABLE … ENGINE moves it
// (alter_engine.cc: copy, catch-up, write fence, swap): every row becomes transform(row),
// and the catalog entry reshape(entry). DROP / MODIFY / CHANGE COLUMN (ddl.cc).
Status RebuildTable(Session& session, const std::string& db, const std::string& table_name,
                    const std::function<Result<TableSchema>(const TableSchema&)>& reshape,
                    const std::function<Result<Row>(const Row&, uint64_t row_number)>& transform);
// The engine a table created or altered with ENGINE=`asked` goes to: LSM or BTREE as named;
// no name and MySQL's names (InnoDB, MyISAM, …) the node's default engine.
std::string_view ResolveEngine(Session& session, std::string_view asked);
// Deletes every key with `prefix`, in transactions of a bounded number of keys (ddl.cc).
Status DeletePrefix(Session& session, const Bytes& prefix);
// Deletes a dropped or truncated table's keys: its rows and index entries, and the copy an
// interrupted ALTER TABLE … ENGINE left (TableSchema::moving_to).
Status DeleteTableKeys(Session& session, const TableSchema& table);

// Shared by the DDL executors.
constexpr int kDdlRetries = 5;
// Runs `body` in a fresh transaction and commits it, retrying on write conflicts.
template <typename Body>
Status RunDdl(Session& session, Body body) {
  for (int attempt = 0;; attempt++) {
    std::unique_ptr<txn::Transaction> txn = session.engine().txn().Begin();
    STRATA_RETURN_IF_ERROR(body(*txn));
    Status s = txn->Commit();
    if (s.ok() || s.mysql_errno() != kErLockDeadlock || attempt + 1 >= kDdlRetries) return s;
  }
}
// The database a name's schema part (or the session's current database) names; 1046.
Result<std::string> DatabaseFor(Session& session, const std::string& schema);

// System variables: defaults and whether they exist (variables.cc).
std::optional<Value> SystemVariableDefault(std::string_view name, const SqlEngine& engine);
// The name a variable is kept under: MySQL 5.7's tx_isolation / tx_read_only are other names
// of transaction_isolation / transaction_read_only (lower-case in, lower-case out).
std::string CanonicalVariableName(std::string name);
std::vector<std::string> SystemVariableNames(const SqlEngine& engine);
// Checks and normalizes a value SET gives variable `name` (an enumeration's spelling, a
// number's range): 1231 for a value the variable does not take.
Status NormalizeVariableValue(std::string_view name, Value* v);
// SET [GLOBAL] of a variable that SqlEngineOptions::node_variables owns.
bool IsNodeVariable(const SqlEngine& engine, std::string_view lower_name);
// A variable with no session value in MySQL (max_connections, local_infile, the node's
// variables, …): every session reads the global one as it is now. The others a session
// copies from the globals when it connects (Session::InheritGlobals).
bool IsGlobalOnlyVariable(const SqlEngine& engine, std::string_view lower_name);
Status SetNodeVariable(SqlEngine& engine, const ast::SetItem& item, const Value& value);

}  // namespace strata::sql
