// Single-server membership changes, applied when appended (Raft thesis §4.1).
//
// A configuration entry takes effect on a node as soon as it is in that node's log,
// committed or not; if the entry is later truncated away the node falls back to the
// previous configuration. So the configuration is a function of the log: the snapshot's
// ConfState, then each configuration entry in order. MembershipHistory keeps that
// function: the ConfState in effect after each configuration entry still in the log.
//
// Safety rests on three rules enforced by the leader (core_leader.cc): at most one
// uncommitted change at a time; a leader proposes a change only after committing an entry
// of its own term (the fix for the single-server-change bug found by Ongaro, 2015); and
// each change adds or removes one voter, so every old majority overlaps every new one.
#pragma once

#include <map>
#include <optional>

#include "common/slice.h"
#include "raft/types.h"

namespace strata::raft {

Bytes EncodeConfChange(const ConfChange& cc);
std::optional<ConfChange> DecodeConfChange(Slice data);

// The configuration after applying `cc` to `conf`. Changes that make no sense (adding a
// voter as learner, removing a stranger) leave it unchanged: apply must be deterministic
// even for entries that a buggy or older leader let through.
ConfState ApplyConfChange(const ConfState& conf, const ConfChange& cc);

class MembershipHistory {
 public:
  // Starts from the configuration at `index` (a snapshot, or 0 for bootstrap).
  void Reset(LogIndex index, ConfState conf);
  // Forgets every configuration entry at or after `index` (the log was truncated there).
  void TruncateFrom(LogIndex index);
  // Records the configuration entry at `index`. REQUIRES: index > LastChangeIndex().
  void Append(LogIndex index, const ConfChange& cc);
  // Drops history before `index` that no longer matters (keeps the one in effect there).
  void CompactTo(LogIndex index);

  const ConfState& Current() const { return history_.rbegin()->second; }
  // The configuration in effect at `index`; nullopt before the base.
  std::optional<ConfState> At(LogIndex index) const;
  // Index of the latest configuration entry (or of the base snapshot).
  LogIndex LastChangeIndex() const { return history_.rbegin()->first; }

 private:
  std::map<LogIndex, ConfState> history_{{0, ConfState{}}};
};

}  // namespace strata::raft
