#include "txn/transaction.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/check.h"
#include "storage/routed_engine.h"

namespace strata::txn {

constexpr uint16_t kErLockDeadlock = 1213;
constexpr uint16_t kErTransCacheFull = 1197;

namespace {
uint64_t WriteBytes(const Bytes& key, const std::optional<Bytes>& value) {
  return key.size() + (value ? value->size() : 0) + Transaction::kWriteOverheadBytes;
}
}  // namespace

Transaction::Transaction(TxnManager* manager, LogIndex start_index, LockManager::TxnId id)
    : manager_(manager), start_index_(start_index), memory_(manager->options_.memory), id_(id) {
  writes_.start_index = start_index;
}

Transaction::~Transaction() {
  if (open_) Rollback();
}

void Transaction::Finish(std::shared_ptr<CommitFate> unsettled) {
  if (!open_) return;
  open_ = false;
  // After the commit's outcome is known (applied here, or refused): a waiter that gets the
  // lock next reads the version this transaction wrote.
  if (holds_locks_) manager_->locks_.ReleaseAll(id_);
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
  STRATA_ASSIGN_OR_RETURN(std::optional<PinnedValue> pinned, ReadCommitted(key));
  return pinned ? std::optional<Bytes>(Bytes(pinned->value())) : std::optional<Bytes>();
}

Result<std::optional<PinnedValue>> Transaction::GetPinned(Slice key) {
  STRATA_RETURN_IF_ERROR(begin_status_);
  auto own = writes_.writes.find(Bytes(key));
  if (own != writes_.writes.end()) {
    return own->second ? std::optional<PinnedValue>(PinnedValue(*own->second)) : std::optional<PinnedValue>();
  }
  return ReadCommitted(key);
}

Result<std::optional<PinnedValue>> Transaction::ReadCommitted(Slice key) {
  reads_.AddPoint(key);
  // A value read through the snapshot may be older than one a locking read saw: writes
  // derived from it must conflict from start_index again.
  if (!locked_reads_.empty()) locked_reads_.erase(Bytes(key));
  return ReadAtPinned(*manager_->engine_, key, start_index_);
}

Result<std::vector<KeyValue>> Transaction::Scan(Slice begin, Slice end, size_t limit) {
  STRATA_RETURN_IF_ERROR(begin_status_);
  STRATA_ASSIGN_OR_RETURN(auto kvs, ScanMerged(begin, end, limit, start_index_));
  Bytes read_end = kvs.size() == limit && limit > 0 ? kvs.back().key + '\0' : Bytes(end);
  ForgetLockedReads(begin, read_end);
  if (!reads_.overflowed()) reads_.AddRange(begin, read_end);
  return kvs;
}

LogIndex Transaction::LatestIndex() const { return manager_->proposer_->AppliedIndex(); }

Status Transaction::Lock(Slice key, LockMode mode) {
  STRATA_RETURN_IF_ERROR(begin_status_);
  bool newly = false;
  STRATA_RETURN_IF_ERROR(manager_->locks_.Acquire(id_, key, mode, lock_wait_, &newly));
  holds_locks_ = true;
  return newly ? ChargeLock(key) : Status::OK();
}

Status Transaction::ChargeLock(Slice key) {
  lock_bytes_ += key.size() + kLockOverheadBytes;
  if (!memory_.GrowTo(buffered_bytes_ + lock_bytes_, 1 << 20)) {
    return ErrOutOfSessionMemory(*memory_.budget(), fmt::format("a transaction holding {} bytes of row locks", lock_bytes_),
                                 "the statement is rolled back");
  }
  return Status::OK();
}

Status Transaction::NoteLockedRead(Slice key, LogIndex at) {
  // Read through the snapshot before: its writes keep conflicting from start_index.
  if (at <= start_index_ || reads_.Contains(key)) return Status::OK();
  locked_reads_.emplace(key, at);  // the first locking read's index stays: never less strict
  return Status::OK();
}

Status Transaction::DependOn(Slice key) {
  if (!reads_.Contains(key)) return Status::OK();  // known only at its latest version: not stale
  // Read through the snapshot before: what the statement decided from the row rests on
  // that read, so a change since the snapshot dooms the transaction (1213 at commit, even
  // though it writes nothing here: an UPDATE that now finds the value it meant to write),
  // and a change still to come fails its commit.
  writes_.unchanged.emplace(key);
  STRATA_ASSIGN_OR_RETURN(LogIndex latest, LatestVersion(*manager_->engine_, key));
  if (latest > start_index_) doomed_ = true;
  return Status::OK();
}

void Transaction::ForgetLockedReads(Slice begin, Slice end) {
  if (locked_reads_.empty()) return;
  auto lo = locked_reads_.lower_bound(begin);
  auto hi = end.empty() ? locked_reads_.end() : locked_reads_.lower_bound(end);
  locked_reads_.erase(lo, hi);
}

LogIndex Transaction::LockedBase(Slice key) const {
  auto it = locked_reads_.find(key);
  return it == locked_reads_.end() ? 0 : it->second;
}

Result<std::optional<Bytes>> Transaction::GetForUpdate(Slice key, LockMode mode) {
  STRATA_RETURN_IF_ERROR(begin_status_);
  if (lock_wait_.skip_locked) {
    bool newly = false;
    if (!manager_->locks_.TryAcquire(id_, key, mode, &newly)) return std::optional<Bytes>();
    holds_locks_ = true;
    if (newly) STRATA_RETURN_IF_ERROR(ChargeLock(key));
  } else {
    STRATA_RETURN_IF_ERROR(Lock(key, mode));
  }
  auto own = writes_.writes.find(Bytes(key));
  if (own != writes_.writes.end()) return own->second;
  LogIndex at = LatestIndex();
  STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> value, ReadAt(*manager_->engine_, key, at));
  STRATA_RETURN_IF_ERROR(NoteLockedRead(key, at));
  return value;
}

Result<std::vector<KeyValue>> Transaction::ScanLatest(Slice begin, Slice end, size_t limit, LogIndex* read_at) {
  STRATA_RETURN_IF_ERROR(begin_status_);
  *read_at = LatestIndex();
  return ScanMerged(begin, end, limit, *read_at);
}

Result<Transaction::LockedRows> Transaction::ScanForUpdate(Slice begin, Slice end, size_t limit, LockMode mode) {
  STRATA_RETURN_IF_ERROR(begin_status_);
  LogIndex at = LatestIndex();
  STRATA_ASSIGN_OR_RETURN(std::vector<KeyValue> kvs, ScanMerged(begin, end, limit, at));
  LockedRows out;
  if (kvs.size() == limit && limit > 0) out.resume = kvs.back().key + '\0';
  std::vector<KeyValue> locked;
  locked.reserve(kvs.size());
  for (KeyValue& kv : kvs) {
    if (lock_wait_.skip_locked) {
      bool newly = false;
      if (!manager_->locks_.TryAcquire(id_, kv.key, mode, &newly)) continue;
      holds_locks_ = true;
      if (newly) STRATA_RETURN_IF_ERROR(ChargeLock(kv.key));
    } else {
      STRATA_RETURN_IF_ERROR(Lock(kv.key, mode));
    }
    locked.push_back(std::move(kv));
  }
  // Rows committed by others while this scan waited for their locks: read them again.
  LogIndex now = LatestIndex();
  for (KeyValue& kv : locked) {
    if (writes_.writes.contains(kv.key)) {
      out.rows.push_back(std::move(kv));
      continue;
    }
    STRATA_RETURN_IF_ERROR(NoteLockedRead(kv.key, now));
    if (now != at) {
      STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> value, ReadAt(*manager_->engine_, kv.key, now));
      if (!value) continue;  // deleted meanwhile
      kv.value = std::move(*value);
    }
    out.rows.push_back(std::move(kv));
  }
  return out;
}

void Transaction::RequireRangeUnchanged(Slice begin, Slice end, LogIndex base) {
  writes_.unchanged_ranges.push_back({Bytes(begin), Bytes(end), std::max(base, start_index_)});
}

Result<std::vector<KeyValue>> Transaction::ScanMerged(Slice begin, Slice end, size_t limit, LogIndex at) {
  auto lo = writes_.writes.lower_bound(Bytes(begin));
  auto hi = end.empty() ? writes_.writes.end() : writes_.writes.lower_bound(Bytes(end));
  size_t own = static_cast<size_t>(std::distance(lo, hi));
  // Own deletes may hide up to `own` committed keys: read that many more.
  STRATA_ASSIGN_OR_RETURN(auto snapshot, ScanAt(*manager_->engine_, begin, end, at, limit + own));
  if (own == 0) return snapshot;  // nothing of ours in the range: the committed state is the answer
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

Status Transaction::Put(Slice key, Slice value, LogIndex base) { return Buffer(key, Bytes(value), base); }
Status Transaction::PutOwned(Slice key, Bytes value, LogIndex base) { return Buffer(key, std::move(value), base); }
Status Transaction::Delete(Slice key, LogIndex base) { return Buffer(key, std::nullopt, base); }
void Transaction::RequireUnchanged(Slice key) { writes_.unchanged.emplace(key); }

Status Transaction::Buffer(Slice key, std::optional<Bytes> value, LogIndex base) {
  STRATA_RETURN_IF_ERROR(begin_status_);
  // A key the B+tree cannot hold must be refused now: at apply it would stop the node.
  if (!key.empty() && static_cast<unsigned char>(key[0]) >= storage::kBtreeKeyByte) {
    size_t engine_key = key.size() + static_cast<size_t>(std::count(key.begin(), key.end(), '\0')) + 10;
    if (engine_key > storage::kMaxBtreeKeyBytes)  // ER_TOO_LONG_KEY
      return Status::InvalidArgument(fmt::format("Specified key was too long; max key length is {} bytes",
                                                 storage::kMaxBtreeKeyBytes - 10))
          .WithMysql(1071, "42000");
  }
  if (base == 0 && !locked_reads_.empty()) base = LockedBase(key);
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
  if (uint64_t next = buffered_bytes_ - replaced + added; !memory_.GrowTo(next + lock_bytes_, 1 << 20)) {
    return ErrOutOfSessionMemory(*memory_.budget(), fmt::format("a transaction buffering {} bytes", next),
                                 "the statement is rolled back");
  }
  if ((in_statement_ && !statement_undo_.contains(k)) || !savepoints_.empty()) {  // the first change's state only
    std::optional<std::optional<Bytes>> before;
    if (present) before = it->second;
    for (SavepointUndo& sp : savepoints_)
      if (!sp.undo.contains(k)) sp.undo.emplace(k, before);
    if (in_statement_ && !statement_undo_.contains(k)) statement_undo_.emplace(k, std::move(before));
  }
  // The first base stays: a later one would be less strict for the value written first.
  if (base > start_index_) writes_.bases.emplace(k, base);
  if (present) {
    it->second = std::move(value);
  } else {
    writes_.writes.emplace_hint(it, std::move(k), std::move(value));
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
  statement_ranges_ = writes_.unchanged_ranges.size();
}

void Transaction::RollbackStatement() {
  STRATA_CHECK(in_statement_);
  for (auto& [key, before] : statement_undo_) SetBuffered(key, std::move(before));
  writes_.unchanged_ranges.resize(statement_ranges_);
  EndStatement();
}

void Transaction::EndStatement() {
  in_statement_ = false;
  statement_undo_.clear();
}

void Transaction::SetSavepoint() {
  STRATA_CHECK(savepoints_.size() < kMaxSavepoints);
  savepoints_.push_back(SavepointUndo{{}, writes_.unchanged_ranges.size()});
}

void Transaction::RollbackToSavepoint(size_t index) {
  STRATA_CHECK(index < savepoints_.size());
  savepoints_.resize(index + 1);
  SavepointUndo& sp = savepoints_.back();
  for (auto& [key, before] : sp.undo) {
    // A statement running now (ROLLBACK TO itself) must be able to undo this too.
    if (in_statement_ && !statement_undo_.contains(key)) {
      auto it = writes_.writes.find(key);
      std::optional<std::optional<Bytes>> current;
      if (it != writes_.writes.end()) current = it->second;
      statement_undo_.emplace(key, std::move(current));
    }
    SetBuffered(key, std::move(before));
  }
  sp.undo.clear();
  STRATA_CHECK(sp.ranges <= writes_.unchanged_ranges.size());
  writes_.unchanged_ranges.resize(sp.ranges);
  if (in_statement_) statement_ranges_ = std::min(statement_ranges_, sp.ranges);
}

void Transaction::ReleaseSavepoint(size_t index) {
  STRATA_CHECK(index < savepoints_.size());
  savepoints_.resize(index);
}

Status Transaction::Commit() {
  if (!open_) return Status::InvalidArgument("transaction already finished");
  if (doomed_) {  // a row it read through its snapshot changed before it locked it
    Finish();
    std::lock_guard lock(manager_->mu_);
    manager_->stats_.conflicts++;
    return Status::Aborted("Deadlock found when trying to get lock; try restarting transaction")
        .WithMysql(kErLockDeadlock, "40001");
  }
  if (read_only()) {
    Finish();
    std::lock_guard lock(manager_->mu_);
    manager_->stats_.read_only++;
    return Status::OK();
  }
  auto fate = std::make_shared<CommitFate>();
  auto outcome = manager_->proposer_->ProposeAndWait(writes_.Encode(manager_->proposer_->WriteSetPrefix()), fate);
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
  auto txn = std::unique_ptr<Transaction>(new Transaction(this, start, next_id_++));
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
