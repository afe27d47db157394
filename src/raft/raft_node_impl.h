// raft::RaftNode::Impl — the driver's state, shared by raft_node.cc (the Ready loop,
// proposals, persistence, apply) and raft_node_snapshots.cc (snapshot streaming and the
// log-compaction worker). Private to src/raft: include raft_node.h instead.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "raft/disk_log_storage.h"
#include "raft/log_write_health.h"
#include "raft/observer.h"
#include "raft/raft_node.h"
#include "raft/snapshot_stream.h"

namespace strata::raft {

// Helpers of the two driver files.
using Clock = std::chrono::steady_clock;

inline std::string SnapshotPath(const std::string& snap_dir, LogIndex index) {
  return fmt::format("{}/snapshot-{:020}", snap_dir, index);
}

// What a message costs the inbox: its payload bytes (entries, snapshot chunk, context).
inline uint64_t InboxBytes(const Message& m) {
  uint64_t bytes = sizeof(Message) + m.context.size();
  for (const Entry& e : m.entries) bytes += sizeof(Entry) + e.data.size();
  if (m.snapshot) bytes += m.snapshot->data.size();
  return bytes;
}

// After a failed log compaction (a flush + checkpoint + log mark: on a full disk every
// attempt fails at once), the wait before the next attempt.
inline constexpr std::chrono::seconds kCompactRetry{10};
// Proposals that may wait for a leader to be elected (RaftNodeOptions::leader_wait).
inline constexpr size_t kMaxAwaitingLeader = 16384;

struct RaftNode::Impl {
  struct Proposal {
    Bytes data;
    ProposeCallback done;
    Clock::time_point start;
    std::function<void(LogIndex)> appended = nullptr;
  };
  struct Pending {
    Term term;
    ProposeCallback done;
    Clock::time_point start;
    // Forwarded to the leader and appended there: resolved by this node's own apply of the
    // index, so it survives a change of leader (the index and term say what happened).
    bool forwarded = false;
  };
  // A follower's proposal sent to the leader, waiting for the index it got.
  struct Forwarded {
    ProposeCallback done;
    std::function<void(LogIndex)> appended;
    Clock::time_point start;
    NodeId to;  // the leader it was sent to
  };
  struct ConfChangeRequest {
    ConfChange cc;
    ProposeCallback done;
  };
  struct TransferRequest {
    NodeId target;
    std::function<void(Status)> done;
  };
  using ReadCallback = std::function<void(Result<LogIndex>)>;
  struct ReadRequest {
    ReadCallback done;
    Clock::time_point start;
    bool lease = false;  // an answer from the leader's lease will do
  };
  // Everything other threads hand to the driver; swapped out whole each loop turn.
  struct Inbox {
    std::vector<Message> messages;
    std::vector<Proposal> proposals;
    struct ChunkDropped {
      NodeId to;
      uint64_t generation;
    };
    std::vector<ChunkDropped> chunks_dropped;  // snapshot chunks the transport dropped
    std::vector<NodeId> unreachable;     // peers whose connection failed
    uint64_t message_bytes = 0;          // InboxBytes of `messages`
    uint64_t proposal_bytes = 0;         // data bytes of `proposals`
    std::vector<Result<LogIndex>> compactions_done;  // the compaction worker's snapshots
    std::vector<ConfChangeRequest> conf_changes;
    std::vector<TransferRequest> transfers;
    std::vector<ReadRequest> reads;
    bool compact_now = false;  // RequestCompaction
    bool empty() const {
      return messages.empty() && proposals.empty() && chunks_dropped.empty() && unreachable.empty() &&
             compactions_done.empty() && conf_changes.empty() && transfers.empty() && reads.empty() &&
             !compact_now;
    }
  };
  // A Ready taken from the core whose persistence has not succeeded yet (see "Disk errors"
  // in raft_node.h). Normally it lives for one HandleReady call; after a failed write it
  // stays until a retry succeeds.
  struct Outstanding {
    Ready rd;
    std::vector<Message> after_persist;  // messages that may leave only once rd is durable
    bool applied_early = false;          // rd.committed_entries were applied before persisting
    bool snapshot_in_place = false;      // rd.snapshot's directory was renamed into snap/
    bool snapshot_marked = false;        // and its mark written to the log
  };

  RaftNodeOptions options;
  StateMachine* sm = nullptr;
  std::string snap_dir;
  std::unique_ptr<DiskLogStorage> storage;
  std::unique_ptr<Core> core;
  std::unique_ptr<RaftObserver> observer;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<SnapshotSender> snapshot_sender;
  std::unique_ptr<SnapshotReceiver> snapshot_receiver;

  std::mutex mu;
  std::condition_variable cv;
  Inbox inbox;        // guarded by mu
  bool stop = false;  // guarded by mu
  std::thread thread;
  std::atomic<bool> stopped{false};

  // Driver thread only.
  std::map<LogIndex, Pending> pending;  // proposals in the log, not yet applied
  std::map<uint64_t, Forwarded> forwarded;  // by request id: sent to the leader, no answer yet
  std::deque<Proposal> awaiting_leader;     // made while no leader was known; never proposed
  uint64_t next_request_id = 1;             // forwarded proposals and ReadIndex contexts
  std::map<uint64_t, ReadRequest> reads_asked;          // by context: ReadIndex not yet answered
  std::multimap<LogIndex, ReadRequest> reads_answered;  // by read index: waiting for apply
  NodeId last_leader = kNoNode;
  LogIndex last_compacted = 0;
  Clock::time_point next_compact_attempt{};
  uint64_t log_bytes_at_compaction = 0;  // storage->bytes_written() when the last one began
  std::optional<Outstanding> outstanding;
  std::unique_ptr<LogWriteHealth> log_health;  // persist failures, retry backoff
  std::atomic<uint64_t> inbox_messages_dropped{0};

  obs::Counter* inbox_dropped = nullptr;
  obs::Counter* proposals_refused_busy = nullptr;
  obs::Counter* proposals_refused_disk = nullptr;

  bool compaction_in_flight = false;  // the worker is writing a snapshot for compaction
  bool force_compaction = false;      // a peer needs a snapshot this node has no directory for

  // The compaction worker: writes the state machine's snapshot directory (a flush and a
  // checkpoint) off the driver thread, so the Raft loop never waits for a flush; the
  // driver truncates the log when the worker's result arrives in the inbox.
  std::thread compactor;
  std::mutex compactor_mu;
  std::condition_variable compactor_cv;
  bool compact_requested = false;  // guarded by compactor_mu
  bool compactor_busy = false;     // guarded by compactor_mu: requested or running
  bool compactor_stop = false;     // guarded by compactor_mu

  std::atomic<bool> sole_voter_leader{false};  // published with info
  std::atomic<int64_t> leader_contact_ns{0};   // steady clock; 0: never
  mutable std::mutex info_mu;
  RaftNodeInfo info;  // guarded by info_mu

  void Push(const std::function<void(Inbox&)>& fn) {
    {
      std::lock_guard lock(mu);
      fn(inbox);
    }
    cv.notify_one();
  }

  Status Recover();
  void Run();
  void PushMessage(Message m);
  void HandleProposal(Proposal p);
  void HandleReady();
  void FinishReady();
  Status PersistReady(Outstanding& o);
  Status PersistSnapshot(Outstanding& o);
  void SendMessage(Message m);
  void SendNextChunk(NodeId to, uint64_t generation);
  void EndSnapshotStream(NodeId to, bool ok, const char* why);
  void OnSnapshotAck(const Message& ack);
  void OnSnapshotChunk(const Message& chunk);
  void StepMessage(const Message& m);
  void ApplyCommitted(const std::vector<Entry>& entries);
  void FailPending(const std::string& why, bool forwarded_too);
  // raft_node_cluster.cc
  void ForwardProposal(Proposal p);
  void OnForwardPropose(const Message& m);
  void OnForwardProposeResponse(const Message& m);
  void TrackPending(LogIndex index, Term term, Pending p);
  void HandleConfChange(ConfChangeRequest r);
  void HandleRead(ReadRequest r);
  void OnReadStates(const std::vector<ReadState>& states);
  void ResolveReads();
  void ExpireWaits(Clock::time_point now);
  void OnLeaderChange(NodeId leader);
  void MaybeCompact();
  void CompactorLoop();
  Result<LogIndex> WriteCompactionSnapshot();
  void OnCompactionDone(Result<LogIndex> index);
  void WaitCompactorIdle();
  void RemoveOtherSnapshots(const std::string& keep);
  void PublishInfo();
};

}  // namespace strata::raft
