// RateTuner: the auto rate decision; RateController: applies it to a Scheduler.
// The algorithm and its reasoning are in rate_tuner.h and docs/io.md ("The rate tuner").
#include "io/rate_tuner.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/check.h"
#include "obs/json.h"

namespace strata::io {

// ------------------------------------------------------------------ RateSetting

Result<RateSetting> RateSetting::FromMb(int64_t mb) {
  if (mb == 0) return Auto();
  if (mb == -1) return Unlimited();
  if (mb < -1 || mb > kMaxRateMb) {
    return Status::InvalidArgument(fmt::format(
        "rate {} MiB/s is out of range: use 0 (auto), -1 (unlimited) or 1..{} MiB/s", mb, kMaxRateMb));
  }
  return Fixed(static_cast<double>(mb) * kMiB);
}

int64_t RateSetting::ToMb() const {
  switch (mode) {
    case Mode::kAuto: return 0;
    case Mode::kUnlimited: return -1;
    case Mode::kFixed: return std::max<int64_t>(1, static_cast<int64_t>(bytes_per_sec / kMiB + 0.5));
  }
  return 0;
}

const char* RateSetting::ModeName() const {
  switch (mode) {
    case Mode::kAuto: return "auto";
    case Mode::kFixed: return "fixed";
    case Mode::kUnlimited: return "unlimited";
  }
  return "auto";
}

// ------------------------------------------------------------------ RateTuner

RateTuner::RateTuner(RateTunerOptions options) : options_(options) {
  STRATA_CHECK(options_.max_bytes_per_sec > 0 && options_.interval.count() > 0);
  rate_.fill(options_.max_bytes_per_sec);
}

int RateTuner::Index(IoClass c) {
  STRATA_CHECK(IsBackground(c));
  return static_cast<int>(c) - static_cast<int>(IoClass::kFlush);
}

double RateTuner::rate(IoClass c) const {
  const RateSetting& s = setting_[Index(c)];
  switch (s.mode) {
    case RateSetting::Mode::kAuto: return rate_[Index(c)];
    case RateSetting::Mode::kFixed: return s.bytes_per_sec;
    case RateSetting::Mode::kUnlimited: return 0;
  }
  return 0;
}

void RateTuner::Set(IoClass c, RateSetting s) {
  int i = Index(c);
  if (s.mode == RateSetting::Mode::kAuto && setting_[i].mode != RateSetting::Mode::kAuto) {
    rate_[i] = options_.max_bytes_per_sec;
  }
  setting_[i] = s;
}

void RateTuner::SetMax(double bytes_per_sec) {
  STRATA_CHECK(bytes_per_sec > 0);
  options_.max_bytes_per_sec = bytes_per_sec;
  for (double& r : rate_) r = std::clamp(r, floor(), bytes_per_sec);
}

bool RateTuner::Observe(Nanos now, const std::array<IoClassStats, kNumIoClasses>& stats,
                        WritePressure pressure) {
  if (!have_last_) {
    have_last_ = true;
    last_ = stats;
    last_time_ = now;
    return false;
  }
  if (now - last_time_ < options_.interval) return false;
  pressure_ = pressure;
  Decide(std::chrono::duration<double>(now - last_time_).count(), stats);
  last_ = stats;
  last_time_ = now;
  return true;
}

// Compares each foreground class's mean latency over the interval with its baseline.
// The baseline follows a new low at once and may rise by baseline_drift per interval
// while the class is not congested, so it tracks slow changes of the workload itself
// (bigger reads, a colder cache) but not a burst of background I/O.
bool RateTuner::JudgeForeground(const std::array<IoClassStats, kNumIoClasses>& now, bool* idle) {
  *idle = true;
  bool congested = false;
  congested_mean_ns_.fill(0);
  for (IoClass fg : {IoClass::kForegroundRead, IoClass::kRaftLog}) {
    int c = static_cast<int>(fg);
    uint64_t n = now[c].completed - last_[c].completed;
    if (n > 0 || now[c].queued > 0) *idle = false;
    if (n < options_.min_latency_samples) continue;
    double mean = static_cast<double>(now[c].latency_ns - last_[c].latency_ns) / static_cast<double>(n);
    double& base = baseline_ns_[FgIndex(fg)];
    if (base <= 0 || mean <= base) {
      base = mean;
      continue;
    }
    double slack = static_cast<double>(options_.latency_slack.count());
    if (mean > base * options_.latency_factor && mean > base + slack) {
      congested = true;
      congested_mean_ns_[FgIndex(fg)] = mean;
    } else {
      base = std::min(mean, base * options_.baseline_drift);
    }
  }
  return congested;
}

void RateTuner::Decide(double seconds, const std::array<IoClassStats, kNumIoClasses>& now) {
  bool idle = false;
  congested_ = JudgeForeground(now, &idle);
  const double lo = floor(), hi = options_.max_bytes_per_sec;
  std::array<bool, kNumBackgroundClasses> active{};
  std::array<double, kNumBackgroundClasses> drained{}, used{};
  for (int i = 0; i < kNumBackgroundClasses; i++) {
    int c = static_cast<int>(ClassAt(i));
    double bytes = static_cast<double>(now[c].admitted_bytes - last_[c].admitted_bytes);
    used[i] = bytes / seconds;
    drained[i] = std::clamp((now[c].throttled_seconds - last_[c].throttled_seconds) / seconds, 0.0, 1.0);
    active[i] = bytes > 0 || now[c].queued > 0;
  }
  // Behind: writes are about to stall on this class, which costs more than any read
  // latency it could save. Raise it and keep it out of the cuts.
  std::array<bool, kNumBackgroundClasses> behind = {pressure_.flush_behind, pressure_.compaction_behind, false};
  for (int i = 0; i < kNumBackgroundClasses; i++) {
    if (behind[i] && setting_[i].mode == RateSetting::Mode::kAuto) {
      rate_[i] = std::min(hi, rate_[i] * options_.catch_up);
    }
  }
  if (congested_) {
    // Cut the lowest-priority auto class that moves data and can still go lower: one
    // class per interval, so flush (which memtables wait for) is cut only when
    // compaction and snapshot are already at the floor or idle.
    for (int i = kNumBackgroundClasses - 1; i >= 0; i--) {
      if (setting_[i].mode != RateSetting::Mode::kAuto || behind[i] || !active[i] || rate_[i] <= lo) continue;
      rate_[i] = std::max(lo, rate_[i] * options_.decrease);
      return;
    }
    // Nothing the tuner controls could go lower: the slowdown is the foreground's own
    // (or fixed-rate classes'), so the baseline may follow it.
    for (int k = 0; k < 2; k++) {
      if (congested_mean_ns_[k] > 0) {
        baseline_ns_[k] = std::min(congested_mean_ns_[k], baseline_ns_[k] * options_.baseline_drift);
      }
    }
    return;
  }
  for (int i = 0; i < kNumBackgroundClasses; i++) {
    if (setting_[i].mode != RateSetting::Mode::kAuto || behind[i]) continue;
    double& r = rate_[i];
    if (idle) {
      r = hi;  // no foreground I/O to protect
    } else if (drained[i] >= options_.drained_high) {
      r = std::min(hi, r * options_.increase);
    } else if (drained[i] < options_.drained_low) {
      // Rarely drained: settle towards twice the use, so that a sudden burst of
      // background I/O starts near what the device took recently, not at the ceiling.
      double target = std::clamp(2 * used[i], lo, hi);
      if (r > target) r = std::max(target, r * options_.decay);
    }
    r = std::clamp(r, lo, hi);
  }
}

// ------------------------------------------------------------------ RateController

RateController::RateController(Scheduler* scheduler, RateControllerOptions options)
    : scheduler_(scheduler),
      clock_(options.clock ? options.clock : &SystemClock::Default()),
      tuner_(options.tuner) {
  STRATA_CHECK(scheduler_ != nullptr);
  applied_.fill(-1);
  std::lock_guard lock(mu_);
  for (int i = 0; i < kNumBackgroundClasses; i++) tuner_.Set(RateTuner::ClassAt(i), options.settings[i]);
  ApplyLocked();
  if (options.start_thread) thread_ = std::thread([this] { Run(); });
}

RateController::~RateController() { Stop(); }

void RateController::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status RateController::Set(IoClass c, RateSetting s) {
  if (!IsBackground(c)) {
    return Status::InvalidArgument(fmt::format("class {} has no rate limit", IoClassName(c)));
  }
  if (s.mode == RateSetting::Mode::kFixed && !(s.bytes_per_sec > 0)) {
    return Status::InvalidArgument("a fixed rate must be positive");
  }
  std::lock_guard lock(mu_);
  tuner_.Set(c, s);
  ApplyLocked();
  return Status::OK();
}

Status RateController::SetMax(double bytes_per_sec) {
  if (!(bytes_per_sec > 0)) return Status::InvalidArgument("the auto rate ceiling must be positive");
  std::lock_guard lock(mu_);
  tuner_.SetMax(bytes_per_sec);
  ApplyLocked();
  return Status::OK();
}

RateSetting RateController::setting(IoClass c) const {
  std::lock_guard lock(mu_);
  return tuner_.setting(c);
}

double RateController::max_bytes_per_sec() const {
  std::lock_guard lock(mu_);
  return tuner_.options().max_bytes_per_sec;
}

double RateController::effective_rate(IoClass c) const {
  std::lock_guard lock(mu_);
  return tuner_.rate(c);
}

void RateController::SetWritePressure(WritePressureFn fn) {
  std::lock_guard lock(mu_);
  write_pressure_ = std::move(fn);
}

void RateController::Step() {
  std::array<IoClassStats, kNumIoClasses> stats = scheduler_->Stats();
  std::lock_guard lock(mu_);
  WritePressure pressure = write_pressure_ ? write_pressure_() : WritePressure{};
  if (tuner_.Observe(clock_->Now(), stats, pressure)) ApplyLocked();
}

// Lock order: mu_, then the scheduler's (SetRateLimit); the scheduler never calls back.
void RateController::ApplyLocked() {
  for (int i = 0; i < kNumBackgroundClasses; i++) {
    IoClass c = RateTuner::ClassAt(i);
    double r = tuner_.rate(c);
    if (r == applied_[i]) continue;
    scheduler_->SetRateLimit(c, r, 0);
    applied_[i] = r;
  }
}

void RateController::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, tuner_.options().interval);
    if (stop_) break;
    lock.unlock();
    Step();
    lock.lock();
  }
}

std::string RateController::StatusJson() const {
  std::lock_guard lock(mu_);
  auto mb = [](double bytes_per_sec) { return static_cast<double>(static_cast<int64_t>(bytes_per_sec / kMiB * 10 + 0.5)) / 10; };
  obs::JsonObject out;
  out.Add("max_mb", mb(tuner_.options().max_bytes_per_sec))
      .Add("interval_ms", static_cast<int64_t>(tuner_.options().interval.count() / 1000000))
      .Add("congested", tuner_.congested())
      .Add("flush_behind", tuner_.pressure().flush_behind)
      .Add("compaction_behind", tuner_.pressure().compaction_behind);
  for (int i = 0; i < kNumBackgroundClasses; i++) {
    IoClass c = RateTuner::ClassAt(i);
    RateSetting s = tuner_.setting(c);
    out.AddRaw(IoClassName(c), obs::JsonObject()
                                   .Add("mode", s.ModeName())
                                   .Add("setting_mb", s.ToMb())
                                   .Add("rate_mb", mb(tuner_.rate(c)))
                                   .Finish());
  }
  return out.Finish();
}

}  // namespace strata::io
