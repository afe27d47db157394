// Deterministic fuzzing: mutate valid statements (byte flips, truncations, duplications,
// spliced tokens) and check that Parse never crashes and fails only with 1064 or 1235.
// One seed → one exact run; a failure prints the seed, iteration and input.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sql/parser/parser.h"

namespace strata::sql {
namespace {

const std::vector<std::string>& Corpus() {
  static const std::vector<std::string> kCorpus = {
      "CREATE TABLE sbtest1(\n  id INTEGER NOT NULL AUTO_INCREMENT,\n  k INTEGER DEFAULT '0' NOT NULL,\n"
      "  c CHAR(120) DEFAULT '' NOT NULL,\n  pad CHAR(60) DEFAULT '' NOT NULL,\n  PRIMARY KEY (id)\n"
      ") /*! ENGINE = innodb */ ",
      "INSERT INTO sbtest1(k, c, pad) VALUES(5,'abc','def'),(6,'x','y')",
      "CREATE INDEX k_1 ON sbtest1(k)",
      "SELECT c FROM sbtest1 WHERE id=5",
      "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN 1 AND 100",
      "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 1 AND 100 ORDER BY c",
      "UPDATE sbtest1 SET k=k+1 WHERE id=5",
      "DELETE FROM sbtest1 WHERE id=5",
      "DROP TABLE IF EXISTS sbtest1",
      "SELECT @@version_comment LIMIT 1",
      "SET NAMES utf8mb4 COLLATE 'utf8mb4_unicode_ci'",
      "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
      "SHOW VARIABLES LIKE 'lower_case_table_names'",
      "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;",
      "LOCK TABLES `t` WRITE; UNLOCK TABLES",
      "CREATE TABLE `t` (`id` int NOT NULL, `v` varchar(64) COLLATE utf8mb4_bin DEFAULT NULL, "
      "`e` enum('a','b') DEFAULT 'a', `d` decimal(10,2) unsigned zerofill, PRIMARY KEY (`id`), "
      "UNIQUE KEY `u` (`v`(10) DESC)) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4",
      "SELECT a, CASE WHEN b > 1 THEN CAST(c AS DECIMAL(10,2)) ELSE -d END AS x, COUNT(*) "
      "FROM db.t AS u WHERE a IN (1,2) AND NOT b LIKE 'x%' OR c IS NOT NULL GROUP BY a "
      "HAVING COUNT(*) > 1 ORDER BY 2 DESC LIMIT 10 OFFSET 5 FOR UPDATE",
      "INSERT IGNORE INTO t SET a=1, b=DEFAULT ON DUPLICATE KEY UPDATE b=VALUES(b)+1",
      "SELECT X'0AFF', 0x41, b'101', 1e3, .5, @u, d + INTERVAL 1 DAY, CONVERT(x USING utf8)",
      "SHOW FULL COLUMNS FROM t FROM db LIKE 'a%'; DESCRIBE t c; START TRANSACTION READ ONLY",
  };
  return kCorpus;
}

const std::vector<std::string>& Fragments() {
  static const std::vector<std::string> kFragments = {
      "(", ")", ",", ";", "'", "\"", "`", "/*", "*/", "/*!", "--", "#", "\\", "@", "@@", "?", ".",
      "SELECT", "FROM", "WHERE", "NOT", "IN", "BETWEEN", "AND", "CASE", "WHEN", "END", "CAST",
      "INTERVAL", "DEFAULT", "NULL", "X'", "0x", "b'", "1e", "-", "!", "~", "BINARY", "COLLATE",
      "((((((((((", "\n", "\xff", "\0", "é", "KEY", "PRIMARY", "FOREIGN", "SET", "TABLE"};
  return kFragments;
}

std::string Mutate(std::string s, std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); };
  int mutations = 1 + static_cast<int>(pick(4));
  for (int m = 0; m < mutations; ++m) {
    switch (pick(6)) {
      case 0:  // flip a byte
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng() & 0xff);
        break;
      case 1:  // truncate
        s.resize(pick(s.size() + 1));
        break;
      case 2: {  // duplicate a span
        size_t begin = pick(s.size() + 1);
        size_t len = pick(s.size() - begin + 1);
        s.insert(pick(s.size() + 1), s.substr(begin, len));
        break;
      }
      case 3:  // insert a fragment
        s.insert(pick(s.size() + 1), " " + Fragments()[pick(Fragments().size())] + " ");
        break;
      case 4: {  // delete a span
        size_t begin = pick(s.size() + 1);
        s.erase(begin, pick(s.size() - begin + 1));
        break;
      }
      default:  // splice in part of another statement
        const std::string& other = Corpus()[pick(Corpus().size())];
        s.insert(pick(s.size() + 1), other.substr(pick(other.size() + 1)));
        break;
    }
  }
  return s;
}

void CheckOutcome(const std::string& sql, uint64_t seed, int iteration) {
  Result<std::vector<ast::StatementPtr>> result = Parse(sql);
  if (result.ok()) {
    ASSERT_FALSE(result->empty());
    for (const ast::StatementPtr& statement : *result) ASSERT_NE(statement, nullptr);
    return;
  }
  uint16_t code = result.status().mysql_errno();
  ASSERT_TRUE(code == 1064 || code == 1235)
      << "seed " << seed << " iteration " << iteration << ": " << result.status().ToString() << "\n"
      << sql;
  ASSERT_EQ(result.status().sqlstate(), "42000");
}

TEST(ParserFuzzTest, CorpusParses) {
  for (const std::string& sql : Corpus()) {
    Result<std::vector<ast::StatementPtr>> result = Parse(sql);
    EXPECT_TRUE(result.ok()) << sql << "\n" << result.status().ToString();
  }
}

TEST(ParserFuzzTest, MutationsNeverCrash) {
  constexpr uint64_t kSeeds[] = {1, 2, 3, 0x5eed};
  constexpr int kIterations = 20000;
  for (uint64_t seed : kSeeds) {
    std::mt19937_64 rng(seed);
    for (int i = 0; i < kIterations; ++i) {
      const std::string& base = Corpus()[rng() % Corpus().size()];
      std::string sql = Mutate(base, rng);
      CheckOutcome(sql, seed, i);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(ParserFuzzTest, DeepNesting) {
  const std::vector<std::pair<std::string, std::string>> shapes = {
      {"(", ")"}, {"-", ""}, {"NOT ", ""}, {"CASE WHEN ", " THEN 1 END"}, {"f(", ")"},
      {"CAST(", " AS SIGNED)"}, {"(1,", ")"}, {"a IN (", ")"}, {"INTERVAL ", " DAY"}};
  std::string between = "SELECT a";
  for (int i = 0; i < 100000; ++i) between += " BETWEEN 1 AND a";
  CheckOutcome(between, 0, 0);
  std::string is_chain = "SELECT a";
  for (int i = 0; i < 20000; ++i) is_chain += " IS NOT NULL = 1 + 2 COLLATE x";
  CheckOutcome(is_chain, 0, 0);
  for (const auto& [open, close] : shapes) {
    for (int depth : {10, 199, 200, 201, 5000}) {
      std::string expr = "1";
      std::string prefix;
      std::string suffix;
      for (int i = 0; i < depth; ++i) {
        prefix += open;
        suffix += close;
      }
      CheckOutcome("SELECT " + prefix + expr + suffix, 0, depth);
      CheckOutcome("SELECT " + prefix + expr, 0, depth);  // unbalanced
    }
  }
}

}  // namespace
}  // namespace strata::sql
