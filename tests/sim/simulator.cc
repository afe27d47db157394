// The simulator's clock, network and node driver (see simulator.h).
#include "simulator.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "common/check.h"

namespace strata::raft::sim {


SimConfig RandomSimConfig(uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x5EEDC0FFEEull);
  auto pick = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  SimConfig c;
  c.seed = seed;
  c.voters = rng() % 2 ? 5 : 3;
  c.spare_nodes = 1 + static_cast<int>(rng() % 2);
  c.max_delay = 2 + rng() % 12;
  c.loss = pick(0, 0.15);
  c.duplicate = pick(0, 0.05);
  c.long_delay = pick(0, 0.03);
  c.partition_rate = pick(0.0005, 0.004);
  c.crash_rate = pick(0, 0.002);
  c.slow_disk_rate = pick(0, 0.002);
  c.conf_change_rate = pick(0, 0.004);
  c.transfer_rate = pick(0, 0.001);
  c.pause_rate = pick(0, 0.002);
  c.compact_every = 10 + rng() % 60;
  c.lease_reads = rng() % 3 == 0;
  c.pre_vote = rng() % 4 != 0;
  c.clients = 2 + static_cast<int>(rng() % 4);
  c.max_bytes_per_append = rng() % 2 ? 64 : 512;  // 64: about one entry per append
  c.early_leader_sends = rng() % 2;
  if (rng() % 4 == 0) {  // storm: leaders come and go all the time
    c.partition_rate = pick(0.005, 0.02);
    c.crash_rate = pick(0.002, 0.006);
    c.max_partition = 200;
  }
  return c;
}

Simulator::Simulator(SimConfig config) : cfg_(config), rng_(config.seed) {
  trace_ = std::getenv("STRATA_SIM_TRACE") != nullptr;
  ConfState initial;
  for (int i = 1; i <= cfg_.voters; ++i) initial.voters.push_back(i);
  for (int i = 1; i <= cfg_.voters + cfg_.spare_nodes; ++i) {
    auto n = std::make_unique<Node>();
    n->id = i;
    n->storage = MemoryLogStorage(i <= cfg_.voters ? initial : ConfState{});
    nodes_[i] = std::move(n);
    StartNode(i);
  }
  for (int i = 0; i < cfg_.clients; ++i) clients_.push_back(std::make_unique<Client>());
  for (size_t i = 0; i < clients_.size(); ++i) clients_[i]->id = i + 1;
}

Simulator::~Simulator() = default;

void Simulator::StartNode(NodeId id) {
  Node& n = *nodes_.at(id);
  checker_.ObserveRestart(id, n.storage);
  CoreConfig c;
  c.id = id;
  c.election_tick = 10;
  c.heartbeat_tick = 2;
  c.applied = n.storage.FirstIndex() - 1;  // the in-memory state machine restarts from the snapshot
  c.pre_vote = cfg_.pre_vote;
  c.check_quorum = true;
  c.lease_reads = cfg_.lease_reads;
  c.max_inflight_appends = 8;
  c.max_bytes_per_append = cfg_.max_bytes_per_append;
  c.rng_seed = rng_();
  n.core = std::make_unique<Core>(c, &n.storage);
  STRATA_CHECK(n.kv.Restore(n.storage.GetSnapshot()->data));
  n.applied = c.applied;
  n.alive = true;
  n.reads.clear();
  n.paused_until = 0;
  n.missed_ticks = 0;
}

void Simulator::CrashNode(NodeId id) {
  Node& n = *nodes_.at(id);
  if (!n.alive) return;
  n.alive = false;
  n.core.reset();
  n.pending.reset();  // never reached the disk: lost
  n.reads.clear();
  n.restart_at = now_ + 20 + Rand(400);
  stats_.crashes++;
  TimeOutOpsAt(id);
}

SimResult Simulator::Run() {
  SimResult result;
  while (now_ < cfg_.fault_time && checker_.ok()) StepTime();
  faults_on_ = false;
  HealAll();
  bool converged = false;
  while (now_ < cfg_.fault_time + cfg_.heal_time && checker_.ok()) {
    StepTime();
    if (Converged()) {
      converged = true;
      break;
    }
  }
  stats_.committed = checker_.max_committed();
  result.stats = stats_;
  if (!checker_.ok()) {
    result.ok = false;
    result.failure = fmt::format("invariant violated at time {}: {}", now_, checker_.failure());
    return result;
  }
  if (!converged) {
    NodeId leader = CurrentLeader();
    result.ok = false;
    result.failure = fmt::format("liveness: no convergence {} time units after healing (leader {})\n{}",
                                 cfg_.heal_time, leader, DumpNodes());
    return result;
  }
  // Replicas that applied the same prefix hold the same state.
  const Node& lead = *nodes_.at(CurrentLeader());
  // Every acknowledged write is still in the final leader's log (or its snapshot, whose
  // agreement with the committed entries the checker verified on install).
  const RaftLog& final_log = lead.core->log();
  for (const auto& [index, term] : acked_entries_) {
    if (index + 1 < final_log.FirstIndex()) continue;
    if (final_log.TermAt(index) != term) {
      result.ok = false;
      result.failure = fmt::format("acknowledged entry {}@{} is not in the final leader's log", index, term);
      return result;
    }
  }
  for (const auto& [id, n] : nodes_) {
    if (n->alive && n->applied == lead.applied && !(n->kv == lead.kv)) {
      result.ok = false;
      result.failure = fmt::format("replica {} state differs from leader {} at index {}", id, lead.id, n->applied);
      return result;
    }
  }
  std::vector<testing::Operation> ops = history_.Finish();
  testing::CheckReport report = testing::CheckLinearizable(ops);
  if (report.result != testing::CheckResult::kLinearizable) {
    result.ok = false;
    result.failure = fmt::format("history {} on key {}:\n{}",
                                 report.result == testing::CheckResult::kUnknown ? "too hard to check"
                                                                                 : "not linearizable",
                                 report.bad_key, testing::DescribeHistory(ops, report.bad_key));
  }
  return result;
}

void Simulator::StepTime() {
  ++now_;
  for (auto& [id, n] : nodes_) {
    if (!n->alive || n->paused(now_) || n->missed_ticks == 0) continue;
    // Resumed: the clock ran on while the process was stopped.
    if (!cfg_.unsafe_lose_ticks_on_pause) {
      for (uint64_t i = 0; i < n->missed_ticks; ++i) n->core->Tick();
    }
    n->missed_ticks = 0;
  }
  if (now_ % cfg_.tick_interval == 0) TickNodes();
  DeliverMessages();
  CompleteDiskWrites();
  if (faults_on_) Nemesis();
  for (auto& [id, n] : nodes_) {
    if (!n->alive && (now_ >= n->restart_at || !faults_on_)) StartNode(id);
  }
  if (faults_on_) RunClients();
  ExpireOps();
  CollectReadies();
  CheckInvariants();
}

void Simulator::TickNodes() {
  for (auto& [id, n] : nodes_) {
    if (!n->alive) continue;
    if (n->paused(now_)) {
      n->missed_ticks++;
    } else {
      n->core->Tick();
    }
  }
}

bool Simulator::LinkUp(NodeId from, NodeId to) const { return !cut_links_.count({from, to}); }

void Simulator::Send(const Message& m) {
  Node& sender = *nodes_.at(m.from);
  bool dropped = !LinkUp(m.from, m.to) || (faults_on_ && Chance(cfg_.loss));
  if (dropped) {
    // A snapshot stream that breaks is reported by the transport.
    if (m.type == MessageType::kSnapshot && sender.alive) sender.core->ReportSnapshot(m.to, false);
    return;
  }
  int copies = faults_on_ && Chance(cfg_.duplicate) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    uint64_t delay = 1 + Rand(cfg_.max_delay);
    if (faults_on_ && Chance(cfg_.long_delay)) delay += Rand(20 * cfg_.max_delay);
    network_.emplace(std::make_pair(now_ + delay, seq_++), m);
  }
}

void Simulator::DeliverMessages() {
  std::vector<Message> held;  // for paused nodes: they wait in the socket buffer
  while (!network_.empty() && network_.begin()->first.first <= now_) {
    Message m = std::move(network_.begin()->second);
    network_.erase(network_.begin());
    Node& to = *nodes_.at(m.to);
    if (to.alive && to.paused(now_)) {
      held.push_back(std::move(m));
      continue;
    }
    if (!to.alive || !LinkUp(m.from, m.to)) {
      Node& from = *nodes_.at(m.from);
      if (m.type == MessageType::kSnapshot && from.alive) from.core->ReportSnapshot(m.to, false);
      continue;
    }
    stats_.messages++;
    Status s = to.core->Step(m);
    STRATA_CHECK_MSG(s.ok(), "simulated message rejected as malformed");
    // The transport reports a completed snapshot stream, as etcd's does: without it a
    // lost answer would leave the leader waiting on the snapshot forever.
    Node& from = *nodes_.at(m.from);
    if (m.type == MessageType::kSnapshot && from.alive) from.core->ReportSnapshot(m.to, true);
  }
  for (Message& m : held) {
    uint64_t at = nodes_.at(m.to)->paused_until + 1 + Rand(3);
    network_.emplace(std::make_pair(at, seq_++), std::move(m));
  }
}

void Simulator::CompleteDiskWrites() {
  for (auto& [id, n] : nodes_) {
    if (n->alive && !n->paused(now_) && n->pending && n->pending_done_at <= now_) {
      Ready rd = std::move(*n->pending);
      n->pending.reset();
      HandleReady(*n, rd);
    }
  }
}

void Simulator::CollectReadies() {
  for (auto& [id, n] : nodes_) {
    if (!n->alive || n->paused(now_) || n->pending || !n->core->HasReady()) continue;
    n->pending = n->core->GetReady();
    if (cfg_.early_leader_sends && n->core->role() == Role::kLeader) {
      // The optimization core.h allows: a leader's replication messages go out while
      // its own disk write is in progress (Raft thesis §10.2.1).
      std::vector<Message>& msgs = n->pending->messages;
      auto early = std::stable_partition(msgs.begin(), msgs.end(), [](const Message& m) { return !MayBeSentEarly(m); });
      for (auto it = early; it != msgs.end(); ++it) Send(*it);
      msgs.erase(early, msgs.end());
    }
    bool slow = n->slow_disk_until > now_;
    n->pending_done_at = now_ + (slow ? 20 + Rand(150) : Rand(3));
  }
  // Readies that need no disk time complete at once (the same step).
  CompleteDiskWrites();
}

// The Ready contract (core.h): persist, then send, then apply, then Advance.
void Simulator::HandleReady(Node& n, Ready& rd) {
  if (rd.snapshot) n.storage.ApplySnapshot(*rd.snapshot);
  n.storage.Append(rd.entries);
  checker_.ObservePersisted(n.id, rd.entries, n.storage);
  if (rd.hard_state) n.storage.SetHardState(*rd.hard_state);
  for (const Message& m : rd.messages) Send(m);
  if (rd.snapshot) {
    checker_.ObserveSnapshotInstall(n.id, rd.snapshot->metadata);
    STRATA_CHECK(n.kv.Restore(rd.snapshot->data));
    n.applied = rd.snapshot->metadata.index;
    stats_.snapshots_sent++;
  }
  for (const Entry& e : rd.committed_entries) ApplyEntry(n, e);
  for (ReadState& r : rd.read_states) n.reads.push_back(std::move(r));
  n.core->Advance(rd);
  CompleteOps(n);
  MaybeCompact(n);
}

void Simulator::MaybeCompact(Node& n) {
  if (n.applied < n.storage.FirstIndex() - 1 + cfg_.compact_every) return;
  std::optional<ConfState> conf = n.core->ConfStateAt(n.applied);
  if (!conf) return;  // a newer snapshot from the leader is on its way
  n.storage.CreateSnapshotAndCompact(n.applied, std::move(*conf), n.kv.Serialize());
}

void Simulator::CheckInvariants() {
  for (auto& [id, n] : nodes_) {
    if (!n->alive) continue;
    if (trace_) {
      const Core& c = *n->core;
      std::string line = fmt::format("{} term {} last {}@{} commit {} voters {} learners {}", RoleName(c.role()),
                                     c.term(), c.log().LastIndex(), c.log().LastTerm(), c.log().committed(),
                                     fmt::join(c.conf().voters, ","), fmt::join(c.conf().learners, ","));
      if (line != n->last_trace) {
        fmt::print("t={} node {}: {}\n", now_, id, line);
        n->last_trace = line;
      }
    }
    checker_.ObserveNode(*n->core);
  }
}

std::string Simulator::DumpNodes() const {
  std::string out;
  for (const auto& [id, n] : nodes_) {
    if (!n->alive) {
      out += fmt::format("  node {}: down\n", id);
      continue;
    }
    const Core& c = *n->core;
    out += fmt::format("  node {}: {} term {} leader {} last {} commit {} applied {} first {} voters {} learners {}\n",
                       id, RoleName(c.role()), c.term(), c.leader(), c.log().LastIndex(), c.log().committed(),
                       n->applied, c.log().FirstIndex(), fmt::join(c.conf().voters, ","),
                       fmt::join(c.conf().learners, ","));
    for (const auto& [pid, pr] : c.progress()) {
      out += fmt::format("    progress {}: {} match {} next {} pending_snapshot {} paused {} active {}\n", pid,
                         ProgressStateName(pr.state), pr.match, pr.next, pr.pending_snapshot, pr.IsPaused(),
                         pr.recent_active);
    }
  }
  return out;
}

NodeId Simulator::CurrentLeader() const {
  NodeId best = kNoNode;
  Term best_term = 0;
  for (const auto& [id, n] : nodes_) {
    if (n->alive && n->core->role() == Role::kLeader && n->core->term() >= best_term) {
      best = id;
      best_term = n->core->term();
    }
  }
  return best;
}

}  // namespace strata::raft::sim
