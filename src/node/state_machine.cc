#include "node/state_machine.h"

#include <fmt/format.h>

#include "node/engine_snapshot.h"
#include "common/coding.h"
#include "obs/log.h"
#include "txn/mvcc.h"
#include "txn/write_set.h"

namespace strata::node {

namespace {
constexpr char kOutcomeCommitted = 1;
constexpr char kOutcomeConflict = 2;
constexpr char kOutcomeSnapshotTooOld = 3;
}  // namespace

Bytes EncodeWriteSetCommand(Slice encoded_write_set) {
  Bytes out;
  out.reserve(encoded_write_set.size() + 1);
  out.push_back(static_cast<char>(CommandType::kWriteSet));
  out.append(encoded_write_set);
  return out;
}

Bytes EncodeGcHorizonCommand(txn::LogIndex horizon) {
  Bytes out;
  out.push_back(static_cast<char>(CommandType::kGcHorizon));
  PutVarint64(&out, horizon);
  return out;
}

Bytes EncodeMemberCommand(const Member& m) {
  Bytes out;
  out.push_back(static_cast<char>(CommandType::kMember));
  out += EncodeMember(m);
  return out;
}

Bytes EncodeReserveIdsCommand(uint64_t table, uint64_t floor, uint64_t count) {
  Bytes out;
  out.push_back(static_cast<char>(CommandType::kReserveIds));
  PutVarint64(&out, table);
  PutVarint64(&out, floor);
  PutVarint64(&out, count);
  return out;
}

Result<uint64_t> DecodeReservedIds(Slice result) {
  uint64_t start = 0;
  if (!GetVarint64(&result, &start) || !result.empty())
    return Status::Internal(fmt::format("unexpected reservation result of {} bytes", result.size()));
  return start;
}

namespace {
// Engine metadata key of a table's next unreserved auto-increment value (fixed64 BE).
Bytes ReservedIdsKey(uint64_t table) {
  Bytes out(txn::kMetaKeyPrefix);
  out += "autoinc/";
  PutBigEndian64(&out, table);
  return out;
}
}  // namespace

Bytes EncodeApplyOutcome(txn::ApplyOutcome outcome) {
  switch (outcome) {
    case txn::ApplyOutcome::kCommitted: return Bytes(1, kOutcomeCommitted);
    case txn::ApplyOutcome::kConflict: return Bytes(1, kOutcomeConflict);
    case txn::ApplyOutcome::kSnapshotTooOld: return Bytes(1, kOutcomeSnapshotTooOld);
  }
  STRATA_CHECK_MSG(false, "unknown apply outcome");
  return Bytes();
}

Result<txn::ApplyOutcome> DecodeApplyOutcome(Slice result) {
  if (result.size() == 1 && result[0] == kOutcomeCommitted) return txn::ApplyOutcome::kCommitted;
  if (result.size() == 1 && result[0] == kOutcomeConflict) return txn::ApplyOutcome::kConflict;
  if (result.size() == 1 && result[0] == kOutcomeSnapshotTooOld) return txn::ApplyOutcome::kSnapshotTooOld;
  return Status::Internal(fmt::format("unexpected apply result of {} bytes", result.size()));
}

TxnStateMachine::TxnStateMachine(storage::Engine* engine, io::Scheduler* io)
    : engine_(engine), io_(io), applied_(engine->AppliedIndex()) {
  STRATA_CHECK(engine_ != nullptr && io_ != nullptr);
  LoadGcHorizon();
  LoadMembers();
}

void TxnStateMachine::LoadMembers() {
  Result<std::map<uint64_t, Member>> members = ReadMembers(*engine_);
  STRATA_CHECK_MSG(members.ok(), members.status().ToString().c_str());
  std::lock_guard lock(members_mu_);
  members_ = std::move(*members);
}

std::map<uint64_t, Member> TxnStateMachine::members() const {
  std::lock_guard lock(members_mu_);
  return members_;
}

Status TxnStateMachine::PutMember(raft::LogIndex index, const Member& m) {
  STRATA_RETURN_IF_ERROR(ApplyMemberPut(*engine_, index, m));
  {
    std::lock_guard lock(members_mu_);
    members_[m.id] = m;
  }
  applied_.store(index, std::memory_order_release);
  if (member_hook_) member_hook_(m);
  return Status::OK();
}

Status TxnStateMachine::ApplyConfChange(raft::LogIndex index, const raft::ConfChange& cc) {
  if (index <= applied()) return Status::OK();  // replayed after a restart: already recorded
  if (cc.type == raft::ConfChangeType::kRemoveNode) {
    STRATA_RETURN_IF_ERROR(ApplyMemberDelete(*engine_, index, cc.node_id));
    {
      std::lock_guard lock(members_mu_);
      members_.erase(cc.node_id);
    }
    applied_.store(index, std::memory_order_release);
    return Status::OK();
  }
  std::optional<Member> m = DecodeMember(cc.context);
  if (!m || m->id != cc.node_id) {
    // A change without addresses (or another program's context): nothing to record.
    STRATA_RETURN_IF_ERROR(txn::ApplyEmpty(*engine_, index));
    applied_.store(index, std::memory_order_release);
    return Status::OK();
  }
  return PutMember(index, *m);
}

void TxnStateMachine::LoadGcHorizon() {
  Result<txn::LogIndex> horizon = txn::ReadGcHorizon(*engine_);
  // Unreadable engine metadata is corruption: serving on would let replicas diverge.
  STRATA_CHECK_MSG(horizon.ok(), horizon.status().ToString().c_str());
  gc_horizon_.store(*horizon, std::memory_order_release);
  std::lock_guard lock(history_mu_);
  horizon_history_.clear();
  horizon_history_[applied()] = *horizon;
}

void TxnStateMachine::RecordHorizon(raft::LogIndex index, txn::LogIndex horizon) {
  std::lock_guard lock(history_mu_);
  if (horizon_history_.empty() || horizon_history_.rbegin()->second != horizon) horizon_history_[index] = horizon;
}

txn::LogIndex TxnStateMachine::durable_gc_horizon() const {
  raft::LogIndex persisted = engine_->PersistedAppliedIndex();
  std::lock_guard lock(history_mu_);
  STRATA_CHECK(!horizon_history_.empty());
  auto after = horizon_history_.upper_bound(persisted);
  if (after == horizon_history_.begin()) return 0;  // nothing recorded that far back
  auto in_force = std::prev(after);
  horizon_history_.erase(horizon_history_.begin(), in_force);  // no longer needed
  return in_force->second;
}

Result<Bytes> TxnStateMachine::Apply(raft::LogIndex index, Slice data) {
  STRATA_CHECK(index > applied());
  if (data.empty()) {
    STRATA_RETURN_IF_ERROR(txn::ApplyEmpty(*engine_, index));
    applied_.store(index, std::memory_order_release);
    return Bytes();
  }
  auto type = static_cast<uint8_t>(data[0]);
  if (type == static_cast<uint8_t>(CommandType::kGcHorizon)) {
    Slice body = data.substr(1);
    uint64_t proposed = 0;
    if (!GetVarint64(&body, &proposed) || !body.empty())
      return Status::Corruption(fmt::format("Raft entry {} has a malformed GC horizon", index));
    STRATA_ASSIGN_OR_RETURN(txn::LogIndex horizon, txn::ApplyGcHorizon(*engine_, index, gc_horizon(), proposed));
    gc_horizon_.store(horizon, std::memory_order_release);
    RecordHorizon(index, horizon);
    applied_.store(index, std::memory_order_release);
    return Bytes();
  }
  if (type == static_cast<uint8_t>(CommandType::kMember)) {
    std::optional<Member> m = DecodeMember(data.substr(1));
    if (!m) return Status::Corruption(fmt::format("Raft entry {} has a malformed member record", index));
    STRATA_RETURN_IF_ERROR(PutMember(index, *m));
    return Bytes();
  }
  if (type == static_cast<uint8_t>(CommandType::kReserveIds)) return ReserveIds(index, data.substr(1));
  if (type != static_cast<uint8_t>(CommandType::kWriteSet))
    return Status::Corruption(fmt::format("Raft entry {} has unknown command type {}", index, type));
  Result<txn::WriteSet> ws = txn::WriteSet::Decode(data.substr(1));
  if (!ws.ok()) return std::move(ws).take_status().Annotate(fmt::format("Raft entry {}", index));
  if (ws->start_index >= index)
    return Status::Corruption(fmt::format("Raft entry {} carries a write set that started at {}", index, ws->start_index));
  STRATA_ASSIGN_OR_RETURN(txn::ApplyOutcome outcome, txn::ApplyWriteSet(*engine_, index, *ws, gc_horizon()));
  // Only now: the batch is visible, so a transaction beginning at `index` reads it.
  applied_.store(index, std::memory_order_release);
  return EncodeApplyOutcome(outcome);
}

Result<Bytes> TxnStateMachine::ReserveIds(raft::LogIndex index, Slice body) {
  uint64_t table = 0, floor = 0, count = 0;
  if (!GetVarint64(&body, &table) || !GetVarint64(&body, &floor) || !GetVarint64(&body, &count) || !body.empty() ||
      count == 0 || floor > UINT64_MAX - count)
    return Status::Corruption(fmt::format("Raft entry {} has a malformed id reservation", index));
  // The range starts at the table's stored next value or the proposer's floor, whichever is
  // higher: every replica computes the same from the same state.
  Bytes key = ReservedIdsKey(table);
  STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> stored, engine_->Get(storage::ReadOptions(), key));
  uint64_t next = 0;
  if (stored) {
    if (stored->size() != 8) return Status::Corruption(fmt::format("id reservation of table {} is not 8 bytes", table));
    next = DecodeBigEndian64(stored->data());
  }
  uint64_t start = std::max(next, floor);
  if (start > UINT64_MAX - count) start = UINT64_MAX - count;  // exhausted: the insert will fail on the key
  storage::WriteBatch batch;
  batch.SetAppliedIndex(index);
  Bytes value;
  PutBigEndian64(&value, start + count);
  batch.Put(key, value);
  STRATA_RETURN_IF_ERROR(engine_->Write(batch));
  applied_.store(index, std::memory_order_release);
  Bytes result;
  PutVarint64(&result, start);
  return result;
}

Status TxnStateMachine::Sync() {
  // Nothing to do: the entries up to applied() are durable in the Raft log, which is the
  // write-ahead log (D1); a restart replays them after PersistedAppliedIndex(). Flushing
  // here would cost an SST write per batch of commits.
  return Status::OK();
}

Result<raft::LogIndex> TxnStateMachine::CreateSnapshot(const std::string& dir) {
  // RaftNode compacts the log up to the returned index: the checkpoint's flush has put
  // everything up to it on disk, so no crash can leave a gap nobody can replay (D1).
  STRATA_ASSIGN_OR_RETURN(EngineSnapshotSummary summary, WriteEngineSnapshot(*engine_, dir));
  STRATA_CHECK(engine_->PersistedAppliedIndex() >= summary.applied_index);
  obs::Info("node", "wrote state machine snapshot", {{"dir", dir}, {"applied_index", summary.applied_index}});
  return summary.applied_index;
}

Status TxnStateMachine::RestoreSnapshot(const std::string& dir, raft::LogIndex index) {
  // LoadEngineSnapshot checks the whole checkpoint before deleting anything: a damaged
  // snapshot must not cost the data we have. It flushes: durable on return.
  {
    std::lock_guard lock(install_mu_);
    install_ = SnapshotInstall{.index = index};
  }
  auto progress = [this](const RestoreProgress& p) {
    std::lock_guard lock(install_mu_);
    install_->progress = p;
  };
  Result<EngineSnapshotSummary> restored = LoadEngineSnapshot(*io_, dir, index, *engine_, progress);
  {
    std::lock_guard lock(install_mu_);
    install_.reset();
  }
  STRATA_ASSIGN_OR_RETURN(EngineSnapshotSummary loaded, std::move(restored));
  LoadGcHorizon();  // the checkpoint carries the horizon and the members applied with it
  LoadMembers();
  applied_.store(index, std::memory_order_release);
  {
    std::lock_guard lock(history_mu_);  // the restored horizon is the one in force at `index`
    horizon_history_.clear();
    horizon_history_[index] = gc_horizon();
  }
  if (member_hook_) {
    for (const auto& [id, m] : members()) member_hook_(m);
  }
  obs::Info("node", "restored state machine snapshot",
            {{"dir", dir}, {"applied_index", index}, {"records", loaded.records}});
  return Status::OK();
}

std::optional<TxnStateMachine::SnapshotInstall> TxnStateMachine::snapshot_install() const {
  std::lock_guard lock(install_mu_);
  return install_;
}

}  // namespace strata::node
