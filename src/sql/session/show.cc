// SHOW statements and DESCRIBE, answered from the catalog and the variables.
#include <algorithm>

#include <fmt/format.h>

#include "common/ascii.h"
#include "sql/binder/binder.h"
#include "sql/errors.h"
#include "sql/session/executors.h"

namespace strata::sql {

std::string ColumnDefaultText(const ColumnSchema& c, const TimeZone* zone) {
  switch (c.default_kind) {
    case DefaultKind::kValue:
      if (c.type.kind == ast::TypeKind::kTimestamp && c.default_value.kind() == ValueKind::kString)
        return TimestampFromUtc(c.default_value.string_value(), zone);  // stored in UTC
      return c.default_value.ToText().value_or("NULL");
    case DefaultKind::kCurrentTimestamp: return "CURRENT_TIMESTAMP";
    default: return "";
  }
}

std::string ColumnKeyFlag(const TableSchema& t, uint32_t col) {
  for (uint32_t c : t.primary.columns)
    if (c == col) return "PRI";
  for (const auto& index : t.indexes)
    if (index.columns[0] == col) return index.unique && index.columns.size() == 1 ? "UNI" : "MUL";
  return "";
}

QueryResult TextResult(std::vector<std::string> names) {
  QueryResult r;
  r.has_rows = true;
  for (auto& n : names) {
    ResultColumn c;
    c.name = std::move(n);
    c.type.kind = OutKind::kString;
    c.type.length = 256;
    r.columns.push_back(std::move(c));
  }
  return r;
}

namespace {

using ast::ShowKind;

Value Str(std::string s) { return Value::String(std::move(s)); }

bool Matches(const ast::Show& stmt, std::string_view name) {
  if (!stmt.like) return true;
  return LikeMatch(ToLower(name), ToLower(*stmt.like));
}

// SHOW ... WHERE expr: evaluated over the result row, columns named by the result header.
Result<QueryResult> ApplyWhere(Session& session, const ast::Show& stmt, QueryResult r) {
  if (!stmt.where) return r;
  TableSchema fake;
  for (const auto& c : r.columns) {
    ColumnSchema col;
    col.name = c.name;
    col.type.kind = ast::TypeKind::kVarchar;
    fake.columns.push_back(col);
  }
  BindContext ctx;
  ctx.session = &session;
  ctx.scope = {&fake, ""};
  ctx.clause = "where clause";
  STRATA_ASSIGN_OR_RETURN(BoundExprPtr where, BindExpr(*stmt.where, ctx));
  EvalContext eval = session.eval_context();
  std::vector<Row> kept;
  for (Row& row : r.rows) {
    STRATA_ASSIGN_OR_RETURN(bool keep, EvalPredicate(*where, row, eval));
    if (keep) kept.push_back(std::move(row));
  }
  r.rows = std::move(kept);
  return r;
}

std::string Quote(std::string_view name) {
  std::string out = "`";
  for (char ch : name) {
    if (ch == '`') out += '`';
    out += ch;
  }
  return out + "`";
}

std::string QuoteString(std::string_view s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "'";
}

std::string IndexColumns(const TableSchema& t, const IndexSchema& index) {
  std::string out;
  for (size_t i = 0; i < index.columns.size(); i++) out += (i ? "," : "") + Quote(t.columns[index.columns[i]].name);
  return out;
}

std::string CreateTableText(const TableSchema& t, const TimeZone* zone) {
  std::string out = "CREATE TABLE " + Quote(t.name) + " (\n";
  for (const auto& c : t.columns) {
    out += "  " + Quote(c.name) + " " + c.type.ToSql();
    if (c.type.IsText() && c.type.CollationId() != t.DefaultCollationId()) {  // as MySQL: only when it differs
      const CollationInfo* info = CollationById(c.type.CollationId());
      if (info != nullptr) out += fmt::format(" CHARACTER SET {} COLLATE {}", info->charset, info->name);
    }
    if (!c.nullable) out += " NOT NULL";
    if (c.nullable && c.type.kind == ast::TypeKind::kTimestamp) out += " NULL";  // MySQL spells it out
    if (c.default_kind == DefaultKind::kValue) {
      const Value& v = c.default_value;
      const std::string text = ColumnDefaultText(c, zone);
      out += " DEFAULT " + (v.kind() == ValueKind::kString || c.type.IsInteger() || c.type.kind == ast::TypeKind::kDecimal ? QuoteString(text) : text);
    } else if (c.default_kind == DefaultKind::kCurrentTimestamp) {
      out += " DEFAULT CURRENT_TIMESTAMP" + (c.type.scale ? fmt::format("({})", c.type.scale) : std::string());
    } else if (c.default_kind == DefaultKind::kNull && c.nullable) {
      out += " DEFAULT NULL";
    }
    if (c.on_update_current_timestamp)
      out += " ON UPDATE CURRENT_TIMESTAMP" + (c.type.scale ? fmt::format("({})", c.type.scale) : std::string());
    if (c.auto_increment) out += " AUTO_INCREMENT";
    if (!c.comment.empty()) out += " COMMENT " + QuoteString(c.comment);
    out += ",\n";
  }
  if (!t.has_hidden_key()) out += "  PRIMARY KEY (" + IndexColumns(t, t.primary) + "),\n";
  for (const auto& index : t.indexes)
    out += fmt::format("  {}KEY {} ({}),\n", index.unique ? "UNIQUE " : "", Quote(index.name), IndexColumns(t, index));
  out.resize(out.size() - 2);
  const CollationInfo* table_collation = CollationById(t.DefaultCollationId());
  out += fmt::format("\n) ENGINE={} DEFAULT CHARSET={} COLLATE={}", t.engine_name(), table_collation->charset,
                     table_collation->name);
  if (!t.comment.empty()) out += " COMMENT=" + QuoteString(t.comment);
  return out;
}

// The SQL type a view column shows: its table column's when it is one, else its kind's.
std::string OutTypeSql(const OutType& t) {
  if (t.table && t.column >= 0) return t.table->columns[static_cast<size_t>(t.column)].type.ToSql();
  switch (t.kind) {
    case OutKind::kInt: return "bigint";
    case OutKind::kUint: return "bigint unsigned";
    case OutKind::kDouble: return t.single_precision ? "float" : "double";
    case OutKind::kDecimal: return fmt::format("decimal(65,{})", std::min<int>(t.decimals, 30));
    case OutKind::kBlob: return "longblob";
    case OutKind::kDate: return "date";
    case OutKind::kDateTime: return "datetime";
    case OutKind::kTime: return "time";
    case OutKind::kJson: return "json";
    case OutKind::kNull: return "binary(0)";
    default: return fmt::format("varchar({})", t.length ? t.length : 255);
  }
}

// SHOW COLUMNS of a view (mysqldump asks it of every view): its query's columns.
Result<QueryResult> ShowViewColumns(Session& session, const ast::Show& stmt, const ViewDefinition& view) {
  STRATA_ASSIGN_OR_RETURN(PlannedQuery q, PlanViewQuery(session, view));
  QueryResult r = stmt.full ? TextResult({"Field", "Type", "Collation", "Null", "Key", "Default", "Extra", "Privileges", "Comment"})
                            : TextResult({"Field", "Type", "Null", "Key", "Default", "Extra"});
  for (size_t i = 0; i < q.visible; i++) {
    if (!stmt.column.empty() && !EqualsIgnoreCase(stmt.column, q.names[i])) continue;
    if (!Matches(stmt, q.names[i])) continue;
    const OutType& t = q.types[i];
    Value collation = t.kind == OutKind::kString ? Str(std::string(CollationName(kDefaultCollation))) : Value::Null();
    if (t.kind == OutKind::kString && t.table != nullptr && t.column >= 0 &&
        t.table->columns[static_cast<size_t>(t.column)].type.IsText())  // a table's column: its collation
      collation = Str(std::string(CollationName(t.table->columns[static_cast<size_t>(t.column)].type.CollationId())));
    if (stmt.full) {
      r.rows.push_back({Str(q.names[i]), Str(OutTypeSql(t)), collation, Str(t.not_null ? "NO" : "YES"), Str(""),
                        Value::Null(), Str(""), Str("select,insert,update,references"), Str("")});
    } else {
      r.rows.push_back({Str(q.names[i]), Str(OutTypeSql(t)), Str(t.not_null ? "NO" : "YES"), Str(""), Value::Null(), Str("")});
    }
  }
  return ApplyWhere(session, stmt, std::move(r));
}

Result<QueryResult> ShowColumns(Session& session, const ast::Show& stmt) {
  ast::TableName name = stmt.table;
  if (!stmt.database.empty()) name.schema = stmt.database;
  Result<std::shared_ptr<const TableSchema>> resolved = session.ResolveTable(name);
  if (!resolved.ok() && resolved.status().mysql_errno() == kErNoSuchTable) {
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const ViewDefinition> view, session.ResolveView(name));
    if (view) return ShowViewColumns(session, stmt, *view);
  }
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> t, std::move(resolved));
  QueryResult r = stmt.full ? TextResult({"Field", "Type", "Collation", "Null", "Key", "Default", "Extra", "Privileges", "Comment"})
                            : TextResult({"Field", "Type", "Null", "Key", "Default", "Extra"});
  for (uint32_t i = 0; i < t->columns.size(); i++) {
    const ColumnSchema& c = t->columns[i];
    if (!stmt.column.empty() && !EqualsIgnoreCase(stmt.column, c.name)) continue;
    if (!Matches(stmt, c.name)) continue;
    std::string def = ColumnDefaultText(c, session.time_zone().get());
    Value default_value = c.default_kind == DefaultKind::kValue || c.default_kind == DefaultKind::kCurrentTimestamp ? Str(def) : Value::Null();
    std::string extra = c.auto_increment ? "auto_increment" : c.default_kind == DefaultKind::kCurrentTimestamp ? "DEFAULT_GENERATED" : "";
    Value collation = c.type.IsText() ? Str(std::string(CollationName(c.type.CollationId()))) : Value::Null();
    if (stmt.full) {
      r.rows.push_back({Str(c.name), Str(c.type.ToSql()), collation, Str(c.nullable ? "YES" : "NO"), Str(ColumnKeyFlag(*t, i)),
                        default_value, Str(extra), Str("select,insert,update,references"), Str(c.comment)});
    } else {
      r.rows.push_back({Str(c.name), Str(c.type.ToSql()), Str(c.nullable ? "YES" : "NO"), Str(ColumnKeyFlag(*t, i)), default_value, Str(extra)});
    }
  }
  return ApplyWhere(session, stmt, std::move(r));
}

Result<QueryResult> ShowIndex(Session& session, const ast::Show& stmt) {
  ast::TableName name = stmt.table;
  if (!stmt.database.empty()) name.schema = stmt.database;
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> t, session.ResolveTable(name));
  QueryResult r = TextResult({"Table", "Non_unique", "Key_name", "Seq_in_index", "Column_name", "Collation", "Cardinality",
                              "Sub_part", "Packed", "Null", "Index_type", "Comment", "Index_comment", "Visible", "Expression"});
  auto add = [&](const IndexSchema& index) {
    for (size_t i = 0; i < index.columns.size(); i++) {
      const ColumnSchema& c = t->columns[index.columns[i]];
      r.rows.push_back({Str(t->name), Value::Int(index.unique ? 0 : 1), Str(index.name), Value::Int(static_cast<int64_t>(i + 1)),
                        Str(c.name), Str("A"), Value::Int(0), Value::Null(), Value::Null(), Str(c.nullable ? "YES" : ""),
                        Str("BTREE"), Str(""), Str(""), Str("YES"), Value::Null()});
    }
  };
  if (!t->has_hidden_key()) add(t->primary);
  for (const auto& index : t->indexes) add(index);
  return ApplyWhere(session, stmt, std::move(r));
}

Result<QueryResult> ShowTables(Session& session, const ast::Show& stmt) {
  std::string db = stmt.database.empty() ? session.database() : stmt.database;
  if (db.empty()) return ErrNoDatabaseSelected();
  if (!session.SeesDatabase(db)) return ErrDbAccessDenied(session.user(), session.client_host(), db);
  STRATA_ASSIGN_OR_RETURN(auto catalog, session.LoadCatalog());
  for (std::string_view system : SystemSchemas())  // USE mysql works; it holds no tables here
    if (EqualsIgnoreCase(db, system) && stmt.show != ShowKind::kTableStatus)
      return ApplyWhere(session, stmt, stmt.full ? TextResult({"Tables_in_" + std::string(system), "Table_type"})
                                                 : TextResult({"Tables_in_" + std::string(system)}));
  if (!catalog->HasDatabase(db)) return ErrUnknownDatabase(db);
  std::string header = "Tables_in_" + catalog->databases.at(ToLower(db));
  if (stmt.show == ShowKind::kTableStatus) {
    QueryResult r = TextResult({"Name", "Engine", "Version", "Row_format", "Rows", "Avg_row_length", "Data_length",
                                "Max_data_length", "Index_length", "Data_free", "Auto_increment", "Create_time",
                                "Update_time", "Check_time", "Collation", "Checksum", "Create_options", "Comment"});
    Result<txn::Transaction*> txn = session.Txn();
    for (const auto& t : catalog->TablesOf(db)) {
      if (!Matches(stmt, t->name) || !session.SeesTable(db, t->name)) continue;
      // Rows: the same estimate as information_schema.TABLES.TABLE_ROWS (exact below 1,000 rows).
      Value rows = txn.ok() ? Value::Uint(session.engine().row_estimates().Estimate(**txn, *t)) : Value::Null();
      Value next_id = Value::Null();
      if (t->AutoIncrementColumn()) {
        Result<uint64_t> peek = session.engine().auto_increment().Peek(*t);
        if (peek.ok()) next_id = Value::Uint(*peek);
      }
      r.rows.push_back({Str(t->name), Str(std::string(t->engine_name())), Value::Int(10), Str("Dynamic"), rows, Value::Int(0),
                        Value::Int(0), Value::Int(0), Value::Int(0), Value::Int(0), next_id, Value::Null(),
                        Value::Null(), Value::Null(), Str(std::string(CollationName(t->DefaultCollationId()))), Value::Null(), Str(""), Str(t->comment)});
    }
    return ApplyWhere(session, stmt, std::move(r));
  }
  QueryResult r = stmt.full ? TextResult({header, "Table_type"}) : TextResult({header});
  std::map<std::string, std::pair<std::string, const char*>> names;  // lower → (name, type): tables and views by name
  for (const auto& t : catalog->TablesOf(db))
    if (session.SeesTable(db, t->name)) names[ToLower(t->name)] = {t->name, "BASE TABLE"};
  std::string lower_db = ToLower(db);
  for (auto it = catalog->views.lower_bound({lower_db, ""}); it != catalog->views.end() && it->first.first == lower_db; ++it)
    names[it->first.second] = {it->second->name, "VIEW"};
  for (const auto& [lower, entry] : names) {
    if (!Matches(stmt, entry.first)) continue;
    if (stmt.full) r.rows.push_back({Str(entry.first), Str(entry.second)});
    else r.rows.push_back({Str(entry.first)});
  }
  return ApplyWhere(session, stmt, std::move(r));
}

QueryResult CreateViewResult(const ViewDefinition& view) {
  std::string columns;
  for (size_t i = 0; i < view.columns.size(); i++) columns += (i ? "," : " (") + Quote(view.columns[i]);
  if (!columns.empty()) columns += ")";
  QueryResult r = TextResult({"View", "Create View", "character_set_client", "collation_connection"});
  r.rows.push_back({Str(view.name),
                    Str("CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW " + Quote(view.name) +
                        columns + " AS " + view.query +
                        (view.check_option.empty() ? "" : " WITH " + view.check_option + " CHECK OPTION")),
                    Str("utf8mb4"), Str("utf8mb4_general_ci")});
  return r;
}

Result<QueryResult> ShowTriggers(Session& session, const ast::Show& stmt) {
  std::string db = stmt.database.empty() ? session.database() : stmt.database;
  if (db.empty()) return ErrNoDatabaseSelected();
  STRATA_ASSIGN_OR_RETURN(auto catalog, session.LoadCatalog());
  if (!catalog->HasDatabase(db)) return ErrUnknownDatabase(db);
  QueryResult r = TextResult({"Trigger", "Event", "Table", "Statement", "Timing", "Created", "sql_mode", "Definer",
                              "character_set_client", "collation_connection", "Database Collation"});
  std::vector<std::shared_ptr<const TriggerDefinition>> triggers;
  std::string lower_db = ToLower(db);
  for (auto it = catalog->triggers.lower_bound({lower_db, ""}); it != catalog->triggers.end() && it->first.first == lower_db; ++it)
    if (session.RequireTablePrivilege(kPrivTrigger, "TRIGGER", db, it->second->table).ok()) triggers.push_back(it->second);
  std::sort(triggers.begin(), triggers.end(), [](const auto& a, const auto& b) {
    return a->table != b->table ? a->table < b->table : a->order < b->order;
  });
  for (const auto& t : triggers) {
    if (!Matches(stmt, t->table)) continue;  // LIKE matches the table, as in MySQL
    const char* event = t->event == TriggerEvent::kInsert ? "INSERT" : t->event == TriggerEvent::kUpdate ? "UPDATE" : "DELETE";
    r.rows.push_back({Str(t->name), Str(event), Str(t->table), Str(t->body),
                      Str(t->timing == TriggerTiming::kBefore ? "BEFORE" : "AFTER"), Value::Null(),
                      Str("STRICT_TRANS_TABLES"), Str(DefinerText(*t)), Str("utf8mb4"), Str("utf8mb4_general_ci"),
                      Str("utf8mb4_general_ci")});
  }
  return ApplyWhere(session, stmt, std::move(r));
}

}  // namespace

Result<QueryResult> ExecuteShow(Session& session, const ast::Show& stmt) {
  switch (stmt.show) {
    case ShowKind::kDatabases: {
      STRATA_ASSIGN_OR_RETURN(auto catalog, session.LoadCatalog());
      QueryResult r = TextResult({"Database"});
      std::vector<std::string> names = {"information_schema"};
      for (std::string_view system : SystemSchemas())  // mysql, performance_schema: USE works (Session::Use)
        if (session.SeesDatabase(system)) names.emplace_back(system);
      for (const auto& [lower, name] : catalog->databases)
        if (session.SeesDatabase(name)) names.push_back(name);
      std::sort(names.begin(), names.end());
      for (const auto& n : names)
        if (Matches(stmt, n)) r.rows.push_back({Str(n)});
      return ApplyWhere(session, stmt, std::move(r));
    }
    case ShowKind::kTables: case ShowKind::kTableStatus: return ShowTables(session, stmt);
    case ShowKind::kColumns: return ShowColumns(session, stmt);
    case ShowKind::kIndex: return ShowIndex(session, stmt);
    case ShowKind::kVariables: {
      QueryResult r = TextResult({"Variable_name", "Value"});
      for (const std::string& name : SystemVariableNames(session.engine())) {
        if (!Matches(stmt, name)) continue;
        std::optional<Value> v = stmt.scope == ast::VariableScope::kGlobal ? session.engine().GetGlobal(name) : session.GetVariable(name);
        if (!v) v = SystemVariableDefault(name, session.engine());
        if (name == "autocommit") v = Value::String(v->ToBool().value_or(false) ? "ON" : "OFF");  // as MySQL shows it
        r.rows.push_back({Str(name), Str(v->ToText().value_or(""))});
      }
      return ApplyWhere(session, stmt, std::move(r));
    }
    case ShowKind::kStatus: {
      QueryResult r = TextResult({"Variable_name", "Value"});
      for (auto& [name, value] : session.engine().StatusRows())
        if (Matches(stmt, name)) r.rows.push_back({Str(name), Str(value)});
      return ApplyWhere(session, stmt, std::move(r));
    }
    case ShowKind::kTriggers: return ShowTriggers(session, stmt);
    case ShowKind::kCreateTrigger: {  // what mysqldump reads to dump a table's triggers
      STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, stmt.table.schema));
      STRATA_ASSIGN_OR_RETURN(auto catalog, session.LoadCatalog());
      auto t = catalog->FindTrigger(db, stmt.table.name);
      if (!t) return Status::InvalidArgument("Trigger does not exist").WithMysql(1360, "HY000");
      STRATA_RETURN_IF_ERROR(session.RequireTablePrivilege(kPrivTrigger, "TRIGGER", db, t->table));
      QueryResult r = TextResult({"Trigger", "sql_mode", "SQL Original Statement", "character_set_client",
                                  "collation_connection", "Database Collation", "Created"});
      std::string definer = DefinerText(*t);
      size_t at = definer.rfind('@');
      std::string statement = fmt::format("CREATE DEFINER={}@{} TRIGGER {} {} {} ON {} FOR EACH ROW {}",
                                          Quote(definer.substr(0, at)), Quote(definer.substr(at + 1)), Quote(t->name),
                                          t->timing == TriggerTiming::kBefore ? "BEFORE" : "AFTER",
                                          t->event == TriggerEvent::kInsert   ? "INSERT"
                                          : t->event == TriggerEvent::kUpdate ? "UPDATE"
                                                                              : "DELETE",
                                          Quote(t->table), t->body);
      r.rows.push_back({Str(t->name), Str("STRICT_TRANS_TABLES"), Str(statement), Str("utf8mb4"),
                        Str("utf8mb4_general_ci"), Str("utf8mb4_general_ci"), Value::Null()});
      return r;
    }
    case ShowKind::kCreateView: {
      STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const ViewDefinition> view, session.ResolveView(stmt.table));
      if (!view) {
        STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, stmt.table.schema));
        STRATA_RETURN_IF_ERROR(session.ResolveTable(stmt.table).status());  // 1146 when there is nothing by that name
        return ErrNotView(db, stmt.table.name);
      }
      return CreateViewResult(*view);
    }
    case ShowKind::kCreateTable: {
      Result<std::shared_ptr<const TableSchema>> table = session.ResolveTable(stmt.table);
      if (!table.ok() && table.status().mysql_errno() == kErNoSuchTable) {  // a view: its CREATE VIEW, as MySQL
        STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const ViewDefinition> view, session.ResolveView(stmt.table));
        if (view) return CreateViewResult(*view);
      }
      STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> t, std::move(table));
      QueryResult r = TextResult({"Table", "Create Table"});
      r.rows.push_back({Str(t->name), Str(CreateTableText(*t, session.time_zone().get()))});
      return r;
    }
    case ShowKind::kCreateDatabase: {
      if (!session.SeesDatabase(stmt.database))
        return ErrDbAccessDenied(session.user(), session.client_host(), stmt.database);
      STRATA_ASSIGN_OR_RETURN(auto catalog, session.LoadCatalog());
      if (!catalog->HasDatabase(stmt.database))
        return ErrUnknownDatabase(stmt.database);
      QueryResult r = TextResult({"Database", "Create Database"});
      std::string name = catalog->databases.at(ToLower(stmt.database));
      r.rows.push_back({Str(name), Str("CREATE DATABASE " + Quote(name) + " /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci */")});
      return r;
    }
    case ShowKind::kWarnings: case ShowKind::kErrors: {  // the last other statement's (Session::KeepWarnings)
      QueryResult r = TextResult({"Level", "Code", "Message"});
      r.columns[1].type.kind = OutKind::kUint;  // INT UNSIGNED, as MySQL's (clients read it as a number)
      r.columns[1].type.length = 4;
      uint64_t offset = 0, count = UINT64_MAX;
      if (stmt.limit) {
        STRATA_ASSIGN_OR_RETURN(count, BindLimit(*stmt.limit, session));
      }
      if (stmt.offset) {
        STRATA_ASSIGN_OR_RETURN(offset, BindLimit(*stmt.offset, session));
      }
      for (const Warning& w : session.warnings()) {
        if (stmt.show == ShowKind::kErrors && w.level != "Error") continue;
        if (offset > 0) {
          offset--;
          continue;
        }
        if (r.rows.size() >= count) break;
        r.rows.push_back({Str(w.level), Value::Uint(w.code), Str(w.message)});
      }
      return r;
    }
    case ShowKind::kEngines: {
      QueryResult r = TextResult({"Engine", "Support", "Comment", "Transactions", "XA", "Savepoints"});
      // InnoDB stays the DEFAULT row (dumps and tools ask for it); it maps to the node's
      // default_engine, as every MySQL engine name does.
      r.rows.push_back({Str("InnoDB"), Str("DEFAULT"), Str("Maps to the node's default engine (default_engine)"), Str("YES"), Str("NO"), Str("YES")});
      r.rows.push_back({Str("LSM"), Str("YES"), Str("StrataDB LSM engine (MVCC over Raft)"), Str("YES"), Str("NO"), Str("YES")});
      r.rows.push_back({Str("BTREE"), Str("YES"), Str("StrataDB B+tree engine (MVCC over Raft), read-heavy workloads"), Str("YES"), Str("NO"), Str("YES")});
      return r;
    }
    case ShowKind::kPlugins: {  // what GUI tools and connectors look for: the engine and the auth plugins
      QueryResult r = TextResult({"Name", "Status", "Type", "Library", "License"});
      for (const char* auth : {"mysql_native_password", "caching_sha2_password"})
        r.rows.push_back({Str(auth), Str("ACTIVE"), Str("AUTHENTICATION"), Value::Null(), Str("Apache-2.0")});
      r.rows.push_back({Str("InnoDB"), Str("ACTIVE"), Str("STORAGE ENGINE"), Value::Null(), Str("Apache-2.0")});
      return r;
    }
    case ShowKind::kProcedureStatus: case ShowKind::kFunctionStatus:  // no stored routines: no rows
      return ApplyWhere(session, stmt,
                        TextResult({"Db", "Name", "Type", "Definer", "Modified", "Created", "Security_type", "Comment",
                                    "character_set_client", "collation_connection", "Database Collation"}));
    case ShowKind::kCollation: {
      QueryResult r = TextResult({"Collation", "Charset", "Id", "Default", "Compiled", "Sortlen", "Pad_attribute"});
      size_t count = 0;
      const CollationInfo* all = Collations(&count);
      for (size_t i = 0; i < count; i++) {
        const CollationInfo& c = all[i];
        r.rows.push_back({Str(std::string(c.name)), Str(std::string(c.charset)), Value::Int(c.id),
                          Str(c.is_default ? "Yes" : ""), Str("Yes"), Value::Int(c.kind == CollationKind::kBinary || c.kind == CollationKind::kBinaryPadSpace ? 1 : 8),
                          Str(c.pad_space ? "PAD SPACE" : "NO PAD")});
      }
      return ApplyWhere(session, stmt, std::move(r));
    }
    case ShowKind::kCharset: {
      QueryResult r = TextResult({"Charset", "Description", "Default collation", "Maxlen"});
      r.rows.push_back({Str("utf8mb4"), Str("UTF-8 Unicode"), Str("utf8mb4_general_ci"), Value::Int(4)});
      r.rows.push_back({Str("binary"), Str("Binary pseudo charset"), Str("binary"), Value::Int(1)});
      return ApplyWhere(session, stmt, std::move(r));
    }
    case ShowKind::kClusterStatus: {
      const ClusterHooks& cluster = session.engine().cluster();
      if (!cluster.status_rows) return ErrNotSupportedYet("SHOW CLUSTER STATUS outside a node");
      QueryResult r = TextResult({"Node_id", "Role", "Admin_addr", "Mysql_addr", "Match_index", "Lag"});
      for (auto& fields : cluster.status_rows()) {
        Row row;
        for (auto& f : fields) row.push_back(f ? Str(std::move(*f)) : Value::Null());
        r.rows.push_back(std::move(row));
      }
      return ApplyWhere(session, stmt, std::move(r));
    }
    case ShowKind::kEngineStatus: {
      // InnoDB's name is accepted too: tools ask SHOW ENGINE INNODB STATUS of a MySQL server.
      if (!EqualsIgnoreCase(stmt.table.name, "STRATADB") && !EqualsIgnoreCase(stmt.table.name, "INNODB"))
        return Status::InvalidArgument(fmt::format("Unknown storage engine '{}'", stmt.table.name)).WithMysql(1286, "42000");
      std::string text = session.engine().EngineStatus();
      if (text.empty()) return ErrNotSupportedYet("SHOW ENGINE STATUS outside a node");
      QueryResult r = TextResult({"Type", "Name", "Status"});
      r.rows.push_back({Str("StrataDB"), Str(""), Str(std::move(text))});
      return r;
    }
    case ShowKind::kProcessList:
      return ProcessListResult(session, stmt.full);
  }
  return Status::Internal("unknown SHOW");
}

}  // namespace strata::sql
