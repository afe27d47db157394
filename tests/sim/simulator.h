// Deterministic simulation of a Raft cluster (DESIGN D2, D13): one seeded PRNG, a
// discrete clock, no threads and no wall clock, so a seed replays exactly.
//
// Each node is a raft::Core plus a driver that follows the Ready contract: a Ready is
// "on disk" only after a (possibly slow) simulated write completes; only then are its
// messages sent and its committed entries applied. A crash throws away the core and any
// Ready still being written — exactly the state that was never synced.
//
// Faults: message loss, duplication, delay and reordering; partitions (isolating a node
// or the leader, majority/minority splits, one-way cuts); crash-restart; slow disks;
// membership changes (add learner, promote, remove) and leadership transfers mid-flight;
// log compaction, so that lagging nodes catch up from snapshots. Clients run register
// operations (write, cas, linearizable read via ReadIndex or the lease) and record a
// history for the linearizability checker.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "invariants.h"
#include "kv.h"
#include "raft/core.h"
#include "raft/testing/linearizability.h"

namespace strata::raft::sim {

struct SimConfig {
  uint64_t seed = 1;
  int voters = 3;        // initial voters: ids 1..voters
  int spare_nodes = 1;   // further ids that membership changes may add
  uint64_t fault_time = 4000;  // simulated time units with faults on
  uint64_t heal_time = 3000;   // time allowed to converge after healing everything
  uint64_t tick_interval = 10; // time units per Raft tick
  uint64_t max_delay = 8;      // message delay in [1, max_delay] (random: reorders)
  double loss = 0.03;
  double duplicate = 0.02;
  double long_delay = 0.01;    // a message delayed up to 20x max_delay
  double partition_rate = 0.002;  // per time unit, when no partition is active
  uint64_t max_partition = 600;   // partitions last 50 + [0, max_partition) time units
  double crash_rate = 0.001;
  double slow_disk_rate = 0.001;
  double conf_change_rate = 0.002;
  double transfer_rate = 0.0005;
  // A node stops (like SIGSTOP) for a while: no ticks, no messages, no disk. On resume
  // the driver first delivers the ticks it missed (its clock kept running).
  double pause_rate = 0.0005;
  uint64_t compact_every = 40;  // compact once this many entries are applied past the snapshot
  bool pre_vote = true;
  bool lease_reads = false;
  int clients = 4;
  uint64_t max_bytes_per_append = 256;
  // Leaders send appends/heartbeats before their own Ready is persisted (core.h).
  bool early_leader_sends = false;
  // Deliberately broken: a leader answers reads from local state without ReadIndex
  // (fault finding #1). Used to prove the checkers catch stale reads.
  bool unsafe_local_reads = false;
  // Deliberately broken: a resumed node does not catch up on missed ticks (a driver
  // that counts ticks instead of reading a monotonic clock), so leases outlive pauses.
  bool unsafe_lose_ticks_on_pause = false;
};

// A configuration drawn from the seed, so that seeds cover 3 and 5 nodes, gentle and
// harsh faults, with and without lease reads.
SimConfig RandomSimConfig(uint64_t seed);

struct SimStats {
  uint64_t ops = 0, acked = 0, failed = 0, timed_out = 0;
  uint64_t elections = 0, snapshots_sent = 0, crashes = 0, partitions = 0;
  uint64_t conf_changes = 0, messages = 0;
  LogIndex committed = 0;
};

struct SimResult {
  bool ok = true;
  std::string failure;  // first invariant violation, liveness failure or bad history
  SimStats stats;
};

class Simulator {
 public:
  explicit Simulator(SimConfig config);
  ~Simulator();
  SimResult Run();

 private:
  struct Node {
    NodeId id = kNoNode;
    bool alive = false;
    MemoryLogStorage storage;
    std::unique_ptr<Core> core;
    std::optional<Ready> pending;  // being written by the (simulated) disk
    uint64_t pending_done_at = 0;
    KvStateMachine kv;
    LogIndex applied = 0;
    uint64_t restart_at = 0;
    uint64_t slow_disk_until = 0;
    uint64_t paused_until = 0;
    uint64_t missed_ticks = 0;
    bool paused(uint64_t now) const { return paused_until > now; }
    std::vector<ReadState> reads;  // confirmed reads waiting for apply
    std::string last_trace;
  };
  struct Client {
    uint64_t id = 0;
    bool busy = false;
    size_t history_id = 0;
    NodeId node = kNoNode;
    testing::OpKind kind = testing::OpKind::kRead;
    std::string key;
    uint64_t op_id = 0;
    LogIndex index = 0;  // write/cas: where the leader put it
    Term term = 0;
    Bytes read_context;
    std::optional<LogIndex> read_index;  // read: confirmed index to wait for
    uint64_t deadline = 0;
    uint64_t next_issue_at = 0;
    std::map<std::string, int64_t> last_seen;  // makes some CAS succeed
  };

  // simulator.cc: the node driver and the network
  void StartNode(NodeId id);
  void CrashNode(NodeId id);
  void StepTime();
  void TickNodes();
  void DeliverMessages();
  void CompleteDiskWrites();
  void CollectReadies();
  void HandleReady(Node& n, Ready& rd);
  void ApplyEntry(Node& n, const Entry& e);
  void MaybeCompact(Node& n);
  void Send(const Message& m);
  bool LinkUp(NodeId from, NodeId to) const;
  void CheckInvariants();
  NodeId CurrentLeader() const;
  std::string DumpNodes() const;
  // simulator_faults.cc: nemesis, clients, final phase
  void Nemesis();
  void StartPartition();
  void HealAll();
  void ChangeMembership();
  void RunClients();
  void IssueOp(Client& c);
  void CompleteOps(Node& n);
  void ExpireOps();
  void TimeOutOpsAt(NodeId id);
  bool Converged();
  uint64_t Rand(uint64_t n) { return rng_() % n; }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  SimConfig cfg_;
  std::mt19937_64 rng_;
  uint64_t now_ = 0;
  uint64_t seq_ = 0;
  bool faults_on_ = true;
  bool trace_ = false;  // STRATA_SIM_TRACE: print every node state change
  std::map<NodeId, std::unique_ptr<Node>> nodes_;
  std::map<std::pair<uint64_t, uint64_t>, Message> network_;  // (deliver time, seq)
  std::set<std::pair<NodeId, NodeId>> cut_links_;
  uint64_t partition_ends_ = 0;
  std::vector<std::unique_ptr<Client>> clients_;
  uint64_t next_op_id_ = 1;
  uint64_t next_value_ = 1;
  testing::History history_;
  std::vector<std::pair<LogIndex, Term>> acked_entries_;  // writes acknowledged to clients
  InvariantChecker checker_;
  SimStats stats_;
};

}  // namespace strata::raft::sim
