// RaftNode, the driver, against faults of its own resources: a log that cannot be written
// (ENOSPC, EIO from the I/O fault layer) and a driver that falls behind (bounded inbox).
// Single-voter groups on loopback; each start takes one election timeout.
#include "raft/raft_node.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "io/io.h"
#include "obs/metrics.h"
#include "raft/transport.h"
#include "../../testing/free_port.h"

namespace strata::raft {
namespace {

using namespace std::chrono_literals;

// Appends every entry's data to a list; Apply can be made to wait on a gate.
class ListMachine final : public StateMachine {
 public:
  Result<Bytes> Apply(LogIndex index, Slice data) override {
    {
      std::unique_lock lock(mu_);
      gate_cv_.wait(lock, [&] { return open_; });
      applied_ = index;
      if (!data.empty()) items_.emplace_back(data);
    }
    return Bytes("ok");
  }
  LogIndex applied() const override {
    std::lock_guard lock(mu_);
    return applied_;
  }
  Status Sync() override { return Status::OK(); }
  Result<LogIndex> CreateSnapshot(const std::string& dir) override {
    STRATA_RETURN_IF_ERROR(io::CreateDir(dir));
    return applied();
  }
  Status RestoreSnapshot(const std::string&, LogIndex index) override {
    std::lock_guard lock(mu_);
    applied_ = index;
    return Status::OK();
  }
  std::vector<Bytes> items() const {
    std::lock_guard lock(mu_);
    return items_;
  }
  void SetGate(bool open) {
    {
      std::lock_guard lock(mu_);
      open_ = open;
    }
    gate_cv_.notify_all();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable gate_cv_;
  bool open_ = true;
  LogIndex applied_ = 0;
  std::vector<Bytes> items_;
};

template <typename F>
bool WaitFor(F f, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!f()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class RaftNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/raft_node_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    sched_ = std::move(io::Scheduler::Create({.faults = &faults_})).value();
    options_.id = 1;
    options_.data_dir = dir_;
    options_.peers = {{1, "127.0.0.1:" + std::to_string(strata::testing::FreePort())}};
    options_.tick_interval = 10ms;
    options_.persist_retry_initial = 5ms;
    options_.persist_retry_max = 20ms;
    options_.scheduler = sched_.get();
    options_.registry = &registry_;
    options_.rng_seed = 1;
  }
  void TearDown() override {
    node_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start() {
    auto n = RaftNode::Start(options_, &sm_);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    node_ = std::move(n).value();
    ASSERT_TRUE(WaitFor([&] { return node_->info().role == Role::kLeader; }));
    ASSERT_TRUE(node_->ProposeAndWait(Bytes()).ok());  // committed an entry of its term
  }
  // A single voter with nothing to do has no Ready to write: after this, the next write to
  // the log is the one of the next proposal.
  void Quiesce() {
    ASSERT_TRUE(WaitFor([&] {
      RaftNodeInfo i = node_->info();
      return i.commit == i.last_index && i.applied == i.commit;
    }));
    std::this_thread::sleep_for(100ms);
  }
  std::future<Result<Bytes>> ProposeAsync(Bytes data) {
    auto promise = std::make_shared<std::promise<Result<Bytes>>>();
    auto future = promise->get_future();
    node_->Propose(std::move(data), [promise](Result<Bytes> r) { promise->set_value(std::move(r)); });
    return future;
  }

  std::string dir_;
  io::FaultInjector faults_;
  std::unique_ptr<io::Scheduler> sched_;
  obs::Registry registry_;
  RaftNodeOptions options_;
  ListMachine sm_;
  std::unique_ptr<RaftNode> node_;
};

// A failed log write used to abort the process (STRATA_CHECK on Save). Now: proposals are
// refused before they reach the log while it fails, the entry already in flight commits
// once the disk recovers, and nothing is applied twice.
TEST_F(RaftNodeTest, FailedLogWriteRefusesProposalsAndResumesWithoutRestart) {
  Start();
  for (int error : {ENOSPC, EIO}) {
    SCOPED_TRACE(error == ENOSPC ? "ENOSPC" : "EIO");
    Quiesce();
    faults_.Add({.op = io::IoOp::kWrite, .error = error, .path_contains = ".seg", .times = -1});
    Bytes in_flight = error == ENOSPC ? "in-flight-1" : "in-flight-2";
    auto stuck = ProposeAsync(in_flight);
    ASSERT_TRUE(WaitFor([&] { return !node_->info().log_write_error.empty(); }));
    EXPECT_EQ(node_->info().log_disk_full, error == ENOSPC);
    EXPECT_NE(node_->info().log_write_error.find(error == ENOSPC ? "NoSpace" : "IOError"), std::string::npos)
        << node_->info().log_write_error;
    // Refused at once, and never proposed: the log's last index does not move.
    LogIndex last = node_->info().last_index;
    auto refused = ProposeAsync("refused");
    ASSERT_EQ(refused.wait_for(5s), std::future_status::ready);
    Result<Bytes> r = refused.get();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), error == ENOSPC ? StatusCode::kNoSpace : StatusCode::kIOError) << r.status().ToString();
    EXPECT_NE(r.status().message().find("nothing was proposed"), std::string::npos);
    EXPECT_EQ(node_->info().last_index, last);
    EXPECT_EQ(stuck.wait_for(50ms), std::future_status::timeout);  // still waiting for its write
    EXPECT_NE(registry_.RenderPrometheus().find("stratadb_raft_log_write_failing 1\n"), std::string::npos);

    faults_.Clear();  // space returns
    ASSERT_EQ(stuck.wait_for(10s), std::future_status::ready);
    Result<Bytes> done = stuck.get();
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    EXPECT_TRUE(WaitFor([&] { return node_->info().log_write_error.empty(); }));
    EXPECT_TRUE(node_->ProposeAndWait("after").ok());
  }
  EXPECT_EQ(sm_.items(), (std::vector<Bytes>{"in-flight-1", "after", "in-flight-2", "after"}));
  EXPECT_NE(registry_.RenderPrometheus().find("stratadb_raft_log_write_failing 0\n"), std::string::npos);
  // And what was acknowledged is in the log after a restart, applied once.
  node_.reset();
  ListMachine replay;
  auto n = RaftNode::Start(options_, &replay);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_TRUE(WaitFor([&] { return (*n)->info().role == Role::kLeader; }));
  ASSERT_TRUE((*n)->ProposeAndWait(Bytes()).ok());
  EXPECT_EQ(replay.items(), (std::vector<Bytes>{"in-flight-1", "after", "in-flight-2", "after"}));
}

TEST_F(RaftNodeTest, FullProposalQueueRefusesWithBusy) {
  options_.max_inbox_proposals = 4;
  Start();
  sm_.SetGate(false);
  auto blocker = ProposeAsync("blocker");  // the driver waits inside Apply from here on
  std::this_thread::sleep_for(200ms);
  std::vector<std::future<Result<Bytes>>> queued;
  for (int i = 0; i < 4; i++) queued.push_back(ProposeAsync("q" + std::to_string(i)));
  auto refused = ProposeAsync("one too many");
  ASSERT_EQ(refused.wait_for(1s), std::future_status::ready);
  Result<Bytes> r = refused.get();
  EXPECT_EQ(r.status().code(), StatusCode::kBusy) << r.status().ToString();
  EXPECT_NE(r.status().message().find("max_inbox_proposals=4"), std::string::npos) << r.status().ToString();
  sm_.SetGate(true);
  EXPECT_TRUE(blocker.get().ok());
  for (auto& q : queued) EXPECT_TRUE(q.get().ok());
  EXPECT_EQ(sm_.items().size(), 5u);  // the refused one was never proposed
}

TEST_F(RaftNodeTest, FullMessageInboxDropsAndCounts) {
  options_.max_inbox_messages = 8;
  Start();
  sm_.SetGate(false);
  auto blocker = ProposeAsync("blocker");
  std::this_thread::sleep_for(200ms);
  // A peer that keeps sending while the driver is stuck: heartbeats from a stale term.
  TransportOptions t;
  t.self = 2;
  t.cluster_id = options_.cluster_id;
  t.peers = {{1, options_.peers.at(1)}};
  t.registry = &registry_;
  auto peer = std::move(Transport::Start(t, [](Message) {})).value();
  for (int i = 0; i < 100; i++) peer->Send(Message{.type = MessageType::kHeartbeat, .from = 2, .to = 1, .term = 1});
  // The driver is stuck in Apply: 8 messages fit, the other 92 are dropped and counted.
  EXPECT_TRUE(WaitFor([&] {
    return registry_.RenderPrometheus().find("stratadb_raft_inbox_dropped_messages_total 92\n") != std::string::npos;
  })) << registry_.RenderPrometheus();
  sm_.SetGate(true);
  EXPECT_TRUE(blocker.get().ok());
  EXPECT_TRUE(WaitFor([&] { return node_->info().inbox_messages_dropped == 92; }))
      << node_->info().inbox_messages_dropped;
  peer->Stop();
}

}  // namespace
}  // namespace strata::raft
