// Model-based tests of both storage engines (LSM and B+tree): random batches, snapshots,
// iterators, flushes, compactions (LSM) and reopens, checked against a std::map model after
// every step. One suite, parameterised over the engine.
//
// Reopen drops what was not flushed (there is no engine WAL; DESIGN D1): after a reopen the
// engine must hold exactly the batches up to PersistedAppliedIndex(), which the model
// rebuilds from its log of batches.
#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "io/io.h"
#include "storage/btree/btree_engine.h"
#include "storage/lsm/engine_impl.h"

namespace strata::storage {
namespace {

using Model = std::map<Bytes, Bytes>;

struct ModelBatch {
  uint64_t index;
  std::vector<std::tuple<BatchOp, Bytes, Bytes>> ops;
};

void ApplyToModel(const ModelBatch& b, Model* m) {
  for (const auto& [op, a, v] : b.ops) {
    if (op == BatchOp::kPut) {
      (*m)[a] = v;
    } else if (op == BatchOp::kDelete) {
      m->erase(a);
    } else {
      m->erase(m->lower_bound(a), m->lower_bound(v));
    }
  }
}

struct EngineKind {
  bool btree;       // else the LSM
  bool background;  // LSM: background compaction (else inline)
  bool direct;      // direct I/O (else buffered, page cache)
  // Sizes of the padding of values: the B+tree's are larger so that its pages split, merge
  // and spill values into overflow pages with only a few hundred keys.
  size_t small_pad, big_pad;
};

class EngineModelTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = ::testing::TempDir() + "/engine_model_" + std::to_string(::getpid()) + "_" + name;
    std::filesystem::remove_all(dir_);
    auto s = io::Scheduler::Create({});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    sched_ = std::move(s).value();
    Open();
  }
  void TearDown() override {
    engine_.reset();
    sched_.reset();
    std::filesystem::remove_all(dir_);
  }

  lsm::LsmOptions Options() {
    lsm::LsmOptions o;
    o.dir = dir_;
    o.scheduler = sched_.get();
    o.memtable_bytes = 32 << 10;
    o.memory_budget = 4 << 20;
    o.max_bytes_for_level_base = 128 << 10;
    o.target_file_size = 48 << 10;
    o.level_size_multiplier = 4;
    o.table.block_size = 1024;
    o.background_compaction = GetParam().background;
    o.use_direct_io = GetParam().direct;
    return o;
  }
  // Closes the engine, keeping its work counters for the end-of-test check.
  void Close() {
    if (!engine_) return;
    for (const auto& p : engine_->Properties()) {
      if (p.name == "flush_count" || p.name == "checkpoint_count") total_flushes_ += p.value;
      if (p.name == "compaction_count" || p.name == "pages_copied") total_compactions_ += p.value;
    }
    engine_.reset();
    lsm_ = nullptr;
  }
  void Open() {
    if (GetParam().btree) {
      // 64 pages of buffer pool: the tree is read back from disk as it grows.
      auto e = btree::OpenBtreeEngine(
          {.dir = dir_, .scheduler = sched_.get(), .use_direct_io = GetParam().direct, .memory_budget = 0});
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      engine_ = std::move(e).value();
      return;
    }
    auto e = lsm::OpenLsmEngine(Options());
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    lsm_ = e->get();
    engine_ = std::move(e).value();
  }

  void CheckGet(const Model& m, const Bytes& key, const ReadOptions& ro = {}) {
    auto got = engine_->Get(ro, key);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    auto it = m.find(key);
    if (it == m.end()) {
      EXPECT_FALSE(got->has_value()) << "key " << key << " should be absent";
    } else {
      ASSERT_TRUE(got->has_value()) << "key " << key << " missing";
      EXPECT_EQ(**got, it->second) << "key " << key;
    }
  }

  void CheckScan(const Model& m, const ReadOptions& ro, std::mt19937_64& rng) {
    auto it = engine_->NewIterator(ro);
    auto lo = ro.lower_bound.empty() ? m.begin() : m.lower_bound(ro.lower_bound);
    auto hi = ro.upper_bound.empty() ? m.end() : m.lower_bound(ro.upper_bound);
    std::vector<std::pair<Bytes, Bytes>> expected(lo, hi);
    // Forward.
    size_t i = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
      ASSERT_LT(i, expected.size());
      ASSERT_EQ(it->key(), expected[i].first);
      ASSERT_EQ(it->value(), expected[i].second);
    }
    ASSERT_TRUE(it->status().ok()) << it->status().ToString();
    ASSERT_EQ(i, expected.size());
    // Backward.
    i = expected.size();
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      ASSERT_GT(i, 0u);
      i--;
      ASSERT_EQ(it->key(), expected[i].first);
    }
    ASSERT_EQ(i, 0u);
    // Random seeks with a change of direction.
    for (int n = 0; n < 8; n++) {
      Bytes target = RandomKey(rng);
      it->Seek(target);
      auto e = std::lower_bound(expected.begin(), expected.end(), target,
                                [](const auto& p, const Bytes& t) { return p.first < t; });
      if (e == expected.end()) {
        ASSERT_FALSE(it->Valid());
        continue;
      }
      ASSERT_TRUE(it->Valid());
      ASSERT_EQ(it->key(), e->first);
      it->Prev();
      if (e == expected.begin()) {
        ASSERT_FALSE(it->Valid());
      } else {
        ASSERT_TRUE(it->Valid());
        ASSERT_EQ(it->key(), std::prev(e)->first);
        it->Next();
        ASSERT_TRUE(it->Valid());
        ASSERT_EQ(it->key(), e->first);
      }
      it->SeekForPrev(target);
      auto p = std::upper_bound(expected.begin(), expected.end(), target,
                                [](const Bytes& t, const auto& q) { return t < q.first; });
      if (p == expected.begin()) {
        ASSERT_FALSE(it->Valid());
      } else {
        ASSERT_TRUE(it->Valid());
        ASSERT_EQ(it->key(), std::prev(p)->first);
      }
    }
  }

  Bytes RandomKey(std::mt19937_64& rng) {
    return "k" + std::to_string(rng() % 400);  // few keys: many overwrites and deletes
  }

  void RunSeed(uint64_t seed, int steps) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Close();
    std::filesystem::remove_all(dir_);
    Open();
    std::mt19937_64 rng(seed);
    Model model;
    std::vector<ModelBatch> log;
    uint64_t next_index = engine_->AppliedIndex() + 1;
    struct Snap {
      std::shared_ptr<const Snapshot> snap;
      Model model;
    };
    std::vector<Snap> snaps;
    for (int step = 0; step < steps; step++) {
      uint64_t r = rng() % 100;
      if (r < 70) {
        WriteBatch batch;
        ModelBatch mb{next_index++, {}};
        int n = 1 + rng() % 6;
        for (int j = 0; j < n; j++) {
          Bytes k = RandomKey(rng);
          uint64_t kind = rng() % 20;
          if (kind < 14) {
            Bytes v = "v" + std::to_string(rng()) +
                      Bytes(rng() % 5 == 0 ? GetParam().big_pad : GetParam().small_pad, 'x');
            batch.Put(k, v);
            mb.ops.emplace_back(BatchOp::kPut, k, v);
          } else if (kind < 19) {
            batch.Delete(k);
            mb.ops.emplace_back(BatchOp::kDelete, k, "");
          } else {
            Bytes e = RandomKey(rng);
            if (e == k) continue;
            if (e < k) std::swap(k, e);
            batch.DeleteRange(k, e);
            mb.ops.emplace_back(BatchOp::kDeleteRange, k, e);
          }
        }
        batch.SetAppliedIndex(mb.index);
        ASSERT_TRUE(engine_->Write(batch).ok());
        ApplyToModel(mb, &model);
        log.push_back(std::move(mb));
      } else if (r < 78) {
        CheckGet(model, RandomKey(rng));
      } else if (r < 82) {
        snaps.push_back({engine_->GetSnapshot(), model});
      } else if (r < 86 && !snaps.empty()) {
        size_t i = rng() % snaps.size();
        ReadOptions ro;
        ro.snapshot = snaps[i].snap.get();
        CheckGet(snaps[i].model, RandomKey(rng), ro);
        CheckScan(snaps[i].model, ro, rng);
        if (rng() % 2) snaps.erase(snaps.begin() + i);
      } else if (r < 90) {
        ReadOptions ro;
        if (rng() % 2) ro.lower_bound = RandomKey(rng);
        if (rng() % 2) ro.upper_bound = RandomKey(rng);
        if (!ro.lower_bound.empty() && !ro.upper_bound.empty() && ro.upper_bound < ro.lower_bound) {
          std::swap(ro.lower_bound, ro.upper_bound);
        }
        CheckScan(model, ro, rng);
      } else if (r < 93) {
        ASSERT_TRUE(engine_->Flush().ok());
        EXPECT_EQ(engine_->PersistedAppliedIndex(), engine_->AppliedIndex());
      } else if (r < 95) {
        if (lsm_ != nullptr) {
          ASSERT_TRUE(lsm_->CompactAll().ok());
        }
      } else if (r < 97) {
        // Reopen: what was not flushed is gone; replay from the persisted index.
        snaps.clear();
        Close();
        Open();
        uint64_t persisted = engine_->PersistedAppliedIndex();
        model.clear();
        for (const auto& b : log) {
          if (b.index <= persisted) ApplyToModel(b, &model);
        }
        ASSERT_LE(persisted, next_index - 1);
        std::erase_if(log, [&](const ModelBatch& b) { return b.index > persisted; });
        // Replay the lost batches as the Raft log would.
        next_index = persisted + 1;
      } else {
        for (int j = 0; j < 5; j++) CheckGet(model, RandomKey(rng));
      }
      if (HasFatalFailure()) return;
    }
    CheckScan(model, {}, rng);
  }

  std::string dir_;
  std::unique_ptr<io::Scheduler> sched_;
  std::unique_ptr<Engine> engine_;
  lsm::LsmEngine* lsm_ = nullptr;  // engine_, when it is the LSM
  // LSM: flushes and compactions. B+tree: checkpoints and pages copied on write.
  double total_flushes_ = 0, total_compactions_ = 0;
};

TEST_P(EngineModelTest, RandomOperationsMatchModel) {
  int seeds = std::getenv("STRATA_SOAK") ? 200 : 6;
  for (int seed = 1; seed <= seeds; seed++) {
    RunSeed(seed, 500);
    if (HasFatalFailure()) return;
  }
  // The run must have exercised the machinery, not just the memtable.
  Close();
  EXPECT_GT(total_flushes_, 10);
  EXPECT_GT(total_compactions_, 5);
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineModelTest,
                         ::testing::Values(EngineKind{false, false, false, 10, 300}, EngineKind{false, false, true, 10, 300},
                                           EngineKind{false, true, false, 10, 300}, EngineKind{false, true, true, 10, 300},
                                           EngineKind{true, false, false, 200, 5000},
                                           EngineKind{true, false, true, 200, 5000}),
                         [](const auto& info) {
                           const EngineKind& k = info.param;
                           if (k.btree) return std::string("Btree") + (k.direct ? "Direct" : "Buffered");
                           return std::string("Lsm") + (k.background ? "Background" : "Inline") +
                                  (k.direct ? "Direct" : "Buffered");
                         });

}  // namespace
}  // namespace strata::storage
