// CREATE VIEW and DROP VIEW (executors.h). A view is its query's text in the catalog
// (catalog.h), planned again wherever the view is used (query_planning.cc).
#include "sql/errors.h"
#include "sql/session/executors.h"

namespace strata::sql {

Result<std::string> DatabaseFor(Session& session, const std::string& schema) {
  std::string db = schema.empty() ? session.database() : schema;
  if (db.empty()) return ErrNoDatabaseSelected();
  return db;
}

Result<QueryResult> CreateView(Session& session, const ast::CreateView& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, stmt.name.schema));
  // A stored query cannot keep a prepared statement's ? (ER_VIEW_SELECT_VARIABLE).
  if (stmt.param_count > 0)
    return Status::InvalidArgument("View's SELECT contains a variable or parameter").WithMysql(1351, "HY000");
  // The query must plan now, as MySQL checks it: its tables exist, its columns resolve.
  STRATA_ASSIGN_OR_RETURN(PlannedQuery query, PlanQuery(session, *stmt.query, nullptr, nullptr));
  if (!stmt.columns.empty() && stmt.columns.size() != query.visible) return ErrViewColumnCount();
  const std::vector<std::string>& names = stmt.columns.empty() ? query.names : stmt.columns;
  for (size_t i = 0; i < names.size(); i++) {
    for (size_t j = 0; j < i; j++)
      if (EqualsIgnoreCase(names[i], names[j])) return ErrDuplicateColumn(names[i]);
  }
  ViewDefinition view{db, stmt.name.name, stmt.columns, stmt.query_text, stmt.check_option};
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    if (!catalog->HasDatabase(db)) return ErrUnknownDatabase(db);
    if (catalog->FindTable(db, view.name) || (catalog->FindView(db, view.name) && !stmt.or_replace)) {
      return ErrTableExists(view.name);
    }
    return session.engine().catalog().PutView(txn, view);
  });
  STRATA_RETURN_IF_ERROR(s);
  return QueryResult();
}

Result<QueryResult> DropViews(Session& session, const ast::DropTable& stmt) {
  QueryResult result;
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    std::string missing;
    for (const ast::TableName& name : stmt.tables) {
      STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, name.schema));
      auto view = catalog->FindView(db, name.name);
      if (!view) {
        if (catalog->FindTable(db, name.name)) return ErrNotView(db, name.name);
        missing += (missing.empty() ? "" : ",") + db + "." + name.name;
        continue;
      }
      STRATA_RETURN_IF_ERROR(session.engine().catalog().DropView(txn, *view));
    }
    if (!missing.empty() && !stmt.if_exists) return ErrUnknownTable(missing);
    result.warning_list.clear();  // (RunDdl may run this again)
    if (!missing.empty()) result.warning_list = {AsWarning("Note", ErrUnknownTable(missing))};
    return Status::OK();
  });
  STRATA_RETURN_IF_ERROR(s);
  return result;
}

}  // namespace strata::sql
