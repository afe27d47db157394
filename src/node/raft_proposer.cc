#include "node/raft_proposer.h"

#include <chrono>

#include <fmt/format.h>

#include "node/disk_monitor.h"
#include "node/state_machine.h"
#include "obs/metrics.h"

namespace strata::node {

Status MapProposeError(const Status& raft_error) {
  STRATA_CHECK(!raft_error.ok());
  std::string_view message = raft_error.message();
  if (raft_error.code() == StatusCode::kUnavailable && message.rfind("not leader", 0) == 0) {
    return Status::Unavailable(fmt::format("this node is not the Raft leader, nothing was committed ({})", message))
        .WithMysql(kErOptionPreventsStatement, "HY000");
  }
  if (raft_error.code() == StatusCode::kBusy || raft_error.code() == StatusCode::kResourceExhausted) {
    return Status::Busy(fmt::format("the server is busy, nothing was committed; retry the transaction ({})", message))
        .WithMysql(kErTooManyConcurrentTrxs, "HY000");
  }
  if (raft_error.code() == StatusCode::kNoSpace) {
    // MySQL's text is "Disk full (%s); waiting for someone to free some space...": here the
    // write is refused rather than left waiting, so the text says what the client may conclude.
    return Status::NoSpace(fmt::format("Disk full ({}); nothing was committed, retry once space is freed", message))
        .WithMysql(kErDiskFull, "HY000");
  }
  if (raft_error.code() == StatusCode::kIOError) {
    return Status::IOError(fmt::format("Error writing file ({}); nothing was committed", message))
        .WithMysql(kErErrorOnWrite, "HY000");
  }
  if (raft_error.code() == StatusCode::kAborted) {
    return Status::Aborted(fmt::format("transaction was not committed, try restarting transaction ({})", message))
        .WithMysql(kErLockDeadlock, "40001");
  }
  return Status::Unavailable(fmt::format("commit interrupted, outcome unknown ({})", raft_error.ToString()))
      .WithMysql(kErQueryInterrupted, "70100");
}

RaftProposer::RaftProposer(raft::RaftNode* raft, const TxnStateMachine* state_machine, obs::Registry& registry,
                           DiskMonitor* disk)
    : raft_(raft),
      state_machine_(state_machine),
      disk_(disk),
      commit_seconds_(registry.AddHistogram("stratadb_txn_commit_seconds",
                                            "Time a committing transaction waits for its WriteSet to be "
                                            "replicated and applied (conflicts included)")) {
  STRATA_CHECK(raft_ != nullptr && state_machine_ != nullptr);
}

Result<txn::ApplyOutcome> RaftProposer::ProposeAndWait(Bytes encoded_write_set) {
  if (disk_) {
    Status admitted = disk_->AdmitWrite();
    if (!admitted.ok()) return MapProposeError(admitted);  // 1021: not proposed, not committed
  }
  auto start = std::chrono::steady_clock::now();
  Result<Bytes> result = raft_->ProposeAndWait(EncodeWriteSetCommand(encoded_write_set));
  if (!result.ok()) return MapProposeError(result.status());
  commit_seconds_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return DecodeApplyOutcome(*result);
}

txn::LogIndex RaftProposer::AppliedIndex() const { return state_machine_->applied(); }

}  // namespace strata::node
