#include "sql/parser/lexer.h"

#include <gtest/gtest.h>

namespace strata::sql {
namespace {

std::vector<Token> Lex(std::string_view sql) {
  Result<std::vector<Token>> tokens = Tokenize(sql);
  EXPECT_TRUE(tokens.ok()) << tokens.status().ToString();
  if (!tokens.ok()) return {};
  return std::move(tokens).value();
}

// Renders tokens as "kind:value" separated by spaces (kinds abbreviated), without kEnd.
std::string Summary(std::string_view sql) {
  static const char* kNames[] = {"end", "w", "q", "s", "i", "d", "f", "u", "sys", "?", "p"};
  std::string out;
  for (const Token& t : Lex(sql)) {
    if (t.kind == TokenKind::kEnd) break;
    if (!out.empty()) out += " ";
    out += std::string(kNames[static_cast<int>(t.kind)]) + ":" + t.value;
  }
  return out;
}

TEST(LexerTest, WordsNumbersAndOperators) {
  EXPECT_EQ(Summary("SELECT a1, _b$ FROM t"), "w:SELECT w:a1 p:, w:_b$ w:FROM w:t");
  EXPECT_EQ(Summary("1 1.5 .5 1. 1e3 1.5E-3 123abc"), "i:1 d:1.5 d:.5 d:1. f:1e3 f:1.5E-3 w:123abc");
  EXPECT_EQ(Summary("a<=>b<=c>=d<>e!=f<<g>>h:=i||j&&k"),
            "w:a p:<=> w:b p:<= w:c p:>= w:d p:<> w:e p:!= w:f p:<< w:g p:>> w:h p::= w:i p:|| w:j p:&& w:k");
  EXPECT_EQ(Summary("t.c t.5"), "w:t p:. w:c w:t p:. i:5");
  EXPECT_EQ(Summary("a-1 a--1"), "w:a p:- i:1 w:a p:- p:- i:1");
  EXPECT_EQ(Summary("?"), "?:?");
}

TEST(LexerTest, Strings) {
  EXPECT_EQ(Summary(R"('it''s' "a\"b" 'x\ny\tz\\')"), "s:it's s:a\"b s:x\ny\tz\\");
  EXPECT_EQ(Lex(R"('\0')")[0].value, std::string(1, '\0'));
  EXPECT_EQ(Summary(R"('100\%' 'a\_b' '\q')"), "s:100\\% s:a\\_b s:q");
  EXPECT_EQ(Summary("'a' \"\"\"\""), "s:a s:\"");
  EXPECT_TRUE(Lex("'x'")[0].quoted_string);
}

// A long literal is copied in runs between quotes and backslashes: every escape, doubled
// quote and run boundary (at the start, the end, back to back) must still come out right.
TEST(LexerTest, LongStringsWithEscapesAndDoubledQuotes) {
  std::string sql = "'", expected;
  for (int i = 0; i < 20000; i++) {
    switch (i % 7) {
      case 0: sql += R"(\\)"; expected += '\\'; break;
      case 1: sql += "''"; expected += '\''; break;
      case 2: sql += R"(\n\0)"; expected += std::string("\n\0", 2); break;
      case 3: sql += std::string(i % 50, 'a'); expected += std::string(i % 50, 'a'); break;
      case 4: sql += R"(\'"")"; expected += R"('"")"; break;
      default: sql += "xy"; expected += "xy";
    }
  }
  sql += R"(''' 'tail')";
  expected += '\'';
  std::vector<Token> tokens = Lex(sql);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].value, expected);
  EXPECT_EQ(tokens[1].value, "tail");
  EXPECT_EQ(Lex("`a``b`")[0].value, "a`b");  // identifiers: no backslash escapes
  EXPECT_EQ(Lex(R"(`a\b`)")[0].value, R"(a\b)");
  EXPECT_FALSE(Tokenize(R"('abc\')").ok());  // the quote is escaped: unterminated
  EXPECT_FALSE(Tokenize("'abc''").ok());
}

// mysqldump's extended INSERTs: hundreds of thousands of short literals in one statement,
// with no backslash after them, lexed right. Each literal's search for a backslash stops at
// its own closing quote: a search to the statement's end per literal made this quadratic
// (7.3 s instead of 0.8 s here in a release build; minutes for a 64 MiB dump statement).
TEST(LexerTest, ManyLiteralsLexInLinearTime) {
  std::string sql = "INSERT INTO t VALUES ('\\n')";
  for (int i = 0; i < 400000; i++) sql += ",('ab')";
  Result<std::vector<Token>> tokens = Tokenize(sql);
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(tokens->size(), 7u + 400000u * 4u + 1u);
  EXPECT_EQ((*tokens)[5].value, "\n");
  EXPECT_EQ(tokens->back().kind, TokenKind::kEnd);
}

TEST(LexerTest, HexAndBitLiterals) {
  EXPECT_EQ(Lex("X'0AFF'")[0].value, "\x0a\xff");
  EXPECT_EQ(Lex("x'41'")[0].value, "A");
  EXPECT_EQ(Lex("0x0AFF")[0].value, "\x0a\xff");
  EXPECT_EQ(Lex("0x41A")[0].value, std::string("\x04\x1a"));  // odd digits: leading zero
  EXPECT_FALSE(Lex("0x41")[0].quoted_string);
  EXPECT_EQ(Lex("b'1000001'")[0].value, "A");
  EXPECT_EQ(Lex("0b1000001")[0].value, "A");
  EXPECT_EQ(Summary("0xg"), "w:0xg");
  EXPECT_FALSE(Tokenize("X'0AF'").ok());  // odd digit count in X'' is an error
  EXPECT_FALSE(Tokenize("X'0G'").ok());
}

TEST(LexerTest, QuotedIdentifiersAndVariables) {
  EXPECT_EQ(Summary("`a``b` `select`"), "q:a`b q:select");
  EXPECT_EQ(Summary("@x @'quoted var' @`q` @a.b"), "u:x u:quoted var u:q u:a.b");
  std::vector<Token> vars = Lex("@@version @@session.a @@GLOBAL.b @@SESSION.c @@local.d");
  ASSERT_EQ(vars.size(), 6u);
  EXPECT_EQ(vars[0].var_scope, ast::VariableScope::kDefault);
  EXPECT_EQ(vars[1].var_scope, ast::VariableScope::kSession);
  EXPECT_EQ(vars[1].value, "a");
  EXPECT_EQ(vars[2].var_scope, ast::VariableScope::kGlobal);
  EXPECT_EQ(vars[2].value, "b");
  EXPECT_EQ(vars[3].var_scope, ast::VariableScope::kSession);
  EXPECT_EQ(vars[4].var_scope, ast::VariableScope::kSession);
}

TEST(LexerTest, Comments) {
  EXPECT_EQ(Summary("a -- comment\nb # another\nc /* block\n */ d"), "w:a w:b w:c w:d");
  EXPECT_EQ(Summary("a--\nb"), "w:a w:b");
  EXPECT_EQ(Summary("/*! ENGINE = innodb */"), "w:ENGINE p:= w:innodb");
  EXPECT_EQ(Summary("/*!40101 SET NAMES utf8 */;"), "w:SET w:NAMES w:utf8 p:;");
  EXPECT_EQ(Summary("a /*!99999 hidden */ b"), "w:a w:b");  // a newer server's syntax
  EXPECT_EQ(Summary("/*+ hint */ x"), "w:x");
}

TEST(LexerTest, OffsetsCoverTheSource) {
  std::vector<Token> tokens = Lex("SELECT  'ab' ,x");
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[1].begin, 8u);
  EXPECT_EQ(tokens[1].end, 12u);
  EXPECT_EQ(tokens[4].kind, TokenKind::kEnd);
  EXPECT_EQ(tokens[4].begin, 15u);
}

TEST(LexerTest, ErrorsPointAtTheBadToken) {
  Result<std::vector<Token>> unterminated = Tokenize("SELECT 'abc");
  ASSERT_FALSE(unterminated.ok());
  EXPECT_EQ(unterminated.status().mysql_errno(), 1064);
  EXPECT_NE(unterminated.status().message().find("near ''abc' at line 1"), std::string_view::npos);
  EXPECT_FALSE(Tokenize("a /* open").ok());
  EXPECT_FALSE(Tokenize("`open").ok());
  EXPECT_FALSE(Tokenize("SELECT \\").ok());
  EXPECT_FALSE(Tokenize("@").ok());
  EXPECT_FALSE(Tokenize("'\\").ok());
}

}  // namespace
}  // namespace strata::sql
