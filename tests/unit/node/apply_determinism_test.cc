// Apply is a pure function of the log (DESIGN D4, issue "deterministic apply"): replicas
// fed the same Raft log reach the same commit/abort decisions and — once garbage
// collection caught up with the same applied horizon — byte-identical engine contents,
// whatever their local sessions pinned and whenever their garbage collector ran.
//
// Each seed builds a random log of WriteSets (starting at random recent snapshots, with
// deletions, so garbage-collected deletion markers would change conflict decisions if a
// WriteSet older than the horizon were admitted), GC-horizon entries (some proposing more
// than the entry's index) and no-ops, and applies it to three replicas: two collect garbage
// at random moments, below random local watermarks, and flush at random; the third never
// collects. STRATA_SOAK=1 runs 300 seeds instead of 12.
//
// RoutedReplayTest does the same over the node's two engines (storage/routed_engine.h) with
// keys in both, one replica flushing each engine on its own schedule and crashing at random:
// after each restart it replays the log from its applied index, each engine skipping what it
// holds, and must reach the decisions the entries got the first time.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "io/io.h"
#include "node/state_machine.h"
#include "storage/btree/btree_engine.h"
#include "storage/lsm/engine_impl.h"
#include "storage/routed_engine.h"
#include "txn/apply.h"
#include "txn/write_set.h"
#include "engine_contents.h"

namespace strata::node {
namespace {

using txn::ApplyOutcome;
using txn::LogIndex;

struct Replica {
  std::unique_ptr<storage::lsm::LsmEngine> engine;
  std::unique_ptr<TxnStateMachine> sm;
  std::mt19937_64 rng;
  bool collects = false;
};

using testing::Contents;

void CollectAll(storage::Engine& engine, LogIndex watermark, size_t slice) {
  Bytes from;
  do {
    Result<Bytes> next = txn::CollectGarbage(engine, watermark, from, slice);
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    from = std::move(*next);
  } while (!from.empty());
}

// The next log entry: what a leader with random sessions could have proposed at `index`.
Bytes RandomEntry(std::mt19937_64& rng, LogIndex index, bool both_engines = false) {
  uint64_t kind = rng() % 10;
  if (kind == 0) return Bytes();  // no-op barrier
  if (kind == 1) {
    // A horizon somewhere up to a little past the entry itself (capped at apply).
    LogIndex proposed = index > 40 ? index - 40 + rng() % 46 : rng() % (index + 6);
    return EncodeGcHorizonCommand(proposed);
  }
  txn::WriteSet ws;
  LogIndex window = std::min<LogIndex>(index - 1, 25);
  ws.start_index = index - 1 - (window ? rng() % (window + 1) : 0);
  int writes = 1 + static_cast<int>(rng() % 3);
  for (int w = 0; w < writes; w++) {
    // With both engines, half of the keys are B+tree keys (first byte 0x80 or more).
    Bytes key = fmt::format("{}k{}", both_engines && rng() % 2 ? "\x90" : "", rng() % 10);
    if (rng() % 3 == 0) {
      ws.writes[key] = std::nullopt;
    } else {
      ws.writes[key] = fmt::format("v{}-{}", index, w);
    }
  }
  return EncodeWriteSetCommand(ws.Encode());
}

class ApplyDeterminismTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/strata_apply_det_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    io_ = std::move(io::Scheduler::Create({})).value();
  }
  void TearDown() override {
    io_.reset();
    std::filesystem::remove_all(dir_);
  }
  Replica OpenReplica(const std::string& name, uint64_t seed, bool collects) {
    storage::lsm::LsmOptions o;
    o.dir = dir_ + "/" + name;
    o.scheduler = io_.get();
    o.memtable_bytes = 64 << 10;
    Replica r;
    r.engine = std::move(storage::lsm::OpenLsmEngine(o)).value();
    r.sm = std::make_unique<TxnStateMachine>(r.engine.get(), io_.get());
    r.rng.seed(seed);
    r.collects = collects;
    return r;
  }
  // What one replica does between two entries, on its own schedule.
  void LocalActivity(Replica& r) {
    if (!r.collects) return;
    if (r.rng() % 6 == 0) {
      // A local session may pin any snapshot up to the applied index.
      LogIndex local = r.rng() % (r.sm->applied() + 1);
      CollectAll(*r.engine, std::min(r.sm->gc_horizon(), local), 1 + r.rng() % 8);
    }
    if (r.rng() % 60 == 0) {
      ASSERT_TRUE(r.engine->Flush().ok());
    }
  }

  std::string dir_;
  std::unique_ptr<io::Scheduler> io_;
};

TEST_F(ApplyDeterminismTest, SameLogSameDecisionsAndContentsWhateverGcTiming) {
  int seeds = std::getenv("STRATA_SOAK") ? 300 : 12;
  std::map<ApplyOutcome, int> totals;
  for (int seed = 1; seed <= seeds; seed++) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    std::filesystem::remove_all(dir_);
    std::vector<Replica> replicas;
    replicas.push_back(OpenReplica("a", seed * 3 + 1, true));
    replicas.push_back(OpenReplica("b", seed * 3 + 2, true));
    replicas.push_back(OpenReplica("c", seed * 3 + 3, false));
    std::mt19937_64 log_rng(seed);
    for (LogIndex index = 1; index <= 300; index++) {
      Bytes entry = RandomEntry(log_rng, index);
      std::optional<Bytes> first;
      for (Replica& r : replicas) {
        LocalActivity(r);
        Result<Bytes> result = r.sm->Apply(index, entry);
        ASSERT_TRUE(result.ok()) << result.status().ToString();
        if (!first) first = *result;
        ASSERT_EQ(*result, *first) << "replicas decided entry " << index << " differently";
      }
      if (first->size() == 1) totals[*DecodeApplyOutcome(*first)]++;
    }
    LogIndex horizon = replicas[0].sm->gc_horizon();
    for (Replica& r : replicas) {
      ASSERT_EQ(r.sm->gc_horizon(), horizon);
      CollectAll(*r.engine, horizon, 1000);  // every local session closed
    }
    auto expected = Contents(*replicas[2].engine);
    for (int i = 0; i < 2; i++) ASSERT_EQ(Contents(*replicas[i].engine), expected) << "replica " << i;
    // The horizon survives a restart: it is part of the engine's (flushed) state.
    ASSERT_TRUE(replicas[0].engine->Flush().ok());
    replicas[0].sm.reset();
    replicas[0].engine.reset();
    Replica reopened = OpenReplica("a", 0, false);
    EXPECT_EQ(reopened.sm->gc_horizon(), horizon);
  }
  // The log exercised every outcome, so the comparisons above could have failed.
  EXPECT_GT(totals[ApplyOutcome::kCommitted], 0);
  EXPECT_GT(totals[ApplyOutcome::kConflict], 0);
  EXPECT_GT(totals[ApplyOutcome::kSnapshotTooOld], 0);
  std::printf("outcomes: %d committed, %d conflicts, %d snapshot too old\n", totals[ApplyOutcome::kCommitted],
              totals[ApplyOutcome::kConflict], totals[ApplyOutcome::kSnapshotTooOld]);
}

struct RoutedReplica {
  std::unique_ptr<storage::RoutedEngine> engine;
  std::unique_ptr<TxnStateMachine> sm;
};

class RoutedReplayTest : public ApplyDeterminismTest {
 protected:
  RoutedReplica Open(const std::string& name) {
    storage::lsm::LsmOptions o;
    o.dir = dir_ + "/" + name + "/lsm";
    o.scheduler = io_.get();
    o.memtable_bytes = 64 << 10;
    auto lsm = storage::lsm::OpenLsmEngine(o);
    EXPECT_TRUE(lsm.ok()) << lsm.status().ToString();
    auto btree = storage::btree::OpenBtreeEngine(
        {.dir = dir_ + "/" + name + "/btree", .scheduler = io_.get(), .memory_budget = 2 << 20});
    EXPECT_TRUE(btree.ok()) << btree.status().ToString();
    RoutedReplica r;
    r.engine = storage::NewRoutedEngine(std::move(*lsm), std::move(*btree));
    r.sm = std::make_unique<TxnStateMachine>(r.engine.get(), io_.get());
    return r;
  }
};

TEST_F(RoutedReplayTest, CrashesWithTheEnginesApartReplayToTheSameDecisions) {
  int seeds = std::getenv("STRATA_SOAK") ? 100 : 6;
  int restarts_apart = 0;
  for (int seed = 1; seed <= seeds; seed++) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    std::filesystem::remove_all(dir_);
    RoutedReplica steady = Open("steady"), crashing = Open("crashing");
    std::mt19937_64 log_rng(seed), local(seed * 7 + 1);
    std::vector<Bytes> log{Bytes()};   // log[i]: the entry at index i
    std::vector<Bytes> results{Bytes()};
    for (LogIndex index = 1; index <= 300; index++) {
      log.push_back(RandomEntry(log_rng, index, true));
      Result<Bytes> first = steady.sm->Apply(index, log[index]);
      ASSERT_TRUE(first.ok()) << first.status().ToString();
      results.push_back(*first);
      // The crashing replica's own schedule: garbage collection (never past the horizon in
      // force at the persisted index), flushes of one engine or the other, crashes.
      if (local() % 5 == 0) {
        LogIndex watermark = std::min(crashing.sm->durable_gc_horizon(), local() % (crashing.sm->applied() + 1));
        CollectAll(*crashing.engine, watermark, 1 + local() % 8);
      }
      if (local() % 25 == 0) {
        ASSERT_TRUE(crashing.engine->lsm().Flush().ok());
      }
      if (local() % 25 == 0) {
        ASSERT_TRUE(crashing.engine->btree().Flush().ok());
      }
      if (local() % 40 == 0) {
        crashing.sm.reset();
        crashing.engine.reset();  // nothing more is flushed
        crashing = Open("crashing");
        if (crashing.engine->lsm().PersistedAppliedIndex() != crashing.engine->btree().PersistedAppliedIndex())
          restarts_apart++;
      }
      // Apply what the log holds after the replica's applied index (the replay, then `index`).
      for (LogIndex i = crashing.sm->applied() + 1; i <= index; i++) {
        Result<Bytes> again = crashing.sm->Apply(i, log[i]);
        ASSERT_TRUE(again.ok()) << again.status().ToString();
        ASSERT_EQ(*again, results[i]) << "entry " << i << " decided differently on replay";
      }
    }
    ASSERT_EQ(crashing.sm->gc_horizon(), steady.sm->gc_horizon());
    LogIndex horizon = steady.sm->gc_horizon();
    CollectAll(*steady.engine, horizon, 1000);
    CollectAll(*crashing.engine, horizon, 1000);
    ASSERT_EQ(Contents(*crashing.engine), Contents(*steady.engine));
  }
  // The point of the test: restarts where the two engines had persisted different indexes.
  EXPECT_GT(restarts_apart, 0);
  std::printf("restarts with the engines apart: %d\n", restarts_apart);
}

}  // namespace
}  // namespace strata::node
