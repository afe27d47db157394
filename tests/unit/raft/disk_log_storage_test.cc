// The durable Raft log: group-committed batches, recovery, conflicts, compaction, torn
// tails (dropped) versus damaged acknowledged data (refused).
#include "raft/disk_log_storage.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace strata::raft {
namespace {

class DiskLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/disk_log_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    sched_ = std::move(io::Scheduler::Create({})).value();
  }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open(uint64_t segment_bytes = 64 << 20, uint64_t cache_bytes = UINT64_MAX) {
    log_.reset();
    auto l = DiskLogStorage::Open(
        {.dir = dir_, .scheduler = sched_.get(), .segment_bytes = segment_bytes, .cache_bytes = cache_bytes},
        ConfState{{1, 2, 3}, {}});
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    log_ = std::move(l).value();
  }
  static std::vector<Entry> Make(LogIndex from, LogIndex to, Term term, size_t size = 100) {
    std::vector<Entry> out;
    for (LogIndex i = from; i <= to; i++) out.push_back({term, i, EntryType::kNormal, Bytes(size, char('a' + i % 26))});
    return out;
  }
  std::vector<std::string> Segments() {
    std::vector<std::string> out;
    for (const auto& p : std::filesystem::directory_iterator(dir_)) out.push_back(p.path());
    std::sort(out.begin(), out.end());
    return out;
  }
  static void FlipByte(const std::string& path, uint64_t offset) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x20));
  }

  std::string dir_;
  std::unique_ptr<io::Scheduler> sched_;
  std::unique_ptr<DiskLogStorage> log_;
};

TEST_F(DiskLogTest, BootstrapEntriesAndHardStateSurviveReopen) {
  Open();
  InitialState st = log_->GetInitialState();
  EXPECT_EQ(st.snapshot.index, kBootstrapIndex);
  EXPECT_EQ(st.snapshot.conf.voters, (std::vector<NodeId>{1, 2, 3}));
  EXPECT_EQ(st.hard_state, (HardState{kBootstrapTerm, kNoNode, kBootstrapIndex}));  // as MemoryLogStorage
  EXPECT_EQ(log_->FirstIndex(), 2u);
  HardState hs{3, 2, 40};
  ASSERT_TRUE(log_->Save(&hs, Make(2, 50, 3)).ok());
  ASSERT_TRUE(log_->Save(nullptr, Make(51, 100, 3)).ok());
  Open();
  EXPECT_EQ(log_->GetInitialState().hard_state, hs);
  EXPECT_EQ(log_->FirstIndex(), 2u);
  EXPECT_EQ(log_->LastIndex(), 100u);
  auto entries = log_->Entries(2, 101, UINT64_MAX);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(*entries, Make(2, 100, 3));
  EXPECT_EQ(*log_->TermAt(1), kBootstrapTerm);
  EXPECT_EQ(*log_->TermAt(77), 3u);
  EXPECT_FALSE(log_->TermAt(101).ok());
  auto limited = log_->Entries(2, 101, 250);
  EXPECT_EQ(limited->size(), 2u);  // stops once max_bytes is exceeded (at least one)
}

// A Ready whose entries add up to more than one batch may carry (several large transactions
// committed together) is written as several batches, not refused by an assertion; an entry
// that could never fit is an error, not a crash.
TEST_F(DiskLogTest, OversizedGroupCommitIsSplitIntoBatches) {
  log_.reset();
  auto l = DiskLogStorage::Open({.dir = dir_, .scheduler = sched_.get(), .max_batch_payload = 64 << 10},
                                ConfState{{1, 2, 3}, {}});
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  log_ = std::move(l).value();
  uint64_t before = log_->bytes_written();
  HardState hs{2, 1, 11};
  ASSERT_TRUE(log_->Save(&hs, Make(2, 11, 2, 20 << 10)).ok());  // 200 KiB in 20 KiB entries
  EXPECT_GE(log_->bytes_written() - before, 4u * 4096);         // at least four batches
  EXPECT_FALSE(log_->Save(nullptr, Make(12, 12, 2, 70 << 10)).ok());
  Open();
  EXPECT_EQ(log_->LastIndex(), 11u);
  EXPECT_EQ(log_->GetInitialState().hard_state, hs);
  EXPECT_EQ(*log_->Entries(2, 12, UINT64_MAX), Make(2, 11, 2, 20 << 10));
}

TEST_F(DiskLogTest, ConflictingAppendTruncatesTheSuffixDurably) {
  Open();
  ASSERT_TRUE(log_->Save(nullptr, Make(2, 100, 2)).ok());
  ASSERT_TRUE(log_->Save(nullptr, Make(60, 70, 5)).ok());
  EXPECT_EQ(log_->LastIndex(), 70u);
  Open();
  EXPECT_EQ(log_->LastIndex(), 70u);
  EXPECT_EQ(*log_->TermAt(59), 2u);
  EXPECT_EQ(*log_->TermAt(60), 5u);
}

TEST_F(DiskLogTest, SegmentsRollAndCompactionDeletesOldOnes) {
  Open(/*segment_bytes=*/16 << 10);
  for (LogIndex i = 2; i <= 400; i += 20) ASSERT_TRUE(log_->Save(nullptr, Make(i, i + 19, 2, 300)).ok());
  size_t before = log_->segment_count();
  EXPECT_GT(before, 5u);
  ASSERT_TRUE(log_->Compact(300, ConfState{{1, 2, 3}, {}}).ok());
  EXPECT_LT(log_->segment_count(), before);
  EXPECT_EQ(log_->FirstIndex(), 301u);
  Open(16 << 10);
  EXPECT_EQ(log_->FirstIndex(), 301u);
  EXPECT_EQ(log_->LastIndex(), 401u);  // batches of 20 from 2: the last is 382..401
  EXPECT_EQ(*log_->TermAt(300), 2u);  // the compaction point keeps its term
  EXPECT_EQ(*log_->Entries(301, 402, UINT64_MAX), Make(301, 401, 2, 300));
}

TEST_F(DiskLogTest, TornLastBatchIsDroppedOnRecovery) {
  Open();
  ASSERT_TRUE(log_->Save(nullptr, Make(2, 10, 2)).ok());
  ASSERT_TRUE(log_->Save(nullptr, Make(11, 20, 2)).ok());  // the batch a crash tears
  log_.reset();
  std::string seg = Segments().back();
  // Batches: bootstrap marks at 0, entries 2..10 at 4096, entries 11..20 at 8192.
  FlipByte(seg, 8192 + 100);
  Open();
  EXPECT_EQ(log_->LastIndex(), 10u);
  ASSERT_TRUE(log_->Save(nullptr, Make(11, 12, 3)).ok());  // writing goes on over the torn batch
  Open();
  EXPECT_EQ(log_->LastIndex(), 12u);
  EXPECT_EQ(*log_->TermAt(12), 3u);
}

TEST_F(DiskLogTest, DamageBeforeIntactDataIsCorruption) {
  Open();
  ASSERT_TRUE(log_->Save(nullptr, Make(2, 10, 2)).ok());
  ASSERT_TRUE(log_->Save(nullptr, Make(11, 20, 2)).ok());
  log_.reset();
  FlipByte(Segments().back(), 4096 + 100);  // an acknowledged batch with a later one intact
  auto l = DiskLogStorage::Open({.dir = dir_, .scheduler = sched_.get()});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), StatusCode::kCorruption);
  EXPECT_NE(l.status().message().find("offset 4096"), std::string::npos) << l.status().ToString();
}

TEST_F(DiskLogTest, TornWriteFromFaultInjectorLosesOnlyTheUnacknowledgedBatch) {
  io::FaultInjector faults;
  sched_ = std::move(io::Scheduler::Create({.faults = &faults})).value();
  Open();
  ASSERT_TRUE(log_->Save(nullptr, Make(2, 10, 2)).ok());
  faults.Add({.op = io::IoOp::kWrite, .action = io::FaultRule::Action::kTear, .bytes = 2048,
              .path_contains = ".seg"});
  Status s = log_->Save(nullptr, Make(11, 20, 2, 1000));
  EXPECT_FALSE(s.ok());  // never acknowledged
  faults.Clear();
  Open();
  EXPECT_EQ(log_->LastIndex(), 10u);
}

TEST_F(DiskLogTest, AppliedSnapshotReplacesTheLog) {
  Open();
  ASSERT_TRUE(log_->Save(nullptr, Make(2, 10, 2)).ok());
  ASSERT_TRUE(log_->ApplySnapshot({500, 7, ConfState{{1, 2, 3, 4}, {}}}).ok());
  EXPECT_EQ(log_->FirstIndex(), 501u);
  ASSERT_TRUE(log_->Save(nullptr, Make(501, 505, 7)).ok());
  Open();
  EXPECT_EQ(log_->FirstIndex(), 501u);
  EXPECT_EQ(log_->LastIndex(), 505u);
  EXPECT_EQ(log_->GetInitialState().snapshot.conf.voters.size(), 4u);
  EXPECT_EQ(*log_->TermAt(500), 7u);
}

TEST_F(DiskLogTest, ZeroedHeaderBeforeIntactDataIsCorruption) {
  Open();
  ASSERT_TRUE(log_->Save(nullptr, Make(2, 10, 2)).ok());
  ASSERT_TRUE(log_->Save(nullptr, Make(11, 20, 2)).ok());
  log_.reset();
  {
    // The acknowledged batch at 4096 reads back as zeros (a lost write), the next is intact:
    // not a torn tail, and stopping replay there would silently drop entries 2..20.
    std::fstream f(Segments().back(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    f.write(std::string(4096, '\0').data(), 4096);
  }
  auto l = DiskLogStorage::Open({.dir = dir_, .scheduler = sched_.get()});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), StatusCode::kCorruption);
  EXPECT_NE(l.status().message().find("offset 4096"), std::string::npos) << l.status().ToString();
}

TEST_F(DiskLogTest, MissingSegmentIsCorruptionNotAGap) {
  Open(/*segment_bytes=*/16 << 10);
  for (LogIndex i = 2; i <= 400; i += 20) ASSERT_TRUE(log_->Save(nullptr, Make(i, i + 19, 2, 300)).ok());
  ASSERT_GT(log_->segment_count(), 4u);
  log_.reset();
  std::filesystem::remove(Segments()[2]);  // a middle segment vanishes: its entries are gone
  auto l = DiskLogStorage::Open({.dir = dir_, .scheduler = sched_.get(), .segment_bytes = 16 << 10});
  ASSERT_FALSE(l.ok()) << "replayed with a hole: last index " << (*l)->LastIndex();
  EXPECT_EQ(l.status().code(), StatusCode::kCorruption);
  EXPECT_NE(l.status().message().find("missing"), std::string::npos) << l.status().ToString();
}

TEST_F(DiskLogTest, FailedSaveCanBeRetriedAndLeavesTheLogIntact) {
  io::FaultInjector faults;
  sched_ = std::move(io::Scheduler::Create({.faults = &faults})).value();
  Open();
  ASSERT_TRUE(log_->Save(nullptr, Make(2, 10, 2)).ok());
  LogIndex last = 10;
  for (int error : {ENOSPC, EIO}) {
    faults.Add({.op = io::IoOp::kDataSync, .error = error, .path_contains = ".seg", .times = 3});
    HardState hs{2, 1, last};
    for (int attempt = 0; attempt < 3; attempt++) {
      Status s = log_->Save(&hs, Make(last + 1, last + 10, 2));
      EXPECT_FALSE(s.ok());
      EXPECT_EQ(log_->LastIndex(), last);  // not visible before it is durable
    }
    ASSERT_TRUE(log_->Save(&hs, Make(last + 1, last + 10, 2)).ok());  // the same Save, once the disk recovers
    last += 10;
    EXPECT_EQ(log_->LastIndex(), last);
    Open();
    EXPECT_EQ(log_->LastIndex(), last);
    EXPECT_EQ(log_->GetInitialState().hard_state, hs);
    EXPECT_EQ(*log_->Entries(2, last + 1, UINT64_MAX), Make(2, last, 2));
  }
}

// Only the newest entries' data stays in memory; older ones (a slow follower's) are read
// back from their batches on disk, across segments, conflicts, compaction and reopening.
TEST_F(DiskLogTest, BoundedTailReadsOlderEntriesFromDisk) {
  Open(/*segment_bytes=*/16 << 10, /*cache_bytes=*/2000);
  std::vector<Entry> want;
  for (LogIndex i = 2; i <= 301; i += 10) {
    auto batch = Make(i, i + 9, 2, 100 + i % 7);
    ASSERT_TRUE(log_->Save(nullptr, batch).ok());
    want.insert(want.end(), batch.begin(), batch.end());
    EXPECT_LE(log_->cached_bytes(), 2000u);
  }
  // The leader overwrote 250..: the old batches still hold the replaced entries.
  auto replaced = Make(250, 260, 4, 333);
  ASSERT_TRUE(log_->Save(nullptr, replaced).ok());
  want.resize(250 - 2);
  want.insert(want.end(), replaced.begin(), replaced.end());
  EXPECT_GT(log_->segment_count(), 2u);

  for (int reopen = 0; reopen < 2; reopen++) {
    uint64_t reads = log_->disk_reads();
    EXPECT_EQ(*log_->Entries(2, 261, UINT64_MAX), want);
    EXPECT_GT(log_->disk_reads(), reads);
    EXPECT_LE(log_->cached_bytes(), 2000u);
    // max_bytes applies across the disk/memory boundary as before.
    auto some = *log_->Entries(240, 261, 1500);
    ASSERT_EQ(some.size(), 11u);  // 240..249 (1,030 B, on disk) + 250 (333 B): a second 333 B passes 1,500
    EXPECT_EQ(some.front(), want[240 - 2]);
    EXPECT_EQ(some.back(), want[250 - 2]);
    EXPECT_EQ(*log_->TermAt(100), 2u);
    EXPECT_EQ(*log_->TermAt(255), 4u);
    Open(16 << 10, 2000);
  }
  ASSERT_TRUE(log_->Compact(120, ConfState{{1, 2, 3}, {}}).ok());
  EXPECT_EQ(*log_->Entries(121, 261, UINT64_MAX), std::vector<Entry>(want.begin() + 119, want.end()));
  EXPECT_FALSE(log_->Entries(120, 130, UINT64_MAX).ok());
}

// Replay and read-back go through the segment a window at a time (4 MiB, 256 KiB): a batch
// larger than a window, and batches straddling window edges, still read whole.
TEST_F(DiskLogTest, BatchesLargerThanAReadWindowReplayAndReadBack) {
  Open(64 << 20, /*cache_bytes=*/0);
  std::vector<Entry> want;
  for (LogIndex i = 2; i <= 40; i++) {
    auto e = Make(i, i, 2, i % 10 == 0 ? (5 << 20) + 123 : 70000 + i);
    ASSERT_TRUE(log_->Save(nullptr, e).ok());
    want.push_back(e[0]);
  }
  EXPECT_EQ(*log_->Entries(2, 41, UINT64_MAX), want);
  Open(64 << 20, 0);
  EXPECT_EQ(log_->LastIndex(), 40u);
  EXPECT_EQ(*log_->Entries(2, 41, UINT64_MAX), want);
  EXPECT_EQ(*log_->Entries(30, 31, UINT64_MAX), std::vector<Entry>{want[28]});
}

// A batch that rots on disk after it was written is an error when read back, never an
// entry with wrong data and never a crash.
TEST_F(DiskLogTest, DamagedBatchReadBackIsCorruption) {
  Open(64 << 20, /*cache_bytes=*/0);
  ASSERT_TRUE(log_->Save(nullptr, Make(2, 10, 2)).ok());   // batch at 4096
  ASSERT_TRUE(log_->Save(nullptr, Make(11, 20, 2)).ok());  // batch at 8192
  EXPECT_EQ(log_->cached_bytes(), 0u);
  EXPECT_EQ(*log_->Entries(11, 21, UINT64_MAX), Make(11, 20, 2));
  FlipByte(Segments().back(), 4096 + 300);
  auto r = log_->Entries(2, 21, UINT64_MAX);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("offset 4096"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(*log_->Entries(11, 21, UINT64_MAX), Make(11, 20, 2));  // the other batch still reads
}

}  // namespace
}  // namespace strata::raft
