// Scheduler policy: class ordering, the reserved slot for foreground reads, token buckets
// (with a fake clock), and the fault layer (short transfers, EINTR/EAGAIN, ENOSPC, EIO,
// torn writes). Runs on both backends where a backend is involved.
#include <cstring>
#include <thread>

#include "io/token_bucket.h"
#include "io_test_util.h"

namespace strata::io {
namespace {

using namespace std::chrono_literals;
using testing::FillPattern;
using testing::ScratchDir;

// ------------------------------------------------------------------ token buckets

TEST(TokenBucketTest, UnlimitedAlwaysAdmits) {
  ClassLimiter l;
  l.Set(0, 0, Nanos(0));
  for (int i = 0; i < 1000; i++) EXPECT_TRUE(l.TryAdmit(1e9, Nanos(0)));
}

TEST(TokenBucketTest, BytesRateHoldsOverTime) {
  FakeClock clock;
  ClassLimiter l;
  l.Set(1 << 20, 0, clock.Now());  // 1 MiB/s, burst 0.1 MiB
  double admitted = 0;
  for (int step = 0; step < 10000; step++) {  // 10 simulated seconds in 1 ms steps
    while (l.TryAdmit(4096, clock.Now())) admitted += 4096;
    clock.Advance(1ms);
  }
  double expected = 10.0 * (1 << 20);
  EXPECT_NEAR(admitted, expected, 0.1 * (1 << 20) + 2 * 4096);
}

TEST(TokenBucketTest, OpsRateAndLargeRequestGoesIntoDebt) {
  FakeClock clock;
  ClassLimiter ops;
  ops.Set(0, 100, clock.Now());  // 100 ops/s, burst 10
  int n = 0;
  while (ops.TryAdmit(1, clock.Now())) n++;
  EXPECT_EQ(n, 10);
  EXPECT_EQ(ops.TimeUntilAvailable(), Nanos(1));  // exactly empty: next refill admits
  clock.Advance(1s);
  n = 0;
  while (ops.TryAdmit(1, clock.Now())) n++;
  EXPECT_EQ(n, 10);  // refilled to the burst cap, not 100

  ClassLimiter bytes;
  bytes.Set(1000, 0, clock.Now());                 // burst 100 bytes
  EXPECT_TRUE(bytes.TryAdmit(1e6, clock.Now()));   // bigger than the burst: admitted, in debt
  EXPECT_FALSE(bytes.TryAdmit(1, clock.Now()));
  EXPECT_NEAR(std::chrono::duration<double>(bytes.TimeUntilAvailable()).count(), 999.9, 0.01);
}

// ------------------------------------------------------------------ ordering

class SchedulerTest : public ::testing::TestWithParam<BackendKind> {
 protected:
  std::unique_ptr<Scheduler> Make(SchedulerOptions o) {
    o.backend = GetParam();
    o.registry = &registry_;
    auto s = Scheduler::Create(o);
    STRATA_CHECK_MSG(s.ok(), s.status().ToString().c_str());
    return std::move(s.value());
  }
  std::unique_ptr<File> OpenIn(Scheduler& s, const std::string& name) {
    return s.Open(dir_.File(name), {.create = true}).value();
  }
  std::vector<IoClass> Dispatched() {
    std::lock_guard lock(trace_mu_);
    return trace_;
  }
  std::function<void(const Request&)> Tracer() {
    return [this](const Request& r) {
      std::lock_guard lock(trace_mu_);
      trace_.push_back(r.io_class);
      trace_offsets_.push_back(r.offset);
    };
  }

  obs::Registry registry_;
  ScratchDir dir_;
  std::mutex trace_mu_;
  std::vector<IoClass> trace_;
  std::vector<uint64_t> trace_offsets_;
};

TEST_P(SchedulerTest, HighestClassFirstFifoWithinClass) {
  auto sched = Make({.queue_depth = 1, .on_dispatch = Tracer()});
  auto f = OpenIn(*sched, "a");
  ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 0, std::string(8192, 'x')).ok());
  trace_.clear();
  trace_offsets_.clear();
  // One Submit call queues all of them before the scheduler thread can look.
  const IoClass order[] = {IoClass::kSnapshot, IoClass::kCompaction, IoClass::kFlush, IoClass::kRaftLog,
                           IoClass::kForegroundRead, IoClass::kCompaction, IoClass::kForegroundRead};
  std::vector<Request> reqs(std::size(order));
  std::vector<std::string> bufs(reqs.size(), std::string(16, '\0'));
  for (size_t i = 0; i < reqs.size(); i++) {
    reqs[i] = Request{.op = IoOp::kRead, .io_class = order[i], .file = f.get(), .offset = i,
                      .buf = bufs[i].data(), .len = bufs[i].size()};
  }
  ASSERT_TRUE(sched->SubmitAndWait(reqs).ok());
  std::vector<IoClass> want = {IoClass::kForegroundRead, IoClass::kForegroundRead, IoClass::kRaftLog,
                               IoClass::kFlush, IoClass::kCompaction, IoClass::kCompaction,
                               IoClass::kSnapshot};
  EXPECT_EQ(Dispatched(), want);
  std::lock_guard lock(trace_mu_);
  EXPECT_EQ(trace_offsets_[0], 4u);  // FIFO within a class
  EXPECT_EQ(trace_offsets_[1], 6u);
  EXPECT_EQ(trace_offsets_[4], 1u);
  EXPECT_EQ(trace_offsets_[5], 5u);
}

// A synchronous foreground read with nothing queued ahead runs on the caller's thread
// (no hand-off), holds a slot while it runs and gives it back, so queued work still flows.
TEST_P(SchedulerTest, UncontendedForegroundReadRunsInline) {
  std::mutex mu;
  std::vector<std::thread::id> threads;
  // Two slots: the write's slot may still be booked (the ring books completions on its
  // next turn) when the read comes, and a read finding every slot busy queues instead.
  auto sched = Make({.queue_depth = 2, .on_dispatch = [&](const Request& r) {
                       std::lock_guard lock(mu);
                       if (r.io_class == IoClass::kForegroundRead) threads.push_back(std::this_thread::get_id());
                     }});
  auto f = OpenIn(*sched, "inline");
  ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 0, std::string(8192, 'x')).ok());
  for (int i = 0; i < 50; i++) {
    char buf[16];
    auto n = f->ReadAt(IoClass::kForegroundRead, i, buf, sizeof buf);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    ASSERT_EQ(*n, sizeof buf);
    ASSERT_EQ(buf[0], 'x');
    // Background writes submitted around the inline reads still complete (slot freed).
    std::string data(512, 'y');
    Request w{.op = IoOp::kWrite, .io_class = IoClass::kCompaction, .file = f.get(), .offset = 16384,
              .buf = data.data(), .len = data.size()};
    ASSERT_TRUE(sched->SubmitAndWait(std::span<Request>(&w, 1)).ok());
  }
  EXPECT_EQ(sched->outstanding(IoClass::kForegroundRead), 0u);
  std::lock_guard lock(mu);
  ASSERT_EQ(threads.size(), 50u);
  for (auto id : threads) EXPECT_EQ(id, std::this_thread::get_id());
}

TEST_P(SchedulerTest, ForegroundReadJumpsACompactionStorm) {
  auto sched = Make({.queue_depth = 4, .on_dispatch = Tracer()});
  auto storm_file = OpenIn(*sched, "storm");
  auto read_file = OpenIn(*sched, "read");
  ASSERT_TRUE(read_file->WriteAt(IoClass::kFlush, 0, "data").ok());
  constexpr int kStorm = 2000;
  std::string chunk(64 * 1024, 'c');
  std::vector<Request> storm(kStorm);
  for (int i = 0; i < kStorm; i++) {
    storm[i] = Request{.op = IoOp::kWrite, .io_class = IoClass::kCompaction, .file = storm_file.get(),
                       .offset = uint64_t(i) * chunk.size(), .buf = chunk.data(), .len = chunk.size()};
  }
  Completion storm_done;
  sched->Submit(storm, &storm_done);
  while (Dispatched().size() < 10) std::this_thread::yield();
  uint64_t queued_before = sched->outstanding(IoClass::kCompaction);
  char buf[4];
  Request read{.op = IoOp::kRead, .io_class = IoClass::kForegroundRead, .file = read_file.get(),
               .buf = buf, .len = 4};
  Completion read_done;
  sched->Submit(std::span<Request>(&read, 1), &read_done);
  size_t events_after_submit = Dispatched().size();
  read_done.Wait();
  ASSERT_TRUE(read.status.ok());
  auto trace = Dispatched();
  size_t read_at = std::find(trace.begin(), trace.end(), IoClass::kForegroundRead) - trace.begin();
  // A slot is reserved for foreground classes: no compaction request was dispatched
  // between the read's submit returning and the read's own dispatch.
  EXPECT_LE(read_at, events_after_submit);
  EXPECT_GT(queued_before, 100u) << "storm finished too early for the test to mean anything";
  EXPECT_GT(kStorm - read_at, 100u);
  storm_done.Wait();
}

TEST_P(SchedulerTest, BackgroundBytesInFlightAreCapped) {
  std::atomic<int> dispatched{0}, completed{0}, max_inflight{0};
  SchedulerOptions o{.queue_depth = 16, .background_inflight_bytes = 128 * 1024};
  o.on_dispatch = [&](const Request&) {
    int now = ++dispatched - completed.load();
    if (now > max_inflight.load()) max_inflight = now;
  };
  auto sched = Make(o);
  auto f = OpenIn(*sched, "a");
  std::string chunk(64 * 1024, 'b');
  std::vector<Request> reqs(40);
  std::vector<std::unique_ptr<Completion>> done;
  for (size_t i = 0; i < reqs.size(); i++) {
    reqs[i] = Request{.op = IoOp::kWrite, .io_class = IoClass::kCompaction, .file = f.get(),
                      .offset = i * chunk.size(), .buf = chunk.data(), .len = chunk.size()};
    done.push_back(std::make_unique<Completion>([&] { completed++; }));
  }
  for (size_t i = 0; i < reqs.size(); i++) sched->Submit(std::span<Request>(&reqs[i], 1), done[i].get());
  while (completed.load() < 40) std::this_thread::yield();
  EXPECT_LE(max_inflight.load(), 2);  // 2 x 64 KiB = the 128 KiB cap
  // One request larger than the cap still passes.
  std::string big(256 * 1024, 'B');
  EXPECT_TRUE(f->WriteAt(IoClass::kCompaction, 0, big).ok());
}

TEST_P(SchedulerTest, ThrottledClassWaitsWithoutBlockingOthers) {
  FakeClock clock;
  SchedulerOptions o{.queue_depth = 8, .clock = &clock};
  o.limits[static_cast<int>(IoClass::kCompaction)] = {.bytes_per_sec = 1 << 20};  // burst 100 KiB
  auto sched = Make(o);
  auto f = OpenIn(*sched, "a");
  std::string chunk(256 * 1024, 'z');
  std::vector<Request> reqs(4);
  for (int i = 0; i < 4; i++) {
    reqs[i] = Request{.op = IoOp::kWrite, .io_class = IoClass::kCompaction, .file = f.get(),
                      .offset = uint64_t(i) * chunk.size(), .buf = chunk.data(), .len = chunk.size()};
  }
  Completion done;
  sched->Submit(reqs, &done);
  // The first write takes the burst and puts the bucket 156 KiB in debt; the rest wait.
  while (sched->outstanding(IoClass::kCompaction) > 3) std::this_thread::yield();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(sched->outstanding(IoClass::kCompaction), 3u);
  // Other classes flow meanwhile.
  ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 10 << 20, "flush").ok());
  char buf[5];
  ASSERT_TRUE(f->ReadExact(IoClass::kForegroundRead, 10 << 20, buf, 5).ok());
  EXPECT_EQ(sched->outstanding(IoClass::kCompaction), 3u);
  // 0.25 s of refill pays the debt and admits exactly one more 256 KiB write.
  clock.Advance(250ms);
  while (sched->outstanding(IoClass::kCompaction) > 2) std::this_thread::yield();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(sched->outstanding(IoClass::kCompaction), 2u);
  // Lifting the limit at run time releases the rest.
  sched->SetRateLimit(IoClass::kCompaction, 0, 0);
  done.Wait();
  for (auto& r : reqs) EXPECT_TRUE(r.status.ok());
  std::string text = registry_.RenderPrometheus();
  EXPECT_NE(text.find("stratadb_io_throttle_seconds_total{class=\"compaction\"} 0.25"), std::string::npos)
      << text.substr(text.find("stratadb_io_throttle"), 400);
}

TEST_P(SchedulerTest, ShutdownDrainsThrottledRequests) {
  FakeClock clock;
  SchedulerOptions o{.clock = &clock};
  o.limits[static_cast<int>(IoClass::kSnapshot)] = {.ops_per_sec = 1};
  auto sched = Make(o);
  auto f = OpenIn(*sched, "a");
  std::vector<Request> reqs(5);
  for (auto& r : reqs) r = Request{.op = IoOp::kDataSync, .io_class = IoClass::kSnapshot, .file = f.get()};
  Completion done;
  sched->Submit(reqs, &done);
  sched.reset();  // must not hang on the empty bucket
  EXPECT_TRUE(done.done());
  for (auto& r : reqs) EXPECT_TRUE(r.status.ok());
}

// ------------------------------------------------------------------ faults

class FaultTest : public SchedulerTest {
 protected:
  void SetUp() override {
    sched_ = Make({.faults = &faults_});
    file_ = OpenIn(*sched_, "f");
  }
  FaultInjector faults_;
  std::unique_ptr<Scheduler> sched_;
  std::unique_ptr<File> file_;
};

TEST_P(FaultTest, ShortReadsAndWritesAreLooped) {
  std::string data(10000, '\0');
  FillPattern(data.data(), data.size(), 9);
  faults_.Add({.op = IoOp::kWrite, .action = FaultRule::Action::kShort, .bytes = 777, .times = 5});
  ASSERT_TRUE(file_->WriteAt(IoClass::kFlush, 0, data).ok());
  faults_.Add({.op = IoOp::kRead, .action = FaultRule::Action::kShort, .bytes = 1000, .times = 7});
  std::string back(data.size(), '\0');
  auto n = file_->ReadAt(IoClass::kForegroundRead, 0, back.data(), back.size());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, data.size());
  EXPECT_EQ(back, data);
  EXPECT_EQ(faults_.fired(), 12u);
}

TEST_P(FaultTest, EintrAndEagainAreRetried) {
  faults_.Add({.op = IoOp::kWrite, .error = EINTR, .times = 3});
  faults_.Add({.op = IoOp::kWrite, .error = EAGAIN, .times = 3});
  faults_.Add({.op = IoOp::kSync, .error = EINTR, .times = 2});
  ASSERT_TRUE(file_->WriteAt(IoClass::kRaftLog, 0, "abc").ok());
  ASSERT_TRUE(file_->Sync(IoClass::kRaftLog).ok());
  EXPECT_EQ(faults_.fired(), 8u);
  // A never-ending EAGAIN gives up with a status instead of spinning for ever.
  faults_.Add({.op = IoOp::kRead, .error = EAGAIN, .times = -1});
  char b[3];
  EXPECT_EQ(file_->ReadAt(IoClass::kForegroundRead, 0, b, 3).status().code(), StatusCode::kBusy);
}

TEST_P(FaultTest, EnospcAndEioSurfaceAsStatus) {
  faults_.Add({.op = IoOp::kWrite, .error = ENOSPC, .path_contains = "/f", .skip = 1});
  ASSERT_TRUE(file_->WriteAt(IoClass::kFlush, 0, "first passes").ok());
  Status s = file_->WriteAt(IoClass::kFlush, 0, "second fails");
  EXPECT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
  EXPECT_NE(s.message().find("write"), std::string_view::npos);
  faults_.Add({.op = IoOp::kDataSync, .error = EIO});
  EXPECT_EQ(file_->DataSync(IoClass::kRaftLog).code(), StatusCode::kIOError);
  faults_.Add({.op = IoOp::kAllocate, .error = ENOSPC});
  EXPECT_EQ(file_->Allocate(0, 4096).code(), StatusCode::kNoSpace);
  // Rules for other paths do not fire.
  faults_.Add({.op = IoOp::kRead, .error = EIO, .path_contains = "other"});
  char b[4];
  EXPECT_TRUE(file_->ReadAt(IoClass::kForegroundRead, 0, b, 4).ok());
}

TEST_P(FaultTest, TornWriteLeavesAPrefix) {
  ASSERT_TRUE(file_->WriteAt(IoClass::kRaftLog, 0, std::string(100, '.')).ok());
  faults_.Add({.op = IoOp::kWrite, .action = FaultRule::Action::kTear, .bytes = 30});
  Status s = file_->WriteAt(IoClass::kRaftLog, 0, std::string(100, 'N'));
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  std::string back(100, '\0');
  ASSERT_TRUE(file_->ReadExact(IoClass::kForegroundRead, 0, back.data(), 100).ok());
  EXPECT_EQ(back, std::string(30, 'N') + std::string(70, '.'));
}

INSTANTIATE_TEST_SUITE_P(Backends, SchedulerTest,
                         ::testing::Values(BackendKind::kUring, BackendKind::kThreadPool),
                         testing::BackendParamName);
INSTANTIATE_TEST_SUITE_P(Backends, FaultTest,
                         ::testing::Values(BackendKind::kUring, BackendKind::kThreadPool),
                         testing::BackendParamName);

}  // namespace
}  // namespace strata::io
