// Corruption tests of both storage engines: a byte flipped anywhere in an engine's files
// must give a Corruption status or no visible effect, never a crash or wrong data. One
// suite, parameterised over the engine; then the B+tree's meta-slot cases.
//
// "Wrong data" is judged as after a crash: the engine must hold exactly the batches up to
// the PersistedAppliedIndex() it reports (a damaged newest checkpoint may make an engine
// fall back to an older one, and say so).
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "io/io.h"
#include "storage/btree/btree_engine.h"
#include "storage/lsm/engine_impl.h"

namespace strata::storage {
namespace {

namespace fs = std::filesystem;
using Model = std::map<Bytes, Bytes>;

void FlipByte(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x40));
}

Bytes Key(uint64_t i) { return fmt::format("key{:06}", i); }

// Batch i: puts keys i*3 .. i*3+40 (values naming the batch), deletes one older key.
void ApplyBatch(uint64_t i, WriteBatch* b, Model* m) {
  for (uint64_t k = i * 3; k < i * 3 + 40; k++) {
    Bytes v = fmt::format("v{}-{}", i, k) + Bytes(k % 7 == 0 ? 5000 : 60, 'x');
    if (b) b->Put(Key(k), v);
    if (m) (*m)[Key(k)] = v;
  }
  if (b) b->Delete(Key(i));
  if (m) m->erase(Key(i));
}

class EngineCorruptionTest : public ::testing::TestWithParam<bool> {  // true: B+tree
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/engine_corrupt_" + std::to_string(::getpid()) + (GetParam() ? "_btree" : "_lsm");
    fs::remove_all(dir_);
    sched_ = std::move(io::Scheduler::Create({})).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<std::unique_ptr<Engine>> Open(const std::string& dir) {
    if (GetParam()) return btree::OpenBtreeEngine({.dir = dir, .scheduler = sched_.get(), .memory_budget = 0});
    lsm::LsmOptions o;
    o.dir = dir;
    o.scheduler = sched_.get();
    o.background_compaction = false;
    auto e = lsm::OpenLsmEngine(o);
    if (!e.ok()) return e.status();
    return std::unique_ptr<Engine>(std::move(e).value());
  }

  std::string dir_;
  std::unique_ptr<io::Scheduler> sched_;
};

TEST_P(EngineCorruptionTest, FlippedByteIsCorruptionNeverWrongData) {
  const std::string pristine = dir_ + "/pristine";
  constexpr uint64_t kBatches = 60;
  {
    auto e = std::move(Open(pristine)).value();
    for (uint64_t i = 1; i <= kBatches; i++) {
      WriteBatch b;
      ApplyBatch(i, &b, nullptr);
      b.SetAppliedIndex(i);
      ASSERT_TRUE(e->Write(b).ok());
      if (i % 20 == 0) {
        ASSERT_TRUE(e->Flush().ok());  // three checkpoints / flushes
      }
    }
    ASSERT_EQ(e->PersistedAppliedIndex(), kBatches);
  }
  std::vector<std::pair<std::string, uint64_t>> files;
  uint64_t total = 0;
  for (const auto& f : fs::directory_iterator(pristine)) {
    files.emplace_back(f.path().filename(), fs::file_size(f.path()));
    total += files.back().second;
  }
  std::mt19937_64 rng(7);
  int detected = 0, harmless = 0;
  const std::string trial = dir_ + "/trial";
  for (int t = 0; t < 60; t++) {
    fs::remove_all(trial);
    fs::copy(pristine, trial, fs::copy_options::recursive);
    uint64_t at = rng() % total;
    size_t f = 0;
    while (at >= files[f].second) at -= files[f++].second;
    SCOPED_TRACE(fmt::format("byte {} of {}", at, files[f].first));
    FlipByte(trial + "/" + files[f].first, at);
    auto e = Open(trial);
    if (!e.ok()) {
      // A file naming a file that is not there (the LSM's CURRENT) is NotFound.
      EXPECT_TRUE(e.status().code() == StatusCode::kCorruption || e.status().code() == StatusCode::kNotFound)
          << e.status().ToString();
      detected++;
      continue;
    }
    uint64_t persisted = (*e)->PersistedAppliedIndex();
    ASSERT_LE(persisted, kBatches);
    Model model;
    for (uint64_t i = 1; i <= persisted; i++) ApplyBatch(i, nullptr, &model);
    bool saw_corruption = false;
    auto it = (*e)->NewIterator({});
    auto m = model.begin();
    Bytes wrong;  // the first pair the scan got wrong, if any
    for (it->SeekToFirst(); it->Valid() && wrong.empty(); it->Next(), ++m) {
      if (m == model.end() || it->key() != m->first || it->value() != m->second) wrong = Bytes(it->key());
    }
    if (!it->status().ok()) {
      EXPECT_EQ(it->status().code(), StatusCode::kCorruption) << it->status().ToString();
      saw_corruption = true;
    }
    EXPECT_TRUE(wrong.empty()) << "scan served a wrong pair at " << wrong << "; status " << it->status().ToString();
    if (wrong.empty() && it->status().ok()) {
      EXPECT_TRUE(m == model.end()) << "missing key " << m->first;
    }
    for (uint64_t k = 0; k < kBatches * 3 + 40; k += 5) {
      auto got = (*e)->Get({}, Key(k));
      if (!got.ok()) {
        EXPECT_EQ(got.status().code(), StatusCode::kCorruption) << got.status().ToString();
        saw_corruption = true;
        continue;
      }
      auto want = model.find(Key(k));
      ASSERT_EQ(got->has_value(), want != model.end()) << Key(k);
      if (want != model.end()) {
        ASSERT_EQ(**got, want->second);
      }
    }
    (saw_corruption ? detected : harmless)++;
  }
  // Many flips land in live data and must have been noticed. (The others hit bytes no
  // version uses: free pages of old versions, unused parts of meta slots, padding.)
  EXPECT_GT(detected, 15) << harmless << " flips had no visible effect";
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineCorruptionTest, ::testing::Bool(),
                         [](const auto& info) { return std::string(info.param ? "Btree" : "Lsm"); });

// The B+tree's two meta slots: the newest valid one wins, a damaged newest one falls back
// to the previous checkpoint (whose pages are kept until two newer checkpoints exist), and
// two damaged slots make the file unopenable rather than empty.
TEST(BtreeMetaTest, DamagedMetaSlotsFallBackOrFail) {
  std::string dir = ::testing::TempDir() + "/btree_meta_" + std::to_string(::getpid());
  fs::remove_all(dir);
  auto sched = std::move(io::Scheduler::Create({})).value();
  auto open = [&] { return btree::OpenBtreeEngine({.dir = dir, .scheduler = sched.get()}); };
  uint64_t generation_slot = 0;
  {
    auto e = std::move(open()).value();
    for (uint64_t i = 1; i <= 3; i++) {  // checkpoints at indexes 10, 20, 30
      WriteBatch b;
      for (int k = 0; k < 500; k++) b.Put(Key(k), fmt::format("{}", i));
      b.SetAppliedIndex(i * 10);
      ASSERT_TRUE(e->Write(b).ok());
      ASSERT_TRUE(e->Flush().ok());
    }
    generation_slot = 4 % 2;  // creation wrote generation 1; three checkpoints: 2, 3, 4
  }
  std::string file = dir + "/btree.db";
  FlipByte(file, generation_slot * 16384 + 100);  // inside the newest meta's checksummed bytes
  {
    auto e = open();
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    EXPECT_EQ((*e)->PersistedAppliedIndex(), 20u);
    auto it = (*e)->NewIterator({});
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), n++) ASSERT_EQ(it->value(), "2");
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    EXPECT_EQ(n, 500);
  }
  FlipByte(file, (1 - generation_slot) * 16384 + 100);
  auto e = open();
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kCorruption);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace strata::storage
