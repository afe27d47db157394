// node::TxnStateMachine: WriteSet commands applied to a real LSM engine, no-ops, unknown
// commands, the snapshot directory (an engine checkpoint: create → restore gives the same
// engine, replacing whatever it held), and a
// RaftNode running the machine with log compaction and restart replay.
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "io/io.h"
#include "node/raft_proposer.h"
#include "node/engine_snapshot.h"
#include "node/state_machine.h"
#include "obs/metrics.h"
#include "raft/raft_node.h"
#include "storage/lsm/engine_impl.h"
#include "txn/mvcc.h"
#include "txn/transaction.h"
#include "txn/write_set.h"
#include "engine_contents.h"
#include "../../testing/free_port.h"

namespace strata::node {
namespace {

using txn::ApplyOutcome;
using txn::LogIndex;

using strata::testing::FreePort;

Bytes WriteSetCommand(LogIndex start, std::map<Bytes, std::optional<Bytes>> writes) {
  txn::WriteSet ws;
  ws.start_index = start;
  ws.writes = std::move(writes);
  return EncodeWriteSetCommand(ws.Encode());
}

using testing::Contents;

class StateMachineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/strata_sm_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    io_ = std::move(io::Scheduler::Create({})).value();
    engine_ = OpenEngine("lsm");
    sm_ = std::make_unique<TxnStateMachine>(engine_.get(), io_.get());
  }
  void TearDown() override {
    sm_.reset();
    engine_.reset();
    io_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<storage::lsm::LsmEngine> OpenEngine(const std::string& name) {
    storage::lsm::LsmOptions o;
    o.dir = dir_ + "/" + name;
    o.scheduler = io_.get();
    o.memtable_bytes = 256 << 10;
    return std::move(storage::lsm::OpenLsmEngine(o)).value();
  }
  ApplyOutcome MustApply(LogIndex index, const Bytes& command) {
    Result<Bytes> r = sm_->Apply(index, command);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    Result<ApplyOutcome> outcome = DecodeApplyOutcome(*r);
    EXPECT_TRUE(outcome.ok());
    return *outcome;
  }
  std::optional<Bytes> Read(storage::Engine& engine, Slice key, LogIndex at) {
    return *txn::ReadAt(engine, key, at);
  }

  std::string dir_;
  std::unique_ptr<io::Scheduler> io_;
  std::unique_ptr<storage::lsm::LsmEngine> engine_;
  std::unique_ptr<TxnStateMachine> sm_;
};

TEST_F(StateMachineTest, AppliesWriteSetsAndDecidesConflicts) {
  EXPECT_EQ(sm_->applied(), 0u);
  EXPECT_EQ(MustApply(2, WriteSetCommand(0, {{"a", "1"}, {"b", "2"}})), ApplyOutcome::kCommitted);
  EXPECT_EQ(sm_->applied(), 2u);
  EXPECT_EQ(engine_->AppliedIndex(), 2u);
  EXPECT_EQ(Read(*engine_, "a", 2), "1");
  EXPECT_FALSE(Read(*engine_, "a", 1).has_value());  // versions are stamped with the index
  // Began at 0, before "a" was written at 2: first committer wins, nothing is written.
  EXPECT_EQ(MustApply(3, WriteSetCommand(0, {{"a", "x"}, {"c", "3"}})), ApplyOutcome::kConflict);
  EXPECT_EQ(sm_->applied(), 3u);  // a conflict still advances the applied index
  EXPECT_EQ(Read(*engine_, "a", 3), "1");
  EXPECT_FALSE(Read(*engine_, "c", 3).has_value());
  // Began after 2: no conflict; a delete is a version too.
  EXPECT_EQ(MustApply(4, WriteSetCommand(3, {{"a", std::nullopt}})), ApplyOutcome::kCommitted);
  EXPECT_FALSE(Read(*engine_, "a", 4).has_value());
  EXPECT_EQ(Read(*engine_, "a", 3), "1");
}

// The GC horizon entry: monotonic, never past its own index, durable with the entry, and
// WriteSets that started below it are refused (result 3) without writing.
TEST_F(StateMachineTest, GcHorizonEntriesAndSnapshotTooOld) {
  EXPECT_EQ(MustApply(1, WriteSetCommand(0, {{"a", "1"}})), ApplyOutcome::kCommitted);
  ASSERT_TRUE(sm_->Apply(2, EncodeGcHorizonCommand(50)).ok());
  EXPECT_EQ(sm_->gc_horizon(), 2u);  // capped at the entry's index
  ASSERT_TRUE(sm_->Apply(3, EncodeGcHorizonCommand(1)).ok());
  EXPECT_EQ(sm_->gc_horizon(), 2u);  // never moves back
  EXPECT_EQ(MustApply(4, WriteSetCommand(1, {{"b", "x"}})), ApplyOutcome::kSnapshotTooOld);
  EXPECT_FALSE(Read(*engine_, "b", 4).has_value());
  EXPECT_EQ(sm_->applied(), 4u);
  EXPECT_EQ(MustApply(5, WriteSetCommand(2, {{"b", "y"}})), ApplyOutcome::kCommitted);  // at the horizon: fine
  EXPECT_FALSE(sm_->Apply(6, Bytes("\x02\xff", 2)).ok());  // a malformed horizon stops the node
  EXPECT_FALSE(sm_->Apply(6, WriteSetCommand(6, {{"c", "z"}})).ok());  // started at its own index
  // A restart reads the horizon back from the engine.
  ASSERT_TRUE(engine_->Flush().ok());
  sm_.reset();
  engine_.reset();
  engine_ = OpenEngine("lsm");
  sm_ = std::make_unique<TxnStateMachine>(engine_.get(), io_.get());
  EXPECT_EQ(sm_->gc_horizon(), 2u);
}

TEST_F(StateMachineTest, EmptyEntryIsANoOp) {
  Result<Bytes> r = sm_->Apply(5, Bytes());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(sm_->applied(), 5u);
  EXPECT_EQ(engine_->AppliedIndex(), 5u);
  EXPECT_TRUE(Contents(*engine_).empty());
}

TEST_F(StateMachineTest, UnknownOrMalformedCommandIsAnErrorOfTheMachine) {
  Result<Bytes> unknown = sm_->Apply(1, Bytes("\x07junk"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kCorruption);
  EXPECT_NE(unknown.status().ToString().find("unknown command type 7"), std::string::npos);
  Result<Bytes> malformed = sm_->Apply(1, Bytes("\x01\x01\xff\xff"));
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(sm_->applied(), 0u);
  EXPECT_FALSE(DecodeApplyOutcome("").ok());
}

TEST_F(StateMachineTest, SyncDoesNotFlushButAppliedIndexSurvivesAsPersisted) {
  MustApply(1, WriteSetCommand(0, {{"k", "v"}}));
  ASSERT_TRUE(sm_->Sync().ok());
  EXPECT_EQ(engine_->PersistedAppliedIndex(), 0u);  // the Raft log holds entry 1 (D1)
  sm_.reset();
  engine_.reset();
  engine_ = OpenEngine("lsm");
  sm_ = std::make_unique<TxnStateMachine>(engine_.get(), io_.get());
  EXPECT_EQ(sm_->applied(), 0u);  // so RaftNode replays entry 1
}

TEST_F(StateMachineTest, SnapshotRestoresIdenticalContentsIntoAnotherEngine) {
  LogIndex index = 0;
  for (int i = 0; i < 300; i++) {
    index++;
    MustApply(index, WriteSetCommand(index - 1, {{"key" + std::to_string(i), "value" + std::to_string(i)},
                                                  {"hot", std::to_string(i)}}));
  }
  Bytes big(3 << 20, 'x');  // a record larger than a block
  big[12345] = '\0';
  index++;
  MustApply(index, WriteSetCommand(index - 1, {{"big", big}, {"key7", std::nullopt}}));
  index++;
  MustApply(index, WriteSetCommand(index - 1, {{Bytes(), "empty key"}}));
  ASSERT_TRUE(sm_->Apply(++index, Bytes()).ok());
  ASSERT_TRUE(sm_->Apply(++index, EncodeGcHorizonCommand(6)).ok());
  ASSERT_EQ(sm_->gc_horizon(), 6u);

  std::string path = dir_ + "/snapshot-1";
  Result<LogIndex> snapshot_index = sm_->CreateSnapshot(path);
  ASSERT_TRUE(snapshot_index.ok());
  EXPECT_EQ(*snapshot_index, index);
  EXPECT_EQ(engine_->PersistedAppliedIndex(), index);  // flushed before the log may go
  // A checkpoint: SSTs (hard links), a MANIFEST and CURRENT.
  auto names = io::ListDir(path);
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(std::count(names->begin(), names->end(), "CURRENT") == 1) << names->size();
  EXPECT_TRUE(std::any_of(names->begin(), names->end(), [](const std::string& n) { return n.ends_with(".sst"); }));
  auto summary = VerifyEngineSnapshot(*io_, path, index);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->applied_index, index);
  EXPECT_EQ(summary->records, Contents(*engine_).size());
  // The live engine moves on; the checkpoint keeps the state at `index`.
  MustApply(index + 1, WriteSetCommand(index, {{"after", "snapshot"}}));
  auto at_snapshot = Contents(*engine_);
  at_snapshot.erase(std::remove_if(at_snapshot.begin(), at_snapshot.end(),
                                   [](const auto& kv) { return kv.first.find("after") != std::string::npos; }),
                    at_snapshot.end());

  // Into a fresh engine.
  auto fresh = OpenEngine("fresh");
  TxnStateMachine fresh_sm(fresh.get(), io_.get());
  ASSERT_TRUE(fresh_sm.RestoreSnapshot(path, index).ok());
  EXPECT_EQ(fresh_sm.applied(), index);
  EXPECT_EQ(fresh_sm.gc_horizon(), 6u);  // the replicated horizon came along
  EXPECT_EQ(fresh->AppliedIndex(), index);
  EXPECT_EQ(fresh->PersistedAppliedIndex(), index);  // durable on return
  EXPECT_EQ(Contents(*fresh), at_snapshot);
  EXPECT_EQ(Read(*fresh, "big", index), big);
  EXPECT_EQ(Read(*fresh, "", index), "empty key");
  EXPECT_EQ(Read(*fresh, "hot", 5), "4");  // older MVCC versions came along
  EXPECT_FALSE(std::filesystem::exists(path + ".restore"));  // the scratch copy is gone
}

TEST_F(StateMachineTest, RestoreReplacesOtherDataAndSurvivesReopen) {
  LogIndex index = 0;
  for (int i = 0; i < 500; i++) {
    index++;
    MustApply(index, WriteSetCommand(index - 1, {{"m" + std::to_string(i), std::string(200, 'a' + i % 26)}}));
  }
  std::string path = dir_ + "/snapshot-500";
  ASSERT_TRUE(sm_->CreateSnapshot(path).ok());
  auto sizes = [&] {
    std::map<std::string, uintmax_t> out;
    for (const auto& f : std::filesystem::directory_iterator(path)) out[f.path().filename()] = std::filesystem::file_size(f);
    return out;
  };
  auto before_restore = sizes();

  // An engine with data of its own: keys below, between and above the snapshot's.
  auto used = OpenEngine("used");
  auto used_sm = std::make_unique<TxnStateMachine>(used.get(), io_.get());
  ASSERT_TRUE(used_sm->Apply(1, WriteSetCommand(0, {{"a-stale", "1"}, {"m250x", "2"}, {"zzzz", "3"}})).ok());
  ASSERT_TRUE(used->Flush().ok());  // some of it in SSTs,
  ASSERT_TRUE(used_sm->Apply(2, WriteSetCommand(1, {{"m7", "mine"}})).ok());  // some in the memtable
  ASSERT_TRUE(used_sm->RestoreSnapshot(path, index).ok());
  EXPECT_EQ(used_sm->applied(), index);
  EXPECT_EQ(Contents(*used), Contents(*engine_));  // old keys gone, the snapshot's there
  EXPECT_EQ(sizes(), before_restore);              // the snapshot directory is unchanged

  used_sm.reset();
  used.reset();
  used = OpenEngine("used");
  EXPECT_EQ(used->PersistedAppliedIndex(), index);
  EXPECT_EQ(Contents(*used), Contents(*engine_));
  EXPECT_EQ(Read(*used, "a-stale", index), std::nullopt);
  EXPECT_EQ(Read(*used, "m7", index), std::string(200, 'a' + 7));
}

TEST_F(StateMachineTest, DamagedOrMismatchedSnapshotIsRefusedBeforeTouchingData) {
  for (LogIndex i = 1; i <= 20; i++) MustApply(i, WriteSetCommand(i - 1, {{"k" + std::to_string(i), "v"}}));
  std::string path = dir_ + "/snap";
  ASSERT_TRUE(sm_->CreateSnapshot(path).ok());

  auto other = OpenEngine("other");
  TxnStateMachine other_sm(other.get(), io_.get());
  ASSERT_TRUE(other_sm.Apply(1, WriteSetCommand(0, {{"mine", "1"}})).ok());
  auto before = Contents(*other);

  Status wrong_index = other_sm.RestoreSnapshot(path, 19);
  EXPECT_EQ(wrong_index.code(), StatusCode::kCorruption) << wrong_index.ToString();

  // A flipped byte in the MANIFEST or in an SST's data, a truncated SST, a missing file.
  std::string sst, manifest;
  for (const auto& f : std::filesystem::directory_iterator(path)) {
    std::string name = f.path().filename();
    if (name.ends_with(".sst")) sst = name;
    if (name.rfind("MANIFEST", 0) == 0) manifest = name;
  }
  ASSERT_FALSE(sst.empty());
  ASSERT_FALSE(manifest.empty());
  auto damage = [&](const std::string& name, uint64_t offset) {
    std::string damaged = dir_ + "/damaged";
    std::filesystem::remove_all(damaged);
    std::filesystem::copy(path, damaged);  // copies, not links: the original stays intact
    std::fstream f(damaged + "/" + name, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = static_cast<char>(f.get());
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x40));
    return damaged;
  };
  for (auto [name, offset] : {std::pair{manifest, uint64_t{10}}, std::pair{sst, uint64_t{20}}}) {
    Status s = other_sm.RestoreSnapshot(damage(name, offset), 20);
    EXPECT_FALSE(s.ok()) << name << " at " << offset;
  }
  std::string truncated = damage(sst, 0);
  std::filesystem::resize_file(truncated + "/" + sst, std::filesystem::file_size(truncated + "/" + sst) / 2);
  EXPECT_FALSE(other_sm.RestoreSnapshot(truncated, 20).ok());
  std::string missing = damage(sst, 0);
  std::filesystem::remove(missing + "/" + sst);
  EXPECT_FALSE(other_sm.RestoreSnapshot(missing, 20).ok());
  EXPECT_EQ(Contents(*other), before);
  EXPECT_EQ(other_sm.applied(), 1u);
  EXPECT_TRUE(other_sm.RestoreSnapshot(path, 20).ok());  // the undamaged one still restores
}

TEST(RaftProposerTest, MapsRaftErrorsToMysqlErrors) {
  Status not_leader = MapProposeError(Status::Unavailable("not leader; leader=3"));
  EXPECT_EQ(not_leader.code(), StatusCode::kUnavailable);
  EXPECT_EQ(not_leader.mysql_errno(), kErOptionPreventsStatement);
  EXPECT_EQ(not_leader.sqlstate(), "HY000");
  Status overwritten = MapProposeError(Status::Aborted("proposal overwritten by a new leader"));
  EXPECT_EQ(overwritten.code(), StatusCode::kAborted);
  EXPECT_EQ(overwritten.mysql_errno(), kErLockDeadlock);
  for (const Status& unknown : {Status::TimedOut("x"), Status::Unavailable("leadership lost; outcome unknown"),
                                Status::Unavailable("node stopped")}) {
    Status s = MapProposeError(unknown);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable);
    EXPECT_EQ(s.mysql_errno(), kErQueryInterrupted);
    EXPECT_EQ(s.sqlstate(), "70100");
    EXPECT_NE(s.message().find("outcome unknown"), std::string::npos);
  }
}

// The state machine under a real RaftNode with frequent compaction: the log is truncated
// only behind flushed engine state, and a restart replays the rest.
TEST_F(StateMachineTest, RaftNodeCompactsBehindFlushedStateAndReplaysOnRestart) {
  obs::Registry registry;
  raft::RaftNodeOptions options;
  options.id = 1;
  options.data_dir = dir_ + "/node";
  options.peers = {{1, fmt::format("127.0.0.1:{}", FreePort())}};
  options.tick_interval = std::chrono::milliseconds(10);
  options.compact_every = 40;
  options.scheduler = io_.get();
  options.registry = &registry;
  auto start = [&]() {
    auto raft = std::move(raft::RaftNode::Start(options, sm_.get())).value();
    while (raft->info().role != raft::Role::kLeader) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return raft;
  };
  constexpr int kTxns = 130;
  {
    auto raft = start();
    RaftProposer proposer(raft.get(), sm_.get(), registry);
    txn::TxnManager txns(engine_.get(), &proposer);
    for (int i = 0; i < kTxns; i++) {
      auto t = txns.Begin();
      ASSERT_TRUE(t->Put("k" + std::to_string(i), std::to_string(i)).ok());
      ASSERT_TRUE(t->Commit().ok());
    }
    raft::RaftNodeInfo info = raft->info();
    EXPECT_GE(info.compactions, 2u);
    EXPECT_GT(info.first_index, 40u);
    EXPECT_LT(engine_->PersistedAppliedIndex(), sm_->applied());  // the tail is only in the log
    raft->Stop();
  }
  sm_.reset();
  engine_.reset();
  engine_ = OpenEngine("lsm");
  sm_ = std::make_unique<TxnStateMachine>(engine_.get(), io_.get());
  LogIndex persisted = sm_->applied();
  auto raft = start();
  RaftProposer proposer(raft.get(), sm_.get(), registry);
  // A barrier entry: once applied, the replay before it is too.
  ASSERT_TRUE(raft->ProposeAndWait(Bytes()).ok());
  EXPECT_GT(sm_->applied(), persisted);
  txn::TxnManager txns(engine_.get(), &proposer);
  auto t = txns.Begin();
  for (int i = 0; i < kTxns; i++) EXPECT_EQ(*t->Get("k" + std::to_string(i)), std::to_string(i)) << i;
}

}  // namespace
}  // namespace strata::node
