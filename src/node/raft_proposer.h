// node::RaftProposer — how a committing transaction reaches the Raft log (txn::Proposer).
//
// ProposeAndWait wraps the encoded WriteSet in a WriteSet command (state_machine.h),
// proposes it and blocks until this node applied it. Errors that reach the client carry
// the MySQL error MySQL itself would send for the same situation (DESIGN D11):
//
//   Raft says                            Status         MySQL error                 retry?
//   not leader (never proposed)          Unavailable    1290 HY000 (read-only node)  yes, on the leader
//   overwritten by a new leader          Aborted        1213 40001 (like a conflict) yes
//   timed out / leadership lost /        Unavailable    1317 70100 (query            outcome unknown:
//     node stopped (outcome unknown)                     interrupted)                check, then retry
//
// 1290 (ER_OPTION_PREVENTS_STATEMENT) is what a MySQL replica running --read-only answers
// to a write, which routers and drivers already treat as "not the primary". 1317
// (ER_QUERY_INTERRUPTED) is what a killed statement gets: the client must not assume the
// COMMIT failed.
//
// Thread-safety: any number of sessions may call both methods at once.
#pragma once

#include <chrono>

#include "raft/raft_node.h"
#include "txn/transaction.h"

namespace strata::obs {
class Histogram;
class Registry;
}

namespace strata::node {

class TxnStateMachine;

inline constexpr uint16_t kErOptionPreventsStatement = 1290;
inline constexpr uint16_t kErQueryInterrupted = 1317;
inline constexpr uint16_t kErLockDeadlock = 1213;

// Maps a failed RaftNode proposal to the Status a session returns (table above).
Status MapProposeError(const Status& raft_error);

class RaftProposer final : public txn::Proposer {
 public:
  // REQUIRES: raft and state_machine outlive the proposer. Registers
  // stratadb_txn_commit_seconds (propose → applied, as a session waits for it).
  RaftProposer(raft::RaftNode* raft, const TxnStateMachine* state_machine, obs::Registry& registry,
               std::chrono::milliseconds propose_timeout = std::chrono::milliseconds(5000));

  // Waits up to `propose_timeout` (1317 after that: outcome unknown). `fate` learns the
  // entry's index and, from the final callback, whether its fate is settled.
  Result<txn::ApplyOutcome> ProposeAndWait(Bytes encoded_write_set, std::shared_ptr<txn::CommitFate> fate) override;
  // The state machine's applied index: everything up to it is visible in the engine.
  txn::LogIndex AppliedIndex() const override;

 private:
  raft::RaftNode* const raft_;
  const TxnStateMachine* const state_machine_;
  obs::Histogram& commit_seconds_;
  const std::chrono::milliseconds propose_timeout_;
};

}  // namespace strata::node
