// Raft snapshots of a node's two engines (node/engine_snapshot.h, storage/routed_engine.h):
// a checkpoint whose parts stand at different applied indexes restores to exactly the state
// at the smaller one, and the log after it applies on top as on every other replica.
#include <unistd.h>

#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "io/io.h"
#include "node/engine_snapshot.h"
#include "node/state_machine.h"
#include "storage/btree/btree_engine.h"
#include "storage/lsm/engine_impl.h"
#include "storage/routed_engine.h"
#include "txn/write_set.h"
#include "engine_contents.h"

namespace strata::node {
namespace {

using txn::LogIndex;
using testing::Contents;

class RoutedSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/strata_routed_snap_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    io_ = std::move(io::Scheduler::Create({})).value();
  }
  void TearDown() override {
    io_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<storage::RoutedEngine> Open(const std::string& name) {
    auto engine = OpenScratchEngines(*io_, dir_ + "/" + name + "/lsm", dir_ + "/" + name + "/btree", true);
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return std::move(*engine);
  }
  // Entry `index`: a row in each engine, the same hot row in each rewritten.
  static Bytes Entry(LogIndex index) {
    txn::WriteSet ws;
    ws.start_index = index - 1;
    ws.writes[fmt::format("lsm-{}", index)] = fmt::format("l{}", index);
    ws.writes[fmt::format("\x90" "btree-{}", index)] = fmt::format("b{}", index);
    ws.writes["\x90" "hot"] = fmt::format("h{}", index);
    ws.writes["hot"] = fmt::format("h{}", index);
    return EncodeWriteSetCommand(ws.Encode());
  }

  std::string dir_;
  std::unique_ptr<io::Scheduler> io_;
};

TEST_F(RoutedSnapshotTest, PartsAtDifferentIndexesRestoreTheStateAtTheSmaller) {
  auto engine = Open("live");
  TxnStateMachine sm(engine.get(), io_.get());
  for (LogIndex i = 1; i <= 10; i++) ASSERT_TRUE(sm.Apply(i, Entry(i)).ok());
  ASSERT_TRUE(sm.Apply(11, EncodeGcHorizonCommand(4)).ok());
  auto at_11 = Contents(*engine);
  // The LSM's part at 11, the B+tree's at 15: what a checkpoint taken while the apply loop
  // goes on can hold.
  std::string snapshot = dir_ + "/snapshot";
  ASSERT_EQ(*engine->lsm().Checkpoint(snapshot), 11u);
  for (LogIndex i = 12; i <= 15; i++) ASSERT_TRUE(sm.Apply(i, Entry(i)).ok());
  ASSERT_EQ(*engine->btree().Checkpoint(dir_ + "/btree-part"), 15u);
  std::filesystem::rename(dir_ + "/btree-part/btree.db", snapshot + "/btree.db");

  auto summary = VerifyEngineSnapshot(*io_, snapshot, 11);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_FALSE(VerifyEngineSnapshot(*io_, snapshot, 15).ok());  // it stands for the smaller

  auto fresh = Open("fresh");
  TxnStateMachine fresh_sm(fresh.get(), io_.get());
  ASSERT_TRUE(fresh_sm.RestoreSnapshot(snapshot, 11).ok());
  EXPECT_EQ(fresh_sm.applied(), 11u);
  EXPECT_EQ(fresh_sm.gc_horizon(), 4u);
  EXPECT_EQ(fresh->lsm().PersistedAppliedIndex(), 11u);
  EXPECT_EQ(fresh->btree().PersistedAppliedIndex(), 11u);
  EXPECT_EQ(Contents(*fresh), at_11);  // the B+tree's versions of 12..15 were left out
  // The log after the snapshot applies as on the replica it came from.
  for (LogIndex i = 12; i <= 15; i++) {
    Result<Bytes> fresh_result = fresh_sm.Apply(i, Entry(i));
    ASSERT_TRUE(fresh_result.ok()) << fresh_result.status().ToString();
    EXPECT_EQ(*DecodeApplyOutcome(*fresh_result), txn::ApplyOutcome::kCommitted) << i;
  }
  EXPECT_EQ(Contents(*fresh), Contents(*engine));
}

}  // namespace
}  // namespace strata::node
