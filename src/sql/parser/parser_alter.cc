// ALTER TABLE t <change>: one change per statement.
//   ADD [COLUMN] <column definition>          → ast::AlterTable (kAddColumn), at the end
//   ADD {INDEX | KEY | UNIQUE …} [name] (cols) → ast::CreateIndex
//   DROP {INDEX | KEY} name                   → ast::DropIndex
//   RENAME COLUMN a TO b                      → ast::AlterTable (kRenameColumn)
//   DROP [COLUMN] c, MODIFY [COLUMN] def, CHANGE [COLUMN] old def → ast::AlterTable
//   RENAME [TO | AS] new_name                 → ast::RenameTable
// ALGORITHM= and LOCK= hints are accepted and ignored. Anything else (FIRST/AFTER, several
// changes at once, PRIMARY KEY / FOREIGN KEY / CHECK) is 1235.
#include "sql/parser/ast_alter.h"
#include "sql/parser/parser_internal.h"

namespace strata::sql::internal {

Result<ast::StatementPtr> Parser::ParseAlterTable(ast::TableName table) {
  ast::StatementPtr out;
  if (AcceptWord("ADD")) {
    bool column = AcceptWord("COLUMN");
    if (!column && (PeekWord("PRIMARY") || PeekWord("FOREIGN") || PeekWord("CHECK") || PeekWord("FULLTEXT") ||
                    PeekWord("SPATIAL")))
      return ErrNotSupportedYet("ALTER TABLE ... ADD " + ToUpper(Peek().value));
    ast::CreateTable element;
    if (column) {
      STRATA_ASSIGN_OR_RETURN(ast::ColumnDef def, ParseColumnDef());
      element.columns.push_back(std::move(def));
    } else {
      STRATA_RETURN_IF_ERROR(ParseTableElement(&element));
      if (!element.indexes.empty() && element.indexes[0].primary)  // ADD CONSTRAINT c PRIMARY KEY
        return ErrNotSupportedYet("ALTER TABLE ... ADD PRIMARY KEY");
    }
    if (PeekWord("FIRST") || PeekWord("AFTER")) return ErrNotSupportedYet("ALTER TABLE ... ADD COLUMN ... FIRST/AFTER");
    if (!element.columns.empty()) {
      auto alter = std::make_unique<ast::AlterTable>();
      alter->table = std::move(table);
      alter->action = ast::AlterTable::Action::kAddColumn;
      alter->column = std::move(element.columns[0]);
      out = std::move(alter);
    } else {
      auto create = std::make_unique<ast::CreateIndex>();
      create->table = std::move(table);
      create->index = std::move(element.indexes[0]);
      out = std::move(create);
    }
  } else if (AcceptWord("DROP")) {
    if (AcceptWord("INDEX") || AcceptWord("KEY")) {
      auto drop = std::make_unique<ast::DropIndex>();
      drop->table = std::move(table);
      STRATA_ASSIGN_OR_RETURN(drop->name, ParseIdentifier());
      out = std::move(drop);
    } else {
      if (PeekWord("PRIMARY") || PeekWord("FOREIGN") || PeekWord("CHECK") || PeekWord("CONSTRAINT"))
        return ErrNotSupportedYet("ALTER TABLE ... DROP " + ToUpper(Peek().value));
      AcceptWord("COLUMN");
      auto alter = std::make_unique<ast::AlterTable>();
      alter->table = std::move(table);
      alter->action = ast::AlterTable::Action::kDropColumn;
      STRATA_ASSIGN_OR_RETURN(alter->from, ParseIdentifier());
      out = std::move(alter);
    }
  } else if (PeekWord("MODIFY") || PeekWord("CHANGE")) {
    bool change = PeekWord("CHANGE");  // CHANGE [COLUMN] old <new definition> / MODIFY [COLUMN] <definition>
    Advance();
    AcceptWord("COLUMN");
    auto alter = std::make_unique<ast::AlterTable>();
    alter->table = std::move(table);
    alter->action = change ? ast::AlterTable::Action::kChangeColumn : ast::AlterTable::Action::kModifyColumn;
    if (change) {
      STRATA_ASSIGN_OR_RETURN(alter->from, ParseIdentifier());
    }
    STRATA_ASSIGN_OR_RETURN(alter->column, ParseColumnDef());
    if (!change) alter->from = alter->column.name;
    if (PeekWord("FIRST") || PeekWord("AFTER")) return ErrNotSupportedYet("ALTER TABLE ... FIRST/AFTER");
    out = std::move(alter);
  } else if (AcceptWord("RENAME")) {
    if (AcceptWord("COLUMN")) {
      auto alter = std::make_unique<ast::AlterTable>();
      alter->table = std::move(table);
      alter->action = ast::AlterTable::Action::kRenameColumn;
      STRATA_ASSIGN_OR_RETURN(alter->from, ParseIdentifier());
      STRATA_RETURN_IF_ERROR(ExpectWord("TO"));
      STRATA_ASSIGN_OR_RETURN(alter->to, ParseIdentifier());
      out = std::move(alter);
    } else {
      if (PeekWord("INDEX") || PeekWord("KEY")) return ErrNotSupportedYet("ALTER TABLE ... RENAME INDEX");
      if (!AcceptWord("TO")) AcceptWord("AS");
      auto rename = std::make_unique<ast::RenameTable>();
      STRATA_ASSIGN_OR_RETURN(ast::TableName to, ParseTableName());
      rename->renames.emplace_back(std::move(table), std::move(to));
      out = std::move(rename);
    }
  } else if (PeekWord("DEFAULT") || PeekWord("COLLATE") || PeekWord("CHARSET") ||
             (PeekWord("CHARACTER") && PeekWord("SET", 1))) {
    // [DEFAULT] CHARACTER SET [=] x [[DEFAULT] COLLATE [=] y]: the table's default collation
    auto alter = std::make_unique<ast::AlterTable>();
    alter->table = std::move(table);
    alter->action = ast::AlterTable::Action::kDefaultCollation;
    while (!AtEnd() && !PeekPunct(",")) {
      AcceptWord("DEFAULT");
      if (AcceptCharsetKeyword()) {
        AcceptPunct("=");
        STRATA_ASSIGN_OR_RETURN(alter->charset, ParseCharsetName());
      } else if (AcceptWord("COLLATE")) {
        AcceptPunct("=");
        STRATA_ASSIGN_OR_RETURN(alter->collation, ParseCharsetName());
      } else {
        return Error();
      }
    }
    out = std::move(alter);
  } else if (PeekWord("ENGINE")) {  // ENGINE alone is parser.cc's AlterTableEngine
    return ErrNotSupportedYet("ALTER TABLE ... ENGINE with other changes");
  } else {
    return ErrNotSupportedYet(AtEnd() ? std::string("ALTER TABLE without a change")
                                      : "ALTER TABLE ... " + ToUpper(Peek().value));
  }
  while (AcceptPunct(",")) {  // ALGORITHM = x, LOCK = y: hints; any other change is not offered
    if (!AcceptWord("ALGORITHM") && !AcceptWord("LOCK")) return ErrNotSupportedYet("ALTER TABLE with several changes");
    AcceptPunct("=");
    STRATA_ASSIGN_OR_RETURN(std::string ignored, ParseNameOrString());
  }
  if (!AtEnd()) return Error();
  return out;
}

}  // namespace strata::sql::internal
