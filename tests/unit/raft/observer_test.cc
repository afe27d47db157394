#include "raft/observer.h"

#include <gtest/gtest.h>

#include "obs/log.h"
#include "test_cluster.h"

namespace strata::raft {
namespace {

TEST(RaftObserverTest, ExportsStateAndLogsLeadershipAndMembership) {
  std::string sink;
  obs::SetLogSinkForTest(&sink);
  obs::InitLogging(obs::LogFormat::kJson, obs::LogLevel::kInfo);
  obs::Registry registry;
  RaftObserver observer(registry, 1);
  testing::TestCluster c(3);
  observer.Observe(c.core(1));
  c.Elect(1);
  ASSERT_TRUE(c.core(1).Propose("x").ok());
  c.Stabilize();
  observer.Observe(c.core(1));
  ASSERT_TRUE(c.core(1).ProposeConfChange({ConfChangeType::kAddLearner, 4}).ok());
  c.Stabilize();
  observer.Observe(c.core(1));
  observer.ObserveAppendLatency(0.001);
  obs::SetLogSinkForTest(nullptr);

  std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("stratadb_raft_role 3"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_raft_term 2"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_raft_leader_id 1"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_raft_elections_won_total 1"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_raft_follower_match_index{peer=\"2\"} 4"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_raft_follower_lag_entries{peer=\"4\"}"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_raft_append_latency_seconds_count 1"), std::string::npos) << text;
  EXPECT_NE(sink.find(R"("msg":"became leader","node":1,"term":2,"role":"leader","leader":1)"), std::string::npos)
      << sink;
  EXPECT_NE(sink.find(R"("msg":"membership changed","node":1,"term":2,"voters":"1,2,3","learners":"4")"),
            std::string::npos)
      << sink;
}

}  // namespace
}  // namespace strata::raft
