// Portable backend: a pool of threads running pread/pwrite/fsync/fdatasync.
//
// Used when io_uring cannot be set up (seccomp profiles, old kernels, RLIMIT_MEMLOCK) or
// when asked for. Prepare hands attempts to the pool; each worker performs one system call
// and posts {request, result} to a completion list that Reap drains in a batch, so the
// scheduler thread sees the same interface as with io_uring. Results follow the io_uring
// convention: bytes transferred or -errno.
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "io/backend.h"

namespace strata::io {
namespace {

class ThreadPoolBackend final : public Backend {
 public:
  explicit ThreadPoolBackend(uint32_t threads) {
    STRATA_CHECK(threads > 0);
    for (uint32_t i = 0; i < threads; i++) workers_.emplace_back([this] { WorkerLoop(); });
  }
  ~ThreadPoolBackend() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

  void Prepare(const Attempt& a) override { staged_.push_back(a); }

  void Flush() override {
    if (staged_.empty()) return;
    {
      std::lock_guard lock(mu_);
      for (const Attempt& a : staged_) work_.push_back(a);
    }
    if (staged_.size() == 1) {
      work_cv_.notify_one();
    } else {
      work_cv_.notify_all();
    }
    staged_.clear();
  }

  void Reap(Nanos timeout, std::vector<Reaped>* out) override {
    std::unique_lock lock(mu_);
    auto ready = [&] { return !done_.empty() || woken_; };
    if (timeout.count() < 0) {
      done_cv_.wait(lock, ready);
    } else {
      done_cv_.wait_for(lock, timeout, ready);
    }
    woken_ = false;
    for (const Reaped& r : done_) out->push_back(r);
    done_.clear();
  }

  void Wake() override {
    {
      std::lock_guard lock(mu_);
      woken_ = true;
    }
    done_cv_.notify_one();
  }

  const char* name() const override { return "threadpool"; }

 private:
  static int64_t Run(const Attempt& a) {
    ssize_t rc = 0;
    switch (a.req->op) {
      case IoOp::kRead: rc = ::pread(a.fd, a.buf, a.len, static_cast<off_t>(a.offset)); break;
      case IoOp::kWrite: rc = ::pwrite(a.fd, a.buf, a.len, static_cast<off_t>(a.offset)); break;
      case IoOp::kSync: rc = ::fsync(a.fd); break;
      case IoOp::kDataSync: rc = ::fdatasync(a.fd); break;
      default: STRATA_CHECK_MSG(false, "unexpected op in thread-pool backend");
    }
    // EINTR/EAGAIN go back to the scheduler, which retries them like io_uring's.
    return rc < 0 ? -errno : rc;
  }

  void WorkerLoop() {
    std::unique_lock lock(mu_);
    while (true) {
      work_cv_.wait(lock, [&] { return stop_ || !work_.empty(); });
      if (work_.empty()) return;  // stop_ and drained
      Attempt a = work_.front();
      work_.pop_front();
      lock.unlock();
      int64_t res = Run(a);
      lock.lock();
      done_.push_back({a.req, res});
      done_cv_.notify_one();
    }
  }

  std::vector<Attempt> staged_;  // scheduler thread only
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<Attempt> work_;
  std::vector<Reaped> done_;
  bool woken_ = false;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

std::unique_ptr<Backend> NewThreadPoolBackend(uint32_t threads) {
  return std::make_unique<ThreadPoolBackend>(threads);
}

}  // namespace strata::io
