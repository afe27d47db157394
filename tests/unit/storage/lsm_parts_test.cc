// Unit tests of the LSM's parts: blocks, bloom filters, SST files (including corruption and
// values larger than a block), the MANIFEST (torn tails and corruption), write batches.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/checksum.h"
#include "common/coding.h"
#include "io/io.h"
#include "obs/metrics.h"
#include "storage/lsm/block.h"
#include "storage/lsm/block_cache.h"
#include "storage/lsm/bloom.h"
#include "storage/lsm/engine_impl.h"
#include "storage/lsm/manifest.h"
#include "storage/lsm/table.h"
#include "storage/lsm/table_builder.h"
#include "storage/write_batch.h"

namespace strata::storage::lsm {
namespace {

int BytewiseCompare(Slice a, Slice b) { return a.compare(b); }

std::string TestDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/lsm_parts_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void FlipByte(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x40));
}

TEST(BlockTest, SeekNextPrevOverPrefixCompressedKeys) {
  BlockBuilder b(4);
  std::vector<std::string> keys;
  for (int i = 0; i < 100; i++) keys.push_back("key" + std::to_string(1000 + i * 2));
  for (const auto& k : keys) b.Add(k, "v" + k);
  Bytes contents(b.Finish());
  auto it = NewBlockIterator(contents, BytewiseCompare, nullptr);
  size_t i = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ASSERT_EQ(it->key(), keys[i++]);
  EXPECT_EQ(i, keys.size());
  for (it->SeekToLast(); it->Valid(); it->Prev()) ASSERT_EQ(it->key(), keys[--i]);
  EXPECT_EQ(i, 0u);
  it->Seek("key1051");  // between 1050 and 1052
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "key1052");
  EXPECT_EQ(it->value(), "vkey1052");
  it->Seek("key9");
  EXPECT_FALSE(it->Valid());
}

// Walks a block that may be garbage and checks what a reader may rely on: iteration ends
// (every entry takes at least 3 bytes), values lie inside the block, keys come back sorted
// and the same both ways, Seek lands at or after its target; otherwise the status says
// Corruption. Returns whether the block read cleanly.
bool CheckBlockReader(const Bytes& block) {
  auto it = NewBlockIterator(block, BytewiseCompare, nullptr);
  std::vector<Bytes> forward;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    EXPECT_LE(forward.size(), block.size() / 3) << "iteration does not end";
    if (forward.size() > block.size() / 3) return false;
    EXPECT_GE(it->value().data(), block.data());
    EXPECT_LE(it->value().data() + it->value().size(), block.data() + block.size());
    forward.emplace_back(it->key());
  }
  if (!it->status().ok()) {
    EXPECT_EQ(it->status().code(), StatusCode::kCorruption) << it->status().ToString();
    it->Seek("abc");
    EXPECT_FALSE(it->Valid());
    return false;
  }
  // A clean read of a block must be the same read both ways. (Key order is the block
  // checksum's business: a changed key byte can still parse.)
  std::vector<Bytes> backward;
  for (it->SeekToLast(); it->Valid() && backward.size() <= forward.size(); it->Prev()) backward.emplace_back(it->key());
  EXPECT_TRUE(it->status().ok());
  std::reverse(backward.begin(), backward.end());
  EXPECT_EQ(backward, forward);
  if (std::is_sorted(forward.begin(), forward.end())) {
    for (const Bytes& target : {Bytes("abc"), forward.empty() ? Bytes("k") : forward[forward.size() / 2]}) {
      it->Seek(target);
      auto first_at_or_after = std::lower_bound(forward.begin(), forward.end(), target);
      EXPECT_EQ(it->Valid(), first_at_or_after != forward.end());
      if (it->Valid()) {
        EXPECT_EQ(Bytes(it->key()), *first_at_or_after);
      }
    }
  }
  return true;
}

TEST(BlockTest, GarbageIsCorruptionNotCrash) {
  std::mt19937_64 rng(7);
  int clean = 0, corrupt = 0;
  for (int n = 0; n < 4000; n++) {
    Bytes block;
    if (n % 2 == 0) {
      // Pure noise: rarely even has a plausible restart array.
      block.resize(rng() % 64);
      for (char& c : block) c = static_cast<char>(rng());
    } else {
      // A well-formed block with a few bytes changed: damage the reader must notice.
      BlockBuilder b(1 + rng() % 4);
      int entries = 1 + static_cast<int>(rng() % 20);
      for (int i = 0; i < entries; i++) b.Add(fmt::format("key{:04}", i * 3), fmt::format("value{}", i));
      block = Bytes(b.Finish());
      for (int flips = 1 + static_cast<int>(rng() % 3); flips > 0; flips--) block[rng() % block.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    (CheckBlockReader(block) ? clean : corrupt)++;
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "block #" << n << " of " << block.size() << " bytes";
      return;
    }
  }
  // Both outcomes occur, so both paths above were exercised.
  EXPECT_GT(clean, 100);
  EXPECT_GT(corrupt, 100);
}

TEST(BloomTest, NoFalseNegativesAndLowFalsePositiveRate) {
  EXPECT_EQ(OptimalProbes(10), 7);
  BloomBuilder b(10);
  for (int i = 0; i < 10000; i++) b.AddKey("present" + std::to_string(i));
  Bytes filter = b.Finish();
  for (int i = 0; i < 10000; i++) ASSERT_TRUE(BloomMayContain(filter, "present" + std::to_string(i)));
  int fp = 0;
  for (int i = 0; i < 10000; i++) fp += BloomMayContain(filter, "absent" + std::to_string(i));
  EXPECT_LT(fp, 200) << "false-positive rate " << fp / 100.0 << "% (theory ~0.8%)";
  EXPECT_TRUE(BloomMayContain("", "anything"));  // empty filter never hides data
}

BlockRef Block(size_t n) { return std::make_shared<const Bytes>(n, 'b'); }

TEST(BlockCacheTest, HitsMissesAndByteBudget) {
  BlockCache cache(16 * 64 * 1024);  // 64 KiB per shard
  cache.Insert(1, 0, Block(1000));
  EXPECT_NE(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.Lookup(1, 4096), nullptr);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  for (uint64_t i = 0; i < 10000; i++) cache.Insert(2, i * 4096, Block(1000));
  EXPECT_LE(cache.usage(), cache.capacity());
  EXPECT_GT(cache.usage(), cache.capacity() / 2);
  cache.SetCapacity(16 * 8 * 1024);
  EXPECT_LE(cache.usage(), 16u * 8 * 1024);
}

TEST(BlockCacheTest, ScanDoesNotEvictTheFrequentlyUsedSet) {
  BlockCache cache(16 * 64 * 1024);
  // A hot set of ~1/4 of the capacity, read twice (so it is "frequent").
  std::vector<uint64_t> hot;
  for (uint64_t i = 0; i < 200; i++) hot.push_back(i * 4096);
  for (int round = 0; round < 2; round++) {
    for (uint64_t off : hot) {
      if (!cache.Lookup(1, off)) cache.Insert(1, off, Block(1000));
    }
  }
  // A long scan of blocks read once, 10x the capacity.
  for (uint64_t i = 0; i < 10000; i++) {
    if (!cache.Lookup(2, i * 4096)) cache.Insert(2, i * 4096, Block(1000));
  }
  int still_cached = 0;
  for (uint64_t off : hot) still_cached += cache.Lookup(1, off) != nullptr;
  EXPECT_GT(still_cached, 180) << "an LRU cache would keep none of them";
}

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    sched_ = std::move(io::Scheduler::Create({})).value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes keys k000..k{n-1} (one version each) and returns the file size.
  uint64_t Build(const std::string& path, int n, size_t value_size, Compression c) {
    auto file = std::move(sched_->Open(path, {.create = true, .direct = true})).value();
    TableOptions o;
    o.compression = c;
    TableBuilder b(o, file.get(), io::IoClass::kFlush);
    for (int i = 0; i < n; i++) {
      char key[16];
      snprintf(key, sizeof key, "k%05d", i);
      b.Add(MakeInternalKey(key, 100 + i, ValueType::kValue), Bytes(value_size, static_cast<char>('a' + i % 26)));
    }
    EXPECT_TRUE(b.Finish().ok());
    return b.file_size();
  }
  std::shared_ptr<Table> OpenTable(const std::string& path, uint64_t size) {
    auto file = std::move(sched_->Open(path, {.read_only = true, .direct = true})).value();
    auto t = Table::Open(std::move(file), 1, size, nullptr, nullptr);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : nullptr;
  }

  std::string dir_;
  std::unique_ptr<io::Scheduler> sched_;
};

TEST_F(TableTest, RoundTripWithEachCompression) {
  for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
    std::string path = dir_ + "/t" + std::to_string(static_cast<int>(c)) + ".sst";
    uint64_t size = Build(path, 3000, 100, c);
    EXPECT_EQ(std::filesystem::file_size(path), size);
    auto t = OpenTable(path, size);
    ASSERT_TRUE(t);
    auto got = t->Get("k01234", kMaxSequence, true);
    ASSERT_TRUE(got.ok());
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->value, Bytes(100, static_cast<char>('a' + 1234 % 26)));
    EXPECT_FALSE(t->Get("k01234", 100 + 1233, true)->has_value());  // snapshot before it
    EXPECT_FALSE(t->Get("nope", kMaxSequence, true)->has_value());
    auto it = t->NewIterator(true, true);
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
    EXPECT_EQ(n, 3000);
  }
}

TEST_F(TableTest, ValueLargerThanABlock) {
  std::string path = dir_ + "/big.sst";
  uint64_t size = Build(path, 3, 5 << 20, Compression::kLz4);
  auto t = OpenTable(path, size);
  ASSERT_TRUE(t);
  auto got = t->Get("k00002", kMaxSequence, false);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->value.size(), 5u << 20);
  EXPECT_EQ((*got)->value, Bytes(5 << 20, 'c'));
}

TEST_F(TableTest, FlippedByteIsCorruptionWithFileAndOffset) {
  std::string path = dir_ + "/c.sst";
  uint64_t size = Build(path, 2000, 100, Compression::kNone);
  FlipByte(path, 100);  // inside the first data block
  auto t = OpenTable(path, size);
  ASSERT_TRUE(t);
  auto got = t->Get("k00000", kMaxSequence, true);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kCorruption);
  EXPECT_NE(got.status().message().find("c.sst at offset 0"), std::string::npos) << got.status().ToString();
  auto it = t->NewIterator(true, true);
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_EQ(it->status().code(), StatusCode::kCorruption);

  FlipByte(path, size - 3);  // the footer's magic
  auto file = std::move(sched_->Open(path, {.read_only = true})).value();
  auto bad = Table::Open(std::move(file), 1, size, nullptr, nullptr);
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
}

TEST(ManifestTest, TornTailIgnoredMidFileCorruptionReported) {
  std::string dir = TestDir("manifest");
  auto sched = std::move(io::Scheduler::Create({})).value();
  std::string path = dir + "/" + ManifestFileName(1);
  {
    auto w = std::move(ManifestWriter::Create(sched.get(), path)).value();
    for (uint64_t i = 1; i <= 3; i++) {
      VersionEdit e;
      e.persisted_applied_index = i;
      ASSERT_TRUE(w->Append(e).ok());
    }
  }
  uint64_t full = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, full - 2);  // a torn last record
  auto c = ReadManifest(sched.get(), path);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->torn_tail);
  ASSERT_EQ(c->edits.size(), 2u);
  EXPECT_EQ(*c->edits[1].persisted_applied_index, 2u);

  FlipByte(path, 8 + 16 + 1);  // inside the first record's payload (after file and record headers)
  auto bad = ReadManifest(sched.get(), path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("offset 8"), std::string::npos) << bad.status().ToString();
  std::filesystem::remove_all(dir);
}

// The record length used to be outside every checksum: a damaged length that ran past the
// end of the file looked like a torn tail, and every later edit was dropped in silence.
TEST(ManifestTest, DamagedLengthIsCorruptionNotATornTail) {
  std::string dir = TestDir("manifest_length");
  auto sched = std::move(io::Scheduler::Create({})).value();
  std::string path = dir + "/" + ManifestFileName(1);
  std::vector<uint64_t> offsets;
  {
    auto w = std::move(ManifestWriter::Create(sched.get(), path)).value();
    for (uint64_t i = 1; i <= 3; i++) {
      offsets.push_back(std::filesystem::file_size(path));
      VersionEdit e;
      e.persisted_applied_index = i;
      ASSERT_TRUE(w->Append(e).ok());
    }
  }
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offsets[1] + 2));  // the second record's length: now ~16 MiB
    f.put(static_cast<char>(0x01));
  }
  auto c = ReadManifest(sched.get(), path);
  ASSERT_FALSE(c.ok()) << "read " << c->edits.size() << " edits, torn_tail=" << c->torn_tail;
  EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
  EXPECT_NE(c.status().message().find(fmt::format("offset {}", offsets[1])), std::string::npos) << c.status().ToString();
  std::filesystem::remove_all(dir);
}

// MANIFESTs written before format 2 (no file header, length outside the checksum) still
// open; the engine then writes a format-2 one.
TEST(ManifestTest, FormatOneFilesAreStillRead) {
  std::string dir = TestDir("manifest_v1");
  auto sched = std::move(io::Scheduler::Create({})).value();
  Bytes v1;
  for (uint64_t i = 1; i <= 2; i++) {
    VersionEdit e;
    e.next_file_number = 10;
    e.persisted_applied_index = i;
    Bytes payload = e.Encode();
    PutFixed32(&v1, static_cast<uint32_t>(payload.size()));
    PutFixed64(&v1, Checksum64(payload));
    v1 += payload;
  }
  std::ofstream(dir + "/" + ManifestFileName(1), std::ios::binary) << v1;
  ASSERT_TRUE(SetCurrentManifest(dir, 1).ok());
  auto c = ReadManifest(sched.get(), dir + "/" + ManifestFileName(1));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->edits.size(), 2u);
  EXPECT_FALSE(c->torn_tail);
  LsmOptions o;
  o.dir = dir;
  o.scheduler = sched.get();
  {
    auto e = std::move(OpenLsmEngine(o)).value();
    EXPECT_EQ(e->PersistedAppliedIndex(), 2u);
  }
  auto reopened = OpenLsmEngine(o);  // now from the format-2 MANIFEST written at the first open
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->PersistedAppliedIndex(), 2u);
  std::ifstream current(dir + "/" + *ReadCurrentManifest(dir), std::ios::binary);
  std::string magic(4, '\0');
  current.read(magic.data(), 4);
  EXPECT_EQ(magic, "STMF");
  std::filesystem::remove_all(dir);
}

TEST(EngineCorruptionTest, CorruptSstAndManifestAreClearErrors) {
  std::string dir = TestDir("engine_corrupt");
  auto sched = std::move(io::Scheduler::Create({})).value();
  LsmOptions o;
  o.dir = dir;
  o.scheduler = sched.get();
  o.background_compaction = false;
  {
    auto e = std::move(OpenLsmEngine(o)).value();
    WriteBatch b;
    for (int i = 0; i < 1000; i++) b.Put("key" + std::to_string(i), Bytes(50, 'v'));
    b.SetAppliedIndex(7);
    ASSERT_TRUE(e->Write(b).ok());
    ASSERT_TRUE(e->Flush().ok());
    EXPECT_EQ(e->PersistedAppliedIndex(), 7u);
  }
  std::string sst;
  for (const auto& p : std::filesystem::directory_iterator(dir)) {
    if (p.path().extension() == ".sst") sst = p.path();
  }
  ASSERT_FALSE(sst.empty());
  FlipByte(sst, 10);
  {
    auto e = std::move(OpenLsmEngine(o)).value();
    EXPECT_EQ(e->PersistedAppliedIndex(), 7u);
    auto got = e->Get({}, "key0");
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kCorruption);
    EXPECT_NE(got.status().message().find(".sst at offset"), std::string::npos);
  }
  auto current = ReadCurrentManifest(dir);
  ASSERT_TRUE(current.ok());
  FlipByte(dir + "/" + *current, 20);
  auto reopened = OpenLsmEngine(o);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kCorruption);
  std::filesystem::remove_all(dir);
}

TEST(EngineRecoveryTest, TornManifestTailKeepsUnreferencedFiles) {
  std::string dir = TestDir("engine_torn_manifest");
  auto sched = std::move(io::Scheduler::Create({})).value();
  LsmOptions o;
  o.dir = dir;
  o.scheduler = sched.get();
  o.background_compaction = false;
  {
    auto e = std::move(OpenLsmEngine(o)).value();
    for (uint64_t i = 1; i <= 2; i++) {  // two flushes: two MANIFEST edits, two SSTs
      WriteBatch b;
      b.Put("k" + std::to_string(i), "v");
      b.SetAppliedIndex(i);
      ASSERT_TRUE(e->Write(b).ok());
      ASSERT_TRUE(e->Flush().ok());
    }
  }
  auto ssts = [&] {
    int n = 0;
    for (const auto& p : std::filesystem::directory_iterator(dir)) n += p.path().extension() == ".sst";
    return n;
  };
  ASSERT_EQ(ssts(), 2);
  // Cut the last MANIFEST record (the second flush's edit) short, as a crash mid-append would.
  std::string manifest = dir + "/" + *ReadCurrentManifest(dir);
  std::filesystem::resize_file(manifest, std::filesystem::file_size(manifest) - 3);
  auto e = OpenLsmEngine(o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(ssts(), 2);  // the file the lost record named was not deleted
  EXPECT_EQ((*e)->PersistedAppliedIndex(), 1u);  // the torn edit was never acknowledged
  std::filesystem::remove_all(dir);
}

TEST(EngineMetricsTest, PropertiesAreExportedAndRemovedWithTheEngine) {
  std::string dir = TestDir("engine_metrics");
  auto sched = std::move(io::Scheduler::Create({})).value();
  obs::Registry registry;
  LsmOptions o;
  o.dir = dir;
  o.scheduler = sched.get();
  o.registry = &registry;
  {
    auto e = std::move(OpenLsmEngine(o)).value();
    WriteBatch b;
    b.Put("k", "v");
    b.SetAppliedIndex(3);
    ASSERT_TRUE(e->Write(b).ok());
    ASSERT_TRUE(e->Flush().ok());
    ASSERT_TRUE(e->Get({}, "k").ok());
    std::string text = registry.RenderPrometheus();
    EXPECT_NE(text.find("stratadb_lsm_flushes_total 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("stratadb_lsm_persisted_applied_index 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("stratadb_lsm_level_files{level=\"0\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("stratadb_lsm_block_cache_hits_total"), std::string::npos);
  }
  EXPECT_EQ(registry.RenderPrometheus().find("stratadb_lsm_flushes_total"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(EngineIngestTest, IngestedFilesShadowOlderDataAtomically) {
  std::string dir = TestDir("engine_ingest");
  auto sched = std::move(io::Scheduler::Create({})).value();
  LsmOptions o;
  o.dir = dir + "/db";
  o.scheduler = sched.get();
  auto e = std::move(OpenLsmEngine(o)).value();
  WriteBatch b;
  b.Put("a", "old");
  b.Put("b", "old");
  b.Put("z", "untouched");
  ASSERT_TRUE(e->Write(b).ok());
  auto before = e->GetSnapshot();
  // An external file: a newer "a", a deletion of "b", a new "c".
  std::string sst = dir + "/ext.sst";
  {
    auto file = std::move(sched->Open(sst, {.create = true})).value();
    TableBuilder tb(TableOptions{}, file.get(), io::IoClass::kFlush);
    tb.Add(MakeInternalKey("a", 0, ValueType::kValue), "new");
    tb.Add(MakeInternalKey("b", 0, ValueType::kDeletion), "");
    tb.Add(MakeInternalKey("c", 0, ValueType::kValue), "new");
    ASSERT_TRUE(tb.Finish().ok());
  }
  ASSERT_TRUE(e->Ingest({sst}).ok());
  EXPECT_EQ(**e->Get({}, "a"), "new");
  EXPECT_FALSE(e->Get({}, "b")->has_value());
  EXPECT_EQ(**e->Get({}, "c"), "new");
  EXPECT_EQ(**e->Get({}, "z"), "untouched");
  ReadOptions old_view;
  old_view.snapshot = before.get();
  EXPECT_EQ(**e->Get(old_view, "a"), "old");  // a snapshot from before does not see it
  EXPECT_FALSE(e->Get(old_view, "c")->has_value());
  // A later write still wins over the ingested data, also after a reopen.
  WriteBatch later;
  later.Put("a", "latest");
  later.SetAppliedIndex(9);
  ASSERT_TRUE(e->Write(later).ok());
  ASSERT_TRUE(e->Flush().ok());
  before.reset();
  e.reset();
  e = std::move(OpenLsmEngine(o)).value();
  EXPECT_EQ(**e->Get({}, "a"), "latest");
  EXPECT_EQ(**e->Get({}, "c"), "new");
  std::filesystem::remove_all(dir);
}

TEST(EngineFaultTest, FullDiskDuringFlushRetriesAndResumesWhenSpaceReturns) {
  std::string dir = TestDir("engine_enospc");
  io::FaultInjector faults;
  auto sched = std::move(io::Scheduler::Create({.faults = &faults})).value();
  obs::Registry registry;
  LsmOptions o;
  o.dir = dir;
  o.scheduler = sched.get();
  o.registry = &registry;
  o.memtable_bytes = 64 << 10;  // small: the writes below would stall on sealed memtables
  o.max_immutable_memtables = 1;
  o.no_space_retry_interval = std::chrono::milliseconds(20);
  {
    auto e = std::move(OpenLsmEngine(o)).value();
    WriteBatch first;
    first.Put("a", "1");
    first.SetAppliedIndex(1);
    ASSERT_TRUE(e->Write(first).ok());
    ASSERT_TRUE(e->Flush().ok());
    faults.Add({.op = io::IoOp::kWrite, .action = io::FaultRule::Action::kError, .error = ENOSPC,
                .path_contains = ".sst", .times = -1});
    WriteBatch second;
    second.Put("b", "2");
    second.SetAppliedIndex(2);
    ASSERT_TRUE(e->Write(second).ok());
    Status s = e->Flush();
    EXPECT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
    EXPECT_EQ(e->space_error().code(), StatusCode::kNoSpace);
    EXPECT_TRUE(e->background_error().ok());  // not a stop: retried
    EXPECT_EQ(e->PersistedAppliedIndex(), 1u);
    EXPECT_NE(registry.RenderPrometheus().find("stratadb_lsm_disk_full 1\n"), std::string::npos);
    // Writes neither fail nor hang while the disk is full: far more than the memtable
    // budget goes in (the Raft apply thread must not block on a flush that cannot finish).
    for (uint64_t i = 3; i <= 200; i++) {
      WriteBatch b;
      b.Put("k" + std::to_string(i), Bytes(1000, 'x'));
      b.SetAppliedIndex(i);
      ASSERT_TRUE(e->Write(b).ok()) << i;
    }
    EXPECT_EQ(**e->Get({}, "a"), "1");  // reads are served
    EXPECT_EQ(**e->Get({}, "k200"), Bytes(1000, 'x'));
    // No partial SST of the failed attempts is left holding space: only the first flush's.
    // A retry runs every 20 ms and holds its file while it writes, so a listing can catch
    // one in flight (seen under ASan): a leaked file would be there at every look.
    auto count_ssts = [&dir] {
      int n = 0;
      for (const auto& p : std::filesystem::directory_iterator(dir)) n += p.path().extension() == ".sst";
      return n;
    };
    int ssts = count_ssts();
    for (int look = 0; look < 50 && ssts != 1; look++) {
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
      ssts = count_ssts();
    }
    EXPECT_EQ(ssts, 1);
    faults.Clear();  // space returns: the retried flush succeeds, no restart
    for (int i = 0; i < 500 && !e->space_error().ok(); i++) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(e->space_error().ok());
    ASSERT_TRUE(e->Flush().ok());
    EXPECT_EQ(e->PersistedAppliedIndex(), 200u);
    EXPECT_NE(registry.RenderPrometheus().find("stratadb_lsm_disk_full 0\n"), std::string::npos);
  }
  faults.Clear();
  o.registry = nullptr;
  auto e = std::move(OpenLsmEngine(o)).value();
  EXPECT_EQ(e->PersistedAppliedIndex(), 200u);
  EXPECT_EQ(**e->Get({}, "b"), "2");
  EXPECT_EQ(**e->Get({}, "k200"), Bytes(1000, 'x'));
  std::filesystem::remove_all(dir);
}

TEST(EngineFaultTest, FlushWithoutBackgroundThreadReportsNoSpace) {
  std::string dir = TestDir("engine_enospc_inline");
  io::FaultInjector faults;
  auto sched = std::move(io::Scheduler::Create({.faults = &faults})).value();
  LsmOptions o;
  o.dir = dir;
  o.scheduler = sched.get();
  o.background_compaction = false;
  auto e = std::move(OpenLsmEngine(o)).value();
  faults.Add({.op = io::IoOp::kWrite, .error = ENOSPC, .path_contains = ".sst", .times = -1});
  WriteBatch b;
  b.Put("a", "1");
  b.SetAppliedIndex(1);
  ASSERT_TRUE(e->Write(b).ok());
  EXPECT_EQ(e->Flush().code(), StatusCode::kNoSpace);
  faults.Clear();
  EXPECT_TRUE(e->Flush().ok());
  EXPECT_EQ(e->PersistedAppliedIndex(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(EngineRecoveryTest, OrphanTablesPastSixDigitsAreDeleted) {
  std::string dir = TestDir("engine_orphans");
  auto sched = std::move(io::Scheduler::Create({})).value();
  LsmOptions o;
  o.dir = dir;
  o.scheduler = sched.get();
  {
    auto e = std::move(OpenLsmEngine(o)).value();
    WriteBatch b;
    b.Put("k", "v");
    b.SetAppliedIndex(1);
    ASSERT_TRUE(e->Write(b).ok());
    ASSERT_TRUE(e->Flush().ok());
  }
  // Leftovers of flushes that crashed before their MANIFEST edit, file numbers of every size.
  for (const char* name : {"000099.sst", "1000000.sst", "12345678901234.sst"}) std::ofstream(dir + "/" + name) << "junk";
  std::ofstream(dir + "/notes.sst") << "not ours";  // not a table name: left alone
  auto e = std::move(OpenLsmEngine(o)).value();
  EXPECT_FALSE(std::filesystem::exists(dir + "/000099.sst"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/1000000.sst"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/12345678901234.sst"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/notes.sst"));
  EXPECT_EQ(**e->Get({}, "k"), "v");
  uint64_t n = 0;
  EXPECT_TRUE(ParseTableFileName(TableFileName(1234567), &n));
  EXPECT_EQ(n, 1234567u);
  EXPECT_FALSE(ParseTableFileName("12345.sst", &n));
  EXPECT_FALSE(ParseTableFileName("0001234567.sst", &n));  // not how 1234567 is spelled
  EXPECT_FALSE(ParseTableFileName("99999999999999999999.sst", &n));  // past uint64
  std::filesystem::remove_all(dir);
}

// A reader may finish after the engine is gone (a snapshot or iterator released late):
// what it holds must keep what it touches alive. Run under ASan to see a use after free.
TEST(EngineLifetimeTest, SnapshotAndIteratorMayOutliveTheEngine) {
  std::string dir = TestDir("engine_outlive");
  auto sched = std::move(io::Scheduler::Create({})).value();
  LsmOptions o;
  o.dir = dir;
  o.scheduler = sched.get();
  auto e = std::move(OpenLsmEngine(o)).value();
  WriteBatch b;
  for (int i = 0; i < 2000; i++) b.Put(fmt::format("key{:05}", i), Bytes(100, 'v'));
  b.SetAppliedIndex(1);
  ASSERT_TRUE(e->Write(b).ok());
  ASSERT_TRUE(e->Flush().ok());  // the data now lives in an SST read through the block cache
  std::shared_ptr<const Snapshot> snapshot = e->GetSnapshot();
  ReadOptions ro;
  ro.snapshot = snapshot.get();
  std::unique_ptr<Iterator> it = e->NewIterator(ro);
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  e.reset();
  int n = 0;
  for (; it->Valid(); it->Next()) n++;  // reads blocks: cache and statistics of a dead engine
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  EXPECT_EQ(n, 2000);
  it.reset();
  snapshot.reset();  // releases its sequence in the dead engine's snapshot list
  std::filesystem::remove_all(dir);
}

TEST(WriteBatchTest, RoundTripAndCorruption) {
  WriteBatch b;
  b.Put("a", "1");
  b.Delete("b");
  b.DeleteRange("c", "d");
  b.SetAppliedIndex(42);
  auto copy = WriteBatch::FromRep(b.rep());
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy->count(), 3u);
  EXPECT_EQ(copy->applied_index(), 42u);
  Bytes bad(b.rep());
  bad.pop_back();
  EXPECT_FALSE(WriteBatch::FromRep(bad).ok());
  EXPECT_FALSE(WriteBatch::FromRep("short").ok());
}

}  // namespace
}  // namespace strata::storage::lsm
