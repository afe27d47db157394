// The rate tuner (pure decisions from synthetic scheduler counters and a fake clock), the
// controller that applies them to a real Scheduler, and the scheduler's Stats() counters.
#include <thread>

#include "io/rate_tuner.h"
#include "io_test_util.h"

namespace strata::io {
namespace {

using namespace std::chrono_literals;
using testing::ScratchDir;
using Stats = std::array<IoClassStats, kNumIoClasses>;
constexpr double kMax = 400 * kMiB;
constexpr double kFloor = kMax / 20;

int I(IoClass c) { return static_cast<int>(c); }

// Drives a RateTuner interval by interval with cumulative counters built from per-interval
// descriptions, as Scheduler::Stats() would report them.
class TunerDriver {
 public:
  explicit TunerDriver(RateTunerOptions o = {}) : tuner(Defaults(o)) {
    EXPECT_FALSE(tuner.Observe(clock.Now(), stats));  // the first call only records
  }
  static RateTunerOptions Defaults(RateTunerOptions o) {
    o.max_bytes_per_sec = kMax;
    return o;
  }
  // Foreground reads: n completions of `latency` each during the next interval.
  TunerDriver& Reads(uint64_t n, Nanos latency) { return Fg(IoClass::kForegroundRead, n, latency); }
  TunerDriver& RaftWrites(uint64_t n, Nanos latency) { return Fg(IoClass::kRaftLog, n, latency); }
  TunerDriver& Fg(IoClass c, uint64_t n, Nanos latency) {
    stats[I(c)].completed += n;
    stats[I(c)].latency_ns += n * static_cast<uint64_t>(latency.count());
    return *this;
  }
  // A background class moved `bytes` and waited `drained` of the interval for tokens.
  TunerDriver& Background(IoClass c, double bytes, double drained = 0) {
    stats[I(c)].admitted_bytes += static_cast<uint64_t>(bytes);
    stats[I(c)].throttled_seconds += drained * Seconds();
    return *this;
  }
  // Every background class half-drained (between the watermarks): rates hold still.
  TunerDriver& Hold() {
    for (int i = 0; i < kNumBackgroundClasses; i++) Background(RateTuner::ClassAt(i), kMiB, 0.3);
    return *this;
  }
  double Seconds() const { return std::chrono::duration<double>(tuner.options().interval).count(); }
  // Ends the interval: the tuner decides.
  void Tick(WritePressure pressure = {}) {
    clock.Advance(tuner.options().interval);
    EXPECT_TRUE(tuner.Observe(clock.Now(), stats, pressure));
  }
  double rate(IoClass c) const { return tuner.rate(c); }

  FakeClock clock;
  Stats stats{};
  RateTuner tuner;
};

// ------------------------------------------------------------------ settings

TEST(RateSettingTest, ExternalFormRoundTrips) {
  EXPECT_EQ(RateSetting::FromMb(0)->mode, RateSetting::Mode::kAuto);
  EXPECT_EQ(RateSetting::FromMb(-1)->mode, RateSetting::Mode::kUnlimited);
  RateSetting fixed = *RateSetting::FromMb(100);
  EXPECT_EQ(fixed.mode, RateSetting::Mode::kFixed);
  EXPECT_EQ(fixed.bytes_per_sec, 100 * kMiB);
  for (int64_t mb : {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{100}, kMaxRateMb}) EXPECT_EQ(RateSetting::FromMb(mb)->ToMb(), mb);
  EXPECT_FALSE(RateSetting::FromMb(-2).ok());
  EXPECT_FALSE(RateSetting::FromMb(kMaxRateMb + 1).ok());
  EXPECT_STREQ(fixed.ModeName(), "fixed");
}

// ------------------------------------------------------------------ tuner decisions

TEST(RateTunerTest, DecidesOncePerInterval) {
  TunerDriver d;
  d.clock.Advance(100ms);
  EXPECT_FALSE(d.tuner.Observe(d.clock.Now(), d.stats));  // 0.1 s < 0.25 s
  d.clock.Advance(150ms);
  EXPECT_TRUE(d.tuner.Observe(d.clock.Now(), d.stats));
  EXPECT_FALSE(d.tuner.Observe(d.clock.Now(), d.stats));
}

TEST(RateTunerTest, StartsAtTheCeilingAndStaysThereWithoutForeground) {
  TunerDriver d;
  for (int i = 0; i < 10; i++) {
    d.Background(IoClass::kCompaction, 1 * kMiB, 0);  // barely used, never drained
    d.Tick();
  }
  // No foreground I/O at all: nothing to protect, so no decay towards the use.
  EXPECT_EQ(d.rate(IoClass::kCompaction), kMax);
  EXPECT_EQ(d.rate(IoClass::kFlush), kMax);
}

TEST(RateTunerTest, CongestionCutsTheLowestPriorityActiveClassFirst) {
  TunerDriver d;
  d.Reads(100, 200us).Hold().Tick();  // baseline 200 us
  EXPECT_DOUBLE_EQ(d.tuner.baseline_ns(IoClass::kForegroundRead), 200e3);
  // Reads slow to 3 ms while flush, compaction and snapshot all move data.
  auto congested_interval = [&] {
    d.Reads(100, 3ms)
        .Background(IoClass::kFlush, 10 * kMiB)
        .Background(IoClass::kCompaction, 10 * kMiB)
        .Background(IoClass::kSnapshot, 10 * kMiB)
        .Tick();
    EXPECT_TRUE(d.tuner.congested());
  };
  // Snapshot is halved down to the floor first (400 → 200 → 100 → 50 → 25 → 20 MiB/s)...
  for (double expect : {200.0, 100.0, 50.0, 25.0, 20.0}) {
    congested_interval();
    EXPECT_DOUBLE_EQ(d.rate(IoClass::kSnapshot), expect * kMiB);
    EXPECT_EQ(d.rate(IoClass::kCompaction), kMax);
    EXPECT_EQ(d.rate(IoClass::kFlush), kMax);
  }
  // ... then compaction, and flush (which memtables wait on) only after both.
  for (int i = 0; i < 5; i++) congested_interval();
  EXPECT_EQ(d.rate(IoClass::kCompaction), kFloor);
  EXPECT_EQ(d.rate(IoClass::kFlush), kMax);
  congested_interval();
  EXPECT_EQ(d.rate(IoClass::kFlush), kMax / 2);
  // The baseline did not follow the congested reads while something could still be cut.
  EXPECT_DOUBLE_EQ(d.tuner.baseline_ns(IoClass::kForegroundRead), 200e3);
}

TEST(RateTunerTest, IdleClassesAreNotCutForCongestion) {
  TunerDriver d;
  d.Reads(100, 200us).Hold().Tick();
  d.Reads(100, 5ms).Background(IoClass::kCompaction, 50 * kMiB).Tick();  // snapshot is idle
  EXPECT_EQ(d.rate(IoClass::kSnapshot), kMax);
  EXPECT_EQ(d.rate(IoClass::kCompaction), kMax / 2);
}

TEST(RateTunerTest, DrainedAndHealthyRaisesUpToTheCeiling) {
  TunerDriver d;
  d.Reads(100, 200us).Hold().Tick();
  for (int i = 0; i < 5; i++) d.Reads(100, 5ms).Background(IoClass::kCompaction, 10 * kMiB).Tick();
  EXPECT_EQ(d.rate(IoClass::kCompaction), kFloor);
  // Reads are healthy again while compaction waits for tokens most of the time.
  double last = d.rate(IoClass::kCompaction);
  for (int i = 0; i < 20; i++) {
    d.Reads(100, 250us).Background(IoClass::kCompaction, last * d.Seconds(), 0.9).Tick();
    EXPECT_FALSE(d.tuner.congested());
    EXPECT_EQ(d.rate(IoClass::kCompaction), std::min(kMax, last * 1.25));
    last = d.rate(IoClass::kCompaction);
  }
  EXPECT_EQ(last, kMax);
}

TEST(RateTunerTest, RarelyDrainedDecaysTowardsTwiceTheUseNotBelowTheFloor) {
  TunerDriver d;
  // Healthy reads; compaction uses 50 MiB/s and never waits for tokens.
  for (int i = 0; i < 200; i++) d.Reads(100, 200us).Background(IoClass::kCompaction, 50 * kMiB * d.Seconds()).Tick();
  EXPECT_DOUBLE_EQ(d.rate(IoClass::kCompaction), 100 * kMiB);
  // A class that moves nothing settles at the floor.
  EXPECT_EQ(d.rate(IoClass::kFlush), kFloor);
  // In between: a half-drained class (between the watermarks) keeps its rate.
  double before = d.rate(IoClass::kCompaction);
  d.Reads(100, 200us).Background(IoClass::kCompaction, 90 * kMiB * d.Seconds(), 0.3).Tick();
  EXPECT_EQ(d.rate(IoClass::kCompaction), before);
}

// RocksDB's auto-tuner raises a drained limiter whatever the foreground sees; this one
// lowers it when the foreground latency says the device is the bottleneck.
TEST(RateTunerTest, DrainedButHurtingForegroundIsLoweredNotRaised) {
  TunerDriver d;
  d.Reads(50, 150us).Hold().Tick();
  d.Reads(50, 2500us).Background(IoClass::kCompaction, kMax * d.Seconds(), 0.95).Tick();
  EXPECT_EQ(d.rate(IoClass::kCompaction), kMax / 2);
}

TEST(RateTunerTest, RaftLogLatencyIsAForegroundSignalToo) {
  TunerDriver d;
  d.RaftWrites(40, 1ms).Hold().Tick();
  d.RaftWrites(40, 8ms).Background(IoClass::kFlush, 20 * kMiB).Tick();
  EXPECT_TRUE(d.tuner.congested());
  EXPECT_EQ(d.rate(IoClass::kFlush), kMax / 2);
}

TEST(RateTunerTest, SmallSlowdownsAndFewSamplesAreNotCongestion) {
  TunerDriver d;
  d.Reads(100, 100us).Tick();
  // 3x the baseline but within the 1 ms slack: not congestion (a fast device's jitter).
  d.Reads(100, 400us).Background(IoClass::kCompaction, kMiB).Tick();
  EXPECT_FALSE(d.tuner.congested());
  // Too few samples to judge.
  d.Reads(3, 50ms).Background(IoClass::kCompaction, kMiB).Tick();
  EXPECT_FALSE(d.tuner.congested());
  EXPECT_EQ(d.rate(IoClass::kCompaction), kMax * 0.95 * 0.95 * 0.95);  // decaying as rarely drained
}

TEST(RateTunerTest, BaselineFollowsTheForegroundWhenNothingCanBeCut) {
  TunerDriver d;
  d.Reads(100, 200us).Tick();
  // Heavy reads, no background I/O at all: the slowdown is the workload's own.
  for (int i = 0; i < 200; i++) d.Reads(100, 3ms).Tick();
  EXPECT_DOUBLE_EQ(d.tuner.baseline_ns(IoClass::kForegroundRead), 3e6);
  d.Reads(100, 3ms).Background(IoClass::kCompaction, kMiB).Tick();
  EXPECT_FALSE(d.tuner.congested());
}

// A throttled flush or compaction that makes writes stall costs more than the read latency
// it saves: the engine's backlog overrides the foreground signal.
TEST(RateTunerTest, WritePressureRaisesAndShieldsTheClassThatIsBehind) {
  TunerDriver d;
  d.Reads(100, 200us).Hold().Tick();
  auto congested = [&](WritePressure p) {
    d.Reads(100, 5ms)
        .Background(IoClass::kFlush, 10 * kMiB)
        .Background(IoClass::kCompaction, 10 * kMiB)
        .Tick(p);
    EXPECT_TRUE(d.tuner.congested());
  };
  for (int i = 0; i < 10; i++) congested({});
  EXPECT_EQ(d.rate(IoClass::kCompaction), kFloor);
  EXPECT_EQ(d.rate(IoClass::kFlush), kFloor);
  // A memtable now waits for its flush: flush doubles every interval despite congestion,
  // and compaction (not behind) stays where it is.
  for (double expect : {2 * kFloor, 4 * kFloor, 8 * kFloor, 16 * kFloor, kMax, kMax}) {
    congested({.flush_behind = true});
    EXPECT_EQ(d.rate(IoClass::kFlush), expect);
    EXPECT_EQ(d.rate(IoClass::kCompaction), kFloor);
    EXPECT_TRUE(d.tuner.pressure().flush_behind);
  }
  // L0 fills up: compaction catches up too; nothing is left to cut.
  congested({.flush_behind = true, .compaction_behind = true});
  EXPECT_EQ(d.rate(IoClass::kCompaction), 2 * kFloor);
  EXPECT_EQ(d.rate(IoClass::kFlush), kMax);
  // Pressure gone, still congested: flush is the class to cut again.
  congested({});
  EXPECT_EQ(d.rate(IoClass::kCompaction), kFloor);
  congested({});
  EXPECT_EQ(d.rate(IoClass::kFlush), kMax / 2);
}

TEST(RateTunerTest, FixedAndUnlimitedClassesAreLeftAlone) {
  TunerDriver d;
  d.tuner.Set(IoClass::kSnapshot, RateSetting::Fixed(30 * kMiB));
  d.tuner.Set(IoClass::kCompaction, RateSetting::Unlimited());
  d.Reads(100, 200us).Hold().Tick();
  for (int i = 0; i < 3; i++) {
    d.Reads(100, 5ms)
        .Background(IoClass::kSnapshot, 30 * kMiB)
        .Background(IoClass::kCompaction, 100 * kMiB)
        .Background(IoClass::kFlush, kMiB)
        .Tick();
  }
  EXPECT_EQ(d.rate(IoClass::kSnapshot), 30 * kMiB);
  EXPECT_EQ(d.rate(IoClass::kCompaction), 0);      // unlimited
  EXPECT_EQ(d.rate(IoClass::kFlush), kMax / 8);    // the only auto class takes the cuts
  // Back to auto: starts again at the ceiling.
  d.tuner.Set(IoClass::kCompaction, RateSetting::Auto());
  EXPECT_EQ(d.rate(IoClass::kCompaction), kMax);
  // A lower ceiling clamps auto rates at once.
  d.tuner.SetMax(100 * kMiB);
  EXPECT_EQ(d.rate(IoClass::kCompaction), 100 * kMiB);
  EXPECT_EQ(d.rate(IoClass::kFlush), 50 * kMiB);
  EXPECT_EQ(d.rate(IoClass::kSnapshot), 30 * kMiB);
}

TEST(RateTunerTest, SameObservationsSameRates) {
  auto run = [](uint64_t seed) {
    TunerDriver d;
    uint64_t x = seed;
    std::vector<double> out;
    for (int i = 0; i < 300; i++) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      d.Reads(x % 50, Nanos(100000 + (x >> 20) % 5000000))
          .Background(IoClass::kCompaction, static_cast<double>((x >> 30) % (64 << 20)), ((x >> 40) % 100) / 100.0)
          .Background(IoClass::kFlush, static_cast<double>((x >> 12) % (8 << 20)), ((x >> 50) % 100) / 100.0)
          .Tick();
      for (int c = 0; c < kNumBackgroundClasses; c++) {
        double r = d.rate(RateTuner::ClassAt(c));
        EXPECT_GE(r, kFloor);
        EXPECT_LE(r, kMax);
        out.push_back(r);
      }
    }
    return out;
  };
  for (uint64_t seed = 1; seed <= 5; seed++) EXPECT_EQ(run(seed), run(seed)) << seed;
}

// ------------------------------------------------------------------ controller + scheduler

class RateControllerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Scheduler> MakeScheduler() {
    auto s = Scheduler::Create({.backend = BackendKind::kThreadPool, .queue_depth = 4,
                                .registry = &registry_, .clock = &clock_});
    STRATA_CHECK(s.ok());
    return std::move(s.value());
  }
  RateControllerOptions Options() {
    RateControllerOptions o;
    o.tuner.max_bytes_per_sec = kMax;
    o.clock = &clock_;
    o.start_thread = false;
    return o;
  }
  double Applied(Scheduler& s, IoClass c) { return s.Stats()[I(c)].bytes_per_sec; }

  obs::Registry registry_;
  FakeClock clock_;
  ScratchDir dir_;
};

TEST_F(RateControllerTest, InitialAndRuntimeSettingsReachTheBuckets) {
  auto sched = MakeScheduler();
  RateControllerOptions o = Options();
  o.settings[RateTuner::Index(IoClass::kCompaction)] = RateSetting::Fixed(100 * kMiB);
  o.settings[RateTuner::Index(IoClass::kSnapshot)] = RateSetting::Unlimited();
  RateController rc(sched.get(), o);
  EXPECT_EQ(Applied(*sched, IoClass::kFlush), kMax);  // auto starts at the ceiling
  EXPECT_EQ(Applied(*sched, IoClass::kCompaction), 100 * kMiB);
  EXPECT_EQ(Applied(*sched, IoClass::kSnapshot), 0);
  EXPECT_EQ(Applied(*sched, IoClass::kForegroundRead), 0);  // never limited

  ASSERT_TRUE(rc.Set(IoClass::kCompaction, RateSetting::Fixed(7 * kMiB)).ok());
  EXPECT_EQ(Applied(*sched, IoClass::kCompaction), 7 * kMiB);
  std::string text = registry_.RenderPrometheus();
  EXPECT_NE(text.find("stratadb_io_rate_limit_bytes_per_second{class=\"compaction\"} 7340032"), std::string::npos)
      << text.substr(text.find("stratadb_io_rate_limit"), 300);
  EXPECT_EQ(rc.setting(IoClass::kCompaction).ToMb(), 7);
  ASSERT_TRUE(rc.SetMax(80 * kMiB).ok());
  EXPECT_EQ(Applied(*sched, IoClass::kFlush), 80 * kMiB);
  EXPECT_EQ(rc.effective_rate(IoClass::kFlush), 80 * kMiB);

  EXPECT_FALSE(rc.Set(IoClass::kRaftLog, RateSetting::Fixed(kMiB)).ok());
  EXPECT_FALSE(rc.Set(IoClass::kFlush, RateSetting::Fixed(0)).ok());
  EXPECT_FALSE(rc.SetMax(0).ok());

  std::string json = rc.StatusJson();
  EXPECT_NE(json.find(R"("max_mb":80)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("compaction":{"mode":"fixed","setting_mb":7,"rate_mb":7)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("snapshot":{"mode":"unlimited","setting_mb":-1,"rate_mb":0)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("flush":{"mode":"auto","setting_mb":0,"rate_mb":80)"), std::string::npos) << json;
}

TEST_F(RateControllerTest, StepAppliesTheTunersDecisionOnTheFakeClock) {
  auto sched = MakeScheduler();
  RateController rc(sched.get(), Options());
  auto f = sched->Open(dir_.File("a"), {.create = true}).value();
  rc.Step();  // records
  // Foreground reads only: the tuner sees them, background stays at the ceiling.
  char buf[16];
  ASSERT_TRUE(f->WriteAt(IoClass::kCompaction, 0, std::string(4096, 'x')).ok());
  for (int i = 0; i < 20; i++) ASSERT_TRUE(f->ReadAt(IoClass::kForegroundRead, 0, buf, sizeof buf).ok());
  clock_.Advance(250ms);
  rc.Step();
  // The fake clock never moves during I/O, so latencies are 0 and nothing is congested;
  // compaction used 4 KiB and was never drained: it decays towards the floor.
  EXPECT_EQ(Applied(*sched, IoClass::kCompaction), kMax * 0.95);
  // Fewer than an interval: no decision.
  clock_.Advance(100ms);
  for (int i = 0; i < 20; i++) ASSERT_TRUE(f->ReadAt(IoClass::kForegroundRead, 0, buf, sizeof buf).ok());
  rc.Step();
  EXPECT_EQ(Applied(*sched, IoClass::kCompaction), kMax * 0.95);
  clock_.Advance(150ms);
  rc.Step();
  EXPECT_EQ(Applied(*sched, IoClass::kCompaction), kMax * 0.95 * 0.95);
  // An interval without any foreground I/O: nothing to protect, back to the ceiling.
  clock_.Advance(250ms);
  rc.Step();
  EXPECT_EQ(Applied(*sched, IoClass::kCompaction), kMax);
  EXPECT_EQ(rc.effective_rate(IoClass::kCompaction), kMax);
  // Write pressure from the engine reaches the tuner through the hook.
  int calls = 0;
  rc.SetWritePressure([&calls] {
    calls++;
    return WritePressure{.flush_behind = true};
  });
  clock_.Advance(250ms);
  rc.Step();
  EXPECT_EQ(calls, 1);
  EXPECT_NE(rc.StatusJson().find(R"("flush_behind":true,"compaction_behind":false)"), std::string::npos)
      << rc.StatusJson();
  rc.SetWritePressure(nullptr);
  clock_.Advance(250ms);
  rc.Step();
  EXPECT_EQ(calls, 1);
}

TEST_F(RateControllerTest, TheThreadTunesByItself) {
  auto sched = MakeScheduler();
  RateControllerOptions o = Options();
  o.clock = nullptr;  // the real clock: the thread wakes every 10 ms
  o.start_thread = true;
  o.tuner.interval = 10ms;
  auto f = sched->Open(dir_.File("a"), {.create = true}).value();
  RateController rc(sched.get(), o);
  char buf[16];
  ASSERT_TRUE(f->WriteAt(IoClass::kFlush, 0, std::string(4096, 'x')).ok());
  // Keep reads flowing (not idle) until the flush class has decayed below the ceiling.
  for (int i = 0; i < 20000 && rc.effective_rate(IoClass::kFlush) == kMax; i++) {
    ASSERT_TRUE(f->ReadAt(IoClass::kForegroundRead, 0, buf, sizeof buf).ok());
    std::this_thread::sleep_for(100us);
  }
  EXPECT_LT(rc.effective_rate(IoClass::kFlush), kMax);
  rc.Stop();
  rc.Stop();
}

// ------------------------------------------------------------------ Scheduler::Stats

TEST_F(RateControllerTest, SchedulerStatsCountBytesLatencyAndThrottling) {
  auto sched = MakeScheduler();
  auto f = sched->Open(dir_.File("a"), {.create = true}).value();
  sched->SetRateLimit(IoClass::kCompaction, 1 << 20, 0);  // burst 100 KiB
  std::string chunk(256 * 1024, 'z');
  std::vector<Request> reqs(2);
  for (int i = 0; i < 2; i++) {
    reqs[i] = Request{.op = IoOp::kWrite, .io_class = IoClass::kCompaction, .file = f.get(),
                      .offset = uint64_t(i) * chunk.size(), .buf = chunk.data(), .len = chunk.size()};
  }
  Completion done;
  sched->Submit(reqs, &done);
  // The first write goes into debt; the second waits for tokens.
  while (sched->Stats()[I(IoClass::kCompaction)].completed < 1) std::this_thread::yield();
  while (sched->Stats()[I(IoClass::kCompaction)].throttled_seconds == 0) {
    clock_.Advance(1ms);  // the wait in progress counts once the scheduler saw the empty bucket
    std::this_thread::sleep_for(1ms);
  }
  Stats s = sched->Stats();
  EXPECT_EQ(s[I(IoClass::kCompaction)].admitted_bytes, chunk.size());
  EXPECT_EQ(s[I(IoClass::kCompaction)].queued, 1u);
  EXPECT_EQ(s[I(IoClass::kCompaction)].bytes_per_sec, 1 << 20);
  clock_.Advance(1s);
  done.Wait();
  s = sched->Stats();
  EXPECT_EQ(s[I(IoClass::kCompaction)].admitted_bytes, 2 * chunk.size());
  EXPECT_EQ(s[I(IoClass::kCompaction)].queued, 0u);
  EXPECT_EQ(s[I(IoClass::kCompaction)].completed, 2u);
  EXPECT_GE(s[I(IoClass::kCompaction)].throttled_seconds, 1.0);
  // Latency is submit -> completion on the scheduler's clock: the second write waited ≥ 1 s.
  EXPECT_GE(s[I(IoClass::kCompaction)].latency_ns, 1000000000u);
  // Inline foreground reads count too.
  char buf[8];
  ASSERT_TRUE(f->ReadAt(IoClass::kForegroundRead, 0, buf, sizeof buf).ok());
  EXPECT_EQ(sched->Stats()[I(IoClass::kForegroundRead)].completed, 1u);
  EXPECT_EQ(sched->Stats()[I(IoClass::kForegroundRead)].admitted_bytes, sizeof buf);
}

}  // namespace
}  // namespace strata::io
