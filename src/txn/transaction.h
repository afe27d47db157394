// Transactions with snapshot isolation (DESIGN D4).
//
// A transaction reads at the applied index when it began (REPEATABLE READ served as
// snapshot isolation, as InnoDB users expect), buffers its writes, and reads its own
// writes. COMMIT proposes one WriteSet through Raft and waits for it to be applied; the
// apply step (apply.h) decides commit or conflict deterministically on every replica. A
// conflict is MySQL error 1213 (ER_LOCK_DEADLOCK, SQLSTATE 40001) so clients retry.
// Read-only transactions never touch Raft.
//
// Thread-safety: a Transaction belongs to one session (one thread at a time); the
// TxnManager is shared by all sessions.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "storage/engine.h"
#include "txn/apply.h"
#include "txn/mvcc.h"
#include "txn/write_set.h"

namespace strata::txn {

// How a transaction reaches Raft. The node implements it with its Raft group; tests with
// a direct in-process apply.
class Proposer {
 public:
  virtual ~Proposer() = default;
  // Replicates `encoded_write_set` and returns its outcome once applied on this node.
  virtual Result<ApplyOutcome> ProposeAndWait(Bytes encoded_write_set) = 0;
  // The highest index applied on this node: new transactions read at it.
  virtual LogIndex AppliedIndex() const = 0;
};

class TxnManager;

class Transaction {
 public:
  ~Transaction();  // rolls back if still open

  Result<std::optional<Bytes>> Get(Slice key);
  // Live keys in [begin, end) (end empty: unbounded), own writes included, at most `limit`.
  Result<std::vector<KeyValue>> Scan(Slice begin, Slice end, size_t limit);
  void Put(Slice key, Slice value);
  void Delete(Slice key);

  // OK when committed; Aborted (mysql 1213 / 40001) when another transaction committed a
  // write to one of our keys after we began. Either way the transaction is finished.
  Status Commit();
  void Rollback();

  // True when this transaction wrote a key starting with `prefix`.
  bool HasWritesIn(Slice prefix) const;
  // Statement-level atomicity: a failed statement restores the writes as they were before it.
  using Savepoint = std::map<Bytes, std::optional<Bytes>>;
  Savepoint Save() const { return writes_.writes; }
  void RestoreTo(Savepoint savepoint) { writes_.writes = std::move(savepoint); }
  size_t write_count() const { return writes_.writes.size(); }

  LogIndex start_index() const { return start_index_; }
  bool read_only() const { return writes_.writes.empty(); }

 private:
  friend class TxnManager;
  Transaction(TxnManager* manager, LogIndex start_index);
  void Finish();

  TxnManager* manager_;
  LogIndex start_index_;
  WriteSet writes_;
  bool open_ = true;
};

class TxnManager {
 public:
  TxnManager(storage::Engine* engine, Proposer* proposer) : engine_(engine), proposer_(proposer) {}

  std::unique_ptr<Transaction> Begin();

  // The oldest snapshot an open transaction reads at (or the applied index when none is
  // open): garbage collection may drop versions no reader at or above it can see.
  LogIndex GcWatermark() const;

  struct Stats {
    uint64_t commits = 0, conflicts = 0, rollbacks = 0, read_only = 0;
  };
  Stats stats() const;

 private:
  friend class Transaction;
  storage::Engine* engine_;
  Proposer* proposer_;
  mutable std::mutex mu_;
  std::multiset<LogIndex> active_;  // start indices of open transactions
  Stats stats_;
};

}  // namespace strata::txn
