// Scheduler internals shared by scheduler.cc and file.cc (internal to src/io).
#pragma once

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
    ClassLimiter limiter;      // unlimited for foreground read and Raft log
    int64_t throttled_since_ns = -1;
    obs::Counter* ops = nullptr;
    obs::Counter* bytes = nullptr;
    obs::Gauge* depth = nullptr;
    obs::Histogram* wait = nullptr;
    obs::Histogram* service = nullptr;
    obs::Gauge* throttle = nullptr;
  };
  // One scheduler thread and its backend. `backend` and `injected` belong to the thread;
  // the counters and `waiting` are guarded by `mu`.
  struct Worker {
    std::unique_ptr<Backend> backend;
    std::thread thread;
    uint32_t inflight = 0;
    uint32_t background_inflight = 0;
    bool waiting = false;
    std::vector<Reaped> injected;  // results produced by the fault injector
  };

  explicit Impl(const SchedulerOptions& o);
  Status Start();
  void Stop();
  Result<std::unique_ptr<Backend>> MakeBackend();
  Status Validate(const Request& r) const;
  void Submit(std::span<Request> reqs, Completion* completion);
  Nanos Admit(Worker* w, std::vector<Request*>* out);
  void StartAttempt(Worker* w, Request* r);
  bool OnResult(Worker* w, Request* r, int64_t res);
  void Finish(Request* r, std::vector<Request*>* finished);
  void Run(Worker* w);
  bool QueuesEmptyLocked() const;

  const SchedulerOptions opts;
  Clock* const clock;
  FaultInjector* const faults;
  uint32_t background_cap = 1;  // slots per worker background classes may fill
  std::string backend_name;
  std::atomic<bool> direct_notice_logged{false};

  mutable std::mutex mu;
  ClassState classes[kNumIoClasses];
  bool stopping = false;
  std::vector<std::unique_ptr<Worker>> workers;
};

}  // namespace strata::io
