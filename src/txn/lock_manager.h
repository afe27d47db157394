// Leader-local row locks (DESIGN D4): under contention writers wait for each other, as with
// InnoDB, instead of racing to a 1213 at commit.
//
// UPDATE, DELETE, INSERT and SELECT … FOR UPDATE / FOR SHARE lock the keys of the rows they
// touch until their transaction ends. A request that conflicts with another transaction's
// lock waits in FIFO order, up to innodb_lock_wait_timeout (then 1205); a request whose
// wait would close a cycle of waiting transactions fails at once with 1213 (the requester
// is the victim). The locks are not replicated and do not decide anything: they only order
// the writers on this node. The first-committer-wins check at apply (apply.h) stays the
// arbiter, so a node that loses leadership, or writers on different nodes, can never
// commit a lost update — they get 1213 at commit instead.
//
// Thread-safety: all methods may be called concurrently. One mutex guards the table: a
// lock is a hash-map step, far below the cost of the Raft commit it orders.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "common/slice.h"
#include "common/status.h"

namespace strata::txn {

enum class LockMode : uint8_t { kNone = 0, kShared = 1, kExclusive = 2 };

// How a lock request waits (set per statement by the SQL session).
struct LockWait {
  std::chrono::milliseconds timeout{50'000};  // innodb_lock_wait_timeout
  bool nowait = false;                        // FOR UPDATE NOWAIT: 3572 instead of waiting
  bool skip_locked = false;  // SKIP LOCKED: rows locked by others are skipped (Transaction)
  // Checked while waiting (KILL QUERY, shutdown): a non-OK status ends the wait with it.
  std::function<Status()> interrupted;
};

inline constexpr uint16_t kErLockWaitTimeout = 1205;
inline constexpr uint16_t kErLockNowait = 3572;
Status ErrLockWaitTimeout();
Status ErrLockDeadlock();
Status ErrLockNowait();

class LockManager {
 public:
  using TxnId = uint64_t;

  // Returns once `txn` holds `key` in `mode` (or a stronger mode): OK; 1205 after
  // `wait.timeout`; 1213 when waiting would deadlock; 3572 with `wait.nowait` when the key
  // is held by another transaction; the interrupt's status when `wait.interrupted` fires.
  // *newly (when given) tells whether `txn` did not hold `key` before.
  Status Acquire(TxnId txn, Slice key, LockMode mode, const LockWait& wait, bool* newly = nullptr);
  // Like Acquire, but never waits: false when another transaction holds a conflicting lock
  // (SKIP LOCKED).
  bool TryAcquire(TxnId txn, Slice key, LockMode mode, bool* newly = nullptr);
  // Releases every lock `txn` holds and wakes the transactions that can now run.
  void ReleaseAll(TxnId txn);

  struct Stats {
    uint64_t waits = 0, timeouts = 0, deadlocks = 0;
    uint64_t locks_held = 0;  // now, across transactions
    uint64_t waiting = 0;     // transactions waiting now
  };
  Stats stats() const;

 private:
  struct Request {
    TxnId txn;
    LockMode mode;
  };
  struct Entry {
    std::vector<Request> holders;
    std::deque<Request> waiters;  // FIFO; an upgrade of a held lock goes first
  };
  struct TxnState {
    std::vector<Bytes> held;
    const Bytes* waiting_on = nullptr;  // the key of the entry it waits in
    bool granted = false;
    std::condition_variable cv;
  };

  // Under mu_. Whether `mode` for `txn` is compatible with every other holder.
  static bool Compatible(const Entry& e, TxnId txn, LockMode mode);
  // Under mu_. Grants the waiters at the front of `key`'s queue that can now run.
  void GrantWaiters(const Bytes& key, Entry& e);
  // Under mu_. Whether `txn` waiting in `key`'s queue closes a cycle of waits.
  bool WouldDeadlock(TxnId txn, const Bytes& key);
  // Under mu_. Records that `txn` holds `key` in `mode` (upgrading a shared lock it holds).
  void Grant(TxnId txn, const Bytes& key, Entry& e, LockMode mode);
  TxnState& State(TxnId txn);

  mutable std::mutex mu_;
  std::unordered_map<Bytes, Entry> table_;
  std::unordered_map<TxnId, std::unique_ptr<TxnState>> txns_;
  Stats stats_;
};

}  // namespace strata::txn
