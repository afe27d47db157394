#include "obs/log.h"

#include <gtest/gtest.h>

namespace strata::obs {
namespace {

TEST(LogTest, JsonLineHasFixedFieldsAndEscapes) {
  std::string line = FormatLogLine(LogFormat::kJson, LogLevel::kWarn, "2026-01-01T00:00:00.000Z",
                                   "io", "slow \"disk\"\n",
                                   {{"device", "vda"}, {"ops", 12}, {"ratio", 0.5}, {"ok", false}});
  EXPECT_EQ(line,
            R"({"ts":"2026-01-01T00:00:00.000Z","level":"warn","component":"io",)"
            R"("msg":"slow \"disk\"\n","device":"vda","ops":12,"ratio":0.5,"ok":false})");
}

TEST(LogTest, ControlCharactersAreEscaped) {
  std::string line = FormatLogLine(LogFormat::kJson, LogLevel::kInfo, "t", "c", std::string("a\x01z", 3), {});
  EXPECT_NE(line.find(R"(a\u0001z)"), std::string::npos) << line;
}

TEST(LogTest, TextLineQuotesValuesWithSpaces) {
  std::string line = FormatLogLine(LogFormat::kText, LogLevel::kInfo, "T", "node", "started",
                                   {{"dir", "/a b"}, {"port", 3306}});
  EXPECT_EQ(line, R"(T info  [node] started dir="/a b" port=3306)");
}

TEST(LogTest, LevelFilterAndSink) {
  std::string sink;
  SetLogSinkForTest(&sink);
  InitLogging(LogFormat::kJson, LogLevel::kWarn);
  Info("x", "dropped");
  Error("x", "kept", {{"k", "v"}});
  SetLogSinkForTest(nullptr);
  InitLogging(LogFormat::kJson, LogLevel::kInfo);
  EXPECT_EQ(sink.find("dropped"), std::string::npos);
  EXPECT_NE(sink.find(R"("level":"error","component":"x","msg":"kept","k":"v"})"), std::string::npos) << sink;
  EXPECT_EQ(sink.back(), '\n');
}

TEST(LogTest, ParseFormatAndLevel) {
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarn);
  EXPECT_FALSE(ParseLogLevel("loud").ok());
}

}  // namespace
}  // namespace strata::obs
