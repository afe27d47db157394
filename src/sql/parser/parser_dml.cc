// SELECT, INSERT/REPLACE (VALUES, SET or a SELECT), UPDATE and DELETE (single-table forms;
// joins and subqueries are reported as not supported yet).
#include "sql/parser/parser_internal.h"

namespace strata::sql::internal {

namespace {

bool IsJoinWord(std::string_view upper) {
  return upper == "JOIN" || upper == "INNER" || upper == "LEFT" || upper == "RIGHT" ||
         upper == "CROSS" || upper == "NATURAL" || upper == "STRAIGHT_JOIN" || upper == "OUTER";
}

}  // namespace

// A query expression: SELECT ... or (query), then [UNION|EXCEPT|INTERSECT [ALL|DISTINCT]
// operand]..., where an unparenthesized last operand's ORDER BY / LIMIT / INTO apply to the
// whole (an earlier one's is error 1221, as in MySQL).
Result<ast::StatementPtr> Parser::ParseSelect() {
  if (PeekWord("WITH")) return ParseWith();
  auto set_op_next = [&] { return PeekWord("UNION") || PeekWord("EXCEPT") || PeekWord("INTERSECT"); };
  auto has_order_or_limit = [](const ast::Select& term) { return !term.order_by.empty() || term.limit != nullptr; };
  bool plain = !PeekPunct("(");
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<ast::Select> result, plain ? ParseSelectTerm() : ParseQueryInParentheses());
  if (!set_op_next()) return ast::StatementPtr(std::move(result));
  if (plain && has_order_or_limit(*result)) return ErrUnionOrderBy();
  if (!result->into_vars.empty()) return ErrUnionInto();
  // (q1 UNION q2 ORDER BY ...) UNION q3 would need the inner ORDER BY / LIMIT applied first.
  if (!plain && !result->set_operands.empty() && (!result->set_order_by.empty() || result->set_limit)) {
    return ErrNotSupportedYet("ORDER BY or LIMIT inside a parenthesized set operation");
  }
  bool last_plain = plain;
  while (set_op_next()) {
    ast::SetOperand operand;
    std::string op = ToUpper(Advance().value);
    operand.op = op == "UNION" ? ast::SetOp::kUnion : op == "EXCEPT" ? ast::SetOp::kExcept : ast::SetOp::kIntersect;
    if (AcceptWord("ALL")) operand.all = true;
    else AcceptWord("DISTINCT");
    last_plain = !PeekPunct("(");
    STRATA_ASSIGN_OR_RETURN(operand.select, last_plain ? ParseSelectTerm() : ParseQueryInParentheses());
    if (last_plain && set_op_next() && has_order_or_limit(*operand.select)) return ErrUnionOrderBy();
    if (!operand.select->into_vars.empty() && (!last_plain || set_op_next())) return ErrUnionInto();
    result->set_operands.push_back(std::move(operand));
  }
  if (last_plain) {  // the last SELECT's ORDER BY / LIMIT belong to the whole set operation
    ast::Select& last = *result->set_operands.back().select;
    result->set_order_by = std::move(last.order_by);
    last.order_by.clear();
    result->set_limit = std::move(last.limit);
    result->set_offset = std::move(last.offset);
    result->into_vars = std::move(last.into_vars);
    last.into_vars.clear();
  } else {
    if (AcceptWord("ORDER")) {
      STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
      STRATA_ASSIGN_OR_RETURN(result->set_order_by, ParseOrderList());
    }
    if (AcceptWord("LIMIT")) {
      STRATA_RETURN_IF_ERROR(ParseLimit(&result->set_limit, &result->set_offset, /*allow_offset=*/true));
    }
    STRATA_RETURN_IF_ERROR(ParseSelectInto(result.get()));
  }
  return ast::StatementPtr(std::move(result));
}

// WITH [RECURSIVE] cte [, cte]... query|UPDATE|DELETE, where cte is name [(columns)] AS
// (query).
Result<ast::StatementPtr> Parser::ParseWith() {
  STRATA_RETURN_IF_ERROR(ExpectWord("WITH"));
  std::vector<ast::CommonTableExpr> ctes;
  bool recursive = AcceptWord("RECURSIVE");
  do {
    ast::CommonTableExpr cte;
    STRATA_ASSIGN_OR_RETURN(cte.name, ParseIdentifier());
    if (AcceptPunct("(")) {
      do {
        STRATA_ASSIGN_OR_RETURN(std::string column, ParseIdentifier());
        cte.columns.push_back(std::move(column));
      } while (AcceptPunct(","));
      STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    }
    STRATA_RETURN_IF_ERROR(ExpectWord("AS"));
    STRATA_RETURN_IF_ERROR(ExpectPunct("("));
    STRATA_ASSIGN_OR_RETURN(cte.query, ParseQueryInParentheses());
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    ctes.push_back(std::move(cte));
  } while (AcceptPunct(","));
  if (PeekWord("UPDATE") || PeekWord("DELETE")) {
    bool update = PeekWord("UPDATE");
    STRATA_ASSIGN_OR_RETURN(ast::StatementPtr statement, update ? ParseUpdate() : ParseDelete());
    if (update) {
      auto* u = static_cast<ast::Update*>(statement.get());
      u->with = std::move(ctes);
      u->with_recursive = recursive;
    } else {
      auto* d = static_cast<ast::Delete*>(statement.get());
      d->with = std::move(ctes);
      d->with_recursive = recursive;
    }
    return statement;
  }
  if (PeekWord("INSERT") || PeekWord("REPLACE")) return ErrNotSupportedYet("WITH before " + ToUpper(Peek().value));
  if (PeekWord("WITH")) return Error();
  STRATA_ASSIGN_OR_RETURN(ast::StatementPtr statement, ParseSelect());
  auto* select = static_cast<ast::Select*>(statement.get());
  if (!select->with.empty()) return Error();
  select->with = std::move(ctes);
  select->with_recursive = recursive;
  return statement;
}

// One SELECT with its own clauses.
Result<std::unique_ptr<ast::Select>> Parser::ParseSelectTerm() {
  STRATA_RETURN_IF_ERROR(ExpectWord("SELECT"));
  auto select = std::make_unique<ast::Select>();
  while (true) {  // select options, in any order
    if (AcceptWord("DISTINCT") || AcceptWord("DISTINCTROW")) select->distinct = true;
    else if (AcceptWord("SQL_CALC_FOUND_ROWS")) select->sql_calc_found_rows = true;
    else if (!AcceptWord("ALL") && !AcceptWord("SQL_NO_CACHE") && !AcceptWord("SQL_CACHE") &&
             !AcceptWord("HIGH_PRIORITY") && !AcceptWord("STRAIGHT_JOIN") &&
             !AcceptWord("SQL_SMALL_RESULT") && !AcceptWord("SQL_BIG_RESULT") &&
             !AcceptWord("SQL_BUFFER_RESULT")) {
      break;
    }
  }
  do {
    STRATA_RETURN_IF_ERROR(ParseSelectItem(select.get()));
  } while (AcceptPunct(","));
  STRATA_RETURN_IF_ERROR(ParseSelectInto(select.get()));
  if (AcceptWord("FROM")) STRATA_RETURN_IF_ERROR(ParseFromClause(select.get()));
  if (AcceptWord("WHERE")) {
    STRATA_ASSIGN_OR_RETURN(select->where, ParseExpr());
  }
  if (AcceptWord("GROUP")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
    do {
      STRATA_ASSIGN_OR_RETURN(ast::ExprPtr e, ParseExpr());
      if (!AcceptWord("ASC")) AcceptWord("DESC");
      select->group_by.push_back(std::move(e));
    } while (AcceptPunct(","));
    if (PeekWord("WITH") && PeekWord("ROLLUP", 1)) return ErrNotSupportedYet("WITH ROLLUP");
  }
  if (AcceptWord("HAVING")) {
    STRATA_ASSIGN_OR_RETURN(select->having, ParseExpr());
  }
  if (AcceptWord("WINDOW")) {  // WINDOW w AS (...), ...
    do {
      ast::NamedWindow named;
      STRATA_ASSIGN_OR_RETURN(named.name, ParseIdentifier());
      STRATA_RETURN_IF_ERROR(ExpectWord("AS"));
      STRATA_RETURN_IF_ERROR(ExpectPunct("("));
      STRATA_RETURN_IF_ERROR(ParseWindowBody(&named.spec));
      STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
      select->windows.push_back(std::move(named));
    } while (AcceptPunct(","));
  }
  if (AcceptWord("ORDER")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
    STRATA_ASSIGN_OR_RETURN(select->order_by, ParseOrderList());
  }
  if (AcceptWord("LIMIT")) {
    STRATA_RETURN_IF_ERROR(ParseLimit(&select->limit, &select->offset, /*allow_offset=*/true));
  }
  STRATA_RETURN_IF_ERROR(ParseLockingClause(select.get()));
  STRATA_RETURN_IF_ERROR(ParseSelectInto(select.get()));
  return select;
}

// INTO @a [, @b ...] after the select list or at the end; INTO OUTFILE / DUMPFILE and
// local variables are not supported.
Status Parser::ParseSelectInto(ast::Select* select) {
  if (!PeekWord("INTO")) return Status::OK();
  if (PeekWord("OUTFILE", 1) || PeekWord("DUMPFILE", 1) || !select->into_vars.empty())
    return ErrNotSupportedYet("SELECT ... INTO OUTFILE");
  AcceptWord("INTO");
  do {
    STRATA_ASSIGN_OR_RETURN(ast::ExprPtr target, ParsePrimary());
    if (target->kind != ast::ExprKind::kVariable || target->scope != ast::VariableScope::kUser)
      return ErrNotSupportedYet("SELECT ... INTO a local variable");
    select->into_vars.push_back(target->name);
  } while (AcceptPunct(","));
  return Status::OK();
}

// SELECT ... or (SELECT ...), as the source of INSERT ... SELECT.
Result<std::unique_ptr<ast::Select>> Parser::ParseQueryInParentheses() {
  if (AcceptPunct("(")) {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<ast::Select> inner, ParseQueryInParentheses());
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    return inner;
  }
  const size_t start = pos_;
  STRATA_ASSIGN_OR_RETURN(ast::StatementPtr select, ParseSelect());  // may hold UNION ...
  // WITH … UPDATE / DELETE is a statement, not a query: not where a query must be.
  if (select->kind != ast::StatementKind::kSelect) return ErrorAt(tokens_[start]);
  return std::unique_ptr<ast::Select>(static_cast<ast::Select*>(select.release()));
}

Status Parser::ParseSelectItem(ast::Select* select) {
  ast::SelectItem item;
  if (PeekPunct("*")) {
    size_t start = pos_;
    Advance();
    item.expr = NewExpr(ast::ExprKind::kStar, start);
    Finish(item.expr.get(), start);
    select->items.push_back(std::move(item));
    return Status::OK();
  }
  STRATA_ASSIGN_OR_RETURN(item.expr, ParseExpr());
  if (item.expr->kind != ast::ExprKind::kStar) {
    STRATA_ASSIGN_OR_RETURN(item.alias, ParseOptionalAlias());
  }
  select->items.push_back(std::move(item));
  return Status::OK();
}

// [AS] alias, where alias is a name, a `quoted name` or a 'string' / "string".
Result<std::string> Parser::ParseOptionalAlias() {
  bool as = AcceptWord("AS");
  const Token& t = Peek();
  if (PeekIdentifier() || (t.kind == TokenKind::kString && t.quoted_string)) return Advance().value;
  if (as) return Error();
  return std::string();
}

// After a FROM item: [NATURAL] [INNER|CROSS|LEFT [OUTER]|RIGHT [OUTER]] JOIN | STRAIGHT_JOIN,
// or a comma. Returns false at the end of the FROM list.
Result<bool> Parser::ParseJoinOperator(ast::TableRef* next) {
  if (AcceptPunct(",")) return true;
  next->natural = AcceptWord("NATURAL");
  if (AcceptWord("STRAIGHT_JOIN")) {
    next->join = ast::JoinKind::kInner;
    return true;
  }
  if (AcceptWord("LEFT")) next->join = ast::JoinKind::kLeft;
  else if (AcceptWord("RIGHT")) next->join = ast::JoinKind::kRight;
  else if (AcceptWord("CROSS")) next->join = ast::JoinKind::kCross;
  else if (AcceptWord("INNER") || PeekWord("JOIN")) next->join = ast::JoinKind::kInner;
  else if (next->natural) return Error();
  else return false;
  if (next->join == ast::JoinKind::kLeft || next->join == ast::JoinKind::kRight) AcceptWord("OUTER");
  STRATA_RETURN_IF_ERROR(ExpectWord("JOIN"));
  return true;
}

// ON e | USING (a, ...) after a JOIN's table (neither after NATURAL or a comma).
Status Parser::ParseJoinCondition(ast::TableRef* ref) {
  if (ref->join == ast::JoinKind::kComma || ref->natural) return Status::OK();
  if (AcceptWord("ON")) {
    STRATA_ASSIGN_OR_RETURN(ref->on, ParseExpr());
  } else if (AcceptWord("USING")) {
    STRATA_RETURN_IF_ERROR(ExpectPunct("("));
    do {
      STRATA_ASSIGN_OR_RETURN(std::string column, ParseIdentifier());
      ref->using_columns.push_back(std::move(column));
    } while (AcceptPunct(","));
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  } else if (ref->join == ast::JoinKind::kLeft || ref->join == ast::JoinKind::kRight) {
    return Error();  // an outer join needs its condition
  }
  return Status::OK();
}

Status Parser::ParseFromClause(ast::Select* select) {
  if (AcceptWord("DUAL")) return Status::OK();
  ast::TableRef ref;
  while (true) {
    if (PeekPunct("(") && (PeekWord("SELECT", 1) || PeekWord("WITH", 1) || (PeekPunct("(", 1) && PeekWord("SELECT", 2)))) {
      STRATA_ASSIGN_OR_RETURN(ref.derived, ParseQueryInParentheses());
      STRATA_ASSIGN_OR_RETURN(ref.alias, ParseOptionalAlias());
      if (ref.alias.empty()) return Status::InvalidArgument("Every derived table must have its own alias").WithMysql(1248, "42000");
      STRATA_RETURN_IF_ERROR(ParseJoinCondition(&ref));
      select->from.push_back(std::move(ref));
      ref = ast::TableRef();
      STRATA_ASSIGN_OR_RETURN(bool more, ParseJoinOperator(&ref));
      if (!more) return Status::OK();
      continue;
    }
    if (PeekPunct("(")) {
      STRATA_RETURN_IF_ERROR(ParseJoinGroup(ref.join, select));
      ref = ast::TableRef();
      STRATA_ASSIGN_OR_RETURN(bool more, ParseJoinOperator(&ref));
      if (!more) return Status::OK();
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(ref.table, ParseTableName());
    if (PeekWord("PARTITION")) return ErrNotSupportedYet("PARTITION");
    STRATA_ASSIGN_OR_RETURN(ref.alias, ParseOptionalAlias());
    // Index hints: USE|FORCE|IGNORE INDEX|KEY [FOR JOIN|ORDER BY|GROUP BY] (names): ignored.
    while ((PeekWord("USE") || PeekWord("FORCE") || PeekWord("IGNORE")) &&
           (PeekWord("INDEX", 1) || PeekWord("KEY", 1))) {
      pos_ += 2;
      if (AcceptWord("FOR")) {
        if (!AcceptWord("JOIN")) {
          if (!AcceptWord("ORDER") && !AcceptWord("GROUP")) return Error();
          STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
        }
      }
      STRATA_RETURN_IF_ERROR(ExpectPunct("("));
      while (!PeekPunct(")")) {
        if (!PeekIdentifier() && !PeekWord("PRIMARY")) return Error();
        Advance();
        if (!AcceptPunct(",")) break;
      }
      STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
    }
    STRATA_RETURN_IF_ERROR(ParseJoinCondition(&ref));
    select->from.push_back(std::move(ref));
    ref = ast::TableRef();
    STRATA_ASSIGN_OR_RETURN(bool more, ParseJoinOperator(&ref));
    if (!more) return Status::OK();
  }
}

// ( t1 JOIN t2 ON ... ) [ON e], joined to what precedes it by `join`: an inner join is
// associative, so the group's tables join the flat FROM list in order, the group's first
// taking `join` and its ON going to the group's last table. After an outer join the group
// would have to be joined as a whole: not supported yet.
Status Parser::ParseJoinGroup(ast::JoinKind join, ast::Select* select) {
  if (join == ast::JoinKind::kLeft || join == ast::JoinKind::kRight) return ErrNotSupportedYet("nested joins");
  STRATA_RETURN_IF_ERROR(ExpectPunct("("));
  ast::Select group;
  STRATA_RETURN_IF_ERROR(ParseFromClause(&group));
  STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  if (group.from.empty()) return Error();
  group.from.front().join = join;
  ast::TableRef condition;
  condition.join = join;
  STRATA_RETURN_IF_ERROR(ParseJoinCondition(&condition));
  if (!condition.using_columns.empty()) return ErrNotSupportedYet("nested joins");
  if (condition.on) {
    ast::TableRef& last = group.from.back();
    if (last.join == ast::JoinKind::kLeft || last.join == ast::JoinKind::kRight || !last.using_columns.empty() ||
        last.natural) {
      return ErrNotSupportedYet("nested joins");
    }
    if (last.join == ast::JoinKind::kComma || last.join == ast::JoinKind::kCross) last.join = ast::JoinKind::kInner;
    if (last.on) {
      auto both = std::make_unique<ast::Expr>();
      both->kind = ast::ExprKind::kBinary;
      both->op = ast::Op::kAnd;
      both->children.push_back(std::move(last.on));
      both->children.push_back(std::move(condition.on));
      last.on = std::move(both);
    } else {
      last.on = std::move(condition.on);
    }
  }
  for (ast::TableRef& item : group.from) select->from.push_back(std::move(item));
  return Status::OK();
}

Result<std::vector<ast::OrderItem>> Parser::ParseOrderList() {
  std::vector<ast::OrderItem> items;
  do {
    ast::OrderItem item;
    STRATA_ASSIGN_OR_RETURN(item.expr, ParseExpr());
    if (AcceptWord("DESC")) item.descending = true;
    else AcceptWord("ASC");
    items.push_back(std::move(item));
  } while (AcceptPunct(","));
  return items;
}

// After LIMIT: n | offset, n | n OFFSET offset (the last two only when allow_offset).
Status Parser::ParseLimit(ast::ExprPtr* limit, ast::ExprPtr* offset, bool allow_offset) {
  STRATA_ASSIGN_OR_RETURN(ast::ExprPtr first, ParseLimitValue());
  if (allow_offset && AcceptPunct(",")) {
    *offset = std::move(first);
    STRATA_ASSIGN_OR_RETURN(*limit, ParseLimitValue());
  } else if (allow_offset && AcceptWord("OFFSET")) {
    *limit = std::move(first);
    STRATA_ASSIGN_OR_RETURN(*offset, ParseLimitValue());
  } else {
    *limit = std::move(first);
  }
  return Status::OK();
}

// LIMIT takes an unsigned integer literal or a ? placeholder (as in MySQL).
Result<ast::ExprPtr> Parser::ParseLimitValue() {
  TokenKind kind = Peek().kind;
  if (kind != TokenKind::kInteger && kind != TokenKind::kParam) return Error();
  return ParsePrimary();
}

Status Parser::ParseLockingClause(ast::Select* select) {
  if (PeekWord("FOR") && (PeekWord("UPDATE", 1) || PeekWord("SHARE", 1))) {
    select->for_share = PeekWord("SHARE", 1);
    pos_ += 2;
    select->for_update = true;
    if (AcceptWord("OF")) return ErrNotSupportedYet("FOR UPDATE OF");
    if (AcceptWord("NOWAIT")) {
      select->lock_nowait = true;
    } else if (PeekWord("SKIP") && PeekWord("LOCKED", 1)) {
      pos_ += 2;
      select->lock_skip_locked = true;
    }
  } else if (AcceptWord("LOCK")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("IN"));
    STRATA_RETURN_IF_ERROR(ExpectWord("SHARE"));
    STRATA_RETURN_IF_ERROR(ExpectWord("MODE"));
    select->for_update = true;
    select->for_share = true;
  }
  return Status::OK();
}

Result<ast::Assignment> Parser::ParseAssignment() {
  ast::Assignment assignment;
  STRATA_ASSIGN_OR_RETURN(assignment.column, ParseIdentifier());
  if (AcceptPunct(".")) {
    assignment.qualifier = std::move(assignment.column);
    STRATA_ASSIGN_OR_RETURN(assignment.column, ParseNameAfterDot());
    if (AcceptPunct(".")) {  // db.t.c: the schema must be the statement's table's; dropped
      assignment.qualifier = std::move(assignment.column);
      STRATA_ASSIGN_OR_RETURN(assignment.column, ParseNameAfterDot());
    }
  }
  if (!AcceptPunct("=") && !AcceptPunct(":=")) return Error();
  if (PeekWord("DEFAULT") && !PeekPunct("(", 1)) {
    Advance();
    return assignment;  // value nullptr: DEFAULT
  }
  STRATA_ASSIGN_OR_RETURN(assignment.value, ParseExpr());
  return assignment;
}

Result<std::vector<ast::Assignment>> Parser::ParseAssignmentList() {
  std::vector<ast::Assignment> list;
  do {
    STRATA_ASSIGN_OR_RETURN(ast::Assignment a, ParseAssignment());
    list.push_back(std::move(a));
  } while (AcceptPunct(","));
  return list;
}

// ( [expr | DEFAULT [, ...]] ): DEFAULT becomes a nullptr entry.
Result<std::vector<ast::ExprPtr>> Parser::ParseValuesRow() {
  STRATA_RETURN_IF_ERROR(ExpectPunct("("));
  std::vector<ast::ExprPtr> row;
  if (AcceptPunct(")")) return row;
  do {
    if (PeekWord("DEFAULT") && !PeekPunct("(", 1)) {
      Advance();
      row.push_back(nullptr);
    } else {
      STRATA_ASSIGN_OR_RETURN(ast::ExprPtr value, ParseExpr());
      row.push_back(std::move(value));
    }
  } while (AcceptPunct(","));
  STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  return row;
}

Result<ast::StatementPtr> Parser::ParseInsert() {
  auto insert = std::make_unique<ast::Insert>();
  insert->replace = IsWord(Advance(), "REPLACE");
  while (AcceptWord("LOW_PRIORITY") || AcceptWord("DELAYED") || AcceptWord("HIGH_PRIORITY")) {
  }
  if (!insert->replace && AcceptWord("IGNORE")) insert->ignore = true;
  AcceptWord("INTO");
  STRATA_ASSIGN_OR_RETURN(insert->table, ParseTableName());
  if (PeekWord("PARTITION")) return ErrNotSupportedYet("PARTITION");
  if (PeekPunct("(") && !PeekWord("SELECT", 1) && !PeekPunct("(", 1)) {  // the column list
    Advance();
    while (!PeekPunct(")")) {
      STRATA_ASSIGN_OR_RETURN(std::string column, ParseIdentifier());
      while (AcceptPunct(".")) {  // t.c: keep the column name
        STRATA_ASSIGN_OR_RETURN(column, ParseNameAfterDot());
      }
      insert->columns.push_back(std::move(column));
      if (!AcceptPunct(",")) break;
    }
    STRATA_RETURN_IF_ERROR(ExpectPunct(")"));
  }
  if (AcceptWord("VALUES") || AcceptWord("VALUE")) {
    do {
      STRATA_ASSIGN_OR_RETURN(std::vector<ast::ExprPtr> row, ParseValuesRow());
      insert->rows.push_back(std::move(row));
    } while (AcceptPunct(","));
  } else if (AcceptWord("SET")) {
    if (!insert->columns.empty()) return ErrorAt(tokens_[pos_ - 1]);
    STRATA_ASSIGN_OR_RETURN(insert->set_assignments, ParseAssignmentList());
  } else if (PeekWord("SELECT") || PeekWord("WITH") || PeekPunct("(")) {  // after the column list: the query
    STRATA_ASSIGN_OR_RETURN(insert->select, ParseQueryInParentheses());
  } else if (PeekWord("TABLE")) {
    return ErrNotSupportedYet("INSERT ... " + ToUpper(Peek().value));
  } else {
    return Error();
  }
  if (PeekWord("AS")) return ErrNotSupportedYet("INSERT ... AS alias");
  if (AcceptWord("ON")) {
    if (insert->replace) return ErrorAt(tokens_[pos_ - 1]);
    STRATA_RETURN_IF_ERROR(ExpectWord("DUPLICATE"));
    STRATA_RETURN_IF_ERROR(ExpectWord("KEY"));
    STRATA_RETURN_IF_ERROR(ExpectWord("UPDATE"));
    STRATA_ASSIGN_OR_RETURN(insert->on_duplicate, ParseAssignmentList());
  }
  return ast::StatementPtr(std::move(insert));
}

Result<ast::StatementPtr> Parser::ParseUpdate() {
  STRATA_RETURN_IF_ERROR(ExpectWord("UPDATE"));
  auto update = std::make_unique<ast::Update>();
  AcceptWord("LOW_PRIORITY");
  update->ignore = AcceptWord("IGNORE");
  size_t tables_start = pos_;
  STRATA_ASSIGN_OR_RETURN(update->table.table, ParseTableName());
  STRATA_ASSIGN_OR_RETURN(update->table.alias, ParseOptionalAlias());
  if (PeekPunct(",") || (Peek().kind == TokenKind::kWord && IsJoinWord(ToUpper(Peek().value)))) {
    pos_ = tables_start;  // multi-table: the table references, as a FROM clause reads them
    ast::Select refs;
    STRATA_RETURN_IF_ERROR(ParseFromClause(&refs));
    update->from = std::move(refs.from);
  }
  STRATA_RETURN_IF_ERROR(ExpectWord("SET"));
  STRATA_ASSIGN_OR_RETURN(update->assignments, ParseAssignmentList());
  if (AcceptWord("WHERE")) {
    STRATA_ASSIGN_OR_RETURN(update->where, ParseExpr());
  }
  if (!update->from.empty() && (PeekWord("ORDER") || PeekWord("LIMIT")))  // ER_WRONG_USAGE
    return Status::InvalidArgument("Incorrect usage of UPDATE and " + ToUpper(Peek().value)).WithMysql(1221, "HY000");
  if (AcceptWord("ORDER")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
    STRATA_ASSIGN_OR_RETURN(update->order_by, ParseOrderList());
  }
  if (AcceptWord("LIMIT")) {
    ast::ExprPtr unused_offset;
    STRATA_RETURN_IF_ERROR(ParseLimit(&update->limit, &unused_offset, /*allow_offset=*/false));
  }
  return ast::StatementPtr(std::move(update));
}

Result<ast::StatementPtr> Parser::ParseDelete() {
  STRATA_RETURN_IF_ERROR(ExpectWord("DELETE"));
  auto del = std::make_unique<ast::Delete>();
  while (true) {
    if (AcceptWord("IGNORE")) del->ignore = true;
    else if (!AcceptWord("LOW_PRIORITY") && !AcceptWord("QUICK")) break;
  }
  // The tables of a multi-table DELETE: t1[.*][, t2[.*]].
  auto targets = [&]() -> Status {
    do {
      STRATA_ASSIGN_OR_RETURN(ast::TableName name, ParseTableName());
      if (AcceptPunct(".")) STRATA_RETURN_IF_ERROR(ExpectPunct("*"));
      del->targets.push_back(std::move(name));
    } while (AcceptPunct(","));
    return Status::OK();
  };
  ast::Select refs;
  if (!AcceptWord("FROM")) {  // DELETE t1, t2 FROM refs
    STRATA_RETURN_IF_ERROR(targets());
    STRATA_RETURN_IF_ERROR(ExpectWord("FROM"));
    STRATA_RETURN_IF_ERROR(ParseFromClause(&refs));
    del->from = std::move(refs.from);
  } else {
    size_t tables_start = pos_;
    STRATA_ASSIGN_OR_RETURN(del->table.table, ParseTableName());
    if (PeekPunct(",") || PeekWord("USING") || PeekPunct(".")) {  // DELETE FROM t1, t2 USING refs
      pos_ = tables_start;
      STRATA_RETURN_IF_ERROR(targets());
      STRATA_RETURN_IF_ERROR(ExpectWord("USING"));
      STRATA_RETURN_IF_ERROR(ParseFromClause(&refs));
      del->from = std::move(refs.from);
    } else {
      STRATA_ASSIGN_OR_RETURN(del->table.alias, ParseOptionalAlias());
    }
  }
  if (!del->from.empty()) {
    if (AcceptWord("WHERE")) {
      STRATA_ASSIGN_OR_RETURN(del->where, ParseExpr());
    }
    if (PeekWord("ORDER") || PeekWord("LIMIT"))  // ER_WRONG_USAGE
      return Status::InvalidArgument("Incorrect usage of DELETE and " + ToUpper(Peek().value)).WithMysql(1221, "HY000");
    return ast::StatementPtr(std::move(del));
  }
  if (AcceptWord("WHERE")) {
    STRATA_ASSIGN_OR_RETURN(del->where, ParseExpr());
  }
  if (AcceptWord("ORDER")) {
    STRATA_RETURN_IF_ERROR(ExpectWord("BY"));
    STRATA_ASSIGN_OR_RETURN(del->order_by, ParseOrderList());
  }
  if (AcceptWord("LIMIT")) {
    ast::ExprPtr unused_offset;
    STRATA_RETURN_IF_ERROR(ParseLimit(&del->limit, &unused_offset, /*allow_offset=*/false));
  }
  return ast::StatementPtr(std::move(del));
}

}  // namespace strata::sql::internal
