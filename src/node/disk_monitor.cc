#include "node/disk_monitor.h"

#include <sys/statvfs.h>

#include <cerrno>

#include <fmt/format.h>

#include "common/check.h"
#include "obs/log.h"

namespace strata::node {

Result<uint64_t> FileSystemFreeBytes(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return Status::FromErrno(errno, "statvfs " + path);
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

DiskMonitor::DiskMonitor(DiskMonitorOptions options) : options_(std::move(options)) {
  STRATA_CHECK(!options_.data_dir.empty());
}

DiskStatus DiskMonitor::Evaluate() {
  // A failing write is the more precise report: it names the file.
  if (options_.log_error) {
    Status s = options_.log_error();
    if (!s.ok()) return {true, options_.data_dir + "/raft", s.ToString()};
  }
  if (options_.engine_error) {
    Status s = options_.engine_error();
    if (!s.ok()) return {true, options_.data_dir + "/lsm", s.ToString()};
  }
  if (options_.btree_error) {
    Status s = options_.btree_error();
    if (!s.ok()) return {true, options_.data_dir + "/btree", s.ToString()};
  }
  Result<uint64_t> free = options_.free_bytes ? options_.free_bytes(options_.data_dir)
                                              : FileSystemFreeBytes(options_.data_dir);
  if (!free.ok()) return {};  // cannot tell: the writes themselves will report
  if (*free < options_.min_free_bytes) {
    return {true, options_.data_dir,
            fmt::format("{} bytes free on the file system, below the {} bytes kept in reserve", *free,
                        options_.min_free_bytes)};
  }
  return {};
}

DiskStatus DiskMonitor::Check() {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (checked_once_ && now - checked_at_ < options_.check_interval) return last_;
  DiskStatus next = Evaluate();
  if (next.full && !last_.full) {
    obs::Warn("node", "disk full: refusing writes (MySQL error 1021) until space is freed; reads continue",
              {{"path", next.path}, {"reason", next.reason}});
  } else if (!next.full && last_.full) {
    obs::Info("node", "disk space available again: writes resume", {{"path", last_.path}});
  }
  last_ = std::move(next);
  checked_at_ = now;
  checked_once_ = true;
  return last_;
}

Status DiskMonitor::AdmitWrite() {
  DiskStatus d = Check();
  if (!d.full) return Status::OK();
  return Status::NoSpace(fmt::format("{}: {}; nothing was proposed", d.path, d.reason));
}

}  // namespace strata::node
