// Session and administrative statements: SET, SHOW, DESCRIBE, transaction control and
// LOCK/UNLOCK TABLES.
#include "sql/parser/parser_internal.h"

namespace strata::sql::internal {

namespace {

ast::ExprPtr StringLiteral(std::string value) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = ast::ExprKind::kLiteral;
  e->literal_kind = ast::LiteralKind::kString;
  e->source = "'" + value + "'";
  e->text = std::move(value);
  return e;
}

}  // namespace

// ---- SET ----

Result<ast::StatementPtr> Parser::ParseSet() {
  STRATA_RETURN_IF_ERROR(ExpectWord("SET"));
  auto set = std::make_unique<ast::Set>();
  // The most recent GLOBAL/SESSION modifier applies to later items without one (as MySQL).
  ast::VariableScope scope = ast::VariableScope::kSession;
  do {
    ast::SetItem item;
    bool scope_written = false;
    if (AcceptWord("GLOBAL")) {
      scope = ast::VariableScope::kGlobal;
      scope_written = true;
    } else if (AcceptWord("SESSION") || AcceptWord("LOCAL")) {
      scope = ast::VariableScope::kSession;
      scope_written = true;
    } else if (PeekWord("PERSIST") || PeekWord("PERSIST_ONLY")) {
      return ErrNotSupportedYet("SET PERSIST");
    }
    if (AcceptWord("TRANSACTION")) {  // SET [scope] TRANSACTION characteristic, ...
      if (!set->items.empty()) return ErrorAt(tokens_[pos_ - 1]);
      ast::VariableScope tx_scope = scope_written ? scope : ast::VariableScope::kDefault;
      do {
        ast::SetItem tx_item;
        tx_item.scope = tx_scope;
        if (AcceptWord("ISOLATION")) {
          STRATA_RETURN_IF_ERROR(ExpectWord("LEVEL"));
          std::string level;
          if (AcceptWord("READ")) {
            if (AcceptWord("COMMITTED")) level = "READ-COMMITTED";
            else if (AcceptWord("UNCOMMITTED")) level = "READ-UNCOMMITTED";
            else return Error();
          } else if (AcceptWord("REPEATABLE")) {
            STRATA_RETURN_IF_ERROR(ExpectWord("READ"));
            level = "REPEATABLE-READ";
          } else if (AcceptWord("SERIALIZABLE")) {
            level = "SERIALIZABLE";
          } else {
            return Error();
          }
          tx_item.name = "transaction_isolation";
          tx_item.value = StringLiteral(std::move(level));
        } else if (AcceptWord("READ")) {
          bool read_only = AcceptWord("ONLY");
          if (!read_only) STRATA_RETURN_IF_ERROR(ExpectWord("WRITE"));
          tx_item.name = "transaction_read_only";
          tx_item.value = StringLiteral(read_only ? "1" : "0");
        } else {
          return Error();
        }
        set->items.push_back(std::move(tx_item));
      } while (AcceptPunct(","));
      return ast::StatementPtr(std::move(set));
    }
    if (!scope_written && AcceptWord("NAMES")) {
      item.name = "names";
      if (!AcceptWord("DEFAULT")) {
        STRATA_ASSIGN_OR_RETURN(std::string charset, ParseNameOrString());
        item.value = StringLiteral(std::move(charset));
        if (AcceptWord("COLLATE")) {
          STRATA_ASSIGN_OR_RETURN(item.collation, ParseNameOrString());
        }
      }
    } else if (!scope_written && (PeekWord("CHARSET") || (PeekWord("CHARACTER") && PeekWord("SET", 1)))) {
      AcceptCharsetKeyword();
      item.name = "character_set";
      if (!AcceptWord("DEFAULT")) {
        STRATA_ASSIGN_OR_RETURN(std::string charset, ParseNameOrString());
        item.value = StringLiteral(std::move(charset));
      }
    } else {
      const Token& target = Peek();
      if (target.kind == TokenKind::kUserVar) {
        if (scope_written) return Error();
        item.scope = ast::VariableScope::kUser;
        item.name = Advance().value;
      } else if (target.kind == TokenKind::kSysVar) {
        if (scope_written) return Error();
        item.scope = target.var_scope == ast::VariableScope::kGlobal ? ast::VariableScope::kGlobal
                                                                      : ast::VariableScope::kSession;
        item.name = ToLower(Advance().value);
      } else if (PeekIdentifier()) {
        item.scope = scope;
        item.name = ToLower(Advance().value);
        if (AcceptPunct(".")) {  // component.variable
          STRATA_ASSIGN_OR_RETURN(std::string rest, ParseNameAfterDot());
          item.name += "." + ToLower(rest);
        }
      } else {
        return Error();
      }
      if (!AcceptPunct("=") && !AcceptPunct(":=")) return Error();
      const Token& value = Peek();
      const Token& after = Peek(1);
      bool bare_word = value.kind == TokenKind::kWord &&
                       (after.kind == TokenKind::kEnd || (after.kind == TokenKind::kPunct &&
                                                          (after.value == "," || after.value == ";")));
      if (bare_word && IsWord(value, "DEFAULT")) {
        Advance();  // value nullptr: DEFAULT
      } else if (bare_word && item.scope != ast::VariableScope::kUser && !PeekWord("NULL") &&
                 !PeekWord("TRUE") && !PeekWord("FALSE")) {
        // SET autocommit = ON, SET sql_mode = TRADITIONAL: a bare word is a string value.
        size_t start = pos_;
        item.value = StringLiteral(Advance().value);
        Finish(item.value.get(), start);
      } else {
        STRATA_ASSIGN_OR_RETURN(item.value, ParseExpr());
      }
    }
    set->items.push_back(std::move(item));
  } while (AcceptPunct(","));
  return ast::StatementPtr(std::move(set));
}

// ---- SHOW and DESCRIBE ----

Result<ast::StatementPtr> Parser::ParseShow() {
  STRATA_RETURN_IF_ERROR(ExpectWord("SHOW"));
  auto show = std::make_unique<ast::Show>();
  show->full = AcceptWord("FULL");
  bool scope_written = false;
  if (AcceptWord("GLOBAL")) {
    show->scope = ast::VariableScope::kGlobal;
    scope_written = true;
  } else if (AcceptWord("SESSION") || AcceptWord("LOCAL")) {
    scope_written = true;
  }
  bool like_allowed = true;
  bool from_db_allowed = false;
  if (AcceptWord("DATABASES") || AcceptWord("SCHEMAS")) {
    show->show = ast::ShowKind::kDatabases;
  } else if (AcceptWord("TABLES")) {
    show->show = ast::ShowKind::kTables;
    from_db_allowed = true;
  } else if (AcceptWord("TRIGGERS")) {
    show->show = ast::ShowKind::kTriggers;
    from_db_allowed = true;
  } else if (AcceptWord("COLUMNS") || AcceptWord("FIELDS")) {
    show->show = ast::ShowKind::kColumns;
    if (!AcceptWord("FROM") && !AcceptWord("IN")) return Error();
    STRATA_ASSIGN_OR_RETURN(show->table, ParseTableName());
    from_db_allowed = true;
  } else if (AcceptWord("VARIABLES")) {
    show->show = ast::ShowKind::kVariables;
  } else if (AcceptWord("STATUS")) {
    show->show = ast::ShowKind::kStatus;
  } else if (AcceptWord("CREATE")) {
    if (AcceptWord("TABLE")) {
      show->show = ast::ShowKind::kCreateTable;
      STRATA_ASSIGN_OR_RETURN(show->table, ParseTableName());
    } else if (AcceptWord("VIEW")) {
      show->show = ast::ShowKind::kCreateView;
      STRATA_ASSIGN_OR_RETURN(show->table, ParseTableName());
    } else if (AcceptWord("TRIGGER")) {
      show->show = ast::ShowKind::kCreateTrigger;
      STRATA_ASSIGN_OR_RETURN(show->table, ParseTableName());
    } else if (AcceptWord("DATABASE") || AcceptWord("SCHEMA")) {
      show->show = ast::ShowKind::kCreateDatabase;
      if (AcceptWord("IF")) {
        STRATA_RETURN_IF_ERROR(ExpectWord("NOT"));
        STRATA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
      }
      STRATA_ASSIGN_OR_RETURN(show->database, ParseIdentifier());
    } else {
      return Error();
    }
    like_allowed = false;
  } else if (AcceptWord("WARNINGS") || AcceptWord("ERRORS")) {
    show->show = IsWord(tokens_[pos_ - 1], "WARNINGS") ? ast::ShowKind::kWarnings : ast::ShowKind::kErrors;
    if (AcceptWord("LIMIT")) STRATA_RETURN_IF_ERROR(ParseLimit(&show->limit, &show->offset, true));
    like_allowed = false;
  } else if (AcceptWord("ENGINES") || (PeekWord("STORAGE") && PeekWord("ENGINES", 1) && (pos_ += 2))) {
    show->show = ast::ShowKind::kEngines;
    like_allowed = false;
  } else if (AcceptWord("COLLATION")) {
    show->show = ast::ShowKind::kCollation;
  } else if (AcceptCharsetKeyword()) {
    show->show = ast::ShowKind::kCharset;
  } else if (AcceptWord("PLUGINS")) {
    show->show = ast::ShowKind::kPlugins;
    like_allowed = false;
  } else if ((PeekWord("PROCEDURE") || PeekWord("FUNCTION")) && PeekWord("STATUS", 1)) {
    show->show = PeekWord("PROCEDURE") ? ast::ShowKind::kProcedureStatus : ast::ShowKind::kFunctionStatus;
    pos_ += 2;
  } else if (AcceptWord("PROCESSLIST")) {
    show->show = ast::ShowKind::kProcessList;
    like_allowed = false;
  } else if (AcceptWord("INDEX") || AcceptWord("INDEXES") || AcceptWord("KEYS")) {
    show->show = ast::ShowKind::kIndex;
    if (!AcceptWord("FROM") && !AcceptWord("IN")) return Error();
    STRATA_ASSIGN_OR_RETURN(show->table, ParseTableName());
    from_db_allowed = true;
  } else if (PeekWord("TABLE") && PeekWord("STATUS", 1)) {
    pos_ += 2;
    show->show = ast::ShowKind::kTableStatus;
    from_db_allowed = true;
  } else if (PeekWord("ENGINE") && PeekWord("STATUS", 2)) {
    pos_ += 1;
    show->show = ast::ShowKind::kEngineStatus;
    STRATA_ASSIGN_OR_RETURN(show->table.name, ParseIdentifier());
    pos_ += 1;  // STATUS
    like_allowed = false;
  } else if (PeekWord("CLUSTER") && PeekWord("STATUS", 1)) {
    pos_ += 2;
    show->show = ast::ShowKind::kClusterStatus;
    like_allowed = false;
  } else {
    return Error();
  }
  bool takes_full = show->show == ast::ShowKind::kTables || show->show == ast::ShowKind::kColumns ||
                    show->show == ast::ShowKind::kProcessList || show->show == ast::ShowKind::kIndex;
  bool takes_scope = show->show == ast::ShowKind::kVariables || show->show == ast::ShowKind::kStatus;
  if ((show->full && !takes_full) || (scope_written && !takes_scope)) return ErrorAt(tokens_[pos_ - 1]);
  if (from_db_allowed && (AcceptWord("FROM") || AcceptWord("IN"))) {
    STRATA_ASSIGN_OR_RETURN(std::string db, ParseIdentifier());
    if (show->show == ast::ShowKind::kTables || show->show == ast::ShowKind::kTableStatus ||
        show->show == ast::ShowKind::kTriggers) {
      show->database = std::move(db);
    } else {
      show->table.schema = std::move(db);
    }
  }
  if (like_allowed && AcceptWord("LIKE")) {
    if (Peek().kind != TokenKind::kString) return Error();
    STRATA_ASSIGN_OR_RETURN(ast::ExprPtr pattern, ParseStringLiteral());
    show->like = pattern->text;
  } else if (like_allowed && AcceptWord("WHERE")) {
    STRATA_ASSIGN_OR_RETURN(show->where, ParseExpr());
  }
  return ast::StatementPtr(std::move(show));
}

bool Parser::PeekWrite() const {
  return PeekWord("INSERT") || PeekWord("REPLACE") || PeekWord("UPDATE") || PeekWord("DELETE");
}

// EXPLAIN [FORMAT = …] INSERT | REPLACE | UPDATE | DELETE …: the write, planned, not run.
Result<ast::StatementPtr> Parser::ParseExplainWrite(std::unique_ptr<ast::Explain> explain) {
  STRATA_ASSIGN_OR_RETURN(explain->write, PeekWord("UPDATE") ? ParseUpdate()
                                          : PeekWord("DELETE") ? ParseDelete()
                                                               : ParseInsert());
  return ast::StatementPtr(std::move(explain));
}

// The query (or, after WITH, the UPDATE / DELETE) an EXPLAIN explains.
Result<ast::StatementPtr> Parser::ParseExplained(std::unique_ptr<ast::Explain> explain) {
  STRATA_ASSIGN_OR_RETURN(ast::StatementPtr stmt, ParseSelect());
  if (stmt->kind == ast::StatementKind::kSelect) {
    explain->query.reset(static_cast<ast::Select*>(stmt.release()));
  } else if (explain->analyze) {  // WITH … UPDATE / DELETE
    return ErrNotSupportedYet("EXPLAIN ANALYZE of a statement other than a query");
  } else {
    explain->write = std::move(stmt);
  }
  return ast::StatementPtr(std::move(explain));
}

// DESCRIBE | DESC | EXPLAIN t [column | 'pattern']: SHOW COLUMNS FROM t.
Result<ast::StatementPtr> Parser::ParseDescribe() {
  Advance();
  AcceptWord("EXTENDED");
  if (PeekWord("FORMAT") || PeekWord("SELECT") || PeekWord("WITH") || PeekPunct("(")) {
    auto explain = std::make_unique<ast::Explain>();
    if (AcceptWord("FORMAT")) {
      STRATA_RETURN_IF_ERROR(ExpectPunct("="));
      if (AcceptWord("TREE")) explain->tree = true;
      else if (!AcceptWord("TRADITIONAL")) {
        if (PeekWord("JSON")) return ErrNotSupportedYet("EXPLAIN FORMAT=JSON");
        return Error();
      }
    }
    if (PeekWrite()) return ParseExplainWrite(std::move(explain));
    if (!PeekWord("SELECT") && !PeekWord("WITH") && !PeekPunct("(")) return ErrNotSupportedYet("EXPLAIN of a statement other than a query");
    return ParseExplained(std::move(explain));
  }
  if (PeekWrite()) return ParseExplainWrite(std::make_unique<ast::Explain>());
  if (PeekWord("TABLE")) return ErrNotSupportedYet("EXPLAIN of a statement other than a query");
  if (PeekWord("ANALYZE") && (PeekWord("SELECT", 1) || PeekWord("WITH", 1) || PeekPunct("(", 1) ||
                              PeekWord("FORMAT", 1))) {
    Advance();
    auto explain = std::make_unique<ast::Explain>();
    explain->analyze = explain->tree = true;
    if (AcceptWord("FORMAT")) {  // EXPLAIN ANALYZE FORMAT=TREE (the only one)
      STRATA_RETURN_IF_ERROR(ExpectPunct("="));
      if (!AcceptWord("TREE")) return ErrNotSupportedYet("EXPLAIN ANALYZE in a format other than TREE");
    }
    if (PeekWrite()) return ErrNotSupportedYet("EXPLAIN ANALYZE of a statement other than a query");
    return ParseExplained(std::move(explain));
  }
  if (PeekWord("ANALYZE")) return ErrNotSupportedYet("EXPLAIN ANALYZE of a statement other than a query");
  if (PeekWord("FOR")) return ErrNotSupportedYet("EXPLAIN FOR CONNECTION");
  auto show = std::make_unique<ast::Show>();
  show->show = ast::ShowKind::kColumns;
  STRATA_ASSIGN_OR_RETURN(show->table, ParseTableName());
  if (PeekIdentifier() || (Peek().kind == TokenKind::kString && Peek().quoted_string)) {
    show->column = Advance().value;
  }
  return ast::StatementPtr(std::move(show));
}

// ---- transactions ----

Result<ast::StatementPtr> Parser::ParseBegin() {
  STRATA_RETURN_IF_ERROR(ExpectWord("BEGIN"));
  AcceptWord("WORK");
  return ast::StatementPtr(std::make_unique<ast::Begin>());
}

Result<ast::StatementPtr> Parser::ParseStartTransaction() {
  STRATA_RETURN_IF_ERROR(ExpectWord("START"));
  STRATA_RETURN_IF_ERROR(ExpectWord("TRANSACTION"));
  auto begin = std::make_unique<ast::Begin>();
  if (AtEnd()) return ast::StatementPtr(std::move(begin));
  bool access_mode_seen = false;
  do {
    if (AcceptWord("READ")) {
      if (access_mode_seen) return ErrorAt(tokens_[pos_ - 1]);
      access_mode_seen = true;
      begin->read_only = AcceptWord("ONLY");
      if (!begin->read_only) STRATA_RETURN_IF_ERROR(ExpectWord("WRITE"));
    } else if (AcceptWord("WITH")) {
      STRATA_RETURN_IF_ERROR(ExpectWord("CONSISTENT"));
      STRATA_RETURN_IF_ERROR(ExpectWord("SNAPSHOT"));
    } else {
      return Error();
    }
  } while (AcceptPunct(","));
  return ast::StatementPtr(std::move(begin));
}

// COMMIT|ROLLBACK [WORK] [AND NO CHAIN] [NO RELEASE]; chaining and RELEASE are not supported.
Result<ast::StatementPtr> Parser::ParseCommitOrRollback(bool commit) {
  Advance();
  AcceptWord("WORK");
  if (!commit && AcceptWord("TO")) {  // ROLLBACK [WORK] TO [SAVEPOINT] name
    AcceptWord("SAVEPOINT");
    auto sp = std::make_unique<ast::Savepoint>();
    sp->action = ast::Savepoint::Action::kRollbackTo;
    STRATA_ASSIGN_OR_RETURN(sp->name, ParseIdentifier());
    return ast::StatementPtr(std::move(sp));
  }
  if (AcceptWord("AND")) {
    if (!AcceptWord("NO")) {
      if (PeekWord("CHAIN")) return ErrNotSupportedYet("AND CHAIN");
      return Error();
    }
    STRATA_RETURN_IF_ERROR(ExpectWord("CHAIN"));
  }
  if (AcceptWord("NO")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("RELEASE"));
  } else if (PeekWord("RELEASE")) {
    return ErrNotSupportedYet("RELEASE");
  }
  if (commit) return ast::StatementPtr(std::make_unique<ast::Commit>());
  return ast::StatementPtr(std::make_unique<ast::Rollback>());
}

Result<ast::StatementPtr> Parser::ParseSavepoint() {
  auto sp = std::make_unique<ast::Savepoint>();
  if (AcceptWord("RELEASE")) sp->action = ast::Savepoint::Action::kRelease;
  STRATA_RETURN_IF_ERROR(ExpectWord("SAVEPOINT"));
  STRATA_ASSIGN_OR_RETURN(sp->name, ParseIdentifier());
  return ast::StatementPtr(std::move(sp));
}

// ---- LOCK / UNLOCK TABLES ----

Result<ast::StatementPtr> Parser::ParseLockTables() {
  STRATA_RETURN_IF_ERROR(ExpectWord("LOCK"));
  if (!AcceptWord("TABLES") && !AcceptWord("TABLE")) {
    if (PeekWord("INSTANCE")) return ErrNotSupportedYet("LOCK INSTANCE");
    return Error();
  }
  auto lock = std::make_unique<ast::LockTables>();
  do {
    ast::LockTable item;
    STRATA_ASSIGN_OR_RETURN(item.table, ParseTableName());
    STRATA_ASSIGN_OR_RETURN(item.alias, ParseOptionalAlias());
    if (AcceptWord("READ")) {
      AcceptWord("LOCAL");
    } else {
      AcceptWord("LOW_PRIORITY");
      STRATA_RETURN_IF_ERROR(ExpectWord("WRITE"));
      item.write = true;
    }
    lock->tables.push_back(std::move(item));
  } while (AcceptPunct(","));
  return ast::StatementPtr(std::move(lock));
}

Result<ast::StatementPtr> Parser::ParseUnlockTables() {
  STRATA_RETURN_IF_ERROR(ExpectWord("UNLOCK"));
  if (!AcceptWord("TABLES") && !AcceptWord("TABLE")) return Error();
  return ast::StatementPtr(std::make_unique<ast::UnlockTables>());
}

// ---- ANALYZE / CHECK / OPTIMIZE / REPAIR TABLE (ast_admin.h) ----

Result<ast::StatementPtr> Parser::ParseTableMaintenance() {
  using Op = ast::MaintenanceOp;
  auto stmt = std::make_unique<ast::TableMaintenance>();
  if (AcceptWord("ANALYZE")) {
    stmt->op = Op::kAnalyze;
  } else if (AcceptWord("CHECK")) {
    stmt->op = Op::kCheck;
  } else if (AcceptWord("OPTIMIZE")) {
    stmt->op = Op::kOptimize;
  } else {
    STRATA_RETURN_IF_ERROR(ExpectWord("REPAIR"));
    stmt->op = Op::kRepair;
  }
  if (stmt->op != Op::kCheck && !AcceptWord("NO_WRITE_TO_BINLOG")) (void)AcceptWord("LOCAL");
  if (!AcceptWord("TABLE") && !AcceptWord("TABLES")) return Error();
  do {
    STRATA_ASSIGN_OR_RETURN(ast::TableName table, ParseTableName());
    stmt->tables.push_back(std::move(table));
  } while (AcceptPunct(","));
  if (stmt->op == Op::kAnalyze && (PeekWord("UPDATE") || PeekWord("DROP")))
    return ErrNotSupportedYet("ANALYZE TABLE ... HISTOGRAM");
  if (stmt->op == Op::kCheck) {
    while (true) {
      if (AcceptWord("FOR")) {
        STRATA_RETURN_IF_ERROR(ExpectWord("UPGRADE"));
      } else if (!AcceptWord("QUICK") && !AcceptWord("FAST") && !AcceptWord("MEDIUM") && !AcceptWord("EXTENDED") &&
                 !AcceptWord("CHANGED")) {
        break;
      }
    }
  } else if (stmt->op == Op::kRepair) {
    while (AcceptWord("QUICK") || AcceptWord("EXTENDED") || AcceptWord("USE_FRM")) {
    }
  }
  return ast::StatementPtr(std::move(stmt));
}

Result<ast::StatementPtr> Parser::ParseAlterCluster() {
  STRATA_RETURN_IF_ERROR(ExpectWord("ALTER"));
  STRATA_RETURN_IF_ERROR(ExpectWord("CLUSTER"));
  auto alter = std::make_unique<ast::AlterCluster>();
  using Action = ast::AlterCluster::Action;
  if (AcceptWord("ADD")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("NODE"));
    alter->action = Action::kAddNode;
  } else if (AcceptWord("REMOVE")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("NODE"));
    alter->action = Action::kRemoveNode;
  } else if (AcceptWord("TRANSFER")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("LEADER"));
    AcceptWord("TO");
    alter->action = Action::kTransferLeader;
  } else {
    return Error();
  }
  STRATA_ASSIGN_OR_RETURN(alter->node_id, ParseUnsigned());
  if (alter->action == Action::kAddNode) {
    // RAFT 'h:p' is required; ADMIN and MYSQL are optional, in any order.
    while (PeekWord("RAFT") || PeekWord("ADMIN") || PeekWord("MYSQL")) {
      std::string* field = AcceptWord("RAFT") ? &alter->raft_addr : AcceptWord("ADMIN") ? &alter->admin_addr
                                                                                          : (Advance(), &alter->mysql_addr);
      if (Peek().kind != TokenKind::kString) return Error();
      *field = Advance().value;
    }
    if (alter->raft_addr.empty()) return ErrorAt(Peek());
  }
  return ast::StatementPtr(std::move(alter));
}

// ---- PREPARE / EXECUTE / DEALLOCATE PREPARE ----

Result<ast::StatementPtr> Parser::ParsePrepare() {
  STRATA_RETURN_IF_ERROR(ExpectWord("PREPARE"));
  auto prepare = std::make_unique<ast::Prepare>();
  STRATA_ASSIGN_OR_RETURN(prepare->name, ParseIdentifier());
  STRATA_RETURN_IF_ERROR(ExpectWord("FROM"));
  if (Peek().kind == TokenKind::kString) {
    prepare->text = Advance().value;
  } else if (Peek().kind == TokenKind::kUserVar) {
    prepare->from_variable = Advance().value;
  } else {
    return Error();
  }
  return ast::StatementPtr(std::move(prepare));
}

Result<ast::StatementPtr> Parser::ParseExecute() {
  STRATA_RETURN_IF_ERROR(ExpectWord("EXECUTE"));
  auto execute = std::make_unique<ast::Execute>();
  STRATA_ASSIGN_OR_RETURN(execute->name, ParseIdentifier());
  if (AcceptWord("USING")) {
    do {
      if (Peek().kind != TokenKind::kUserVar) return Error();
      execute->using_variables.push_back(Advance().value);
    } while (AcceptPunct(","));
  }
  return ast::StatementPtr(std::move(execute));
}

Result<ast::StatementPtr> Parser::ParseDeallocate() {
  Advance();  // DEALLOCATE or DROP
  STRATA_RETURN_IF_ERROR(ExpectWord("PREPARE"));
  auto deallocate = std::make_unique<ast::Deallocate>();
  STRATA_ASSIGN_OR_RETURN(deallocate->name, ParseIdentifier());
  return ast::StatementPtr(std::move(deallocate));
}

}  // namespace strata::sql::internal
