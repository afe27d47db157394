// The simulator's nemesis (partitions, crashes, slow disks, membership changes,
// transfers), its clients and the convergence check after healing.
#include <fmt/core.h>

#include <algorithm>

#include "common/check.h"
#include "simulator.h"

namespace strata::raft::sim {

using testing::OpKind;


// --- nemesis -------------------------------------------------------------------------------

void Simulator::Nemesis() {
  if (!cut_links_.empty() && now_ >= partition_ends_) cut_links_.clear();
  if (cut_links_.empty() && Chance(cfg_.partition_rate)) StartPartition();
  if (Chance(cfg_.crash_rate)) {
    NodeId leader = CurrentLeader();
    NodeId victim = leader != kNoNode && Rand(2) ? leader : 1 + Rand(nodes_.size());
    CrashNode(victim);
  }
  if (Chance(cfg_.slow_disk_rate)) nodes_.at(1 + Rand(nodes_.size()))->slow_disk_until = now_ + 100 + Rand(500);
  if (Chance(cfg_.conf_change_rate)) ChangeMembership();
  if (Chance(cfg_.pause_rate)) {
    NodeId leader = CurrentLeader();
    NodeId victim = leader != kNoNode && Rand(2) ? leader : 1 + Rand(nodes_.size());
    nodes_.at(victim)->paused_until = now_ + 50 + Rand(400);
  }
  if (Chance(cfg_.transfer_rate)) {
    NodeId leader = CurrentLeader();
    if (leader != kNoNode) {
      const auto& voters = nodes_.at(leader)->core->conf().voters;
      (void)nodes_.at(leader)->core->TransferLeader(voters[Rand(voters.size())]);
    }
  }
}

void Simulator::StartPartition() {
  std::vector<NodeId> ids;
  for (const auto& [id, n] : nodes_) ids.push_back(id);
  auto cut_both = [&](NodeId a, NodeId b) {
    cut_links_.insert({a, b});
    cut_links_.insert({b, a});
  };
  auto isolate = [&](NodeId victim) {
    for (NodeId other : ids) {
      if (other != victim) cut_both(victim, other);
    }
  };
  switch (Rand(4)) {
    case 0: isolate(ids[Rand(ids.size())]); break;
    case 1: {
      NodeId leader = CurrentLeader();
      isolate(leader != kNoNode ? leader : ids[0]);
      break;
    }
    case 2: {  // minority | majority
      std::shuffle(ids.begin(), ids.end(), rng_);
      size_t minority = 1 + Rand(ids.size() / 2);
      for (size_t i = 0; i < minority; ++i) {
        for (size_t j = minority; j < ids.size(); ++j) cut_both(ids[i], ids[j]);
      }
      break;
    }
    default: {  // one-way cuts: a hears b, b does not hear a
      for (uint64_t k = 0, n = 1 + Rand(4); k < n; ++k) {
        NodeId a = ids[Rand(ids.size())];
        NodeId b = ids[Rand(ids.size())];
        if (a != b) cut_links_.insert({a, b});
      }
      break;
    }
  }
  partition_ends_ = now_ + 50 + Rand(cfg_.max_partition);
  stats_.partitions++;
}

void Simulator::HealAll() {
  cut_links_.clear();
  for (auto& [id, n] : nodes_) {
    n->slow_disk_until = 0;
    n->paused_until = std::min(n->paused_until, now_);
  }
}

void Simulator::ChangeMembership() {
  NodeId leader = CurrentLeader();
  if (leader == kNoNode) return;
  Core& core = *nodes_.at(leader)->core;
  const ConfState& conf = core.conf();
  std::vector<NodeId> outsiders;
  for (const auto& [id, n] : nodes_) {
    if (!conf.Contains(id)) outsiders.push_back(id);
  }
  std::vector<NodeId> removable;
  for (NodeId v : conf.voters) {
    if (v != leader) removable.push_back(v);
  }
  ConfChange cc;
  if (!conf.learners.empty() && Rand(2)) {
    cc = {ConfChangeType::kAddVoter, conf.learners[Rand(conf.learners.size())]};
  } else if (!outsiders.empty() && conf.voters.size() < 5 && Rand(2)) {
    cc = {ConfChangeType::kAddLearner, outsiders[Rand(outsiders.size())]};
  } else if (conf.voters.size() > 3) {
    cc = {ConfChangeType::kRemoveNode, removable[Rand(removable.size())]};
  } else if (!conf.learners.empty()) {
    cc = {ConfChangeType::kRemoveNode, conf.learners[Rand(conf.learners.size())]};
  } else {
    return;
  }
  if (core.ProposeConfChange(cc).ok()) stats_.conf_changes++;
}

// --- clients -------------------------------------------------------------------------------

void Simulator::RunClients() {
  for (auto& c : clients_) {
    if (!c->busy && now_ >= c->next_issue_at) IssueOp(*c);
  }
}

void Simulator::IssueOp(Client& c) {
  std::vector<NodeId> alive;
  for (const auto& [id, n] : nodes_) {
    if (n->alive && !n->paused(now_)) alive.push_back(id);  // a stopped node accepts nothing
  }
  if (alive.empty()) return;
  NodeId target = alive[Rand(alive.size())];
  NodeId hint = nodes_.at(target)->core->leader();  // one redirect, as a real client would
  if (hint != kNoNode && nodes_.at(hint)->alive && !nodes_.at(hint)->paused(now_)) target = hint;
  Node& n = *nodes_.at(target);
  uint64_t r = Rand(10);
  c.kind = r < 4 ? OpKind::kRead : r < 8 ? OpKind::kWrite : OpKind::kCas;
  c.key = fmt::format("k{}", Rand(3));
  c.op_id = next_op_id_++;
  c.node = target;
  c.deadline = now_ + 50 * cfg_.tick_interval;
  c.read_index.reset();
  stats_.ops++;
  if (c.kind == OpKind::kRead) {
    c.history_id = history_.Invoke(c.id, OpKind::kRead, c.key);
    if (cfg_.unsafe_local_reads) {  // the bug the checkers must catch
      if (n.core->role() == Role::kLeader) {
        history_.Ok(c.history_id, n.kv.Read(c.key));
        stats_.acked++;
      } else {
        history_.Fail(c.history_id);
        stats_.failed++;
      }
      c.next_issue_at = now_ + 1 + Rand(10);
      return;
    }
    c.read_context = fmt::format("read-{}", c.op_id);
    if (!n.core->ReadIndex(c.read_context, /*lease=*/cfg_.lease_reads).ok()) {
      history_.Fail(c.history_id);
      stats_.failed++;
      c.next_issue_at = now_ + 1 + Rand(10);  // back off, as a client would
      return;
    }
    c.busy = true;
    return;
  }
  KvCommand cmd{c.kind, c.op_id, c.key, static_cast<int64_t>(next_value_++), c.last_seen[c.key]};
  c.history_id = history_.Invoke(c.id, c.kind, c.key, cmd.value, cmd.expected);
  Result<LogIndex> index = n.core->Propose(EncodeKvCommand(cmd));
  if (!index.ok()) {
    history_.Fail(c.history_id);  // not proposed: definitely not executed
    stats_.failed++;
    c.next_issue_at = now_ + 1 + Rand(10);
    return;
  }
  c.index = *index;
  c.term = n.core->term();
  c.busy = true;
}

void Simulator::ApplyEntry(Node& n, const Entry& e) {
  checker_.ObserveApply(n.id, e, n.applied);
  n.applied = e.index;
  KvResult result;
  std::optional<KvCommand> cmd;
  if (e.type == EntryType::kNormal) {
    cmd = DecodeKvCommand(e.data);
    STRATA_CHECK_MSG(cmd.has_value(), "undecodable client command");
    result = n.kv.Apply(*cmd);
  }
  for (auto& c : clients_) {
    if (!c->busy || c->kind == OpKind::kRead || c->node != n.id || c->index != e.index) continue;
    c->busy = false;
    c->next_issue_at = now_ + Rand(20);
    if (e.term == c->term && cmd && cmd->op_id == c->op_id) {
      history_.Ok(c->history_id, 0, result.cas_ok);
      if (c->kind == OpKind::kWrite || result.cas_ok) c->last_seen[c->key] = cmd->value;
      acked_entries_.emplace_back(e.index, e.term);
      stats_.acked++;
    } else {
      history_.Fail(c->history_id);  // another entry committed in its place
      stats_.failed++;
    }
  }
}

void Simulator::CompleteOps(Node& n) {
  for (auto& c : clients_) {
    if (!c->busy || c->kind != OpKind::kRead || c->node != n.id) continue;
    if (!c->read_index) {
      for (const ReadState& r : n.reads) {
        if (r.context == c->read_context) c->read_index = r.index;
      }
    }
    if (c->read_index && n.applied >= *c->read_index) {
      int64_t v = n.kv.Read(c->key);
      history_.Ok(c->history_id, v);
      c->last_seen[c->key] = v;
      c->busy = false;
      c->next_issue_at = now_ + Rand(20);
      stats_.acked++;
    }
  }
  std::erase_if(n.reads, [&](const ReadState& r) {
    return std::none_of(clients_.begin(), clients_.end(), [&](const auto& c) {
      return c->busy && c->node == n.id && c->read_context == r.context && !c->read_index;
    });
  });
}

void Simulator::ExpireOps() {
  for (auto& c : clients_) {
    if (c->busy && now_ >= c->deadline) {
      history_.Timeout(c->history_id);  // outcome unknown: may or may not have happened
      c->busy = false;
      c->next_issue_at = now_ + Rand(20);
      stats_.timed_out++;
    }
  }
}

void Simulator::TimeOutOpsAt(NodeId id) {
  for (auto& c : clients_) {
    if (c->busy && c->node == id) c->deadline = now_;
  }
  ExpireOps();
}

// After healing: a leader that committed in its term, every member caught up, every
// client answered.
bool Simulator::Converged() {
  NodeId leader = CurrentLeader();
  if (leader == kNoNode) return false;
  const Core& core = *nodes_.at(leader)->core;
  if (core.log().TermAt(core.log().committed()) != core.term()) return false;
  for (NodeId id : core.conf().voters) {
    if (!nodes_.at(id)->alive || nodes_.at(id)->applied != core.log().committed()) return false;
  }
  for (NodeId id : core.conf().learners) {
    if (!nodes_.at(id)->alive || nodes_.at(id)->applied != core.log().committed()) return false;
  }
  return std::none_of(clients_.begin(), clients_.end(), [](const auto& c) { return c->busy; });
}

}  // namespace strata::raft::sim
