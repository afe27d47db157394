// node::DiskMonitor — is the node able to take writes, as far as its disk goes?
//
// Three sources, any of which makes the disk "full" (docs/operations.md, "Full disks"):
//   * free space: the data directory's file system has less than min_free_bytes available
//     (statvfs). The margin leaves room for what must still be written while writes are
//     refused: the memtable flush, a compaction's outputs, the next Raft log segment;
//   * the Raft log: a write of it failed and is being retried (RaftNode, "Disk errors");
//   * the LSM engine: flushes or compactions fail for lack of space and are being retried;
//   * the B+tree engine: its periodic checkpoint failed and is being retried
//     (storage::RoutedEngine::checkpoint_error).
// While full, RaftProposer refuses commits with NoSpace (MySQL 1021) before proposing them,
// so a refused transaction is definitely not committed. Reads are not affected. When the
// condition clears, writes are admitted again: no restart.
//
// Each change of state is logged once (Warn when it fills, Info when it clears) and shown
// by the gauge stratadb_disk_full, /health and /status.
//
// Thread-safety: all methods are safe from any thread. Check() re-evaluates at most once
// per check_interval and otherwise returns the last answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "common/status.h"

namespace strata::node {

struct DiskStatus {
  bool full = false;
  std::string path;    // the directory (or file system) that is full
  std::string reason;  // what was seen: the failed write's error, or the free space
};

struct DiskMonitorOptions {
  std::string data_dir;
  uint64_t min_free_bytes = 64ull << 20;
  std::chrono::milliseconds check_interval{100};
  // Errors of the components that write; OK when healthy. Must be thread-safe.
  std::function<Status()> log_error;     // the Raft log's last failed write
  std::function<Status()> engine_error;  // the LSM's failing flush/compaction
  std::function<Status()> btree_error;   // the B+tree's failing checkpoint
  // Available bytes of the file system holding `path`; the default asks statvfs.
  std::function<Result<uint64_t>(const std::string& path)> free_bytes;
};

class DiskMonitor {
 public:
  explicit DiskMonitor(DiskMonitorOptions options);

  DiskStatus Check();
  // OK, or NoSpace naming the path and the reason: "nothing was proposed".
  Status AdmitWrite();

 private:
  DiskStatus Evaluate();

  const DiskMonitorOptions options_;
  std::mutex mu_;
  DiskStatus last_;  // guarded by mu_
  std::chrono::steady_clock::time_point checked_at_{};  // guarded by mu_
  bool checked_once_ = false;                           // guarded by mu_
};

// Available bytes (for an unprivileged writer) of the file system holding `path`.
Result<uint64_t> FileSystemFreeBytes(const std::string& path);

}  // namespace strata::node
