#include "raft/raft_log.h"

#include <fmt/core.h>

#include <algorithm>

#include "common/check.h"

namespace strata::raft {

RaftLog::RaftLog(const LogStorage* storage, LogIndex commit, LogIndex applied)
    : storage_(storage), unstable_offset_(storage->LastIndex() + 1) {
  LogIndex base = storage->FirstIndex() - 1;
  committed_ = std::max(commit, base);
  applied_ = std::max(applied, base);
  STRATA_CHECK_MSG(committed_ <= LastIndex(),
                   "hard state commit is beyond the persisted log: was it lost?");
  STRATA_CHECK(applied_ <= committed_);
}

LogIndex RaftLog::FirstIndex() const {
  if (unstable_snapshot_) return unstable_snapshot_->metadata.index + 1;
  return storage_->FirstIndex();
}

LogIndex RaftLog::LastIndex() const {
  if (!unstable_entries_.empty()) return unstable_offset_ + unstable_entries_.size() - 1;
  if (unstable_snapshot_) return unstable_snapshot_->metadata.index;
  return storage_->LastIndex();
}

Term RaftLog::LastTerm() const {
  auto t = TermAt(LastIndex());
  STRATA_CHECK(t.has_value());
  return *t;
}

std::optional<Term> RaftLog::TermAt(LogIndex i) const {
  if (i + 1 < FirstIndex() || i > LastIndex()) return std::nullopt;
  if (i >= unstable_offset_ && !unstable_entries_.empty()) {
    return unstable_entries_[i - unstable_offset_].term;
  }
  if (unstable_snapshot_) {
    if (i == unstable_snapshot_->metadata.index) return unstable_snapshot_->metadata.term;
    return std::nullopt;
  }
  Result<Term> t = storage_->TermAt(i);
  if (!t.ok()) return std::nullopt;
  return *t;
}

bool RaftLog::MatchTerm(LogIndex i, Term t) const {
  auto term = TermAt(i);
  return term.has_value() && *term == t;
}

bool RaftLog::IsUpToDate(LogIndex last_index, Term last_term) const {
  Term mine = LastTerm();
  return last_term > mine || (last_term == mine && last_index >= LastIndex());
}

std::optional<std::vector<Entry>> RaftLog::Slice(LogIndex lo, LogIndex hi,
                                                 uint64_t max_bytes) const {
  if (lo < FirstIndex()) return std::nullopt;
  hi = std::min(hi, LastIndex() + 1);
  std::vector<Entry> out;
  if (lo >= hi) return out;
  uint64_t bytes = 0;
  LogIndex stable_hi = std::min(hi, unstable_offset_);
  if (lo < stable_hi) {
    Result<std::vector<Entry>> stored = storage_->Entries(lo, stable_hi, max_bytes);
    if (!stored.ok()) return std::nullopt;  // compacted concurrently by the driver
    out = std::move(stored).value();
    for (const Entry& e : out) bytes += e.data.size();
    if (out.size() < stable_hi - lo) return out;  // hit max_bytes
  }
  for (LogIndex i = std::max(lo, unstable_offset_); i < hi; ++i) {
    const Entry& e = unstable_entries_[i - unstable_offset_];
    bytes += e.data.size();
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

LogIndex RaftLog::FindConflict(const std::vector<Entry>& entries) const {
  for (const Entry& e : entries) {
    if (!MatchTerm(e.index, e.term)) return e.index;
  }
  return 0;
}

LogIndex RaftLog::FindConflictByTerm(LogIndex index, Term term) const {
  index = std::min(index, LastIndex());
  while (index > 0) {
    auto t = TermAt(index);
    if (!t.has_value() || *t <= term) break;  // unknown below the snapshot: stop there
    --index;
  }
  return index;
}

void RaftLog::Append(std::vector<Entry> entries) {
  if (entries.empty()) return;
  LogIndex after = entries.front().index;
  STRATA_CHECK_MSG(after > committed_, "attempt to overwrite a committed entry");
  STRATA_CHECK_MSG(after <= LastIndex() + 1, "gap in the raft log");
  if (after == unstable_offset_ + unstable_entries_.size()) {
    // plain append
  } else if (after <= unstable_offset_) {
    unstable_offset_ = after;  // replaces (part of) the persisted suffix too
    unstable_entries_.clear();
  } else {
    unstable_entries_.resize(after - unstable_offset_);
  }
  for (Entry& e : entries) {
    STRATA_CHECK(e.index == unstable_offset_ + unstable_entries_.size());
    unstable_entries_.push_back(std::move(e));
  }
}

void RaftLog::Restore(const Snapshot& snapshot) {
  STRATA_CHECK(snapshot.metadata.index > committed_);
  committed_ = snapshot.metadata.index;
  unstable_snapshot_ = snapshot;
  unstable_entries_.clear();
  unstable_offset_ = snapshot.metadata.index + 1;
}

void RaftLog::CommitTo(LogIndex index) {
  if (index <= committed_) return;  // commit never decreases
  STRATA_CHECK_MSG(index <= LastIndex(), "commit index beyond the log: was the log lost?");
  committed_ = index;
}

void RaftLog::AppliedTo(LogIndex index) {
  if (index <= applied_) return;
  STRATA_CHECK_MSG(index <= committed_, "applied an entry that is not committed");
  applied_ = index;
}

LogIndex RaftLog::StableLastIndex() const {
  if (unstable_snapshot_) return 0;  // nothing of this log is durable until the snapshot is
  if (!unstable_entries_.empty()) return unstable_offset_ - 1;
  return storage_->LastIndex();
}

void RaftLog::StableTo(LogIndex index, Term term) {
  if (unstable_snapshot_ || index < unstable_offset_) return;
  if (index >= unstable_offset_ + unstable_entries_.size()) return;
  // The entries may have been replaced since they were handed out; only the same entry
  // (index and term) becomes stable.
  if (unstable_entries_[index - unstable_offset_].term != term) return;
  unstable_entries_.erase(unstable_entries_.begin(),
                          unstable_entries_.begin() + static_cast<ptrdiff_t>(index - unstable_offset_ + 1));
  unstable_offset_ = index + 1;
}

void RaftLog::StableSnapshotTo(LogIndex index) {
  if (unstable_snapshot_ && unstable_snapshot_->metadata.index == index) unstable_snapshot_.reset();
}

std::vector<Entry> RaftLog::NextCommittedEntries(uint64_t max_bytes) const {
  if (!HasNextCommittedEntries()) return {};
  LogIndex hi = std::min(committed_, StableLastIndex());
  auto entries = Slice(applied_ + 1, hi + 1, max_bytes);
  STRATA_CHECK_MSG(entries.has_value(), "unapplied entries were compacted");
  return std::move(*entries);
}

bool RaftLog::HasNextCommittedEntries() const {
  if (unstable_snapshot_) return false;  // install the snapshot first
  return applied_ < std::min(committed_, StableLastIndex());
}

}  // namespace strata::raft
