// One test per statement family of the grammar in docs/sql.md, checking the AST fields.
#include <gtest/gtest.h>

#include "parser_test_util.h"

namespace strata::sql {
namespace {

using testing::ParseAs;
using testing::Render;

TEST(GrammarTest, Databases) {
  auto create = ParseAs<ast::CreateDatabase>(
      "CREATE SCHEMA IF NOT EXISTS shop DEFAULT CHARACTER SET = utf8mb4 COLLATE utf8mb4_bin");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->name, "shop");
  EXPECT_TRUE(create->if_not_exists);
  EXPECT_NE(ParseAs<ast::CreateDatabase>("create database d charset latin1"), nullptr);
  auto drop = ParseAs<ast::DropDatabase>("DROP DATABASE IF EXISTS `shop`");
  ASSERT_NE(drop, nullptr);
  EXPECT_TRUE(drop->if_exists);
  EXPECT_EQ(drop->name, "shop");
  auto use = ParseAs<ast::Use>("USE shop");
  ASSERT_NE(use, nullptr);
  EXPECT_EQ(use->database, "shop");
}

TEST(GrammarTest, ColumnTypes) {
  auto create = ParseAs<ast::CreateTable>(
      "CREATE TEMPORARY TABLE IF NOT EXISTS db.t (a INT(11) UNSIGNED ZEROFILL, b BOOL, c BOOLEAN, "
      "d NUMERIC(10,2), e DOUBLE PRECISION, f REAL, g FLOAT(30), h FLOAT(10), i DATETIME(3), j TIMESTAMP, "
      "k TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, l BLOB, m ENUM('x','y'), n VARCHAR(10) BINARY, "
      "o BIGINT, p TINYINT(1), q DATE, r TIME(6), s YEAR, u JSON, v BIT(8), w SET('a','b'), "
      "x VARBINARY(16), y LONGTEXT, z MEDIUMINT)");
  ASSERT_NE(create, nullptr);
  EXPECT_TRUE(create->temporary);
  EXPECT_TRUE(create->if_not_exists);
  EXPECT_EQ(create->table.schema, "db");
  const auto& c = create->columns;
  ASSERT_EQ(c.size(), 25u);
  EXPECT_EQ(c[0].type.kind, ast::TypeKind::kInt);
  EXPECT_EQ(c[0].type.length, 11u);
  EXPECT_TRUE(c[0].type.is_unsigned);
  EXPECT_TRUE(c[0].type.zerofill);
  EXPECT_EQ(c[1].type.kind, ast::TypeKind::kTinyInt);
  EXPECT_TRUE(c[1].type.is_boolean);
  EXPECT_TRUE(c[2].type.is_boolean);
  EXPECT_EQ(c[3].type.kind, ast::TypeKind::kDecimal);
  EXPECT_EQ(c[3].type.length, 10u);
  EXPECT_EQ(c[3].type.scale, 2u);
  EXPECT_EQ(c[4].type.kind, ast::TypeKind::kDouble);
  EXPECT_EQ(c[5].type.kind, ast::TypeKind::kDouble);
  EXPECT_EQ(c[6].type.kind, ast::TypeKind::kDouble);
  EXPECT_EQ(c[7].type.kind, ast::TypeKind::kFloat);
  EXPECT_EQ(c[8].type.kind, ast::TypeKind::kDateTime);
  EXPECT_EQ(c[8].type.length, 3u);
  EXPECT_EQ(c[9].type.kind, ast::TypeKind::kTimestamp);
  EXPECT_EQ(c[10].type.kind, ast::TypeKind::kText);
  EXPECT_EQ(c[10].type.charset, "utf8mb4");
  EXPECT_EQ(c[10].type.collation, "utf8mb4_bin");
  EXPECT_EQ(c[11].type.kind, ast::TypeKind::kBlob);
  EXPECT_EQ(c[12].type.kind, ast::TypeKind::kEnum);
  EXPECT_EQ(c[12].type.enum_values, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(c[13].type.kind, ast::TypeKind::kVarchar);
  EXPECT_EQ(c[14].type.kind, ast::TypeKind::kBigInt);
  EXPECT_FALSE(c[15].type.is_boolean);
  EXPECT_EQ(c[16].type.kind, ast::TypeKind::kDate);
  EXPECT_EQ(c[17].type.kind, ast::TypeKind::kTime);
  EXPECT_EQ(c[18].type.kind, ast::TypeKind::kYear);
  EXPECT_EQ(c[19].type.kind, ast::TypeKind::kJson);
  EXPECT_EQ(c[20].type.kind, ast::TypeKind::kBit);
  EXPECT_EQ(c[21].type.kind, ast::TypeKind::kSet);
  EXPECT_EQ(c[22].type.kind, ast::TypeKind::kVarbinary);
  EXPECT_EQ(c[23].type.kind, ast::TypeKind::kLongText);
  EXPECT_EQ(c[24].type.kind, ast::TypeKind::kMediumInt);
}

TEST(GrammarTest, ColumnAttributesInAnyOrder) {
  auto create = ParseAs<ast::CreateTable>(
      "CREATE TABLE t (a INT PRIMARY KEY AUTO_INCREMENT COMMENT 'the key', b INT NULL DEFAULT -1 UNIQUE KEY, "
      "c INT DEFAULT NULL, d TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, "
      "e INT DEFAULT (1 + 2) NOT NULL, f INT UNIQUE, g INT KEY, h VARCHAR(5) DEFAULT 'x' COLLATE utf8mb4_bin)");
  ASSERT_NE(create, nullptr);
  const auto& c = create->columns;
  ASSERT_EQ(c.size(), 8u);
  EXPECT_TRUE(c[0].primary_key);
  EXPECT_TRUE(c[0].auto_increment);
  EXPECT_EQ(c[0].comment, "the key");
  EXPECT_TRUE(c[1].explicit_null);
  EXPECT_EQ(c[1].default_value->text, "-1");
  EXPECT_TRUE(c[1].unique);
  EXPECT_EQ(c[2].default_value->literal_kind, ast::LiteralKind::kNull);
  EXPECT_EQ(Render(*c[3].default_value), "CURRENT_TIMESTAMP()");
  EXPECT_EQ(Render(*c[3].on_update), "CURRENT_TIMESTAMP()");
  EXPECT_EQ(Render(*c[4].default_value), "(+ 1 2)");
  EXPECT_TRUE(c[4].not_null);
  EXPECT_TRUE(c[5].unique);
  EXPECT_TRUE(c[6].primary_key);
  EXPECT_EQ(c[7].type.collation, "utf8mb4_bin");
  EXPECT_EQ(c[7].default_value->text, "x");
  EXPECT_FALSE(ParseOne("CREATE TABLE t (a INT DEFAULT b)").ok());
}

TEST(GrammarTest, TableConstraintsAndOptions) {
  auto create = ParseAs<ast::CreateTable>(
      "CREATE TABLE t (a INT, b INT, c VARCHAR(100), CONSTRAINT pk PRIMARY KEY (a, b), "
      "CONSTRAINT uq UNIQUE INDEX (c), UNIQUE u2 (b) USING BTREE, INDEX i1 (c(10) ASC, b DESC), KEY (b)) "
      "ENGINE InnoDB, AUTO_INCREMENT = 100, CHARACTER SET = utf8mb4, COMMENT = 'hi' ROW_FORMAT=DYNAMIC");
  ASSERT_NE(create, nullptr);
  ASSERT_EQ(create->indexes.size(), 5u);
  EXPECT_TRUE(create->indexes[0].primary);
  EXPECT_EQ(create->indexes[0].columns.size(), 2u);
  EXPECT_EQ(create->indexes[1].name, "uq");
  EXPECT_TRUE(create->indexes[1].unique);
  EXPECT_EQ(create->indexes[2].name, "u2");
  EXPECT_EQ(create->indexes[3].name, "i1");
  EXPECT_EQ(create->indexes[3].columns[0].prefix_length, 10u);
  EXPECT_TRUE(create->indexes[3].columns[1].descending);
  EXPECT_EQ(create->indexes[4].name, "");
  EXPECT_FALSE(create->indexes[4].unique);
  EXPECT_EQ(create->engine, "InnoDB");
  EXPECT_EQ(create->auto_increment_start, 100u);
  EXPECT_EQ(create->comment, "hi");
}

TEST(GrammarTest, DropAndIndexes) {
  auto drop = ParseAs<ast::DropTable>("DROP TEMPORARY TABLE t1, db.t2 CASCADE");
  ASSERT_NE(drop, nullptr);
  EXPECT_TRUE(drop->temporary);
  ASSERT_EQ(drop->tables.size(), 2u);
  EXPECT_EQ(drop->tables[1].schema, "db");
  auto unique = ParseAs<ast::CreateIndex>("CREATE UNIQUE INDEX u ON db.t (a, b(4) DESC)");
  ASSERT_NE(unique, nullptr);
  EXPECT_TRUE(unique->index.unique);
  EXPECT_EQ(unique->table.schema, "db");
  EXPECT_EQ(unique->index.columns[1].prefix_length, 4u);
  auto drop_index = ParseAs<ast::DropIndex>("DROP INDEX u ON t");
  ASSERT_NE(drop_index, nullptr);
  EXPECT_EQ(drop_index->name, "u");
  EXPECT_EQ(drop_index->table.name, "t");
}

TEST(GrammarTest, InsertForms) {
  auto replace = ParseAs<ast::Insert>("REPLACE t VALUE (1, DEFAULT), (DEFAULT, 'x')");
  ASSERT_NE(replace, nullptr);
  EXPECT_TRUE(replace->replace);
  EXPECT_TRUE(replace->columns.empty());
  ASSERT_EQ(replace->rows.size(), 2u);
  EXPECT_EQ(replace->rows[0][1], nullptr);
  EXPECT_EQ(replace->rows[1][0], nullptr);

  auto set = ParseAs<ast::Insert>("INSERT IGNORE INTO t SET a=1, b=DEFAULT");
  ASSERT_NE(set, nullptr);
  EXPECT_TRUE(set->ignore);
  ASSERT_EQ(set->set_assignments.size(), 2u);
  EXPECT_EQ(set->set_assignments[0].column, "a");
  EXPECT_EQ(set->set_assignments[1].value, nullptr);

  auto upsert = ParseAs<ast::Insert>(
      "INSERT INTO t (a, b) VALUES (1, 2) ON DUPLICATE KEY UPDATE b = VALUES(b) + 1, t.a = a");
  ASSERT_NE(upsert, nullptr);
  ASSERT_EQ(upsert->on_duplicate.size(), 2u);
  EXPECT_EQ(Render(*upsert->on_duplicate[0].value), "(+ VALUES(b) 1)");
  EXPECT_EQ(upsert->on_duplicate[1].qualifier, "t");
  EXPECT_NE(ParseAs<ast::Insert>("INSERT INTO t () VALUES ()"), nullptr);

  auto select = ParseAs<ast::Insert>("INSERT INTO t (a, b) SELECT x, y FROM u WHERE x > 1 ON DUPLICATE KEY UPDATE b = 1");
  ASSERT_NE(select, nullptr);
  EXPECT_EQ(select->columns, (std::vector<std::string>{"a", "b"}));
  ASSERT_NE(select->select, nullptr);
  EXPECT_EQ(select->select->items.size(), 2u);
  EXPECT_NE(select->select->where, nullptr);
  EXPECT_EQ(select->on_duplicate.size(), 1u);
  auto parenthesized = ParseAs<ast::Insert>("INSERT INTO t ((SELECT * FROM u))");
  ASSERT_NE(parenthesized, nullptr);
  EXPECT_TRUE(parenthesized->columns.empty());
  ASSERT_NE(parenthesized->select, nullptr);
  EXPECT_EQ(parenthesized->select->from.size(), 1u);
}

TEST(GrammarTest, Joins) {
  auto select = ParseAs<ast::Select>(
      "SELECT * FROM a, b AS x JOIN c ON x.k = c.k LEFT OUTER JOIN d USING (k, j) NATURAL RIGHT JOIN e "
      "CROSS JOIN f STRAIGHT_JOIN g INNER JOIN h");
  ASSERT_NE(select, nullptr);
  ASSERT_EQ(select->from.size(), 8u);
  EXPECT_EQ(select->from[0].join, ast::JoinKind::kComma);
  EXPECT_EQ(select->from[1].join, ast::JoinKind::kComma);
  EXPECT_EQ(select->from[1].alias, "x");
  EXPECT_EQ(select->from[2].join, ast::JoinKind::kInner);
  EXPECT_NE(select->from[2].on, nullptr);
  EXPECT_EQ(select->from[3].join, ast::JoinKind::kLeft);
  EXPECT_EQ(select->from[3].using_columns, (std::vector<std::string>{"k", "j"}));
  EXPECT_EQ(select->from[4].join, ast::JoinKind::kRight);
  EXPECT_TRUE(select->from[4].natural);
  EXPECT_EQ(select->from[5].join, ast::JoinKind::kCross);
  EXPECT_EQ(select->from[6].join, ast::JoinKind::kInner);
  EXPECT_EQ(select->from[7].join, ast::JoinKind::kInner);
  EXPECT_EQ(select->from[7].on, nullptr);
  EXPECT_FALSE(ParseOne("SELECT * FROM a LEFT JOIN b").ok());  // an outer join needs ON
}

TEST(GrammarTest, SetOperations) {
  auto q = ParseAs<ast::Select>(
      "SELECT a FROM t UNION ALL (SELECT b FROM u ORDER BY b LIMIT 2) EXCEPT SELECT c FROM v INTERSECT DISTINCT "
      "SELECT d FROM w ORDER BY 1 DESC LIMIT 5");
  ASSERT_NE(q, nullptr);
  ASSERT_EQ(q->set_operands.size(), 3u);
  EXPECT_EQ(q->set_operands[0].op, ast::SetOp::kUnion);
  EXPECT_TRUE(q->set_operands[0].all);
  EXPECT_EQ(q->set_operands[0].select->order_by.size(), 1u);  // the parenthesized operand's own
  EXPECT_EQ(q->set_operands[1].op, ast::SetOp::kExcept);
  EXPECT_EQ(q->set_operands[2].op, ast::SetOp::kIntersect);
  EXPECT_FALSE(q->set_operands[2].all);
  EXPECT_TRUE(q->set_operands[2].select->order_by.empty());  // moved to the whole
  EXPECT_EQ(q->set_order_by.size(), 1u);
  EXPECT_NE(q->set_limit, nullptr);
  EXPECT_NE(ParseAs<ast::Select>("(SELECT 1) UNION (SELECT 2) ORDER BY 1"), nullptr);
  auto misplaced = ParseOne("SELECT a FROM t LIMIT 1 UNION SELECT b FROM u");
  ASSERT_FALSE(misplaced.ok());
  EXPECT_EQ(misplaced.status().mysql_errno(), 1221u);
}

TEST(GrammarTest, SelectClauses) {
  auto select = ParseAs<ast::Select>(
      "SELECT SQL_CALC_FOUND_ROWS SQL_NO_CACHE t.*, a AS x, b y, c 'z', d AS \"w\", e AS `v` "
      "FROM db.t AS t, u v WHERE a > 1 GROUP BY a, b DESC HAVING COUNT(*) > 1 "
      "ORDER BY 1 DESC, b LIMIT 5, 10 LOCK IN SHARE MODE");
  ASSERT_NE(select, nullptr);
  EXPECT_TRUE(select->sql_calc_found_rows);
  ASSERT_EQ(select->items.size(), 6u);
  EXPECT_EQ(select->items[0].expr->kind, ast::ExprKind::kStar);
  EXPECT_EQ(select->items[0].expr->qualifier, "t");
  EXPECT_EQ(select->items[1].alias, "x");
  EXPECT_EQ(select->items[2].alias, "y");
  EXPECT_EQ(select->items[3].alias, "z");
  EXPECT_EQ(select->items[4].alias, "w");
  EXPECT_EQ(select->items[5].alias, "v");
  ASSERT_EQ(select->from.size(), 2u);
  EXPECT_EQ(select->from[0].table.schema, "db");
  EXPECT_EQ(select->from[0].alias, "t");
  EXPECT_EQ(select->from[1].alias, "v");
  EXPECT_EQ(select->group_by.size(), 2u);
  ASSERT_NE(select->having, nullptr);
  ASSERT_EQ(select->order_by.size(), 2u);
  EXPECT_TRUE(select->order_by[0].descending);
  EXPECT_EQ(select->order_by[0].expr->text, "1");
  EXPECT_EQ(select->offset->text, "5");
  EXPECT_EQ(select->limit->text, "10");
  EXPECT_TRUE(select->for_update);

  auto offset = ParseAs<ast::Select>("SELECT * FROM t LIMIT 10 OFFSET 20 FOR UPDATE");
  ASSERT_NE(offset, nullptr);
  EXPECT_EQ(offset->items[0].expr->kind, ast::ExprKind::kStar);
  EXPECT_EQ(offset->limit->text, "10");
  EXPECT_EQ(offset->offset->text, "20");
  EXPECT_TRUE(offset->for_update);

  auto dual = ParseAs<ast::Select>("SELECT 1 FROM DUAL");
  ASSERT_NE(dual, nullptr);
  EXPECT_TRUE(dual->from.empty());
  auto share = ParseAs<ast::Select>("SELECT ALL a FROM t FOR SHARE");
  ASSERT_NE(share, nullptr);
  EXPECT_TRUE(share->for_update);
  EXPECT_TRUE(share->for_share);
  EXPECT_FALSE(offset->for_share);
  auto nowait = ParseAs<ast::Select>("SELECT a FROM t WHERE a = 1 FOR UPDATE NOWAIT");
  ASSERT_NE(nowait, nullptr);
  EXPECT_TRUE(nowait->lock_nowait);
  EXPECT_FALSE(nowait->lock_skip_locked);
  auto skip = ParseAs<ast::Select>("SELECT a FROM t FOR SHARE SKIP LOCKED");
  ASSERT_NE(skip, nullptr);
  EXPECT_TRUE(skip->lock_skip_locked);
  EXPECT_TRUE(skip->for_share);
  auto in_share = ParseAs<ast::Select>("SELECT a FROM t LOCK IN SHARE MODE");
  ASSERT_NE(in_share, nullptr);
  EXPECT_TRUE(in_share->for_share);
  EXPECT_NE(ParseAs<ast::Select>("SELECT a FROM t USE INDEX (k_1) WHERE a = ?"), nullptr);
}

TEST(GrammarTest, UpdateAndDelete) {
  auto update = ParseAs<ast::Update>("UPDATE IGNORE t AS x SET x.a = 1, b = DEFAULT WHERE c ORDER BY d DESC LIMIT 3");
  ASSERT_NE(update, nullptr);
  EXPECT_TRUE(update->ignore);
  EXPECT_EQ(update->table.alias, "x");
  EXPECT_EQ(update->assignments[0].qualifier, "x");
  EXPECT_EQ(update->assignments[1].value, nullptr);
  EXPECT_TRUE(update->order_by[0].descending);
  EXPECT_EQ(update->limit->text, "3");

  auto del = ParseAs<ast::Delete>("DELETE FROM t WHERE a < 5 ORDER BY a LIMIT 1");
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->order_by.size(), 1u);
  EXPECT_EQ(del->limit->text, "1");
}

TEST(GrammarTest, Transactions) {
  EXPECT_NE(ParseAs<ast::Begin>("BEGIN WORK"), nullptr);
  auto read_only = ParseAs<ast::Begin>("START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT");
  ASSERT_NE(read_only, nullptr);
  EXPECT_TRUE(read_only->read_only);
  auto read_write = ParseAs<ast::Begin>("START TRANSACTION READ WRITE");
  ASSERT_NE(read_write, nullptr);
  EXPECT_FALSE(read_write->read_only);
  EXPECT_NE(ParseAs<ast::Commit>("COMMIT WORK AND NO CHAIN"), nullptr);
  EXPECT_NE(ParseAs<ast::Rollback>("ROLLBACK WORK"), nullptr);
  EXPECT_FALSE(ParseOne("COMMIT AND CHAIN").ok());
}

TEST(GrammarTest, SetForms) {
  auto set = ParseAs<ast::Set>("SET a=1, SESSION b=2, @@global.c=3, @u=4, @v:=5, LOCAL x = y, "
                               "GLOBAL g = ON, h = DEFAULT, @@k = @@global.k + 1");
  ASSERT_NE(set, nullptr);
  const auto& items = set->items;
  ASSERT_EQ(items.size(), 9u);
  EXPECT_EQ(items[0].scope, ast::VariableScope::kSession);
  EXPECT_EQ(items[1].name, "b");
  EXPECT_EQ(items[2].scope, ast::VariableScope::kGlobal);
  EXPECT_EQ(items[2].name, "c");
  EXPECT_EQ(items[3].scope, ast::VariableScope::kUser);
  EXPECT_EQ(items[4].name, "v");
  EXPECT_EQ(items[5].value->literal_kind, ast::LiteralKind::kString);
  EXPECT_EQ(items[5].value->text, "y");
  EXPECT_EQ(items[6].scope, ast::VariableScope::kGlobal);
  EXPECT_EQ(items[6].value->text, "ON");
  EXPECT_EQ(items[7].scope, ast::VariableScope::kGlobal);  // the last modifier carries over
  EXPECT_EQ(items[7].value, nullptr);
  EXPECT_EQ(items[8].scope, ast::VariableScope::kSession);
  EXPECT_EQ(Render(*items[8].value), "(+ @@global.k 1)");

  auto charset = ParseAs<ast::Set>("SET CHARACTER SET utf8mb4");
  ASSERT_NE(charset, nullptr);
  EXPECT_EQ(charset->items[0].name, "character_set");
  EXPECT_EQ(ParseAs<ast::Set>("SET CHARSET 'latin1'")->items[0].value->text, "latin1");

  auto global = ParseAs<ast::Set>("SET GLOBAL TRANSACTION ISOLATION LEVEL READ UNCOMMITTED, READ ONLY");
  ASSERT_NE(global, nullptr);
  ASSERT_EQ(global->items.size(), 2u);
  EXPECT_EQ(global->items[0].scope, ast::VariableScope::kGlobal);
  EXPECT_EQ(global->items[0].value->text, "READ-UNCOMMITTED");
  EXPECT_EQ(global->items[1].name, "transaction_read_only");
  EXPECT_EQ(global->items[1].value->text, "1");
  auto next = ParseAs<ast::Set>("SET TRANSACTION READ WRITE");
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->items[0].scope, ast::VariableScope::kDefault);
  EXPECT_EQ(next->items[0].value->text, "0");
  EXPECT_EQ(ParseAs<ast::Set>("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")->items[0].value->text,
            "SERIALIZABLE");

  auto mode = ParseAs<ast::Set>("SET sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE'");
  ASSERT_NE(mode, nullptr);
  EXPECT_EQ(mode->items[0].value->text, "STRICT_TRANS_TABLES,NO_ZERO_DATE");
  EXPECT_EQ(ParseAs<ast::Set>("SET NAMES DEFAULT")->items[0].value, nullptr);
}

TEST(GrammarTest, ShowForms) {
  struct Case {
    std::string_view sql;
    ast::ShowKind kind;
  };
  const Case cases[] = {
      {"SHOW DATABASES", ast::ShowKind::kDatabases},
      {"SHOW SCHEMAS LIKE 's%'", ast::ShowKind::kDatabases},
      {"SHOW FULL TABLES FROM db LIKE 't%'", ast::ShowKind::kTables},
      {"SHOW TABLES IN db WHERE Tables_in_db = 'x'", ast::ShowKind::kTables},
      {"SHOW FULL FIELDS IN t IN db", ast::ShowKind::kColumns},
      {"SHOW GLOBAL VARIABLES WHERE Variable_name = 'x'", ast::ShowKind::kVariables},
      {"SHOW SESSION STATUS LIKE 'Com%'", ast::ShowKind::kStatus},
      {"SHOW CREATE TABLE db.t", ast::ShowKind::kCreateTable},
      {"SHOW CREATE DATABASE db", ast::ShowKind::kCreateDatabase},
      {"SHOW WARNINGS LIMIT 10", ast::ShowKind::kWarnings},
      {"SHOW ERRORS", ast::ShowKind::kErrors},
      {"SHOW ENGINES", ast::ShowKind::kEngines},
      {"SHOW COLLATION LIKE 'utf8%'", ast::ShowKind::kCollation},
      {"SHOW CHARACTER SET", ast::ShowKind::kCharset},
      {"SHOW CHARSET LIKE 'utf8%'", ast::ShowKind::kCharset},
      {"SHOW FULL PROCESSLIST", ast::ShowKind::kProcessList},
      {"SHOW INDEXES FROM t FROM db", ast::ShowKind::kIndex},
      {"SHOW KEYS IN t", ast::ShowKind::kIndex},
      {"SHOW TABLE STATUS FROM db LIKE 't'", ast::ShowKind::kTableStatus},
      {"DESCRIBE t", ast::ShowKind::kColumns},
      {"DESC db.t c", ast::ShowKind::kColumns},
      {"EXPLAIN t", ast::ShowKind::kColumns},
  };
  for (const Case& c : cases) {
    auto show = ParseAs<ast::Show>(c.sql);
    ASSERT_NE(show, nullptr) << c.sql;
    EXPECT_EQ(show->show, c.kind) << c.sql;
  }
  auto tables = ParseAs<ast::Show>("SHOW FULL TABLES FROM db LIKE 't%'");
  EXPECT_TRUE(tables->full);
  EXPECT_EQ(tables->database, "db");
  EXPECT_EQ(tables->like, "t%");
  auto columns = ParseAs<ast::Show>("SHOW FULL FIELDS IN t IN db");
  EXPECT_EQ(columns->table.name, "t");
  EXPECT_EQ(columns->table.schema, "db");
  auto vars = ParseAs<ast::Show>("SHOW GLOBAL VARIABLES WHERE Variable_name = 'x'");
  EXPECT_EQ(vars->scope, ast::VariableScope::kGlobal);
  ASSERT_NE(vars->where, nullptr);
  EXPECT_EQ(ParseAs<ast::Show>("SHOW WARNINGS LIMIT 2, 10")->offset->text, "2");
  auto describe = ParseAs<ast::Show>("DESC db.t c");
  EXPECT_EQ(describe->table.schema, "db");
  EXPECT_EQ(describe->column, "c");
  EXPECT_FALSE(ParseOne("SHOW FULL DATABASES").ok());
  EXPECT_FALSE(ParseOne("SHOW GLOBAL TABLES").ok());
}

}  // namespace
}  // namespace strata::sql
