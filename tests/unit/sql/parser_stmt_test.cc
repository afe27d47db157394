// Statement-level parser tests: the statements sysbench, MySQL connectors and mysqldump send,
// then every construct of the grammar in docs/sql.md.
#include <gtest/gtest.h>

#include "parser_test_util.h"

namespace strata::sql {
namespace {

using testing::ParseAs;
using testing::Render;

// ---- sysbench (oltp_common.lua) ----

TEST(SysbenchTest, CreateTable) {
  auto create = ParseAs<ast::CreateTable>(
      "CREATE TABLE sbtest1(\n  id INTEGER NOT NULL AUTO_INCREMENT,\n  k INTEGER DEFAULT '0' NOT NULL,\n"
      "  c CHAR(120) DEFAULT '' NOT NULL,\n  pad CHAR(60) DEFAULT '' NOT NULL,\n  PRIMARY KEY (id)\n"
      ") /*! ENGINE = innodb */ ");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->table.name, "sbtest1");
  ASSERT_EQ(create->columns.size(), 4u);
  EXPECT_EQ(create->columns[0].name, "id");
  EXPECT_EQ(create->columns[0].type.kind, ast::TypeKind::kInt);
  EXPECT_TRUE(create->columns[0].not_null);
  EXPECT_TRUE(create->columns[0].auto_increment);
  ASSERT_NE(create->columns[1].default_value, nullptr);
  EXPECT_EQ(create->columns[1].default_value->literal_kind, ast::LiteralKind::kString);
  EXPECT_EQ(create->columns[1].default_value->text, "0");
  EXPECT_TRUE(create->columns[1].not_null);
  EXPECT_EQ(create->columns[2].type.kind, ast::TypeKind::kChar);
  EXPECT_EQ(create->columns[2].type.length, 120u);
  EXPECT_EQ(create->columns[2].default_value->text, "");
  ASSERT_EQ(create->indexes.size(), 1u);
  EXPECT_TRUE(create->indexes[0].primary);
  ASSERT_EQ(create->indexes[0].columns.size(), 1u);
  EXPECT_EQ(create->indexes[0].columns[0].name, "id");
  EXPECT_EQ(create->engine, "innodb");
  EXPECT_EQ(create->text.substr(0, 20), "CREATE TABLE sbtest1");
  EXPECT_EQ(create->text.back(), '/');  // trimmed, but the comment's end is part of the text
}

TEST(SysbenchTest, InsertMultiRow) {
  auto insert = ParseAs<ast::Insert>(
      "INSERT INTO sbtest1(k, c, pad) VALUES(5,'abc','def'),(6,'ghi','jkl'),(7, 'x', 'y')");
  ASSERT_NE(insert, nullptr);
  EXPECT_EQ(insert->table.name, "sbtest1");
  EXPECT_EQ(insert->columns, (std::vector<std::string>{"k", "c", "pad"}));
  ASSERT_EQ(insert->rows.size(), 3u);
  EXPECT_EQ(insert->rows[0][0]->text, "5");
  EXPECT_EQ(insert->rows[1][1]->text, "ghi");
  EXPECT_FALSE(insert->replace);
}

TEST(SysbenchTest, InsertWithId) {
  auto insert = ParseAs<ast::Insert>("INSERT INTO sbtest1 (id, k, c, pad) VALUES (5, 6, 'c', 'p')");
  ASSERT_NE(insert, nullptr);
  EXPECT_EQ(insert->columns.size(), 4u);
  ASSERT_EQ(insert->rows.size(), 1u);
  EXPECT_EQ(insert->rows[0].size(), 4u);
}

TEST(SysbenchTest, CreateIndex) {
  auto create = ParseAs<ast::CreateIndex>("CREATE INDEX k_1 ON sbtest1(k)");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->index.name, "k_1");
  EXPECT_EQ(create->table.name, "sbtest1");
  ASSERT_EQ(create->index.columns.size(), 1u);
  EXPECT_EQ(create->index.columns[0].name, "k");
  EXPECT_FALSE(create->index.unique);
}

TEST(SysbenchTest, PointSelect) {
  auto select = ParseAs<ast::Select>("SELECT c FROM sbtest1 WHERE id=5");
  ASSERT_NE(select, nullptr);
  ASSERT_EQ(select->items.size(), 1u);
  EXPECT_EQ(Render(*select->items[0].expr), "c");
  ASSERT_EQ(select->from.size(), 1u);
  EXPECT_EQ(select->from[0].table.name, "sbtest1");
  EXPECT_EQ(Render(*select->where), "(= id 5)");
  EXPECT_EQ(select->where->source, "id=5");
}

TEST(SysbenchTest, RangeSelects) {
  auto simple = ParseAs<ast::Select>("SELECT c FROM sbtest1 WHERE id BETWEEN 1 AND 100");
  ASSERT_NE(simple, nullptr);
  EXPECT_EQ(Render(*simple->where), "(between id 1 100)");

  auto sum = ParseAs<ast::Select>("SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN 1 AND 100");
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(Render(*sum->items[0].expr), "SUM(k)");
  EXPECT_EQ(sum->items[0].expr->source, "SUM(k)");

  auto ordered = ParseAs<ast::Select>("SELECT c FROM sbtest1 WHERE id BETWEEN 1 AND 100 ORDER BY c");
  ASSERT_NE(ordered, nullptr);
  ASSERT_EQ(ordered->order_by.size(), 1u);
  EXPECT_EQ(Render(*ordered->order_by[0].expr), "c");
  EXPECT_FALSE(ordered->order_by[0].descending);

  auto distinct = ParseAs<ast::Select>("SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 1 AND 100 ORDER BY c");
  ASSERT_NE(distinct, nullptr);
  EXPECT_TRUE(distinct->distinct);
}

TEST(SysbenchTest, Updates) {
  auto index_update = ParseAs<ast::Update>("UPDATE sbtest1 SET k=k+1 WHERE id=5");
  ASSERT_NE(index_update, nullptr);
  EXPECT_EQ(index_update->table.table.name, "sbtest1");
  ASSERT_EQ(index_update->assignments.size(), 1u);
  EXPECT_EQ(index_update->assignments[0].column, "k");
  EXPECT_EQ(Render(*index_update->assignments[0].value), "(+ k 1)");
  EXPECT_EQ(Render(*index_update->where), "(= id 5)");

  auto non_index = ParseAs<ast::Update>("UPDATE sbtest1 SET c='x' WHERE id=5");
  ASSERT_NE(non_index, nullptr);
  EXPECT_EQ(non_index->assignments[0].value->text, "x");
}

TEST(SysbenchTest, DeleteAndDrop) {
  auto del = ParseAs<ast::Delete>("DELETE FROM sbtest1 WHERE id=5");
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->table.table.name, "sbtest1");
  EXPECT_EQ(Render(*del->where), "(= id 5)");

  auto drop = ParseAs<ast::DropTable>("DROP TABLE IF EXISTS sbtest1");
  ASSERT_NE(drop, nullptr);
  EXPECT_TRUE(drop->if_exists);
  ASSERT_EQ(drop->tables.size(), 1u);
  EXPECT_EQ(drop->tables[0].name, "sbtest1");
}

TEST(SysbenchTest, Transactions) {
  EXPECT_NE(ParseAs<ast::Begin>("BEGIN"), nullptr);
  EXPECT_NE(ParseAs<ast::Commit>("COMMIT"), nullptr);
}

// ---- connectors ----

TEST(ConnectorTest, VersionComment) {
  auto select = ParseAs<ast::Select>("select @@version_comment limit 1");
  ASSERT_NE(select, nullptr);
  EXPECT_EQ(select->items[0].expr->kind, ast::ExprKind::kVariable);
  EXPECT_EQ(select->items[0].expr->name, "version_comment");
  EXPECT_EQ(select->items[0].expr->scope, ast::VariableScope::kDefault);
  EXPECT_EQ(select->items[0].expr->source, "@@version_comment");
  ASSERT_NE(select->limit, nullptr);
  EXPECT_EQ(select->limit->text, "1");
  EXPECT_EQ(select->offset, nullptr);
}

TEST(ConnectorTest, ConnectorJSessionVariables) {
  auto select = ParseAs<ast::Select>(
      "/* mysql-connector-java-8.0.33 (Revision: 7d6b0800528b6b25c68b52dc10d6c1c8429c100c) */"
      "SELECT  @@session.auto_increment_increment AS auto_increment_increment, "
      "@@character_set_client AS character_set_client, @@character_set_connection AS "
      "character_set_connection, @@character_set_results AS character_set_results, "
      "@@character_set_server AS character_set_server, @@collation_server AS collation_server, "
      "@@collation_connection AS collation_connection, @@init_connect AS init_connect, "
      "@@interactive_timeout AS interactive_timeout, @@license AS license, @@lower_case_table_names "
      "AS lower_case_table_names, @@max_allowed_packet AS max_allowed_packet, @@net_write_timeout AS "
      "net_write_timeout, @@performance_schema AS performance_schema, @@sql_mode AS sql_mode, "
      "@@system_time_zone AS system_time_zone, @@time_zone AS time_zone, @@transaction_isolation AS "
      "transaction_isolation, @@wait_timeout AS wait_timeout");
  ASSERT_NE(select, nullptr);
  ASSERT_EQ(select->items.size(), 19u);
  EXPECT_EQ(select->items[0].expr->scope, ast::VariableScope::kSession);
  EXPECT_EQ(select->items[0].expr->name, "auto_increment_increment");
  EXPECT_EQ(select->items[0].alias, "auto_increment_increment");
  EXPECT_EQ(select->items[18].alias, "wait_timeout");
  EXPECT_EQ(select->items[1].expr->scope, ast::VariableScope::kDefault);
}

TEST(ConnectorTest, SetNamesAndAutocommit) {
  auto names = ParseAs<ast::Set>("SET NAMES utf8mb4");
  ASSERT_NE(names, nullptr);
  ASSERT_EQ(names->items.size(), 1u);
  EXPECT_EQ(names->items[0].name, "names");
  EXPECT_EQ(names->items[0].value->text, "utf8mb4");

  auto collate = ParseAs<ast::Set>("SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_ci'");
  ASSERT_NE(collate, nullptr);
  EXPECT_EQ(collate->items[0].collation, "utf8mb4_unicode_ci");

  auto autocommit = ParseAs<ast::Set>("SET autocommit=1");
  ASSERT_NE(autocommit, nullptr);
  EXPECT_EQ(autocommit->items[0].name, "autocommit");
  EXPECT_EQ(autocommit->items[0].scope, ast::VariableScope::kSession);
  EXPECT_EQ(autocommit->items[0].value->text, "1");
}

TEST(ConnectorTest, IsolationLevel) {
  auto set = ParseAs<ast::Set>("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  ASSERT_NE(set, nullptr);
  ASSERT_EQ(set->items.size(), 1u);
  EXPECT_EQ(set->items[0].name, "transaction_isolation");
  EXPECT_EQ(set->items[0].scope, ast::VariableScope::kSession);
  EXPECT_EQ(set->items[0].value->text, "REPEATABLE-READ");

  auto variable = ParseAs<ast::Set>("SET SESSION transaction_isolation = 'READ-COMMITTED'");
  ASSERT_NE(variable, nullptr);
  EXPECT_EQ(variable->items[0].name, "transaction_isolation");
  EXPECT_EQ(variable->items[0].value->text, "READ-COMMITTED");
}

TEST(ConnectorTest, ShowVariablesAndFunctions) {
  auto show = ParseAs<ast::Show>("SHOW VARIABLES LIKE 'lower_case_table_names'");
  ASSERT_NE(show, nullptr);
  EXPECT_EQ(show->show, ast::ShowKind::kVariables);
  EXPECT_EQ(show->like, "lower_case_table_names");

  auto db = ParseAs<ast::Select>("SELECT DATABASE()");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Render(*db->items[0].expr), "DATABASE()");
  EXPECT_EQ(db->items[0].expr->source, "DATABASE()");

  auto version = ParseAs<ast::Select>("select @@version");
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->items[0].expr->name, "version");
}

// ---- mysqldump ----

TEST(MysqldumpTest, HeaderLines) {
  auto saved = ParseAs<ast::Set>("/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;");
  ASSERT_NE(saved, nullptr);
  ASSERT_EQ(saved->items.size(), 1u);
  EXPECT_EQ(saved->items[0].scope, ast::VariableScope::kUser);
  EXPECT_EQ(saved->items[0].name, "OLD_CHARACTER_SET_CLIENT");
  EXPECT_EQ(Render(*saved->items[0].value), "@@CHARACTER_SET_CLIENT");

  auto names = ParseAs<ast::Set>("/*!40101 SET NAMES utf8mb4 */;");
  ASSERT_NE(names, nullptr);
  EXPECT_EQ(names->items[0].name, "names");

  auto checks = ParseAs<ast::Set>("/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;");
  ASSERT_NE(checks, nullptr);
  ASSERT_EQ(checks->items.size(), 2u);
  EXPECT_EQ(checks->items[1].name, "unique_checks");

  auto lock = ParseAs<ast::LockTables>("LOCK TABLES `t` WRITE;");
  ASSERT_NE(lock, nullptr);
  ASSERT_EQ(lock->tables.size(), 1u);
  EXPECT_EQ(lock->tables[0].table.name, "t");
  EXPECT_TRUE(lock->tables[0].write);
  EXPECT_NE(ParseAs<ast::UnlockTables>("UNLOCK TABLES;"), nullptr);
}

TEST(MysqldumpTest, CreateTable) {
  auto create = ParseAs<ast::CreateTable>(
      "CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `name` varchar(64) COLLATE "
      "utf8mb4_general_ci DEFAULT NULL,\n  `created` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON "
      "UPDATE CURRENT_TIMESTAMP(6),\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `name_idx` (`name`(10)),\n  KEY "
      "`k` (`created` DESC)\n) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 "
      "COLLATE=utf8mb4_general_ci;");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->table.name, "t");
  ASSERT_EQ(create->columns.size(), 3u);
  EXPECT_EQ(create->columns[1].type.kind, ast::TypeKind::kVarchar);
  EXPECT_EQ(create->columns[1].type.collation, "utf8mb4_general_ci");
  EXPECT_EQ(create->columns[1].default_value->literal_kind, ast::LiteralKind::kNull);
  EXPECT_EQ(create->columns[2].type.kind, ast::TypeKind::kDateTime);
  EXPECT_EQ(create->columns[2].type.length, 6u);
  EXPECT_EQ(Render(*create->columns[2].default_value), "CURRENT_TIMESTAMP(6)");
  ASSERT_NE(create->columns[2].on_update, nullptr);
  ASSERT_EQ(create->indexes.size(), 3u);
  EXPECT_TRUE(create->indexes[1].unique);
  EXPECT_EQ(create->indexes[1].name, "name_idx");
  EXPECT_EQ(create->indexes[1].columns[0].prefix_length, 10u);
  EXPECT_TRUE(create->indexes[2].columns[0].descending);
  EXPECT_EQ(create->engine, "InnoDB");
  EXPECT_EQ(create->auto_increment_start, 3u);
  EXPECT_EQ(create->text.back(), 'i');  // the ';' is not part of the text
}

}  // namespace
}  // namespace strata::sql

namespace strata::sql {
namespace {
using testing::ParseAs;

// The cluster statements an operator with only a MySQL client uses (issue 18).
TEST(ClusterStatementTest, ShowClusterStatusAndAlterCluster) {
  auto show = ParseAs<ast::Show>("SHOW CLUSTER STATUS");
  ASSERT_NE(show, nullptr);
  EXPECT_EQ(show->show, ast::ShowKind::kClusterStatus);

  auto add = ParseAs<ast::AlterCluster>("ALTER CLUSTER ADD NODE 42 RAFT '10.0.0.4:7000' MYSQL '10.0.0.4:3306'");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->action, ast::AlterCluster::Action::kAddNode);
  EXPECT_EQ(add->node_id, 42u);
  EXPECT_EQ(add->raft_addr, "10.0.0.4:7000");
  EXPECT_EQ(add->mysql_addr, "10.0.0.4:3306");
  EXPECT_EQ(add->admin_addr, "");

  auto remove = ParseAs<ast::AlterCluster>("alter cluster remove node 7;");
  ASSERT_NE(remove, nullptr);
  EXPECT_EQ(remove->action, ast::AlterCluster::Action::kRemoveNode);
  EXPECT_EQ(remove->node_id, 7u);

  auto transfer = ParseAs<ast::AlterCluster>("ALTER CLUSTER TRANSFER LEADER TO 9");
  ASSERT_NE(transfer, nullptr);
  EXPECT_EQ(transfer->action, ast::AlterCluster::Action::kTransferLeader);
  EXPECT_EQ(transfer->node_id, 9u);

  for (const char* bad : {"ALTER CLUSTER ADD NODE 4", "ALTER CLUSTER REMOVE 4", "ALTER CLUSTER ADD NODE 4 RAFT 5",
                          "ALTER CLUSTER TRANSFER LEADER TO x", "SHOW CLUSTER STATUS LIKE 'a'"}) {
    Result<std::vector<ast::StatementPtr>> r = Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().mysql_errno(), 1064) << bad << ": " << r.status().ToString();
  }
}

}  // namespace
}  // namespace strata::sql
