#include "txn/lock_manager.h"

#include <algorithm>
#include <unordered_set>

#include "common/check.h"

namespace strata::txn {

Status ErrLockWaitTimeout() {
  return Status::Aborted("Lock wait timeout exceeded; try restarting transaction").WithMysql(kErLockWaitTimeout, "HY000");
}

Status ErrLockDeadlock() {
  return Status::Aborted("Deadlock found when trying to get lock; try restarting transaction").WithMysql(1213, "40001");
}

Status ErrLockNowait() {
  return Status::Aborted("Statement aborted because lock(s) could not be acquired immediately and NOWAIT is set.")
      .WithMysql(kErLockNowait, "HY000");
}

namespace {

bool Conflicts(LockMode a, LockMode b) { return a == LockMode::kExclusive || b == LockMode::kExclusive; }

}  // namespace

bool LockManager::Compatible(const Entry& e, TxnId txn, LockMode mode) {
  for (const Request& h : e.holders)
    if (h.txn != txn && Conflicts(h.mode, mode)) return false;
  return true;
}

LockManager::TxnState& LockManager::State(TxnId txn) {
  auto& state = txns_[txn];
  if (!state) state = std::make_unique<TxnState>();
  return *state;
}

void LockManager::Grant(TxnId txn, const Bytes& key, Entry& e, LockMode mode) {
  for (Request& h : e.holders) {
    if (h.txn == txn) {
      h.mode = std::max(h.mode, mode);
      return;
    }
  }
  e.holders.push_back({txn, mode});
  State(txn).held.push_back(key);
  stats_.locks_held++;
}

void LockManager::GrantWaiters(const Bytes& key, Entry& e) {
  while (!e.waiters.empty() && Compatible(e, e.waiters.front().txn, e.waiters.front().mode)) {
    Request r = e.waiters.front();
    e.waiters.pop_front();
    Grant(r.txn, key, e, r.mode);
    TxnState& st = State(r.txn);
    st.granted = true;
    st.waiting_on = nullptr;
    st.cv.notify_one();
  }
}

bool LockManager::WouldDeadlock(TxnId txn, const Bytes& key) {
  // Who a waiter in `k`'s queue waits for: the holders it conflicts with, and the waiters
  // ahead of it it conflicts with (the queue is served in order).
  auto blockers = [&](TxnId waiter, const Bytes& k, std::vector<TxnId>* out) {
    const Entry& e = table_.at(k);
    LockMode mode = LockMode::kNone;
    for (const Request& w : e.waiters)
      if (w.txn == waiter) mode = w.mode;
    for (const Request& h : e.holders)
      if (h.txn != waiter && Conflicts(h.mode, mode)) out->push_back(h.txn);
    for (const Request& w : e.waiters) {
      if (w.txn == waiter) break;
      if (Conflicts(w.mode, mode)) out->push_back(w.txn);
    }
  };
  std::vector<TxnId> stack;
  std::unordered_set<TxnId> seen;
  blockers(txn, key, &stack);
  while (!stack.empty()) {
    TxnId t = stack.back();
    stack.pop_back();
    if (t == txn) return true;
    if (!seen.insert(t).second) continue;
    auto it = txns_.find(t);
    if (it == txns_.end() || it->second->waiting_on == nullptr) continue;  // running: no edge
    blockers(t, *it->second->waiting_on, &stack);
  }
  return false;
}

Status LockManager::Acquire(TxnId txn, Slice key_slice, LockMode mode, const LockWait& wait, bool* newly) {
  STRATA_CHECK(mode != LockMode::kNone);
  bool unused;
  if (!newly) newly = &unused;
  *newly = false;
  std::unique_lock lock(mu_);
  auto [it, inserted] = table_.try_emplace(Bytes(key_slice));
  const Bytes& key = it->first;
  Entry& e = it->second;
  bool holds = false;
  for (const Request& h : e.holders) {
    if (h.txn != txn) continue;
    if (h.mode >= mode) return Status::OK();
    holds = true;  // a shared lock to upgrade
  }
  if (Compatible(e, txn, mode) && (holds || e.waiters.empty())) {
    *newly = !holds;
    Grant(txn, key, e, mode);
    return Status::OK();
  }
  // By a fresh lookup: other requests may have rehashed table_ while this one waited.
  auto forget_entry_if_unused = [&] {
    if (e.holders.empty() && e.waiters.empty()) table_.erase(table_.find(key));
  };
  if (wait.nowait) {
    forget_entry_if_unused();
    return ErrLockNowait();
  }
  if (holds) {
    e.waiters.push_front({txn, mode});
  } else {
    e.waiters.push_back({txn, mode});
  }
  TxnState& st = State(txn);
  st.granted = false;
  st.waiting_on = &key;
  auto leave_queue = [&] {
    st.waiting_on = nullptr;
    auto w = std::find_if(e.waiters.begin(), e.waiters.end(), [&](const Request& r) { return r.txn == txn; });
    if (w != e.waiters.end()) e.waiters.erase(w);
    GrantWaiters(key, e);  // a waiter behind us may be able to run now
    if (st.held.empty()) txns_.erase(txn);
    forget_entry_if_unused();
  };
  if (WouldDeadlock(txn, key)) {
    stats_.deadlocks++;
    leave_queue();
    return ErrLockDeadlock();
  }
  stats_.waits++;
  stats_.waiting++;
  auto deadline = std::chrono::steady_clock::now() + wait.timeout;
  Status result;
  while (!st.granted) {
    if (wait.interrupted) result = wait.interrupted();
    if (result.ok() && std::chrono::steady_clock::now() >= deadline) {
      stats_.timeouts++;
      result = ErrLockWaitTimeout();
    }
    if (!result.ok()) break;
    // Wake now and then to notice an interrupt (KILL QUERY, shutdown).
    st.cv.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(50)));
  }
  stats_.waiting--;
  if (st.granted) {
    *newly = !holds;
    return Status::OK();
  }
  leave_queue();
  return result;
}

bool LockManager::TryAcquire(TxnId txn, Slice key_slice, LockMode mode, bool* newly) {
  STRATA_CHECK(mode != LockMode::kNone);
  bool unused;
  if (!newly) newly = &unused;
  *newly = false;
  std::lock_guard lock(mu_);
  auto [it, inserted] = table_.try_emplace(Bytes(key_slice));
  Entry& e = it->second;
  bool holds = false;
  for (const Request& h : e.holders) {
    if (h.txn != txn) continue;
    if (h.mode >= mode) return true;
    holds = true;
  }
  if (Compatible(e, txn, mode) && (holds || e.waiters.empty())) {
    *newly = !holds;
    Grant(txn, it->first, e, mode);
    return true;
  }
  if (e.holders.empty() && e.waiters.empty()) table_.erase(it);
  return false;
}

void LockManager::ReleaseAll(TxnId txn) {
  std::lock_guard lock(mu_);
  auto found = txns_.find(txn);
  if (found == txns_.end()) return;
  std::unique_ptr<TxnState> st = std::move(found->second);
  txns_.erase(found);
  STRATA_CHECK_MSG(st->waiting_on == nullptr, "a transaction released its locks while waiting for one");
  for (const Bytes& key : st->held) {
    auto it = table_.find(key);
    STRATA_CHECK(it != table_.end());
    Entry& e = it->second;
    std::erase_if(e.holders, [&](const Request& h) { return h.txn == txn; });
    stats_.locks_held--;
    GrantWaiters(key, e);
    if (e.holders.empty() && e.waiters.empty()) table_.erase(it);
  }
}

LockManager::Stats LockManager::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace strata::txn
