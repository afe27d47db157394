#include "obs/log.h"

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "obs/json.h"

namespace strata::obs {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kJson};
std::atomic<LogLevel> g_min_level{LogLevel::kInfo};
std::mutex g_test_mu;
std::string* g_test_sink = nullptr;

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("stratadb",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");  // the line is fully formatted by FormatLogLine
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return *logger;
}

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms.count());
}

struct JsonFieldAdder {
  JsonObject* obj;
  std::string_view key;
  void operator()(std::string_view v) const { obj->Add(key, v); }
  void operator()(const std::string& v) const { obj->Add(key, std::string_view(v)); }
  void operator()(int64_t v) const { obj->Add(key, v); }
  void operator()(uint64_t v) const { obj->Add(key, v); }
  void operator()(double v) const { obj->Add(key, v); }
  void operator()(bool v) const { obj->Add(key, v); }
};

std::string TextValue(const LogField::Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string_view> || std::is_same_v<T, std::string>) {
          bool plain = !v.empty() && v.find_first_of(" \"=\n") == std::string_view::npos;
          if (plain) return std::string(v);
          std::string quoted;
          AppendJsonString(&quoted, v);
          return quoted;
        } else {
          return fmt::format("{}", v);
        }
      },
      value);
}

}  // namespace

Result<LogFormat> ParseLogFormat(std::string_view s) {
  if (s == "json") return LogFormat::kJson;
  if (s == "text") return LogFormat::kText;
  return Status::InvalidArgument(fmt::format("unknown log format '{}' (expected json or text)", s));
}

Result<LogLevel> ParseLogLevel(std::string_view s) {
  if (s == "debug") return LogLevel::kDebug;
  if (s == "info") return LogLevel::kInfo;
  if (s == "warn" || s == "warning") return LogLevel::kWarn;
  if (s == "error") return LogLevel::kError;
  return Status::InvalidArgument(
      fmt::format("unknown log level '{}' (expected debug, info, warn or error)", s));
}

void InitLogging(LogFormat format, LogLevel min_level) {
  g_format.store(format);
  g_min_level.store(min_level);
}

void SetLogSinkForTest(std::string* sink) {
  std::lock_guard lock(g_test_mu);
  g_test_sink = sink;
}

std::string FormatLogLine(LogFormat format, LogLevel level, std::string_view timestamp,
                          std::string_view component, std::string_view message, LogFields fields) {
  if (format == LogFormat::kJson) {
    JsonObject obj;
    obj.Add("ts", timestamp).Add("level", LevelName(level)).Add("component", component).Add("msg", message);
    for (const auto& f : fields) std::visit(JsonFieldAdder{&obj, f.key}, f.value);
    return std::move(obj).Finish();
  }
  std::string line = fmt::format("{} {:<5} [{}] {}", timestamp, LevelName(level), component, message);
  for (const auto& f : fields) line += fmt::format(" {}={}", f.key, TextValue(f.value));
  return line;
}

void Log(LogLevel level, std::string_view component, std::string_view message, LogFields fields) {
  if (level < g_min_level.load(std::memory_order_relaxed)) return;
  std::string line =
      FormatLogLine(g_format.load(std::memory_order_relaxed), level, Timestamp(), component, message, fields);
  {
    std::lock_guard lock(g_test_mu);
    if (g_test_sink) {
      *g_test_sink += line;
      *g_test_sink += '\n';
      return;
    }
  }
  Logger().info("{}", line);
}

}  // namespace strata::obs
