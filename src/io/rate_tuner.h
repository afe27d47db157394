// Rate limits of the background I/O classes (flush, compaction, snapshot) and the tuner
// that picks them when they are left on "auto". A front door of src/io beside io.h.
//
//   io::RateController rates(scheduler, {.tuner = {.max_bytes_per_sec = 1 << 30}});
//   rates.Set(io::IoClass::kCompaction, io::RateSetting::Fixed(100 << 20));  // run time
//   rates.StatusJson();   // {"compaction": {"mode": "fixed", "rate_mb": 100, ...}, ...}
//
// Each class is auto (the tuner), fixed (N bytes/s) or unlimited. The tuner
// (RateTuner, a pure function of the scheduler's counters and the clock) adjusts the auto
// classes once per interval, from two signals (docs/io.md, "The rate tuner"):
//   * demand: the share of the interval a class waited for tokens (its bucket was
//     drained). Drained often → raise its rate; rarely → let it decay towards twice what
//     it used (RocksDB's auto-tuned GenericRateLimiter works from this signal alone);
//   * foreground latency: the mean submit→completion time of foreground reads and Raft
//     log writes against their own unloaded baseline. When it climbs, the lowest-priority
//     class that is moving data is halved first (snapshot, then compaction, then flush),
//     whether or not it is drained; with no foreground I/O at all there is nothing to
//     protect and auto classes run at the ceiling.
//   * write pressure: the storage engine's backlog (a memtable waiting for its flush, too
//     many L0 files). A class that is behind is doubled each interval and never cut, so
//     a throttle never turns into a write stall (which the two signals above cannot see).
// Auto rates stay within [ceiling × floor_fraction, ceiling]; the ceiling comes from the
// device (node: io_rate_max_mb, 0 = by device kind).
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "io/io.h"

namespace strata::io {

inline constexpr int kNumBackgroundClasses = 3;  // flush, compaction, snapshot
inline constexpr double kMiB = 1024.0 * 1024.0;

// How one background class's byte rate is chosen.
struct RateSetting {
  enum class Mode : uint8_t { kAuto, kFixed, kUnlimited };
  Mode mode = Mode::kAuto;
  double bytes_per_sec = 0;  // kFixed only (> 0)

  static RateSetting Auto() { return {}; }
  static RateSetting Unlimited() { return {Mode::kUnlimited, 0}; }
  static RateSetting Fixed(double bytes_per_sec) { return {Mode::kFixed, bytes_per_sec}; }
  // The external form of config keys, flags, SET GLOBAL and the admin API:
  // 0 = auto, -1 = unlimited, N > 0 = N MiB/s (at most kMaxRateMb).
  static Result<RateSetting> FromMb(int64_t mb);
  int64_t ToMb() const;
  const char* ModeName() const;  // "auto", "fixed", "unlimited"
};
inline constexpr int64_t kMaxRateMb = 1 << 20;  // 1 TiB/s: far above any device

// The storage engine's backlog, as the layer that owns the engine reports it.
struct WritePressure {
  bool flush_behind = false;       // a sealed memtable waits for its flush
  bool compaction_behind = false;  // L0 holds enough files that writes will soon slow down
};

struct RateTunerOptions {
  double max_bytes_per_sec = 1024 * kMiB;  // the ceiling of auto rates
  double floor_fraction = 0.05;            // auto rates never go below ceiling × this (RocksDB: 1/20)
  Nanos interval = std::chrono::milliseconds(250);
  double increase = 1.25;     // × per interval while drained and foreground is healthy
  double catch_up = 2.0;      // × per interval while the engine reports the class behind
  double decrease = 0.5;      // × per interval on foreground congestion
  double decay = 0.95;        // × per interval towards 2× use while rarely drained
  double drained_high = 0.5;  // drained share of the interval that counts as "often"
  double drained_low = 0.05;  // ... and as "rarely"
  // Foreground latency is congested when its interval mean exceeds both
  // baseline × latency_factor and baseline + latency_slack.
  double latency_factor = 3.0;
  Nanos latency_slack = std::chrono::microseconds(1000);
  uint64_t min_latency_samples = 8;  // fewer completions in an interval say nothing
  double baseline_drift = 1.02;      // × per interval the baseline may rise towards the mean
};

// The decision procedure, deterministic: the same observations give the same rates.
// Not thread-safe (RateController serialises it).
class RateTuner {
 public:
  explicit RateTuner(RateTunerOptions options);

  // The current decision of one background class (0 = unlimited).
  double rate(IoClass c) const;
  RateSetting setting(IoClass c) const { return setting_[Index(c)]; }
  const RateTunerOptions& options() const { return options_; }
  bool congested() const { return congested_; }
  // Unloaded foreground latency estimate (ns; 0 = none yet) of kForegroundRead / kRaftLog.
  double baseline_ns(IoClass fg) const { return baseline_ns_[FgIndex(fg)]; }

  // A new setting takes effect at once; a class turning auto starts at the ceiling.
  void Set(IoClass c, RateSetting s);
  // A new ceiling; auto rates are clamped into the new range.
  void SetMax(double bytes_per_sec);

  // Feeds the scheduler's cumulative counters at `now`. Decides once `interval` has
  // passed since the last decision (the first call only records); returns true then.
  bool Observe(Nanos now, const std::array<IoClassStats, kNumIoClasses>& stats,
               WritePressure pressure = {});
  const WritePressure& pressure() const { return pressure_; }  // at the last decision

  static int Index(IoClass c);  // REQUIRES: IsBackground(c)
  static IoClass ClassAt(int i) { return static_cast<IoClass>(static_cast<int>(IoClass::kFlush) + i); }

 private:
  static int FgIndex(IoClass c) { return c == IoClass::kRaftLog ? 1 : 0; }
  double floor() const { return options_.max_bytes_per_sec * options_.floor_fraction; }
  // True when the foreground classes' latency over the interval is congested; updates
  // the baselines. *idle = no foreground I/O at all.
  bool JudgeForeground(const std::array<IoClassStats, kNumIoClasses>& now, bool* idle);
  void Decide(double seconds, const std::array<IoClassStats, kNumIoClasses>& now);

  RateTunerOptions options_;
  std::array<RateSetting, kNumBackgroundClasses> setting_{};
  std::array<double, kNumBackgroundClasses> rate_{};  // auto: the tuned rate
  std::array<double, 2> baseline_ns_{};
  std::array<double, 2> congested_mean_ns_{};  // this interval's mean where congested, else 0
  bool have_last_ = false;
  bool congested_ = false;
  WritePressure pressure_;
  Nanos last_time_{0};
  std::array<IoClassStats, kNumIoClasses> last_{};
};

struct RateControllerOptions {
  RateTunerOptions tuner;
  std::array<RateSetting, kNumBackgroundClasses> settings{};  // by RateTuner::Index
  Clock* clock = nullptr;    // nullptr = SystemClock::Default(); should be the scheduler's
  bool start_thread = true;  // false: nothing runs by itself, tests call Step()
};

// Called by the controller under its lock once per Step; must not call the controller.
using WritePressureFn = std::function<WritePressure()>;

// Owns the tuner and applies its decisions to a Scheduler's buckets; a thread calls
// Step() every interval. Thread-safe: Set/SetMax/StatusJson from any thread.
class RateController {
 public:
  // REQUIRES: scheduler outlives the controller. Applies the initial rates at once.
  RateController(Scheduler* scheduler, RateControllerOptions options);
  ~RateController();  // Stop()s
  RateController(const RateController&) = delete;
  RateController& operator=(const RateController&) = delete;

  // Changes how class `c` is limited; the bucket changes before this returns.
  // InvalidArgument when c is not a background class or a fixed rate is not positive.
  Status Set(IoClass c, RateSetting s);
  Status SetMax(double bytes_per_sec);  // > 0
  // Where write pressure comes from (nullptr = none). The storage engine usually starts
  // after the scheduler: set it once it runs, clear it before it stops (this waits for a
  // Step in progress, so the engine is not called after it returns).
  void SetWritePressure(WritePressureFn fn);
  RateSetting setting(IoClass c) const;
  double max_bytes_per_sec() const;
  double effective_rate(IoClass c) const;  // bytes/s in force (0 = unlimited)

  // One observation and decision (the thread's loop body).
  void Step();
  void Stop();  // joins the thread; idempotent

  // {"max_mb":..,"interval_ms":..,"congested":..,"flush":{"mode":"auto","setting_mb":0,
  //  "rate_mb":12.5},"compaction":{...},"snapshot":{...}}; rate_mb 0 = unlimited.
  std::string StatusJson() const;

 private:
  void Run();
  void ApplyLocked();  // REQUIRES: mu_ held

  Scheduler* const scheduler_;
  Clock* const clock_;
  mutable std::mutex mu_;
  RateTuner tuner_;                                    // guarded by mu_
  std::array<double, kNumBackgroundClasses> applied_;  // guarded by mu_; -1 = not yet
  WritePressureFn write_pressure_;                     // guarded by mu_
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace strata::io
