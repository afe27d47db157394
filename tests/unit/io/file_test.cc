// File semantics through both backends: round trips, EOF, syncs, metadata, batches,
// concurrency, direct-I/O alignment, fallbacks. The whole suite runs once per backend.
#include <sys/mount.h>
#include <sys/vfs.h>

#include <cstring>
#include <thread>

#include "io/file_util.h"
#include "io_test_util.h"

namespace strata::io {
namespace {

using testing::FillPattern;
using testing::ScratchDir;

class FileTest : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    SchedulerOptions o;
    o.backend = GetParam();
    o.registry = &registry_;
    o.queue_depth = 8;
    auto s = Scheduler::Create(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    sched_ = std::move(s.value());
  }
  std::unique_ptr<File> OpenFile(const std::string& name, OpenOptions o = {.create = true}) {
    auto f = sched_->Open(dir_.File(name), o);
    STRATA_CHECK_MSG(f.ok(), f.status().ToString().c_str());
    return std::move(f.value());
  }

  obs::Registry registry_;
  ScratchDir dir_;
  std::unique_ptr<Scheduler> sched_;
};

TEST_P(FileTest, BackendIsTheOneAskedFor) {
  EXPECT_STREQ(sched_->backend_name(), GetParam() == BackendKind::kUring ? "io_uring" : "threadpool");
}

TEST_P(FileTest, WriteThenReadBack) {
  auto f = OpenFile("a");
  std::string data(100000, '\0');
  FillPattern(data.data(), data.size(), 1);
  ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 0, data).ok());
  ASSERT_TRUE(f->Sync(IoClass::kFlush).ok());
  ASSERT_TRUE(f->DataSync(IoClass::kRaftLog).ok());
  std::string back(data.size(), '\0');
  ASSERT_TRUE(f->ReadExact(IoClass::kForegroundRead, 0, back.data(), back.size()).ok());
  EXPECT_EQ(back, data);
  EXPECT_EQ(*f->Size(), data.size());
}

TEST_P(FileTest, ReadAtEofIsShortAndReadExactIsCorruption) {
  auto f = OpenFile("a");
  ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 0, "hello").ok());
  char buf[16];
  auto n = f->ReadAt(IoClass::kForegroundRead, 2, buf, sizeof buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(std::string(buf, 3), "llo");
  EXPECT_EQ(*f->ReadAt(IoClass::kForegroundRead, 100, buf, sizeof buf), 0u);
  Status s = f->ReadExact(IoClass::kForegroundRead, 0, buf, sizeof buf);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
}

TEST_P(FileTest, AllocateTruncateSize) {
  auto f = OpenFile("a");
  ASSERT_TRUE(f->Allocate(0, 1 << 20).ok());
  EXPECT_EQ(*f->Size(), 1u << 20);
  ASSERT_TRUE(f->Truncate(4096).ok());
  EXPECT_EQ(*f->Size(), 4096u);
}

TEST_P(FileTest, OpenErrorsAreStatuses) {
  auto missing = sched_->Open(dir_.File("nope"), {});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto bad = sched_->Open(dir_.File("x"), {.create = true, .read_only = true});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  OpenFile("ro");
  auto ro = sched_->Open(dir_.File("ro"), {.read_only = true});
  ASSERT_TRUE(ro.ok());
  EXPECT_FALSE((*ro)->WriteAt(IoClass::kFlush, 0, "x").ok());
}

TEST_P(FileTest, BatchSubmitOfManyBlocksWithCallback) {
  auto f = OpenFile("a");
  std::string data(64 * 4096, '\0');
  FillPattern(data.data(), data.size(), 7);
  ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 0, data).ok());
  std::vector<AlignedBuffer> bufs;
  std::vector<Request> reqs(64);
  for (int i = 0; i < 64; i++) {
    bufs.emplace_back(4096);
    reqs[i].op = IoOp::kRead;
    reqs[i].file = f.get();
    reqs[i].offset = uint64_t(63 - i) * 4096;
    reqs[i].buf = bufs[i].data();
    reqs[i].len = 4096;
  }
  std::atomic<int> calls{0};
  std::mutex mu;
  std::condition_variable cv;
  Completion done([&] {
    std::lock_guard lock(mu);
    calls++;
    cv.notify_all();
  });
  sched_->Submit(reqs, &done);
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return calls.load() == 1; });
  for (int i = 0; i < 64; i++) {
    ASSERT_TRUE(reqs[i].status.ok());
    ASSERT_EQ(reqs[i].bytes, 4096u);
    ASSERT_EQ(0, std::memcmp(bufs[i].data(), data.data() + (63 - i) * 4096, 4096)) << i;
  }
  EXPECT_EQ(calls.load(), 1);
}

TEST_P(FileTest, ManyThreadsAtOnce) {
  auto f = OpenFile("a");
  constexpr int kThreads = 8, kBlocks = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      char block[1000], back[1000];
      for (int b = 0; b < kBlocks; b++) {
        uint64_t off = uint64_t(t * kBlocks + b) * sizeof block;
        FillPattern(block, sizeof block, off);
        IoClass c = static_cast<IoClass>((t + b) % kNumIoClasses);
        if (!f->WriteAt(c, off, Slice(block, sizeof block)).ok()) failures++;
        if (!f->ReadExact(c, off, back, sizeof back).ok()) failures++;
        if (std::memcmp(block, back, sizeof block) != 0) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::string text = registry_.RenderPrometheus();
  EXPECT_NE(text.find("stratadb_io_ops_total{class=\"compaction\"}"), std::string::npos);
  EXPECT_NE(text.find("stratadb_io_queue_wait_seconds_bucket{class=\"raft_log\""), std::string::npos);
  EXPECT_NE(text.find("stratadb_io_throttle_seconds_total{class=\"snapshot\"}"), std::string::npos);
}

TEST_P(FileTest, DirectIoAlignmentRules) {
  auto f = OpenFile("d", {.create = true, .direct = true});
  EXPECT_TRUE(f->direct_requested());
  struct statfs fs;
  ASSERT_EQ(::statfs(dir_.path().c_str(), &fs), 0);
  if (fs.f_type == 0xEF53 /* ext2/3/4 */ || fs.f_type == 0x58465342 /* xfs */) {
    EXPECT_TRUE(f->direct()) << "ext4/xfs support O_DIRECT: the fallback should not have fired";
  }
  // Whether or not O_DIRECT is in effect, the alignment rules below hold.
  AlignedBuffer buf(8192);
  FillPattern(buf.data(), buf.size(), 3);
  ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 4096, buf.slice()).ok());
  AlignedBuffer back(8192);
  ASSERT_TRUE(f->ReadExact(IoClass::kForegroundRead, 4096, back.data(), 8192).ok());
  EXPECT_EQ(0, std::memcmp(buf.data(), back.data(), 8192));
  // Misaligned offset, length or address: InvalidArgument, nothing submitted.
  EXPECT_EQ(f->WriteAt(IoClass::kFlush, 100, buf.slice()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(f->WriteAt(IoClass::kFlush, 0, Slice(buf.data(), 100)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(f->ReadAt(IoClass::kForegroundRead, 0, back.data() + 1, 4096).status().code(),
            StatusCode::kInvalidArgument);
  // A read past the end of a direct file ends at EOF, aligned.
  EXPECT_EQ(*f->ReadAt(IoClass::kForegroundRead, 8192, back.data(), 8192), 4096u);
}

TEST_P(FileTest, RegisteredArenaBuffers) {
  SchedulerOptions o{.backend = GetParam(), .registry = &registry_, .registered_buffer_bytes = 64 * 1024};
  auto sched = Scheduler::Create(o).value();
  std::span<char> arena = sched->registered_arena();
  ASSERT_EQ(arena.size(), 64u * 1024);
  EXPECT_TRUE(IsAligned(reinterpret_cast<uintptr_t>(arena.data())));
  auto f = sched->Open(dir_.File("fixed"), {.create = true, .direct = true}).value();
  FillPattern(arena.data(), 8192, 11);
  ASSERT_TRUE(f->WriteAt(IoClass::kRaftLog, 0, Slice(arena.data(), 8192)).ok());
  ASSERT_TRUE(f->ReadExact(IoClass::kForegroundRead, 0, arena.data() + 16384, 8192).ok());
  EXPECT_EQ(0, std::memcmp(arena.data(), arena.data() + 16384, 8192));
  // A transfer that only starts inside the arena uses the plain path and still works.
  AlignedBuffer outside(4096);
  ASSERT_TRUE(f->ReadExact(IoClass::kForegroundRead, 4096, outside.data(), 4096).ok());
  EXPECT_EQ(0, std::memcmp(outside.data(), arena.data() + 4096, 4096));
}

TEST_P(FileTest, DirectFallsBackToBufferedAndStillEnforcesAlignment) {
  FaultInjector faults;
  faults.Add({.op = IoOp::kOpenDirect, .times = -1});
  SchedulerOptions o{.backend = GetParam(), .registry = &registry_, .faults = &faults};
  auto sched = Scheduler::Create(o).value();
  auto f = sched->Open(dir_.File("d"), {.create = true, .direct = true}).value();
  EXPECT_FALSE(f->direct());
  EXPECT_TRUE(f->direct_requested());
  EXPECT_EQ(f->WriteAt(IoClass::kFlush, 1, "x").code(), StatusCode::kInvalidArgument);
  AlignedBuffer buf(4096);
  EXPECT_TRUE(f->WriteAt(IoClass::kFlush, 0, buf.slice()).ok());
}

TEST_P(FileTest, RealEnospcOnASmallTmpfs) {
  std::string mnt = dir_.File("small");
  ASSERT_TRUE(CreateDir(mnt).ok());
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=256k") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs (not root?)";
  }
  {
    auto f = OpenFile("small/full");
    std::string chunk(64 * 1024, 'x');
    Status s;
    for (int i = 0; i < 16 && s.ok(); i++) s = f->WriteAt(IoClass::kCompaction, uint64_t(i) * chunk.size(), chunk);
    EXPECT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
    EXPECT_EQ(f->Allocate(0, 16 << 20).code(), StatusCode::kNoSpace);
  }
  ASSERT_EQ(::umount(mnt.c_str()), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, FileTest,
                         ::testing::Values(BackendKind::kUring, BackendKind::kThreadPool),
                         testing::BackendParamName);

TEST(BackendSelection, IoUringWorksOnThisMachine) {
  obs::Registry registry;
  auto s = Scheduler::Create({.backend = BackendKind::kUring, .registry = &registry});
  ASSERT_TRUE(s.ok()) << "io_uring setup failed here: " << s.status().ToString();
  EXPECT_STREQ((*s)->backend_name(), "io_uring");
}

TEST(BackendSelection, AutoFallsBackWhenRingSetupFails) {
  obs::Registry registry;
  FaultInjector faults;
  faults.Add({.op = IoOp::kRingSetup, .error = EPERM, .times = -1});  // like seccomp
  auto a = Scheduler::Create({.registry = &registry, .faults = &faults});
  ASSERT_TRUE(a.ok());
  EXPECT_STREQ((*a)->backend_name(), "threadpool");
  auto u = Scheduler::Create({.backend = BackendKind::kUring, .registry = &registry, .faults = &faults});
  EXPECT_FALSE(u.ok());
  auto plain = Scheduler::Create({.registry = &registry});
  EXPECT_STREQ((*plain)->backend_name(), "io_uring");
}

TEST(BackendSelection, TwoRingsServeManyThreads) {
  obs::Registry registry;
  ScratchDir dir;
  auto sched = Scheduler::Create({.backend = BackendKind::kUring, .queue_depth = 4, .threads = 2,
                                  .registry = &registry}).value();
  auto f = sched->Open(dir.File("a"), {.create = true}).value();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; i++) {
        uint64_t off = uint64_t(t * 100 + i) * 8;
        char in[8], out[8];
        std::memcpy(in, &off, 8);
        if (!f->WriteAt(IoClass::kRaftLog, off, Slice(in, 8)).ok()) failures++;
        if (!f->ReadExact(IoClass::kForegroundRead, off, out, 8).ok() || std::memcmp(in, out, 8) != 0) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(BackendSelection, RejectsBadOptions) {
  EXPECT_EQ(Scheduler::Create({.queue_depth = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Scheduler::Create({.threads = 0}).status().code(), StatusCode::kInvalidArgument);
}

TEST(AlignedBufferTest, AlignedZeroedPooled) {
  for (size_t n : {size_t{1}, size_t{4096}, size_t{5000}, size_t{1} << 20, size_t{40} << 20}) {
    AlignedBuffer b(n);
    EXPECT_EQ(b.size(), n);
    EXPECT_TRUE(IsAligned(reinterpret_cast<uintptr_t>(b.data())));
    EXPECT_TRUE(IsAligned(b.capacity()));
    EXPECT_GE(b.capacity(), AlignUp(n));
    EXPECT_EQ(b.data()[n - 1], 0);
    std::memset(b.data(), 0xab, n);
  }
  AlignedBuffer a(4096);
  char* p = a.data();
  AlignedBuffer moved = std::move(a);
  EXPECT_EQ(moved.data(), p);
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(AlignUp(1), 4096u);
  EXPECT_EQ(AlignDown(8191), 4096u);
}

TEST(FsHelpers, RenameRemoveListExists) {
  ScratchDir dir;
  ASSERT_TRUE(CreateDir(dir.File("sub/deeper")).ok());
  ASSERT_TRUE(CreateDir(dir.File("sub")).ok());  // exists: OK
  ASSERT_TRUE(WriteFileAtomically(dir.File("b"), "1").ok());
  ASSERT_TRUE(RenameFile(dir.File("b"), dir.File("a")).ok());
  EXPECT_TRUE(FileExists(dir.File("a")));
  EXPECT_FALSE(FileExists(dir.File("b")));
  ASSERT_TRUE(SyncDir(dir.path()).ok());
  auto names = ListDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "sub"}));
  ASSERT_TRUE(RemoveFile(dir.File("a")).ok());
  EXPECT_EQ(RemoveFile(dir.File("a")).code(), StatusCode::kNotFound);
  EXPECT_EQ(ListDir(dir.File("none")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(RenameFile(dir.File("x"), dir.File("y")).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace strata::io
