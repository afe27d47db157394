// slt_runner: runs sqllogictest files against any MySQL-protocol server through libmariadb.
//
//   slt_runner --port N [--host H] [--user U] [--password P] [--engine mysql]
//              [--root DIR] [--expect FILE] [--write-expect FILE] [--rewrite] [--show N]
//              [--timeout S] PATH...
//
// A PATH is a .test file or a directory (searched recursively, in name order). Each file runs
// in a fresh database `slt_run` (dropped and created before it). Prints a line per file with
// the records run, passed, failed and skipped, then a total, and exits
//   0  every record that applies to the engine passed (or, with --expect, no file failed
//      more records than the file lists);
//   1  a record failed;
//   2  a usage error or a file that cannot be read;
//   3  the server stopped answering (a crash is always a failure, whatever --expect says).
// --expect FILE lists known failures: `<path relative to --root> <failed records>` per line
// (# comments); a file not listed must pass whole. --write-expect FILE writes that list from
// this run. --rewrite writes each file's query results
// back from the server's answers (for this project's own tests, never the external corpus).
#include <mysql.h>
#include <errmsg.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "slt_script.h"

namespace fs = std::filesystem;
using namespace strata::slt;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  unsigned port = 3306;
  std::string user = "root";
  std::string password;
  std::string engine = "mysql";
  std::string root;
  std::string expect_file;
  std::string write_expect_file;
  bool rewrite = false;
  int show = 3;
  unsigned timeout_seconds = 120;
  std::vector<std::string> paths;
};

struct FileResult {
  std::string name;
  uint64_t run = 0, passed = 0, failed = 0, skipped = 0;
  double seconds = 0;
  std::string error;  // the file could not be read
};

[[noreturn]] void Usage(const std::string& why) {
  std::cerr << "slt_runner: " << why << "\n"
            << "usage: slt_runner --port N [--host H] [--user U] [--password P] [--engine mysql]\n"
            << "                  [--root DIR] [--expect FILE] [--write-expect FILE] [--rewrite] [--show N]\n"
            << "                  [--timeout S] PATH...\n";
  std::exit(2);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--host") o.host = value();
    else if (arg == "--port") o.port = static_cast<unsigned>(std::stoul(value()));
    else if (arg == "--user") o.user = value();
    else if (arg == "--password") o.password = value();
    else if (arg == "--engine") o.engine = value();
    else if (arg == "--root") o.root = value();
    else if (arg == "--expect") o.expect_file = value();
    else if (arg == "--write-expect") o.write_expect_file = value();
    else if (arg == "--rewrite") o.rewrite = true;
    else if (arg == "--show") o.show = std::stoi(value());
    else if (arg == "--timeout") o.timeout_seconds = static_cast<unsigned>(std::stoul(value()));
    else if (!arg.empty() && arg[0] == '-') Usage("unknown option " + arg);
    else o.paths.push_back(arg);
  }
  if (o.paths.empty()) Usage("no test file or directory given");
  return o;
}

std::vector<fs::path> TestFiles(const std::vector<std::string>& paths) {
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    if (fs::is_directory(p)) {
      std::vector<fs::path> found;
      for (const auto& entry : fs::recursive_directory_iterator(p)) {
        if (entry.is_regular_file() && entry.path().extension() == ".test") found.push_back(entry.path());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p)) {
      files.emplace_back(p);
    } else {
      Usage("no such file or directory: " + p);
    }
  }
  return files;
}

std::string Shorten(std::string_view text, size_t limit = 300) {
  std::string s(text.substr(0, limit));
  if (text.size() > limit) s += "...";
  return s;
}

// One connection; reconnects after the server dropped it.
class Connection {
 public:
  explicit Connection(const Options& options) : options_(options) {}
  ~Connection() { Close(); }

  bool Open(std::string* error) {
    Close();
    mysql_ = mysql_init(nullptr);
    unsigned connect_timeout = 10;
    mysql_options(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_options(mysql_, MYSQL_OPT_READ_TIMEOUT, &options_.timeout_seconds);
    mysql_options(mysql_, MYSQL_OPT_WRITE_TIMEOUT, &options_.timeout_seconds);
    if (mysql_real_connect(mysql_, options_.host.c_str(), options_.user.c_str(),
                           options_.password.c_str(), nullptr, options_.port, nullptr, 0) == nullptr) {
      *error = mysql_error(mysql_);
      return false;
    }
    return true;
  }

  void Close() {
    if (mysql_ != nullptr) mysql_close(mysql_);
    mysql_ = nullptr;
  }

  // Runs one statement; fills rows (NULL as nullopt) when it returns a result set.
  // Returns 0 on success, else the MySQL error code (message in *error).
  unsigned Run(const std::string& sql, std::vector<std::vector<std::optional<std::string>>>* rows,
               size_t* columns, std::string* error) {
    rows->clear();
    *columns = 0;
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Failure(error);
    MYSQL_RES* result = mysql_store_result(mysql_);
    if (result == nullptr) {
      if (mysql_field_count(mysql_) != 0) return Failure(error);
      return 0;
    }
    *columns = mysql_num_fields(result);
    while (MYSQL_ROW row = mysql_fetch_row(result)) {
      unsigned long* lengths = mysql_fetch_lengths(result);
      std::vector<std::optional<std::string>>& out = rows->emplace_back();
      for (size_t c = 0; c < *columns; ++c) {
        if (row[c] == nullptr) out.emplace_back(std::nullopt);
        else out.emplace_back(std::string(row[c], lengths[c]));
      }
    }
    mysql_free_result(result);
    return 0;
  }

  static bool IsConnectionLoss(unsigned code) {
    return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == CR_CONNECTION_ERROR;
  }

 private:
  unsigned Failure(std::string* error) {
    *error = mysql_error(mysql_);
    return mysql_errno(mysql_);
  }

  const Options& options_;
  MYSQL* mysql_ = nullptr;
};

class Runner {
 public:
  explicit Runner(const Options& options) : options_(options), connection_(options) {}

  bool Connect() {
    std::string error;
    for (int attempt = 0; attempt < 20; ++attempt) {
      if (connection_.Open(&error)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    std::cerr << "slt_runner: cannot connect to " << options_.host << ":" << options_.port << ": "
              << error << "\n";
    return false;
  }

  bool server_lost() const { return server_lost_; }
  uint64_t connection_losses() const { return connection_losses_; }

  FileResult RunFile(const fs::path& path, const std::string& name) {
    FileResult result;
    result.name = name;
    auto start = std::chrono::steady_clock::now();
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    Script script;
    if (!in) {
      result.error = "cannot read the file";
      return result;
    }
    if (auto error = ParseScript(buffer.str(), options_.engine, &script)) {
      result.error = *error;
      return result;
    }
    others_.clear();
    current_ = &connection_;
    if (!ResetDatabase(&result)) return result;
    shown_ = 0;
    labels_.clear();
    threshold_ = 0;
    rewrites_.clear();
    for (const Record& record : script.records) {
      if (!record.applies) {
        ++result.skipped;
        continue;
      }
      if (record.kind == RecordKind::kHalt) break;
      if (record.kind == RecordKind::kConnection) {
        if (!SwitchConnection(record.label, &result)) return result;
        continue;
      }
      if (record.kind == RecordKind::kHashThreshold) {
        threshold_ = record.threshold;
        continue;
      }
      ++result.run;
      std::string failure = RunRecord(record);
      if (failure.empty()) {
        ++result.passed;
      } else {
        ++result.failed;
        Report(name, record, failure);
      }
      if (server_lost_) break;
    }
    if (options_.rewrite && !rewrites_.empty()) Rewrite(path, &script);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  }

 private:
  struct Replacement {
    size_t begin, end;  // 0-based line range replaced
    std::vector<std::string> lines;
  };

  // Makes `name` the session later records run on (opening it in slt_run on first use).
  bool SwitchConnection(const std::string& name, FileResult* result) {
    if (name == "default") {
      current_ = &connection_;
      return true;
    }
    auto it = others_.find(name);
    if (it == others_.end()) {
      auto connection = std::make_unique<Connection>(options_);
      std::string error;
      std::vector<std::vector<std::optional<std::string>>> rows;
      size_t columns = 0;
      if (!connection->Open(&error) || connection->Run("USE slt_run", &rows, &columns, &error) != 0) {
        result->error = "connection " + name + ": " + error;
        return false;
      }
      it = others_.emplace(name, std::move(connection)).first;
    }
    current_ = it->second.get();
    return true;
  }

  bool ResetDatabase(FileResult* result) {
    for (const char* sql : {"DROP DATABASE IF EXISTS slt_run", "CREATE DATABASE slt_run", "USE slt_run"}) {
      std::string error;
      if (Execute(sql, &error) != 0) {
        result->error = std::string(sql) + ": " + error;
        return false;
      }
    }
    return true;
  }

  unsigned Execute(const std::string& sql, std::string* error) {
    rows_.clear();
    unsigned code = current_->Run(sql, &rows_, &columns_, error);
    if (code != 0 && Connection::IsConnectionLoss(code)) {
      ++connection_losses_;
      *error = "the server dropped the connection (" + *error + ")";
      std::string reconnect_error;
      if (!current_->Open(&reconnect_error)) {
        server_lost_ = true;
        *error += "; reconnecting failed: " + reconnect_error;
      } else {
        std::string ignored;
        current_->Run("USE slt_run", &rows_, &columns_, &ignored);
      }
    }
    return code;
  }

  // Returns "" when the record passed, else what went wrong.
  std::string RunRecord(const Record& record) {
    std::string error;
    unsigned code = Execute(record.sql, &error);
    switch (record.kind) {
      case RecordKind::kStatementOk:
        return code == 0 ? "" : "error " + std::to_string(code) + ": " + error;
      case RecordKind::kStatementError:
        if (code == 0) return "succeeded, an error was expected";
        if (record.error_code && *record.error_code != code) {
          return "error " + std::to_string(code) + " (" + error + "), expected error " +
                 std::to_string(*record.error_code);
        }
        return "";
      case RecordKind::kQuery:
        if (code != 0) return "error " + std::to_string(code) + ": " + error;
        return CheckQuery(record);
      default:
        return "";
    }
  }

  std::string CheckQuery(const Record& record) {
    if (columns_ != record.types.size()) {
      return std::to_string(columns_) + " columns, expected " + std::to_string(record.types.size());
    }
    std::vector<std::vector<std::string>> formatted;
    formatted.reserve(rows_.size());
    for (const auto& row : rows_) {
      std::vector<std::string>& out = formatted.emplace_back();
      for (size_t c = 0; c < row.size(); ++c) out.push_back(FormatValue(row[c], record.types[c]));
    }
    std::vector<std::string> values = SortedValues(std::move(formatted), record.sort);
    if (options_.rewrite) {
      size_t end = static_cast<size_t>(record.end_line) - 1;
      if (record.has_expected) {
        rewrites_.push_back({static_cast<size_t>(record.expected_line) - 1, end,
                             ExpectedLines(values, threshold_)});
      } else {
        std::vector<std::string> lines{"----"};
        for (std::string& line : ExpectedLines(values, threshold_)) lines.push_back(std::move(line));
        rewrites_.push_back({end, end, std::move(lines)});
      }
      return "";
    }
    if (!record.label.empty()) {
      std::string hash = HashLine(values);
      auto [it, inserted] = labels_.emplace(record.label, hash);
      if (!inserted && it->second != hash) {
        return "result differs from an earlier query labelled " + record.label;
      }
    }
    if (!record.has_expected || ResultMatches(record.expected, values, columns_)) return "";
    std::string message = "wrong result\n    expected:";
    for (size_t i = 0; i < record.expected.size() && i < 12; ++i) message += " " + record.expected[i];
    if (record.expected.size() > 12) message += " ...";
    message += "\n    actual:  ";
    std::vector<std::string> shown = ExpectedLines(values, record.expected.size() == 1 &&
                                                               record.expected[0].find(" values hashing to ") !=
                                                                   std::string::npos
                                                           ? 1
                                                           : 0);
    for (size_t i = 0; i < shown.size() && i < 12; ++i) message += " " + shown[i];
    if (shown.size() > 12) message += " ...";
    return message;
  }

  void Report(const std::string& name, const Record& record, const std::string& failure) {
    if (shown_++ >= options_.show) return;
    std::cout << "  " << name << ":" << record.line << ": " << failure << "\n    sql: "
              << Shorten(record.sql) << "\n";
  }

  void Rewrite(const fs::path& path, Script* script) {
    std::vector<std::string>& lines = script->lines;
    std::sort(rewrites_.begin(), rewrites_.end(),
              [](const Replacement& a, const Replacement& b) { return a.begin > b.begin; });
    for (Replacement& r : rewrites_) {
      lines.erase(lines.begin() + static_cast<ptrdiff_t>(r.begin),
                  lines.begin() + static_cast<ptrdiff_t>(std::min(r.end, lines.size())));
      lines.insert(lines.begin() + static_cast<ptrdiff_t>(r.begin), r.lines.begin(), r.lines.end());
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const std::string& line : lines) out << line << "\n";
    std::cout << "  rewrote " << path.string() << "\n";
  }

  const Options& options_;
  Connection connection_;                                   // "default"
  std::map<std::string, std::unique_ptr<Connection>> others_;  // the file's other sessions
  Connection* current_ = &connection_;
  std::vector<std::vector<std::optional<std::string>>> rows_;
  size_t columns_ = 0;
  std::map<std::string, std::string> labels_;
  uint64_t threshold_ = 0;
  std::vector<Replacement> rewrites_;
  int shown_ = 0;
  bool server_lost_ = false;
  uint64_t connection_losses_ = 0;
};

std::map<std::string, uint64_t> ReadExpectations(const std::string& file) {
  std::map<std::string, uint64_t> expected;
  if (file.empty()) return expected;
  std::ifstream in(file);
  if (!in) Usage("cannot read " + file);
  std::string line;
  while (std::getline(in, line)) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string name;
    uint64_t failed = 0;
    if (!(words >> name)) continue;
    if (!(words >> failed)) Usage(file + ": '" + line + "' needs a failure count");
    expected[name] = failed;
  }
  return expected;
}

std::string RelativeName(const fs::path& file, const std::string& root) {
  if (root.empty()) return file.string();
  return fs::relative(file, root).string();
}

}  // namespace

int main(int argc, char** argv) {
  Options options = ParseArgs(argc, argv);
  std::vector<fs::path> files = TestFiles(options.paths);
  std::map<std::string, uint64_t> expectations = ReadExpectations(options.expect_file);
  Runner runner(options);
  if (!runner.Connect()) return 3;

  FileResult total;
  total.name = "total";
  uint64_t files_passed = 0;
  bool regression = false, unreadable = false;
  std::vector<std::string> improved;
  std::ofstream write_expect;
  if (!options.write_expect_file.empty()) {
    write_expect.open(options.write_expect_file, std::ios::trunc);
    if (!write_expect) Usage("cannot write " + options.write_expect_file);
    write_expect << "# Records known to fail, per file (slt_runner --write-expect); a file may not fail more.\n";
  }
  for (const fs::path& file : files) {
    std::string name = RelativeName(file, options.root);
    FileResult r = runner.RunFile(file, name);
    auto it = expectations.find(name);
    uint64_t allowed = it == expectations.end() ? 0 : it->second;
    const char* verdict = r.failed == 0 && r.error.empty() ? "PASS" : "FAIL";
    if (!r.error.empty()) {
      unreadable = true;
      std::printf("%-52s ERROR %s\n", name.c_str(), r.error.c_str());
    } else {
      std::printf("%-52s run %6" PRIu64 " passed %6" PRIu64 " failed %5" PRIu64 " skipped %5" PRIu64
                  "  %s  %.1f s\n",
                  name.c_str(), r.run, r.passed, r.failed, r.skipped, verdict, r.seconds);
    }
    std::fflush(stdout);
    if (r.failed == 0 && r.error.empty()) ++files_passed;
    if (write_expect.is_open() && r.failed > 0) write_expect << name << " " << r.failed << "\n";
    if (r.failed > allowed) regression = true;
    if (it != expectations.end() && r.failed < allowed) {
      improved.push_back(name + " " + std::to_string(r.failed) + " (listed " + std::to_string(allowed) + ")");
    }
    total.run += r.run;
    total.passed += r.passed;
    total.failed += r.failed;
    total.skipped += r.skipped;
    total.seconds += r.seconds;
    if (runner.server_lost()) break;
  }
  double percent = total.run == 0 ? 100.0 : 100.0 * static_cast<double>(total.passed) /
                                                static_cast<double>(total.run);
  std::printf("%-52s run %6" PRIu64 " passed %6" PRIu64 " failed %5" PRIu64 " skipped %5" PRIu64
              "  %.3f%% of records, %" PRIu64 "/%zu files pass  %.1f s\n",
              "TOTAL", total.run, total.passed, total.failed, total.skipped, percent, files_passed,
              files.size(), total.seconds);
  for (const std::string& line : improved) {
    std::printf("improved: %s: lower its count in %s\n", line.c_str(), options.expect_file.c_str());
  }
  if (runner.connection_losses() > 0) {
    std::printf("the server dropped the connection %" PRIu64 " times%s\n", runner.connection_losses(),
                runner.server_lost() ? " and stopped answering" : "");
    return 3;
  }
  if (unreadable) return 2;
  if (options.expect_file.empty() ? total.failed > 0 : regression) return 1;
  return 0;
}
