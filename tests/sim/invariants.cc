#include "invariants.h"

#include <fmt/core.h>

#include "common/checksum.h"

namespace strata::raft::sim {

uint64_t EntryHash(const Entry& e) {
  return Checksum64(e.data) ^ (static_cast<uint64_t>(e.type) << 56);
}

void InvariantChecker::Fail(std::string what) {
  if (failure_.empty()) failure_ = std::move(what);
}

void InvariantChecker::ObserveNode(const Core& core) {
  const NodeId id = core.id();
  Term& last_term = seen_term_[id];
  if (core.term() < last_term) Fail(fmt::format("node {} term went back {} -> {}", id, last_term, core.term()));
  last_term = core.term();
  if (core.role() == Role::kLeader) {
    auto [it, inserted] = leaders_.emplace(core.term(), id);
    if (!inserted && it->second != id) {
      Fail(fmt::format("election safety: nodes {} and {} both leader in term {}", it->second, id, core.term()));
    }
    if (inserted) CheckLeaderCompleteness(core);
  }
  // Record newly committed entries; they must agree with what others committed.
  const RaftLog& log = core.log();
  LogIndex& seen = seen_commit_[id];
  LogIndex lo = std::max(seen + 1, log.FirstIndex());
  LogIndex hi = log.committed();
  if (hi >= lo) {
    auto entries = log.Slice(lo, hi + 1, UINT64_MAX);
    if (!entries) {
      Fail(fmt::format("node {}: committed entries [{}, {}] unreadable", id, lo, hi));
      return;
    }
    for (const Entry& e : *entries) RecordCommitted(id, e.index, e.term, EntryHash(e), core.term());
  }
  seen = std::max(seen, hi);
}

void InvariantChecker::RecordCommitted(NodeId id, LogIndex index, Term term, uint64_t hash, Term commit_term) {
  auto [it, inserted] = committed_.emplace(index, Committed{term, hash, commit_term});
  if (inserted) return;
  if (it->second.term != term || it->second.hash != hash) {
    Fail(fmt::format("state machine safety: node {} committed term {} at index {}, others term {}", id,
                     term, index, it->second.term));
  }
  it->second.commit_term = std::min(it->second.commit_term, commit_term);
}

void InvariantChecker::CheckLeaderCompleteness(const Core& core) {
  const RaftLog& log = core.log();
  for (auto it = committed_.lower_bound(log.FirstIndex() - 1); it != committed_.end(); ++it) {
    if (it->second.commit_term >= core.term()) continue;  // committed in a later term
    if (log.TermAt(it->first) != it->second.term) {
      Fail(fmt::format("leader completeness: leader {} of term {} lacks entry {} (term {}) committed by term {}",
                       core.id(), core.term(), it->first, it->second.term, it->second.commit_term));
      return;
    }
  }
}

void InvariantChecker::ObservePersisted(NodeId id, const std::vector<Entry>& entries,
                                        const MemoryLogStorage& storage) {
  for (const Entry& e : entries) {
    if (e.index < storage.FirstIndex()) continue;
    Term prev = 0;
    Result<Term> t = storage.TermAt(e.index - 1);
    if (t.ok()) prev = *t;
    auto value = std::make_pair(EntryHash(e), prev);
    auto [it, inserted] = entries_.emplace(std::make_pair(e.index, e.term), value);
    if (inserted) continue;
    if (it->second.first != value.first) {
      Fail(fmt::format("log matching: node {} has another entry at index {} term {}", id, e.index, e.term));
    } else if (prev != 0 && it->second.second != 0 && prev != it->second.second) {
      Fail(fmt::format("log matching: node {} entry {}@{} follows term {}, elsewhere term {}", id, e.index,
                       e.term, prev, it->second.second));
    } else if (it->second.second == 0) {
      it->second.second = prev;
    }
  }
}

void InvariantChecker::ObserveApply(NodeId id, const Entry& e, LogIndex previous_applied) {
  if (e.index != previous_applied + 1) {
    Fail(fmt::format("node {} applied index {} after {}", id, e.index, previous_applied));
  }
  RecordCommitted(id, e.index, e.term, EntryHash(e), UINT64_MAX);  // commit term unknown here
}

void InvariantChecker::ObserveSnapshotInstall(NodeId id, const SnapshotMetadata& meta) {
  auto it = committed_.find(meta.index);
  if (it != committed_.end() && it->second.term != meta.term) {
    Fail(fmt::format("node {} installed snapshot {}@{} but term {} committed there", id, meta.index,
                     meta.term, it->second.term));
  }
}

void InvariantChecker::ObserveRestart(NodeId id, const MemoryLogStorage& storage) {
  const HardState& hs = storage.hard_state();
  if (hs.commit > storage.LastIndex()) {
    Fail(fmt::format("node {} restarted with commit {} beyond its log end {}", id, hs.commit, storage.LastIndex()));
    return;
  }
  for (LogIndex i = storage.FirstIndex(); i <= hs.commit; ++i) {
    auto it = committed_.find(i);
    if (it != committed_.end() && storage.TermAt(i).value() != it->second.term) {
      Fail(fmt::format("node {} lost committed entry {} across a restart", id, i));
      return;
    }
  }
  seen_commit_[id] = std::min(seen_commit_[id], hs.commit);
  // A term adopted in memory but never persisted is legitimately forgotten by a crash
  // (nothing that depended on it was sent); the persisted term never goes back.
  Term& persisted = persisted_term_[id];
  if (hs.term < persisted) Fail(fmt::format("node {} persisted term went back {} -> {}", id, persisted, hs.term));
  persisted = hs.term;
  seen_term_[id] = hs.term;
}

}  // namespace strata::raft::sim
