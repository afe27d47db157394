// ReadIndex requests waiting for the leader to confirm it is still the leader.
//
// Raft thesis §6.4: a read may be served at index i = commit index at the time the
// request arrived, once a quorum has answered a heartbeat sent after the request
// (proving no newer leader existed then) and the state machine has applied i. Requests
// are confirmed in order: an ack for a later request's heartbeat also confirms every
// earlier one, whose index is no larger.
#pragma once

#include <cstddef>
#include <deque>
#include <set>
#include <vector>

#include "common/slice.h"
#include "raft/types.h"

namespace strata::raft {

struct ReadRequest {
  LogIndex index = 0;  // commit index when the request arrived
  NodeId from = kNoNode;  // who asked (the leader itself, or a follower that forwarded)
  Bytes context;          // caller's unique id for the request
  std::set<NodeId> acks;  // nodes that answered a heartbeat carrying `context`
};

class ReadOnlyQueue {
 public:
  size_t size() const { return queue_.size(); }
  void Add(LogIndex index, NodeId from, Bytes context);
  // Records an ack from `id` for `context`; returns the acks so far, or nullptr when no
  // such request is pending (already confirmed, or from an earlier term).
  const std::set<NodeId>* RecvAck(NodeId id, Slice context);
  // Removes and returns every request up to and including `context`, oldest first.
  std::vector<ReadRequest> PopThrough(Slice context);
  // The newest request's context, carried by the next heartbeat; empty if none.
  Bytes LastContext() const { return queue_.empty() ? Bytes() : queue_.back().context; }
  bool Contains(Slice context) const;
  void Clear() { queue_.clear(); }

 private:
  std::deque<ReadRequest> queue_;
};

}  // namespace strata::raft
