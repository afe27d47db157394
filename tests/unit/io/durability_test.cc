// The power-loss simulation (io/durability.h): after PowerLossForTesting exactly what was
// made durable survives — file data up to its last successful sync, namespace operations
// up to their directory's last sync — through both I/O backends.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include "io/durability.h"
#include "io/file_util.h"
#include "io_test_util.h"

namespace strata::io {
namespace {

using testing::FillPattern;
using testing::ScratchDir;

std::string Pattern(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  FillPattern(s.data(), n, seed);
  return s;
}

// Every name in `dir`, hidden ones included (io::ListDir leaves those out).
std::vector<std::string> RawNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string Contents(const std::string& path) {
  auto r = ReadSmallFile(path, 64 << 20);
  STRATA_CHECK_MSG(r.ok(), r.status().ToString().c_str());
  return *r;
}

class DurabilityTest : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override { Start(false); }
  void TearDown() override { Stop(); }

  void Start(bool skip_sync) {
    tracker_ = std::make_unique<DurabilityTracker>(DurabilityTracker::Options{.skip_sync = skip_sync});
    DurabilityTracker::Install(tracker_.get());
    SchedulerOptions o;
    o.backend = GetParam();
    o.registry = &registry_;
    o.queue_depth = 8;
    auto s = Scheduler::Create(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    sched_ = std::move(s.value());
  }
  void Stop() {
    sched_.reset();
    DurabilityTracker::Install(nullptr);
    tracker_.reset();
  }
  // Power loss, then a fresh tracker, as after a reboot.
  DurabilityTracker::RollbackSummary PowerLoss() {
    auto sum = tracker_->PowerLossForTesting();
    EXPECT_EQ(sum.errors, 0u);
    return sum;
  }

  std::unique_ptr<File> Open(const std::string& name, OpenOptions o = {.create = true}) {
    auto f = sched_->Open(dir_.File(name), o);
    STRATA_CHECK_MSG(f.ok(), f.status().ToString().c_str());
    return std::move(f.value());
  }
  // A file whose name and contents are durable.
  void MakeDurable(const std::string& name, const std::string& data) {
    auto f = Open(name, {.create = true, .truncate = true});
    ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 0, data).ok());
    ASSERT_TRUE(f->Sync(IoClass::kFlush).ok());
    ASSERT_TRUE(SyncDir(dir_.path()).ok());
  }

  obs::Registry registry_;
  ScratchDir dir_;
  std::unique_ptr<DurabilityTracker> tracker_;
  std::unique_ptr<Scheduler> sched_;
};

TEST_P(DurabilityTest, WriteSyncWriteLeavesExactlyTheSyncedContents) {
  std::string synced = Pattern(10000, 1);
  MakeDurable("f", "");
  {
    auto f = Open("f", {});
    ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 0, synced).ok());
    ASSERT_TRUE(f->DataSync(IoClass::kFlush).ok());
    // Overwrite inside the synced part, across its end, and far beyond it.
    ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 100, Pattern(50, 2)).ok());
    ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 9000, Pattern(3000, 3)).ok());
    ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 40000, Pattern(10, 4)).ok());
    ASSERT_EQ(Contents(dir_.File("f")).size(), 40010u);
  }
  auto sum = PowerLoss();
  EXPECT_EQ(sum.files, 1u);
  EXPECT_EQ(Contents(dir_.File("f")), synced);
}

TEST_P(DurabilityTest, DirectIoWritesAndTruncationAreRolledBack) {
  std::string synced = Pattern(3 * kDirectIoAlignment, 5);
  MakeDurable("d", synced);
  {
    auto f = Open("d", {.direct = true});
    AlignedBuffer buf(2 * kDirectIoAlignment);
    FillPattern(buf.data(), buf.size(), 6);
    ASSERT_TRUE(f->WriteAt(IoClass::kRaftLog, kDirectIoAlignment, buf.slice()).ok());
    ASSERT_TRUE(f->Allocate(0, 64 * kDirectIoAlignment).ok());
  }
  {
    auto f = Open("d", {});
    ASSERT_TRUE(f->Truncate(100).ok());
  }
  PowerLoss();
  EXPECT_EQ(Contents(dir_.File("d")), synced);
}

TEST_P(DurabilityTest, SyncedDataSurvivesAndLaterWritesDoNot) {
  MakeDurable("f", Pattern(5000, 7));
  std::string second = Pattern(5000, 8);
  {
    auto f = Open("f", {});
    ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 0, second).ok());
    ASSERT_TRUE(f->Sync(IoClass::kFlush).ok());
    ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 4000, Pattern(2000, 9)).ok());
  }
  PowerLoss();
  EXPECT_EQ(Contents(dir_.File("f")), second);
}

TEST_P(DurabilityTest, CreationWithoutDirectorySyncIsUndone) {
  ASSERT_TRUE(CreateDir(dir_.File("sub/deeper")).ok());  // durable by contract
  {
    auto f = Open("new");
    ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 0, "data").ok());
    ASSERT_TRUE(f->Sync(IoClass::kFlush).ok());  // the data, not its name
  }
  ASSERT_TRUE(WriteFileAtomically(dir_.File("sub/meta"), "m").ok());  // syncs sub/ only
  EXPECT_TRUE(FileExists(dir_.File("new")));
  auto sum = PowerLoss();
  EXPECT_GE(sum.namespace_ops, 1u);
  EXPECT_FALSE(FileExists(dir_.File("new")));
  EXPECT_TRUE(IsDirectory(dir_.File("sub/deeper")));
  EXPECT_EQ(Contents(dir_.File("sub/meta")), "m");
}

TEST_P(DurabilityTest, CreationWithDirectorySyncStays) {
  {
    auto f = Open("new");
    ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 0, "data").ok());
    ASSERT_TRUE(f->Sync(IoClass::kFlush).ok());
  }
  ASSERT_TRUE(SyncDir(dir_.path()).ok());
  PowerLoss();
  EXPECT_EQ(Contents(dir_.File("new")), "data");
}

TEST_P(DurabilityTest, RenameOverATargetIsUndoneWithoutDirectorySync) {
  MakeDurable("a", "old a");
  MakeDurable("b", "old b");
  ASSERT_TRUE(RenameFile(dir_.File("a"), dir_.File("b")).ok());
  EXPECT_EQ(Contents(dir_.File("b")), "old a");
  EXPECT_EQ(*ListDir(dir_.path()), (std::vector<std::string>{"b"}));
  PowerLoss();
  EXPECT_EQ(Contents(dir_.File("a")), "old a");
  EXPECT_EQ(Contents(dir_.File("b")), "old b");
  EXPECT_EQ(RawNames(dir_.path()), (std::vector<std::string>{"a", "b"}));
}

TEST_P(DurabilityTest, RenameStaysAfterDirectorySync) {
  MakeDurable("a", "old a");
  MakeDurable("b", "old b");
  ASSERT_TRUE(RenameFile(dir_.File("a"), dir_.File("b")).ok());
  ASSERT_TRUE(SyncDir(dir_.path()).ok());
  EXPECT_EQ(RawNames(dir_.path()), (std::vector<std::string>{"b"}));  // the kept target is gone
  PowerLoss();
  EXPECT_EQ(RawNames(dir_.path()), (std::vector<std::string>{"b"}));
  EXPECT_EQ(Contents(dir_.File("b")), "old a");
}

TEST_P(DurabilityTest, UnlinkIsUndoneWithoutDirectorySyncAndStaysWithIt) {
  MakeDurable("x", "x data");
  MakeDurable("y", "y data");
  ASSERT_TRUE(RemoveFile(dir_.File("x")).ok());
  EXPECT_FALSE(FileExists(dir_.File("x")));
  EXPECT_EQ(*ListDir(dir_.path()), (std::vector<std::string>{"y"}));  // the trash is hidden
  ASSERT_TRUE(SyncDir(dir_.path()).ok());  // x's removal is durable
  ASSERT_TRUE(RemoveFile(dir_.File("y")).ok());  // y's is not
  {
    auto f = Open("z");  // nor z's creation
  }
  PowerLoss();
  EXPECT_EQ(RawNames(dir_.path()), (std::vector<std::string>{"y"}));
  EXPECT_EQ(Contents(dir_.File("y")), "y data");
}

TEST_P(DurabilityTest, DirectoryTreesComeBackWhole) {
  ASSERT_TRUE(CreateDir(dir_.File("snap/s1")).ok());
  ASSERT_TRUE(WriteFileAtomically(dir_.File("snap/s1/f"), "f1").ok());
  ASSERT_TRUE(CreateDir(dir_.File("snap/s2.tmp")).ok());
  ASSERT_TRUE(WriteFileAtomically(dir_.File("snap/s2.tmp/f"), "f2").ok());
  // Removal of a tree and a directory rename, neither synced in snap/.
  ASSERT_TRUE(RemoveAll(dir_.File("snap/s1")).ok());
  ASSERT_TRUE(RenameFile(dir_.File("snap/s2.tmp"), dir_.File("snap/s2")).ok());
  EXPECT_EQ(*ListDir(dir_.File("snap")), (std::vector<std::string>{"s2"}));
  PowerLoss();
  EXPECT_EQ(RawNames(dir_.File("snap")), (std::vector<std::string>{"s1", "s2.tmp"}));
  EXPECT_EQ(Contents(dir_.File("snap/s1/f")), "f1");
  EXPECT_EQ(Contents(dir_.File("snap/s2.tmp/f")), "f2");
}

TEST_P(DurabilityTest, AtomicReplacementIsAllOrNothing) {
  ASSERT_TRUE(WriteFileAtomically(dir_.File("CURRENT"), "one").ok());
  PowerLoss();
  EXPECT_EQ(Contents(dir_.File("CURRENT")), "one");
  ASSERT_TRUE(WriteFileAtomically(dir_.File("CURRENT"), "two").ok());
  PowerLoss();
  EXPECT_EQ(Contents(dir_.File("CURRENT")), "two");
  EXPECT_EQ(RawNames(dir_.path()), (std::vector<std::string>{"CURRENT"}));
}

TEST_P(DurabilityTest, SkipSyncLosesEverythingSinceStart) {
  MakeDurable("kept", "durable");
  Stop();
  Start(/*skip_sync=*/true);
  {
    auto f = Open("kept", {});
    ASSERT_TRUE(f->WriteAt(IoClass::kRaftLog, 0, "DURABLE?").ok());
    ASSERT_TRUE(f->DataSync(IoClass::kRaftLog).ok());  // reports success, does nothing
  }
  ASSERT_TRUE(WriteFileAtomically(dir_.File("meta"), "m").ok());
  ASSERT_TRUE(CreateDir(dir_.File("d")).ok());
  PowerLoss();
  EXPECT_EQ(RawNames(dir_.path()), (std::vector<std::string>{"kept"}));
  EXPECT_EQ(Contents(dir_.File("kept")), "durable");
}

TEST_P(DurabilityTest, ManyConcurrentWritesThenPowerLoss) {
  // Writes in flight together on the ring or the pool: each captures its undo before it
  // reaches the file, so the durable contents come back whatever the interleaving.
  std::string synced = Pattern(64 * 1024, 10);
  MakeDurable("c", synced);
  auto f = Open("c", {});
  std::vector<std::string> data;
  std::vector<Request> reqs(32);
  for (size_t i = 0; i < reqs.size(); i++) data.push_back(Pattern(3000, 100 + i));
  for (size_t i = 0; i < reqs.size(); i++) {
    reqs[i].op = IoOp::kWrite;
    reqs[i].io_class = IoClass::kFlush;
    reqs[i].file = f.get();
    reqs[i].offset = i * 2500;  // overlapping neighbours
    reqs[i].buf = data[i].data();
    reqs[i].len = data[i].size();
  }
  ASSERT_TRUE(sched_->SubmitAndWait(reqs).ok());
  f.reset();
  PowerLoss();
  EXPECT_EQ(Contents(dir_.File("c")), synced);
}

// Random writes, syncs, truncations and reopenings of one file against a model that keeps
// the current and the durable contents: after the power loss the file is the durable one.
TEST_P(DurabilityTest, RandomOperationsMatchAModel) {
  for (uint64_t seed = 1; seed <= 20; seed++) {
    std::string name = "m" + std::to_string(seed);
    std::string durable = Pattern(seed * 1000, seed);
    MakeDurable(name, durable);
    std::string current = durable;
    std::mt19937_64 rng(seed);
    auto f = Open(name, {});
    for (int op = 0; op < 60; op++) {
      switch (rng() % 10) {
        case 0: case 1: case 2: case 3: case 4: {  // write, sometimes past the end
          size_t off = rng() % (current.size() + 5000), len = 1 + rng() % 9000;
          std::string data = Pattern(len, rng());
          ASSERT_TRUE(f->WriteAt(IoClass::kFlush, off, data).ok());
          if (current.size() < off + len) current.resize(off + len, '\0');
          current.replace(off, len, data);
          break;
        }
        case 5: case 6:
          ASSERT_TRUE((rng() % 2 ? f->Sync(IoClass::kFlush) : f->DataSync(IoClass::kFlush)).ok());
          durable = current;
          break;
        case 7: {
          size_t size = rng() % (current.size() + 1);
          ASSERT_TRUE(f->Truncate(size).ok());
          current.resize(size);
          break;
        }
        case 8:
          f.reset();  // the tracker keeps the state by inode across reopenings
          f = Open(name, {});
          break;
        case 9:
          ASSERT_EQ(Contents(dir_.File(name)), current);
          break;
      }
    }
    f.reset();
    PowerLoss();
    ASSERT_EQ(Contents(dir_.File(name)), durable) << "seed " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, DurabilityTest, ::testing::Values(BackendKind::kUring, BackendKind::kThreadPool),
                         testing::BackendParamName);

}  // namespace
}  // namespace strata::io
