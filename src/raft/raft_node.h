// raft::RaftNode — the driver that runs raft::Core against a real disk, clock and network.
//
// One thread owns the core and runs the loop core.h prescribes: it feeds ticks (from the
// steady clock every tick_interval), inbound messages (from the Transport's thread) and
// proposals (from any thread); for each Ready it
//   1. writes a received snapshot (file, then log mark), then entries + hard state with
//      DiskLogStorage::Save — one write, one fdatasync (group commit: every proposal that
//      arrived since the last Ready is in the same batch);
//   2. sends messages — only after step 1, except those MayBeSentEarly() allows before it;
//   3. restores a received snapshot into the StateMachine, applies committed entries and
//      completes their proposals (without a snapshot in the Ready, committed entries — all
//      durable already — are applied before step 1, so an acknowledgement never waits for
//      the fsync of the batch behind it);
//   4. Advance()s, then compacts the log every `compact_every` applied entries or
//      `compact_bytes` written log bytes (after the state machine made its state durable
//      and wrote a snapshot file for that index). The log keeps only a bounded tail of
//      entry data in memory (`log_cache_bytes`); older entries are read from disk.
//
// Snapshots (docs/raft_transport.md): the core's snapshot messages carry metadata only; the
// driver streams the state machine's snapshot directory for that index (every file, in
// chunks: snapshot_stream.h), one chunk in flight per follower, the next sent when the
// receiver acknowledges the previous one. An interrupted stream (dropped chunk, no ack
// within snapshot_ack_timeout) is reported to the core; when the core sends the snapshot
// again the stream resumes at the receiver's last acknowledged position. The receiver steps
// the message into its core once every file and the directory are durable; installing it
// keeps the crash-safe order: directory renamed to snap/snapshot-<index> and synced, then
// the log's snapshot mark, then RestoreSnapshot (Recover() redoes the restore after a
// crash between the mark and the restore).
//
// Cluster operations (raft_node_cluster.cc): membership changes with the member's
// addresses in the replicated entry (ConfChange::context, handed to the state machine when
// applied), leadership transfer, ReadIndex reads, and proposals made on a follower, which
// the driver forwards to the leader (message kForwardPropose, never seen by the core): the
// leader appends the entry and answers with its index and term; the follower completes the
// proposal when it applies that index itself — with the state machine's result when the
// term matches, Aborted when another leader's entry took the index. So a write acknowledged
// on a follower is already visible there (read-your-writes on every node). A proposal made
// while no leader is known waits for the election (options.leader_wait) in the driver.
//
// Thread-safety: Propose, the cluster operations, info and Stop are safe from any thread;
// the StateMachine is called only from the driver thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "obs/metrics.h"
#include "raft/core.h"
#include "raft/transport.h"
#include "raft/types.h"

namespace strata::io {
class Scheduler;
}

namespace strata::raft {

// The replicated application. Apply must be deterministic (STYLE "Concurrency"): same
// log, same state, on every replica.
class StateMachine {
 public:
  virtual ~StateMachine() = default;
  // Applies the normal entry at `index` (> applied()); the result goes to the proposer.
  // An error is an error of the machine: the node stops (CHECK), it is not a client error.
  virtual Result<Bytes> Apply(LogIndex index, Slice data) = 0;
  // Highest index applied. After Sync(), durable: a restart replays the log after it.
  virtual LogIndex applied() const = 0;
  // Makes the state up to applied() durable (called after each batch of entries).
  virtual Status Sync() = 0;
  // Writes the state as of some index as the files of a new directory `dir` (it does not
  // exist yet; the state machine creates it) and returns that index: at least applied()
  // when called, at most applied() when it returns, and durable in the state (a restart
  // never comes back below it). Plain files only, no subdirectories. Called on the
  // driver's compaction worker thread while Apply goes on (never during RestoreSnapshot),
  // so the Raft thread never waits for a flush. The driver then fsyncs every file and the
  // directory and renames it into place, so this need not be atomic. The snapshot must stay
  // valid while the live state moves on (an engine checkpoint of hard links qualifies: SST
  // files are immutable).
  virtual Result<LogIndex> CreateSnapshot(const std::string& dir) = 0;
  // A membership change committed at `index`, in log order with Apply (its context is
  // what the proposer put there). Called for every committed configuration entry, those
  // at or below applied() after a restart included: recording it must be idempotent. A
  // machine that stores it durably may advance applied() to `index` (in the same batch).
  // Default: nothing to record.
  virtual Status ApplyConfChange(LogIndex index, const ConfChange& cc) { return Status::OK(); }
  // Replaces the state with the snapshot directory `dir` (written by CreateSnapshot on
  // some replica), which covers up to `index`, and makes it durable. Must leave `dir`
  // unchanged: this node may stream it to others later.
  virtual Status RestoreSnapshot(const std::string& dir, LogIndex index) = 0;
};

struct RaftNodeOptions {
  NodeId id = kNoNode;
  uint64_t cluster_id = 1;
  std::string data_dir;                         // raft log in <dir>/raft, snapshots in <dir>/snap
  std::map<NodeId, std::string> peers;          // every voter incl. self: id -> "host:port"
  std::chrono::milliseconds tick_interval{100};
  int election_tick = 10;                       // election timeout: [10, 20) ticks = 1-2 s
  int heartbeat_tick = 1;
  // Leader leases for ReadIndex(…, lease = true): the lease lasts election_tick -
  // lease_drift_ticks ticks from the heartbeat a quorum acknowledged; followers do not
  // vote for another candidate within election_tick ticks of hearing from the leader, nor
  // within election_tick ticks of their own (re)start. Off: every read takes a round.
  bool lease_reads = true;
  int lease_drift_ticks = 2;
  uint64_t compact_every = 0;                   // applied entries between compactions; 0 = never
  // Also compact once this many log bytes were written since the last compaction (0 =
  // never): bounds the log on disk and the replay at start when entries are large.
  uint64_t compact_bytes = 0;
  // Entry data the log keeps in memory: the newest entries up to this many bytes. Older
  // ones (a slow follower's, an apply that fell behind) are read back from disk.
  uint64_t log_cache_bytes = 64 << 20;
  size_t snapshot_chunk_bytes = 256 << 10;      // bytes of snapshot file per message
  // A snapshot chunk unacknowledged this long ends the stream (it resumes on the next try).
  std::chrono::milliseconds snapshot_ack_timeout{2000};
  std::chrono::milliseconds propose_timeout{5000};
  bool direct_io = true;
  // Bounds on what other threads queue for the driver between two loop turns. A proposal
  // past them is refused with Busy (nothing was proposed); an inbound message past them is
  // dropped and counted (Raft recovers from lost messages). A proposal is always accepted
  // into an empty queue, however large.
  size_t max_inbox_proposals = 16384;
  uint64_t max_inbox_proposal_bytes = 256 << 20;
  size_t max_inbox_messages = 4096;
  uint64_t max_inbox_message_bytes = 128 << 20;
  // A failed log write is retried after this, doubling up to the max (see "Disk errors").
  std::chrono::milliseconds persist_retry_initial{50};
  std::chrono::milliseconds persist_retry_max{1000};
  io::Scheduler* scheduler = nullptr;           // REQUIRES: non-null, outlives the node
  obs::Registry* registry = nullptr;            // nullptr: obs::Registry::Default()
  uint64_t rng_seed = 0;                        // 0: seeded from the id and the clock
  // true: a new log starts with every node in `peers` as a voter (the founding members).
  // false: it starts empty, a node that joins an existing cluster and learns everything
  // — membership included — from the leader's snapshot and log.
  bool bootstrap = true;
  // A proposal made on a follower goes to the leader (see above); false: refused with
  // Unavailable "not leader".
  bool forward_proposals = true;
  // With forwarding, a proposal made while no leader is known (an election is running)
  // waits this long for one, then is refused with Unavailable "not leader; leader=0"
  // (never proposed). At most kMaxAwaitingLeader wait; past that they are refused at once.
  std::chrono::milliseconds leader_wait{2000};
};

// What GET /state and tests show; a copy taken by the driver after every loop turn.
struct RaftNodeInfo {
  NodeId id = kNoNode;
  Term term = 0;
  Role role = Role::kFollower;
  NodeId leader = kNoNode;
  LogIndex commit = 0;
  LogIndex applied = 0;
  LogIndex first_index = 0;  // first entry still in the log (compaction moves it)
  LogIndex last_index = 0;
  uint64_t snapshots_installed = 0;
  LogIndex last_snapshot_installed = 0;
  uint64_t compactions = 0;
  uint64_t snapshot_bytes_sent = 0;  // snapshot file bytes streamed by this node, all peers
  std::vector<SnapshotTransfer> snapshots_sending;       // streams to followers in progress
  std::optional<SnapshotTransfer> snapshot_receiving;    // a stream from the leader in progress
  // Set while the Raft log (or a received snapshot) cannot be made durable: the error of
  // the last attempt, which names the path. Empty when the log is healthy.
  std::string log_write_error;
  bool log_disk_full = false;        // log_write_error is ENOSPC/EDQUOT
  uint64_t inbox_messages_dropped = 0;
  uint64_t log_cached_bytes = 0;     // entry data in the log's in-memory tail
  uint64_t log_disk_reads = 0;       // log batches read back from disk (older than the tail)
  ConfState conf;                    // the membership in effect (voters, learners)
  // Leader only: each member's highest index known replicated (its Raft "match"), self included.
  std::map<NodeId, LogIndex> match;
  uint64_t proposals_forwarded = 0;  // proposals this node sent on to the leader
  uint64_t lease_reads = 0;          // reads this leader answered from its lease (no round)
  uint64_t leader_changes = 0;       // times this node saw the leader change (elections it saw)
};

// Disk errors. A Save that fails (ENOSPC, EIO) does not stop the node: the driver keeps the
// Ready, sends none of the messages that depend on it, does not Advance, and retries the
// same Save with backoff (persist_retry_*) until it succeeds; then the Ready is finished as
// usual, so the entries in it commit normally. Meanwhile the core still ticks and steps
// messages (core.h allows it between GetReady and Advance), reads keep being served, and
// every new proposal is refused with NoSpace (ENOSPC/EDQUOT) or IOError before it reaches
// the core: nothing was proposed, so nothing can commit. A proposer whose entry sits in the
// stuck Ready gets the usual outcome-unknown answer if it gives up first.
class RaftNode {
 public:
  // Fired once on the driver thread: the Apply result once the entry is committed and
  // applied; Unavailable "not leader" when it was never proposed (leader hint in the
  // message); Unavailable "leadership lost" when it was proposed but this node stopped
  // being leader before it applied (outcome unknown: a later leader may still commit it);
  // Busy when the proposal queue is full and NoSpace / IOError while the log cannot be
  // written (both: never proposed).
  using ProposeCallback = std::function<void(Result<Bytes>)>;

  static Result<std::unique_ptr<RaftNode>> Start(const RaftNodeOptions& options, StateMachine* sm);
  ~RaftNode();  // Stop()s
  RaftNode(const RaftNode&) = delete;
  RaftNode& operator=(const RaftNode&) = delete;

  void Propose(Bytes data, ProposeCallback done);
  // Also calls `appended(index)` on the driver thread when the proposal enters the log at
  // `index` (before `done`). A caller whose wait for `done` ended early learns from it
  // where the entry's fate will be decided: once this node applied `index`, it is final.
  void Propose(Bytes data, ProposeCallback done, std::function<void(LogIndex)> appended);
  // Blocking form for HTTP handlers and benchmarks (waits up to options.propose_timeout;
  // TimedOut = outcome unknown).
  Result<Bytes> ProposeAndWait(Bytes data);
  RaftNodeInfo info() const;

  // Cluster operations (raft_node_cluster.cc).
  // One membership change (leader only; Unavailable "not leader; leader=N" elsewhere,
  // Busy while another change is uncommitted). `done` fires once it is applied.
  void ProposeConfChange(ConfChange cc, ProposeCallback done);
  Result<Bytes> ConfChangeAndWait(ConfChange cc);
  // Hands leadership to the voter `target` once its log is caught up (leader only). OK
  // means the transfer started; info().leader shows when it is done.
  Status TransferLeader(NodeId target);
  // A linearizable read barrier (ReadIndex, Raft thesis §6.4): an index such that every
  // write acknowledged before the call is at or below it, reported once this node has
  // applied it. On a follower it asks the leader; asks again while the leader changes or
  // none is known. Waits up to `timeout` (TimedOut, or the last Unavailable). With `lease`
  // the leader may answer from its lease (RaftNodeOptions::lease_reads) without a
  // heartbeat round: linearizable while clocks drift less than the lease margin.
  Result<LogIndex> ReadIndex(std::chrono::milliseconds timeout, bool lease = false);
  // This node leads a group in which it is the only voter: everything acknowledged is
  // applied here, so a read at the applied index is already linearizable. Cheap (atomic).
  bool IsSoleVoterLeader() const;
  // How long ago this node last heard from the leader (zero on the leader itself; a day
  // when no leader was ever heard). Bounds how stale a follower's applied state can be.
  std::chrono::milliseconds LeaderContactAge() const;
  // Takes a snapshot and compacts the log now, as if a compaction threshold had been
  // reached (fault tests: a follower that lags behind the log's start then needs a
  // snapshot). Returns at once; info().compactions shows when it is done.
  void RequestCompaction();
  // Where member `id`'s Raft port is (from the replicated member list).
  Status SetPeerAddress(NodeId id, std::string_view address);

  uint16_t raft_port() const;
  Transport& transport();
  // Stops the driver and the transport; pending proposals fail with Unavailable.
  void Stop();

  struct Impl;

 private:
  explicit RaftNode(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::raft
