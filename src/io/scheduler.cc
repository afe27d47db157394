// io::Scheduler: priority classes, token buckets, and the dispatch loops.
//
// Submitters append requests to one intrusive FIFO per class under `mu`. Admission (under
// `mu`, Admit) walks the classes highest first and moves requests into flight while slots
// are free; a background class whose bucket is empty stops there and the walk goes on to
// the next class, so a throttled class never blocks the others. Background classes
// together may hold at most 3/4 of the slots and `background_inflight_bytes`, so a
// foreground read or Raft write that arrives during a compaction storm finds a free slot
// on the next admission and, in the device, waits behind a bounded amount of data.
//
// Two ways to run what was admitted:
//   io_uring (RunRing): each scheduler thread owns a ring and loops: admit, stage SQEs,
//     submit + wait for the first CQE in one io_uring_enter, drain all ready CQEs, finish
//     or re-stage (short transfer, EINTR/EAGAIN) each.
//   thread pool (RunPool): each pool thread admits one request, runs its attempts with
//     pread/pwrite/fsync and completes it itself.
//
// Invariants (under mu): a request is in exactly one of {a class FIFO, in flight on one
// worker}; a worker's inflight never exceeds inflight_cap, its background_inflight never
// exceeds background_cap, its background_bytes exceed background_inflight_bytes only
// when a single request is larger; a class's `outstanding` is its queued plus in-flight requests,
// `queued` the length of its FIFO.
#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "io/backend.h"
#include "io/durability.h"
#include "io/scheduler_impl.h"
#include "obs/log.h"
#include "obs/metrics.h"

namespace strata::io {

namespace {
constexpr uint32_t kMaxRetries = 100;             // EINTR/EAGAIN/zero-progress retries per request
constexpr size_t kMaxAttemptBytes = size_t{1} << 30;  // io_uring lengths are 32-bit
constexpr Nanos kMaxThrottleSleep = std::chrono::milliseconds(5);

double Seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

const char* OpName(IoOp op) {
  switch (op) {
    case IoOp::kRead: return "read";
    case IoOp::kWrite: return "write";
    case IoOp::kSync: return "fsync";
    case IoOp::kDataSync: return "fdatasync";
    default: return "io";
  }
}
}  // namespace

const char* IoClassName(IoClass c) {
  switch (c) {
    case IoClass::kForegroundRead: return "foreground_read";
    case IoClass::kRaftLog: return "raft_log";
    case IoClass::kFlush: return "flush";
    case IoClass::kCompaction: return "compaction";
    case IoClass::kSnapshot: return "snapshot";
  }
  return "unknown";
}

// ------------------------------------------------------------------ Completion

void Completion::Add(uint32_t n) {
  if (remaining_.fetch_add(n, std::memory_order_acq_rel) == 0) {
    std::lock_guard lock(mu_);
    signalled_ = false;
  }
  armed_ = true;
}

void Completion::CountDown() {
  if (remaining_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (on_done_) {
    std::function<void()> fn = on_done_;  // copy: fn may destroy *this
    fn();
    return;
  }
  // Notify under the lock: the waiter cannot return (and free *this) before we unlock.
  std::lock_guard lock(mu_);
  signalled_ = true;
  cv_.notify_all();
}

void Completion::Wait() {
  if (!armed_) return;
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return signalled_; });
}

// ------------------------------------------------------------------ Impl

Scheduler::Impl::Impl(const SchedulerOptions& o)
    : opts(o),
      clock(o.clock ? o.clock : &SystemClock::Default()),
      faults(o.faults) {
  obs::Registry& reg = o.registry ? *o.registry : obs::Registry::Default();
  auto& ops = reg.AddCounterFamily("stratadb_io_ops_total", "I/O requests completed.", {"class"});
  auto& bytes = reg.AddCounterFamily("stratadb_io_bytes_total", "Bytes read or written.", {"class"});
  auto& depth = reg.AddGaugeFamily("stratadb_io_queue_depth",
                                   "I/O requests queued or in flight.", {"class"});
  std::vector<double> buckets = obs::ExponentialBuckets(1e-6, 2, 26);  // 1 us .. 33 s
  auto& wait = reg.AddHistogramFamily("stratadb_io_queue_wait_seconds",
                                      "Time from submit to dispatch.", {"class"}, buckets);
  auto& service = reg.AddHistogramFamily("stratadb_io_service_seconds",
                                         "Time from dispatch to completion.", {"class"}, buckets);
  auto& throttle = reg.AddFloatCounterFamily("stratadb_io_throttle_seconds_total",
                                      "Time the head request of a class waited for tokens.",
                                      {"class"});
  auto& rate_limit = reg.AddGaugeFamily("stratadb_io_rate_limit_bytes_per_second",
                                        "Token-bucket byte rate in force (0 = unlimited).", {"class"});
  Nanos now = clock->Now();
  for (int i = 0; i < kNumIoClasses; i++) {
    ClassState& cs = classes[i];
    std::vector<std::string> label = {IoClassName(static_cast<IoClass>(i))};
    cs.ops = &ops.With(label);
    cs.bytes = &bytes.With(label);
    cs.depth = &depth.With(label);
    cs.wait = &wait.With(label);
    cs.service = &service.With(label);
    cs.throttle = &throttle.With(label);
    const RateLimit& l = o.limits[i];
    if (IsBackground(static_cast<IoClass>(i))) {
      cs.rate_limit = &rate_limit.With(label);
      cs.limiter.Set(l.bytes_per_sec, l.ops_per_sec, now);
      cs.rate_limit->Set(l.bytes_per_sec);
    }
  }
}

// A quarter of the slots (at least one) is kept for foreground reads and the Raft log.
void Scheduler::Impl::SetCaps(uint32_t slots) {
  inflight_cap = slots;
  uint32_t reserve = std::max<uint32_t>(1, slots / 4);
  background_cap = slots > reserve ? slots - reserve : 1;
}

Status Scheduler::Impl::Start() {
  if (opts.registered_buffer_bytes > 0) arena = AlignedBuffer(opts.registered_buffer_bytes);
  pool_threads_n = opts.pool_threads ? opts.pool_threads : opts.queue_depth * opts.threads;
  if (opts.backend != BackendKind::kThreadPool) {
    SetCaps(opts.queue_depth);
    Status s = StartRings();
    if (s.ok() || opts.backend == BackendKind::kUring) return s;
    obs::Warn("io", "io_uring unavailable, using the thread-pool backend",
              {{"reason", s.ToString()}, {"pool_threads", uint64_t{pool_threads_n}}});
    workers.clear();
  }
  // Thread-pool mode: one shared Worker for the accounting; every pool thread admits,
  // runs and completes requests itself (no hand-off between threads per request).
  pool_mode = true;
  backend_name = "threadpool";
  SetCaps(pool_threads_n);
  workers.push_back(std::make_unique<Worker>());
  Worker* w = workers[0].get();
  for (uint32_t i = 0; i < pool_threads_n; i++) pool.emplace_back([this, w] { RunPool(w); });
  return Status::OK();
}

Status Scheduler::Impl::StartRings() {
  for (uint32_t i = 0; i < opts.threads; i++) {
    auto w = std::make_unique<Worker>();
    FaultRule rule;
    if (faults && faults->Match(IoOp::kRingSetup, "", &rule)) {
      return Status::FromErrno(rule.error, "io_uring_queue_init (injected)");
    }
    STRATA_ASSIGN_OR_RETURN(w->backend, NewUringBackend(opts.queue_depth, registered_arena()));
    workers.push_back(std::move(w));
  }
  backend_name = workers[0]->backend->name();
  for (auto& w : workers) {
    Worker* wp = w.get();
    wp->thread = std::thread([this, wp] { RunRing(wp); });
  }
  return Status::OK();
}

void Scheduler::Impl::Stop() {
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  WakeAll();
  for (auto& w : workers) {
    if (w->thread.joinable()) w->thread.join();
  }
  for (auto& t : pool) t.join();
}

void Scheduler::Impl::WakeAll() {
  if (pool_mode) {
    std::lock_guard lock(mu);  // pairs with the waits in RunPool: no lost wake-up
    pool_cv.notify_all();
    return;
  }
  for (auto& w : workers) w->backend->Wake();
}

Status Scheduler::Impl::Validate(const Request& r) const {
  if (r.file == nullptr) return Status::InvalidArgument("io request without a file");
  if (r.op == IoOp::kRead || r.op == IoOp::kWrite) {
    if (r.buf == nullptr && r.len > 0) return Status::InvalidArgument("io request without a buffer");
    return r.file->CheckAlignment(r.offset, r.buf, r.len);
  }
  if (r.op != IoOp::kSync && r.op != IoOp::kDataSync) {
    return Status::InvalidArgument("io request op must be read, write, sync or datasync");
  }
  return Status::OK();
}

void Scheduler::Impl::Submit(std::span<Request> reqs, Completion* completion) {
  STRATA_CHECK(completion != nullptr);
  if (reqs.empty()) return;
  completion->Add(static_cast<uint32_t>(reqs.size()));
  int64_t now = clock->Now().count();
  Worker* to_wake = nullptr;
  uint32_t pool_wakes = 0;
  std::vector<Request*> rejected;
  {
    std::lock_guard lock(mu);
    for (Request& r : reqs) {
      r.bytes = 0;
      r.status = Status::OK();
      r.internal = Request::Internal{};
      r.internal.completion = completion;
      if (Status s = Validate(r); !s.ok() || stopping) {
        r.status = s.ok() ? Status::Unavailable("io scheduler is shutting down") : std::move(s);
        rejected.push_back(&r);
        continue;
      }
      r.internal.enqueued_ns = now;
      ClassState& cs = classes[static_cast<int>(r.io_class)];
      if (cs.tail) {
        cs.tail->internal.next = &r;
      } else {
        cs.head = &r;
      }
      cs.tail = &r;
      cs.queued++;
      cs.outstanding++;
      cs.depth->Set(static_cast<double>(cs.outstanding));
    }
    if (pool_mode) {
      pool_wakes = std::min<uint32_t>(pool_idle, static_cast<uint32_t>(reqs.size() - rejected.size()));
    } else {
      for (auto& w : workers) {
        if (w->waiting.exchange(false, std::memory_order_relaxed)) {
          to_wake = w.get();
          break;
        }
      }
    }
  }
  if (to_wake) to_wake->backend->Wake();
  for (uint32_t i = 0; i < pool_wakes; i++) pool_cv.notify_one();
  for (Request* r : rejected) r->internal.completion->CountDown();
}

// A foreground read is the highest class, so when none is queued ahead of it and a slot
// is free, Admit would dispatch it next anyway: the caller runs it with pread on its own
// thread, sparing two thread hand-offs (submit -> scheduler thread -> waiter) per read.
// It still holds a slot while it runs, so the device queue bound and the counts hold;
// under contention (a queued foreground read, or every slot busy) it queues as before.
bool Scheduler::Impl::TryRunInline(Request& r) {
  if (r.op != IoOp::kRead || r.io_class != IoClass::kForegroundRead || r.file == nullptr) return false;
  ClassState& cs = classes[static_cast<int>(IoClass::kForegroundRead)];
  Worker* w = nullptr;
  {
    std::lock_guard lock(mu);
    if (stopping || cs.head != nullptr) return false;
    for (auto& cand : workers) {
      if (cand->inflight < inflight_cap) {
        w = cand.get();
        break;
      }
    }
    if (w == nullptr) return false;
    r.bytes = 0;
    r.status = Validate(r);
    if (!r.status.ok()) return true;
    r.internal = Request::Internal{};
    int64_t now = clock->Now().count();
    r.internal.enqueued_ns = r.internal.dispatched_ns = now;
    cs.wait->Observe(0);
    cs.admitted_bytes += r.len;
    if (opts.on_dispatch) opts.on_dispatch(r);
    w->inflight++;
    cs.outstanding++;
    cs.depth->Set(static_cast<double>(cs.outstanding));
  }
  for (bool finished = false; !finished;) {
    Attempt a;
    int64_t res;
    if (NextAttempt(&r, &a, &res)) res = ExecuteSync(a);
    finished = OnResult(&r, res);
  }
  CountFinished(cs, r, clock->Now().count());
  // The freed slot may be what a queued request waits for: wake its dispatcher.
  bool wake = false;
  {
    std::lock_guard lock(mu);
    AccountDoneLocked(w, r.io_class, r.len);
    if (!QueuesEmptyLocked() || stopping) {  // stopping: the ring waits for our slot
      wake = pool_mode ? pool_idle > 0 : w->waiting.exchange(false, std::memory_order_relaxed);
      if (pool_mode && wake) pool_cv.notify_one();
    }
  }
  if (wake && !pool_mode) w->backend->Wake();
  return true;
}

// REQUIRES: mu held. Moves admissible requests into flight on `w`; returns how long until
// a throttled class may have tokens again (negative: nothing is throttled).
Nanos Scheduler::Impl::Admit(Worker* w, std::vector<Request*>* out, size_t max) {
  Nanos now = clock->Now();
  Nanos wait(-1);
  for (int c = 0; c < kNumIoClasses; c++) {
    ClassState& cs = classes[c];
    bool background = IsBackground(static_cast<IoClass>(c));
    while (cs.head != nullptr && w->inflight < inflight_cap && out->size() < max) {
      if (background && w->background_inflight >= background_cap) break;
      // Bytes cap: a read that reaches the device waits behind at most this much
      // background data there. One request always passes, however large.
      if (background && opts.background_inflight_bytes > 0 && w->background_inflight > 0 &&
          w->background_bytes + cs.head->len > opts.background_inflight_bytes) {
        break;
      }
      Request* r = cs.head;
      // On shutdown the buckets are lifted so the queues drain.
      if (background && !stopping && !cs.limiter.TryAdmit(static_cast<double>(r->len), now)) {
        if (cs.throttled_since_ns < 0) cs.throttled_since_ns = now.count();
        Nanos t = cs.limiter.TimeUntilAvailable();
        wait = wait.count() < 0 ? t : std::min(wait, t);
        break;
      }
      if (cs.throttled_since_ns >= 0) {
        double waited = Seconds(now.count() - cs.throttled_since_ns);
        cs.throttle->Add(waited);
        cs.throttled_seconds += waited;
        cs.throttled_since_ns = -1;
      }
      cs.admitted_bytes += r->len;
      cs.head = r->internal.next;
      if (cs.head == nullptr) cs.tail = nullptr;
      cs.queued--;
      r->internal.next = nullptr;
      r->internal.dispatched_ns = now.count();
      cs.wait->Observe(Seconds(now.count() - r->internal.enqueued_ns));
      if (opts.on_dispatch) opts.on_dispatch(*r);
      w->inflight++;
      if (background) {
        w->background_inflight++;
        w->background_bytes += r->len;
      }
      out->push_back(r);
    }
  }
  return wait;
}

// Computes the next attempt of `r` (what is still to transfer), through the fault
// injector and the power-loss simulation. Returns false when the attempt does no I/O;
// *injected is then its result (kParked: the power is out, the request never completes).
bool Scheduler::Impl::NextAttempt(Request* r, Attempt* a, int64_t* injected) {
  *a = Attempt{r, r->file->fd(), r->offset + r->bytes, r->buf ? r->buf + r->bytes : nullptr,
               std::min(r->len - r->bytes, kMaxAttemptBytes)};
  if (faults != nullptr) [[unlikely]] {
    FaultRule rule;
    if (faults->Match(r->op, r->file->path(), &rule)) {
      if (rule.action == FaultRule::Action::kError) {
        *injected = -static_cast<int64_t>(rule.error);
        return false;
      }
      a->len = std::min(a->len, rule.bytes);
      r->internal.tear = rule.action == FaultRule::Action::kTear;
    }
  }
  if (r->file->tracker_ != nullptr && r->op != IoOp::kRead) [[unlikely]] {
    // The undo of a write is captured before the bytes can reach the file, on whichever
    // thread is about to issue it (ring thread or pool thread).
    DurabilityTracker* t = r->file->tracker_;
    DurabilityTracker::Verdict v = r->op == IoOp::kWrite
        ? t->BeforeWrite(r->file->tracked_, a->offset, a->len, &r->internal.durability_token)
        : t->BeforeSync(r->file->tracked_, &r->internal.durability_token);
    if (v != DurabilityTracker::Verdict::kProceed) {
      *injected = v == DurabilityTracker::Verdict::kSkip ? 0 : kParked;
      return false;
    }
  }
  r->internal.attempt_len = a->len;
  return true;
}

// Stages the next attempt of `r` on the worker's ring (or records its injected result).
void Scheduler::Impl::StartAttempt(Worker* w, Request* r) {
  Attempt a;
  int64_t injected;
  if (NextAttempt(r, &a, &injected)) {
    w->backend->Prepare(a);
  } else if (injected != kParked) {
    w->injected.push_back({r, injected});
  }  // parked: dropped; the ring thread goes on reaping what is in flight
}

// After a request finished: tells the durability tracker that its write or sync is done.
void Scheduler::Impl::NotifyTracker(Request* r) {
  uint64_t token = r->internal.durability_token;
  if (token == 0) return;
  DurabilityTracker* t = r->file->tracker_;
  if (r->op == IoOp::kWrite) {
    t->AfterWrite(r->file->tracked_, token, r->offset, r->len, r->bytes);
  } else {
    t->AfterSync(r->file->tracked_, token, r->status.ok());
  }
}

// Applies one attempt's result to `r`. Returns true when the request is finished, false
// when another attempt must follow (short transfer, EINTR/EAGAIN).
bool Scheduler::Impl::OnResult(Request* r, int64_t res) {
  bool finished = ApplyResult(r, res);
  if (finished && r->internal.durability_token != 0) [[unlikely]] NotifyTracker(r);
  return finished;
}

bool Scheduler::Impl::ApplyResult(Request* r, int64_t res) {
  auto context = [&] {
    return fmt::format("{} {} at offset {}", OpName(r->op), r->file->path(), r->offset + r->bytes);
  };
  if (res < 0) {
    int err = static_cast<int>(-res);
    if ((err == EINTR || err == EAGAIN) && r->internal.retries++ < kMaxRetries) return false;
    r->status = Status::FromErrno(err, context());
    return true;
  }
  STRATA_CHECK(static_cast<size_t>(res) <= r->internal.attempt_len);
  if (r->op == IoOp::kSync || r->op == IoOp::kDataSync) return true;
  r->bytes += static_cast<size_t>(res);
  if (r->internal.tear) {
    r->status = Status::IOError(context() + ": torn write (injected fault)");
    return true;
  }
  if (r->bytes == r->len) return true;
  if (r->op == IoOp::kRead) {
    // 0 = EOF. A direct read that ends off the alignment grid can only have hit EOF.
    return res == 0 || (r->file->direct() && !IsAligned(r->bytes));
  }
  if (res == 0 && r->internal.retries++ >= kMaxRetries) {
    r->status = Status::IOError(context() + ": no progress");
    return true;
  }
  return false;
}

void Scheduler::Impl::Finish(Request* r, std::vector<Request*>* finished) {
  CountFinished(classes[static_cast<int>(r->io_class)], *r, clock->Now().count());
  finished->push_back(r);
}

// Metrics and the tuner's counters of a finished request (no lock needed).
void Scheduler::Impl::CountFinished(ClassState& cs, const Request& r, int64_t now_ns) {
  cs.ops->Inc();
  cs.bytes->Inc(r.bytes);
  cs.service->Observe(Seconds(now_ns - r.internal.dispatched_ns));
  cs.completed.fetch_add(1, std::memory_order_relaxed);
  cs.latency_ns.fetch_add(static_cast<uint64_t>(std::max<int64_t>(0, now_ns - r.internal.enqueued_ns)),
                          std::memory_order_relaxed);
}

void Scheduler::Impl::RunRing(Worker* w) {
  std::vector<Request*> admitted;
  std::vector<Reaped> reaped;
  std::vector<std::pair<IoClass, size_t>> finished;  // completed since the last accounting
  while (true) {
    Nanos wait;
    {
      std::lock_guard lock(mu);
      for (auto [c, len] : finished) AccountDoneLocked(w, c, len);
      finished.clear();
      if (stopping && w->inflight == 0 && QueuesEmptyLocked()) return;
      wait = Admit(w, &admitted, SIZE_MAX);
      w->waiting.store(true, std::memory_order_relaxed);  // from here on a Submit wakes us
    }
    for (Request* r : admitted) StartAttempt(w, r);
    admitted.clear();
    // Reap submits the staged attempts and waits in one system call.
    if (wait.count() >= 0) wait = std::min(wait, kMaxThrottleSleep);
    // Injected results need no device: handle them without blocking.
    if (!w->injected.empty()) wait = Nanos(0);
    w->backend->Reap(wait, &reaped);
    w->waiting.store(false, std::memory_order_relaxed);  // we will look at the queues again
    reaped.insert(reaped.end(), w->injected.begin(), w->injected.end());
    w->injected.clear();
    std::vector<Request*> done_now;
    for (const Reaped& c : reaped) {
      if (OnResult(c.req, c.result)) {
        Finish(c.req, &done_now);
      } else {
        StartAttempt(w, c.req);
      }
    }
    reaped.clear();
    // Retries staged by OnResult go out with the next Reap.
    // Keep what the accounting needs, then signal: after CountDown the request may be gone.
    for (Request* r : done_now) finished.emplace_back(r->io_class, r->len);
    for (Request* r : done_now) {
      Completion* c = r->internal.completion;
      c->CountDown();
    }
  }
}

// Thread-pool mode: each pool thread admits one request at a time and runs its attempts
// synchronously, so a request costs no hand-off between threads.
void Scheduler::Impl::RunPool(Worker* w) {
  std::vector<Request*> admitted;
  std::unique_lock lock(mu);
  while (true) {
    if (stopping && QueuesEmptyLocked()) return;
    admitted.clear();
    Nanos wait = Admit(w, &admitted, 1);
    if (admitted.empty()) {
      pool_idle++;
      if (wait.count() < 0) {
        pool_cv.wait(lock);
      } else {
        pool_cv.wait_for(lock, std::min(wait, kMaxThrottleSleep));
      }
      pool_idle--;
      continue;
    }
    lock.unlock();
    Request* r = admitted[0];
    bool finished = false;
    while (!finished) {
      Attempt a;
      int64_t res;
      if (NextAttempt(r, &a, &res)) {
        res = ExecuteSync(a);
      } else if (res == kParked) {
        DurabilityTracker::ParkForever();  // the power is out: this thread stops here
      }
      finished = OnResult(r, res);
    }
    std::vector<Request*> done;
    Finish(r, &done);
    IoClass c = r->io_class;
    size_t len = r->len;
    Completion* completion = r->internal.completion;
    completion->CountDown();  // *r may be gone after this
    lock.lock();
    AccountDoneLocked(w, c, len);
  }
}

// REQUIRES: mu held. Books a finished request (class c, length len) off worker w.
void Scheduler::Impl::AccountDoneLocked(Worker* w, IoClass c, size_t len) {
  ClassState& cs = classes[static_cast<int>(c)];
  STRATA_CHECK(cs.outstanding > 0 && w->inflight > 0);
  cs.outstanding--;
  cs.depth->Set(static_cast<double>(cs.outstanding));
  w->inflight--;
  if (IsBackground(c)) {
    STRATA_CHECK(w->background_inflight > 0 && w->background_bytes >= len);
    w->background_inflight--;
    w->background_bytes -= len;
  }
}

bool Scheduler::Impl::QueuesEmptyLocked() const {
  for (const ClassState& cs : classes) {
    if (cs.head != nullptr) return false;
  }
  return true;
}

// ------------------------------------------------------------------ Scheduler

Result<std::unique_ptr<Scheduler>> Scheduler::Create(const SchedulerOptions& options) {
  if (options.queue_depth == 0 || options.queue_depth > 4096) {
    return Status::InvalidArgument(fmt::format("io queue_depth must be in 1..4096, got {}", options.queue_depth));
  }
  if (options.threads == 0 || options.threads > 64) {
    return Status::InvalidArgument(fmt::format("io threads must be in 1..64, got {}", options.threads));
  }
  auto impl = std::make_unique<Impl>(options);
  STRATA_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<Scheduler>(new Scheduler(std::move(impl)));
}

Scheduler::Scheduler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Scheduler::~Scheduler() { impl_->Stop(); }

void Scheduler::Submit(std::span<Request> requests, Completion* completion) {
  impl_->Submit(requests, completion);
}

Status Scheduler::SubmitAndWait(std::span<Request> requests) {
  Completion done;
  impl_->Submit(requests, &done);
  done.Wait();
  for (const Request& r : requests) {
    if (!r.status.ok()) return r.status;
  }
  return Status::OK();
}

void Scheduler::SetRateLimit(IoClass c, double bytes_per_sec, double ops_per_sec) {
  {
    std::lock_guard lock(impl_->mu);
    Impl::ClassState& cs = impl_->classes[static_cast<int>(c)];
    cs.limiter.Set(bytes_per_sec, ops_per_sec, impl_->clock->Now());
    if (cs.rate_limit) cs.rate_limit->Set(bytes_per_sec);
  }
  impl_->WakeAll();
}

std::array<IoClassStats, kNumIoClasses> Scheduler::Stats() const {
  std::array<IoClassStats, kNumIoClasses> out;
  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->clock->Now().count();
  for (int i = 0; i < kNumIoClasses; i++) {
    const Impl::ClassState& cs = impl_->classes[i];
    IoClassStats& st = out[i];
    st.admitted_bytes = cs.admitted_bytes;
    st.completed = cs.completed.load(std::memory_order_relaxed);
    st.latency_ns = cs.latency_ns.load(std::memory_order_relaxed);
    st.throttled_seconds = cs.throttled_seconds;
    if (cs.throttled_since_ns >= 0 && now > cs.throttled_since_ns) st.throttled_seconds += Seconds(now - cs.throttled_since_ns);
    st.queued = cs.queued;
    st.bytes_per_sec = cs.limiter.bytes_rate();
  }
  return out;
}

const char* Scheduler::backend_name() const { return impl_->backend_name.c_str(); }

std::span<char> Scheduler::registered_arena() { return impl_->registered_arena(); }

uint64_t Scheduler::outstanding(IoClass c) const {
  std::lock_guard lock(impl_->mu);
  return impl_->classes[static_cast<int>(c)].outstanding;
}

}  // namespace strata::io
