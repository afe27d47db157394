// Token buckets for the background I/O classes (internal to src/io; tests include it).
//
// Semantics: a bucket holds at most `rate * kBurst` tokens and refills continuously at
// `rate` per second of the injected clock. A request is admitted when the bucket is not
// empty (tokens > 0) and then takes its full cost, which may push the bucket into debt.
// So one request larger than the burst still passes (no deadlock), and over any interval
// T the admitted cost is at most burst + rate * T + one request.
//
// Not thread-safe: the scheduler guards its buckets with its own mutex.
#pragma once

#include <algorithm>
#include <chrono>

#include "common/clock.h"

namespace strata::io {

class TokenBucket {
 public:
  static constexpr double kBurstSeconds = 0.1;

  // 0 = unlimited. Starts full. The time since the last refill is paid at the old rate
  // first, so frequent changes (the rate tuner's) lose no refill time.
  void SetRate(double per_sec, Nanos now) {
    if (tokens_ != kUnset) Refill(now);
    rate_ = per_sec;
    capacity_ = std::max(per_sec * kBurstSeconds, 1.0);
    tokens_ = std::min(tokens_ == kUnset ? capacity_ : tokens_, capacity_);
    last_ = now;
  }
  bool unlimited() const { return rate_ <= 0; }
  double rate() const { return rate_; }
  double tokens() const { return tokens_; }

  void Refill(Nanos now) {
    if (unlimited() || now <= last_) return;
    double secs = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(capacity_, tokens_ + secs * rate_);
    last_ = now;
  }
  bool HasTokens() const { return unlimited() || tokens_ > 0; }
  void Take(double cost) {
    if (!unlimited()) tokens_ -= cost;
  }
  // Time until HasTokens() turns true, assuming no refill was missed.
  Nanos TimeUntilAvailable() const {
    if (HasTokens()) return Nanos(0);
    double secs = (-tokens_) / rate_;
    return Nanos(static_cast<int64_t>(secs * 1e9) + 1);
  }

 private:
  static constexpr double kUnset = -1e300;
  double rate_ = 0;
  double capacity_ = 1;
  double tokens_ = kUnset;
  Nanos last_{0};
};

// The two buckets of one class: bytes/s and ops/s. Admission needs both non-empty.
class ClassLimiter {
 public:
  void Set(double bytes_per_sec, double ops_per_sec, Nanos now) {
    bytes_.SetRate(bytes_per_sec, now);
    ops_.SetRate(ops_per_sec, now);
  }
  // Admits a request of `bytes` if both buckets have tokens; returns false otherwise.
  bool TryAdmit(double bytes, Nanos now) {
    bytes_.Refill(now);
    ops_.Refill(now);
    if (!bytes_.HasTokens() || !ops_.HasTokens()) return false;
    bytes_.Take(bytes);
    ops_.Take(1);
    return true;
  }
  Nanos TimeUntilAvailable() const {
    return std::max(bytes_.TimeUntilAvailable(), ops_.TimeUntilAvailable());
  }
  bool unlimited() const { return bytes_.unlimited() && ops_.unlimited(); }
  double bytes_rate() const { return bytes_.rate(); }

 private:
  TokenBucket bytes_;
  TokenBucket ops_;
};

}  // namespace strata::io
