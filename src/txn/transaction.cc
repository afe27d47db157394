#include "txn/transaction.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/check.h"

namespace strata::txn {

constexpr uint16_t kErLockDeadlock = 1213;
constexpr uint16_t kErTransCacheFull = 1197;

namespace {
uint64_t WriteBytes(const Bytes& key, const std::optional<Bytes>& value) {
  return key.size() + (value ? value->size() : 0) + Transaction::kWriteOverheadBytes;
}
}  // namespace

Transaction::Transaction(TxnManager* manager, LogIndex start_index)
    : manager_(manager), start_index_(start_index), memory_(manager->options_.memory) {
  writes_.start_index = start_index;
}

Transaction::~Transaction() {
  if (open_) Rollback();
}

void Transaction::Finish(std::shared_ptr<CommitFate> unsettled) {
  if (!open_) return;
  open_ = false;
  memory_.Reset();
  std::lock_guard lock(manager_->mu_);
  // The pin moves to unsettled_ in the same critical section: GcWatermark never sees the
  // snapshot unpinned in between.
  if (unsettled) manager_->unsettled_.emplace_back(start_index_, std::move(unsettled));
  manager_->active_.erase(manager_->active_.find(start_index_));
}

Result<std::optional<Bytes>> Transaction::Get(Slice key) {
  STRATA_RETURN_IF_ERROR(begin_status_);
  auto own = writes_.writes.find(Bytes(key));
  if (own != writes_.writes.end()) return own->second;
  return ReadAt(*manager_->engine_, key, start_index_);
}

Result<std::vector<KeyValue>> Transaction::Scan(Slice begin, Slice end, size_t limit) {
  STRATA_RETURN_IF_ERROR(begin_status_);
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

Status Transaction::Put(Slice key, Slice value) { return Buffer(key, value); }
Status Transaction::Delete(Slice key) { return Buffer(key, std::nullopt); }
void Transaction::RequireUnchanged(Slice key) { writes_.unchanged.emplace(key); }

Status Transaction::Buffer(Slice key, std::optional<Slice> value) {
  STRATA_RETURN_IF_ERROR(begin_status_);
  // One map lookup on this hot path (every row an INSERT/UPDATE/DELETE writes).
  Bytes k(key);
  auto it = writes_.writes.lower_bound(k);
  bool present = it != writes_.writes.end() && it->first == k;
  uint64_t replaced = present ? WriteBytes(it->first, it->second) : 0;
  uint64_t added = key.size() + (value ? value->size() : 0) + kWriteOverheadBytes;
  uint64_t limit = manager_->options_.max_txn_bytes;
  if (limit != 0 && buffered_bytes_ - replaced + added > limit) {
    return Status::ResourceExhausted(
               fmt::format("Multi-statement transaction required more than 'max_txn_bytes' bytes of storage "
                           "(max_txn_bytes = {}); the transaction is rolled back",
                           limit))
        .WithMysql(kErTransCacheFull, "HY000");
  }
  if (uint64_t next = buffered_bytes_ - replaced + added; !memory_.GrowTo(next, 1 << 20)) {
    return ErrOutOfSessionMemory(*memory_.budget(), fmt::format("a transaction buffering {} bytes", next),
                                 "the statement is rolled back");
  }
  if (in_statement_ && !statement_undo_.contains(k)) {  // the first change's state only
    std::optional<std::optional<Bytes>> before;
    if (present) before = it->second;
    statement_undo_.emplace(k, std::move(before));
  }
  std::optional<Bytes> v;
  if (value) v = Bytes(*value);
  if (present) {
    it->second = std::move(v);
  } else {
    writes_.writes.emplace_hint(it, std::move(k), std::move(v));
  }
  buffered_bytes_ += added - replaced;
  return Status::OK();
}

void Transaction::SetBuffered(const Bytes& key, std::optional<std::optional<Bytes>> state) {
  auto it = writes_.writes.find(key);
  if (it != writes_.writes.end()) {
    buffered_bytes_ -= WriteBytes(it->first, it->second);
    if (!state) {
      writes_.writes.erase(it);
      return;
    }
    it->second = std::move(*state);
  } else {
    if (!state) return;
    it = writes_.writes.emplace(key, std::move(*state)).first;
  }
  buffered_bytes_ += WriteBytes(it->first, it->second);
}

void Transaction::BeginStatement() {
  STRATA_CHECK(!in_statement_);
  in_statement_ = true;
  statement_undo_.clear();
}

void Transaction::RollbackStatement() {
  STRATA_CHECK(in_statement_);
  for (auto& [key, before] : statement_undo_) SetBuffered(key, std::move(before));
  EndStatement();
}

void Transaction::EndStatement() {
  in_statement_ = false;
  statement_undo_.clear();
}

Status Transaction::Commit() {
  if (!open_) return Status::InvalidArgument("transaction already finished");
  if (read_only()) {
    Finish();
    std::lock_guard lock(manager_->mu_);
    manager_->stats_.read_only++;
    return Status::OK();
  }
  auto fate = std::make_shared<CommitFate>();
  auto outcome = manager_->proposer_->ProposeAndWait(writes_.Encode(), fate);
  // An entry whose fate is open may still apply: its snapshot stays pinned (CommitFate).
  Finish(fate->Final(manager_->proposer_->AppliedIndex()) ? nullptr : fate);
  if (!outcome.ok()) return outcome.status();
  std::lock_guard lock(manager_->mu_);
  if (*outcome == ApplyOutcome::kConflict) {
    manager_->stats_.conflicts++;
    return Status::Aborted("Deadlock found when trying to get lock; try restarting transaction")
        .WithMysql(kErLockDeadlock, "40001");
  }
  if (*outcome == ApplyOutcome::kSnapshotTooOld) {
    manager_->stats_.conflicts++;
    return Status::Aborted(
               "Deadlock found when trying to get lock; try restarting transaction (snapshot too old: "
               "the transaction's snapshot is below the replicated GC horizon)")
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

std::unique_ptr<Transaction> TxnManager::Begin(const ReadRequirement& requirement) {
  Status barrier = proposer_->ReadBarrier(requirement);  // before the snapshot is taken, outside mu_
  std::lock_guard lock(mu_);
  LogIndex start = proposer_->AppliedIndex();
  active_.insert(start);
  auto txn = std::unique_ptr<Transaction>(new Transaction(this, start));
  txn->begin_status_ = std::move(barrier);
  return txn;
}

LogIndex TxnManager::GcWatermark() const {
  std::lock_guard lock(mu_);
  LogIndex applied = proposer_->AppliedIndex();
  LogIndex watermark = active_.empty() ? applied : std::min(applied, *active_.begin());
  std::erase_if(unsettled_, [&](const auto& pin) { return pin.second->Final(applied); });
  for (const auto& [start, fate] : unsettled_) watermark = std::min(watermark, start);
  return watermark;
}

TxnManager::Stats TxnManager::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace strata::txn
