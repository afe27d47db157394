#include "sql/session/process_list.h"

namespace strata::sql {

void ProcessEntry::StatementStarted(std::string_view db, std::string_view text) {
  kill_query.store(false, std::memory_order_relaxed);  // a KILL QUERY ends one statement
  std::lock_guard lock(mu_);
  db_ = db;
  info_ = text;
  owned_info_.clear();
  since_ = Clock::now();
}

void ProcessEntry::StatementStartedOwned(std::string_view db, std::string text) {
  kill_query.store(false, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  db_ = db;
  owned_info_ = std::move(text);
  info_ = owned_info_;
  since_ = Clock::now();
}

void ProcessEntry::StatementEnded(std::string_view db) {
  std::lock_guard lock(mu_);
  db_ = db;
  info_ = {};
  owned_info_.clear();
  since_ = Clock::now();
}

ProcessEntry::Row ProcessEntry::Snapshot() const {
  std::lock_guard lock(mu_);
  Row r;
  r.id = id_;
  r.user = user_;
  r.host = host_;
  r.db = db_;
  r.info = std::string(info_);
  r.command = kill_connection.load(std::memory_order_relaxed) ? "Killed" : info_.empty() ? "Sleep" : "Query";
  r.state = info_.empty() ? "" : "executing";
  r.seconds = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - since_).count();
  return r;
}

std::shared_ptr<ProcessEntry> ProcessList::Register(uint32_t id, std::string user, std::string host) {
  auto entry = std::make_shared<ProcessEntry>(id, std::move(user), std::move(host));
  std::lock_guard lock(mu_);
  entries_[id] = entry;
  return entry;
}

void ProcessList::Unregister(uint32_t id, const ProcessEntry* entry) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  std::shared_ptr<ProcessEntry> current = it->second.lock();
  if (!current || current.get() == entry) entries_.erase(it);
}

std::vector<ProcessEntry::Row> ProcessList::Rows() const {
  std::vector<std::shared_ptr<ProcessEntry>> live;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, weak] : entries_)
      if (auto e = weak.lock()) live.push_back(std::move(e));
  }
  std::vector<ProcessEntry::Row> rows;
  for (const auto& e : live) rows.push_back(e->Snapshot());
  return rows;
}

void ProcessList::SetConnectionCloser(std::function<bool(uint32_t)> closer) {
  std::lock_guard lock(mu_);
  closer_ = std::move(closer);
}

bool ProcessList::CloseConnection(uint32_t id) const {
  std::function<bool(uint32_t)> closer;
  {
    std::lock_guard lock(mu_);
    closer = closer_;
  }
  return closer ? closer(id) : false;
}

std::shared_ptr<ProcessEntry> ProcessList::Find(uint32_t id) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second.lock();
}

bool ProcessList::Kill(uint32_t id, bool query_only) const {
  std::shared_ptr<ProcessEntry> target = Find(id);
  if (!target) return false;
  target->kill_query.store(true, std::memory_order_relaxed);
  if (!query_only) {
    target->kill_connection.store(true, std::memory_order_relaxed);
    CloseConnection(id);  // a connection waiting for its next command ends too
  }
  return true;
}

}  // namespace strata::sql
