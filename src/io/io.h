// The I/O layer: every disk read, write and sync of the storage engines and the Raft log
// goes through an io::Scheduler (DESIGN D8). See docs/io.md.
//
//   auto sched = io::Scheduler::Create({.registry = &registry});
//   auto file = (*sched)->Open(path, {.create = true, .direct = true});
//   io::AlignedBuffer buf(64 * 1024);
//   Status s = (*file)->WriteAt(io::IoClass::kFlush, 0, buf.slice());
//
// Requests carry a class; the scheduler serves the highest class first, FIFO within a
// class, and holds background classes (flush, compaction, snapshot) to token buckets.
// Two backends run the requests: io_uring (one ring per scheduler thread, batched
// submission) and a portable pread/pwrite thread pool, chosen automatically when io_uring
// cannot be set up. Errors are Status values; nothing here throws.
//
// Thread-safety: Scheduler and File are safe to use from any number of threads at once.
// A Request (and its Completion) belongs to the submitter until its completion fires.
#pragma once

#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/slice.h"
#include "common/status.h"

namespace strata::obs {
class Registry;
}

namespace strata::io {

class DurabilityTracker;
struct TrackedFile;

// Priority classes, highest first. The numeric value is the priority rank.
enum class IoClass : uint8_t { kForegroundRead, kRaftLog, kFlush, kCompaction, kSnapshot };
inline constexpr int kNumIoClasses = 5;
const char* IoClassName(IoClass c);  // "foreground_read", "raft_log", ... (metric labels)
// Background classes pass token buckets; foreground reads and the Raft log never wait on one.
inline bool IsBackground(IoClass c) { return c >= IoClass::kFlush; }

// O_DIRECT files need buffer address, file offset and length aligned to this.
inline constexpr size_t kDirectIoAlignment = 4096;
inline bool IsAligned(uint64_t v) { return v % kDirectIoAlignment == 0; }
inline uint64_t AlignUp(uint64_t v) { return (v + kDirectIoAlignment - 1) / kDirectIoAlignment * kDirectIoAlignment; }
inline uint64_t AlignDown(uint64_t v) { return v / kDirectIoAlignment * kDirectIoAlignment; }

// A zero-filled, 4 KiB-aligned heap buffer whose capacity is a multiple of 4 KiB. Memory
// comes from a process-wide pool of size classes (bounded; see docs/io.md), so the hot
// path of a block read does not call the allocator. Move-only; not thread-safe itself.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t size);  // size() == size, capacity() >= AlignUp(size)
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  // REQUIRES: n <= capacity(). Bytes beyond the old size keep their previous contents.
  void resize(size_t n);
  Slice slice() const { return Slice(data_, size_); }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// ---------------------------------------------------------------- fault injection
// A small programmable fault layer for crash and error tests (DESIGN D13). A Scheduler
// consults it only when SchedulerOptions::faults is set: one null-pointer test otherwise.

enum class IoOp : uint8_t { kRead, kWrite, kSync, kDataSync, kAllocate, kOpenDirect, kRingSetup };

struct FaultRule {
  enum class Action : uint8_t {
    kError,  // fail the attempt with `error` (EIO, ENOSPC, EINTR, EAGAIN...) without I/O
    kShort,  // transfer only `bytes` of the attempt (the scheduler loops for the rest)
    kTear,   // write only `bytes` of the data, then fail the request with EIO
  };
  IoOp op = IoOp::kWrite;
  Action action = Action::kError;
  int error = EIO;
  size_t bytes = 0;          // for kShort / kTear
  std::string path_contains = {};  // only files whose path contains this; empty = every file
  uint32_t skip = 0;         // let this many matching attempts pass first
  int32_t times = 1;         // fire this many times; -1 = for ever
};

// Thread-safe. Rules are checked in the order added; the first live match fires.
class FaultInjector {
 public:
  void Add(FaultRule rule);
  void Clear();
  uint64_t fired() const { return fired_.load(std::memory_order_relaxed); }
  // Used by the io layer: the rule that fires for this attempt, if any.
  bool Match(IoOp op, const std::string& path, FaultRule* out);

 private:
  std::mutex mu_;
  std::vector<FaultRule> rules_;
  std::atomic<uint64_t> fired_{0};
};

// ---------------------------------------------------------------- requests

// Counts a batch of requests down to zero, then wakes Wait() or runs `on_done`.
// `on_done` runs on a scheduler thread: keep it short (e.g. post to an asio executor).
// It may Submit more requests and may destroy the Completion, but must never wait for
// I/O (the thread it blocks is the one that would complete it). Reusable once done.
class Completion {
 public:
  Completion() = default;
  explicit Completion(std::function<void()> on_done) : on_done_(std::move(on_done)) {}
  void Wait();  // only for a Completion built without on_done
  bool done() const { return remaining_.load(std::memory_order_acquire) == 0; }
  // Used by the scheduler.
  void Add(uint32_t n);  // submitter thread, before the requests are queued
  void CountDown();

 private:
  std::atomic<uint32_t> remaining_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool signalled_ = false;
  bool armed_ = false;  // touched only by the submitting thread
  std::function<void()> on_done_;
};

class File;

// One read, write or sync. Fill in the inputs, submit, read the outputs after completion.
// Reads loop over short transfers and stop at EOF; writes loop until all bytes are written.
struct Request {
  IoOp op = IoOp::kRead;  // kRead, kWrite, kSync or kDataSync
  IoClass io_class = IoClass::kForegroundRead;
  File* file = nullptr;
  uint64_t offset = 0;
  char* buf = nullptr;  // read destination / write source (not modified for writes)
  size_t len = 0;

  Status status = {};  // output
  size_t bytes = 0;    // output: bytes transferred (short only for reads at EOF)

  // Scheduler-private state; valid between submit and completion.
  struct Internal {
    Completion* completion = nullptr;
    Request* next = nullptr;
    int64_t enqueued_ns = 0;
    int64_t dispatched_ns = 0;
    size_t attempt_len = 0;
    uint32_t retries = 0;
    bool tear = false;
    uint64_t durability_token = 0;  // DurabilityTracker's handle of a write/sync in progress
  } internal = {};
};

// ---------------------------------------------------------------- scheduler

enum class BackendKind : uint8_t { kAuto, kUring, kThreadPool };

struct RateLimit {
  double bytes_per_sec = 0;  // 0 = unlimited
  double ops_per_sec = 0;    // 0 = unlimited
};

// Cumulative counters of one class since the scheduler started, for the rate tuner
// (src/io/rate_tuner.h). One Scheduler::Stats() call returns a consistent snapshot.
struct IoClassStats {
  uint64_t admitted_bytes = 0;   // bytes of the requests dispatched
  uint64_t completed = 0;        // requests completed (failed ones too)
  uint64_t latency_ns = 0;       // sum over completed requests of submit -> completion
  double throttled_seconds = 0;  // time the head request waited for tokens, the wait in progress too
  uint64_t queued = 0;           // requests waiting in the class FIFO now (not in flight)
  double bytes_per_sec = 0;      // the byte rate in force (0 = unlimited)
};

struct SchedulerOptions {
  BackendKind backend = BackendKind::kAuto;
  uint32_t queue_depth = 32;    // requests in flight per io_uring scheduler thread (1..4096)
  uint32_t threads = 1;         // io_uring scheduler threads, each with its own ring (1..64)
  uint32_t pool_threads = 0;    // thread-pool backend threads in total; 0 = queue_depth * threads
  std::array<RateLimit, kNumIoClasses> limits = {};  // by class rank; background only
  // Background classes may have at most this many bytes in flight per scheduler thread
  // (one request always passes): bounds what a foreground read queues behind inside the
  // device. 0 = no limit. Besides this, background requests get at most 3/4 of the slots.
  uint64_t background_inflight_bytes = 2 << 20;
  obs::Registry* registry = nullptr;     // metrics; nullptr = obs::Registry::Default()
  Clock* clock = nullptr;                // nullptr = SystemClock::Default()
  FaultInjector* faults = nullptr;       // nullptr = no fault injection (the default)
  // Called as each request is dispatched, in dispatch order (tracing, tests). Runs under
  // the scheduler's lock: it must be quick and must not call into the scheduler.
  std::function<void(const Request&)> on_dispatch = nullptr;
  // Size of an arena registered with every ring as an io_uring fixed buffer (0 = none).
  // Reads and writes whose buffer lies inside it skip the per-request page pinning.
  size_t registered_buffer_bytes = 0;
};

struct OpenOptions {
  bool create = false;
  bool truncate = false;
  bool read_only = false;
  // Ask for O_DIRECT. Where the filesystem refuses it, the file is opened buffered and a
  // notice is logged (File::direct() says which). Alignment rules (kDirectIoAlignment)
  // are enforced whenever `direct` was requested, so code behaves the same either way.
  bool direct = false;
};

class Scheduler {
 public:
  static Result<std::unique_ptr<Scheduler>> Create(const SchedulerOptions& options);
  // Waits for every queued and in-flight request to complete (throttles are lifted).
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  Result<std::unique_ptr<File>> Open(const std::string& path, const OpenOptions& options);

  // Queues the requests; `completion` counts down once per request. No ordering holds
  // between requests in flight: submit a sync after the writes it must cover completed.
  // REQUIRES: requests and completion stay alive and untouched until completion fires.
  void Submit(std::span<Request> requests, Completion* completion);
  // Submit + wait; returns the first failed request's status.
  Status SubmitAndWait(std::span<Request> requests);

  // Changes a background class's token buckets at run time (0 = unlimited).
  void SetRateLimit(IoClass c, double bytes_per_sec, double ops_per_sec);
  const char* backend_name() const;  // "io_uring" or "threadpool"
  // Per-class counters by class rank (what the rate tuner observes).
  std::array<IoClassStats, kNumIoClasses> Stats() const;
  // Requests queued or in flight for a class (the queue-depth gauge).
  uint64_t outstanding(IoClass c) const;
  // The registered arena (SchedulerOptions::registered_buffer_bytes), 4 KiB aligned and
  // zeroed, for long-lived buffers such as a log's write buffer; the caller carves it up.
  // Any memory works for I/O; this memory is faster with io_uring. Empty when not asked for.
  std::span<char> registered_arena();

  struct Impl;

 private:
  explicit Scheduler(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class File;
};

// An open file. Every method is safe to call from many threads at once; the synchronous
// methods submit one request through the scheduler and wait for it.
// For files opened with `direct`, offset, length and buffer address of ReadAt/ReadExact/
// WriteAt must be multiples of kDirectIoAlignment: otherwise InvalidArgument (no hidden
// bounce copy, so a misaligned caller is found in tests rather than paying in production).
class File {
 public:
  // REQUIRES: no request on this file is in flight. A File must not outlive its Scheduler.
  ~File();
  // Bytes read; fewer than n only at end of file.
  Result<size_t> ReadAt(IoClass c, uint64_t offset, char* buf, size_t n);
  // Exactly n bytes or Corruption ("short read") when the file ends first.
  Status ReadExact(IoClass c, uint64_t offset, char* buf, size_t n);
  Status WriteAt(IoClass c, uint64_t offset, Slice data);
  Status Sync(IoClass c);      // fsync
  Status DataSync(IoClass c);  // fdatasync
  // Metadata operations, run directly on the calling thread (not queued).
  Status Allocate(uint64_t offset, uint64_t len);  // fallocate, keeps size growing
  Status Truncate(uint64_t size);
  Result<uint64_t> Size() const;

  bool direct() const { return direct_; }                  // O_DIRECT actually in effect
  bool direct_requested() const { return direct_requested_; }
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }  // for the backends

 private:
  friend class Scheduler;
  friend struct Scheduler::Impl;
  class ResizeGuard;
  File(Scheduler* sched, std::string path, int fd, bool direct, bool direct_requested);
  Status CheckAlignment(uint64_t offset, const char* buf, size_t n) const;
  Status RunOne(Request& r);

  Scheduler* sched_;
  std::string path_;
  int fd_;
  bool direct_;
  bool direct_requested_;
  // Set when a DurabilityTracker was installed at open (--fault-injection; see
  // durability.h); `tracked_` is this inode's state there (null for an untouched
  // read-only file).
  DurabilityTracker* tracker_ = nullptr;
  TrackedFile* tracked_ = nullptr;
};

// ---------------------------------------------------------------- filesystem helpers
// Everything else in the tree creates, renames, removes and syncs through these (no raw
// syscalls, no std::filesystem), so that the power-loss simulation (durability.h) sees
// every namespace operation. None of them syncs a directory unless it says so.
Status RenameFile(const std::string& from, const std::string& to);  // files or directories
Status RemoveFile(const std::string& path);
Status RemoveAll(const std::string& path);  // a file or a whole directory; OK when missing
// Creates the directory and missing parents; OK when it exists. Durable on return: each
// directory it creates is fsynced in its parent.
Status CreateDir(const std::string& path);
Status SyncDir(const std::string& dir);     // fsync a directory (file_util.h SyncDirectory)
Status LinkFile(const std::string& from, const std::string& to);  // a hard link
// Copies a whole file (not synced: sync it or its directory as needed).
Status CopyFile(const std::string& from, const std::string& to);
// Names in `dir`, sorted; the power-loss simulation's hidden entries are left out.
Result<std::vector<std::string>> ListDir(const std::string& dir);
bool FileExists(const std::string& path);
bool IsDirectory(const std::string& path);
Result<uint64_t> FileSize(const std::string& path);

// ---------------------------------------------------------------- device advisor
// Finds the block device under `data_dir` and checks its Linux I/O scheduler.
struct DeviceAdvice {
  std::string device;      // "nvme0n1", "vda"; empty when no block device was found
  std::string scheduler;   // active scheduler ("none", "mq-deadline", ...); empty if unknown
  bool rotational = false;
  bool ok = true;          // false: `recommendation` is a warning worth acting on
  std::string recommendation;
};
// `sysfs_root` is "/sys" in production; tests pass a fake tree.
DeviceAdvice AdviseDevice(const std::string& data_dir, const std::string& sysfs_root = "/sys");
DeviceAdvice AdviseDeviceNumber(unsigned major, unsigned minor, const std::string& sysfs_root);
// Logs the advice (a structured warning when !ok) and returns it as a JSON object for /status.
void LogDeviceAdvice(const DeviceAdvice& advice);
std::string DeviceAdviceJson(const DeviceAdvice& advice);

}  // namespace strata::io
