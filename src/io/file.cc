// io::File, Scheduler::Open, the filesystem helpers and the fault injector.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include <fmt/format.h>

#include "io/durability.h"
#include "io/durability_impl.h"
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
  // Under --fault-injection the tracker opens the file, so that a creation or truncation
  // is remembered for the power-loss simulation.
  DurabilityTracker* tracker = DurabilityTracker::Get();
  TrackedFile* tracked = nullptr;
  auto open_file = [&](int f) -> int {
    if (tracker == nullptr) {
      int fd;
      do {
        fd = ::open(path.c_str(), f, 0644);
      } while (fd < 0 && errno == EINTR);
      return fd;
    }
    return tracker->Open(path, f, &tracked);
  };
  int fd = -1;
  bool direct = false;
  if (o.direct) {
    FaultRule rule;
    bool refused = impl_->faults && impl_->faults->Match(IoOp::kOpenDirect, path, &rule);
    if (!refused) fd = open_file(flags | O_DIRECT);
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
    fd = open_file(flags);
    if (fd < 0) return Status::FromErrno(errno, "open " + path);
  }
  auto file = std::unique_ptr<File>(new File(this, path, fd, direct, o.direct));
  file->tracker_ = tracker;
  file->tracked_ = tracked;
  return file;
}

// ------------------------------------------------------------------ File

// Tells the durability tracker (if any) about a size change around the system call.
class File::ResizeGuard {
 public:
  ResizeGuard(File* f, std::optional<uint64_t> shrink_to) : f_(f) {
    if (f_->tracker_ == nullptr) return;
    if (f_->tracker_->BeforeResize(f_->tracked_, shrink_to) == DurabilityTracker::Verdict::kPark) {
      DurabilityTracker::ParkForever();
    }
  }
  ~ResizeGuard() {
    if (f_->tracker_) f_->tracker_->AfterResize(f_->tracked_);
  }
  ResizeGuard(const ResizeGuard&) = delete;
  ResizeGuard& operator=(const ResizeGuard&) = delete;

 private:
  File* f_;
};

File::File(Scheduler* sched, std::string path, int fd, bool direct, bool direct_requested)
    : sched_(sched), path_(std::move(path)), fd_(fd), direct_(direct), direct_requested_(direct_requested) {
  STRATA_CHECK(fd_ >= 0);
}

File::~File() {
  if (tracker_) tracker_->Detach(tracked_);
  ::close(fd_);
}

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
  ResizeGuard guard(this, std::nullopt);
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
  ResizeGuard guard(this, size);
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
  if (DurabilityTracker* t = DurabilityTracker::Get()) return t->Rename(from, to);
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return Status::FromErrno(errno, fmt::format("rename {} to {}", from, to));
  }
  return Status::OK();
}

Status RemoveFile(const std::string& path) {
  if (DurabilityTracker* t = DurabilityTracker::Get()) return t->Remove(path);
  if (::unlink(path.c_str()) != 0) return Status::FromErrno(errno, "remove " + path);
  return Status::OK();
}

Status RemoveAll(const std::string& path) {
  if (!FileExists(path)) return Status::OK();
  if (DurabilityTracker* t = DurabilityTracker::Get()) return t->Remove(path);
  return RemoveTreeAt(AT_FDCWD, path);
}

Status CreateDir(const std::string& path) {
  // Top-down: the missing components, each created and then made durable in its parent.
  std::vector<std::string> missing;
  for (std::filesystem::path p(path); !p.empty() && !IsDirectory(p.string()); p = p.parent_path()) {
    missing.push_back(p.string());
    if (p == p.parent_path()) break;
  }
  DurabilityTracker* t = DurabilityTracker::Get();
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    const std::string& dir = *it;
    Status s = Status::OK();
    if (t) {
      s = t->MakeDir(dir);
    } else if (::mkdir(dir.c_str(), 0755) != 0) {
      s = Status::FromErrno(errno, "create directory " + dir);
    }
    if (!s.ok() && !IsDirectory(dir)) return s;  // a directory now: lost a race, fine
    std::string parent = std::filesystem::path(dir).parent_path().string();
    STRATA_RETURN_IF_ERROR(SyncDirectory(parent.empty() ? "." : parent));
  }
  return Status::OK();
}

Status SyncDir(const std::string& dir) { return SyncDirectory(dir); }

Status LinkFile(const std::string& from, const std::string& to) {
  if (DurabilityTracker* t = DurabilityTracker::Get()) return t->Link(from, to);
  if (::link(from.c_str(), to.c_str()) != 0) {
    return Status::FromErrno(errno, fmt::format("hard link {} to {}", from, to));
  }
  return Status::OK();
}

Result<std::vector<std::string>> ListDir(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> names;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind(kHiddenPrefix, 0) != 0) names.push_back(std::move(name));
  }
  if (ec) return Status::FromErrno(ec.value(), "list directory " + dir);
  std::sort(names.begin(), names.end());
  return names;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "stat " + path);
  return static_cast<uint64_t>(st.st_size);
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
