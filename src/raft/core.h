// raft::Core — the Raft consensus algorithm as a pure, single-threaded state machine
// (DESIGN D2), modelled on etcd raft's raft.go + rawnode.go.
//
// The core never does I/O, never reads a clock, never spawns a thread and draws
// randomness only from a PRNG seeded by the caller. Inputs: Tick() (one logical clock
// tick), Step(message), Propose(), ProposeConfChange(), ReadIndex(), TransferLeader().
// Output: a Ready batch, handled by a driver loop:
//
//   while (true) {
//     feed inputs (ticks, messages, proposals) to the core;
//     if (!core.HasReady()) continue;
//     Ready rd = core.GetReady();
//     1. persist rd.snapshot, then rd.entries (truncating any conflicting suffix), then
//        rd.hard_state — durably (fsync / O_DSYNC) when rd.must_sync;
//     2. only then send rd.messages (votes, acks and appends depend on what was just
//        persisted: sending first could promise what a crash then forgets);
//     3. install rd.snapshot in the state machine, apply rd.committed_entries in order;
//     4. serve each rd.read_states[i] once applied index >= its index;
//     5. core.Advance(rd);
//   }
//
// One optimization is allowed (Raft thesis §10.2.1, as in etcd): messages for which
// MayBeSentEarly() is true — a leader's appends, heartbeats and snapshots — may be sent
// before step 1 completes, in parallel with the leader's own disk write. The leader
// counts itself toward a commit quorum only for entries Advance() reported persisted.
//
// The core may be stepped between GetReady() and Advance() (e.g. while a slow disk
// persists), but GetReady() must not be called again before Advance().
//
// Guarantees (checked by tests/sim): at most one leader per term; logs that share an
// (index, term) are identical up to it; a committed entry is in every later leader's log;
// every node applies the same entry at each index; a committed entry is never lost.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "common/status.h"
#include "raft/log_storage.h"
#include "raft/membership.h"
#include "raft/progress.h"
#include "raft/quorum.h"
#include "raft/raft_log.h"
#include "raft/read_only.h"
#include "raft/types.h"

namespace strata::raft {

struct CoreConfig {
  NodeId id = kNoNode;
  // A follower that hears nothing from a leader for a randomized timeout in
  // [election_tick, 2 * election_tick) ticks starts an election.
  int election_tick = 10;
  int heartbeat_tick = 1;  // REQUIRES: heartbeat_tick < election_tick
  // Highest index the state machine applied durably before a restart (D1).
  LogIndex applied = 0;
  bool pre_vote = true;      // Raft thesis §9.6: do not disrupt a healthy leader
  bool check_quorum = true;  // a leader that loses touch with a quorum steps down
  // Serve ReadIndex from the leader lease (no heartbeat round) while it holds. The lease
  // lasts election_tick - lease_drift_ticks ticks from the send of the heartbeat a
  // quorum acknowledged. Requires check_quorum on every node; with it, a node also
  // refuses to vote for others during its first election_tick ticks after (re)start.
  bool lease_reads = false;
  int lease_drift_ticks = 2;
  // The leader's clock for leases, in ticks: when set, heartbeats are stamped with it and
  // the lease is checked against it instead of the count of Tick() calls. A driver that
  // skips ticks after a stall (a SIGSTOP, a long GC-like pause) must set it from a
  // monotonic clock: counted ticks stand still while the process is stopped, so a lease
  // measured in them would outlive the pause (raft_sim_test shows it).
  std::function<uint64_t()> lease_clock;
  uint64_t max_bytes_per_append = 1 << 20;     // entry data per append message
  size_t max_inflight_appends = 64;            // per follower in replicate state
  uint64_t max_committed_bytes_per_ready = 16 << 20;
  size_t max_pending_reads = 4096;
  // Bound on the data of this leader's proposals not yet committed: when followers are
  // unreachable, proposals fail fast instead of growing the log without limit.
  uint64_t max_uncommitted_bytes = 64u << 20;
  uint64_t rng_seed = 0;  // election timeout randomization
};

enum class Role : uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };
std::string_view RoleName(Role role);

struct SoftState {
  NodeId leader = kNoNode;
  Role role = Role::kFollower;
  bool operator==(const SoftState&) const = default;
};

// A read that is now linearizable once the state machine has applied `index`.
struct ReadState {
  LogIndex index = 0;
  Bytes context;
};

// True for messages a leader may send before persisting the Ready that holds them.
inline bool MayBeSentEarly(const Message& m) {
  return m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat ||
         m.type == MessageType::kSnapshot;
}

struct Ready {
  std::optional<SoftState> soft_state;  // set when leader or role changed (not persisted)
  std::optional<HardState> hard_state;  // set when it changed: persist
  std::optional<Snapshot> snapshot;     // a snapshot from the leader: persist, then install
  std::vector<Entry> entries;           // append to storage: persist
  std::vector<Message> messages;        // send after persisting the above
  std::vector<Entry> committed_entries; // apply in order (all are already persisted)
  std::vector<ReadState> read_states;
  bool must_sync = false;               // entries or term/vote changed: sync before sending
};

// Counters the driver may export as metrics; they only grow.
struct CoreCounters {
  uint64_t elections_started = 0;
  uint64_t elections_won = 0;
  uint64_t snapshots_sent = 0;
  uint64_t snapshots_received = 0;
  uint64_t messages_dropped_stale = 0;
  uint64_t lease_reads = 0;  // ReadIndex requests this leader answered from its lease
};

class Core {
 public:
  // Restores from storage (hard state, snapshot, log). `storage` must outlive the core.
  Core(const CoreConfig& config, const LogStorage* storage);

  void Tick();
  // Handles a message from a peer. Returns an error for messages that are malformed for
  // their type; stale or irrelevant messages are ignored with OK.
  Status Step(const Message& m);
  // Leader only: appends `data` as a new entry. Returns its index (the entry is committed
  // at that index only if the same term is still in effect when it applies).
  Result<LogIndex> Propose(SharedBytes data);
  // Leader only: one membership change; Busy while another is uncommitted or before this
  // leader committed an entry of its term.
  Result<LogIndex> ProposeConfChange(const ConfChange& cc);
  // Requests a linearizable read; the answer is a ReadState with the same context in a
  // later Ready (never, if leadership is lost: callers time out). `context` must be
  // non-empty and unique among pending reads. Followers forward to the leader. With
  // `lease` (and lease_reads configured) the leader answers from its lease while it holds,
  // without a heartbeat round: correct as long as clocks drift less than the lease margin.
  Status ReadIndex(Bytes context, bool lease = false);
  // Leader only: hands leadership to `target` (a voter) once its log is caught up.
  Status TransferLeader(NodeId target);
  // Starts an election now (tests and the "campaign" admin action).
  void Campaign();
  // Transport feedback: a peer could not be reached / a snapshot stream ended. The
  // transport must report every stream's end, success included: a follower whose answer
  // to the snapshot is lost would otherwise stay in snapshot state (found by tests/sim).
  void ReportUnreachable(NodeId id);
  void ReportSnapshot(NodeId id, bool ok);

  bool HasReady() const;
  Ready GetReady();
  void Advance(const Ready& rd);

  // Observers (for drivers, metrics and tests).
  NodeId id() const { return id_; }
  Term term() const { return term_; }
  NodeId vote() const { return vote_; }
  Role role() const { return role_; }
  NodeId leader() const { return leader_; }
  const RaftLog& log() const { return log_; }
  const ConfState& conf() const { return membership_.Current(); }
  // Membership in effect at `index` (for snapshots taken at an applied index), or
  // nullopt if `index` predates a snapshot the core has received since (the log is
  // about to be replaced: there is no point compacting it).
  std::optional<ConfState> ConfStateAt(LogIndex index) const { return membership_.At(index); }
  const std::map<NodeId, Progress>& progress() const { return progress_; }
  const CoreCounters& counters() const { return counters_; }
  NodeId lead_transferee() const { return lead_transferee_; }
  bool LeaseValid() const;

 private:
  // core.cc: state transitions, ticks, step dispatch, Ready/Advance
  void BecomeFollower(Term term, NodeId leader);
  void BecomePreCandidate();
  void BecomeCandidate();
  void BecomeLeader();
  void ResetForTerm(Term term);
  void ResetRandomizedElectionTimeout();
  bool Promotable() const;
  void TickElection();
  void TickHeartbeat();
  bool StepTerm(const Message& m);
  void StepVoteRequest(const Message& m);
  void Send(Message m);
  HardState CurrentHardState() const;
  SoftState CurrentSoftState() const { return SoftState{leader_, role_}; }
  // core_election.cc
  void Hup(bool transfer);
  void StartCampaign(bool pre_vote, bool transfer);
  VoteResult Poll(NodeId id, bool granted);
  void StepCandidate(const Message& m);
  // core_follower.cc
  void StepFollower(const Message& m);
  void HandleAppend(const Message& m);
  void HandleHeartbeat(const Message& m);
  void HandleSnapshot(const Message& m);
  void AppendToLog(std::vector<Entry> entries);
  // core_leader.cc
  void StepLeader(const Message& m);
  void HandleAppendResponse(const Message& m, Progress* pr);
  void HandleHeartbeatResponse(const Message& m, Progress* pr);
  void HandleReadIndexRequest(NodeId from, Bytes context, bool lease);
  void StartReadRound();
  void RespondToRead(NodeId from, LogIndex index, Bytes context);
  void ReleaseDeferredReads();
  bool SendAppend(NodeId to, bool send_if_empty);
  bool SendSnapshot(NodeId to, Progress* pr);
  void BroadcastAppend();
  void BroadcastHeartbeat(const Bytes& context);
  void SendTimeoutNow(NodeId to);
  bool MaybeCommit();
  bool CommittedInCurrentTerm() const;
  bool QuorumActive();
  LogIndex AppendAsLeader(EntryType type, SharedBytes data);
  void SyncProgressWithConf();
  Progress NewProgress(NodeId id) const;

  const CoreConfig config_;
  const LogStorage* storage_;
  const NodeId id_;
  Term term_ = 0;
  NodeId vote_ = kNoNode;
  NodeId leader_ = kNoNode;
  Role role_ = Role::kFollower;
  RaftLog log_;
  MembershipHistory membership_;
  std::map<NodeId, Progress> progress_;  // leader only; ordered: deterministic output
  std::map<NodeId, bool> votes_;         // candidate only
  NodeId lead_transferee_ = kNoNode;
  ReadOnlyQueue read_only_;
  // The context of the read heartbeat round in flight (empty: none). Reads that arrive
  // meanwhile wait for it to end and then share one round (StartReadRound).
  Bytes read_round_;
  struct DeferredRead {
    NodeId from;
    Bytes context;
    bool lease;
  };
  std::vector<DeferredRead> deferred_reads_;  // until own-term commit
  bool lease_revoked_ = false;
  std::deque<std::pair<LogIndex, uint64_t>> uncommitted_;  // leader: (index, bytes) proposed
  uint64_t uncommitted_bytes_ = 0;  // a TimeoutNow was sent: another node may win any moment
  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  int randomized_election_timeout_ = 0;
  uint64_t ticks_ = 0;  // ticks since this core was created: its local clock
  uint64_t LeaseNow() const { return config_.lease_clock ? config_.lease_clock() : ticks_; }
  uint64_t rng_state_;
  std::vector<Message> messages_;
  std::vector<ReadState> read_states_;
  HardState prev_hard_state_;
  SoftState prev_soft_state_;
  bool ready_outstanding_ = false;
  CoreCounters counters_;
};

}  // namespace strata::raft
