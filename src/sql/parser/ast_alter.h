// ALTER TABLE forms that change columns (parser_alter.cc; run by session/ddl.cc: ADD, RENAME
// and [DEFAULT] CHARSET / COLLATE change the catalog entry only, DROP / MODIFY / CHANGE rebuild
// the table online). The index and rename forms of ALTER TABLE become CreateIndex, DropIndex
// and RenameTable statements.
#pragma once

#include <string>

#include "sql/parser/ast.h"

namespace strata::sql::ast {

struct AlterTable : Statement {
  AlterTable() : Statement(StatementKind::kAlterTable) {}
  enum class Action : uint8_t { kAddColumn, kRenameColumn, kDropColumn, kModifyColumn, kChangeColumn, kDefaultCollation };
  TableName table;
  Action action = Action::kAddColumn;
  ColumnDef column;      // kAddColumn, kModifyColumn, kChangeColumn (the new definition)
  std::string from, to;  // kRenameColumn; from: kDropColumn, kChangeColumn
  std::string charset, collation;  // kDefaultCollation: [DEFAULT] CHARSET x / COLLATE y
};

}  // namespace strata::sql::ast
