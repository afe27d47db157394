#include "slt_script.h"

#include <gtest/gtest.h>

namespace strata::slt {
namespace {

TEST(SltScript, ReadsStatementsQueriesAndGuards) {
  const char* text =
      "# a comment\n"
      "statement ok\n"
      "CREATE TABLE t1(a INTEGER)\n"
      "\n"
      "statement error 1146\n"
      "SELECT * FROM nope\n"
      "\n"
      "skipif mysql # not here\n"
      "query I rowsort label-1\n"
      "90\n"
      "\n"
      "onlyif mysql\n"
      "# a comment between a guard and its record\n"
      "query IT valuesort label-2\n"
      "SELECT a,\n"
      "  'x' FROM t1\n"
      "----\n"
      "1\n"
      "x\n"
      "\n"
      "hash-threshold 8\n"
      "\n"
      "query I nosort\n"
      "SELECT 1\n"
      "\n"
      "onlyif sqlite\n"
      "halt\n"
      "\n"
      "halt\n";
  Script script;
  ASSERT_EQ(ParseScript(text, "mysql", &script), std::nullopt);
  ASSERT_EQ(script.records.size(), 8u);
  EXPECT_EQ(script.records[0].kind, RecordKind::kStatementOk);
  EXPECT_EQ(script.records[0].sql, "CREATE TABLE t1(a INTEGER)");
  EXPECT_EQ(script.records[1].kind, RecordKind::kStatementError);
  EXPECT_EQ(script.records[1].error_code, 1146u);
  EXPECT_FALSE(script.records[2].applies);  // skipped, and its malformed body is not read
  const Record& q = script.records[3];
  EXPECT_TRUE(q.applies);
  EXPECT_EQ(q.types, "IT");
  EXPECT_EQ(q.sort, SortMode::kValueSort);
  EXPECT_EQ(q.label, "label-2");
  EXPECT_EQ(q.sql, "SELECT a,\n  'x' FROM t1");
  EXPECT_TRUE(q.has_expected);
  EXPECT_EQ(q.expected, (std::vector<std::string>{"1", "x"}));
  EXPECT_EQ(q.expected_line, 18);
  EXPECT_EQ(script.records[4].threshold, 8u);
  EXPECT_FALSE(script.records[5].has_expected);
  EXPECT_FALSE(script.records[6].applies);  // halt only for sqlite
  EXPECT_EQ(script.records[7].kind, RecordKind::kHalt);
  EXPECT_TRUE(script.records[7].applies);
}

TEST(SltScript, ReadsConnectionSwitches) {
  Script script;
  ASSERT_EQ(ParseScript("connection a\n\nstatement ok\nBEGIN\n\nconnection default\n", "mysql", &script),
            std::nullopt);
  ASSERT_EQ(script.records.size(), 3u);
  EXPECT_EQ(script.records[0].kind, RecordKind::kConnection);
  EXPECT_EQ(script.records[0].label, "a");
  EXPECT_EQ(script.records[2].label, "default");
  EXPECT_NE(ParseScript("connection\n", "mysql", &script), std::nullopt);
}

TEST(SltScript, NamesTheLineOfAMalformedRecord) {
  Script script;
  auto error = ParseScript("statement ok\nSELECT 1\n\nquery X\nSELECT 1\n", "mysql", &script);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("line 4"), std::string::npos) << *error;
  EXPECT_NE(ParseScript("statement maybe\nSELECT 1\n", "mysql", &script), std::nullopt);
  EXPECT_NE(ParseScript("statement ok\n\n", "mysql", &script), std::nullopt);
  EXPECT_NE(ParseScript("skipif\nstatement ok\nSELECT 1\n", "mysql", &script), std::nullopt);
}

TEST(SltScript, FormatsValuesAsSqllogictestPrintsThem) {
  EXPECT_EQ(FormatValue(std::nullopt, 'I'), "NULL");
  EXPECT_EQ(FormatValue(std::nullopt, 'T'), "NULL");
  EXPECT_EQ(FormatValue("17", 'I'), "17");
  EXPECT_EQ(FormatValue("-9223372036854775808", 'I'), "-9223372036854775808");
  EXPECT_EQ(FormatValue("17.5000", 'I'), "17");
  EXPECT_EQ(FormatValue("-0.5", 'I'), "0");
  EXPECT_EQ(FormatValue("abc", 'I'), "0");
  EXPECT_EQ(FormatValue("48", 'R'), "48.000");
  EXPECT_EQ(FormatValue("2.34567", 'R'), "2.346");
  EXPECT_EQ(FormatValue("", 'T'), "(empty)");
  EXPECT_EQ(FormatValue("a\tb\xc3\xa9", 'T'), "a@b@@");
}

TEST(SltScript, SortsRowsOrValues) {
  std::vector<std::vector<std::string>> rows{{"2", "a"}, {"10", "b"}, {"1", "c"}};
  EXPECT_EQ(SortedValues(rows, SortMode::kNoSort),
            (std::vector<std::string>{"2", "a", "10", "b", "1", "c"}));
  // Strings, as sqllogictest compares them: "10" < "2".
  EXPECT_EQ(SortedValues(rows, SortMode::kRowSort),
            (std::vector<std::string>{"1", "c", "10", "b", "2", "a"}));
  EXPECT_EQ(SortedValues(rows, SortMode::kValueSort),
            (std::vector<std::string>{"1", "10", "2", "a", "b", "c"}));
}

TEST(SltScript, HashesAndMatches) {
  // md5("1\n2\n") — the same digest `printf '1\n2\n' | md5sum` prints.
  EXPECT_EQ(HashLine({"1", "2"}), "2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0");
  std::vector<std::string> values{"1", "2", "3", "4"};
  EXPECT_TRUE(ResultMatches({"1", "2", "3", "4"}, values, 1));
  EXPECT_TRUE(ResultMatches({"1 2", "3 4"}, values, 2));
  EXPECT_FALSE(ResultMatches({"1 2", "3 5"}, values, 2));
  EXPECT_TRUE(ResultMatches({HashLine(values)}, values, 2));
  EXPECT_FALSE(ResultMatches({HashLine({"1", "2", "3"})}, values, 2));
  EXPECT_FALSE(ResultMatches({}, values, 1));
  EXPECT_TRUE(ResultMatches({}, {}, 1));
  EXPECT_EQ(ExpectedLines(values, 0), values);
  EXPECT_EQ(ExpectedLines(values, 4), values);
  EXPECT_EQ(ExpectedLines(values, 3), std::vector<std::string>{HashLine(values)});
}

}  // namespace
}  // namespace strata::slt
