// DDL: CREATE/DROP DATABASE, CREATE/DROP TABLE, CREATE/DROP INDEX. Each runs in its own
// transaction (retried on a conflict with concurrent DDL); schema changes are catalog
// writes, replicated through Raft like rows.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/coding.h"
#include "sql/binder/binder.h"
#include "sql/errors.h"
#include "sql/execution/table_writer.h"
#include "sql/parser/ast_alter.h"
#include "sql/session/executors.h"

namespace strata::sql {
Status DeleteTableKeys(Session& session, const TableSchema& table) {
  for (TableId id : {table.id, table.moving_to}) {
    if (id == 0) continue;
    Bytes prefix;
    PutBigEndian32(&prefix, id);
    STRATA_RETURN_IF_ERROR(DeletePrefix(session, prefix));
  }
  return Status::OK();
}

namespace {

constexpr size_t kDeleteBatch = 10000;

}  // namespace

Status DeletePrefix(Session& session, const Bytes& prefix) {
  while (true) {
    std::unique_ptr<txn::Transaction> txn = session.engine().txn().Begin();
    STRATA_ASSIGN_OR_RETURN(auto kvs, txn->Scan(prefix, PrefixSuccessor(prefix), kDeleteBatch));
    if (kvs.empty()) return Status::OK();
    for (const auto& kv : kvs) STRATA_RETURN_IF_ERROR(txn->Delete(kv.key));
    Status s = txn->Commit();
    if (!s.ok() && s.mysql_errno() != kErLockDeadlock) return s;
  }
}

namespace {


ColumnType ToColumnType(const ast::TypeName& t) {
  ColumnType c;
  c.kind = t.kind;
  c.is_unsigned = t.is_unsigned;
  c.is_boolean = t.is_boolean;
  c.enum_values = t.enum_values;
  using TK = ast::TypeKind;
  switch (t.kind) {
    case TK::kDecimal: c.length = t.length.value_or(10); c.scale = t.scale.value_or(0); break;
    case TK::kFloat: case TK::kDouble:
      // FLOAT(M,D) / DOUBLE(M,D): M digits, D of them after the point (rounded at write,
      // shown with D decimals). Plain FLOAT/DOUBLE (and FLOAT(p)) keep length 0.
      if (t.scale) {
        c.length = t.length.value_or(0);
        c.scale = *t.scale;
        c.fixed_decimals = true;
      }
      break;
    case TK::kChar: case TK::kBinary: c.length = t.length.value_or(1); break;
    case TK::kDateTime: case TK::kTimestamp: case TK::kTime: c.scale = t.length.value_or(0); break;
    default: c.length = t.length.value_or(0); break;
  }
  return c;
}

Status ValidateType(const ColumnSchema& c) {
  using TK = ast::TypeKind;
  if (c.type.kind == TK::kDecimal) {
    if (c.type.length > Decimal::kMaxDigits || c.type.length == 0) return ErrTooBigPrecision(c.type.length, c.name);
    if (c.type.scale > Decimal::kMaxScale) return ErrTooBigScale(c.type.scale, c.name);
    if (c.type.scale > c.type.length) return ErrMBiggerThanD(c.name);
  }
  if (c.type.IsTemporal() && c.type.scale > 6) return ErrTooBigPrecision(c.type.scale, c.name, 6);
  if ((c.type.kind == TK::kFloat || c.type.kind == TK::kDouble) && c.type.fixed_decimals) {
    if (c.type.scale > 30) return ErrTooBigScale(c.type.scale, c.name);
    if (c.type.length < c.type.scale) return ErrMBiggerThanD(c.name);
    if (c.type.length > 255) return ErrTooBigPrecision(c.type.length, c.name, 255);
  }
  if ((c.type.kind == TK::kVarchar || c.type.kind == TK::kVarbinary) && c.type.length == 0 )
    return Status::OK();
  if (c.type.kind == TK::kVarchar && c.type.length > 16383)
    return ErrColumnLengthTooBig(c.name);
  return Status::OK();
}

// The collation named by @@collation_server (what a table without DEFAULT COLLATE gets).
uint16_t ServerCollation(const Session& session) {
  std::optional<Value> name = session.SystemVariable("collation_server", false);
  const CollationInfo* info = name && name->kind() == ValueKind::kString ? CollationByName(name->string_value()) : nullptr;
  return info != nullptr ? info->id : kDefaultCollation;
}

}  // namespace

// A table's DEFAULT CHARSET / COLLATE (CREATE or ALTER TABLE), else the server's.
Result<uint16_t> TableCollation(const Session& session, const std::string& charset, const std::string& collation) {
  if (!collation.empty()) {
    const CollationInfo* info = CollationByName(collation);
    if (info == nullptr) return ErrUnknownCollation(collation);
    return info->id;
  }
  if (!charset.empty()) {
    const CollationInfo* info = DefaultCollationOfCharset(charset, ServerCollation(session));
    if (info == nullptr) return ErrUnknownCharacterSet(charset);
    return info->id;
  }
  return ServerCollation(session);
}

namespace {

// A text column's collation: its COLLATE, its CHARACTER SET's default, BINARY's
// utf8mb4_bin, else the table's.
Result<uint16_t> ColumnCollation(const ast::TypeName& t, uint16_t table_collation) {
  if (!t.collation.empty()) {
    const CollationInfo* info = CollationByName(t.collation);
    if (info == nullptr) return ErrUnknownCollation(t.collation);
    if (!t.charset.empty() && EqualsIgnoreCase(t.charset, "binary") != (info->id == kCollationBinary))
      return ErrCollationCharsetMismatch(info->name, t.charset);
    return info->id;
  }
  if (!t.charset.empty()) {
    const CollationInfo* info = DefaultCollationOfCharset(t.charset, table_collation == kCollationBinary ? kDefaultCollation : table_collation);
    if (info == nullptr) return ErrUnknownCharacterSet(t.charset);
    if (t.binary_collation && info->id != kCollationBinary) return kCollationUtf8mb4Bin;
    return info->id;
  }
  if (t.binary_collation) return kCollationUtf8mb4Bin;
  return table_collation;
}

}  // namespace

Status BuildColumn(Session& session, const ast::ColumnDef& def, uint16_t table_collation, ColumnSchema* out) {
  out->name = def.name;
  out->type = ToColumnType(def.type);
  if (out->type.IsText()) {
    STRATA_ASSIGN_OR_RETURN(out->type.collation, ColumnCollation(def.type, table_collation));
  }
  out->nullable = !def.not_null && !def.primary_key;
  out->auto_increment = def.auto_increment;
  out->comment = def.comment;
  out->on_update_current_timestamp = def.on_update != nullptr;
  STRATA_RETURN_IF_ERROR(ValidateType(*out));
  if (def.auto_increment && !out->type.IsInteger() && out->type.kind != ast::TypeKind::kDouble &&
      out->type.kind != ast::TypeKind::kFloat)
    return ErrWrongColumnSpecifier(def.name);
  if (!def.default_value) {
    out->default_kind = out->nullable ? DefaultKind::kNull : DefaultKind::kNone;
    return Status::OK();
  }
  const ast::Expr& d = *def.default_value;
  if (d.kind == ast::ExprKind::kFunction && (d.text == "CURRENT_TIMESTAMP" || d.text == "NOW" || d.text == "LOCALTIMESTAMP")) {
    if (out->type.kind != ast::TypeKind::kDateTime && out->type.kind != ast::TypeKind::kTimestamp)
      return ErrInvalidDefault(def.name);
    out->default_kind = DefaultKind::kCurrentTimestamp;
    return Status::OK();
  }
  BindContext ctx;
  ctx.session = &session;
  auto bound = BindExpr(d, ctx);
  if (!bound.ok() || !(*bound)->IsConst()) return ErrInvalidDefault(def.name);
  const Value& v = (*bound)->constant;
  if (v.is_null()) {
    if (!out->nullable) return ErrInvalidDefault(def.name);
    out->default_kind = DefaultKind::kNull;
    return Status::OK();
  }
  auto converted = ConvertForColumn(*out, v, 1);
  if (!converted.ok()) return ErrInvalidDefault(def.name);
  if (out->type.kind == ast::TypeKind::kTimestamp && converted->kind() == ValueKind::kString) {
    // As MySQL: the default is an instant, fixed in the creating session's time zone.
    std::string utc = TimestampToUtc(converted->string_value(), session.time_zone().get());
    if (!TimestampInRange(utc)) return ErrInvalidDefault(def.name);
    converted = Value::String(std::move(utc));
  }
  out->default_kind = DefaultKind::kValue;
  out->default_value = *converted;
  return Status::OK();
}

namespace {

Result<IndexSchema> BuildIndex(const TableSchema& t, const ast::IndexDef& def, IndexId id) {
  IndexSchema index;
  index.id = id;
  index.unique = def.unique || def.primary;
  index.name = def.primary ? "PRIMARY" : def.name;
  std::set<uint32_t> seen;
  for (const auto& col : def.columns) {
    auto c = t.FindColumn(col.name);
    if (!c) return ErrKeyColumnDoesNotExist(col.name);
    if (!seen.insert(*c).second) return ErrDuplicateColumn(col.name);
    index.columns.push_back(*c);
  }
  if (index.name.empty()) {  // MySQL names it after its first column, made unique
    std::string base = t.columns[index.columns[0]].name, name = base;
    for (int n = 2;; n++) {
      bool taken = false;
      for (const auto& other : t.indexes) taken = taken || EqualsIgnoreCase(other.name, name);
      if (!taken) break;
      name = fmt::format("{}_{}", base, n);
    }
    index.name = name;
  }
  return index;
}

}  // namespace

Result<TableSchema> BuildTable(Session& session, const ast::CreateTable& stmt, const std::string& db,
                               std::vector<ColumnSchema> query_columns) {
  TableSchema t;
  t.database = db;
  t.name = stmt.table.name;
  t.engine = std::string(ResolveEngine(session, stmt.engine));
  t.comment = stmt.comment;
  t.auto_increment_start = stmt.auto_increment_start.value_or(1);
  STRATA_ASSIGN_OR_RETURN(t.default_collation, TableCollation(session, stmt.charset, stmt.collation));
  if (stmt.columns.empty() && query_columns.empty()) return ErrTableMustHaveColumns();
  for (const auto& def : stmt.columns) {
    if (t.FindColumn(def.name)) return ErrDuplicateColumn(def.name);
    ColumnSchema c;
    STRATA_RETURN_IF_ERROR(BuildColumn(session, def, t.default_collation, &c));
    t.columns.push_back(std::move(c));
  }
  // CREATE TABLE … SELECT, as MySQL and MariaDB order them: the defined columns the query
  // does not have, then the query's columns, each as defined where the definitions name it.
  if (!query_columns.empty()) {
    std::vector<ColumnSchema> defined = std::move(t.columns);
    t.columns.clear();
    auto in_query = [&](const std::string& name) {
      for (const ColumnSchema& c : query_columns)
        if (EqualsIgnoreCase(c.name, name)) return true;
      return false;
    };
    for (ColumnSchema& c : defined)
      if (!in_query(c.name)) t.columns.push_back(c);
    const size_t defined_only = t.columns.size();
    for (ColumnSchema& c : query_columns) {
      if (std::optional<uint32_t> at = t.FindColumn(c.name); at && *at >= defined_only) return ErrDuplicateColumn(c.name);
      auto definition = std::find_if(defined.begin(), defined.end(),
                                     [&](const ColumnSchema& d) { return EqualsIgnoreCase(d.name, c.name); });
      if (definition != defined.end()) {
        t.columns.push_back(std::move(*definition));
        continue;
      }
      if (c.type.IsText() && c.type.collation == 0) c.type.collation = t.default_collation;
      t.columns.push_back(std::move(c));
    }
  }
  std::vector<ast::IndexDef> defs;
  for (const auto& def : stmt.columns) {
    if (def.primary_key) defs.push_back(ast::IndexDef{"PRIMARY", {{def.name, std::nullopt, false}}, true, true});
    if (def.unique) defs.push_back(ast::IndexDef{"", {{def.name, std::nullopt, false}}, false, true});
  }
  for (const auto& def : stmt.indexes) defs.push_back(ast::IndexDef{def.name, def.columns, def.primary, def.unique});
  bool have_primary = false;
  for (const auto& def : defs) {
    if (def.primary) {
      if (have_primary) return ErrMultiplePrimaryKey();
      have_primary = true;
      STRATA_ASSIGN_OR_RETURN(t.primary, BuildIndex(t, def, kPrimaryIndexId));
      for (uint32_t c : t.primary.columns) t.columns[c].nullable = false;
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(IndexSchema index, BuildIndex(t, def, t.NextIndexId()));
    for (const auto& other : t.indexes)
      if (EqualsIgnoreCase(other.name, index.name)) return ErrDuplicateKeyName(index.name);
    t.indexes.push_back(std::move(index));
  }
  if (!have_primary) t.primary.name = "PRIMARY";
  int autos = 0;
  for (uint32_t i = 0; i < t.columns.size(); i++) {
    if (!t.columns[i].auto_increment) continue;
    autos++;
    bool keyed = !t.primary.columns.empty() && t.primary.columns[0] == i;
    for (const auto& index : t.indexes) keyed = keyed || index.columns[0] == i;
    if (!keyed || autos > 1)
      return ErrWrongAutoKey();
  }
  return t;
}

namespace {

// CREATE TABLE t LIKE source: source's columns, indexes, engine, collations and comment
// (not its rows, triggers or AUTO_INCREMENT position), read in the DDL's own transaction.
Status CopyTableDefinition(Session& session, const CatalogSnapshot& catalog, const ast::TableName& like,
                           TableSchema* schema) {
  STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, like.schema));
  std::shared_ptr<const TableSchema> source = catalog.FindTable(db, like.name);
  if (!source) {
    if (catalog.FindView(db, like.name)) return ErrNotBaseTable(db, like.name);
    return ErrNoSuchTable(db, like.name);
  }
  TableSchema copy = *source;
  copy.id = 0;
  copy.database = schema->database;
  copy.name = schema->name;
  copy.auto_increment_start = 1;
  copy.moving_to = 0;
  copy.write_fence_until_ms = 0;
  *schema = std::move(copy);
  return Status::OK();
}

}  // namespace

Result<bool> AddTableEntry(Session& session, const ast::CreateTable& stmt, TableSchema* schema,
                           std::vector<Warning>* notes) {
  const std::string db = schema->database;
  bool created = false;
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    created = false;  // (RunDdl runs this again after a conflict)
    notes->clear();
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    if (!catalog->HasDatabase(db)) return ErrUnknownDatabase(db);
    if (catalog->FindTable(db, schema->name) || catalog->FindView(db, schema->name)) {
      if (!stmt.if_not_exists) return ErrTableExists(schema->name);
      notes->push_back(AsWarning("Note", ErrTableExists(schema->name)));
      return Status::OK();
    }
    if (stmt.like) STRATA_RETURN_IF_ERROR(CopyTableDefinition(session, *catalog, *stmt.like, schema));
    created = true;
    return session.engine().catalog().CreateTable(txn, schema);
  });
  STRATA_RETURN_IF_ERROR(s);
  return created;
}

namespace {

Result<QueryResult> CreateTable(Session& session, const ast::CreateTable& stmt) {
  if (stmt.temporary) return ErrNotSupportedYet("TEMPORARY tables");
  STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, stmt.table.schema));
  if (stmt.select) return CreateTableAsSelect(session, stmt, db);
  TableSchema schema;
  if (stmt.like) {  // 1142 / 1146 / 1347 before anything is written (the DDL reads it again below)
    Result<std::shared_ptr<const TableSchema>> source = session.ResolveTable(*stmt.like);
    if (!source.ok() && source.status().mysql_errno() == kErNoSuchTable) {
      STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const ViewDefinition> view, session.ResolveView(*stmt.like));
      if (view) return ErrNotBaseTable(view->database, view->name);
    }
    STRATA_RETURN_IF_ERROR(source.status());
    schema.database = db;
    schema.name = stmt.table.name;
  } else {
    STRATA_ASSIGN_OR_RETURN(schema, BuildTable(session, stmt, db));
  }
  QueryResult result;
  STRATA_RETURN_IF_ERROR(AddTableEntry(session, stmt, &schema, &result.warning_list).status());
  return result;
}

Result<QueryResult> DropTables(Session& session, const ast::DropTable& stmt) {
  QueryResult result;
  std::vector<std::shared_ptr<const TableSchema>> dropped;
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    dropped.clear();
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    std::string missing;
    for (const auto& name : stmt.tables) {
      STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, name.schema));
      auto table = catalog->FindTable(db, name.name);
      if (!table) {
        missing += (missing.empty() ? "" : ",") + db + "." + name.name;
        continue;
      }
      dropped.push_back(table);
      STRATA_RETURN_IF_ERROR(session.engine().catalog().DropTable(txn, *table));
      for (const auto& trigger : catalog->TriggersOn(db, table->name))  // a table's triggers go with it
        STRATA_RETURN_IF_ERROR(session.engine().catalog().DropTrigger(txn, *trigger));
    }
    if (!missing.empty() && !stmt.if_exists) return ErrUnknownTable(missing);
    result.warning_list.clear();  // (RunDdl may run this again)
    if (!missing.empty()) result.warning_list = {AsWarning("Note", ErrUnknownTable(missing))};
    return Status::OK();
  });
  STRATA_RETURN_IF_ERROR(s);
  for (const auto& table : dropped) {
    session.engine().auto_increment().Forget(table->id);
    STRATA_RETURN_IF_ERROR(DeleteTableKeys(session, *table));
  }
  return result;
}

Result<QueryResult> CreateIndex(Session& session, const ast::CreateIndex& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, stmt.table.schema));
  if (stmt.index.primary) return ErrMultiplePrimaryKey();
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    auto table = catalog->FindTable(db, stmt.table.name);
    if (!table) return ErrNoSuchTable(db, stmt.table.name);
    TableSchema updated = *table;
    STRATA_ASSIGN_OR_RETURN(IndexSchema index, BuildIndex(updated, stmt.index, updated.NextIndexId()));
    for (const auto& other : updated.indexes)
      if (EqualsIgnoreCase(other.name, index.name)) return ErrDuplicateKeyName(index.name);
    // Backfill in the same transaction as the schema change.
    Bytes prefix = IndexPrefix(updated.id, kPrimaryIndexId);
    Bytes cursor = prefix;
    std::set<Bytes> unique_seen;
    while (true) {
      STRATA_ASSIGN_OR_RETURN(auto kvs, txn.Scan(cursor, PrefixSuccessor(prefix), 4096));
      for (const auto& kv : kvs) {
        STRATA_ASSIGN_OR_RETURN(Row row, DecodeRow(kv.value, updated));
        Slice pk = PkSuffixOfRowKey(kv.key);
        if (index.unique) {
          Bytes values;
          bool has_null = false;
          for (uint32_t c : index.columns) {
            has_null = has_null || row[c].is_null();
            AppendKeyValue(row[c], updated.columns[c].type, &values);
          }
          if (!has_null && !unique_seen.insert(values).second) return ErrDuplicateKey(updated, index, row, session.time_zone().get());
        }
        STRATA_RETURN_IF_ERROR(txn.Put(IndexKey(updated, index, row, pk), ""));
      }
      if (kvs.size() < 4096) break;
      cursor = kvs.back().key + '\0';
    }
    updated.indexes.push_back(std::move(index));
    return session.engine().catalog().UpdateTable(txn, updated);
  });
  STRATA_RETURN_IF_ERROR(s);
  return QueryResult();
}

Result<QueryResult> DropIndex(Session& session, const ast::DropIndex& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, stmt.table.schema));
  Bytes prefix;
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    auto table = catalog->FindTable(db, stmt.table.name);
    if (!table) return ErrNoSuchTable(db, stmt.table.name);
    TableSchema updated = *table;
    for (auto it = updated.indexes.begin(); it != updated.indexes.end(); ++it) {
      if (!EqualsIgnoreCase(it->name, stmt.name)) continue;
      prefix = IndexPrefix(updated.id, it->id);
      updated.indexes.erase(it);
      return session.engine().catalog().UpdateTable(txn, updated);
    }
    return ErrCantDropKey(stmt.name);
  });
  STRATA_RETURN_IF_ERROR(s);
  STRATA_RETURN_IF_ERROR(DeletePrefix(session, prefix));
  return QueryResult();
}

Result<QueryResult> CreateDatabase(Session& session, const ast::CreateDatabase& stmt) {
  QueryResult result;
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    if (catalog->HasDatabase(stmt.name)) {
      if (stmt.if_not_exists) {
        result.warning_list = {AsWarning("Note", ErrDatabaseExists(stmt.name))};
        return Status::OK();
      }
      return ErrDatabaseExists(stmt.name);
    }
    result.affected_rows = 1;
    return session.engine().catalog().CreateDatabase(txn, stmt.name);
  });
  STRATA_RETURN_IF_ERROR(s);
  return result;
}

Result<QueryResult> DropDatabase(Session& session, const ast::DropDatabase& stmt) {
  QueryResult result;
  std::vector<std::shared_ptr<const TableSchema>> dropped;
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    if (!catalog->HasDatabase(stmt.name)) {
      if (stmt.if_exists) {
        result.warning_list = {AsWarning("Note", ErrDatabaseDoesNotExist(stmt.name))};
        return Status::OK();
      }
      return ErrDatabaseDoesNotExist(stmt.name);
    }
    dropped = catalog->TablesOf(stmt.name);
    for (const auto& t : dropped) {
      STRATA_RETURN_IF_ERROR(session.engine().catalog().DropTable(txn, *t));
      for (const auto& trigger : catalog->TriggersOn(stmt.name, t->name))
        STRATA_RETURN_IF_ERROR(session.engine().catalog().DropTrigger(txn, *trigger));
    }
    std::string lower = ToLower(stmt.name);  // and its views
    for (auto it = catalog->views.lower_bound({lower, ""}); it != catalog->views.end() && it->first.first == lower; ++it)
      STRATA_RETURN_IF_ERROR(session.engine().catalog().DropView(txn, *it->second));
    result.affected_rows = dropped.size();
    return session.engine().catalog().DropDatabase(txn, stmt.name);
  });
  STRATA_RETURN_IF_ERROR(s);
  for (const auto& table : dropped) STRATA_RETURN_IF_ERROR(DeleteTableKeys(session, *table));
  return result;
}

}  // namespace

Result<QueryResult> ExecuteDdl(Session& session, const ast::Statement& stmt) {
  using SK = ast::StatementKind;
  switch (stmt.kind) {
    case SK::kCreateDatabase: return CreateDatabase(session, static_cast<const ast::CreateDatabase&>(stmt));
    case SK::kDropDatabase: return DropDatabase(session, static_cast<const ast::DropDatabase&>(stmt));
    case SK::kCreateTable: return CreateTable(session, static_cast<const ast::CreateTable&>(stmt));
    case SK::kDropTable: {
      const auto& drop = static_cast<const ast::DropTable&>(stmt);
      return drop.view ? DropViews(session, drop) : DropTables(session, drop);
    }
    case SK::kCreateIndex: return CreateIndex(session, static_cast<const ast::CreateIndex&>(stmt));
    case SK::kDropIndex: return DropIndex(session, static_cast<const ast::DropIndex&>(stmt));
    case SK::kTruncate: return TruncateTable(session, static_cast<const ast::TruncateTable&>(stmt));
    case SK::kRenameTable: return RenameTables(session, static_cast<const ast::RenameTable&>(stmt));
    case SK::kAlterTableEngine: return AlterTableEngine(session, static_cast<const ast::AlterTableEngine&>(stmt));
    case SK::kAlterTable: return AlterTableColumns(session, static_cast<const ast::AlterTable&>(stmt));
    default: return Status::Internal("not a DDL statement");
  }
}

}  // namespace strata::sql
