// information_schema (executors.h): MySQL 8's introspection tables that tools, ORMs and
// dump programs query, built from the session's catalog snapshot (and the node's process
// list) when a query names one. Each becomes a derived table of constant rows, so WHERE,
// joins, ORDER BY and aggregates work on it as on any other; nothing is stored. Column
// names, order and values follow MySQL 8; numbers StrataDB does not track (data length,
// cardinality) are 0 or NULL.
#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "common/ascii.h"
#include "sql/errors.h"
#include "sql/planner/logical_plan.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

constexpr std::string_view kSchema = "information_schema";
constexpr std::string_view kCharset = "utf8mb4";
constexpr std::string_view kCollation = "utf8mb4_general_ci";

Value Str(std::string_view s) { return Value::String(std::string(s)); }
Value StrOrNull(std::string_view s) { return s.empty() ? Value::Null() : Str(s); }
Value Num(uint64_t n) { return Value::Uint(n); }

struct Column {
  const char* name;
  bool number;
};

struct Table {
  std::vector<Column> columns;
  std::vector<Row> rows;
};

Table Make(std::vector<Column> columns) { return Table{std::move(columns), {}}; }

// The catalog's tables and views, database by database, in name order.
struct Catalog {
  std::shared_ptr<const CatalogSnapshot> snapshot;
  std::vector<std::shared_ptr<const TableSchema>> tables;
};

std::string DataType(const ColumnType& t) {
  std::string sql = t.ToSql();
  size_t end = sql.find_first_of("( ");
  return end == std::string::npos ? sql : sql.substr(0, end);
}

Table Schemata(const CatalogSnapshot& c) {
  Table t = Make({{"CATALOG_NAME", false}, {"SCHEMA_NAME", false}, {"DEFAULT_CHARACTER_SET_NAME", false},
                  {"DEFAULT_COLLATION_NAME", false}, {"SQL_PATH", false}, {"DEFAULT_ENCRYPTION", false}});
  t.rows.push_back({Str("def"), Str(kSchema), Str("utf8mb3"), Str("utf8mb3_general_ci"), Value::Null(), Str("NO")});
  for (const auto& [lower, name] : c.databases)
    t.rows.push_back({Str("def"), Str(name), Str(kCharset), Str(kCollation), Value::Null(), Str("NO")});
  return t;
}

Table Tables(Session& session, const CatalogSnapshot& c) {
  Table t = Make({{"TABLE_CATALOG", false}, {"TABLE_SCHEMA", false}, {"TABLE_NAME", false}, {"TABLE_TYPE", false},
                  {"ENGINE", false}, {"VERSION", true}, {"ROW_FORMAT", false}, {"TABLE_ROWS", true},
                  {"AVG_ROW_LENGTH", true}, {"DATA_LENGTH", true}, {"MAX_DATA_LENGTH", true}, {"INDEX_LENGTH", true},
                  {"DATA_FREE", true}, {"AUTO_INCREMENT", true}, {"CREATE_TIME", false}, {"UPDATE_TIME", false},
                  {"CHECK_TIME", false}, {"TABLE_COLLATION", false}, {"CHECKSUM", true}, {"CREATE_OPTIONS", false},
                  {"TABLE_COMMENT", false}});
  Result<txn::Transaction*> txn = session.Txn();
  for (const auto& [key, table] : c.tables) {
    // TABLE_ROWS is an estimate, as InnoDB's is (exact below 1,000 rows; catalog/row_estimates.h).
    Value rows = txn.ok() ? Num(session.engine().row_estimates().Estimate(**txn, *table)) : Value::Null();
    Value next_id = Value::Null();  // NULL for a table without an AUTO_INCREMENT column, as MySQL
    if (table->AutoIncrementColumn()) {
      Result<uint64_t> peek = session.engine().auto_increment().Peek(*table);
      if (peek.ok()) next_id = Num(*peek);
    }
    t.rows.push_back({Str("def"), Str(table->database), Str(table->name), Str("BASE TABLE"), Str(std::string(table->engine_name())), Num(10),
                      Str("Dynamic"), rows, Num(0), Num(0), Num(0), Num(0), Num(0), next_id, Value::Null(),
                      Value::Null(), Value::Null(), Str(std::string(CollationName(table->DefaultCollationId()))), Value::Null(), Str(""), Str("")});
  }
  for (const auto& [key, view] : c.views) {
    Row row(t.columns.size(), Value::Null());
    row[0] = Str("def");
    row[1] = Str(view->database);
    row[2] = Str(view->name);
    row[3] = Str("VIEW");
    row[20] = Str("VIEW");
    t.rows.push_back(std::move(row));
  }
  return t;
}

// CHARACTER_MAXIMUM_LENGTH of the TEXT/BLOB family (bytes, as MySQL reports them); 0 for
// the others.
uint64_t LobLength(std::string_view data_type) {
  if (data_type.find("text") == std::string_view::npos && data_type.find("blob") == std::string_view::npos) return 0;
  if (data_type.rfind("tiny", 0) == 0) return 255;
  if (data_type.rfind("medium", 0) == 0) return 16777215;
  if (data_type.rfind("long", 0) == 0) return 4294967295;
  return 65535;
}

// NUMERIC_PRECISION of an integer type (MySQL reports digits, unsigned BIGINT 20).
Value IntegerPrecision(const ColumnType& type) {
  std::string base = DataType(type);
  if (base == "tinyint") return Num(3);
  if (base == "smallint") return Num(5);
  if (base == "mediumint") return Num(type.is_unsigned ? 8 : 7);
  if (base == "int") return Num(10);
  if (base == "bigint") return Num(type.is_unsigned ? 20 : 19);
  return Value::Null();
}

Table Columns(const CatalogSnapshot& c, const TimeZone* zone) {
  Table t = Make({{"TABLE_CATALOG", false}, {"TABLE_SCHEMA", false}, {"TABLE_NAME", false}, {"COLUMN_NAME", false},
                  {"ORDINAL_POSITION", true}, {"COLUMN_DEFAULT", false}, {"IS_NULLABLE", false}, {"DATA_TYPE", false},
                  {"CHARACTER_MAXIMUM_LENGTH", true}, {"CHARACTER_OCTET_LENGTH", true}, {"NUMERIC_PRECISION", true},
                  {"NUMERIC_SCALE", true}, {"DATETIME_PRECISION", true}, {"CHARACTER_SET_NAME", false},
                  {"COLLATION_NAME", false}, {"COLUMN_TYPE", false}, {"COLUMN_KEY", false}, {"EXTRA", false},
                  {"PRIVILEGES", false}, {"COLUMN_COMMENT", false}, {"GENERATION_EXPRESSION", false},
                  {"SRS_ID", true}});
  for (const auto& [key, table] : c.tables) {
    for (uint32_t i = 0; i < table->columns.size(); i++) {
      const ColumnSchema& col = table->columns[i];
      const ColumnType& type = col.type;
      const bool text = type.IsString() && DataType(type).find("blob") == std::string::npos &&
                        DataType(type).find("binary") == std::string::npos;
      const uint64_t lob = LobLength(DataType(type));
      Value max_chars = lob ? Num(lob) : type.IsString() && type.length > 0 ? Num(type.length) : Value::Null();
      Value octets = lob ? Num(lob)
                     : type.IsString() && type.length > 0 ? Num(uint64_t{type.length} * (text ? 4 : 1))
                                                          : Value::Null();
      Value precision = type.IsInteger() ? IntegerPrecision(type)
                        : type.kind == ast::TypeKind::kDecimal ? Num(type.length)
                        : DataType(type) == "double" ? Num(22) : DataType(type) == "float" ? Num(12) : Value::Null();
      Value scale = type.IsInteger() ? Num(0) : type.kind == ast::TypeKind::kDecimal ? Num(type.scale) : Value::Null();
      Value datetime_precision = type.IsTemporal() && DataType(type) != "year" && DataType(type) != "date"
                                     ? Num(type.length) : Value::Null();
      std::string extra = col.auto_increment ? "auto_increment"
                          : col.default_kind == DefaultKind::kCurrentTimestamp ? "DEFAULT_GENERATED" : "";
      t.rows.push_back({Str("def"), Str(table->database), Str(table->name), Str(col.name), Num(i + 1),
                        col.default_kind == DefaultKind::kValue || col.default_kind == DefaultKind::kCurrentTimestamp
                            ? Str(ColumnDefaultText(col, zone)) : Value::Null(),
                        Str(col.nullable ? "YES" : "NO"), Str(DataType(type)), max_chars, octets, precision, scale,
                        datetime_precision, text ? Str(kCharset) : Value::Null(),
                        text ? Str(std::string(type.IsText() ? CollationName(type.CollationId()) : "utf8mb4_bin"))
                             : Value::Null(),
                        Str(type.ToSql()), Str(ColumnKeyFlag(*table, i)),
                        Str(extra), Str("select,insert,update,references"), Str(col.comment), Str(""), Value::Null()});
    }
  }
  return t;
}

// Every index of every table (the primary key first, unless the table has a hidden one).
template <typename F>
void ForEachIndex(const CatalogSnapshot& c, F&& f) {
  for (const auto& [key, table] : c.tables) {
    if (!table->has_hidden_key()) f(*table, table->primary);
    for (const IndexSchema& index : table->indexes) f(*table, index);
  }
}

Table Statistics(const CatalogSnapshot& c) {
  Table t = Make({{"TABLE_CATALOG", false}, {"TABLE_SCHEMA", false}, {"TABLE_NAME", false}, {"NON_UNIQUE", true},
                  {"INDEX_SCHEMA", false}, {"INDEX_NAME", false}, {"SEQ_IN_INDEX", true}, {"COLUMN_NAME", false},
                  {"COLLATION", false}, {"CARDINALITY", true}, {"SUB_PART", true}, {"PACKED", false},
                  {"NULLABLE", false}, {"INDEX_TYPE", false}, {"COMMENT", false}, {"INDEX_COMMENT", false},
                  {"IS_VISIBLE", false}, {"EXPRESSION", false}});
  ForEachIndex(c, [&](const TableSchema& table, const IndexSchema& index) {
    for (size_t i = 0; i < index.columns.size(); i++) {
      const ColumnSchema& col = table.columns[index.columns[i]];
      t.rows.push_back({Str("def"), Str(table.database), Str(table.name), Num(index.unique ? 0 : 1),
                        Str(table.database), Str(index.name), Num(i + 1), Str(col.name), Str("A"), Value::Null(),
                        Value::Null(), Value::Null(), Str(col.nullable ? "YES" : ""), Str("BTREE"), Str(""), Str(""),
                        Str("YES"), Value::Null()});
    }
  });
  return t;
}

Table KeyColumnUsage(const CatalogSnapshot& c) {
  Table t = Make({{"CONSTRAINT_CATALOG", false}, {"CONSTRAINT_SCHEMA", false}, {"CONSTRAINT_NAME", false},
                  {"TABLE_CATALOG", false}, {"TABLE_SCHEMA", false}, {"TABLE_NAME", false}, {"COLUMN_NAME", false},
                  {"ORDINAL_POSITION", true}, {"POSITION_IN_UNIQUE_CONSTRAINT", true},
                  {"REFERENCED_TABLE_SCHEMA", false}, {"REFERENCED_TABLE_NAME", false},
                  {"REFERENCED_COLUMN_NAME", false}});
  ForEachIndex(c, [&](const TableSchema& table, const IndexSchema& index) {
    if (!index.unique) return;
    for (size_t i = 0; i < index.columns.size(); i++) {
      t.rows.push_back({Str("def"), Str(table.database), Str(index.name), Str("def"), Str(table.database),
                        Str(table.name), Str(table.columns[index.columns[i]].name), Num(i + 1), Value::Null(),
                        Value::Null(), Value::Null(), Value::Null()});
    }
  });
  return t;
}

Table TableConstraints(const CatalogSnapshot& c) {
  Table t = Make({{"CONSTRAINT_CATALOG", false}, {"CONSTRAINT_SCHEMA", false}, {"CONSTRAINT_NAME", false},
                  {"TABLE_SCHEMA", false}, {"TABLE_NAME", false}, {"CONSTRAINT_TYPE", false}, {"ENFORCED", false}});
  ForEachIndex(c, [&](const TableSchema& table, const IndexSchema& index) {
    if (!index.unique) return;
    bool primary = &index == &table.primary;
    t.rows.push_back({Str("def"), Str(table.database), Str(index.name), Str(table.database), Str(table.name),
                      Str(primary ? "PRIMARY KEY" : "UNIQUE"), Str("YES")});
  });
  return t;
}

Table Views(Session& session, const CatalogSnapshot& c) {
  Table t = Make({{"TABLE_CATALOG", false}, {"TABLE_SCHEMA", false}, {"TABLE_NAME", false},
                  {"VIEW_DEFINITION", false}, {"CHECK_OPTION", false}, {"IS_UPDATABLE", false}, {"DEFINER", false},
                  {"SECURITY_TYPE", false}, {"CHARACTER_SET_CLIENT", false}, {"COLLATION_CONNECTION", false}});
  for (const auto& [key, view] : c.views) {
    t.rows.push_back({Str("def"), Str(view->database), Str(view->name), Str(view->query),
                      Str(view->check_option.empty() ? "NONE" : view->check_option),
                      Str(ViewIsUpdatable(session, *view) ? "YES" : "NO"), Str("root@%"), Str("DEFINER"),
                      Str(kCharset), Str(kCollation)});
  }
  return t;
}

Table Triggers(const CatalogSnapshot& c) {
  Table t = Make({{"TRIGGER_CATALOG", false}, {"TRIGGER_SCHEMA", false}, {"TRIGGER_NAME", false},
                  {"EVENT_MANIPULATION", false}, {"EVENT_OBJECT_CATALOG", false}, {"EVENT_OBJECT_SCHEMA", false},
                  {"EVENT_OBJECT_TABLE", false}, {"ACTION_ORDER", true}, {"ACTION_CONDITION", false},
                  {"ACTION_STATEMENT", false}, {"ACTION_ORIENTATION", false}, {"ACTION_TIMING", false},
                  {"ACTION_REFERENCE_OLD_TABLE", false}, {"ACTION_REFERENCE_NEW_TABLE", false},
                  {"ACTION_REFERENCE_OLD_ROW", false}, {"ACTION_REFERENCE_NEW_ROW", false}, {"CREATED", false},
                  {"SQL_MODE", false}, {"DEFINER", false}, {"CHARACTER_SET_CLIENT", false},
                  {"COLLATION_CONNECTION", false}, {"DATABASE_COLLATION", false}});
  // ACTION_ORDER counts 1, 2, ... per (table, timing, event), in firing order.
  std::map<std::tuple<std::string, std::string, int, int>, uint64_t> seen;
  std::vector<std::shared_ptr<const TriggerDefinition>> all;
  for (const auto& [key, trigger] : c.triggers) all.push_back(trigger);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a->order < b->order; });
  for (const auto& tr : all) {
    const char* event = tr->event == TriggerEvent::kInsert ? "INSERT" : tr->event == TriggerEvent::kUpdate ? "UPDATE" : "DELETE";
    uint64_t order = ++seen[{tr->database, tr->table, static_cast<int>(tr->timing), static_cast<int>(tr->event)}];
    t.rows.push_back({Str("def"), Str(tr->database), Str(tr->name), Str(event), Str("def"), Str(tr->database),
                      Str(tr->table), Num(order), Value::Null(), Str(tr->body), Str("ROW"),
                      Str(tr->timing == TriggerTiming::kBefore ? "BEFORE" : "AFTER"), Value::Null(), Value::Null(),
                      Str("OLD"), Str("NEW"), Value::Null(), Str(""), Str(DefinerText(*tr)), Str(kCharset), Str(kCollation),
                      Str(kCollation)});
  }
  return t;
}

// Stored routines and events do not exist: the tables are there, empty, for the tools that
// list them (mysqldump --routines, ORMs).
Table Routines() {
  return Make({{"SPECIFIC_NAME", false}, {"ROUTINE_CATALOG", false}, {"ROUTINE_SCHEMA", false},
               {"ROUTINE_NAME", false}, {"ROUTINE_TYPE", false}, {"DATA_TYPE", false}, {"ROUTINE_BODY", false},
               {"ROUTINE_DEFINITION", false}, {"DEFINER", false}});
}

// CHECK constraints and foreign keys do not exist yet: empty, for the ORMs that ask.
Table CheckConstraints() {
  return Make({{"CONSTRAINT_CATALOG", false}, {"CONSTRAINT_SCHEMA", false}, {"CONSTRAINT_NAME", false},
               {"CHECK_CLAUSE", false}});
}

Table ReferentialConstraints() {
  return Make({{"CONSTRAINT_CATALOG", false}, {"CONSTRAINT_SCHEMA", false}, {"CONSTRAINT_NAME", false},
               {"UNIQUE_CONSTRAINT_CATALOG", false}, {"UNIQUE_CONSTRAINT_SCHEMA", false},
               {"UNIQUE_CONSTRAINT_NAME", false}, {"MATCH_OPTION", false}, {"UPDATE_RULE", false},
               {"DELETE_RULE", false}, {"TABLE_NAME", false}, {"REFERENCED_TABLE_NAME", false}});
}

// mysqldump queries both (tablespaces, histograms); StrataDB has neither: empty, with MySQL
// 8's columns.
Table Files() {
  return Make({{"FILE_ID", true}, {"FILE_NAME", false}, {"FILE_TYPE", false}, {"TABLESPACE_NAME", false},
               {"TABLE_CATALOG", false}, {"TABLE_SCHEMA", false}, {"TABLE_NAME", false},
               {"LOGFILE_GROUP_NAME", false}, {"LOGFILE_GROUP_NUMBER", true}, {"ENGINE", false},
               {"FULLTEXT_KEYS", false}, {"DELETED_ROWS", true}, {"UPDATE_COUNT", true}, {"FREE_EXTENTS", true},
               {"TOTAL_EXTENTS", true}, {"EXTENT_SIZE", true}, {"INITIAL_SIZE", true}, {"MAXIMUM_SIZE", true},
               {"AUTOEXTEND_SIZE", true}, {"CREATION_TIME", false}, {"LAST_UPDATE_TIME", false},
               {"LAST_ACCESS_TIME", false}, {"RECOVER_TIME", true}, {"TRANSACTION_COUNTER", true},
               {"VERSION", true}, {"ROW_FORMAT", false}, {"TABLE_ROWS", true}, {"AVG_ROW_LENGTH", true},
               {"DATA_LENGTH", true}, {"MAX_DATA_LENGTH", true}, {"INDEX_LENGTH", true}, {"DATA_FREE", true},
               {"CREATE_TIME", false}, {"UPDATE_TIME", false}, {"CHECK_TIME", false}, {"CHECKSUM", true},
               {"STATUS", false}, {"EXTRA", false}});
}

Table ColumnStatistics() {
  return Make({{"SCHEMA_NAME", false}, {"TABLE_NAME", false}, {"COLUMN_NAME", false}, {"HISTOGRAM", false}});
}

Table Processlist(Session& session) {
  Table t = Make({{"ID", true}, {"USER", false}, {"HOST", false}, {"DB", false}, {"COMMAND", false},
                  {"TIME", true}, {"STATE", false}, {"INFO", false}});
  // Without PROCESS an account sees its own sessions only (as SHOW PROCESSLIST).
  const bool all = session.superuser() || session.RequireGlobalPrivilege(kPrivProcess).ok();
  for (ProcessEntry::Row& p : session.engine().processes().Rows()) {
    if (!all && p.user != session.user()) continue;
    t.rows.push_back({Num(p.id), Str(p.user), Str(p.host), StrOrNull(p.db), Str(p.command),
                      Num(static_cast<uint64_t>(std::max<int64_t>(0, p.seconds))), Str(p.state), StrOrNull(p.info)});
  }
  return t;
}

// ENGINES, COLLATIONS and CHARACTER_SETS: the rows SHOW answers, columns in `order`.
Result<Table> FromShow(Session& session, ast::ShowKind kind, std::vector<Column> columns, std::vector<size_t> order) {
  ast::Show show;
  show.show = kind;
  STRATA_ASSIGN_OR_RETURN(QueryResult shown, ExecuteShow(session, show));
  Table t = Make(std::move(columns));
  for (Row& row : shown.rows) {
    Row out;
    for (size_t i : order) out.push_back(row.at(i));
    t.rows.push_back(std::move(out));
  }
  return t;
}

Table UserPrivileges(Session& session) {
  Table t = Make({{"GRANTEE", false}, {"TABLE_CATALOG", false}, {"PRIVILEGE_TYPE", false}, {"IS_GRANTABLE", false}});
  // Only root exists until users and grants do (issue 17): it holds every privilege.
  for (const char* p : {"SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "RELOAD", "SHUTDOWN", "PROCESS",
                        "REFERENCES", "INDEX", "ALTER", "SHOW DATABASES", "SUPER", "CREATE TEMPORARY TABLES",
                        "LOCK TABLES", "EXECUTE", "CREATE VIEW", "SHOW VIEW", "CREATE USER", "TRIGGER"}) {
    t.rows.push_back({Str(fmt::format("'{}'@'%'", session.user())), Str("def"), Str(p), Str("YES")});
  }
  return t;
}

// The part of the catalog an account sees: the databases it holds a privilege in (or on
// a table of), with their objects, as MySQL's information_schema shows an account.
std::shared_ptr<const CatalogSnapshot> VisibleTo(Session& session, const CatalogSnapshot& all) {
  auto visible = std::make_shared<CatalogSnapshot>();
  visible->version = all.version;
  for (const auto& [lower, name] : all.databases) {
    if (!session.SeesDatabase(name)) continue;
    visible->databases.emplace(lower, name);
    // Tables and views the account holds a privilege on; triggers of tables it may TRIGGER.
    auto copy = [&](const auto& from, auto* to, auto table_of, uint32_t need) {
      for (auto it = from.lower_bound({lower, ""}); it != from.end() && it->first.first == lower; ++it) {
        bool ok = need == 0 ? session.SeesTable(name, table_of(*it->second))
                            : session.RequireTablePrivilege(need, "TRIGGER", name, table_of(*it->second)).ok();
        if (ok) to->insert(*it);
      }
    };
    copy(all.tables, &visible->tables, [](const TableSchema& t) { return t.name; }, 0);
    copy(all.views, &visible->views, [](const ViewDefinition& v) { return v.name; }, 0);
    copy(all.triggers, &visible->triggers, [](const TriggerDefinition& t) { return t.table; }, kPrivTrigger);
  }
  return visible;
}

Result<Table> Build(Session& session, std::string_view name) {
  std::string n = ToUpper(name);
  if (n == "PROCESSLIST") return Processlist(session);
  if (n == "USER_PRIVILEGES") return UserPrivileges(session);
  if (n == "ENGINES")
    return FromShow(session, ast::ShowKind::kEngines,
                    {{"ENGINE", false}, {"SUPPORT", false}, {"COMMENT", false}, {"TRANSACTIONS", false},
                     {"XA", false}, {"SAVEPOINTS", false}},
                    {0, 1, 2, 3, 4, 5});
  if (n == "COLLATIONS")
    return FromShow(session, ast::ShowKind::kCollation,
                    {{"COLLATION_NAME", false}, {"CHARACTER_SET_NAME", false}, {"ID", true}, {"IS_DEFAULT", false},
                     {"IS_COMPILED", false}, {"SORTLEN", true}, {"PAD_ATTRIBUTE", false}},
                    {0, 1, 2, 3, 4, 5, 6});
  if (n == "CHARACTER_SETS")
    return FromShow(session, ast::ShowKind::kCharset,
                    {{"CHARACTER_SET_NAME", false}, {"DEFAULT_COLLATE_NAME", false}, {"DESCRIPTION", false},
                     {"MAXLEN", true}},
                    {0, 2, 1, 3});
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const CatalogSnapshot> catalog, session.LoadCatalog());
  if (!session.superuser()) catalog = VisibleTo(session, *catalog);
  const CatalogSnapshot& c = *catalog;
  if (n == "SCHEMATA") return Schemata(c);
  if (n == "TABLES") return Tables(session, c);
  if (n == "COLUMNS") return Columns(c, session.time_zone().get());
  if (n == "STATISTICS") return Statistics(c);
  if (n == "KEY_COLUMN_USAGE") return KeyColumnUsage(c);
  if (n == "TABLE_CONSTRAINTS") return TableConstraints(c);
  if (n == "VIEWS") return Views(session, c);
  if (n == "TRIGGERS") return Triggers(c);
  if (n == "ROUTINES") return Routines();
  if (n == "CHECK_CONSTRAINTS") return CheckConstraints();
  if (n == "REFERENTIAL_CONSTRAINTS") return ReferentialConstraints();
  if (n == "FILES") return Files();
  if (n == "COLUMN_STATISTICS") return ColumnStatistics();
  // ER_UNKNOWN_TABLE, as MySQL answers for a name information_schema does not have
  return Status::InvalidArgument(fmt::format("Unknown table '{}' in {}", ToUpper(name), kSchema))
      .WithMysql(1109, "42S02");
}

}  // namespace

bool IsInformationSchema(std::string_view database) { return EqualsIgnoreCase(database, kSchema); }

std::vector<std::string_view> SystemSchemas() { return {"mysql", "performance_schema"}; }

Result<std::optional<FromTable>> ResolveInformationSchema(Session& session, const ast::TableName& name,
                                                          const std::string& alias,
                                                          std::vector<std::shared_ptr<const TableSchema>>* tables) {
  const std::string& db = name.schema.empty() ? session.database() : name.schema;
  if (!IsInformationSchema(db)) return std::optional<FromTable>();
  STRATA_ASSIGN_OR_RETURN(Table table, Build(session, name.name));
  session.MarkPlanUncacheable();  // its rows are read now, into the plan
  PlannedQuery rows;
  rows.visible = table.columns.size();
  for (const Column& c : table.columns) {
    rows.names.push_back(c.name);
    OutType type;
    type.kind = c.number ? OutKind::kUint : OutKind::kString;
    type.length = c.number ? 21 : 256;
    rows.types.push_back(type);
  }
  rows.plan = std::make_unique<LogicalValues>(std::move(table.rows), rows.visible);
  std::vector<std::string> names = rows.names;
  STRATA_ASSIGN_OR_RETURN(FromTable item, AsFromItem(std::move(rows), names, alias, tables));
  return std::optional<FromTable>(std::move(item));
}

}  // namespace strata::sql
