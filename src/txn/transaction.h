// Transactions with snapshot isolation (DESIGN D4).
//
// A transaction reads at the applied index when it began (REPEATABLE READ served as
// snapshot isolation, as InnoDB users expect), buffers its writes, and reads its own
// writes. COMMIT proposes one WriteSet through Raft and waits for it to be applied; the
// apply step (apply.h) decides commit or conflict deterministically on every replica. A
// conflict is MySQL error 1213 (ER_LOCK_DEADLOCK, SQLSTATE 40001) so clients retry.
// Read-only transactions never touch Raft.
//
// Locking reads (GetForUpdate, ScanForUpdate: UPDATE, DELETE, INSERT, SELECT … FOR UPDATE)
// first lock the row (lock_manager.h, held until the transaction ends, waiting behind
// other writers), then read it at the latest applied version, not the snapshot's: a writer
// that waited for another works on that one's result, as in InnoDB. The key's conflict
// check at commit then starts from the index it was read at (WriteSet::bases) — unless the
// transaction had read the row through its snapshot before (ReadSet): a read-then-write of
// a row someone changed since the snapshot still gets 1213 at commit (no lost update).
//
// Thread-safety: a Transaction belongs to one session (one thread at a time); the
// TxnManager is shared by all sessions.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "common/memory_budget.h"
#include "storage/engine.h"
#include "txn/apply.h"
#include "txn/lock_manager.h"
#include "txn/mvcc.h"
#include "txn/read_set.h"
#include "txn/write_set.h"

namespace strata::txn {

// What a proposer learns about a WriteSet's entry after it has returned. When a commit's
// outcome is unknown (the proposal timed out, or leadership was lost with the entry in the
// log) the entry may still be applied later, and its conflict check needs every version
// newer than its snapshot: the transaction keeps its snapshot pinned below the GC horizon
// until the fate settles (apply.h). Written by the proposer (any thread), read by
// TxnManager::GcWatermark.
struct CommitFate {
  std::atomic<LogIndex> index{0};    // the entry's log index once appended; 0 = not (yet)
  std::atomic<bool> settled{false};  // the entry is known applied, or known never to commit
  // Final once settled, or once this node applied `index` (whatever entry sits there).
  bool Final(LogIndex applied) const {
    if (settled.load(std::memory_order_acquire)) return true;
    LogIndex i = index.load(std::memory_order_acquire);
    return i != 0 && i <= applied;
  }
};

// How a transaction reaches Raft. The node implements it with its Raft group; tests with
// a direct in-process apply.
// How current a new transaction's snapshot must be (session variable
// strata_read_consistency): `linearizable` sees every write acknowledged anywhere before it
// began (`lease`: the same, established from the leader's lease without a heartbeat round,
// which assumes bounded clock drift); otherwise (`follower`) it may be up to
// max_staleness_ms behind the leader.
struct ReadRequirement {
  bool linearizable = true;
  bool lease = false;
  uint64_t max_staleness_ms = 0;
};

class Proposer {
 public:
  virtual ~Proposer() = default;
  // Replicates `encoded_write_set` (WriteSetPrefix() followed by WriteSet::Encode()) and
  // returns its outcome once applied on this node. Keeps `fate` up to date, also after
  // returning (see CommitFate).
  virtual Result<ApplyOutcome> ProposeAndWait(Bytes encoded_write_set, std::shared_ptr<CommitFate> fate) = 0;
  // What the proposer's log entry holds before the write set (a command tag): Commit
  // encodes both into one buffer, so a 64 MiB row is not copied once more to add it.
  virtual Slice WriteSetPrefix() const { return {}; }
  // The highest index applied on this node: new transactions read at it.
  virtual LogIndex AppliedIndex() const = 0;
  // Called before a transaction takes its snapshot: returns once this node has applied
  // every write acknowledged anywhere before the call (linearizable reads: ReadIndex on
  // a replicated group), or an error when that cannot be established. Default: nothing to
  // wait for.
  virtual Status ReadBarrier(const ReadRequirement& requirement) { return Status::OK(); }
};

class TxnManager;

class Transaction {
 public:
  ~Transaction();  // rolls back if still open

  Result<std::optional<Bytes>> Get(Slice key);
  // Get without copying a committed value out of the engine (a large value is read once).
  Result<std::optional<PinnedValue>> GetPinned(Slice key);
  // Live keys in [begin, end) (end empty: unbounded), own writes included, at most `limit`.
  Result<std::vector<KeyValue>> Scan(Slice begin, Slice end, size_t limit);
  // Buffer a write. Fail with MySQL 1197 (ER_TRANS_CACHE_FULL, HY000) when the buffered
  // writes would grow past TxnOptions::max_txn_bytes, and with 1041 (ER_OUT_OF_RESOURCES)
  // when the sessions' memory budget cannot hold them; the write is then not buffered.
  // `base` (0: none) is the index the value was derived from under a lock, for a key that
  // belongs to a locked row (an index entry of it: LockedBase of the row's key); a key read
  // by GetForUpdate/ScanForUpdate gets its own base without it.
  Status Put(Slice key, Slice value, LogIndex base = 0);
  // Put, taking the value's buffer instead of copying it (a row's encoding, up to 64 MiB).
  Status PutOwned(Slice key, Bytes value, LogIndex base = 0);
  Status Delete(Slice key, LogIndex base = 0);

  // ---- Locking reads (see the top of this file) ----
  // How lock requests wait from now on (the session sets it per statement).
  void SetLockWait(LockWait wait) { lock_wait_ = std::move(wait); }
  // Locks `key` in `mode` (waiting), then returns its latest committed value (or this
  // transaction's own write). With lock_wait().skip_locked, a key locked by another
  // transaction reads as absent instead. Errors: 1205, 1213, 3572, an interrupt.
  Result<std::optional<Bytes>> GetForUpdate(Slice key, LockMode mode);
  struct LockedRows {
    std::vector<KeyValue> rows;  // locked, at their latest committed values
    Bytes resume;                // where the range continues; empty when it is done
  };
  // Up to `limit` live keys of [begin, end) at the latest applied state (own writes
  // included), each locked in `mode`; rows that changed while waiting are read again, and
  // rows deleted meanwhile are left out.
  Result<LockedRows> ScanForUpdate(Slice begin, Slice end, size_t limit, LockMode mode);
  // Live keys of [begin, end) at the latest applied state (own writes included), unlocked;
  // *read_at is the index read at.
  Result<std::vector<KeyValue>> ScanLatest(Slice begin, Slice end, size_t limit, LogIndex* read_at);
  // Locks a key that need not name a row (a unique index value).
  Status Lock(Slice key, LockMode mode);
  // The statement acted on a row it locked without writing it (an UPDATE that matched it
  // but changed nothing): if the transaction had read the row through its snapshot and the
  // row changed since, the commit fails with 1213 (a lost update refused).
  Status DependOn(Slice key);
  // The commit fails (1213) if any key in [begin, end) gets a version newer than `base`.
  void RequireRangeUnchanged(Slice begin, Slice end, LogIndex base);
  // The index a locking read read `key` at; 0 when there was none, or when the snapshot
  // had read the key before (its writes then conflict from start_index).
  LogIndex LockedBase(Slice key) const;
  const LockWait& lock_wait() const { return lock_wait_; }
  // Stops remembering snapshot reads (ReadSet): from now on every key counts as read, so
  // a later locking read is never less strict. For a transaction that will take no lock
  // (an autocommit SELECT), which then saves the bookkeeping.
  void StopTrackingReads() { reads_.MarkAllRead(); }
  // The commit depends on `key` staying as this transaction's snapshot saw it: if another
  // transaction wrote it after we began, Commit fails as a conflict (1213) even though we
  // never wrote it. Ignored by a transaction that writes nothing.
  void RequireUnchanged(Slice key);

  // OK when committed; Aborted (mysql 1213 / 40001) when another transaction committed a
  // write to one of our keys after we began, when a locking read found a row we had read
  // through the snapshot changed since, or when the snapshot fell below the GC horizon
  // ("snapshot too old"). Either way the transaction is finished.
  Status Commit();
  void Rollback();

  // True when this transaction wrote a key starting with `prefix`.
  bool HasWritesIn(Slice prefix) const;
  // Statement-level atomicity. Between BeginStatement() and EndStatement() the first
  // change of each key records the key's previous state; RollbackStatement() puts those
  // back. The cost is the keys the statement touched, not the transaction's size.
  void BeginStatement();
  void RollbackStatement();
  void EndStatement();
  // Savepoints (SAVEPOINT / ROLLBACK TO SAVEPOINT / RELEASE SAVEPOINT), the same undo
  // generalised: each savepoint records the state, as of its creation, of every key first
  // changed after it. Savepoints are numbered 0.. in creation order; the session names them.
  // Row locks taken since a savepoint stay held after rolling back to it, as in InnoDB.
  // At most kMaxSavepoints at once (each write costs one map lookup per savepoint).
  static constexpr size_t kMaxSavepoints = 64;
  size_t savepoint_count() const { return savepoints_.size(); }
  void SetSavepoint();                     // REQUIRES: savepoint_count() < kMaxSavepoints
  void RollbackToSavepoint(size_t index);  // keeps savepoint `index`, drops later ones
  void ReleaseSavepoint(size_t index);     // drops savepoint `index` and later ones
  size_t write_count() const { return writes_.writes.size(); }
  // Bytes the buffered writes count against max_txn_bytes.
  uint64_t buffered_bytes() const { return buffered_bytes_; }

  LogIndex start_index() const { return start_index_; }
  bool read_only() const { return writes_.writes.empty(); }

  // What one buffered write counts against max_txn_bytes: its key and value plus the
  // bookkeeping of one map entry, so the limit bounds the memory, not just the payload.
  static constexpr uint64_t kWriteOverheadBytes = 64;
  // What one held row lock is charged to the sessions' memory budget, beyond its key.
  static constexpr uint64_t kLockOverheadBytes = 96;

 private:
  friend class TxnManager;
  Transaction(TxnManager* manager, LogIndex start_index, LockManager::TxnId id);
  void Finish(std::shared_ptr<CommitFate> unsettled = nullptr);
  Status Buffer(Slice key, std::optional<Bytes> value, LogIndex base);
  // A snapshot read of `key`'s committed value (no own write), recorded as read.
  Result<std::optional<PinnedValue>> ReadCommitted(Slice key);
  // Own writes merged over the committed state at `at`.
  Result<std::vector<KeyValue>> ScanMerged(Slice begin, Slice end, size_t limit, LogIndex at);
  // Records that `key` was read at `at` under a lock (see LockedBase).
  Status NoteLockedRead(Slice key, LogIndex at);
  // A snapshot read of [begin, end) (end empty: unbounded): the keys' locked bases no
  // longer hold (what is derived from the snapshot's value conflicts from start_index).
  void ForgetLockedReads(Slice begin, Slice end);
  Status ChargeLock(Slice key);  // a newly held lock, against the memory budget
  LogIndex LatestIndex() const;
  // Replaces the buffered state of `key` (nullopt: not written), keeping buffered_bytes_.
  void SetBuffered(const Bytes& key, std::optional<std::optional<Bytes>> state);

  TxnManager* manager_;
  LogIndex start_index_;
  // Not OK when Begin could not establish a linearizable snapshot (Proposer::ReadBarrier):
  // every read, write and commit of this transaction fails with it.
  Status begin_status_;
  WriteSet writes_;
  uint64_t buffered_bytes_ = 0;
  MemoryCharge memory_;  // buffered_bytes_, reserved from TxnOptions::memory in 1 MiB steps
  bool in_statement_ = false;
  // key -> its state before the statement: nullopt = not written by this transaction.
  std::map<Bytes, std::optional<std::optional<Bytes>>> statement_undo_;
  size_t statement_ranges_ = 0;  // writes_.unchanged_ranges when the statement began
  struct SavepointUndo {
    std::map<Bytes, std::optional<std::optional<Bytes>>> undo;  // as statement_undo_
    size_t ranges = 0;  // writes_.unchanged_ranges when the savepoint was set
  };
  std::vector<SavepointUndo> savepoints_;
  bool open_ = true;

  const LockManager::TxnId id_;
  LockWait lock_wait_;
  bool holds_locks_ = false;
  uint64_t lock_bytes_ = 0;  // charged to memory_ with buffered_bytes_
  ReadSet reads_;            // keys read through the snapshot
  // DependOn found a row this transaction had read through its snapshot changed since:
  // Commit fails with 1213 (a lost update refused).
  bool doomed_ = false;
  std::map<Bytes, LogIndex, std::less<>> locked_reads_;  // key -> index a locking read read it at
};

struct TxnOptions {
  // The most a transaction may buffer (Transaction::Put); 0 = no limit (tests). Also
  // bounds the size of a WriteSet entry in the Raft log.
  uint64_t max_txn_bytes = 100ull << 20;
  // What every open transaction's buffered writes are charged to (the sessions' share of
  // memory_limit_mb); past it a write fails with MySQL 1041. nullptr: not counted.
  MemoryBudget* memory = nullptr;
};

class TxnManager {
 public:
  TxnManager(storage::Engine* engine, Proposer* proposer, TxnOptions options = {})
      : engine_(engine), proposer_(proposer), options_(options) {}

  std::unique_ptr<Transaction> Begin(const ReadRequirement& requirement = {});

  // The oldest snapshot an open transaction reads at, or that a commit of unknown outcome
  // still needs (CommitFate); the applied index when there is none. Garbage collection may
  // drop versions no reader at or above it can see; the leader proposes it as the GC
  // horizon (apply.h).
  LogIndex GcWatermark() const;
  const TxnOptions& options() const { return options_; }
  LockManager& locks() { return locks_; }

  struct Stats {
    uint64_t commits = 0, conflicts = 0, rollbacks = 0, read_only = 0;
  };
  Stats stats() const;

 private:
  friend class Transaction;
  storage::Engine* engine_;
  Proposer* proposer_;
  const TxnOptions options_;
  mutable std::mutex mu_;
  std::multiset<LogIndex> active_;  // start indices of open transactions
  LockManager::TxnId next_id_ = 1;   // guarded by mu_
  LockManager locks_;
  // Finished transactions whose commit outcome is unknown: start index and fate. Pruned
  // by GcWatermark once final.
  mutable std::vector<std::pair<LogIndex, std::shared_ptr<CommitFate>>> unsettled_;
  Stats stats_;
};

}  // namespace strata::txn
