// DiskLogStorage: the durable Raft log (DESIGN D1: it is also the database's write-ahead
// log). Implements LogStorage for the core, plus the writes a driver makes while handling a
// Ready. Format: docs/raft_log_format.md.
//
//   <dir>/log-<first index, 20 digits>.seg    segments, preallocated, written with O_DIRECT
//
// Every Save() is one group commit: all entries and the hard state of one Ready go into one
// batch, written with one aligned write and made durable with one fdatasync before Save()
// returns. Each batch starts on a 4 KiB boundary and carries its own checksum, so a write
// torn by a crash damages only the batch being written, which was never acknowledged;
// recovery drops it. A damaged batch followed by an intact one is corruption and opening
// fails rather than silently losing acknowledged entries.
//
// In memory: every entry's term, type, size and position (a few dozen bytes each, since the
// last compaction), and the data of only the newest entries, up to `cache_bytes` (the
// bounded tail). Reads of older entries (a slow follower, an apply that fell behind, the
// configuration scan at start) read their batches back from the segments, checksums
// verified.
//
// Thread-safety: one writer (the Raft driver); readers may run concurrently with it.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "io/io.h"
#include "raft/log_storage.h"

namespace strata::raft {

// The most data one entry may carry: its record must fit one log batch (1 GiB payload).
// RaftNode refuses larger proposals before they reach the core.
inline constexpr uint64_t kMaxEntryDataBytes = (1ull << 30) - (1 << 20);

struct DiskLogOptions {
  std::string dir;
  io::Scheduler* scheduler = nullptr;   // REQUIRES: non-null, outlives the storage
  uint64_t segment_bytes = 64 << 20;    // a new segment starts once this is exceeded
  bool direct_io = true;
  // Zero-fill the preallocated segment ahead of the writes (see ZeroAhead in the .cc):
  // commits then overwrite initialised blocks, which syncs faster than fallocated space.
  bool zero_fill = true;
  // Save() splits a Ready's entries into batches of at most this much payload (the format's
  // limit is 1 GiB; tests lower it).
  uint64_t max_batch_payload = 1u << 30;
  // Entry data kept in memory: the newest entries up to this many bytes (at least the
  // last entry is always dropped last). Older entries are read from disk when asked for.
  uint64_t cache_bytes = UINT64_MAX;
};

class DiskLogStorage final : public LogStorage {
 public:
  // Opens (recovering) or creates the log. A new log starts with `bootstrap` as its
  // snapshot state (see MemoryLogStorage), written durably before Open returns.
  static Result<std::unique_ptr<DiskLogStorage>> Open(const DiskLogOptions& options, ConfState bootstrap = {});

  // LogStorage.
  InitialState GetInitialState() const override;
  Result<std::vector<Entry>> Entries(LogIndex lo, LogIndex hi, uint64_t max_bytes) const override;
  Result<Term> TermAt(LogIndex i) const override;
  LogIndex FirstIndex() const override;
  LogIndex LastIndex() const override;
  Result<Snapshot> GetSnapshot() const override;

  // Makes `entries` (truncating any conflicting suffix first) and, when given, the hard
  // state durable: one write, one sync. REQUIRES: entries contiguous, starting at or below
  // LastIndex() + 1.
  Status Save(const HardState* hard_state, const std::vector<Entry>& entries);
  // Replaces the log with a snapshot received from the leader.
  Status ApplySnapshot(const SnapshotMetadata& snapshot);
  // Drops entries up to `index` (the engines have flushed past it, or a snapshot covers
  // it): records the new start and deletes segments holding only older entries.
  // REQUIRES: FirstIndex() - 1 <= index <= LastIndex().
  Status Compact(LogIndex index, const ConfState& conf);

  size_t segment_count() const;
  uint64_t bytes_written() const { return bytes_written_; }
  // Entry data held in memory (the bounded tail), and batches read back from disk so far.
  uint64_t cached_bytes() const;
  uint64_t disk_reads() const;

 private:
  struct Segment {
    LogIndex first_index;  // the first entry the segment may hold
    std::string path;
  };
  // Where an entry lives: the batch at `batch_offset` in the segment named after
  // `segment` (the segment's first index, unique).
  struct Slot {
    Term term;
    LogIndex segment;
    uint64_t batch_offset;
    uint32_t size;  // of the data
    EntryType type;
  };
  explicit DiskLogStorage(const DiskLogOptions& options) : options_(options) {}
  Status Recover();
  Status ReplaySegment(const Segment& seg, bool last, uint64_t* end_offset);
  Status ApplyRecord(uint8_t type, Slice payload, LogIndex segment, uint64_t batch_offset);
  Status StartSegment(LogIndex first_index);
  // Writes and syncs one batch at the write position; returns the batch's offset.
  Result<uint64_t> WriteBatch(const Bytes& records);
  Result<uint64_t> WriteSealed(io::AlignedBuffer batch);  // a batch BatchBuilder sealed

  // The in-memory log (REQUIRES: mu_ held, or recovery).
  LogIndex LastIndexLocked() const { return snapshot_.index + slots_.size(); }
  void AppendEntry(Entry e, LogIndex segment, uint64_t batch_offset);  // replaces any suffix from e.index
  void DropFrom(LogIndex index);     // entries >= index
  void DropThrough(LogIndex index);  // entries <= index
  // Entries [lo, hi) read back from their batches; `slots` are theirs.
  Result<std::vector<Entry>> ReadEntries(LogIndex lo, const std::vector<Slot>& slots) const;

  const DiskLogOptions options_;
  mutable std::mutex mu_;  // guards the in-memory state below against concurrent readers
  HardState hard_state_;
  SnapshotMetadata snapshot_;   // entries start after it
  std::deque<Slot> slots_;      // slots_[k] is entry snapshot_.index + 1 + k
  std::deque<SharedBytes> tail_;  // the data of the last tail_.size() entries (shared with the log)
  uint64_t tail_bytes_ = 0;
  mutable uint64_t disk_reads_ = 0;  // under mu_

  std::vector<Segment> segments_;  // ordered; the last is being written
  std::unique_ptr<io::File> active_;
  uint64_t active_offset_ = 0;     // next batch position (4 KiB aligned)
  uint64_t zeroed_to_ = 0;         // the active segment is written (zeros or batches) below this
  static constexpr uint64_t kZeroAheadBytes = 1 << 20;
  Status ZeroAhead(uint64_t end);
  uint64_t bytes_written_ = 0;
  // Recovery only: a hole in the replayed indexes not (yet) covered by a snapshot mark.
  LogIndex missing_from_ = 0, missing_until_ = 0;
};

}  // namespace strata::raft
