#include "raft/observer.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "obs/log.h"

namespace strata::raft {

namespace {
// Adds the growth of a core counter; a restarted core starts again from zero.
void AddDelta(obs::Counter& metric, uint64_t now, uint64_t before) { metric.Inc(now >= before ? now - before : now); }

std::string JoinIds(const std::vector<NodeId>& ids) { return fmt::format("{}", fmt::join(ids, ",")); }
}  // namespace

RaftObserver::RaftObserver(obs::Registry& r, NodeId id)
    : id_(id),
      term_(r.AddGauge("stratadb_raft_term", "Current Raft term")),
      role_(r.AddGauge("stratadb_raft_role", "Raft role: 0 follower, 1 pre-candidate, 2 candidate, 3 leader")),
      leader_(r.AddGauge("stratadb_raft_leader_id", "Id of the known leader (0: none)")),
      commit_index_(r.AddGauge("stratadb_raft_commit_index", "Highest log index known committed")),
      applied_index_(r.AddGauge("stratadb_raft_applied_index", "Highest log index handed to the state machine")),
      last_index_(r.AddGauge("stratadb_raft_last_index", "Last index in the local Raft log")),
      match_index_(r.AddGaugeFamily("stratadb_raft_follower_match_index",
                                    "On the leader: highest index known replicated on each peer", {"peer"})),
      follower_lag_(r.AddGaugeFamily("stratadb_raft_follower_lag_entries",
                                     "On the leader: entries each peer is behind the leader's log", {"peer"})),
      elections_started_(r.AddCounter("stratadb_raft_elections_started_total", "Elections this node started")),
      elections_won_(r.AddCounter("stratadb_raft_elections_won_total", "Elections this node won")),
      snapshots_sent_(r.AddCounter("stratadb_raft_snapshots_sent_total", "Snapshots sent to followers")),
      snapshots_received_(r.AddCounter("stratadb_raft_snapshots_received_total", "Snapshots received from a leader")),
      append_latency_(r.AddHistogram("stratadb_raft_append_latency_seconds", "Time to persist one Raft Ready")),
      commit_latency_(r.AddHistogram("stratadb_raft_commit_latency_seconds", "Time from proposal to commit")) {}

void RaftObserver::Observe(const Core& core) {
  term_.Set(static_cast<double>(core.term()));
  role_.Set(static_cast<double>(core.role()));
  leader_.Set(static_cast<double>(core.leader()));
  commit_index_.Set(static_cast<double>(core.log().committed()));
  applied_index_.Set(static_cast<double>(core.log().applied()));
  last_index_.Set(static_cast<double>(core.log().LastIndex()));
  ObserveCounters(core.counters());
  ObserveFollowers(core);
  LogChanges(core);
  first_ = false;
}

void RaftObserver::ObserveCounters(const CoreCounters& c) {
  bool restarted = c.elections_started < last_counters_.elections_started;
  const CoreCounters before = restarted ? CoreCounters{} : last_counters_;
  AddDelta(elections_started_, c.elections_started, before.elections_started);
  AddDelta(elections_won_, c.elections_won, before.elections_won);
  AddDelta(snapshots_sent_, c.snapshots_sent, before.snapshots_sent);
  AddDelta(snapshots_received_, c.snapshots_received, before.snapshots_received);
  last_counters_ = c;
}

void RaftObserver::ObserveFollowers(const Core& core) {
  // Peers we exported before but that are gone (or we are no longer leader) read 0.
  for (NodeId peer : exported_peers_) {
    if (core.role() != Role::kLeader || !core.progress().count(peer)) {
      match_index_.With({std::to_string(peer)}).Set(0);
      follower_lag_.With({std::to_string(peer)}).Set(0);
    }
  }
  if (core.role() != Role::kLeader) return;
  LogIndex last = core.log().LastIndex();
  for (const auto& [peer, pr] : core.progress()) {
    if (peer == id_) continue;
    match_index_.With({std::to_string(peer)}).Set(static_cast<double>(pr.match));
    follower_lag_.With({std::to_string(peer)}).Set(static_cast<double>(last - std::min(last, pr.match)));
    if (std::find(exported_peers_.begin(), exported_peers_.end(), peer) == exported_peers_.end()) {
      exported_peers_.push_back(peer);
    }
  }
}

void RaftObserver::LogChanges(const Core& core) {
  if (first_ || core.role() != last_role_ || core.leader() != last_leader_ || core.term() != last_term_) {
    if (core.role() != last_role_ || core.leader() != last_leader_ || first_) {
      obs::Info("raft", core.role() == Role::kLeader ? "became leader" : "leadership changed",
                {{"node", id_},
                 {"term", core.term()},
                 {"role", RoleName(core.role())},
                 {"leader", core.leader()},
                 {"commit_index", core.log().committed()}});
    }
    last_role_ = core.role();
    last_leader_ = core.leader();
    last_term_ = core.term();
  }
  if (first_ || core.conf() != last_conf_) {
    obs::Info("raft", "membership changed",
              {{"node", id_},
               {"term", core.term()},
               {"voters", JoinIds(core.conf().voters)},
               {"learners", JoinIds(core.conf().learners)}});
    last_conf_ = core.conf();
  }
}

}  // namespace strata::raft
