// io::File, Scheduler::Open, the filesystem helpers and the fault injector.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include <fmt/format.h>

#include "io/file_util.h"
#include "io/scheduler_impl.h"
#include "obs/log.h"

namespace strata::io {

// ------------------------------------------------------------------ Open

Result<std::unique_ptr<File>> Scheduler::Open(const std::string& path, const OpenOptions& o) {
  if (o.read_only && (o.create || o.truncate)) {
    return Status::InvalidArgument("open " + path + ": read_only excludes create/truncate");
  }
  int flags = O_CLOEXEC | (o.read_only ? O_RDONLY : O_RDWR);
  if (o.create) flags |= O_CREAT;
  if (o.truncate) flags |= O_TRUNC;
  int fd = -1;
  bool direct = false;
  if (o.direct) {
    FaultRule rule;
    bool refused = impl_->faults && impl_->faults->Match(IoOp::kOpenDirect, path, &rule);
    if (!refused) {
      do {
        fd = ::open(path.c_str(), flags | O_DIRECT, 0644);
      } while (fd < 0 && errno == EINTR);
    }
    // EINVAL is how Linux says "this filesystem does not do O_DIRECT".
    if (refused || (fd < 0 && errno == EINVAL)) {
      fd = -1;
      bool first = !impl_->direct_notice_logged.exchange(true);
      obs::Log(first ? obs::LogLevel::kInfo : obs::LogLevel::kDebug, "io",
               "O_DIRECT refused by the filesystem, using buffered I/O", {{"path", path}});
    } else if (fd < 0) {
      return Status::FromErrno(errno, "open " + path);
    } else {
      direct = true;
    }
  }
  if (fd < 0) {
    do {
      fd = ::open(path.c_str(), flags, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return Status::FromErrno(errno, "open " + path);
  }
  return std::unique_ptr<File>(new File(this, path, fd, direct, o.direct));
}

// ------------------------------------------------------------------ File

File::File(Scheduler* sched, std::string path, int fd, bool direct, bool direct_requested)
    : sched_(sched), path_(std::move(path)), fd_(fd), direct_(direct), direct_requested_(direct_requested) {
  STRATA_CHECK(fd_ >= 0);
}

File::~File() { ::close(fd_); }

Status File::CheckAlignment(uint64_t offset, const char* buf, size_t n) const {
  if (!direct_requested_) return Status::OK();
  if (IsAligned(offset) && IsAligned(n) && IsAligned(reinterpret_cast<uintptr_t>(buf))) {
    return Status::OK();
  }
  return Status::InvalidArgument(fmt::format(
      "direct I/O on {} needs offset, length and buffer aligned to {} bytes (offset {}, length {}, "
      "buffer {:#x})", path_, kDirectIoAlignment, offset, n, reinterpret_cast<uintptr_t>(buf)));
}

Status File::RunOne(Request& r) {
  r.file = this;
  if (sched_->impl_->TryRunInline(r)) return r.status;
  Completion done;
  sched_->Submit(std::span<Request>(&r, 1), &done);
  done.Wait();
  return r.status;
}

Result<size_t> File::ReadAt(IoClass c, uint64_t offset, char* buf, size_t n) {
  Request r;
  r.op = IoOp::kRead;
  r.io_class = c;
  r.offset = offset;
  r.buf = buf;
  r.len = n;
  STRATA_RETURN_IF_ERROR(RunOne(r));
  STRATA_CHECK(r.bytes <= n);
  return r.bytes;
}

Status File::ReadExact(IoClass c, uint64_t offset, char* buf, size_t n) {
  STRATA_ASSIGN_OR_RETURN(size_t got, ReadAt(c, offset, buf, n));
  if (got != n) {
    return Status::Corruption(fmt::format("short read of {}: {} of {} bytes at offset {}", path_, got, n, offset));
  }
  return Status::OK();
}

Status File::WriteAt(IoClass c, uint64_t offset, Slice data) {
  Request r;
  r.op = IoOp::kWrite;
  r.io_class = c;
  r.offset = offset;
  r.buf = const_cast<char*>(data.data());  // writes never modify the buffer
  r.len = data.size();
  STRATA_RETURN_IF_ERROR(RunOne(r));
  STRATA_CHECK(r.bytes == data.size());
  return Status::OK();
}

Status File::Sync(IoClass c) {
  Request r;
  r.op = IoOp::kSync;
  r.io_class = c;
  return RunOne(r);
}

Status File::DataSync(IoClass c) {
  Request r;
  r.op = IoOp::kDataSync;
  r.io_class = c;
  return RunOne(r);
}

Status File::Allocate(uint64_t offset, uint64_t len) {
  FaultInjector* faults = sched_->impl_->faults;
  FaultRule rule;
  if (faults && faults->Match(IoOp::kAllocate, path_, &rule)) {
    return Status::FromErrno(rule.error, "fallocate " + path_ + " (injected)");
  }
  int rc;
  do {
    rc = ::fallocate(fd_, 0, static_cast<off_t>(offset), static_cast<off_t>(len));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0 && errno == EOPNOTSUPP) {
    rc = ::posix_fallocate(fd_, static_cast<off_t>(offset), static_cast<off_t>(len));
    if (rc != 0) return Status::FromErrno(rc, "posix_fallocate " + path_);
    return Status::OK();
  }
  if (rc != 0) return Status::FromErrno(errno, fmt::format("fallocate {} ({} bytes at {})", path_, len, offset));
  return Status::OK();
}

Status File::Truncate(uint64_t size) {
  int rc;
  do {
    rc = ::ftruncate(fd_, static_cast<off_t>(size));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return Status::FromErrno(errno, fmt::format("ftruncate {} to {}", path_, size));
  return Status::OK();
}

Result<uint64_t> File::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return Status::FromErrno(errno, "fstat " + path_);
  return static_cast<uint64_t>(st.st_size);
}

// ------------------------------------------------------------------ filesystem helpers

Status RenameFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return Status::FromErrno(errno, fmt::format("rename {} to {}", from, to));
  }
  return Status::OK();
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return Status::FromErrno(errno, "remove " + path);
  return Status::OK();
}

Status CreateDir(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::FromErrno(ec.value(), "create directory " + path);
  return Status::OK();
}

Status SyncDir(const std::string& dir) { return SyncDirectory(dir); }

Result<std::vector<std::string>> ListDir(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> names;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return Status::FromErrno(ec.value(), "list directory " + dir);
  std::sort(names.begin(), names.end());
  return names;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// ------------------------------------------------------------------ FaultInjector

void FaultInjector::Add(FaultRule rule) {
  std::lock_guard lock(mu_);
  rules_.push_back(std::move(rule));
}

void FaultInjector::Clear() {
  std::lock_guard lock(mu_);
  rules_.clear();
}

bool FaultInjector::Match(IoOp op, const std::string& path, FaultRule* out) {
  std::lock_guard lock(mu_);
  for (FaultRule& r : rules_) {
    if (r.op != op || r.times == 0) continue;
    if (!r.path_contains.empty() && path.find(r.path_contains) == std::string::npos) continue;
    if (r.skip > 0) {
      r.skip--;
      return false;
    }
    if (r.times > 0) r.times--;
    fired_.fetch_add(1, std::memory_order_relaxed);
    *out = r;
    return true;
  }
  return false;
}

}  // namespace strata::io
