#include "txn/transaction.h"

#include <algorithm>

namespace strata::txn {

constexpr uint16_t kErLockDeadlock = 1213;

Transaction::Transaction(TxnManager* manager, LogIndex start_index)
    : manager_(manager), start_index_(start_index) {
  writes_.start_index = start_index;
}

Transaction::~Transaction() {
  if (open_) Rollback();
}

void Transaction::Finish() {
  if (!open_) return;
  open_ = false;
  std::lock_guard lock(manager_->mu_);
  manager_->active_.erase(manager_->active_.find(start_index_));
}

Result<std::optional<Bytes>> Transaction::Get(Slice key) {
  auto own = writes_.writes.find(Bytes(key));
  if (own != writes_.writes.end()) return own->second;
  return ReadAt(*manager_->engine_, key, start_index_);
}

Result<std::vector<KeyValue>> Transaction::Scan(Slice begin, Slice end, size_t limit) {
  auto lo = writes_.writes.lower_bound(Bytes(begin));
  auto hi = end.empty() ? writes_.writes.end() : writes_.writes.lower_bound(Bytes(end));
  size_t own = static_cast<size_t>(std::distance(lo, hi));
  // Own deletes may hide up to `own` snapshot keys: read that many more.
  STRATA_ASSIGN_OR_RETURN(auto snapshot, ScanAt(*manager_->engine_, begin, end, start_index_, limit + own));
  if (own == 0) return snapshot;  // nothing of ours in the range: the snapshot is the answer
  std::map<Bytes, Bytes> merged;
  for (auto& kv : snapshot) merged.emplace(std::move(kv.key), std::move(kv.value));
  for (auto it = lo; it != hi; ++it) {
    if (it->second) {
      merged[it->first] = *it->second;
    } else {
      merged.erase(it->first);
    }
  }
  std::vector<KeyValue> out;
  for (auto& [k, v] : merged) {
    if (out.size() == limit) break;
    out.push_back({k, std::move(v)});
  }
  return out;
}

bool Transaction::HasWritesIn(Slice prefix) const {
  auto it = writes_.writes.lower_bound(Bytes(prefix));
  return it != writes_.writes.end() && Slice(it->first).substr(0, prefix.size()) == prefix;
}

void Transaction::Put(Slice key, Slice value) { writes_.writes[Bytes(key)] = Bytes(value); }
void Transaction::Delete(Slice key) { writes_.writes[Bytes(key)] = std::nullopt; }

Status Transaction::Commit() {
  if (!open_) return Status::InvalidArgument("transaction already finished");
  if (read_only()) {
    Finish();
    std::lock_guard lock(manager_->mu_);
    manager_->stats_.read_only++;
    return Status::OK();
  }
  auto outcome = manager_->proposer_->ProposeAndWait(writes_.Encode());
  Finish();
  if (!outcome.ok()) return outcome.status();
  std::lock_guard lock(manager_->mu_);
  if (*outcome == ApplyOutcome::kConflict) {
    manager_->stats_.conflicts++;
    return Status::Aborted("Deadlock found when trying to get lock; try restarting transaction")
        .WithMysql(kErLockDeadlock, "40001");
  }
  manager_->stats_.commits++;
  return Status::OK();
}

void Transaction::Rollback() {
  if (!open_) return;
  Finish();
  std::lock_guard lock(manager_->mu_);
  manager_->stats_.rollbacks++;
}

std::unique_ptr<Transaction> TxnManager::Begin() {
  std::lock_guard lock(mu_);
  LogIndex start = proposer_->AppliedIndex();
  active_.insert(start);
  return std::unique_ptr<Transaction>(new Transaction(this, start));
}

LogIndex TxnManager::GcWatermark() const {
  std::lock_guard lock(mu_);
  return active_.empty() ? proposer_->AppliedIndex() : *active_.begin();
}

TxnManager::Stats TxnManager::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace strata::txn
