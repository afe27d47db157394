// The backends behind io::Scheduler (internal to src/io): the asynchronous Backend
// interface (io_uring) and the thread pool's synchronous ExecuteSync.
//
// A backend belongs to exactly one scheduler thread: Prepare, Flush and Reap are called
// only from that thread. Wake is the one method other threads call; it makes a blocked
// (or the next) Reap return early so the thread can look at its queues again.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "io/io.h"

namespace strata::io {

// One attempt of a request: the scheduler computes the chunk still to transfer.
struct Attempt {
  Request* req;
  int fd;
  uint64_t offset;
  char* buf;
  size_t len;
};

struct Reaped {
  Request* req;
  int64_t result;  // bytes transferred, or -errno
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Stages an attempt; it reaches the device no later than the next Flush.
  virtual void Prepare(const Attempt& a) = 0;
  // Submits every staged attempt (one io_uring_submit for the whole batch).
  virtual void Flush() = 0;
  // Submits anything still staged, then appends completions to `out`. Blocks until at
  // least one completion, a Wake, or `timeout` passes (negative = no timeout).
  virtual void Reap(Nanos timeout, std::vector<Reaped>* out) = 0;
  virtual void Wake() = 0;  // thread-safe
  virtual const char* name() const = 0;
};

// Fails with the reason when io_uring cannot be set up (seccomp, old kernel, limits).
// `fixed` (may be empty) is registered as fixed buffer 0; attempts inside it use
// READ_FIXED/WRITE_FIXED. A failed registration is logged and leaves plain reads/writes.
Result<std::unique_ptr<Backend>> NewUringBackend(uint32_t queue_depth, std::span<char> fixed);
// The thread-pool backend's one system call for an attempt (pread/pwrite/fsync/
// fdatasync), with io_uring's result convention: bytes transferred or -errno.
int64_t ExecuteSync(const Attempt& a);

}  // namespace strata::io
