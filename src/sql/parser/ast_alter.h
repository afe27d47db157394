// ALTER TABLE forms that change columns (parser_alter.cc; run by session/ddl.cc). The index
// and rename forms of ALTER TABLE become CreateIndex, DropIndex and RenameTable statements.
#pragma once

#include <string>

#include "sql/parser/ast.h"

namespace strata::sql::ast {

struct AlterTable : Statement {
  AlterTable() : Statement(StatementKind::kAlterTable) {}
  enum class Action : uint8_t { kAddColumn, kRenameColumn };
  TableName table;
  Action action = Action::kAddColumn;
  ColumnDef column;      // kAddColumn
  std::string from, to;  // kRenameColumn
};

}  // namespace strata::sql::ast
