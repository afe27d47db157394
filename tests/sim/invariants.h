// Safety checkers run by the simulator after every step (Raft paper figure 3):
//   election safety      at most one leader per term, over the whole run
//   log matching         persisted entries with the same (index, term) are identical and
//                        agree on the previous entry's term (hence on the whole prefix)
//   leader completeness  a new leader of term T holds every entry committed in a term < T
//                        (a candidate whose votes arrive late may win an old term after
//                        a newer leader committed more: that is allowed)
//   state machine safety every node commits and applies the same entry at each index
//   nothing lost         a restarted node's log still holds what it had committed
// A violation is recorded as text (the first one wins); the run stops and prints it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "raft/core.h"

namespace strata::raft::sim {

class InvariantChecker {
 public:
  bool ok() const { return failure_.empty(); }
  const std::string& failure() const { return failure_; }
  uint64_t leaders_seen() const { return leaders_.size(); }
  LogIndex max_committed() const { return committed_.empty() ? 0 : committed_.rbegin()->first; }

  // Called for each live node after every step.
  void ObserveNode(const Core& core);
  // Entries the driver just persisted into `storage` (log matching).
  void ObservePersisted(NodeId id, const std::vector<Entry>& entries, const MemoryLogStorage& storage);
  // An entry handed to the state machine; entries must arrive in index order.
  void ObserveApply(NodeId id, const Entry& e, LogIndex previous_applied);
  void ObserveSnapshotInstall(NodeId id, const SnapshotMetadata& meta);
  // A node came back from a crash with this durable state.
  void ObserveRestart(NodeId id, const MemoryLogStorage& storage);

 private:
  void Fail(std::string what);
  // commit_term: a term no earlier than the one in which the entry was committed (the
  // observer's current term); the smallest seen is kept.
  void RecordCommitted(NodeId id, LogIndex index, Term term, uint64_t hash, Term commit_term);
  void CheckLeaderCompleteness(const Core& core);

  std::string failure_;
  std::map<Term, NodeId> leaders_;
  // (index, term) -> (entry hash, term of the entry before it, or 0 if unknown)
  std::map<std::pair<LogIndex, Term>, std::pair<uint64_t, Term>> entries_;
  struct Committed {
    Term term;
    uint64_t hash;
    Term commit_term;
  };
  std::map<LogIndex, Committed> committed_;
  std::map<NodeId, LogIndex> seen_commit_;
  std::map<NodeId, Term> seen_term_;
  std::map<NodeId, Term> persisted_term_;
};

uint64_t EntryHash(const Entry& e);

}  // namespace strata::raft::sim
