// Scenario tests for raft::Core: one behaviour each, driven through TestCluster.
#include "raft/core.h"

#include <gtest/gtest.h>

#include "test_cluster.h"

namespace strata::raft {
namespace {

using testing::TestCluster;

Bytes Data(const Entry& e) { return e.data.ToBytes(); }

TEST(CoreTest, SingleNodeElectsItselfAndCommitsAfterPersisting) {
  TestCluster c(1);
  c.Tick(1, 20);
  ASSERT_EQ(c.core(1).role(), Role::kLeader);
  ASSERT_TRUE(c.core(1).Propose("x").ok());
  // Nothing commits before the Ready carrying the entry is persisted and advanced.
  EXPECT_LT(c.core(1).log().committed(), c.core(1).log().LastIndex());
  c.Stabilize();
  EXPECT_EQ(c.core(1).log().committed(), c.core(1).log().LastIndex());
  ASSERT_FALSE(c.node(1).applied.empty());
  EXPECT_EQ(c.node(1).applied.back().data, "x");
}

TEST(CoreTest, ThreeNodesElectOneLeaderAndReplicate) {
  TestCluster c(3);
  c.Elect(1);
  EXPECT_EQ(c.core(1).role(), Role::kLeader);
  EXPECT_EQ(c.core(2).leader(), 1u);
  EXPECT_EQ(c.core(3).leader(), 1u);
  ASSERT_TRUE(c.core(1).Propose("a").ok());
  c.Stabilize();
  for (NodeId id : {1, 2, 3}) {
    ASSERT_EQ(c.node(id).applied.size(), 2u) << id;  // the leader's no-op, then "a"
    EXPECT_EQ(c.node(id).applied[0].type, EntryType::kNoop);
    EXPECT_EQ(c.node(id).applied[1].data, "a");
  }
}

TEST(CoreTest, ElectionTimeoutStartsAnElection) {
  TestCluster c(3);
  c.TickAll(40);
  int leaders = 0;
  for (NodeId id : {1, 2, 3}) leaders += c.core(id).role() == Role::kLeader;
  EXPECT_EQ(leaders, 1);
}

TEST(CoreTest, PreVoteStopsAPartitionedNodeFromDisruptingOnReturn) {
  TestCluster c(3);
  c.Elect(1);
  Term term = c.core(1).term();
  c.Isolate(3);
  c.Tick(3, 100);  // many failed pre-votes: its term must not grow
  EXPECT_EQ(c.core(3).term(), term);
  EXPECT_NE(c.core(3).role(), Role::kLeader);
  c.Heal();
  c.TickAll(5);
  EXPECT_EQ(c.core(1).role(), Role::kLeader);
  EXPECT_EQ(c.core(1).term(), term);
  EXPECT_EQ(c.core(3).leader(), 1u);
}

TEST(CoreTest, WithoutPreVoteAReturningNodeDisruptsTheLeader) {
  CoreConfig cfg;
  cfg.pre_vote = false;
  cfg.check_quorum = false;
  TestCluster c(3, cfg);
  c.Elect(1);
  Term term = c.core(1).term();
  c.Isolate(3);
  c.Tick(3, 100);
  EXPECT_GT(c.core(3).term(), term);  // the contrast that motivates pre-vote
  c.Heal();
  c.TickAll(30);  // node 3's next vote request, at its higher term, deposes node 1
  EXPECT_GT(c.core(1).term(), term);
}

TEST(CoreTest, CheckQuorumMakesAnIsolatedLeaderStepDown) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(1);
  c.Tick(1, 25);
  EXPECT_EQ(c.core(1).role(), Role::kFollower);
  EXPECT_FALSE(c.core(1).Propose("x").ok());
}

TEST(CoreTest, LeaderIgnoresVotesWhileFollowersHearFromIt) {
  TestCluster c(3);
  c.Elect(1);
  Term term = c.core(1).term();
  // Node 3 campaigns at once (say its clock ran fast): stickiness keeps leader 1.
  c.core(3).Campaign();
  c.Stabilize();
  EXPECT_EQ(c.core(1).role(), Role::kLeader);
  EXPECT_EQ(c.core(1).term(), term);
}

// Raft figure 8: an entry from an earlier term on a majority is not committed by
// counting; it commits only under an entry of the current term.
TEST(CoreTest, OnlyCurrentTermEntriesCommitByCounting) {
  TestCluster c(3);  // logs start with the bootstrap snapshot at index 1
  for (NodeId id : {1, 2, 3}) {
    c.node(id).storage.Append({Entry{2, 2, EntryType::kNoop, ""}});
    c.node(id).storage.SetHardState(HardState{3, kNoNode, 2});
  }
  for (NodeId id : {1, 2}) c.node(id).storage.Append({Entry{3, 3, EntryType::kNormal, "old"}});
  for (NodeId id : {1, 2, 3}) c.Restart(id);
  // Node 1 wins term 4 but its appends are lost: only a forged ack from node 2 arrives.
  c.SetFilter([](const Message& m) { return m.type != MessageType::kAppend; });
  c.Elect(1);
  ASSERT_EQ(c.core(1).role(), Role::kLeader);
  ASSERT_EQ(c.core(1).term(), 4u);
  Message ack{.type = MessageType::kAppendResponse, .from = 2, .to = 1, .term = 4, .index = 3};
  ASSERT_TRUE(c.core(1).Step(ack).ok());
  c.Stabilize();
  EXPECT_EQ(c.core(1).log().committed(), 2u) << "entry 3 (term 3) committed by counting";
  c.SetFilter(nullptr);
  c.TickAll(2);
  EXPECT_EQ(c.core(1).log().committed(), 4u);
  EXPECT_EQ(c.node(3).applied.size(), 3u);
}

TEST(CoreTest, LeaderTransferHandsOverToTheTarget) {
  TestCluster c(3);
  c.Elect(1);
  ASSERT_TRUE(c.core(1).Propose("a").ok());
  c.Stabilize();
  ASSERT_TRUE(c.core(1).TransferLeader(2).ok());
  c.Stabilize();
  EXPECT_EQ(c.core(2).role(), Role::kLeader);
  EXPECT_EQ(c.core(1).leader(), 2u);
}

TEST(CoreTest, LeaderTransferWaitsForALaggingTargetAndBlocksProposals) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(3);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.core(1).Propose("a").ok());
  c.Stabilize();
  ASSERT_TRUE(c.core(1).TransferLeader(3).ok());
  EXPECT_FALSE(c.core(1).Propose("b").ok());
  c.Heal();
  c.TickAll(3);
  EXPECT_EQ(c.core(3).role(), Role::kLeader);
  EXPECT_EQ(c.core(3).log().LastIndex(), c.core(1).log().LastIndex());
}

TEST(CoreTest, LearnerNeverCampaignsAndItsVoteDoesNotCount) {
  TestCluster c(2, {}, 1);  // voters 1, 2; learner 3
  c.Tick(3, 100);
  EXPECT_EQ(c.core(3).role(), Role::kFollower);
  EXPECT_EQ(c.core(3).term(), kBootstrapTerm);
  c.Isolate(2);
  c.Elect(1);  // only the learner can answer: not a quorum of voters {1, 2}
  EXPECT_NE(c.core(1).role(), Role::kLeader);
  c.Heal();
  c.Elect(1);
  ASSERT_EQ(c.core(1).role(), Role::kLeader);
  ASSERT_TRUE(c.core(1).Propose("x").ok());
  c.Stabilize();
  EXPECT_EQ(c.node(3).applied.back().data, "x");  // learners receive the log
}

TEST(CoreTest, MembershipChangesOneAtATime) {
  TestCluster c(3);
  c.Elect(1);
  ASSERT_TRUE(c.core(1).ProposeConfChange({ConfChangeType::kAddLearner, 4}).ok());
  // In effect on append, before commit; a second change must wait for the first.
  EXPECT_TRUE(c.core(1).conf().IsLearner(4));
  Result<LogIndex> second = c.core(1).ProposeConfChange({ConfChangeType::kAddVoter, 4});
  EXPECT_EQ(second.status().code(), StatusCode::kBusy);
  c.Stabilize();
  c.AddNode(4, ConfState{});
  c.TickAll(3);
  ASSERT_TRUE(c.core(1).ProposeConfChange({ConfChangeType::kAddVoter, 4}).ok());
  c.Stabilize();
  for (NodeId id : {1, 2, 3, 4}) EXPECT_TRUE(c.core(id).conf().IsVoter(4)) << id;
  EXPECT_EQ(c.core(1).ProposeConfChange({ConfChangeType::kRemoveNode, 1}).status().code(),
            StatusCode::kInvalidArgument);  // the leader is removed only after a transfer
  ASSERT_TRUE(c.core(1).ProposeConfChange({ConfChangeType::kRemoveNode, 2}).ok());
  c.Stabilize();
  EXPECT_FALSE(c.core(3).conf().Contains(2));
  c.Tick(2, 50);
  EXPECT_NE(c.core(2).role(), Role::kLeader) << "a removed node never campaigns";
}

TEST(CoreTest, NoMembershipChangeBeforeTheLeaderCommitsInItsTerm) {
  TestCluster c(3);
  c.SetFilter([](const Message& m) { return m.type != MessageType::kAppend; });
  c.Elect(1);
  ASSERT_EQ(c.core(1).role(), Role::kLeader);
  EXPECT_EQ(c.core(1).ProposeConfChange({ConfChangeType::kAddLearner, 4}).status().code(),
            StatusCode::kBusy);
}

TEST(CoreTest, UncommittedConfChangeIsRevertedWhenTruncated) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(1);
  ASSERT_TRUE(c.core(1).ProposeConfChange({ConfChangeType::kAddLearner, 9}).ok());
  c.Stabilize();
  EXPECT_TRUE(c.core(1).conf().IsLearner(9));
  c.TickAll(30);  // 2 or 3 takes over; 1 steps down (check-quorum)
  c.Heal();
  c.TickAll(5);
  EXPECT_NE(c.core(1).role(), Role::kLeader);
  EXPECT_FALSE(c.core(1).conf().IsLearner(9)) << "truncated entry must not stay in effect";
}

TEST(CoreTest, ReadIndexWaitsForTheLeadersOwnTermCommit) {
  TestCluster c(3);
  c.SetFilter([](const Message& m) { return m.type != MessageType::kAppend; });
  c.Elect(1);
  ASSERT_EQ(c.core(1).role(), Role::kLeader);
  ASSERT_TRUE(c.core(1).ReadIndex("r1").ok());
  c.TickAll(2);
  EXPECT_TRUE(c.node(1).reads.empty()) << "read served before the no-op committed";
  c.SetFilter(nullptr);
  c.TickAll(2);
  ASSERT_EQ(c.node(1).reads.size(), 1u);
  EXPECT_EQ(c.node(1).reads[0].context, "r1");
  EXPECT_GE(c.node(1).reads[0].index, 1u);
}

TEST(CoreTest, ReadIndexNeedsAQuorumHeartbeatRound) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(1);
  ASSERT_TRUE(c.core(1).ReadIndex("r").ok());
  c.Tick(1, 3);
  EXPECT_TRUE(c.node(1).reads.empty());
  c.Heal();
  c.Tick(1, 2);
  ASSERT_EQ(c.node(1).reads.size(), 1u);
}

TEST(CoreTest, ReadsArrivingDuringARoundShareTheNextOne) {
  TestCluster c(3);
  c.Elect(1);
  c.Stabilize();
  c.sent().clear();
  // "a" starts a round; "b" and "c" arrive before it ends and must not be answered by it
  // (its heartbeat left before they were registered), but they share one round after it.
  ASSERT_TRUE(c.core(1).ReadIndex("a").ok());
  ASSERT_TRUE(c.core(1).ReadIndex("b").ok());
  ASSERT_TRUE(c.core(1).ReadIndex("c").ok());
  c.Stabilize();
  ASSERT_EQ(c.node(1).reads.size(), 3u);
  std::vector<Bytes> rounds;
  for (const Message& m : c.sent()) {
    if (m.type == MessageType::kHeartbeat && m.to == 2) rounds.push_back(m.context);
  }
  EXPECT_EQ(rounds, (std::vector<Bytes>{"a", "c"})) << "one round for a, one shared by b and c";
  std::vector<Bytes> order;
  for (const ReadState& r : c.node(1).reads) order.push_back(r.context);
  EXPECT_EQ(order, (std::vector<Bytes>{"a", "b", "c"}));
}

TEST(CoreTest, FollowerReadIndexIsForwardedToTheLeader) {
  TestCluster c(3);
  c.Elect(1);
  ASSERT_TRUE(c.core(1).Propose("a").ok());
  c.Stabilize();
  ASSERT_TRUE(c.core(2).ReadIndex("f").ok());
  c.Stabilize();
  ASSERT_EQ(c.node(2).reads.size(), 1u);
  EXPECT_EQ(c.node(2).reads[0].index, c.core(1).log().committed());
}

TEST(CoreTest, LeaseReadServesWithoutARoundAndExpires) {
  CoreConfig cfg;
  cfg.lease_reads = true;
  TestCluster c(3, cfg);
  c.TickAll(40);
  NodeId leader = 0;
  for (NodeId id : {1, 2, 3}) {
    if (c.core(id).role() == Role::kLeader) leader = id;
  }
  ASSERT_NE(leader, 0u);
  c.TickAll(2);
  ASSERT_TRUE(c.core(leader).LeaseValid());
  c.sent().clear();
  ASSERT_TRUE(c.core(leader).ReadIndex("l", /*lease=*/true).ok());
  c.Stabilize();
  EXPECT_EQ(c.node(leader).reads.size(), 1u);
  EXPECT_TRUE(c.sent().empty()) << "a lease read needs no messages";
  EXPECT_EQ(c.core(leader).counters().lease_reads, 1u);
  // A reader that did not ask for the lease gets a heartbeat round all the same.
  ASSERT_TRUE(c.core(leader).ReadIndex("r").ok());
  c.Stabilize();
  EXPECT_FALSE(c.sent().empty()) << "a linearizable read without the lease confirms leadership";
  EXPECT_EQ(c.node(leader).reads.size(), 2u);
  EXPECT_EQ(c.core(leader).counters().lease_reads, 1u);
  // A follower's lease read is answered by the leader without a round either.
  NodeId follower = leader == 1 ? 2 : 1;
  c.sent().clear();
  ASSERT_TRUE(c.core(follower).ReadIndex("f", /*lease=*/true).ok());
  c.Stabilize();
  ASSERT_EQ(c.node(follower).reads.size(), 1u);
  EXPECT_EQ(c.core(leader).counters().lease_reads, 2u);
  c.Isolate(leader);
  c.Tick(leader, 8);  // election_tick (10) - drift (2)
  EXPECT_FALSE(c.core(leader).LeaseValid());
}

TEST(CoreTest, RestartRecoversTermVoteAndLog) {
  TestCluster c(3);
  c.Elect(1);
  ASSERT_TRUE(c.core(1).Propose("a").ok());
  c.Stabilize();
  Term term = c.core(2).term();
  c.Restart(2);
  EXPECT_EQ(c.core(2).term(), term);
  EXPECT_EQ(c.core(2).vote(), 1u);
  EXPECT_EQ(c.core(2).log().LastIndex(), 3u);  // bootstrap, no-op, "a"
  c.Process(2);
  ASSERT_EQ(c.node(2).applied.size(), 2u) << "committed entries are re-applied from the log";
  EXPECT_EQ(Data(c.node(2).applied[1]), "a");
}

TEST(CoreTest, UncommittedProposalsAreBounded) {
  CoreConfig cfg;
  cfg.max_uncommitted_bytes = 10;
  TestCluster c(3, cfg);
  c.Elect(1);
  c.Isolate(1);
  ASSERT_TRUE(c.core(1).Propose("12345678").ok());
  Result<LogIndex> r = c.core(1).Propose("abc");
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  c.Heal();
  c.Tick(1, 2);  // the first proposal commits, which frees its budget
  EXPECT_TRUE(c.core(1).Propose("abc").ok());
}

TEST(CoreTest, LaggingFollowerCatchesUpFromASnapshot) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(3);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.core(1).Propose("e").ok());
  c.Stabilize();
  LogIndex applied = c.core(1).log().applied();
  c.node(1).storage.CreateSnapshotAndCompact(applied, *c.core(1).ConfStateAt(applied), "state");
  c.Heal();
  c.TickAll(3);
  EXPECT_EQ(c.core(1).counters().snapshots_sent, 1u);
  EXPECT_EQ(c.core(3).counters().snapshots_received, 1u);
  EXPECT_EQ(c.node(3).storage.GetSnapshot()->data, "state");
  EXPECT_EQ(c.core(3).log().committed(), c.core(1).log().committed());
  ASSERT_TRUE(c.core(1).Propose("after").ok());
  c.Stabilize();
  EXPECT_EQ(c.node(3).applied.back().data, "after");
}

TEST(CoreTest, DivergentFollowerSuffixIsReplaced) {
  TestCluster c(3);
  c.Elect(1);
  c.Isolate(1);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.core(1).Propose("lost").ok());
  c.Stabilize();
  c.TickAll(60);  // 2 or 3 is elected once they stop hearing from 1 (maybe after a split)
  NodeId leader = c.core(2).role() == Role::kLeader ? 2 : 3;
  ASSERT_EQ(c.core(leader).role(), Role::kLeader);
  ASSERT_TRUE(c.core(leader).Propose("kept").ok());
  c.Stabilize();
  c.Heal();
  c.TickAll(3);
  EXPECT_EQ(c.core(1).log().LastIndex(), c.core(leader).log().LastIndex());
  EXPECT_EQ(c.node(1).applied.back().data, "kept");
  for (const Entry& e : c.node(1).applied) EXPECT_NE(e.data, "lost");
}

}  // namespace
}  // namespace strata::raft
