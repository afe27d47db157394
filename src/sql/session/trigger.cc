// Triggers (executors.h). CREATE TRIGGER checks and stores the body's text in the catalog
// (catalog.h); the runner parses it again (once per statement that fires it) and runs its
// statements for each row, in the session's transaction, with NEW and OLD named by an
// enclosing binding context whose row is the new row's values then the old row's.
#include <unordered_map>

#include <fmt/format.h>

#include "sql/binder/binder.h"
#include "sql/execution/table_writer.h"
#include "sql/parser/parser.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

// Triggers that fire triggers nest at most this deep.
constexpr size_t kMaxTriggerDepth = 16;

TriggerTiming TimingOf(ast::TriggerTime t) { return t == ast::TriggerTime::kBefore ? TriggerTiming::kBefore : TriggerTiming::kAfter; }
TriggerEvent EventOf(ast::TriggerAction a) {
  return a == ast::TriggerAction::kInsert ? TriggerEvent::kInsert
         : a == ast::TriggerAction::kUpdate ? TriggerEvent::kUpdate
                                            : TriggerEvent::kDelete;
}

Status ErrTriggerExists() { return Status::InvalidArgument("Trigger already exists").WithMysql(1359, "HY000"); }
Status ErrTriggerMissing() { return Status::InvalidArgument("Trigger does not exist").WithMysql(1360, "HY000"); }

// MySQL's checks of a body at CREATE time: SET NEW only before the write, and only where
// there is a NEW row.
Status CheckBody(const ast::CreateTrigger& stmt) {
  for (const ast::StatementPtr& s : stmt.body) {
    if (s->kind != ast::StatementKind::kSetRowColumns) continue;
    if (static_cast<const ast::SetRowColumns&>(*s).old_row)  // ER_TRG_CANT_CHANGE_ROW
      return Status::InvalidArgument("Updating of OLD row is not allowed in trigger").WithMysql(1362, "HY000");
    if (stmt.action == ast::TriggerAction::kDelete)  // ER_TRG_NO_SUCH_ROW_IN_TRG
      return Status::InvalidArgument("There is no NEW row in on DELETE trigger").WithMysql(1363, "HY000");
    if (stmt.time == ast::TriggerTime::kAfter)  // ER_TRG_CANT_CHANGE_ROW
      return Status::InvalidArgument("Updating of NEW row is not allowed in after trigger").WithMysql(1362, "HY000");
  }
  return Status::OK();
}

class SessionTriggers final : public TriggerRunner {
 public:
  explicit SessionTriggers(Session& session) : session_(session) {}

  bool Has(const TableSchema& table, TriggerTiming timing, TriggerEvent event) override {
    Result<const std::vector<Trigger>*> list = On(table);
    if (!list.ok()) return true;  // Fire reports the error
    for (const Trigger& t : **list)
      if (t.definition->timing == timing && t.definition->event == event) return true;
    return false;
  }

  Status Fire(const TableSchema& table, TriggerTiming timing, TriggerEvent event, const Row* old_row,
              Row* new_row) override {
    STRATA_ASSIGN_OR_RETURN(const std::vector<Trigger>* list, On(table));
    for (const Trigger& t : *list) {
      if (t.definition->timing != timing || t.definition->event != event) continue;
      if (session_.trigger_depth() >= kMaxTriggerDepth) return ErrTooManyRows("nested triggers", kMaxTriggerDepth);
      STRATA_RETURN_IF_ERROR(Run(t, table, old_row, event == TriggerEvent::kDelete ? nullptr : new_row));
    }
    return Status::OK();
  }

 private:
  struct Trigger {
    std::shared_ptr<const TriggerDefinition> definition;
    std::vector<ast::StatementPtr> body;
  };

  Result<const std::vector<Trigger>*> On(const TableSchema& table) {
    auto it = tables_.find(table.id);
    if (it != tables_.end()) return &it->second;
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const CatalogSnapshot> catalog, session_.LoadCatalog());
    std::vector<Trigger> list;
    for (auto& definition : catalog->TriggersOn(table.database, table.name)) {
      STRATA_ASSIGN_OR_RETURN(std::vector<ast::StatementPtr> body, ParseTriggerBody(definition->body));
      list.push_back({definition, std::move(body)});
    }
    return &tables_.emplace(table.id, std::move(list)).first->second;
  }

  Status Run(const Trigger& trigger, const TableSchema& table, const Row* old_row, Row* new_row) {
    const size_t n = table.columns.size();
    BindContext names;  // NEW at 0, OLD at n
    names.session = &session_;
    if (new_row) names.scope.tables.push_back({&table, "NEW", 0, {}, nullptr});
    if (old_row) names.scope.tables.push_back({&table, "OLD", static_cast<uint32_t>(n), {}, nullptr});
    Row row(2 * n);
    for (size_t i = 0; i < n; i++) {
      if (new_row && i < new_row->size()) row[i] = (*new_row)[i];
      if (old_row && i < old_row->size()) row[n + i] = (*old_row)[i];
    }
    // The body runs with its definer's privileges (MySQL's SQL SECURITY DEFINER); a trigger
    // kept from before definers were recorded runs as the invoker.
    std::optional<Session::Identity> invoker;
    if (!trigger.definition->definer_user.empty()) {
      STRATA_ASSIGN_OR_RETURN(Session::Identity definer, DefinerIdentity(*trigger.definition));
      invoker = session_.SwapIdentity(std::move(definer));
    }
    // Unqualified names in the body are the trigger's schema's, not the invoker's current
    // database (as MySQL; with the definer's privileges it must not reach another database).
    struct Restore {
      Session& s;
      std::optional<Session::Identity>& invoker;
      std::string database;
      ~Restore() {
        s.SwapDatabase(std::move(database));
        if (invoker) s.SwapIdentity(std::move(*invoker));
      }
    } restore{session_, invoker, session_.SwapDatabase(trigger.definition->database)};
    // The definer must still hold TRIGGER on the table (1142), as MySQL checks when it fires.
    if (invoker && !session_.superuser())
      STRATA_RETURN_IF_ERROR(session_.RequireTablePrivilege(kPrivTrigger, "TRIGGER", table.database, table.name));
    session_.PushTrigger({&names, &row, &table});
    struct Pop {
      Session& s;
      ~Pop() { s.PopTrigger(); }
    } pop{session_};
    for (const ast::StatementPtr& statement : trigger.body) {
      if (statement->kind != ast::StatementKind::kSetRowColumns && !session_.superuser())
        STRATA_RETURN_IF_ERROR(CheckStatementPrivileges(session_, *statement));
      switch (statement->kind) {
        case ast::StatementKind::kSetRowColumns:
          STRATA_RETURN_IF_ERROR(SetNew(static_cast<const ast::SetRowColumns&>(*statement), table, &row, new_row));
          break;
        case ast::StatementKind::kInsert:
          STRATA_RETURN_IF_ERROR(ExecuteInsert(session_, static_cast<const ast::Insert&>(*statement)).status());
          break;
        case ast::StatementKind::kUpdate:
          STRATA_RETURN_IF_ERROR(ExecuteUpdate(session_, static_cast<const ast::Update&>(*statement)).status());
          break;
        case ast::StatementKind::kDelete:
          STRATA_RETURN_IF_ERROR(ExecuteDelete(session_, static_cast<const ast::Delete&>(*statement)).status());
          break;
        case ast::StatementKind::kSet:
          STRATA_RETURN_IF_ERROR(SetUserVariables(static_cast<const ast::Set&>(*statement)));
          break;
        default: return ErrNotSupportedYet("this statement in a trigger body");
      }
    }
    return Status::OK();
  }

  // The definer as a privilege identity: root is every privilege; another account must still
  // exist (1449, as MySQL) and has its default roles active.
  Result<Session::Identity> DefinerIdentity(const TriggerDefinition& t) {
    if (t.definer_user == session_.engine().root_user()) return Session::Identity{t.definer_user, t.definer_host, true, {}};
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const CatalogSnapshot> catalog, session_.LoadCatalog());
    if (!catalog->FindAccount(t.definer_user, t.definer_host)) {  // ER_NO_SUCH_USER
      return Status::InvalidArgument(fmt::format("The user specified as a definer ('{}'@'{}') does not exist",
                                                 t.definer_user, t.definer_host))
          .WithMysql(1449, "HY000");
    }
    return Session::Identity{t.definer_user, t.definer_host, false, std::nullopt};
  }

  // SET NEW.c = e: converted to c's type, as a write of c would be.
  Status SetNew(const ast::SetRowColumns& set, const TableSchema& table, Row* row, Row* new_row) {
    if (!new_row) return Status::InvalidArgument("There is no NEW row in on DELETE trigger").WithMysql(1363, "HY000");
    for (const auto& [column, value] : set.assignments) {
      std::optional<uint32_t> c = table.FindColumn(column);
      if (!c) return ErrUnknownColumn(column, "NEW");
      STRATA_ASSIGN_OR_RETURN(Value v, Evaluate(*value));
      const ColumnSchema& col = table.columns[*c];
      STRATA_ASSIGN_OR_RETURN(Value converted, ConvertForColumn(col, v, 1));
      STRATA_ASSIGN_OR_RETURN(converted, StoredValue(col, std::move(converted), 1, session_.eval_context()));
      if (converted.is_null() && !col.nullable) return ErrColumnCannotBeNull(col.name);
      (*row)[*c] = converted;
      (*new_row)[*c] = std::move(converted);
    }
    return Status::OK();
  }

  Status SetUserVariables(const ast::Set& set) {
    for (const ast::SetItem& item : set.items) {
      if (item.scope != ast::VariableScope::kUser) return ErrNotSupportedYet("SET of a system variable in a trigger");
      Value v;
      if (item.value) {
        STRATA_ASSIGN_OR_RETURN(v, Evaluate(*item.value));
      }
      session_.SetUserVariable(item.name, std::move(v));
    }
    return Status::OK();
  }

  Result<Value> Evaluate(const ast::Expr& e) {
    BindContext ctx;
    ctx.session = &session_;
    ctx.outer = session_.statement_outer();
    STRATA_ASSIGN_OR_RETURN(BoundExprPtr bound, BindExpr(e, ctx));
    return EvaluateExpression(session_, *bound);
  }

  Session& session_;
  std::unordered_map<TableId, std::vector<Trigger>> tables_;
};

}  // namespace

std::unique_ptr<TriggerRunner> MakeTriggerRunner(Session& session) { return std::make_unique<SessionTriggers>(session); }

std::string DefinerText(const TriggerDefinition& trigger) {
  if (trigger.definer_user.empty()) return "root@%";
  return trigger.definer_user + "@" + trigger.definer_host;
}

Result<QueryResult> CreateTrigger(Session& session, const ast::CreateTrigger& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, stmt.table.schema));
  if (!stmt.name.schema.empty() && !EqualsIgnoreCase(stmt.name.schema, db))  // ER_TRG_IN_WRONG_SCHEMA
    return Status::InvalidArgument("Trigger in wrong schema").WithMysql(1435, "HY000");
  STRATA_RETURN_IF_ERROR(CheckBody(stmt));
  TriggerDefinition trigger;
  trigger.database = db;
  trigger.name = stmt.name.name;
  trigger.timing = TimingOf(stmt.time);
  trigger.event = EventOf(stmt.action);
  trigger.body = stmt.body_text;
  // DEFINER = another account needs SUPER (MySQL: SET_USER_ID or SUPER): the body would run
  // with that account's privileges.
  trigger.definer_user = session.user();
  trigger.definer_host = session.account_host();
  if (stmt.definer && (stmt.definer->first != session.user() ||
                       !EqualsIgnoreCase(stmt.definer->second, session.account_host()))) {
    if (!session.superuser() && !session.RequireGlobalPrivilege(kPrivSuper).ok())
      return Status::InvalidArgument("Access denied; you need (at least one of) the SUPER or SET_USER_ID privilege(s) "
                                     "for this operation")
          .WithMysql(1227, "42000");
    trigger.definer_user = stmt.definer->first;
    trigger.definer_host = stmt.definer->second;
  }
  QueryResult result;
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    auto table = catalog->FindTable(db, stmt.table.name);
    if (!table) {
      if (catalog->FindView(db, stmt.table.name))  // ER_WRONG_OBJECT
        return Status::InvalidArgument(fmt::format("'{}.{}' is not BASE TABLE", db, stmt.table.name)).WithMysql(1347, "HY000");
      return ErrNoSuchTable(db, stmt.table.name);
    }
    trigger.table = table->name;
    if (catalog->FindTrigger(db, trigger.name)) {
      if (!stmt.if_not_exists) return ErrTriggerExists();
      result.warning_list = {AsWarning("Note", ErrTriggerExists())};
      return Status::OK();
    }
    return session.engine().catalog().PutTrigger(txn, &trigger);
  });
  STRATA_RETURN_IF_ERROR(s);
  return result;
}

Result<QueryResult> DropTrigger(Session& session, const ast::DropTrigger& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, stmt.name.schema));
  QueryResult result;
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    auto trigger = catalog->FindTrigger(db, stmt.name.name);
    if (!trigger) {
      if (!stmt.if_exists) return ErrTriggerMissing();
      result.warning_list = {AsWarning("Note", ErrTriggerMissing())};
      return Status::OK();
    }
    return session.engine().catalog().DropTrigger(txn, *trigger);
  });
  STRATA_RETURN_IF_ERROR(s);
  return result;
}

}  // namespace strata::sql
