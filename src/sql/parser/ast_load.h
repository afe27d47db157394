// LOAD DATA [LOCAL] INFILE 'file' [REPLACE | IGNORE] INTO TABLE t
//   [CHARACTER SET cs] [{FIELDS | COLUMNS} [TERMINATED BY 's'] [[OPTIONALLY] ENCLOSED BY 'c']
//   [ESCAPED BY 'c']] [LINES [STARTING BY 's'] [TERMINATED BY 's']] [IGNORE n {LINES | ROWS}]
//   [(column, ...)]
// (parser_account.cc; run by session/load_data.cc).
#pragma once

#include <string>
#include <vector>

#include "sql/parser/ast.h"

namespace strata::sql::ast {

struct LoadData : Statement {
  LoadData() : Statement(StatementKind::kLoadData) {}
  bool local = false;
  std::string file;
  bool replace = false;
  bool ignore = false;
  TableName table;
  std::string fields_terminated = "\t";
  std::string enclosed;  // "" or one character
  bool optionally_enclosed = false;
  std::string escaped = "\\";  // "" or one character
  std::string lines_starting;
  std::string lines_terminated = "\n";
  uint64_t ignore_lines = 0;
  std::vector<std::string> columns;  // empty: every column in table order; "@x" skips the field
};

}  // namespace strata::sql::ast
