// node::RaftProposer — how a committing transaction reaches the Raft log (txn::Proposer).
//
// ProposeAndWait gets the encoded WriteSet as a WriteSet command (state_machine.h: the
// transaction encodes it after WriteSetPrefix(), the command's tag),
// proposes it and blocks until this node applied it. Errors that reach the client carry
// the MySQL error MySQL itself would send for the same situation (DESIGN D11):
//
//   Raft says                            Status         MySQL error                 retry?
//   not leader (never proposed)          Unavailable    1290 HY000 (read-only node)  yes, on the leader
//   overwritten by a new leader          Aborted        1213 40001 (like a conflict) yes
//   timed out / leadership lost /        Unavailable    1317 70100 (query            outcome unknown:
//     node stopped (outcome unknown)                     interrupted)                check, then retry
//   proposal queue full / too much       Busy           1637 HY000 (too many         yes, later
//     uncommitted (never proposed)                       concurrent trxs)
//   log cannot be written: disk full     NoSpace        1021 HY000 (disk full)       yes, once space
//     (never proposed)                                                               is freed
//   log cannot be written: I/O error     IOError        1026 HY000 (error writing    yes, once fixed
//     (never proposed)                                   file)
//
// 1637 (ER_TOO_MANY_CONCURRENT_TRXS) is InnoDB's answer when it runs out of room for
// transactions — "busy, nothing done, try again" — which is exactly the case. 1205 (lock
// wait timeout) would claim a lock that was never involved, and 1040 is a connect-time
// error. 1021 (ER_DISK_FULL) and 1026 (ER_ERROR_ON_WRITE) are what MySQL reports for a full
// disk and a failed write. None of these four may say "outcome unknown": in each case the
// transaction never reached the log, so the client knows it was NOT committed. Only 1317
// leaves the outcome open.
//
// 1290 (ER_OPTION_PREVENTS_STATEMENT) is what a MySQL replica running --read-only answers
// to a write, which routers and drivers already treat as "not the primary". 1317
// (ER_QUERY_INTERRUPTED) is what a killed statement gets: the client must not assume the
// COMMIT failed.
//
// Thread-safety: any number of sessions may call both methods at once.
#pragma once

#include <chrono>
#include <functional>

#include "raft/raft_node.h"
#include "txn/transaction.h"

namespace strata::obs {
class Histogram;
class Registry;
}

namespace strata::node {

class DiskMonitor;
class TxnStateMachine;

inline constexpr uint16_t kErOptionPreventsStatement = 1290;
inline constexpr uint16_t kErQueryInterrupted = 1317;
inline constexpr uint16_t kErLockDeadlock = 1213;
inline constexpr uint16_t kErDiskFull = 1021;
inline constexpr uint16_t kErErrorOnWrite = 1026;
inline constexpr uint16_t kErTooManyConcurrentTrxs = 1637;

// Maps a failed RaftNode proposal to the Status a session returns (table above).
Status MapProposeError(const Status& raft_error);

class RaftProposer final : public txn::Proposer {
 public:
  // REQUIRES: raft, state_machine and disk (when given) outlive the proposer. Registers
  // stratadb_txn_commit_seconds (propose → applied, as a session waits for it). With a
  // DiskMonitor, a commit is refused with 1021 while the disk is full, before proposing.
  RaftProposer(raft::RaftNode* raft, const TxnStateMachine* state_machine, obs::Registry& registry,
               std::chrono::milliseconds propose_timeout = std::chrono::milliseconds(5000),
               DiskMonitor* disk = nullptr);

  // Waits up to `propose_timeout` (1317 after that: outcome unknown). `fate` learns the
  // entry's index and, from the final callback, whether its fate is settled.
  Result<txn::ApplyOutcome> ProposeAndWait(Bytes encoded_write_set, std::shared_ptr<txn::CommitFate> fate) override;
  Slice WriteSetPrefix() const override;
  // The state machine's applied index: everything up to it is visible in the engine.
  txn::LogIndex AppliedIndex() const override;
  // Linearizable reads: nothing to do on the only voter; elsewhere a ReadIndex through the
  // leader (raft_node.h), waited for up to propose_timeout. Failure: 1317 (retry; nothing
  // was read or written).
  // strata_read_consistency = follower: no round trip, refused (1317) when this node has not
  // heard from a leader within max_staleness_ms.
  Status ReadBarrier(const txn::ReadRequirement& requirement) override;

  // follower_requests = redirect: called before a commit or a linearizable/lease read; a
  // non-OK answer (1290 naming the leader, on a follower) is returned instead of going on
  // to the leader. Set once, before sessions start.
  void SetFollowerRefusal(std::function<Status()> refusal) { follower_refusal_ = std::move(refusal); }

 private:
  raft::RaftNode* const raft_;
  const TxnStateMachine* const state_machine_;
  DiskMonitor* const disk_;
  obs::Histogram& commit_seconds_;
  const std::chrono::milliseconds propose_timeout_;
  std::function<Status()> follower_refusal_;
};

}  // namespace strata::node
