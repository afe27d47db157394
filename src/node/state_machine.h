// node::TxnStateMachine — the replicated state machine of a StrataDB node: the Raft log's
// committed entries applied to the storage engine (DESIGN D1, D4).
//
// Entry format (docs/replicated_commands.md):
//   empty                          no-op: records the index as applied, writes nothing
//   type (1 byte) | body           1 = WriteSet (body: txn::WriteSet::Encode())
//                                  2 = GC horizon (body: varint proposed horizon)
//                                  3 = member addresses (body: node/members.h)
//                                  4 = reserve auto-increment values (body: varint table id
//                                      | varint floor | varint count); result: varint first
//                                      value of the range
// Membership changes (raft ConfChange entries) record or delete the member's addresses
// (ApplyConfChange).
// Result of a WriteSet entry: one byte, 1 = committed, 2 = conflict (first committer won),
// 3 = refused, snapshot too old (start index below the applied GC horizon, txn/apply.h).
// An unknown type or a malformed body is an error of the machine: the node stops rather
// than let replicas diverge.
//
// Durability (DESIGN D1): the Raft log is the write-ahead log. Apply writes to the engine
// without forcing anything to disk and Sync() does nothing: after a crash the engine holds
// every batch up to its PersistedAppliedIndex(), applied() restarts there, and RaftNode
// replays the committed entries after it. The log may only be truncated below an index the
// engine has persisted; CreateSnapshot() — the step before every log compaction — flushes
// the engine first, so that always holds.
//
// Thread-safety: Apply, Sync and RestoreSnapshot run on the Raft driver thread only;
// CreateSnapshot on RaftNode's compaction worker, concurrently with Apply (never with
// RestoreSnapshot). applied() may be read from any thread; it moves only after the engine batch
// of that index is visible to readers, so a transaction that begins at applied() sees
// everything up to it.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "node/engine_snapshot.h"
#include "node/members.h"
#include "raft/raft_node.h"
#include "storage/engine.h"
#include "txn/apply.h"

namespace strata::io {
class Scheduler;
}

namespace strata::node {

enum class CommandType : uint8_t { kWriteSet = 1, kGcHorizon = 2, kMember = 3, kReserveIds = 4 };

// The Raft entry that carries an encoded txn::WriteSet.
Bytes EncodeWriteSetCommand(Slice encoded_write_set);
// The Raft entry that proposes `horizon` as the GC horizon (the leader's oldest snapshot).
Bytes EncodeGcHorizonCommand(txn::LogIndex horizon);
// The Raft entry by which a member announces where it listens.
Bytes EncodeMemberCommand(const Member& m);
// The Raft entry that reserves `count` auto-increment values of `table` at or above
// `floor`; its result (DecodeReservedIds) is the first value of the range.
Bytes EncodeReserveIdsCommand(uint64_t table, uint64_t floor, uint64_t count);
Result<uint64_t> DecodeReservedIds(Slice result);
// The state machine's answer to a WriteSet entry, as the proposer receives it.
Bytes EncodeApplyOutcome(txn::ApplyOutcome outcome);
Result<txn::ApplyOutcome> DecodeApplyOutcome(Slice result);

class TxnStateMachine final : public raft::StateMachine {
 public:
  // REQUIRES: engine and io outlive the state machine. Starts at the engine's applied index.
  TxnStateMachine(storage::Engine* engine, io::Scheduler* io);

  Result<Bytes> Apply(raft::LogIndex index, Slice data) override;
  raft::LogIndex applied() const override { return applied_.load(std::memory_order_acquire); }
  // The applied GC horizon (txn/apply.h): garbage collection stays at or below it.
  txn::LogIndex gc_horizon() const { return gc_horizon_.load(std::memory_order_acquire); }
  // The GC horizon that was in force at the engine's PersistedAppliedIndex(): the limit for
  // garbage collection. A crash may make the node replay entries after that index, and
  // their conflict checks must find every version they found the first time — also in an
  // engine that persisted further and collected garbage meanwhile (storage/routed_engine.h).
  // Versions at or below this horizon are older than the start of every entry replayed.
  txn::LogIndex durable_gc_horizon() const;
  Status Sync() override;
  // A checkpoint of the engine (node/engine_snapshot.h): a flush and hard links, no scan.
  // Runs on RaftNode's compaction worker while Apply goes on.
  Result<raft::LogIndex> CreateSnapshot(const std::string& dir) override;
  // Replaces the engine's contents with the checkpoint's (verified first).
  Status RestoreSnapshot(const std::string& dir, raft::LogIndex index) override;
  // Records (add) or deletes (remove) the member's addresses; advances applied().
  Status ApplyConfChange(raft::LogIndex index, const raft::ConfChange& cc) override;

  // The snapshot RestoreSnapshot is installing into the engine, if any (/status shows it
  // beside raft.snapshot_transfers, which covers the stream before it). Thread-safe.
  struct SnapshotInstall {
    raft::LogIndex index = 0;
    RestoreProgress progress{};
  };
  std::optional<SnapshotInstall> snapshot_install() const;

  // The member records (node/members.h), as of applied(). Thread-safe.
  std::map<uint64_t, Member> members() const;
  // Called on the driver thread whenever a member record is written or a snapshot
  // restored (then once per member): the node points the Raft transport at it. Set
  // before the node starts Raft.
  void set_member_hook(std::function<void(const Member&)> hook) { member_hook_ = std::move(hook); }

 private:
  void LoadGcHorizon();
  void LoadMembers();
  Status PutMember(raft::LogIndex index, const Member& m);
  Result<Bytes> ReserveIds(raft::LogIndex index, Slice body);

  storage::Engine* const engine_;
  io::Scheduler* const io_;
  std::atomic<raft::LogIndex> applied_;
  std::atomic<txn::LogIndex> gc_horizon_{0};  // written on the driver thread only
  void RecordHorizon(raft::LogIndex index, txn::LogIndex horizon);
  mutable std::mutex history_mu_;
  // Applied index -> horizon from that index on, since the persisted applied index.
  mutable std::map<raft::LogIndex, txn::LogIndex> horizon_history_;  // guarded by history_mu_
  mutable std::mutex members_mu_;
  std::map<uint64_t, Member> members_;  // guarded by members_mu_; written on the driver thread
  std::function<void(const Member&)> member_hook_;
  mutable std::mutex install_mu_;
  std::optional<SnapshotInstall> install_;  // guarded by install_mu_
};

}  // namespace strata::node
