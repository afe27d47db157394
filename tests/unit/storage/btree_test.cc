// Unit tests of the B+tree engine: the page format, splits and merges, overflow values,
// iterators, snapshots against concurrent writes, checkpoints and reopen, free-page reuse.
// Corruption tests are in btree_corruption_test.cc; random operations in engine_model_test.cc.
#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "io/io.h"
#include "obs/metrics.h"
#include "storage/btree/btree_engine.h"
#include "storage/btree/page.h"
#include "storage/lsm/internal_key.h"
#include "storage/lsm/table_builder.h"

namespace strata::storage::btree {
namespace {

std::string TestDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/btree_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

double Property(Engine& e, const std::string& name) {
  for (const auto& p : e.Properties()) {
    if (p.name == name) return p.value;
  }
  ADD_FAILURE() << "no property " << name;
  return -1;
}

Bytes Key(int i) { return fmt::format("key{:08}", i); }

class BtreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    sched_ = std::move(io::Scheduler::Create({})).value();
    Open();
  }
  void TearDown() override {
    engine_.reset();
    sched_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open(size_t budget = 4 << 20) {
    engine_.reset();
    auto e = OpenBtreeEngine({.dir = dir_, .scheduler = sched_.get(), .memory_budget = budget});
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
  }
  void Put(const Bytes& k, const Bytes& v, uint64_t index = 0) {
    WriteBatch b;
    b.Put(k, v);
    b.SetAppliedIndex(index);
    ASSERT_TRUE(engine_->Write(b).ok());
  }
  std::optional<Bytes> Get(const Bytes& k, const Snapshot* s = nullptr) {
    ReadOptions ro;
    ro.snapshot = s;
    auto r = engine_->Get(ro, k);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }
  std::vector<Bytes> Keys(const ReadOptions& ro = {}) {
    std::vector<Bytes> out;
    auto it = engine_->NewIterator(ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->key());
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
  }

  std::string dir_;
  std::unique_ptr<io::Scheduler> sched_;
  std::unique_ptr<Engine> engine_;
};

TEST(BtreePageTest, InsertRemoveCompactAndSearch) {
  alignas(4096) static char buf[kPageSize];
  InitPage(buf, 7, PageType::kLeaf, 0, 3);
  NodePage page(buf);
  std::map<Bytes, Bytes> model;
  std::mt19937_64 rng(1);
  for (int round = 0; round < 2000; round++) {
    Bytes k = "k" + std::to_string(rng() % 300);
    bool found = false;
    int i = page.LowerBound(k, &found);
    if (found) {
      page.Remove(i);
      model.erase(k);
      continue;
    }
    Bytes payload;
    EncodeInlineValue(&payload, Bytes(rng() % 60, 'v'));
    if (page.TryInsert(i, {k, payload})) model[k] = payload;
  }
  ASSERT_EQ(page.count(), static_cast<int>(model.size()));
  int i = 0;
  for (const auto& [k, v] : model) {
    EXPECT_EQ(page.KeyAt(i), k);
    EXPECT_EQ(page.PayloadAt(i), v);
    i++;
  }
  EXPECT_TRUE(ValidateNodePage(buf).ok());
  SealPage(buf);
  EXPECT_TRUE(VerifyPage(buf, 7).ok());
  EXPECT_EQ(VerifyPage(buf, 8).code(), StatusCode::kCorruption);  // misdirected read
  buf[5000] ^= 1;
  EXPECT_EQ(VerifyPage(buf, 7).code(), StatusCode::kCorruption);
}

TEST(BtreePageTest, ShortestSeparatorLiesBetween) {
  EXPECT_EQ(ShortestSeparator("abc", "abd"), "abd");
  EXPECT_EQ(ShortestSeparator("abc", "b"), "b");
  EXPECT_EQ(ShortestSeparator("ab", "abzzz"), "abz");
  EXPECT_EQ(ShortestSeparator("", "x"), "x");
}

TEST_F(BtreeTest, SplitsGrowTheTreeAndMergesShrinkIt) {
  std::vector<int> order(20000);
  for (int i = 0; i < 20000; i++) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(2));
  for (size_t n = 0; n < order.size(); n += 100) {
    WriteBatch b;
    for (size_t j = n; j < n + 100; j++) b.Put(Key(order[j]), Bytes(1000, 'a' + order[j] % 26));
    ASSERT_TRUE(engine_->Write(b).ok());
  }
  EXPECT_GE(Property(*engine_, "tree_height"), 3);
  EXPECT_EQ(Keys().size(), 20000u);
  for (int i = 0; i < 20000; i += 997) EXPECT_EQ(Get(Key(i)), Bytes(1000, 'a' + i % 26));
  // Delete all but every 1000th key, in random order: pages merge, the tree gets lower.
  for (int i : order) {
    if (i % 1000 == 0) continue;
    WriteBatch b;
    b.Delete(Key(i));
    ASSERT_TRUE(engine_->Write(b).ok());
  }
  EXPECT_LE(Property(*engine_, "tree_height"), 2);
  ASSERT_TRUE(engine_->Flush().ok());
  // 20 values of 1 KB: a few pages, not the ~1400 leaves the tree had.
  EXPECT_LT(Property(*engine_, "file_pages") - Property(*engine_, "free_pages"), 10);
  std::vector<Bytes> keys = Keys();
  ASSERT_EQ(keys.size(), 20u);
  for (size_t i = 0; i < keys.size(); i++) EXPECT_EQ(keys[i], Key(static_cast<int>(i) * 1000));
}

// Readers search through key heads built from the pages they read; the writer changes those
// pages next. Every read after a write must see it (heads dropped and rebuilt), and the
// heads stay within their sixteenth of the budget.
TEST_F(BtreeTest, KeyHeadsFollowChangesAndStayInTheirBudget) {
  Open(1 << 20);
  std::map<int, Bytes> model;
  for (int n = 0; n < 30000; n += 500) {
    WriteBatch b;
    for (int i = n; i < n + 500; i++) b.Put(Key(i * 2), "v0");
    ASSERT_TRUE(engine_->Write(b).ok());
    for (int i = n; i < n + 500; i++) model[i * 2] = "v0";
  }
  std::mt19937_64 rng(7);
  for (int round = 1; round <= 4000; round++) {
    const int k = static_cast<int>(rng() % 60000);
    auto it = model.find(k);
    ASSERT_EQ(Get(Key(k)), it == model.end() ? std::nullopt : std::optional<Bytes>(it->second)) << k;
    Bytes v = "v" + std::to_string(round);
    if (round % 3 == 0) {
      WriteBatch b;
      b.Delete(Key(k));
      ASSERT_TRUE(engine_->Write(b).ok());
      model.erase(k);
    } else {
      Put(Key(k), v);
      model[k] = v;
    }
    ASSERT_EQ(Get(Key(k)), model.count(k) ? std::optional<Bytes>(model[k]) : std::nullopt) << k;
    const int near = k + 1 - 2 * static_cast<int>(rng() % 2);  // a neighbour on the same leaf
    ASSERT_EQ(Get(Key(near)), model.count(near) ? std::optional<Bytes>(model[near]) : std::nullopt) << near;
  }
  EXPECT_GT(Property(*engine_, "key_heads_bytes"), 0);
  EXPECT_LE(Property(*engine_, "key_heads_bytes"), (1 << 20) / 16);
}

TEST_F(BtreeTest, SequentialInsertsFillPages) {
  WriteBatch b;
  for (int i = 0; i < 50000; i++) b.Put(Key(i), Bytes(100, 'v'));
  ASSERT_TRUE(engine_->Write(b).ok());
  ASSERT_TRUE(engine_->Flush().ok());
  // 50000 cells of ~115 bytes are ~5.7 MB: nearly full pages need ~355 leaves.
  double pages = Property(*engine_, "file_pages") - Property(*engine_, "free_pages");
  EXPECT_LT(pages, 400) << "sequential inserts should leave full leaves behind";
}

TEST_F(BtreeTest, OverflowValuesUpTo64MiB) {
  std::mt19937_64 rng(3);
  Bytes big(64 << 20, '\0');
  for (auto& c : big) c = static_cast<char>(rng());
  Bytes medium(20000, 'm');
  Put("big", big, 1);
  Put("medium", medium, 2);
  Put("small", "s", 3);
  EXPECT_EQ(Get("big"), big);
  EXPECT_EQ(Get("medium"), medium);
  ASSERT_TRUE(engine_->Flush().ok());
  Open();  // a 4 MiB pool: the value is read back from disk page by page
  auto got = Get("big");
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(*got == big);
  auto it = engine_->NewIterator({});
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "big");
  EXPECT_EQ(it->value().size(), big.size());
  it.reset();  // an iterator pins its version: nothing freed after it could be reused
  // Overwriting and deleting frees the chains: the file does not keep growing.
  double pages = Property(*engine_, "file_pages");
  for (uint64_t round = 0; round < 4; round++) {
    Put("medium", Bytes(30000, 'n'), 100 + 2 * round);
    WriteBatch b;
    b.Delete("big");
    if (round % 2 == 0) b.Put("big", big.substr(0, 8 << 20));
    b.SetAppliedIndex(101 + 2 * round);
    ASSERT_TRUE(engine_->Write(b).ok());
    ASSERT_TRUE(engine_->Flush().ok());
  }
  EXPECT_LE(Property(*engine_, "file_pages"), pages + 2 * 520);
  EXPECT_FALSE(Get("big").has_value());
  EXPECT_EQ(Get("medium"), Bytes(30000, 'n'));
}

TEST_F(BtreeTest, KeysOverTheLimitAreRefusedWithoutTouchingTheTree) {
  WriteBatch b;
  b.Put("ok", "1");
  b.Put(Bytes(kMaxKeySize + 1, 'k'), "too long");
  EXPECT_EQ(engine_->Write(b).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Get("ok").has_value());  // all or nothing
  Put(Bytes(kMaxKeySize, 'k'), Bytes(5000, 'v'));
  EXPECT_EQ(Get(Bytes(kMaxKeySize, 'k')), Bytes(5000, 'v'));
}

TEST_F(BtreeTest, IteratorsInBothDirectionsWithBounds) {
  WriteBatch b;
  for (int i = 0; i < 3000; i += 3) b.Put(Key(i), "v" + std::to_string(i));
  ASSERT_TRUE(engine_->Write(b).ok());
  ReadOptions ro;
  ro.lower_bound = Key(100);
  ro.upper_bound = Key(200);
  auto it = engine_->NewIterator(ro);
  std::vector<Bytes> back;
  for (it->SeekToLast(); it->Valid(); it->Prev()) back.emplace_back(it->key());
  ASSERT_EQ(back.size(), 33u);  // 102, 105, ..., 198
  EXPECT_EQ(back.front(), Key(198));
  EXPECT_EQ(back.back(), Key(102));
  it->Seek(Key(50));  // below the lower bound: the first key in bounds
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), Key(102));
  it->SeekForPrev(Key(5000));  // past the upper bound: the last key in bounds
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), Key(198));
  it->SeekForPrev(Key(104));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), Key(102));
  it->Prev();
  EXPECT_FALSE(it->Valid());
  it->Seek(Key(199));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST_F(BtreeTest, SnapshotsStayConsistentWhileAWriterRuns) {
  WriteBatch b;
  for (int i = 0; i < 5000; i++) b.Put(Key(i), "0");
  ASSERT_TRUE(engine_->Write(b).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> round{0};
  std::thread writer([&] {
    // Every batch sets all keys of one stripe to the batch number; readers must see each
    // snapshot as whole batches.
    for (int r = 1; r <= 200; r++) {
      WriteBatch w;
      for (int i = 0; i < 5000; i += 7) w.Put(Key(i), std::to_string(r));
      w.SetAppliedIndex(r);
      ASSERT_TRUE(engine_->Write(w).ok());
      if (r % 50 == 0) {
        ASSERT_TRUE(engine_->Flush().ok());
      }
      round = r;
    }
    stop = true;
  });
  int checked = 0;
  while (!stop || checked < 5) {
    auto snap = engine_->GetSnapshot();
    ReadOptions ro;
    ro.snapshot = snap.get();
    auto it = engine_->NewIterator(ro);
    Bytes stripe_value;
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), n++) {
      if (n % 7 != 0) continue;
      if (stripe_value.empty()) stripe_value = it->value();
      ASSERT_EQ(it->value(), stripe_value) << "snapshot saw half a batch at " << it->key();
    }
    ASSERT_TRUE(it->status().ok()) << it->status().ToString();
    ASSERT_EQ(n, 5000);
    ASSERT_EQ(Get(Key(7), snap.get()), stripe_value);
    checked++;
  }
  writer.join();
  EXPECT_EQ(Get(Key(0)), "200");
}

TEST_F(BtreeTest, ReopenReturnsToTheLastCheckpoint) {
  EXPECT_EQ(engine_->PersistedAppliedIndex(), 0u);
  for (uint64_t i = 1; i <= 100; i++) Put(Key(static_cast<int>(i)), "a", i);
  ASSERT_TRUE(engine_->Flush().ok());
  EXPECT_EQ(engine_->PersistedAppliedIndex(), 100u);
  for (uint64_t i = 101; i <= 200; i++) Put(Key(static_cast<int>(i)), "b", i);
  WriteBatch del;
  del.DeleteRange(Key(1), Key(50));
  del.SetAppliedIndex(201);
  ASSERT_TRUE(engine_->Write(del).ok());
  EXPECT_EQ(engine_->AppliedIndex(), 201u);
  Open();  // no Flush: the last 101 batches are gone, the Raft log would replay them
  EXPECT_EQ(engine_->PersistedAppliedIndex(), 100u);
  EXPECT_EQ(engine_->AppliedIndex(), 100u);
  EXPECT_EQ(Keys().size(), 100u);
  EXPECT_EQ(Get(Key(1)), "a");
  EXPECT_FALSE(Get(Key(150)).has_value());
  WriteBatch stale;
  stale.SetAppliedIndex(100);
  EXPECT_EQ(engine_->Write(stale).code(), StatusCode::kInvalidArgument);
}

TEST_F(BtreeTest, FreedPagesAreReusedAcrossCheckpoints) {
  for (uint64_t round = 1; round <= 30; round++) {
    WriteBatch b;
    for (int i = 0; i < 2000; i++) b.Put(Key(i), Bytes(200, 'a' + round % 26));
    b.SetAppliedIndex(round);
    ASSERT_TRUE(engine_->Write(b).ok());
    auto snap = engine_->GetSnapshot();  // forces copies of every page changed next round
    ASSERT_TRUE(engine_->Flush().ok());
  }
  // ~28 pages live; each round replaces all of them. Reuse keeps the file at a few
  // versions' worth rather than 30 (840 pages).
  EXPECT_LT(Property(*engine_, "file_pages"), 200);
  EXPECT_GT(Property(*engine_, "pages_copied"), 0);
  Open();
  EXPECT_EQ(Get(Key(5)), Bytes(200, 'a' + 30 % 26));
}

TEST_F(BtreeTest, CheckpointCopyOpensWhileWritesGoOn) {
  for (uint64_t i = 1; i <= 500; i++) Put(Key(static_cast<int>(i)), Bytes(300, 'c'), i);
  auto copy = engine_->Checkpoint(dir_ + "/copy");
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ(*copy, 500u);
  EXPECT_EQ(engine_->Checkpoint(dir_ + "/copy").status().code(), StatusCode::kAlreadyExists);
  Put(Key(1), "later", 501);
  auto c = OpenBtreeEngine({.dir = dir_ + "/copy", .scheduler = sched_.get()});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)->PersistedAppliedIndex(), 500u);
  EXPECT_EQ(**(*c)->Get({}, Key(1)), Bytes(300, 'c'));
  auto it = (*c)->NewIterator({});
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
  EXPECT_EQ(n, 500);
  // The copy is a working engine of its own.
  WriteBatch b;
  b.Put("new", "x");
  b.SetAppliedIndex(501);
  ASSERT_TRUE((*c)->Write(b).ok());
  ASSERT_TRUE((*c)->Flush().ok());
}

TEST_F(BtreeTest, IngestAppliesSstFilesAtomicallyAndDurably) {
  Put("a", "old");
  Put("b", "old");
  Put("z", "untouched", 4);
  auto before = engine_->GetSnapshot();
  std::string sst = dir_ + "/ext.sst";
  {
    auto file = std::move(sched_->Open(sst, {.create = true})).value();
    lsm::TableBuilder tb(lsm::TableOptions{}, file.get(), io::IoClass::kFlush);
    tb.Add(lsm::MakeInternalKey("a", 0, lsm::ValueType::kValue), "new");
    tb.Add(lsm::MakeInternalKey("b", 0, lsm::ValueType::kDeletion), "");
    tb.Add(lsm::MakeInternalKey("c", 0, lsm::ValueType::kValue), "new");
    ASSERT_TRUE(tb.Finish().ok());
  }
  ASSERT_TRUE(engine_->Ingest({sst}).ok());
  EXPECT_EQ(Get("a"), "new");
  EXPECT_FALSE(Get("b").has_value());
  EXPECT_EQ(Get("c"), "new");
  EXPECT_EQ(Get("a", before.get()), "old");
  before.reset();
  Open();
  EXPECT_EQ(Get("c"), "new");
  EXPECT_EQ(Get("z"), "untouched");
}

TEST_F(BtreeTest, IteratorAndSnapshotMayOutliveTheEngine) {
  WriteBatch b;
  for (int i = 0; i < 2000; i++) b.Put(Key(i), Bytes(100, 'v'));
  b.SetAppliedIndex(1);
  ASSERT_TRUE(engine_->Write(b).ok());
  ASSERT_TRUE(engine_->Flush().ok());
  auto snapshot = engine_->GetSnapshot();
  ReadOptions ro;
  ro.snapshot = snapshot.get();
  auto it = engine_->NewIterator(ro);
  it->SeekToFirst();
  engine_.reset();
  int n = 0;
  for (; it->Valid(); it->Next()) n++;
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(n, 2000);
  it.reset();
  snapshot.reset();
}

TEST_F(BtreeTest, PropertiesAreExportedAsMetrics) {
  obs::Registry registry;
  engine_.reset();
  auto e = OpenBtreeEngine({.dir = dir_, .scheduler = sched_.get(), .registry = &registry});
  ASSERT_TRUE(e.ok());
  WriteBatch b;
  b.Put("k", "v");
  b.SetAppliedIndex(3);
  ASSERT_TRUE((*e)->Write(b).ok());
  ASSERT_TRUE((*e)->Flush().ok());
  std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("stratadb_btree_checkpoints_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_btree_persisted_applied_index 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_btree_tree_height 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_btree_buffer_pool_hits_total"), std::string::npos);
  e->reset();
  EXPECT_EQ(registry.RenderPrometheus().find("stratadb_btree_"), std::string::npos);
}

}  // namespace
}  // namespace strata::storage::btree
