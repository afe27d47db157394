// node::Node's part in a cluster at start-up: joining (--join), catching up before it
// serves, and announcing its own addresses (node/cluster.h has the protocol); and, with
// follower_requests = redirect, the refusal that names the leader.
#include <chrono>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "node/cluster.h"
#include "node/data_dir.h"
#include "node/node.h"
#include "node/raft_proposer.h"
#include "node/stall_deadline.h"
#include "node/state_machine.h"
#include "obs/log.h"
#include "raft/raft_node.h"
#include "storage/engine.h"

namespace strata::node {

Member Node::SelfMember() const {
  const std::string& host = config_.advertise_addr.empty() ? config_.listen_addr : config_.advertise_addr;
  return Member{data_dir_->identity().node_id, fmt::format("{}:{}", host, raft_port()),
                fmt::format("{}:{}", host, config_.admin_port), fmt::format("{}:{}", host, config_.port)};
}

Status Node::RefuseIfFollower() const {
  raft::RaftNodeInfo info = raft_->info();
  if (info.role == raft::Role::kLeader) return Status::OK();
  std::string leader = "no leader is known yet (an election is running), retry shortly";
  if (info.leader != raft::kNoNode) {
    std::map<uint64_t, Member> members = state_machine_->members();
    auto it = members.find(info.leader);
    leader = it == members.end() ? fmt::format("the leader is node {} (address not known here)", info.leader)
                                 : fmt::format("the leader is node {} at {}", info.leader, it->second.mysql_addr);
  }
  return Status::Unavailable(fmt::format("this node is a Raft follower and follower_requests = redirect: {}; "
                                         "nothing was read or written, reconnect to the leader",
                                         leader))
      .WithMysql(kErOptionPreventsStatement, "HY000");
}

Status Node::JoinCluster() {
  if (config_.join.empty()) return Status::OK();
  Member self = SelfMember();
  if (raft_->info().conf.IsVoter(self.id)) return Status::OK();  // a member already: nothing to ask
  obs::Info("cluster", "joining", {{"seed", config_.join}, {"node_id", self.id}, {"raft_addr", self.raft_addr}});
  std::string target = config_.join;
  auto deadline = std::chrono::steady_clock::now() + kJoinTimeout;
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    Result<JoinReply> reply = Cluster::RequestJoin(target, self);
    if (!reply.ok()) {
      if (reply.status().ToString() != last_error) {
        last_error = reply.status().ToString();
        obs::Warn("cluster", "join request failed; retrying", {{"target", target}, {"error", last_error}});
      }
      target = config_.join;  // start again from the seed
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    if (!reply->redirect_to.empty()) {
      target = reply->redirect_to;
      continue;
    }
    for (const Member& m : reply->members) {
      if (m.id != self.id && !m.raft_addr.empty()) (void)raft_->SetPeerAddress(m.id, m.raft_addr);
    }
    if (reply->status == "voter") {
      obs::Info("cluster", "joined as a voter", {{"leader", reply->leader_id}, {"members", uint64_t{reply->members.size()}}});
      return Status::OK();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a learner catching up
  }
  return Status::Unavailable(fmt::format("could not join the cluster at {} within {} s (last error: {})", config_.join,
                                         kJoinTimeout.count(), last_error.empty() ? "none" : last_error));
}

void Node::StartAnnouncer() {
  announcer_ = std::thread([this] {
    std::unique_lock lock(announcer_mu_);
    bool done = false;
    while (!announcer_stop_) {
      if (!done) {
        lock.unlock();
        done = cluster_->AnnounceSelf();
        lock.lock();
      }
      // Done or not, the thread stays until Stop() joins it: a thread that finished but was
      // never joined is what ThreadSanitizer reports when the process ends another way (the
      // simulated power loss exits at once).
      announcer_cv_.wait_for(lock, done ? std::chrono::hours(24) : std::chrono::seconds(1),
                             [this] { return announcer_stop_; });
    }
  });
}

Status Node::CatchUp() {
  // Before serving, apply everything committed so far, so that the first transaction reads
  // every write acknowledged before this node started. A single voter elects itself after
  // one election timeout (1-2 s) and then applies a no-op barrier through the state
  // machine: once it is applied, the replay of the log after the engine's persisted index
  // is complete. A member of a larger group asks the leader (ReadIndex).
  // The replay itself runs on the Raft thread before the first election can finish: the
  // wait gives up after kLeaderTimeout *without progress*, so a long replay is waited for.
  using Clock = StallDeadline::Clock;
  StallDeadline deadline(kLeaderTimeout, state_machine_->applied(), Clock::now());
  const uint64_t self = data_dir_->identity().node_id;
  uint64_t persisted = engine_->PersistedAppliedIndex();
  Status last_error = Status::OK();
  Clock::time_point next_report = Clock::now() + std::chrono::seconds(5);
  const Clock::time_point started = Clock::now();
  while (true) {
    deadline.Observe(state_machine_->applied(), Clock::now());  // before the check: a blocking wait may have applied
    if (deadline.Expired(Clock::now())) break;
    raft::RaftNodeInfo info = raft_->info();
    // A member of a larger group that cannot confirm a leader serves anyway after
    // kLeaderTimeout (below), however much the leader's stream keeps it applying.
    // (Until the Raft thread's first pass over the log, `info.conf` may still be empty.)
    const bool one_of_several = info.conf.voters.size() > 1 || info.conf.IsLearner(self);
    if (one_of_several && Clock::now() - started >= kLeaderTimeout) break;
    if (Clock::now() >= next_report) {
      next_report = Clock::now() + std::chrono::seconds(5);
      obs::Info("node", "replaying the Raft log before serving",
                {{"applied_index", state_machine_->applied()}, {"commit_index", info.commit},
                 {"replayed_from", persisted}, {"role", std::string(raft::RoleName(info.role))}});
    }
    bool sole_voter = info.conf.voters.size() == 1 && info.conf.voters[0] == self;
    if (sole_voter && info.role == raft::Role::kLeader) {
      Result<Bytes> barrier = raft_->ProposeAndWait(Bytes());
      if (barrier.ok()) {
        obs::Info("node", "raft leader; log replayed",
                  {{"term", info.term}, {"applied_index", state_machine_->applied()},
                   {"replayed_from", persisted}, {"log_first_index", info.first_index}});
        return Status::OK();
      }
      last_error = barrier.status();
    } else if (!sole_voter && info.leader != raft::kNoNode) {
      Result<raft::LogIndex> read = raft_->ReadIndex(std::chrono::seconds(2));
      if (read.ok()) {
        obs::Info("node", "caught up with the cluster",
                  {{"term", info.term}, {"leader", info.leader}, {"read_index", *read},
                   {"applied_index", state_machine_->applied()}, {"replayed_from", persisted}});
        return Status::OK();
      }
      last_error = read.status();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  raft::RaftNodeInfo info = raft_->info();
  if (info.conf.voters.size() > 1 || info.conf.IsLearner(self)) {
    // One of several: the others may be down. Serve anyway (reads that need the leader and
    // every write fail until one is elected) rather than refuse to start.
    obs::Warn("node", "no leader confirmed within the start timeout; serving, but writes and linearizable reads "
                      "wait for a leader",
              {{"term", info.term}, {"voters", uint64_t{info.conf.voters.size()}}});
    return Status::OK();
  }
  return Status::Unavailable(fmt::format(
      "this node did not become Raft leader: no progress for {} s (term {}, role {}, leader {}, commit {}, applied {}{}); "
      "a single-voter group elects itself, so check the log above for Raft errors",
      kLeaderTimeout.count(), info.term, raft::RoleName(info.role), info.leader, info.commit, state_machine_->applied(),
      last_error.ok() ? "" : "; last barrier error: " + last_error.ToString()));
}

}  // namespace strata::node
