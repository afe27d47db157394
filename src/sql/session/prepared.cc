// Prepared statements: COM_STMT_PREPARE / COM_STMT_EXECUTE (through the server's session
// layer) and PREPARE / EXECUTE / DEALLOCATE PREPARE in SQL. Both keep the parsed statement
// under an id; an execution binds it with its parameter values as constants (the binder
// asks SessionContext::Parameter for each ?) and runs it like a statement sent as text.
#include <tuple>

#include <fmt/format.h>

#include "common/ascii.h"
#include "sql/errors.h"
#include "sql/parser/parser.h"
#include "sql/session/executors.h"

namespace strata::sql {

using SK = ast::StatementKind;

namespace {

// The most placeholders one statement may hold: the prepare-OK packet counts them in 16 bits.
constexpr uint32_t kMaxPlaceholders = 65535;

}  // namespace

std::optional<Value> Session::Parameter(uint32_t index, uint32_t* binding) const {
  *binding = 0;
  if (describing_prepared_) return Value::Null();
  if (parameters_ == nullptr || index >= parameters_->size()) return std::nullopt;
  if (tracking_bindings_) {
    bindings_.push_back(index);
    *binding = static_cast<uint32_t>(bindings_.size());
  }
  return (*parameters_)[index];
}

namespace {

// The table a single-table INSERT / UPDATE / DELETE writes, or nullptr.
const ast::TableName* WriteTarget(const ast::Statement& stmt) {
  switch (stmt.kind) {
    case SK::kInsert: return &static_cast<const ast::Insert&>(stmt).table;
    case SK::kUpdate: {
      const auto& update = static_cast<const ast::Update&>(stmt);
      return update.from.empty() ? &update.table.table : nullptr;
    }
    case SK::kDelete: {
      const auto& del = static_cast<const ast::Delete&>(stmt);
      return del.from.empty() ? &del.table.table : nullptr;
    }
    default: return nullptr;
  }
}

// What Describe learns without running anything that could write. A SELECT is planned; SHOW
// and EXPLAIN (which read the catalog, never a table's rows) are run; the table a
// single-table INSERT / UPDATE / DELETE writes must exist (1146 at prepare, as in MySQL; a
// view will do). Other statements, and EXPLAIN ANALYZE (which would run its query), are
// described as returning no rows: clients take the columns an execute sends then.
Result<QueryResult> DescribeInTransaction(Session& session, const ast::Statement& stmt) {
  if (const ast::TableName* target = WriteTarget(stmt)) {
    Result<std::shared_ptr<const TableSchema>> table = session.ResolveTable(*target);
    if (!table.ok() && table.status().mysql_errno() == kErNoSuchTable) {
      STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const ViewDefinition> view, session.ResolveView(*target));
      if (view) return QueryResult();
    }
    if (!table.ok()) return table.status();
    return QueryResult();
  }
  const bool analyze = stmt.kind == SK::kExplain && static_cast<const ast::Explain&>(stmt).analyze;
  if (stmt.kind == SK::kSelect) return DescribeSelect(session, static_cast<const ast::Select&>(stmt));
  if (stmt.kind == SK::kShow) return ExecuteShow(session, static_cast<const ast::Show&>(stmt));
  if (stmt.kind == SK::kExplain && !analyze) return ExecuteExplain(session, static_cast<const ast::Explain&>(stmt));
  return QueryResult();
}

}  // namespace

// Plans the statement with NULL parameters to learn its result columns (DescribeInTransaction).
Result<PreparedDescription> Session::Describe(const ast::Statement& stmt) {
  PreparedDescription d;
  d.param_count = stmt.param_count;
  if (stmt.kind != SK::kSelect && stmt.kind != SK::kShow && stmt.kind != SK::kExplain && !WriteTarget(stmt)) return d;
  const bool had_txn = txn_ != nullptr;
  describing_prepared_ = true;
  Result<QueryResult> r = DescribeInTransaction(*this, stmt);
  describing_prepared_ = false;
  if (!had_txn) RollbackOpen();  // the read-only transaction describing began
  if (!r.ok()) return r.status();
  d.has_rows = r->has_rows;
  d.columns = std::move(r->columns);
  d.schemas = std::move(r->schemas);
  return d;
}

Result<PreparedDescription> Session::Prepare(std::string_view text) {
  ast::StatementPtr stmt;
  const ParseOptions options = parse_options();
  if (!options.backslash_escapes || options.ansi_quotes) {  // parsed as COM_QUERY parses it under this sql_mode
    STRATA_ASSIGN_OR_RETURN(std::vector<ast::StatementPtr> parsed, Parse(text, options));
    if (parsed.size() != 1)
      return ErrSyntax("You have an error in your SQL syntax; check the manual that corresponds to your MySQL "
                       "server version for the right syntax to use",
                       text.substr(0, 80), 1);
    stmt = std::move(parsed[0]);
  } else {
    STRATA_ASSIGN_OR_RETURN(stmt, ParseOne(text));
  }
  // A trigger body is stored text: a ? in it would read whichever statement fires it.
  if (stmt->kind == SK::kPrepare || stmt->kind == SK::kExecute || stmt->kind == SK::kDeallocate ||
      stmt->kind == SK::kCreateTrigger)
    return ErrUnsupportedPs();
  if (stmt->param_count > kMaxPlaceholders) return ErrTooManyPlaceholders();
  std::optional<Value> limit_value = engine_->GetGlobal("max_prepared_stmt_count");
  const uint64_t limit = limit_value ? static_cast<uint64_t>(std::max(0.0, limit_value->ToDouble())) : 16382;
  if (!engine_->AcquirePrepared(limit)) return ErrMaxPreparedStmtCount(limit);
  Result<PreparedDescription> described = Describe(*stmt);
  if (!described.ok()) {
    engine_->ReleasePrepared(1);
    return described.status();
  }
  PreparedDescription d = std::move(described).value();
  // Ids count up and are not reused before the 32-bit counter wraps (a stale id from the
  // client must not run another statement); after a wrap, 0 and ids still held are skipped.
  if (next_statement_id_ == 0) next_statement_id_ = 1;
  while (prepared_.count(next_statement_id_)) next_statement_id_++;
  d.id = next_statement_id_++;
  prepared_[d.id] = std::shared_ptr<const ast::Statement>(std::move(stmt));
  return d;
}

Result<QueryResult> Session::ExecutePrepared(uint32_t id, std::vector<Value> params, std::string_view command) {
  auto it = prepared_.find(id);
  if (it == prepared_.end()) return ErrUnknownStmtHandler(std::to_string(id), command);
  // Held for the execution: nothing the statement runs can close it, but the map may change.
  std::shared_ptr<const ast::Statement> stmt = it->second;
  if (params.size() != stmt->param_count) return ErrWrongArguments(command);
  const StringCollation literal = literal_collation();  // a string parameter is a literal
  for (Value& p : params)
    if (p.kind() == ValueKind::kString && p.collation() == 0) p.set_collation(literal);
  // While it runs, the binder reads `params` for its placeholders, and PlanStatement knows the
  // statement as the prepared one whose plan it may keep.
  auto saved = std::make_tuple(parameters_, running_prepared_id_, running_prepared_);
  parameters_ = &params;
  running_prepared_id_ = id;
  running_prepared_ = stmt.get();
  Result<QueryResult> result = Execute(*stmt);
  std::tie(parameters_, running_prepared_id_, running_prepared_) = saved;
  return result;
}

const ast::Statement* Session::PreparedStatement(uint32_t id) const {
  auto it = prepared_.find(id);
  return it == prepared_.end() ? nullptr : it->second.get();
}

void Session::ClosePrepared(uint32_t id) {
  engine_->ReleasePrepared(prepared_.erase(id));
  plans_.erase(id);
  for (auto it = prepared_names_.begin(); it != prepared_names_.end();) {
    it = it->second == id ? prepared_names_.erase(it) : std::next(it);
  }
}

// ---- SQL: PREPARE name FROM ..., EXECUTE name USING ..., DEALLOCATE PREPARE name ----

Result<QueryResult> Session::ExecutePrepare(const ast::Prepare& stmt) {
  std::string text = stmt.text;
  if (!stmt.from_variable.empty()) {
    STRATA_ASSIGN_OR_RETURN(Value v, UserVariable(stmt.from_variable));
    std::optional<std::string> t = v.ToText();
    if (!t) return ErrSyntax("You have an error in your SQL syntax; check the manual that corresponds to your "
                             "MySQL server version for the right syntax to use",
                             "NULL", 1);
    text = std::move(*t);
  }
  // As in MySQL, a statement of the same name is dropped first, even when the new one fails.
  std::string name = ToLower(stmt.name);
  if (auto old = prepared_names_.find(name); old != prepared_names_.end()) ClosePrepared(old->second);
  STRATA_ASSIGN_OR_RETURN(PreparedDescription d, Prepare(text));
  prepared_names_[name] = d.id;
  QueryResult result;
  result.info = "Statement prepared";
  return result;
}

Result<QueryResult> Session::ExecuteExecute(const ast::Execute& stmt) {
  auto it = prepared_names_.find(ToLower(stmt.name));
  if (it == prepared_names_.end()) return ErrUnknownStmtHandler(stmt.name, "EXECUTE");
  std::vector<Value> params;
  params.reserve(stmt.using_variables.size());
  for (const std::string& var : stmt.using_variables) {
    STRATA_ASSIGN_OR_RETURN(Value v, UserVariable(var));
    params.push_back(std::move(v));
  }
  return ExecutePrepared(it->second, std::move(params), "EXECUTE");
}

Result<QueryResult> Session::ExecuteDeallocate(const ast::Deallocate& stmt) {
  auto it = prepared_names_.find(ToLower(stmt.name));
  if (it == prepared_names_.end()) return ErrUnknownStmtHandler(stmt.name, "DEALLOCATE PREPARE");
  ClosePrepared(it->second);
  return QueryResult();
}

}  // namespace strata::sql
