#include "raft/log_storage.h"

#include <fmt/core.h>

#include <utility>

namespace strata::raft {

MemoryLogStorage::MemoryLogStorage(ConfState conf) {
  if (conf.voters.empty()) return;
  snapshot_.metadata = SnapshotMetadata{kBootstrapIndex, kBootstrapTerm, std::move(conf)};
  hard_state_ = HardState{kBootstrapTerm, kNoNode, kBootstrapIndex};
}

InitialState MemoryLogStorage::GetInitialState() const {
  return InitialState{hard_state_, snapshot_.metadata};
}

Result<std::vector<Entry>> MemoryLogStorage::Entries(LogIndex lo, LogIndex hi,
                                                     uint64_t max_bytes) const {
  if (lo < FirstIndex() || hi > LastIndex() + 1 || lo > hi) {
    return Status::InvalidArgument(fmt::format("entries [{}, {}) outside log [{}, {}]", lo, hi,
                                               FirstIndex(), LastIndex()));
  }
  std::vector<Entry> out;
  uint64_t bytes = 0;
  for (LogIndex i = lo; i < hi; ++i) {
    const Entry& e = entries_[i - FirstIndex()];
    bytes += e.data.size();
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

Result<Term> MemoryLogStorage::TermAt(LogIndex i) const {
  if (i == snapshot_.metadata.index) return snapshot_.metadata.term;
  if (i < FirstIndex() || i > LastIndex()) {
    return Status::InvalidArgument(
        fmt::format("term of {} outside log [{}, {}]", i, FirstIndex() - 1, LastIndex()));
  }
  return entries_[i - FirstIndex()].term;
}

void MemoryLogStorage::Append(const std::vector<Entry>& entries) {
  for (const Entry& e : entries) {
    if (e.index < FirstIndex()) continue;  // already covered by the snapshot
    STRATA_CHECK_MSG(e.index <= LastIndex() + 1, "gap in appended raft log");
    entries_.resize(e.index - FirstIndex());  // conflict truncation of the suffix
    entries_.push_back(e);
  }
}

void MemoryLogStorage::ApplySnapshot(Snapshot snapshot) {
  if (snapshot.metadata.index <= snapshot_.metadata.index) return;
  snapshot_ = std::move(snapshot);
  entries_.clear();
}

void MemoryLogStorage::CreateSnapshotAndCompact(LogIndex index, ConfState conf, Bytes data) {
  STRATA_CHECK(index <= LastIndex());
  if (index <= snapshot_.metadata.index) return;
  Term term = entries_[index - FirstIndex()].term;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<ptrdiff_t>(index - FirstIndex() + 1));
  snapshot_.metadata = SnapshotMetadata{index, term, std::move(conf)};
  snapshot_.data = std::move(data);
}

}  // namespace strata::raft
