// A tiny synchronous driver for raft::Core unit tests: every node persists, sends and
// applies each Ready immediately; messages are delivered in FIFO order until quiet.
// Links can be cut to build partitions. (The fault-injecting driver is tests/sim.)
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "raft/core.h"

namespace strata::raft::testing {

struct TestNode {
  MemoryLogStorage storage;
  std::unique_ptr<Core> core;
  std::vector<Entry> applied;
  std::vector<ReadState> reads;
};

class TestCluster {
 public:
  // Nodes 1..voters are voters, the next `learners` ids are learners.
  TestCluster(int voters, CoreConfig base = {}, int learners = 0) : base_(base) {
    ConfState conf;
    for (int i = 1; i <= voters; ++i) conf.voters.push_back(i);
    for (int i = voters + 1; i <= voters + learners; ++i) conf.learners.push_back(i);
    for (NodeId id : conf.voters) AddNode(id, conf);
    for (NodeId id : conf.learners) AddNode(id, conf);
  }

  void AddNode(NodeId id, const ConfState& conf) {
    auto node = std::make_unique<TestNode>();
    node->storage = MemoryLogStorage(conf);
    nodes_[id] = std::move(node);
    Restart(id);
  }

  // Rebuilds the core from what its storage holds (a crash after persisting a Ready).
  void Restart(NodeId id) {
    CoreConfig c = base_;
    c.id = id;
    c.rng_seed = id;
    TestNode& n = *nodes_.at(id);
    c.applied = n.storage.FirstIndex() - 1;
    n.applied.clear();
    n.core = std::make_unique<Core>(c, &n.storage);
  }

  Core& core(NodeId id) { return *nodes_.at(id)->core; }
  bool has(NodeId id) const { return nodes_.count(id) > 0; }
  std::vector<NodeId> ids() const {
    std::vector<NodeId> out;
    for (const auto& [id, n] : nodes_) out.push_back(id);
    return out;
  }
  TestNode& node(NodeId id) { return *nodes_.at(id); }

  void Cut(NodeId a, NodeId b) {
    cut_.insert({a, b});
    cut_.insert({b, a});
  }
  void CutOneWay(NodeId from, NodeId to) { cut_.insert({from, to}); }
  void Isolate(NodeId id) {
    for (auto& [other, n] : nodes_) {
      if (other != id) Cut(id, other);
    }
  }
  void Heal() { cut_.clear(); }

  // Handles every pending Ready of `id` (persist, queue messages, apply, advance).
  void Process(NodeId id) {
    TestNode& n = *nodes_.at(id);
    while (n.core->HasReady()) {
      Ready rd = n.core->GetReady();
      if (rd.snapshot) n.storage.ApplySnapshot(*rd.snapshot);
      n.storage.Append(rd.entries);
      if (rd.hard_state) n.storage.SetHardState(*rd.hard_state);
      for (Message& m : rd.messages) queue_.push_back(std::move(m));
      for (const Entry& e : rd.committed_entries) n.applied.push_back(e);
      for (ReadState& r : rd.read_states) n.reads.push_back(std::move(r));
      n.core->Advance(rd);
    }
  }

  // Delivers messages until none are left. Returns how many were delivered.
  int Stabilize() {
    int delivered = 0;
    while (true) {
      for (auto& [id, n] : nodes_) Process(id);
      if (queue_.empty()) return delivered;
      std::deque<Message> batch = std::move(queue_);
      queue_.clear();
      for (Message& m : batch) {
        if (filter_ && !filter_(m)) continue;
        if (cut_.count({m.from, m.to}) || !nodes_.count(m.to)) continue;
        sent_.push_back(m);
        (void)nodes_.at(m.to)->core->Step(m);
        ++delivered;
      }
    }
  }

  void Tick(NodeId id, int n = 1) {
    for (int i = 0; i < n; ++i) {
      core(id).Tick();
      Stabilize();
    }
  }
  void TickAll(int n = 1) {
    for (int i = 0; i < n; ++i) {
      for (auto& [id, node] : nodes_) node->core->Tick();
      Stabilize();
    }
  }

  void Elect(NodeId id) {
    core(id).Campaign();
    Stabilize();
  }

  // Messages delivered so far (cleared by the caller when it wants a fresh trace).
  std::vector<Message>& sent() { return sent_; }
  // Drops messages for which `f` returns false (nullptr: deliver everything).
  void SetFilter(std::function<bool(const Message&)> f) { filter_ = std::move(f); }

 private:
  CoreConfig base_;
  std::map<NodeId, std::unique_ptr<TestNode>> nodes_;
  std::set<std::pair<NodeId, NodeId>> cut_;
  std::deque<Message> queue_;
  std::vector<Message> sent_;
  std::function<bool(const Message&)> filter_;
};

}  // namespace strata::raft::testing
