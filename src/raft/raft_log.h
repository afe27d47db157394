// RaftLog: the core's view of its log = what storage holds + what is not yet persisted.
//
//   storage:   [snapshot] FirstIndex() ... (entries persisted by the driver)
//   unstable:  [snapshot?] offset ... (entries handed out in a Ready, not yet Advanced)
//
// Unstable entries shadow storage from `offset` on: storage may still hold an older,
// conflicting suffix there, which the driver's next append truncates. Also tracks the
// commit index (known committed) and the applied index (handed to the state machine).
//
// Invariants: applied <= committed <= LastIndex(); snapshot index <= committed;
// entries at indices <= committed are never replaced.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "raft/log_storage.h"
#include "raft/types.h"

namespace strata::raft {

class RaftLog {
 public:
  // Starts after storage's content with committed = commit and applied = applied.
  RaftLog(const LogStorage* storage, LogIndex commit, LogIndex applied);

  LogIndex FirstIndex() const;
  LogIndex LastIndex() const;
  Term LastTerm() const;
  // The term of entry i, or nullopt if i is compacted away or beyond the end.
  std::optional<Term> TermAt(LogIndex i) const;
  bool MatchTerm(LogIndex i, Term t) const;
  // Raft §5.4.1: is a log ending at (last_index, last_term) at least as up to date?
  bool IsUpToDate(LogIndex last_index, Term last_term) const;

  // Entries [lo, hi) up to about max_bytes (at least one), or nullopt if lo is compacted.
  std::optional<std::vector<Entry>> Slice(LogIndex lo, LogIndex hi, uint64_t max_bytes) const;
  // The index of the first entry in `entries` that is absent or has another term, or 0.
  LogIndex FindConflict(const std::vector<Entry>& entries) const;
  // The largest index <= index whose term is <= term (fast backtracking on rejection).
  LogIndex FindConflictByTerm(LogIndex index, Term term) const;

  // Appends entries, replacing any (uncommitted) suffix from entries.front().index on.
  void Append(std::vector<Entry> entries);
  // Replaces the whole log by a snapshot received from the leader.
  void Restore(const Snapshot& snapshot);

  LogIndex committed() const { return committed_; }
  LogIndex applied() const { return applied_; }
  void CommitTo(LogIndex index);
  void AppliedTo(LogIndex index);

  // The highest index the driver has persisted (and that is still part of this log).
  LogIndex StableLastIndex() const;
  const std::vector<Entry>& UnstableEntries() const { return unstable_entries_; }
  const std::optional<Snapshot>& UnstableSnapshot() const { return unstable_snapshot_; }
  // The driver persisted entries through (index, term) / the unstable snapshot.
  void StableTo(LogIndex index, Term term);
  void StableSnapshotTo(LogIndex index);
  // Committed, persisted entries not yet applied, up to about max_bytes.
  std::vector<Entry> NextCommittedEntries(uint64_t max_bytes) const;
  bool HasNextCommittedEntries() const;

 private:
  const LogStorage* storage_;
  std::optional<Snapshot> unstable_snapshot_;
  std::vector<Entry> unstable_entries_;
  LogIndex unstable_offset_;  // index of unstable_entries_[0]
  LogIndex committed_;
  LogIndex applied_;
};

}  // namespace strata::raft
