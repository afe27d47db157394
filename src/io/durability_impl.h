// DurabilityTracker internals shared by durability.cc (files, power loss) and
// durability_namespace.cc (directory journal). Internal to src/io.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "io/durability.h"

namespace strata::io {

inline constexpr uint64_t kUndoPage = 4096;

// One capture of a page's old bytes. `token` != 0 while the write that captured it is in
// flight; then `epoch` is the file's epoch at its completion (see TrackedFile).
struct UndoPage {
  uint64_t token = 0;
  uint64_t epoch = 0;
  std::string bytes;  // the page's durable bytes, clipped to the durable length then
};

// Everything the tracker knows about one inode with data not yet durable. Guarded by
// Impl::mu. Epochs: every sync dispatch closes the current epoch (its number becomes the
// sync's token) and opens the next; a successful sync drops the undo captures completed
// in the epochs it closed, and makes the length recorded at its dispatch the durable one.
struct TrackedFile {
  uint64_t dev = 0, ino = 0;
  int fd = -1;                 // our own buffered O_RDWR descriptor: capture and restore
  std::string path;            // as first opened (messages only: names change)
  int refs = 0;                // open io descriptors using this state
  uint64_t durable_len = 0;    // length as of the last successful sync
  uint64_t logical_len = 0;    // length after the writes and resizes completed so far
  uint64_t epoch = 1;
  uint64_t last_sync_applied = 0;  // token of the newest sync applied
  uint32_t inflight = 0;           // writes and resizes in flight
  std::map<uint64_t, std::vector<UndoPage>> undo;  // page index -> captures, oldest first
  std::map<uint64_t, uint64_t> sync_len;           // sync token -> logical_len at dispatch
  bool clean() const { return undo.empty() && durable_len == logical_len && inflight == 0 && sync_len.empty(); }
};

// A directory holding journal entries, kept open (renames of it or of its parents do not
// lose it). Keyed by inode.
struct DirRef {
  uint64_t dev = 0, ino = 0;
  int fd = -1;
  std::string path;  // as first seen (messages only)
  int refs = 0;      // journal entries naming it
};

// One namespace operation not yet durable.
struct NsEntry {
  enum class Kind : uint8_t { kCreate, kRename, kRemove };
  uint64_t seq = 0;
  Kind kind = Kind::kCreate;
  DirRef* dir = nullptr;      // where `name` is: created / removed / rename target
  std::string name = {};
  DirRef* src_dir = nullptr;  // rename source directory
  std::string src_name = {};
  std::string hidden = {};    // kRemove: the trash name; kRename: the replaced target kept
  bool dir_synced = false;
  bool src_synced = false;
};

struct DurabilityTracker::Impl {
  explicit Impl(Options o) : options(o) {}

  const Options options;
  std::mutex mu;
  std::condition_variable inflight_cv;  // signalled when inflight drops
  bool frozen = false;                  // the power is out
  uint64_t inflight = 0;                // writes/resizes in flight, all files
  uint64_t next_token = 1;
  uint64_t next_seq = 1;
  std::map<std::pair<uint64_t, uint64_t>, std::unique_ptr<TrackedFile>> files;
  std::map<std::pair<uint64_t, uint64_t>, std::unique_ptr<DirRef>> dirs;
  std::vector<NsEntry> journal;  // seq order

  // REQUIRES: mu held (by `lock`). Parks the thread for good when the power is out.
  void ParkIfFrozen(std::unique_lock<std::mutex>& lock);
  TrackedFile* AttachLocked(int fd, bool writable, const std::string& path);
  void MaybeForgetLocked(TrackedFile* f);
  void CaptureLocked(TrackedFile* f, uint64_t offset, uint64_t len, uint64_t token);
  // Namespace journal (durability_namespace.cc).
  Result<DirRef*> DirOfLocked(const std::string& path, std::string* name);
  void JournalLocked(NsEntry e);
  void ReleaseDirLocked(DirRef* d);
  std::string HiddenNameLocked();
  void MarkDirSyncedLocked(uint64_t dev, uint64_t ino, uint64_t up_to_seq);
  // Rollback steps; errors are counted and printed, never fatal (the process exits next).
  void RollBackFilesLocked(RollbackSummary* sum);
  void UndoJournalLocked(RollbackSummary* sum);
  void ResetLocked();
};

// Removes `name` in directory `dirfd`, recursively when it is a directory. OK if missing.
Status RemoveTreeAt(int dirfd, const std::string& name);

}  // namespace strata::io
