// CREATE TABLE t [(definitions)] [options] [IGNORE | REPLACE] [AS] query (executors.h,
// CreateTableAsSelect): the table gets the defined columns the query lacks, then the
// query's result columns (as defined where the definitions name them), is created, and then takes the query's rows as INSERT [IGNORE | REPLACE]
// INTO t (the query's columns) query would write them. When the rows cannot all be
// written the table is dropped again, so the statement leaves nothing behind (as MySQL 8's
// atomic CREATE TABLE … SELECT); it commits implicitly, before and after, as DDL does.
#include "sql/errors.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

// A column for one result column of the query. A bare table column keeps its type,
// collation, NOT NULL (unless an outer join may make it NULL), default and comment, as in
// MySQL (not AUTO_INCREMENT, ON UPDATE or keys); an expression gets the widest type of its
// kind, NOT NULL when it cannot be NULL (a text one the table's collation, BuildTable).
ColumnSchema QueryColumn(const std::string& name, const OutType& type, bool outer_join) {
  using TK = ast::TypeKind;
  ColumnSchema c;
  if (type.table != nullptr && type.column >= 0 && static_cast<size_t>(type.column) < type.table->columns.size()) {
    c = type.table->columns[static_cast<size_t>(type.column)];
    c.name = name;
    c.nullable = c.nullable || outer_join;
    if (c.nullable && c.default_kind == DefaultKind::kNone) c.default_kind = DefaultKind::kNull;
    c.auto_increment = false;
    c.on_update_current_timestamp = false;
    c.added_default = Value::Null();
    return c;
  }
  c.name = name;
  c.nullable = !type.not_null;
  switch (type.kind) {
    case OutKind::kNull:
      c.type.kind = TK::kBinary;  // MySQL's BINARY(0) for a NULL literal
      c.nullable = true;
      break;
    case OutKind::kInt: case OutKind::kUint:
      c.type.kind = type.length != 0 && type.length < 11 ? TK::kInt : TK::kBigInt;
      c.type.is_unsigned = type.kind == OutKind::kUint;
      break;
    case OutKind::kDouble: c.type.kind = type.single_precision ? TK::kFloat : TK::kDouble; break;
    case OutKind::kDecimal:
      c.type.kind = TK::kDecimal;
      c.type.scale = std::min<uint32_t>(type.decimals, 30);
      c.type.length = 65;
      break;
    case OutKind::kString:
      c.type.kind = type.length > 0 && type.length <= 16383 ? TK::kVarchar : TK::kLongText;
      c.type.length = c.type.kind == TK::kVarchar ? type.length : 0;
      break;
    case OutKind::kBlob: c.type.kind = TK::kLongBlob; break;
    case OutKind::kDate: c.type.kind = TK::kDate; break;
    case OutKind::kDateTime:
      c.type.kind = TK::kDateTime;
      c.type.scale = std::min<uint32_t>(type.decimals, 6);
      break;
    case OutKind::kTime:
      c.type.kind = TK::kTime;
      c.type.scale = std::min<uint32_t>(type.decimals, 6);
      break;
    case OutKind::kJson: c.type.kind = TK::kJson; break;
  }
  if (c.nullable) c.default_kind = DefaultKind::kNull;
  return c;
}

bool HasOuterJoin(const ast::Select& select) {
  for (const ast::TableRef& ref : select.from)
    if (ref.join == ast::JoinKind::kLeft || ref.join == ast::JoinKind::kRight) return true;
  for (const ast::SetOperand& operand : select.set_operands)
    if (HasOuterJoin(*operand.select)) return true;
  return false;
}

}  // namespace

Result<QueryResult> CreateTableAsSelect(Session& session, const ast::CreateTable& stmt, const std::string& db) {
  // The query's result columns (the INSERT below plans it again). Planning reads in the
  // session's transaction: ended before the table is made, so the INSERT sees it.
  std::vector<ColumnSchema> columns;
  std::vector<std::string> names;
  {
    Result<PlannedQuery> query = PlanQuery(session, *stmt.select, nullptr, nullptr);
    STRATA_RETURN_IF_ERROR(session.Execute(ast::Rollback()).status());
    STRATA_RETURN_IF_ERROR(query.status());
    const bool outer_join = HasOuterJoin(*stmt.select);
    for (size_t i = 0; i < query->visible; i++) {
      columns.push_back(QueryColumn(query->names[i], query->types[i], outer_join));
      names.push_back(query->names[i]);
    }
  }
  STRATA_ASSIGN_OR_RETURN(TableSchema schema, BuildTable(session, stmt, db, std::move(columns)));
  QueryResult result;
  STRATA_ASSIGN_OR_RETURN(bool created, AddTableEntry(session, stmt, &schema, &result.warning_list));
  if (!created) return result;

  // The rows: INSERT [IGNORE | REPLACE] INTO db.t (the query's columns) query, run as a
  // statement of its own and committed (also with autocommit off: DDL commits). The query
  // is the statement's own, lent to the INSERT for the call.
  ast::Insert insert;
  insert.table = {db, stmt.table.name};
  insert.ignore = stmt.select_ignore;
  insert.replace = stmt.select_replace;
  insert.columns = names;
  auto& lent = const_cast<std::unique_ptr<ast::Select>&>(stmt.select);
  insert.select = std::move(lent);
  Result<QueryResult> inserted = session.Execute(insert);
  lent = std::move(insert.select);
  Status committed = inserted.ok() ? session.Execute(ast::Commit()).status() : Status::OK();
  if (!inserted.ok() || !committed.ok()) {
    Status error = inserted.ok() ? committed : inserted.status();
    STRATA_RETURN_IF_ERROR(session.Execute(ast::Rollback()).status());
    ast::DropTable drop;
    drop.tables.push_back({db, stmt.table.name});
    STRATA_RETURN_IF_ERROR(ExecuteDdl(session, drop).status());
    return error;
  }
  return inserted;
}

}  // namespace strata::sql
