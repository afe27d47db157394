// Simulated power loss (DESIGN D13; docs/io.md, "Simulated power loss").
//
// A DurabilityTracker, installed process-wide only under `stratadb start --fault-injection`,
// watches every file operation of src/io and remembers what is not durable yet:
//   - per file (keyed by inode): the length made durable by the last successful
//     fsync/fdatasync, and an undo record (the old bytes, per 4 KiB page, captured just
//     before the first write to that page since the last sync) of what was overwritten;
//   - per directory: a journal of creations, renames and deletions not yet followed by a
//     successful fsync of that directory. A deletion is carried out as a rename to a hidden
//     trash name (kHiddenPrefix) until its directory is synced, and a rename that replaces
//     a target first keeps the target under a hidden name, so both can be undone.
// PowerLoss() stops the world (no write, sync or namespace operation starts after it),
// waits for the writes already in flight, truncates every file to its durable length and
// writes its undo pages back, undoes the journal newest first, fsyncs all of it, and the
// caller _exits: what survives is what a machine that lost power could have kept.
//
// Contract with the code above (io.h): a sync covers the writes to that file that
// completed before the sync was dispatched; a directory sync covers the namespace
// operations in that directory that completed before it started. A rename between two
// directories is durable once both were synced.
//
// With `skip_sync` (--unsafe-skip-fsync, the negative control) every file and directory
// sync becomes a no-op that reports success, so nothing done after start is durable.
//
// Thread-safety: every method is safe from any thread; one mutex guards the whole state
// (fault-injection mode only: the cost is not paid in production, where Get() is null).
// Memory: bounded by what is not yet durable (undo pages of overwritten synced data,
// one journal entry per unsynced namespace operation).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strata::io {

struct TrackedFile;  // per-inode state (durability.cc)

// The name prefix of entries the tracker keeps in place of deleted or replaced ones.
// io::ListDir never shows them.
inline constexpr std::string_view kHiddenPrefix = ".strata-powerloss-";
// The exit status of a process that simulated a power loss.
inline constexpr int kPowerLossExitStatus = 86;

class DurabilityTracker {
 public:
  struct Options {
    bool skip_sync = false;  // --unsafe-skip-fsync: every sync is a no-op
  };
  struct RollbackSummary {
    uint64_t files = 0;            // files whose data was rolled back
    uint64_t bytes_restored = 0;   // undo bytes written back
    uint64_t namespace_ops = 0;    // creations, renames, deletions undone
    uint64_t errors = 0;           // rollback steps that failed (logged to stderr)
    std::string ToString() const;
  };
  enum class Verdict : uint8_t {
    kProceed,  // do the operation
    kPark,     // the power is out: never do it (the caller's thread stops for good)
    kSkip,     // --unsafe-skip-fsync: report success without syncing
  };

  explicit DurabilityTracker(Options options);
  // REQUIRES: not installed, no file opened under it still open.
  ~DurabilityTracker();
  DurabilityTracker(const DurabilityTracker&) = delete;
  DurabilityTracker& operator=(const DurabilityTracker&) = delete;

  // The installed tracker, or nullptr (the normal case).
  static DurabilityTracker* Get();
  // Installs `tracker` (nullptr uninstalls). Files opened before keep what they had:
  // install before the first file is opened, uninstall after the last is closed.
  static void Install(DurabilityTracker* tracker);

  bool skip_sync() const;

  // Simulates the power loss and _exits with `status`. Never returns.
  [[noreturn]] void PowerLossAndExit(int status);
  // Tests: the same rollback, then the tracker forgets everything (as after a reboot) and
  // serves again. REQUIRES: no file opened under the tracker is open, no I/O is running.
  RollbackSummary PowerLossForTesting();
  // Blocks the calling thread for good (a thread that met the power loss).
  [[noreturn]] static void ParkForever();

  // ---- hooks for src/io (not for other layers)
  // open(2) of `path`: a creation (O_CREAT of a missing file) is journaled; O_TRUNC of an
  // existing file keeps its durable contents in the undo record. *tracked is the file's
  // state (nullptr for a read-only file nobody wrote through the tracker). Returns the fd,
  // or -1 with errno set, like open(2).
  int Open(const std::string& path, int flags, TrackedFile** tracked);
  void Detach(TrackedFile* f);  // the fd of a file from Open is about to be closed
  // Around a write attempt of [offset, offset+len). *token is 0 on a request's first
  // attempt and is set here; AfterWrite runs once the request finished (ok or not).
  Verdict BeforeWrite(TrackedFile* f, uint64_t offset, size_t len, uint64_t* token);
  void AfterWrite(TrackedFile* f, uint64_t token, uint64_t offset, size_t len, size_t written);
  // Around fsync/fdatasync. `f` may be null (an untracked file): only kPark/kSkip matter.
  Verdict BeforeSync(TrackedFile* f, uint64_t* token);
  void AfterSync(TrackedFile* f, uint64_t token, bool ok);
  // Around fallocate/ftruncate; `shrink_to` for a truncation.
  Verdict BeforeResize(TrackedFile* f, std::optional<uint64_t> shrink_to);
  void AfterResize(TrackedFile* f);

  // Namespace operations, carried out here so that they and their journal entry are one
  // step as far as a power loss is concerned.
  Status MakeDir(const std::string& path);  // one level; AlreadyExists when present
  Status Rename(const std::string& from, const std::string& to);
  Status Remove(const std::string& path);   // a file, or a directory with its contents
  Status Link(const std::string& from, const std::string& to);
  Status SyncDir(const std::string& dir);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::io
