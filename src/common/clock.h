// Time as an injected dependency. Code that measures durations or sets deadlines takes a
// Clock&, so tests can drive time with FakeClock instead of sleeping.
// (The Raft core reads no clock at all: it is driven by ticks; DESIGN D2.)
#pragma once

#include <atomic>
#include <chrono>

namespace strata {

using Nanos = std::chrono::nanoseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time since an arbitrary epoch; never goes backwards.
  virtual Nanos Now() const = 0;
  // Wall-clock time since the Unix epoch, for logs and human-facing timestamps only.
  virtual Nanos WallNow() const = 0;
};

// The real clocks (CLOCK_MONOTONIC, CLOCK_REALTIME).
class SystemClock final : public Clock {
 public:
  Nanos Now() const override;
  Nanos WallNow() const override;
  static SystemClock& Default();
};

// A clock that moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Nanos start = Nanos(0)) : now_(start.count()) {}
  Nanos Now() const override { return Nanos(now_.load(std::memory_order_acquire)); }
  Nanos WallNow() const override { return Now(); }
  void Advance(Nanos d) { now_.fetch_add(d.count(), std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace strata
