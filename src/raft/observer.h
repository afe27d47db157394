// RaftObserver: metrics and JSON log events for one Raft node, on the driver side.
//
// The core stays pure (no clock, no logging): it exposes its state and monotonic
// counters, and the driver calls Observe(core) after handling each Ready. The observer
// turns what changed into Prometheus metrics (obs::Registry) and structured events
// (obs::Info, component "raft") for leadership and membership changes. Latencies are
// measured by the driver, which owns the clock, and fed in here.
//
// Not thread-safe: call from the driver's thread (the metrics themselves are atomic).
#pragma once

#include <cstdint>
#include <string>

#include "obs/metrics.h"
#include "raft/core.h"

namespace strata::raft {

class RaftObserver {
 public:
  RaftObserver(obs::Registry& registry, NodeId id);

  // Updates gauges and counters from the core and logs leadership/membership events.
  void Observe(const Core& core);
  // Time to persist one Ready (entries + hard state), in seconds.
  void ObserveAppendLatency(double seconds) { append_latency_.Observe(seconds); }
  // Time from Propose() to the entry being committed, in seconds.
  void ObserveCommitLatency(double seconds) { commit_latency_.Observe(seconds); }

 private:
  void ObserveCounters(const CoreCounters& c);
  void ObserveFollowers(const Core& core);
  void LogChanges(const Core& core);

  const NodeId id_;
  obs::Gauge& term_;
  obs::Gauge& role_;
  obs::Gauge& leader_;
  obs::Gauge& commit_index_;
  obs::Gauge& applied_index_;
  obs::Gauge& last_index_;
  obs::Family<obs::Gauge>& match_index_;
  obs::Family<obs::Gauge>& follower_lag_;
  obs::Counter& elections_started_;
  obs::Counter& elections_won_;
  obs::Counter& snapshots_sent_;
  obs::Counter& snapshots_received_;
  obs::Histogram& append_latency_;
  obs::Histogram& commit_latency_;

  bool first_ = true;
  Role last_role_ = Role::kFollower;
  NodeId last_leader_ = kNoNode;
  Term last_term_ = 0;
  ConfState last_conf_;
  CoreCounters last_counters_;
  std::vector<NodeId> exported_peers_;  // peers with a per-follower gauge
};

}  // namespace strata::raft
