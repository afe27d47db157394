// RoutedEngine (storage/routed_engine.h): routing by key, iterators across the engines'
// boundary in both directions and with bounds, snapshots, checkpoints, and recovery when
// the two engines persisted different applied indexes.
#include "storage/routed_engine.h"

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "io/io.h"
#include "storage/btree/btree_engine.h"
#include "storage/lsm/engine_impl.h"

namespace strata::storage {
namespace {

using Model = std::map<Bytes, Bytes>;

class RoutedEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/routed_engine_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    auto s = io::Scheduler::Create({.faults = &faults_});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    sched_ = std::move(s).value();
    Open();
  }
  void TearDown() override {
    engine_.reset();
    sched_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open(const std::string& dir = "") {
    std::string base = dir.empty() ? dir_ : dir;
    lsm::LsmOptions o;
    o.dir = base + "/lsm";
    o.scheduler = sched_.get();
    o.memtable_bytes = 64 << 10;
    o.memory_budget = 4 << 20;
    o.use_direct_io = false;
    auto lsm = lsm::OpenLsmEngine(o);
    ASSERT_TRUE(lsm.ok()) << lsm.status().ToString();
    auto btree = btree::OpenBtreeEngine(
        {.dir = base + "/btree", .scheduler = sched_.get(), .use_direct_io = false, .memory_budget = 2 << 20});
    ASSERT_TRUE(btree.ok()) << btree.status().ToString();
    engine_ = NewRoutedEngine(std::move(*lsm), std::move(*btree));
  }

  void Write(uint64_t index, const std::vector<std::pair<Bytes, Bytes>>& puts) {
    WriteBatch b;
    b.SetAppliedIndex(index);
    for (const auto& [k, v] : puts) b.Put(k, v);
    ASSERT_TRUE(engine_->Write(b).ok());
  }

  // Every key, forwards and backwards, through `ro`.
  Model Scan(const ReadOptions& ro, bool backwards = false) {
    Model out;
    auto it = engine_->NewIterator(ro);
    if (backwards) {
      Bytes last;
      for (it->SeekToLast(); it->Valid(); it->Prev()) {
        if (!last.empty()) {
          EXPECT_LT(it->key(), Slice(last));
        }
        last = Bytes(it->key());
        out[last] = Bytes(it->value());
      }
    } else {
      Bytes prev;
      bool first = true;
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        if (!first) {
          EXPECT_GT(it->key(), Slice(prev));
        }
        first = false;
        prev = Bytes(it->key());
        out[prev] = Bytes(it->value());
      }
    }
    EXPECT_TRUE(it->status().ok());
    return out;
  }

  std::string dir_;
  io::FaultInjector faults_;
  std::unique_ptr<io::Scheduler> sched_;
  std::unique_ptr<RoutedEngine> engine_;
};

const Bytes kMeta("\x00\x02meta", 6);

TEST_F(RoutedEngineTest, RoutesByFirstByte) {
  EXPECT_EQ(RouteKey(Slice("\x7f\xff", 2)), EnginePart::kLsm);
  EXPECT_EQ(RouteKey(Slice("\x80", 1)), EnginePart::kBtree);
  EXPECT_EQ(RouteKey(Slice("\xff\x00", 2)), EnginePart::kBtree);
  EXPECT_EQ(RouteKey(Slice("\x00\x01", 2)), EnginePart::kLsm);
  EXPECT_EQ(RouteKey(kMeta), EnginePart::kBoth);
  EXPECT_EQ(RouteKey(Slice("\x00\x03", 2)), EnginePart::kLsm);
  EXPECT_EQ(RouteKey(Slice()), EnginePart::kLsm);

  Write(1, {{"\x10" "a", "lsm"}, {"\x90" "b", "btree"}, {kMeta, "m"}});
  ReadOptions ro;
  EXPECT_EQ(*engine_->lsm().Get(ro, "\x10" "a"), std::optional<Bytes>("lsm"));
  EXPECT_EQ(*engine_->lsm().Get(ro, "\x90" "b"), std::nullopt);
  EXPECT_EQ(*engine_->btree().Get(ro, "\x90" "b"), std::optional<Bytes>("btree"));
  EXPECT_EQ(*engine_->btree().Get(ro, "\x10" "a"), std::nullopt);
  // Metadata lives in both; every engine got the index.
  EXPECT_EQ(*engine_->lsm().Get(ro, kMeta), std::optional<Bytes>("m"));
  EXPECT_EQ(*engine_->btree().Get(ro, kMeta), std::optional<Bytes>("m"));
  EXPECT_EQ(engine_->lsm().AppliedIndex(), 1u);
  EXPECT_EQ(engine_->btree().AppliedIndex(), 1u);
  Write(2, {{"\x10" "c", "only lsm"}});
  EXPECT_EQ(engine_->btree().AppliedIndex(), 2u);  // an empty part still carries the index
  EXPECT_EQ(*engine_->Get(ro, "\x90" "b"), std::optional<Bytes>("btree"));
  EXPECT_EQ(*engine_->Get(ro, "\x10" "c"), std::optional<Bytes>("only lsm"));
}

TEST_F(RoutedEngineTest, IteratorsCrossTheBoundaryBothWaysWithBounds) {
  Model model;
  std::mt19937 rng(7);
  uint64_t index = 0;
  for (int round = 0; round < 20; round++) {
    WriteBatch b;
    b.SetAppliedIndex(++index);
    for (int i = 0; i < 50; i++) {
      Bytes key(1, static_cast<char>(rng() % 256));
      key += std::to_string(rng() % 100);
      if (key[0] == '\0') key.insert(1, 1, static_cast<char>(rng() % 4));  // 0x00 0x02… metadata too
      if (rng() % 5 == 0) {
        b.Delete(key);
        model.erase(key);
      } else {
        Bytes value = "v" + std::to_string(index);
        b.Put(key, value);
        model[key] = value;
      }
    }
    if (round % 7 == 6) {  // a range deletion over both engines and the metadata
      Bytes from(1, '\0'), to(1, static_cast<char>(0x90));
      from += "\x02" "5";
      b.DeleteRange(from, to);
      model.erase(model.lower_bound(from), model.lower_bound(to));
    }
    ASSERT_TRUE(engine_->Write(b).ok());
    if (round == 10) {
      ASSERT_TRUE(engine_->Flush().ok());
    }
  }
  EXPECT_EQ(Scan({}), model);
  EXPECT_EQ(Scan({}, true), model);

  // Bounds on each side of and across the boundary, and seeks in both directions.
  const std::vector<Bytes> points{Bytes(), Bytes("\x00\x02", 2), Bytes("\x00\x03", 2), "\x40", "\x7f\xff",
                                  "\x80", "\x80" "5", "\xc0", "\xff\xff"};
  for (const Bytes& lower : points) {
    for (const Bytes& upper : points) {
      if (!upper.empty() && upper <= lower) continue;
      ReadOptions ro;
      ro.lower_bound = lower;
      ro.upper_bound = upper;
      Model want(model.lower_bound(lower), upper.empty() ? model.end() : model.lower_bound(upper));
      EXPECT_EQ(Scan(ro), want) << "lower " << lower.size() << " upper " << upper.size();
      EXPECT_EQ(Scan(ro, true), want);
      auto it = engine_->NewIterator(ro);
      for (const Bytes& target : points) {
        it->Seek(target);
        auto first = want.lower_bound(target);
        ASSERT_EQ(it->Valid(), first != want.end());
        if (it->Valid()) {
          EXPECT_EQ(it->key(), Slice(first->first));
        }
        it->SeekForPrev(target);
        auto last = want.upper_bound(target);
        ASSERT_EQ(it->Valid(), last != want.begin());
        if (it->Valid()) {
          EXPECT_EQ(it->key(), Slice(std::prev(last)->first));
          it->Next();  // and step forward over the boundary again
          ASSERT_EQ(it->Valid(), last != want.end());
          if (it->Valid()) {
            EXPECT_EQ(it->key(), Slice(last->first));
          }
        }
      }
    }
  }
}

TEST_F(RoutedEngineTest, SnapshotSeesBothEnginesAtOneCut) {
  Write(1, {{"\x10" "a", "1"}, {"\x90" "a", "1"}});
  auto snapshot = engine_->GetSnapshot();
  Write(2, {{"\x10" "a", "2"}, {"\x90" "a", "2"}, {"\x90" "b", "2"}});
  ReadOptions at;
  at.snapshot = snapshot.get();
  EXPECT_EQ(*engine_->Get(at, "\x10" "a"), std::optional<Bytes>("1"));
  EXPECT_EQ(*engine_->Get(at, "\x90" "a"), std::optional<Bytes>("1"));
  EXPECT_EQ(Scan(at), (Model{{"\x10" "a", "1"}, {"\x90" "a", "1"}}));
  // An iterator keeps its snapshot alive after the caller dropped it.
  auto it = engine_->NewIterator(at);
  snapshot.reset();
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), Slice("1"));
}

// The engines persist independently; after a crash the routed engine starts at the smaller
// index, each engine skips what it holds, and metadata is read from the one behind.
TEST_F(RoutedEngineTest, RecoveryReplaysEachEngineFromItsOwnIndex) {
  auto batch = [](uint64_t i) {
    std::vector<std::pair<Bytes, Bytes>> puts{{"\x10" + std::to_string(i), "l"}, {"\x90" + std::to_string(i), "b"},
                                              {kMeta, std::to_string(i)}};
    return puts;
  };
  for (uint64_t i = 1; i <= 10; i++) {
    Write(i, batch(i));
    if (i == 4) {
      ASSERT_TRUE(engine_->btree().Flush().ok());
    }
    if (i == 7) {
      ASSERT_TRUE(engine_->lsm().Flush().ok());
    }
  }
  engine_.reset();  // a crash: nothing more is flushed
  Open();
  EXPECT_GE(engine_->lsm().PersistedAppliedIndex(), 7u);  // at least what was flushed
  EXPECT_EQ(engine_->btree().PersistedAppliedIndex(), 4u);
  EXPECT_EQ(engine_->PersistedAppliedIndex(), 4u);
  EXPECT_EQ(engine_->AppliedIndex(), 4u);
  // The metadata as of index 4, although the LSM holds it as of 7.
  EXPECT_EQ(*engine_->Get({}, kMeta), std::optional<Bytes>("4"));
  Model meta_view = Scan({});
  EXPECT_EQ(meta_view[kMeta], "4");
  EXPECT_EQ(meta_view.count("\x10" "7"), 1u);  // the LSM's own rows up to 7 are there
  EXPECT_EQ(meta_view.count("\x90" "6"), 0u);
  for (uint64_t i = 5; i <= 10; i++) {
    Write(i, batch(i));  // the LSM would refuse 5..7 if its part were not skipped
    EXPECT_EQ(*engine_->Get({}, kMeta), std::optional<Bytes>(std::to_string(i)));
  }
  EXPECT_EQ(engine_->lsm().AppliedIndex(), 10u);
  EXPECT_EQ(engine_->btree().AppliedIndex(), 10u);
  Model want;
  for (uint64_t i = 1; i <= 10; i++) {
    for (const auto& [k, v] : batch(i)) want[k] = v;
  }
  EXPECT_EQ(Scan({}), want);
  ASSERT_TRUE(engine_->Flush().ok());
  EXPECT_EQ(engine_->PersistedAppliedIndex(), 10u);
}

TEST_F(RoutedEngineTest, CheckpointHoldsBothEnginesInOneDirectory) {
  for (uint64_t i = 1; i <= 5; i++) Write(i, {{"\x10" + std::to_string(i), "l"}, {"\x90" + std::to_string(i), "b"}});
  Model want = Scan({});
  auto index = engine_->Checkpoint(dir_ + "/copy");
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(*index, 5u);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/copy/btree.db"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/copy/CURRENT"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/copy.btree"));
  EXPECT_GE(engine_->PersistedAppliedIndex(), 5u);  // the log may be compacted up to it
  // The flat directory opens as both engines.
  std::filesystem::create_directories(dir_ + "/reopened/lsm");
  std::filesystem::create_directories(dir_ + "/reopened/btree");
  for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/copy")) {
    std::string name = entry.path().filename();
    std::filesystem::copy_file(entry.path(), dir_ + "/reopened/" + (name == "btree.db" ? "btree/" : "lsm/") + name);
  }
  engine_.reset();
  Open(dir_ + "/reopened");
  EXPECT_EQ(engine_->PersistedAppliedIndex(), 5u);
  EXPECT_EQ(Scan({}), want);
}

TEST_F(RoutedEngineTest, ABatchTheBtreeRefusesWritesNothing) {
  Write(1, {{"\x10" "a", "1"}});
  WriteBatch b;
  b.SetAppliedIndex(2);
  b.Put("\x10" "b", "2");
  b.Put("\x90" + Bytes(4000, 'k'), "too long a key for the B+tree");
  EXPECT_FALSE(engine_->Write(b).ok());
  EXPECT_EQ(*engine_->Get({}, "\x10" "b"), std::nullopt);
  EXPECT_EQ(engine_->lsm().AppliedIndex(), 1u);
}

// A full disk under the B+tree: its periodic checkpoint fails, but the batches are applied
// (the Raft log holds them), the failure is reported, and the checkpoint is retried — also
// with no writes arriving, since a node refuses commits while it fails — until it succeeds.
TEST_F(RoutedEngineTest, AFailingBtreeCheckpointIsReportedAndRetriedWithoutFailingWrites) {
  faults_.Add({.op = io::IoOp::kWrite, .error = ENOSPC, .path_contains = "btree", .times = -1});
  constexpr uint64_t kBatches = 1500;  // past the checkpoint every 1000 batches
  for (uint64_t i = 1; i <= kBatches; i++) Write(i, {{"\x90" + std::to_string(i), "v" + std::to_string(i)}});
  Status error = engine_->checkpoint_error();
  EXPECT_EQ(error.code(), StatusCode::kNoSpace) << error.ToString();
  EXPECT_EQ(engine_->btree().PersistedAppliedIndex(), 0u);
  EXPECT_EQ(engine_->AppliedIndex(), kBatches);
  EXPECT_EQ(*engine_->Get({}, "\x90" "77"), std::optional<Bytes>("v77"));

  faults_.Clear();  // space returns
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!engine_->checkpoint_error().ok() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(engine_->checkpoint_error().ok());
  EXPECT_EQ(engine_->btree().PersistedAppliedIndex(), kBatches);

  engine_.reset();  // a restart finds every batch in the B+tree's checkpoint
  Open();
  EXPECT_EQ(engine_->btree().PersistedAppliedIndex(), kBatches);
  for (uint64_t i = 1; i <= kBatches; i += 149)
    EXPECT_EQ(*engine_->Get({}, "\x90" + std::to_string(i)), std::optional<Bytes>("v" + std::to_string(i)));
}

}  // namespace
}  // namespace strata::storage
