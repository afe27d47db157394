// RaftNode's log compaction runs beside the driver thread: while the state machine takes
// its snapshot (a flush and a checkpoint in the database, slow under I/O load), commits go
// on; when the snapshot is done, the log is truncated at the index it holds.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
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

// A state machine whose snapshot blocks until the test releases it.
class GatedMachine final : public StateMachine {
 public:
  Result<Bytes> Apply(LogIndex index, Slice) override {
    applied_ = index;
    return Bytes();
  }
  LogIndex applied() const override { return applied_; }
  Status Sync() override { return Status::OK(); }
  Result<LogIndex> CreateSnapshot(const std::string& dir) override {
    LogIndex index = applied_;  // the state as of now; applies go on behind it
    {
      std::unique_lock lock(mu_);
      snapshotting_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return released_; });
    }
    STRATA_RETURN_IF_ERROR(io::CreateDir(dir));
    STRATA_RETURN_IF_ERROR(io::WriteFileAtomically(dir + "/state", std::to_string(index)));
    return index;
  }
  Status RestoreSnapshot(const std::string&, LogIndex) override { return Status::NotSupported("test"); }

  bool WaitSnapshotting() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return snapshotting_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::atomic<LogIndex> applied_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool snapshotting_ = false;
  bool released_ = false;
};

// A single-voter RaftNode on loopback with the given compaction triggers, once it leads.
struct SingleNode {
  std::string dir;
  std::unique_ptr<io::Scheduler> sched = std::move(io::Scheduler::Create({})).value();
  obs::Registry registry;
  std::unique_ptr<RaftNode> node;

  SingleNode(const std::string& name, StateMachine* sm, uint64_t compact_every, uint64_t compact_bytes,
             uint64_t log_cache_bytes = 64 << 20)
      : dir(::testing::TempDir() + "/" + name + "_" + std::to_string(::getpid())) {
    std::filesystem::remove_all(dir);
    RaftNodeOptions o;
    o.id = 1;
    o.data_dir = dir;
    o.peers = {{1, "127.0.0.1:" + std::to_string(testing::FreePort())}};
    o.tick_interval = 20ms;
    o.compact_every = compact_every;
    o.compact_bytes = compact_bytes;
    o.log_cache_bytes = log_cache_bytes;
    o.direct_io = false;
    o.scheduler = sched.get();
    o.registry = &registry;
    node = std::move(RaftNode::Start(o, sm)).value();
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (node->info().role != Role::kLeader && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
  }
  ~SingleNode() {
    node.reset();
    std::filesystem::remove_all(dir);
  }
};

TEST(RaftNodeCompaction, CommitsGoOnWhileTheSnapshotIsTaken) {
  GatedMachine sm;
  SingleNode single("raft_compaction", &sm, /*compact_every=*/10, /*compact_bytes=*/0);
  RaftNode* node = single.node.get();
  ASSERT_EQ(node->info().role, Role::kLeader);
  for (int i = 0; i < 12; i++) ASSERT_TRUE(node->ProposeAndWait("x").ok());
  ASSERT_TRUE(sm.WaitSnapshotting());
  // The snapshot is stuck; the driver is not: 100 more commits complete.
  for (int i = 0; i < 100; i++) ASSERT_TRUE(node->ProposeAndWait("y").ok()) << i;
  EXPECT_EQ(node->info().compactions, 0u);
  LogIndex first_before = node->info().first_index;
  sm.Release();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (node->info().compactions == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  RaftNodeInfo info = node->info();
  EXPECT_EQ(info.compactions, 1u);
  EXPECT_GT(info.first_index, first_before);   // truncated at the snapshot's index...
  EXPECT_LT(info.first_index, info.applied);   // ...not at the applied index of its end
  node->Stop();
  // A restart finds the snapshot directory the log mark names.
  EXPECT_TRUE(std::filesystem::exists(fmt::format("{}/snap/snapshot-{:020}", single.dir, info.first_index - 1)));
}

// Large entries: the log is compacted by bytes long before the entry count.
TEST(RaftNodeCompaction, CompactsByBytesWritten) {
  GatedMachine sm;
  sm.Release();
  SingleNode single("raft_compaction_bytes", &sm, /*compact_every=*/1000000, /*compact_bytes=*/1 << 20);
  RaftNode* node = single.node.get();
  ASSERT_EQ(node->info().role, Role::kLeader);
  for (int i = 0; i < 40; i++) ASSERT_TRUE(node->ProposeAndWait(Bytes(100 << 10, 'e')).ok());  // 4 MB
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (node->info().compactions < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  RaftNodeInfo info = node->info();
  EXPECT_GE(info.compactions, 3u);
  // What is left in the log is about compact_bytes, not 4 MB.
  EXPECT_LE(info.last_index - info.first_index + 1, 20u);
}

// Without compaction the log grows on disk, but only its newest entries' data stays in
// memory (DiskLogTest covers reading the rest back).
TEST(RaftNodeCompaction, OnlyTheLogsTailStaysInMemory) {
  GatedMachine sm;
  sm.Release();
  constexpr uint64_t kTail = 256 << 10;
  SingleNode single("raft_log_tail", &sm, /*compact_every=*/0, /*compact_bytes=*/0, kTail);
  RaftNode* node = single.node.get();
  ASSERT_EQ(node->info().role, Role::kLeader);
  for (int i = 0; i < 40; i++) ASSERT_TRUE(node->ProposeAndWait(Bytes(100 << 10, 'e')).ok());  // 4 MB
  RaftNodeInfo info = node->info();
  EXPECT_EQ(info.compactions, 0u);
  EXPECT_GE(info.last_index - info.first_index + 1, 40u);
  EXPECT_LE(info.log_cached_bytes, kTail);
  EXPECT_GT(info.log_cached_bytes, 0u);
}

}  // namespace
}  // namespace strata::raft
