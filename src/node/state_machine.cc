#include "node/state_machine.h"

#include <fmt/format.h>

#include "node/snapshot_file.h"
#include "obs/log.h"
#include "txn/write_set.h"

namespace strata::node {

namespace {
constexpr char kOutcomeCommitted = 1;
constexpr char kOutcomeConflict = 2;
}  // namespace

Bytes EncodeWriteSetCommand(Slice encoded_write_set) {
  Bytes out;
  out.reserve(encoded_write_set.size() + 1);
  out.push_back(static_cast<char>(CommandType::kWriteSet));
  out.append(encoded_write_set);
  return out;
}

Bytes EncodeApplyOutcome(txn::ApplyOutcome outcome) {
  return Bytes(1, outcome == txn::ApplyOutcome::kCommitted ? kOutcomeCommitted : kOutcomeConflict);
}

Result<txn::ApplyOutcome> DecodeApplyOutcome(Slice result) {
  if (result.size() == 1 && result[0] == kOutcomeCommitted) return txn::ApplyOutcome::kCommitted;
  if (result.size() == 1 && result[0] == kOutcomeConflict) return txn::ApplyOutcome::kConflict;
  return Status::Internal(fmt::format("unexpected apply result of {} bytes", result.size()));
}

TxnStateMachine::TxnStateMachine(storage::Engine* engine, io::Scheduler* io)
    : engine_(engine), io_(io), applied_(engine->AppliedIndex()) {
  STRATA_CHECK(engine_ != nullptr && io_ != nullptr);
}

Result<Bytes> TxnStateMachine::Apply(raft::LogIndex index, Slice data) {
  STRATA_CHECK(index > applied());
  if (data.empty()) {
    STRATA_RETURN_IF_ERROR(txn::ApplyEmpty(*engine_, index));
    applied_.store(index, std::memory_order_release);
    return Bytes();
  }
  auto type = static_cast<uint8_t>(data[0]);
  if (type != static_cast<uint8_t>(CommandType::kWriteSet))
    return Status::Corruption(fmt::format("Raft entry {} has unknown command type {}", index, type));
  Result<txn::WriteSet> ws = txn::WriteSet::Decode(data.substr(1));
  if (!ws.ok()) return std::move(ws).take_status().Annotate(fmt::format("Raft entry {}", index));
  STRATA_ASSIGN_OR_RETURN(txn::ApplyOutcome outcome, txn::ApplyWriteSet(*engine_, index, *ws));
  // Only now: the batch is visible, so a transaction beginning at `index` reads it.
  applied_.store(index, std::memory_order_release);
  return EncodeApplyOutcome(outcome);
}

Status TxnStateMachine::Sync() {
  // Nothing to do: the entries up to applied() are durable in the Raft log, which is the
  // write-ahead log (D1); a restart replays them after PersistedAppliedIndex(). Flushing
  // here would cost an SST write per batch of commits.
  return Status::OK();
}

Status TxnStateMachine::CreateSnapshot(const std::string& path) {
  // RaftNode compacts the log up to applied() after this returns: the engine must hold
  // everything up to there on disk first, or a crash would leave a gap nobody can replay.
  STRATA_RETURN_IF_ERROR(engine_->Flush());
  STRATA_CHECK(engine_->PersistedAppliedIndex() >= applied());
  STRATA_ASSIGN_OR_RETURN(SnapshotFileSummary summary, WriteSnapshotFile(*engine_, *io_, path, applied()));
  obs::Info("node", "wrote state machine snapshot",
            {{"path", path}, {"applied_index", summary.applied_index}, {"records", summary.records}});
  return Status::OK();
}

Status TxnStateMachine::RestoreSnapshot(const std::string& path, raft::LogIndex index) {
  // Check the whole file before deleting anything: a damaged snapshot must not cost the
  // data we have.
  STRATA_ASSIGN_OR_RETURN(SnapshotFileSummary checked, VerifySnapshotFile(*io_, path));
  if (checked.applied_index != index)
    return Status::Corruption(fmt::format("snapshot file {} holds applied index {}, expected {}", path,
                                          checked.applied_index, index));
  if (index <= engine_->AppliedIndex())
    return Status::InvalidArgument(fmt::format("snapshot at index {} is not above the applied index {}", index,
                                               engine_->AppliedIndex()));
  STRATA_ASSIGN_OR_RETURN(SnapshotFileSummary loaded, LoadSnapshotFile(*io_, path, *engine_));
  STRATA_RETURN_IF_ERROR(engine_->Flush());  // the contract: durable on return
  applied_.store(index, std::memory_order_release);
  obs::Info("node", "restored state machine snapshot",
            {{"path", path}, {"applied_index", index}, {"records", loaded.records}});
  return Status::OK();
}

}  // namespace strata::node
