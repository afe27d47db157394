// The session layer: connects the MySQL protocol (mysql/handler.h) to the SQL layer
// (sql/sql.h). One SqlSessionHandler per client connection parses each COM_QUERY,
// executes its statements, turns results into the protocol's rows (text form: the binary
// protocol encodes them from it), prepares and executes prepared statements (parameters
// from their binary values to SQL values), and records metrics and the slow-query log.
#pragma once

#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "obs/metrics.h"
#include "server/mysql/handler.h"
#include "sql/sql.h"

namespace strata::server {

// The slow-query log: one JSON object per line for every statement that ran longer than
// the session's long_query_time (settable globally and per session, like MySQL's).
class SlowQueryLog {
 public:
  // Opens (appends to) `path`; an empty path disables the log.
  static Result<std::unique_ptr<SlowQueryLog>> Open(const std::string& path);
  ~SlowQueryLog();
  // Appends `json_line` to the file and keeps `shown_line` (the same entry, its statement
  // shortened to kShownStatementBytes) among the recent ones.
  void Write(std::string_view json_line, std::string shown_line);
  // The last kRecent entries since the process started, oldest first, as a JSON array (the
  // web console's view).
  static constexpr size_t kRecent = 100;
  static constexpr size_t kShownStatementBytes = 4096;
  std::string RecentJson() const;

 private:
  explicit SlowQueryLog(std::FILE* file) : file_(file) {}
  mutable std::mutex mu_;
  std::FILE* file_;
  std::deque<std::string> recent_;  // guarded by mu_
};

// `text` cut to at most `max_bytes` (at a UTF-8 character boundary) plus "…" when longer.
std::string ShortenForDisplay(std::string_view text, size_t max_bytes);

struct SessionFactoryOptions {
  sql::SqlEngine* engine = nullptr;
  mysql::Account root;               // the root account's verifiers (from node.toml)
  SlowQueryLog* slow_log = nullptr;  // nullptr: no slow-query log
  obs::Registry* registry = nullptr; // nullptr: Default()
  // Result sets are charged to it while they are sent (the sessions' share of
  // memory_limit_mb); past it the statement fails with MySQL 1041. nullptr: not counted.
  MemoryBudget* memory = nullptr;
};

class SqlSessionFactory : public mysql::SessionFactory {
 public:
  explicit SqlSessionFactory(SessionFactoryOptions options);
  // root (node.toml) first, then the catalog's accounts (sql/catalog/accounts.h).
  std::optional<mysql::Account> FindAccount(std::string_view user, std::string_view peer_host) override;
  Result<std::unique_ptr<mysql::SessionHandler>> OpenSession(const mysql::Account& account, std::string_view peer_host,
                                                             std::string_view database,
                                                             uint32_t connection_id) override;

  struct Metrics {
    obs::Family<obs::Histogram>* latency;   // by statement kind
    obs::Family<obs::Counter>* statements;  // by statement kind
    obs::Family<obs::Counter>* errors;      // by MySQL error code
    obs::Counter* slow_queries;
  };

 private:
  SessionFactoryOptions options_;
  Metrics metrics_;
};

// Converts one SQL result to what the protocol sends, charging its rows to `memory` (the
// SQL values and their text, both held until the conversion ends): MySQL 1041 when the
// budget cannot hold them. Strings are moved out of `result`, not copied.
Result<mysql::StatementResult> ToProtocolResult(sql::QueryResult&& result, MemoryCharge* memory);

}  // namespace strata::server
