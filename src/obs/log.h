// Structured logging: one event per line, as JSON (default for machines) or text (for a
// terminal). Every event has a timestamp, a level, a component and a message, plus
// key/value fields:
//
//   obs::Info("node", "data directory opened", {{"path", dir}, {"fresh", true}});
//   {"ts":"2026-11-25T08:30:00.123Z","level":"info","component":"node",
//    "msg":"data directory opened","path":"/var/lib/stratadb","fresh":true}
//
// Lines go to stderr through spdlog (thread-safe; a line is never interleaved with another).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "common/status.h"

namespace strata::obs {

enum class LogLevel : uint8_t { kDebug, kInfo, kWarn, kError };
enum class LogFormat : uint8_t { kJson, kText };

Result<LogFormat> ParseLogFormat(std::string_view s);
Result<LogLevel> ParseLogLevel(std::string_view s);

struct LogField {
  using Value = std::variant<std::string_view, std::string, int64_t, uint64_t, double, bool>;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
  LogField(std::string_view k, int v) : key(k), value(int64_t{v}) {}
  LogField(std::string_view k, int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(v) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  std::string_view key;
  Value value;
};
using LogFields = std::initializer_list<LogField>;

// Sets the process-wide format and minimum level. Safe to call again (tests do).
void InitLogging(LogFormat format, LogLevel min_level);

// Routes log lines to `sink` instead of stderr (tests); nullptr restores stderr.
void SetLogSinkForTest(std::string* sink);

void Log(LogLevel level, std::string_view component, std::string_view message, LogFields fields = {});
inline void Debug(std::string_view c, std::string_view m, LogFields f = {}) { Log(LogLevel::kDebug, c, m, f); }
inline void Info(std::string_view c, std::string_view m, LogFields f = {}) { Log(LogLevel::kInfo, c, m, f); }
inline void Warn(std::string_view c, std::string_view m, LogFields f = {}) { Log(LogLevel::kWarn, c, m, f); }
inline void Error(std::string_view c, std::string_view m, LogFields f = {}) { Log(LogLevel::kError, c, m, f); }

// Formats one event without emitting it (exposed for tests and the slow-query log).
std::string FormatLogLine(LogFormat format, LogLevel level, std::string_view timestamp,
                          std::string_view component, std::string_view message, LogFields fields);

}  // namespace strata::obs
