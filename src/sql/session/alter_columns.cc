// ALTER TABLE t ADD / DROP / MODIFY / CHANGE / RENAME COLUMN and [DEFAULT] CHARSET / COLLATE
// (executors.h, AlterTableColumns): ADD and RENAME change only the catalog entry; DROP,
// MODIFY and CHANGE rebuild the table online (RebuildTable, alter_engine.cc).
#include <fmt/format.h>

#include "common/ascii.h"
#include "sql/binder/binder.h"
#include "sql/errors.h"
#include "sql/execution/table_writer.h"
#include "sql/parser/ast_alter.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

// What rows stored before ALTER TABLE … ADD COLUMN read as in the new column: its default,
// the ALTER's time for DEFAULT CURRENT_TIMESTAMP, NULL for a nullable column without one,
// and MySQL's implicit default (0, '', the first ENUM member, the zero date) for NOT NULL.
Result<Value> AddedDefault(Session& session, const ColumnSchema& col) {
  using TK = ast::TypeKind;
  switch (col.default_kind) {
    case DefaultKind::kValue: return col.default_value;  // a TIMESTAMP's is UTC already
    case DefaultKind::kCurrentTimestamp: return CurrentTimeForColumn(col, session.eval_context());
    case DefaultKind::kNull: return Value::Null();
    case DefaultKind::kNone: break;
  }
  if (col.nullable) return Value::Null();
  if (col.type.kind == TK::kEnum) return Value::String(col.type.enum_values.empty() ? "" : col.type.enum_values[0]);
  if (col.type.kind == TK::kJson) return Value::String("null");
  if (col.type.kind == TK::kDate) return Value::String("0000-00-00");
  if (col.type.kind == TK::kDateTime || col.type.kind == TK::kTimestamp) return Value::String("0000-00-00 00:00:00");
  if (col.type.kind == TK::kTime) return Value::String("00:00:00");
  if (col.type.IsString()) return Value::String("");
  return ConvertForColumn(col, Value::Int(0), 1);
}

bool InPrimaryKey(const TableSchema& t, uint32_t column) {
  return std::find(t.primary.columns.begin(), t.primary.columns.end(), column) != t.primary.columns.end();
}

// ALTER TABLE t DROP COLUMN c: the column leaves the rows and every index; an index of that
// column alone goes with it. Not offered (1235): a primary key column, or one in a unique
// index with other columns (which could then hold duplicates).
Result<QueryResult> DropColumn(Session& session, const std::string& db, const ast::AlterTable& stmt) {
  auto reshape = [&](const TableSchema& old) -> Result<TableSchema> {
    std::optional<uint32_t> k = old.FindColumn(stmt.from);
    if (!k) return ErrCantDropKey(stmt.from);
    if (old.columns.size() == 1)
      return Status::InvalidArgument("You can't delete all columns with ALTER TABLE; use DROP TABLE instead")
          .WithMysql(1090, "42000");
    if (InPrimaryKey(old, *k)) return ErrNotSupportedYet("ALTER TABLE ... DROP COLUMN of a PRIMARY KEY column");
    TableSchema t = old;
    t.columns.erase(t.columns.begin() + *k);
    std::vector<IndexSchema> kept;
    for (IndexSchema index : t.indexes) {
      bool has = std::find(index.columns.begin(), index.columns.end(), *k) != index.columns.end();
      if (has && index.columns.size() == 1) continue;
      if (has && index.unique) return ErrNotSupportedYet("ALTER TABLE ... DROP COLUMN of a column in a several-column UNIQUE key");
      std::vector<uint32_t> columns;
      for (uint32_t c : index.columns)
        if (c != *k) columns.push_back(c > *k ? c - 1 : c);
      index.columns = std::move(columns);
      kept.push_back(std::move(index));
    }
    t.indexes = std::move(kept);
    for (uint32_t& c : t.primary.columns) c = c > *k ? c - 1 : c;
    return t;
  };
  std::optional<uint32_t> dropped;
  auto transform = [&](const Row& row, uint64_t) -> Result<Row> {
    Row out = row;
    out.erase(out.begin() + *dropped);
    return out;
  };
  auto reshape_and_note = [&](const TableSchema& old) -> Result<TableSchema> {
    dropped = old.FindColumn(stmt.from);
    return reshape(old);
  };
  STRATA_RETURN_IF_ERROR(RebuildTable(session, db, stmt.table.name, reshape_and_note, transform));
  return QueryResult();
}

// ALTER TABLE t MODIFY [COLUMN] def / CHANGE [COLUMN] old def: a new definition (and name),
// every row's value converted to it with INSERT's strict errors (a NULL into NOT NULL is
// 1138). Not offered (1235): a primary key column, a column of a UNIQUE key (converted
// values could collide), or making a column AUTO_INCREMENT, PRIMARY KEY or UNIQUE.
Result<QueryResult> ModifyColumn(Session& session, const std::string& db, const ast::AlterTable& stmt) {
  const ast::ColumnDef& def = stmt.column;
  ColumnSchema col;
  std::optional<uint32_t> k;
  bool from_timestamp = false;
  auto reshape = [&](const TableSchema& old) -> Result<TableSchema> {
    k = old.FindColumn(stmt.from);
    if (!k) return ErrUnknownColumn(stmt.from, old.name);
    from_timestamp = old.columns[*k].type.kind == ast::TypeKind::kTimestamp;
    if (InPrimaryKey(old, *k)) return ErrNotSupportedYet("ALTER TABLE ... MODIFY/CHANGE of a PRIMARY KEY column");
    for (const IndexSchema& index : old.indexes) {  // converted values could collide (MySQL: 1062)
      if (index.unique && std::find(index.columns.begin(), index.columns.end(), *k) != index.columns.end())
        return ErrNotSupportedYet("ALTER TABLE ... MODIFY/CHANGE of a column in a UNIQUE key");
    }
    if (def.primary_key || def.unique || (def.auto_increment && !old.columns[*k].auto_increment))
      return ErrNotSupportedYet("ALTER TABLE ... MODIFY/CHANGE to AUTO_INCREMENT, PRIMARY KEY or UNIQUE");
    std::optional<uint32_t> clash = old.FindColumn(def.name);
    if (clash && *clash != *k) return ErrDuplicateColumn(def.name);
    STRATA_RETURN_IF_ERROR(BuildColumn(session, def, old.DefaultCollationId(), &col));
    TableSchema t = old;
    t.columns[*k] = col;
    return t;
  };
  // A TIMESTAMP's stored UTC reads as the session's time when the column becomes another
  // type, and the session's time is stored as UTC when a column becomes a TIMESTAMP (as MySQL).
  // Strict, as every conversion of a rebuild: an out-of-range time is 1292.
  EvalContext zone;
  zone.time_zone = session.time_zone();
  auto transform = [&](const Row& row, uint64_t row_number) -> Result<Row> {
    Row out = row;
    const bool to_timestamp = col.type.kind == ast::TypeKind::kTimestamp;
    const Value source = from_timestamp && !to_timestamp ? StoredTimestamp(row[*k], zone) : row[*k];
    STRATA_ASSIGN_OR_RETURN(out[*k], ConvertForColumn(col, source, row_number));
    if (to_timestamp && !from_timestamp) {
      STRATA_ASSIGN_OR_RETURN(out[*k], StoredValue(col, std::move(out[*k]), row_number, zone));
    }
    if (out[*k].is_null() && !col.nullable)
      return Status::InvalidArgument("Invalid use of NULL value").WithMysql(1138, "22004");
    return out;
  };
  STRATA_RETURN_IF_ERROR(RebuildTable(session, db, stmt.table.name, reshape, transform));
  return QueryResult();
}

}  // namespace

// ALTER TABLE t ADD COLUMN (at the end; existing rows are not rewritten: they read the
// column's added_default, DecodeRow) and RENAME COLUMN. Both change only the catalog entry, so
// a transaction that wrote the table meanwhile fails its commit with 1213 (table_writer.h).
// DROP / MODIFY / CHANGE rebuild the table (RebuildTable).
Result<QueryResult> AlterTableColumns(Session& session, const ast::AlterTable& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, stmt.table.schema));
  using Action = ast::AlterTable::Action;
  if (stmt.action == Action::kDropColumn) return DropColumn(session, db, stmt);
  if (stmt.action == Action::kModifyColumn || stmt.action == Action::kChangeColumn) return ModifyColumn(session, db, stmt);
  if (stmt.action == Action::kAddColumn &&
      (stmt.column.auto_increment || stmt.column.primary_key || stmt.column.unique))
    return ErrNotSupportedYet("ALTER TABLE ... ADD COLUMN with AUTO_INCREMENT, PRIMARY KEY or UNIQUE");
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    auto table = catalog->FindTable(db, stmt.table.name);
    if (!table) return ErrNoSuchTable(db, stmt.table.name);
    TableSchema updated = *table;
    if (stmt.action == Action::kDefaultCollation) {  // the columns keep theirs, as in MySQL
      STRATA_ASSIGN_OR_RETURN(updated.default_collation, TableCollation(session, stmt.charset, stmt.collation));
    } else if (stmt.action == Action::kAddColumn) {
      if (updated.FindColumn(stmt.column.name)) return ErrDuplicateColumn(stmt.column.name);
      ColumnSchema col;
      STRATA_RETURN_IF_ERROR(BuildColumn(session, stmt.column, updated.DefaultCollationId(), &col));
      STRATA_ASSIGN_OR_RETURN(col.added_default, AddedDefault(session, col));
      updated.columns.push_back(std::move(col));
    } else {
      std::optional<uint32_t> from = updated.FindColumn(stmt.from);
      if (!from) return ErrUnknownColumn(stmt.from, updated.name);
      std::optional<uint32_t> to = updated.FindColumn(stmt.to);
      if (to && *to != *from) return ErrDuplicateColumn(stmt.to);
      updated.columns[*from].name = stmt.to;
    }
    return session.engine().catalog().UpdateTable(txn, updated);
  });
  STRATA_RETURN_IF_ERROR(s);
  return QueryResult();
}

}  // namespace strata::sql
