// LogStorage: the durable Raft log as the core reads it, and MemoryLogStorage, the
// in-memory implementation used by unit tests and the simulation.
//
// The core only reads storage; the driver writes it while handling a Ready (append
// entries, apply a snapshot, save the hard state) before calling Core::Advance. Indices
// are dense: storage holds entries (FirstIndex() .. LastIndex()], preceded by a snapshot
// (or the bootstrap state) at FirstIndex() - 1 whose term TermAt() still answers.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "raft/types.h"

namespace strata::raft {

// Where a bootstrapped log starts: elections begin at term 2, entries at index 2.
constexpr LogIndex kBootstrapIndex = 1;
constexpr Term kBootstrapTerm = 1;

struct InitialState {
  HardState hard_state;
  SnapshotMetadata snapshot;  // the snapshot the log starts after (index 0 on a new node)
};

class LogStorage {
 public:
  virtual ~LogStorage() = default;

  virtual InitialState GetInitialState() const = 0;
  // Entries [lo, hi), stopping early once their data exceeds max_bytes (at least one is
  // returned). REQUIRES: FirstIndex() <= lo <= hi <= LastIndex() + 1.
  virtual Result<std::vector<Entry>> Entries(LogIndex lo, LogIndex hi, uint64_t max_bytes) const = 0;
  // REQUIRES: FirstIndex() - 1 <= i <= LastIndex().
  virtual Result<Term> TermAt(LogIndex i) const = 0;
  virtual LogIndex FirstIndex() const = 0;
  virtual LogIndex LastIndex() const = 0;
  // The latest snapshot, to send to a follower that is behind the log's start.
  virtual Result<Snapshot> GetSnapshot() const = 0;
};

class MemoryLogStorage final : public LogStorage {
 public:
  // A new node. `conf` is the bootstrap membership, shared by every founding member: it
  // becomes a snapshot at index 1, term 1 (so a node that joins later, with an empty
  // log, receives it as a snapshot rather than missing it). Empty `conf`: a node that
  // will join an existing cluster and learn everything from the leader.
  explicit MemoryLogStorage(ConfState conf = {});

  InitialState GetInitialState() const override;
  Result<std::vector<Entry>> Entries(LogIndex lo, LogIndex hi, uint64_t max_bytes) const override;
  Result<Term> TermAt(LogIndex i) const override;
  LogIndex FirstIndex() const override { return snapshot_.metadata.index + 1; }
  LogIndex LastIndex() const override { return snapshot_.metadata.index + entries_.size(); }
  Result<Snapshot> GetSnapshot() const override { return snapshot_; }

  // Writers, called by the driver while handling a Ready.
  void SetHardState(const HardState& hs) { hard_state_ = hs; }
  // Appends entries, first truncating any existing suffix from entries.front().index on.
  // Entries below FirstIndex() are skipped. REQUIRES: no gap after LastIndex().
  void Append(const std::vector<Entry>& entries);
  // Replaces the log with a received snapshot. Ignored if older than the current one.
  void ApplySnapshot(Snapshot snapshot);
  // Records a snapshot of the local state machine at `index` (<= LastIndex()) and drops
  // the entries it covers (log compaction).
  void CreateSnapshotAndCompact(LogIndex index, ConfState conf, Bytes data);

  const HardState& hard_state() const { return hard_state_; }

 private:
  HardState hard_state_;
  Snapshot snapshot_;
  std::vector<Entry> entries_;  // entries_[k].index == snapshot_.metadata.index + 1 + k
};

}  // namespace strata::raft
