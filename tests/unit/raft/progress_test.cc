#include "raft/progress.h"

#include <gtest/gtest.h>

#include "raft/membership.h"
#include "raft/quorum.h"

namespace strata::raft {
namespace {

TEST(ProgressTest, ProbeSendsOneAppendAtATime) {
  Progress pr(4);
  pr.next = 5;
  EXPECT_FALSE(pr.IsPaused());
  pr.SentEntries(2, 6);
  EXPECT_TRUE(pr.IsPaused());
  EXPECT_EQ(pr.next, 5u);  // probe does not advance optimistically
  EXPECT_TRUE(pr.MaybeUpdate(6));
  EXPECT_FALSE(pr.IsPaused());
}

TEST(ProgressTest, ReplicatePipelinesUpToTheInflightWindow) {
  Progress pr(2);
  pr.match = 4;
  pr.BecomeReplicate();
  pr.SentEntries(1, 5);
  pr.SentEntries(1, 6);
  EXPECT_EQ(pr.next, 7u);
  EXPECT_TRUE(pr.IsPaused());
  pr.MaybeUpdate(5);
  pr.inflights.FreeLE(5);
  EXPECT_FALSE(pr.IsPaused());
}

TEST(ProgressTest, StaleRejectionsAreIgnored) {
  Progress pr(4);
  pr.match = 3;
  pr.next = 10;  // probing at 9
  EXPECT_FALSE(pr.MaybeDecrTo(7, 5));  // answer to an older probe
  EXPECT_TRUE(pr.MaybeDecrTo(9, 5));
  EXPECT_EQ(pr.next, 6u);
  pr.BecomeReplicate();
  EXPECT_FALSE(pr.MaybeDecrTo(2, 0));  // below match: stale
}

TEST(QuorumTest, CommitIndexIsTheMajorityMatch) {
  std::map<NodeId, uint64_t> match{{1, 10}, {2, 7}, {3, 3}, {4, 9}, {5, 1}};
  auto f = [&](NodeId id) { return match[id]; };
  EXPECT_EQ(QuorumIndex({1, 2, 3, 4, 5}, f), 7u);
  EXPECT_EQ(QuorumIndex({1, 2, 3}, f), 7u);
  EXPECT_EQ(QuorumIndex({1}, f), 10u);
}

TEST(QuorumTest, OnlyVotersCount) {
  std::map<NodeId, bool> votes{{1, true}, {9, true}};  // 9 is not a voter
  EXPECT_EQ(TallyVotes({1, 2, 3}, votes), VoteResult::kPending);
  votes[2] = false;
  votes[3] = false;
  EXPECT_EQ(TallyVotes({1, 2, 3}, votes), VoteResult::kLost);
}

TEST(MembershipTest, HistoryFollowsTruncationAndCompaction) {
  MembershipHistory h;
  h.Reset(0, ConfState{{1, 2, 3}, {}});
  h.Append(5, {ConfChangeType::kAddLearner, 4});
  h.Append(8, {ConfChangeType::kAddVoter, 4});
  EXPECT_TRUE(h.Current().IsVoter(4));
  EXPECT_TRUE(h.At(6)->IsLearner(4));
  h.TruncateFrom(7);
  EXPECT_TRUE(h.Current().IsLearner(4));
  h.CompactTo(6);
  EXPECT_TRUE(h.At(6)->IsLearner(4));
  EXPECT_FALSE(h.At(4).has_value());
  auto cc = DecodeConfChange(EncodeConfChange({ConfChangeType::kRemoveNode, 77}));
  ASSERT_TRUE(cc.has_value());
  EXPECT_EQ(cc->node_id, 77u);
}

}  // namespace
}  // namespace strata::raft
