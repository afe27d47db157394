// TRUNCATE TABLE and RENAME TABLE (executors.h). TRUNCATE is MySQL's: the table is dropped
// and created again empty (a new table id, so AUTO_INCREMENT starts over) in one catalog
// transaction, and the old rows are deleted afterwards in bounded batches; its triggers stay.
// RENAME TABLE moves schemas to new names in one transaction, in order (a TO tmp, b TO a,
// tmp TO b swaps), and the renamed tables' triggers follow them.
#include <map>

#include "common/coding.h"
#include "sql/session/executors.h"

namespace strata::sql {

Result<QueryResult> TruncateTable(Session& session, const ast::TruncateTable& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, stmt.table.schema));
  std::shared_ptr<const TableSchema> old;
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    old = catalog->FindTable(db, stmt.table.name);
    if (!old) return ErrNoSuchTable(db, stmt.table.name);
    TableSchema fresh = *old;
    fresh.moving_to = 0;  // an interrupted ALTER TABLE … ENGINE's copy goes with the rows
    fresh.write_fence_until_ms = 0;
    STRATA_RETURN_IF_ERROR(session.engine().catalog().DropTable(txn, *old));
    return session.engine().catalog().CreateTable(txn, &fresh);
  });
  STRATA_RETURN_IF_ERROR(s);
  session.engine().auto_increment().Forget(old->id);
  STRATA_RETURN_IF_ERROR(DeleteTableKeys(session, *old));
  return QueryResult();
}

Result<QueryResult> RenameTables(Session& session, const ast::RenameTable& stmt) {
  std::vector<std::pair<std::string, std::string>> dbs;  // (from db, to db) per rename
  for (const auto& [from, to] : stmt.renames) {
    STRATA_ASSIGN_OR_RETURN(std::string from_db, DatabaseFor(session, from.schema));
    STRATA_ASSIGN_OR_RETURN(std::string to_db, DatabaseFor(session, to.schema));
    dbs.emplace_back(std::move(from_db), std::move(to_db));
  }
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    // The tables as the renames so far left them: (db, name) lower-cased → schema (nullptr: gone).
    std::map<std::pair<std::string, std::string>, std::shared_ptr<const TableSchema>> now;
    auto lookup = [&](const std::string& db, const std::string& name) -> std::shared_ptr<const TableSchema> {
      auto key = std::make_pair(ToLower(db), ToLower(name));
      auto it = now.find(key);
      return it != now.end() ? it->second : catalog->FindTable(db, name);
    };
    // Their triggers likewise (a trigger's catalog key is its own name, so moving it is a rewrite).
    std::map<std::pair<std::string, std::string>, std::vector<TriggerDefinition>> triggers_now;
    auto triggers_of = [&](const std::string& db, const std::string& name) {
      auto it = triggers_now.find({ToLower(db), ToLower(name)});
      if (it != triggers_now.end()) return it->second;
      std::vector<TriggerDefinition> out;
      for (const auto& t : catalog->TriggersOn(db, name)) out.push_back(*t);
      return out;
    };
    for (size_t i = 0; i < stmt.renames.size(); i++) {
      const auto& [from, to] = stmt.renames[i];
      const auto& [from_db, to_db] = dbs[i];
      std::shared_ptr<const TableSchema> table = lookup(from_db, from.name);
      if (!table) {
        if (catalog->FindView(from_db, from.name)) return ErrNotSupportedYet("RENAME TABLE of a view");
        return ErrNoSuchTable(from_db, from.name);
      }
      if (!catalog->HasDatabase(to_db)) return ErrUnknownDatabase(to_db);
      if (lookup(to_db, to.name) || catalog->FindView(to_db, to.name)) return ErrTableExists(to.name);
      std::vector<TriggerDefinition> triggers = triggers_of(from_db, table->name);
      if (!triggers.empty() && !EqualsIgnoreCase(from_db, to_db))  // ER_TRG_IN_WRONG_SCHEMA
        return Status::InvalidArgument("Trigger in wrong schema").WithMysql(1435, "HY000");
      auto renamed = std::make_shared<TableSchema>(*table);
      renamed->database = to_db;
      renamed->name = to.name;
      STRATA_RETURN_IF_ERROR(session.engine().catalog().DropTable(txn, *table));
      STRATA_RETURN_IF_ERROR(session.engine().catalog().UpdateTable(txn, *renamed));
      for (TriggerDefinition& trigger : triggers) {
        trigger.table = to.name;
        STRATA_RETURN_IF_ERROR(session.engine().catalog().PutTrigger(txn, &trigger));
      }
      now[{ToLower(from_db), ToLower(from.name)}] = nullptr;
      now[{ToLower(to_db), ToLower(to.name)}] = renamed;
      triggers_now[{ToLower(from_db), ToLower(from.name)}] = {};
      triggers_now[{ToLower(to_db), ToLower(to.name)}] = std::move(triggers);
    }
    return Status::OK();
  });
  STRATA_RETURN_IF_ERROR(s);
  return QueryResult();
}

}  // namespace strata::sql
