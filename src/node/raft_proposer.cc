#include "node/raft_proposer.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

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
                           std::chrono::milliseconds propose_timeout, DiskMonitor* disk)
    : raft_(raft),
      state_machine_(state_machine),
      disk_(disk),
      commit_seconds_(registry.AddHistogram("stratadb_txn_commit_seconds",
                                            "Time a committing transaction waits for its WriteSet to be "
                                            "replicated and applied (conflicts included)")),
      propose_timeout_(propose_timeout) {
  STRATA_CHECK(raft_ != nullptr && state_machine_ != nullptr);
}

namespace {
// One proposal's rendezvous between the driver thread's callback and the waiting session;
// shared, because the callback may fire after the session stopped waiting.
struct Waiter {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Result<Bytes>> result;
};
}  // namespace

Result<txn::ApplyOutcome> RaftProposer::ProposeAndWait(Bytes encoded_write_set, std::shared_ptr<txn::CommitFate> fate) {
  STRATA_CHECK(fate != nullptr);
  if (disk_) {
    // 1021 before proposing: the fate is settled (not in the log, not committed).
    Status admitted = disk_->AdmitWrite();
    if (!admitted.ok()) {
      fate->settled.store(true, std::memory_order_release);
      return MapProposeError(admitted);
    }
  }
  if (follower_refusal_) {
    Status refused = follower_refusal_();
    if (!refused.ok()) {
      fate->settled.store(true, std::memory_order_release);  // never proposed
      return refused;
    }
  }
  auto start = std::chrono::steady_clock::now();
  auto waiter = std::make_shared<Waiter>();
  auto done = [waiter, fate](Result<Bytes> r) {
    // Settled unless the entry is in the log with its outcome open (leadership lost, node
    // stopped): then CommitFate::Final waits for this node to apply its index.
    bool open = !r.ok() && r.status().code() != StatusCode::kAborted && fate->index.load() != 0;
    if (!open) fate->settled.store(true, std::memory_order_release);
    std::lock_guard lock(waiter->mu);
    waiter->result = std::move(r);
    waiter->cv.notify_all();
  };
  auto appended = [fate](raft::LogIndex index) { fate->index.store(index, std::memory_order_release); };
  raft_->Propose(std::move(encoded_write_set), std::move(done), std::move(appended));
  Result<Bytes> result = Status::TimedOut(
      fmt::format("proposal not applied within {} ms; outcome unknown", propose_timeout_.count()));
  {
    std::unique_lock lock(waiter->mu);
    if (waiter->cv.wait_for(lock, propose_timeout_, [&] { return waiter->result.has_value(); }))
      result = std::move(*waiter->result);
  }
  if (!result.ok()) return MapProposeError(result.status());
  commit_seconds_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return DecodeApplyOutcome(*result);
}

Slice RaftProposer::WriteSetPrefix() const {
  static constexpr char kTag = static_cast<char>(CommandType::kWriteSet);
  return Slice(&kTag, 1);
}

txn::LogIndex RaftProposer::AppliedIndex() const { return state_machine_->applied(); }

Status RaftProposer::ReadBarrier(const txn::ReadRequirement& requirement) {
  if (raft_->IsSoleVoterLeader()) return Status::OK();
  if (!requirement.linearizable) {
    std::chrono::milliseconds age = raft_->LeaderContactAge();
    if (static_cast<uint64_t>(age.count()) <= requirement.max_staleness_ms) return Status::OK();
    return Status::Unavailable(fmt::format("this node last heard from a Raft leader {} ms ago, more than "
                                           "strata_max_staleness_ms = {}; nothing was read, retry or read elsewhere",
                                           age.count(), requirement.max_staleness_ms))
        .WithMysql(kErQueryInterrupted, "70100");
  }
  if (follower_refusal_) STRATA_RETURN_IF_ERROR(follower_refusal_());
  // ReadIndex asks again while an election runs; it gives up after the timeout.
  Result<raft::LogIndex> index = raft_->ReadIndex(propose_timeout_, requirement.lease);
  if (index.ok()) return Status::OK();
  return Status::Unavailable(fmt::format("no Raft leader confirmed this node's reads are current within {} ms ({}); "
                                         "nothing was read or written, retry",
                                         propose_timeout_.count(), index.status().ToString()))
      .WithMysql(kErQueryInterrupted, "70100");
}

}  // namespace strata::node
