// The portable backend's system calls.
//
// Used when io_uring cannot be set up (seccomp profiles, old kernels, RLIMIT_MEMLOCK) or
// when asked for. The pool itself lives in the scheduler (Scheduler::Impl::RunPool): each
// pool thread admits a request, runs its attempts here synchronously and completes it,
// like fio's psync engine with numjobs threads, so no request is handed between threads.
#include <unistd.h>

#include <cerrno>

#include "io/backend.h"

namespace strata::io {

int64_t ExecuteSync(const Attempt& a) {
  ssize_t rc = 0;
  switch (a.req->op) {
    case IoOp::kRead: rc = ::pread(a.fd, a.buf, a.len, static_cast<off_t>(a.offset)); break;
    case IoOp::kWrite: rc = ::pwrite(a.fd, a.buf, a.len, static_cast<off_t>(a.offset)); break;
    case IoOp::kSync: rc = ::fsync(a.fd); break;
    case IoOp::kDataSync: rc = ::fdatasync(a.fd); break;
    default: STRATA_CHECK_MSG(false, "unexpected op in the thread-pool backend");
  }
  // EINTR/EAGAIN go back to the scheduler, which retries them as it does io_uring's.
  return rc < 0 ? -errno : rc;
}

}  // namespace strata::io
