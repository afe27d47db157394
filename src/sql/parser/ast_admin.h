// Administrative statements: KILL, and the table maintenance statements mysqlcheck and
// operators run (parser.cc / parser_admin.cc; run by session/processes.cc and
// session/table_maintenance.cc).
#pragma once

#include <cstdint>
#include <vector>

#include "sql/parser/ast.h"

namespace strata::sql::ast {

// KILL [CONNECTION | QUERY] id
struct Kill : Statement {
  Kill() : Statement(StatementKind::kKill) {}
  bool query_only = false;  // KILL QUERY: the statement, not the connection
  ExprPtr id;
};

// ANALYZE [NO_WRITE_TO_BINLOG | LOCAL] {TABLE | TABLES} t [, t] ...
// CHECK {TABLE | TABLES} t [, t] ... [FOR UPGRADE | QUICK | FAST | MEDIUM | EXTENDED | CHANGED] ...
// OPTIMIZE [NO_WRITE_TO_BINLOG | LOCAL] {TABLE | TABLES} t [, t] ...
// REPAIR [NO_WRITE_TO_BINLOG | LOCAL] {TABLE | TABLES} t [, t] ... [QUICK] [EXTENDED] [USE_FRM]
// The options change nothing here: every CHECK reads every row and index entry.
enum class MaintenanceOp : uint8_t { kAnalyze, kCheck, kOptimize, kRepair };

struct TableMaintenance : Statement {
  TableMaintenance() : Statement(StatementKind::kTableMaintenance) {}
  MaintenanceOp op = MaintenanceOp::kCheck;
  std::vector<TableName> tables;
};

}  // namespace strata::sql::ast
