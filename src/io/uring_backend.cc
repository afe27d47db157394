// io_uring backend: one ring per scheduler thread.
//
// Attempts staged by Prepare become SQEs; Reap submits them all and waits for the first
// CQE in one io_uring_enter (io_uring_submit_and_wait_timeout), then drains every ready
// CQE in one pass (io_uring_for_each_cqe + io_uring_cq_advance). Buffers inside the
// registered arena go out as READ_FIXED/WRITE_FIXED. Wake writes to an eventfd whose
// read is kept armed inside the ring, so a single io_uring_wait_cqe serves both "a request
// finished" and "new work was queued" without a second wait primitive.
#include <liburing.h>
#include <sys/uio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "io/backend.h"
#include "obs/log.h"

namespace strata::io {
namespace {

// user_data of the eventfd read; requests use their (non-null, aligned) address.
constexpr uint64_t kWakeTag = 1;

class UringBackend final : public Backend {
 public:
  UringBackend() = default;
  ~UringBackend() override {
    if (ring_ok_) io_uring_queue_exit(&ring_);
    if (efd_ >= 0) ::close(efd_);
  }

  Status Init(uint32_t queue_depth, std::span<char> fixed) {
    // +1 for the eventfd read, room for retries staged while the ring is full.
    unsigned entries = queue_depth * 2 + 2;
    io_uring_params params{};
    // COOP_TASKRUN: completions are processed when we enter the kernel anyway, so no IPI
    // per completion. (Not SINGLE_ISSUER: the ring is built on the creating thread.)
    params.flags = IORING_SETUP_COOP_TASKRUN;
    int rc = io_uring_queue_init_params(entries, &ring_, &params);
    if (rc == -EINVAL) {  // older kernel without those flags
      params = {};
      rc = io_uring_queue_init_params(entries, &ring_, &params);
    }
    if (rc < 0) return Status::FromErrno(-rc, "io_uring_queue_init");
    ring_ok_ = true;
    if (!fixed.empty()) {
      iovec iov{fixed.data(), fixed.size()};
      int reg = io_uring_register_buffers(&ring_, &iov, 1);
      if (reg == 0) {
        fixed_ = fixed;
      } else {
        obs::Warn("io", "io_uring buffer registration failed, using plain reads and writes",
                  {{"error", std::string(std::strerror(-reg))}, {"bytes", uint64_t{fixed.size()}}});
      }
    }
    efd_ = ::eventfd(0, EFD_CLOEXEC);
    if (efd_ < 0) return Status::FromErrno(errno, "eventfd");
    if (!ArmWake()) return Status::IOError("io_uring: no SQE for the wake eventfd");
    int sub = io_uring_submit(&ring_);
    if (sub < 0) return Status::FromErrno(-sub, "io_uring_submit");
    return Status::OK();
  }

  void Prepare(const Attempt& a) override {
    io_uring_sqe* sqe = GetSqe();
    if (InFixed(a)) {  // pages pinned once at registration, not per request
      if (a.req->op == IoOp::kRead) {
        io_uring_prep_read_fixed(sqe, a.fd, a.buf, static_cast<unsigned>(a.len), a.offset, 0);
      } else {
        io_uring_prep_write_fixed(sqe, a.fd, a.buf, static_cast<unsigned>(a.len), a.offset, 0);
      }
      io_uring_sqe_set_data(sqe, a.req);
      staged_++;
      return;
    }
    switch (a.req->op) {
      case IoOp::kRead: io_uring_prep_read(sqe, a.fd, a.buf, static_cast<unsigned>(a.len), a.offset); break;
      case IoOp::kWrite: io_uring_prep_write(sqe, a.fd, a.buf, static_cast<unsigned>(a.len), a.offset); break;
      case IoOp::kSync: io_uring_prep_fsync(sqe, a.fd, 0); break;
      case IoOp::kDataSync: io_uring_prep_fsync(sqe, a.fd, IORING_FSYNC_DATASYNC); break;
      default: STRATA_CHECK_MSG(false, "unexpected op in io_uring backend");
    }
    io_uring_sqe_set_data(sqe, a.req);
    staged_++;
  }

  void Flush() override {
    if (staged_ == 0) return;
    while (true) {
      int rc = io_uring_submit(&ring_);
      if (rc >= 0 || (rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)) {
        STRATA_CHECK_MSG(rc >= 0, "io_uring_submit failed");
        break;
      }
    }
    staged_ = 0;
  }

  void Reap(Nanos timeout, std::vector<Reaped>* out) override {
    // Submit what is staged and wait for the first completion in one io_uring_enter.
    io_uring_cqe* cqe = nullptr;
    __kernel_timespec ts{};
    ts.tv_sec = timeout.count() / 1000000000;
    ts.tv_nsec = timeout.count() % 1000000000;
    int rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, timeout.count() < 0 ? nullptr : &ts, nullptr);
    staged_ = 0;
    if (rc < 0) {
      // -ETIME (timeout) or -EINTR: nothing ready; the caller loops.
      STRATA_CHECK_MSG(rc == -ETIME || rc == -EINTR || rc == -EAGAIN || rc == -EBUSY,
                       "io_uring_submit_and_wait failed");
      return;
    }
    unsigned head;
    unsigned seen = 0;
    bool rearm = false;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      seen++;
      if (cqe->user_data == kWakeTag) {
        rearm = true;
        continue;
      }
      out->push_back({static_cast<Request*>(io_uring_cqe_get_data(cqe)), cqe->res});
    }
    io_uring_cq_advance(&ring_, seen);
    if (rearm) STRATA_CHECK(ArmWake());  // submitted by the next Reap or Flush
  }

  void Wake() override {
    uint64_t one = 1;
    ssize_t n;
    do {
      n = ::write(efd_, &one, sizeof one);
    } while (n < 0 && errno == EINTR);
  }

  const char* name() const override { return "io_uring"; }

 private:
  io_uring_sqe* GetSqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    while (sqe == nullptr) {  // SQ full: push what is staged and try again
      int rc = io_uring_submit(&ring_);
      STRATA_CHECK_MSG(rc >= 0 || rc == -EINTR || rc == -EAGAIN || rc == -EBUSY, "io_uring_submit failed");
      staged_ = 0;
      sqe = io_uring_get_sqe(&ring_);
    }
    return sqe;
  }

  bool InFixed(const Attempt& a) const {
    if (fixed_.empty() || a.buf == nullptr) return false;
    if (a.req->op != IoOp::kRead && a.req->op != IoOp::kWrite) return false;
    return a.buf >= fixed_.data() && a.buf + a.len <= fixed_.data() + fixed_.size();
  }

  bool ArmWake() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) return false;
    io_uring_prep_read(sqe, efd_, &wake_buf_, sizeof wake_buf_, 0);
    io_uring_sqe_set_data64(sqe, kWakeTag);
    staged_++;
    return true;
  }

  io_uring ring_{};
  bool ring_ok_ = false;
  int efd_ = -1;
  uint64_t wake_buf_ = 0;
  unsigned staged_ = 0;
  std::span<char> fixed_;  // registered as buffer index 0; empty if none
};

}  // namespace

Result<std::unique_ptr<Backend>> NewUringBackend(uint32_t queue_depth, std::span<char> fixed) {
  auto b = std::make_unique<UringBackend>();
  STRATA_RETURN_IF_ERROR(b->Init(queue_depth, fixed));
  return std::unique_ptr<Backend>(std::move(b));
}

}  // namespace strata::io
