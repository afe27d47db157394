// Scheduler internals shared by scheduler.cc and file.cc (internal to src/io).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "io/backend.h"
#include "io/io.h"
#include "io/token_bucket.h"

namespace strata::obs {
class Counter;
class Gauge;
class Histogram;
}  // namespace strata::obs

namespace strata::io {

struct Scheduler::Impl {
  // Per-class state; everything but the metric pointers is guarded by `mu`.
  struct ClassState {
    Request* head = nullptr;  // intrusive FIFO through Request::Internal::next
    Request* tail = nullptr;
    uint64_t outstanding = 0;  // queued + in flight
    uint64_t queued = 0;       // in the FIFO
    ClassLimiter limiter;      // unlimited for foreground read and Raft log
    int64_t throttled_since_ns = -1;
    double throttled_seconds = 0;  // completed token waits (the throttle metric's total)
    uint64_t admitted_bytes = 0;
    // Written outside `mu` where requests finish; read by Stats().
    std::atomic<uint64_t> completed{0};
    std::atomic<uint64_t> latency_ns{0};
    obs::Counter* ops = nullptr;
    obs::Counter* bytes = nullptr;
    obs::Gauge* depth = nullptr;
    obs::Histogram* wait = nullptr;
    obs::Histogram* service = nullptr;
    obs::Gauge* throttle = nullptr;
    obs::Gauge* rate_limit = nullptr;  // the byte rate in force (0 = unlimited)
  };
  // One scheduler thread and its backend. `backend` and `injected` belong to the thread;
  // the counters are guarded by `mu`. `waiting` is set under `mu` just before the thread
  // may block in Reap and cleared once Reap returns, so a Submit pays for a Wake only
  // when the thread could be asleep (not, e.g., when a completion callback resubmits).
  struct Worker {
    std::unique_ptr<Backend> backend;
    std::thread thread;
    uint32_t inflight = 0;
    uint32_t background_inflight = 0;
    uint64_t background_bytes = 0;  // bytes of the background requests in flight
    std::atomic<bool> waiting{false};
    std::vector<Reaped> injected;  // results produced by the fault injector
  };

  explicit Impl(const SchedulerOptions& o);
  Status Start();
  Status StartRings();
  void SetCaps(uint32_t slots);
  void Stop();
  void WakeAll();
  Status Validate(const Request& r) const;
  void Submit(std::span<Request> reqs, Completion* completion);
  // The inline fast path of a synchronous foreground read (File::RunOne): when no
  // foreground read is queued and a slot is free, the caller runs the read itself with
  // pread. Returns false (nothing done) when it must be queued instead.
  bool TryRunInline(Request& r);
  Nanos Admit(Worker* w, std::vector<Request*>* out, size_t max);
  // NextAttempt's *injected when the power-loss simulation parks the request.
  static constexpr int64_t kParked = INT64_MIN;
  bool NextAttempt(Request* r, Attempt* a, int64_t* injected);
  void StartAttempt(Worker* w, Request* r);
  bool OnResult(Request* r, int64_t res);
  bool ApplyResult(Request* r, int64_t res);
  void NotifyTracker(Request* r);
  void Finish(Request* r, std::vector<Request*>* finished);
  void CountFinished(ClassState& cs, const Request& r, int64_t now_ns);
  void AccountDoneLocked(Worker* w, IoClass c, size_t len);
  void RunRing(Worker* w);
  void RunPool(Worker* w);
  bool QueuesEmptyLocked() const;
  std::span<char> registered_arena() { return std::span<char>(arena.data(), arena.size()); }

  const SchedulerOptions opts;
  Clock* const clock;
  FaultInjector* const faults;
  uint32_t inflight_cap = 1;     // requests in flight per worker (ring) or pool
  uint32_t background_cap = 1;  // of which background classes may fill this many
  bool pool_mode = false;       // thread-pool backend: `pool` threads share workers[0]
  uint32_t pool_threads_n = 0;
  std::string backend_name;
  std::atomic<bool> direct_notice_logged{false};
  AlignedBuffer arena;  // registered with every ring; set before the rings start

  mutable std::mutex mu;
  ClassState classes[kNumIoClasses];
  bool stopping = false;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> pool;
  std::condition_variable pool_cv;  // pool threads wait here (with mu) when idle
  uint32_t pool_idle = 0;           // guarded by mu
};

}  // namespace strata::io
