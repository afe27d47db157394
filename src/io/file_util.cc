#include "io/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "io/durability.h"
#include "io/io.h"

namespace strata::io {
namespace {

// A file written with plain system calls (metadata files of a few hundred bytes, copies),
// reported to the durability tracker when one is installed, as io::File reports its I/O.
class RawFile {
 public:
  RawFile() = default;
  RawFile(const RawFile&) = delete;
  RawFile& operator=(const RawFile&) = delete;
  ~RawFile() {
    if (tracker_) tracker_->Detach(tracked_);
    if (fd_ >= 0) ::close(fd_);
  }

  Status Open(const std::string& path, int flags) {
    path_ = path;
    tracker_ = DurabilityTracker::Get();
    if (tracker_) {
      fd_ = tracker_->Open(path, flags | O_CLOEXEC, &tracked_);
    } else {
      do {
        fd_ = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
      } while (fd_ < 0 && errno == EINTR);
    }
    if (fd_ < 0) return Status::FromErrno(errno, "open " + path);
    return Status::OK();
  }

  Status Append(std::string_view data) {
    uint64_t token = 0;
    if (tracker_ && tracker_->BeforeWrite(tracked_, offset_, data.size(), &token) ==
                        DurabilityTracker::Verdict::kPark) {
      DurabilityTracker::ParkForever();
    }
    size_t written = 0;
    Status s = Status::OK();
    while (written < data.size()) {
      ssize_t n = ::pwrite(fd_, data.data() + written, data.size() - written, static_cast<off_t>(offset_ + written));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        s = Status::FromErrno(n < 0 ? errno : EIO, "write " + path_);
        break;
      }
      written += static_cast<size_t>(n);
    }
    if (tracker_) tracker_->AfterWrite(tracked_, token, offset_, data.size(), written);
    offset_ += written;
    return s;
  }

  Status Sync() {
    uint64_t token = 0;
    if (tracker_) {
      DurabilityTracker::Verdict v = tracker_->BeforeSync(tracked_, &token);
      if (v == DurabilityTracker::Verdict::kPark) DurabilityTracker::ParkForever();
      if (v == DurabilityTracker::Verdict::kSkip) return Status::OK();
    }
    int rc = ::fsync(fd_);
    int err = errno;
    if (tracker_) tracker_->AfterSync(tracked_, token, rc == 0);
    if (rc != 0) return Status::FromErrno(err, "fsync " + path_);
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t offset_ = 0;
  DurabilityTracker* tracker_ = nullptr;
  TrackedFile* tracked_ = nullptr;
};

std::string ParentDir(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

}  // namespace

Status SyncDirectory(const std::string& dir) {
  if (DurabilityTracker* t = DurabilityTracker::Get()) return t->SyncDir(dir);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open directory " + dir);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::FromErrno(err, "fsync directory " + dir);
  return Status::OK();
}

Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  std::string tmp = path + ".tmp";
  Status s = Status::OK();
  {
    RawFile f;
    s = f.Open(tmp, O_WRONLY | O_CREAT | O_TRUNC);
    if (!s.ok()) return std::move(s).Annotate("create");
    s = f.Append(contents);
    if (s.ok()) s = f.Sync();
  }
  if (s.ok()) s = RenameFile(tmp, path);
  if (!s.ok()) {
    (void)RemoveAll(tmp);
    return s;
  }
  return SyncDirectory(ParentDir(path));
}

Status CopyFile(const std::string& from, const std::string& to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Status::FromErrno(errno, "open " + from);
  RawFile out;
  Status s = out.Open(to, O_WRONLY | O_CREAT | O_TRUNC);
  std::vector<char> buf(1 << 16);
  while (s.ok()) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) s = Status::FromErrno(errno, "read " + from);
    if (n <= 0) break;
    s = out.Append(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
  ::close(in);
  return s;
}

Result<int> OpenLockFile(const std::string& path) {
  RawFile f;
  STRATA_RETURN_IF_ERROR(f.Open(path, O_RDWR | O_CREAT));
  // The descriptor outlives RawFile: take a second one (the lock file holds no data the
  // power-loss simulation needs to undo; its creation is journaled like any other).
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  return fd;
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::FromErrno(err, "read " + path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return Status::ResourceExhausted(fmt::format("{} is larger than {} bytes", path, max_bytes));
    }
  }
  ::close(fd);
  return out;
}

}  // namespace strata::io
