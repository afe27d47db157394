// A deadline that moves while work makes progress: "give up after `patience` without
// progress", not "give up after `patience`". Node start waits with it while the Raft log
// replays: a long replay (a dead ALTER's copy, a big unflushed log under a sanitizer) keeps
// advancing the applied index and is waited for; a node that is stuck still fails fast.
#pragma once

#include <chrono>
#include <cstdint>

namespace strata::node {

class StallDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  StallDeadline(std::chrono::nanoseconds patience, uint64_t progress, Clock::time_point now)
      : patience_(patience), progress_(progress), deadline_(now + patience) {}

  // Records the current progress counter; an advance restarts the patience.
  void Observe(uint64_t progress, Clock::time_point now) {
    if (progress == progress_) return;
    progress_ = progress;
    deadline_ = now + patience_;
  }
  bool Expired(Clock::time_point now) const { return now >= deadline_; }

 private:
  std::chrono::nanoseconds patience_;
  uint64_t progress_;
  Clock::time_point deadline_;
};

}  // namespace strata::node
