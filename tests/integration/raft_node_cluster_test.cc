// RaftNode's cluster operations with real nodes on loopback (one process): proposals made
// on a follower are forwarded to the leader and complete once the follower applied them;
// ReadIndex on a follower; a node that starts empty joins as a learner, catches up and is
// promoted; leadership transfer; removal. The member addresses travel in the
// configuration entries' context, which every replica's state machine sees.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "io/file_util.h"
#include "io/io.h"
#include "obs/metrics.h"
#include "raft/raft_node.h"
#include "../testing/free_port.h"

namespace strata::raft {
namespace {

using namespace std::chrono_literals;

// Appends every entry's data to a list; answers with the list's length. Records the
// configuration changes it is handed (the addresses a database would store).
class ListMachine final : public StateMachine {
 public:
  Result<Bytes> Apply(LogIndex index, Slice data) override {
    std::lock_guard lock(mu_);
    items_.emplace_back(data);
    applied_ = index;
    return Bytes(std::to_string(items_.size()));
  }
  LogIndex applied() const override { return applied_; }
  Status Sync() override { return Status::OK(); }
  Result<LogIndex> CreateSnapshot(const std::string& dir) override {
    std::lock_guard lock(mu_);
    STRATA_RETURN_IF_ERROR(io::CreateDir(dir));
    std::string all;
    for (const auto& item : items_) all += item + "\n";
    STRATA_RETURN_IF_ERROR(io::WriteFileAtomically(dir + "/items", all));
    return LogIndex{applied_};
  }
  Status RestoreSnapshot(const std::string& dir, LogIndex index) override {
    STRATA_ASSIGN_OR_RETURN(Bytes all, io::ReadSmallFile(dir + "/items"));
    std::lock_guard lock(mu_);
    items_.clear();
    for (size_t pos = 0; pos < all.size();) {
      size_t nl = all.find('\n', pos);
      items_.push_back(all.substr(pos, nl - pos));
      pos = nl + 1;
    }
    applied_ = index;
    return Status::OK();
  }
  Status ApplyConfChange(LogIndex, const ConfChange& cc) override {
    std::lock_guard lock(mu_);
    contexts_[cc.node_id] = cc.context;
    return Status::OK();
  }
  std::vector<Bytes> items() const {
    std::lock_guard lock(mu_);
    return items_;
  }
  std::map<NodeId, Bytes> contexts() const {
    std::lock_guard lock(mu_);
    return contexts_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Bytes> items_;
  std::map<NodeId, Bytes> contexts_;
  std::atomic<LogIndex> applied_{0};
};

struct Member {
  NodeId id;
  std::string address;
  std::string dir;
  ListMachine sm;
  std::unique_ptr<RaftNode> node;
};

class RaftClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/raft_cluster_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    sched_ = std::move(io::Scheduler::Create({})).value();
  }
  void TearDown() override {
    for (auto& m : members_) m->node.reset();
    std::filesystem::remove_all(root_);
  }
  Member* Add(NodeId id) {
    auto m = std::make_unique<Member>();
    m->id = id;
    m->address = "127.0.0.1:" + std::to_string(testing::FreePort());
    m->dir = fmt::format("{}/n{}", root_, id);
    members_.push_back(std::move(m));
    return members_.back().get();
  }
  void Start(Member* m, std::map<NodeId, std::string> peers, bool bootstrap) {
    RaftNodeOptions o;
    o.id = m->id;
    o.data_dir = m->dir;
    o.peers = std::move(peers);
    o.peers[m->id] = m->address;
    o.tick_interval = 20ms;
    o.bootstrap = bootstrap;
    o.compact_every = 50;
    o.direct_io = false;
    o.scheduler = sched_.get();
    o.registry = &registry_;
    o.snapshot_chunk_bytes = 64;
    m->node = std::move(RaftNode::Start(o, &m->sm)).value();
  }
  // Starts the first three as founding voters and waits for a leader.
  Member* StartThree() {
    std::map<NodeId, std::string> peers;
    for (NodeId id : {1, 2, 3}) peers[id] = Add(id)->address;
    for (auto& m : members_) Start(m.get(), peers, /*bootstrap=*/true);
    Member* leader = WaitLeader();
    // Every member has heard from the leader: until then a follower refuses a proposal
    // ("not leader; leader=0") instead of forwarding it, which CI hit once.
    bool all_know = leader && WaitFor([&] {
      for (auto& m : members_)
        if (m->node->info().leader != leader->id) return false;
      return true;
    });
    return all_know ? leader : nullptr;
  }
  Member* WaitLeader(NodeId not_this = kNoNode) {
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      for (auto& m : members_) {
        if (m->node && m->id != not_this && m->node->info().role == Role::kLeader) return m.get();
      }
      std::this_thread::sleep_for(10ms);
    }
    return nullptr;
  }
  Member* Follower(Member* leader) {
    for (auto& m : members_) {
      if (m.get() != leader && m->node && m->node->info().conf.IsVoter(m->id)) return m.get();
    }
    return nullptr;
  }
  static bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds limit = 15s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!cond()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  std::string root_;
  std::unique_ptr<io::Scheduler> sched_;
  obs::Registry registry_;
  std::vector<std::unique_ptr<Member>> members_;
};

TEST_F(RaftClusterTest, FollowerProposalsAreForwardedAndAppliedThereFirst) {
  Member* leader = StartThree();
  ASSERT_NE(leader, nullptr);
  Member* follower = Follower(leader);
  ASSERT_NE(follower, nullptr);
  for (int i = 0; i < 20; i++) {
    Result<Bytes> r = follower->node->ProposeAndWait("f" + std::to_string(i));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    // Acknowledged on the follower only once the follower applied it: read-your-writes.
    std::vector<Bytes> items = follower->sm.items();
    ASSERT_EQ(items.size(), std::stoul(*r));
    EXPECT_EQ(items.back(), "f" + std::to_string(i));
  }
  EXPECT_EQ(follower->node->info().proposals_forwarded, 20u);
  ASSERT_TRUE(leader->node->ProposeAndWait("l").ok());
  // ReadIndex on the follower covers the leader's acknowledged write.
  Result<LogIndex> read = follower->node->ReadIndex(5s);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_GE(*read, leader->sm.applied());
  EXPECT_GE(follower->sm.applied(), *read);
  EXPECT_EQ(follower->sm.items().back(), "l");
}

TEST_F(RaftClusterTest, ProposalsMadeBeforeAnyLeaderIsKnownWaitForTheElection) {
  std::map<NodeId, std::string> peers;
  for (NodeId id : {1, 2, 3}) peers[id] = Add(id)->address;
  for (auto& m : members_) Start(m.get(), peers, /*bootstrap=*/true);
  // Right after start no node knows a leader: each proposal waits for the election (it
  // used to be refused at once with "not leader; leader=0").
  std::vector<std::future<Result<Bytes>>> results;
  for (auto& m : members_) {
    ASSERT_EQ(m->node->info().leader, kNoNode);
    RaftNode* node = m->node.get();
    results.push_back(std::async(std::launch::async, [node] { return node->ProposeAndWait("early"); }));
  }
  for (auto& f : results) {
    Result<Bytes> r = f.get();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
  Member* leader = WaitLeader();
  ASSERT_NE(leader, nullptr);
  EXPECT_TRUE(WaitFor([&] { return leader->sm.items().size() == 3; }));
}

TEST_F(RaftClusterTest, AProposalWithNoLeaderElectedIsRefusedAfterTheWaitNeverProposed) {
  // One of three founding voters alone: no leader can be elected. The proposal waits
  // leader_wait (2 s) and is refused as never proposed ("not leader"), not as unknown.
  std::map<NodeId, std::string> peers;
  for (NodeId id : {1, 2, 3}) peers[id] = Add(id)->address;
  Start(members_[0].get(), peers, /*bootstrap=*/true);
  auto start = std::chrono::steady_clock::now();
  Result<Bytes> r = members_[0]->node->ProposeAndWait("lonely");
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("not leader; leader=0 (no leader elected within 2000 ms)"), std::string::npos)
      << r.status().ToString();
  EXPECT_GE(waited, 1900ms);
  EXPECT_TRUE(members_[0]->sm.items().empty());
}

TEST_F(RaftClusterTest, AnEmptyNodeJoinsAsLearnerCatchesUpAndIsPromoted) {
  Member* leader = StartThree();
  ASSERT_NE(leader, nullptr);
  for (int i = 0; i < 120; i++) ASSERT_TRUE(leader->node->ProposeAndWait("x" + std::to_string(i)).ok());  // past a compaction
  Member* joiner = Add(4);
  std::map<NodeId, std::string> known;
  for (auto& m : members_) {
    if (m.get() != joiner) known[m->id] = m->address;
  }
  Start(joiner, known, /*bootstrap=*/false);
  EXPECT_EQ(joiner->node->info().role, Role::kFollower);
  ASSERT_TRUE(leader->node->SetPeerAddress(4, joiner->address).ok());
  Result<Bytes> added = leader->node->ConfChangeAndWait({ConfChangeType::kAddLearner, 4, "addr=" + joiner->address});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_TRUE(WaitFor([&] { return joiner->sm.items().size() == 120; }));
  EXPECT_GE(joiner->node->info().snapshots_installed, 1u);  // the leader had compacted past its start
  EXPECT_TRUE(joiner->node->info().conf.IsLearner(4));
  // A learner does not vote: the quorum is still 2 of the 3 voters.
  Result<Bytes> promoted = leader->node->ConfChangeAndWait({ConfChangeType::kAddVoter, 4, "addr=" + joiner->address});
  ASSERT_TRUE(promoted.ok()) << promoted.status().ToString();
  EXPECT_TRUE(leader->node->info().conf.IsVoter(4));
  EXPECT_EQ(leader->node->info().match.size(), 4u);
  ASSERT_TRUE(WaitFor([&] { return joiner->node->info().conf.IsVoter(4); }));
  // Every replica saw the change with its context (a database stores the address).
  for (auto& m : members_) {
    ASSERT_TRUE(WaitFor([&] { return m->sm.contexts().count(4) == 1; })) << m->id;
    EXPECT_EQ(m->sm.contexts()[4], "addr=" + joiner->address);
  }
  // The new voter serves writes like any other (forwarded to the leader).
  ASSERT_TRUE(joiner->node->ProposeAndWait("from 4").ok());
  EXPECT_EQ(joiner->sm.items().back(), "from 4");
  // Removing it shrinks the group back.
  ASSERT_TRUE(leader->node->ConfChangeAndWait({ConfChangeType::kRemoveNode, 4, ""}).ok());
  EXPECT_FALSE(leader->node->info().conf.Contains(4));
  ASSERT_TRUE(leader->node->ProposeAndWait("after removal").ok());
}

TEST_F(RaftClusterTest, LeadershipMovesToTheNamedVoter) {
  Member* leader = StartThree();
  ASSERT_NE(leader, nullptr);
  ASSERT_TRUE(leader->node->ProposeAndWait("a").ok());
  Member* target = Follower(leader);
  ASSERT_TRUE(leader->node->TransferLeader(target->id).ok());
  ASSERT_TRUE(WaitFor([&] { return target->node->info().role == Role::kLeader; }));
  EXPECT_GE(target->node->info().leader_changes, 1u);
  // The old leader's proposals now go to the new one, once it has heard from it (until then
  // it knows only that it is no longer the leader, and refuses with "leader=0").
  ASSERT_TRUE(WaitFor([&] { return leader->node->info().leader == target->id; }));
  Result<Bytes> r = leader->node->ProposeAndWait("b");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "2");
  EXPECT_FALSE(target->node->TransferLeader(99).ok());  // not a voter
}

}  // namespace
}  // namespace strata::raft
