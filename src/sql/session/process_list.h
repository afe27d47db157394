// sql::ProcessList — the node's sessions as SHOW PROCESSLIST, information_schema.PROCESSLIST
// and KILL see them.
//
// Each Session registers one ProcessEntry for its lifetime and updates it as statements
// start and end; other sessions read it (under the entry's mutex) and may set its kill
// flags. KILL QUERY sets `kill_query`: the running statement stops at its next interrupt
// check with 1317. KILL [CONNECTION] also sets `kill_connection` and asks the server,
// through the hook the node installs, to close the client's socket, so a connection that
// waits for its next command ends too.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::sql {

class ProcessEntry {
 public:
  using Clock = std::chrono::steady_clock;
  ProcessEntry(uint32_t id, std::string user, std::string host) : id_(id), user_(std::move(user)), host_(std::move(host)) {}

  // What a row of SHOW PROCESSLIST shows; `info` empty means NULL (no statement running).
  struct Row {
    uint32_t id = 0;
    std::string user, host, db, command, state, info;
    int64_t seconds = 0;  // in the current command
  };

  uint32_t id() const { return id_; }
  // `text` is borrowed, not copied (a statement may be a 64 MiB INSERT): it must stay valid
  // until StatementEnded, as the text of the statement being executed does.
  void StatementStarted(std::string_view db, std::string_view text);
  // The same for a text the entry keeps (an account statement's, with its secrets hidden).
  void StatementStartedOwned(std::string_view db, std::string text);
  void StatementEnded(std::string_view db);
  Row Snapshot() const;

  // Set by KILL from another session; the statement clears `kill_query` when it starts.
  std::atomic<bool> kill_query{false};
  std::atomic<bool> kill_connection{false};

 private:
  const uint32_t id_;
  const std::string user_, host_;
  mutable std::mutex mu_;
  std::string db_;                // guarded by mu_
  std::string_view info_;         // guarded by mu_: the statement running, "" when idle
  std::string owned_info_;        // guarded by mu_: what info_ views, when the entry owns it
  Clock::time_point since_ = Clock::now();  // guarded by mu_
};

class ProcessList {
 public:
  std::shared_ptr<ProcessEntry> Register(uint32_t id, std::string user, std::string host);
  // Removes `entry` (a newer session may have taken its id meanwhile: that one stays).
  void Unregister(uint32_t id, const ProcessEntry* entry);
  // Every live entry, by id.
  std::vector<ProcessEntry::Row> Rows() const;
  std::shared_ptr<ProcessEntry> Find(uint32_t id) const;
  // KILL QUERY (`query_only`) or KILL CONNECTION of session `id`, permission already
  // checked; false when there is no such session.
  bool Kill(uint32_t id, bool query_only) const;

  // The server's side of KILL CONNECTION: closes the client socket of connection `id`
  // (false: no such connection). Installed once by the node before sessions start.
  void SetConnectionCloser(std::function<bool(uint32_t)> closer);
  bool CloseConnection(uint32_t id) const;

 private:
  mutable std::mutex mu_;
  std::map<uint32_t, std::weak_ptr<ProcessEntry>> entries_;  // guarded by mu_
  std::function<bool(uint32_t)> closer_;  // guarded by mu_
};

}  // namespace strata::sql
