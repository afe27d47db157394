// Progress: the leader's view of one follower's log, and the flow control that decides
// whether more appends may be sent to it (etcd raft's tracker.Progress).
//
//   kProbe      we do not know where the follower's log ends: send one append at a time
//               and wait for its answer (or a heartbeat answer) before sending the next.
//   kReplicate  the follower is known to match up to `match`: pipeline appends
//               optimistically (next advances on send), at most `max_inflight` unacked.
//   kSnapshot   the follower is behind the log's start: a snapshot is on its way; send
//               nothing else until it is acknowledged or reported failed.
//
// Invariant: match < next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>

#include "raft/types.h"

namespace strata::raft {

// The last index of each append in flight, oldest first, bounded by `capacity`.
class Inflights {
 public:
  explicit Inflights(size_t capacity) : capacity_(capacity) {}
  void Add(LogIndex last_index);
  // Frees every append whose last index is <= index (they were acknowledged).
  void FreeLE(LogIndex index);
  void FreeFirstOne();
  bool Full() const { return queue_.size() >= capacity_; }
  size_t Count() const { return queue_.size(); }
  void Reset() { queue_.clear(); }

 private:
  size_t capacity_;
  std::deque<LogIndex> queue_;
};

enum class ProgressState : uint8_t { kProbe, kReplicate, kSnapshot };
std::string_view ProgressStateName(ProgressState s);

struct Progress {
  explicit Progress(size_t max_inflight) : inflights(max_inflight) {}

  LogIndex match = 0;
  LogIndex next = 1;
  ProgressState state = ProgressState::kProbe;
  LogIndex pending_snapshot = 0;  // in kSnapshot: the index of the snapshot sent
  bool probe_sent = false;        // in kProbe: an append is out, wait for its answer
  bool recent_active = false;     // heard from since the last check-quorum round
  bool is_learner = false;
  uint64_t lease_ack_tick = 0;    // leader tick at which the latest acked heartbeat was sent
  Inflights inflights;

  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(LogIndex snapshot_index);
  // An acknowledgement that the follower matches up to n. Returns true if match grew.
  bool MaybeUpdate(LogIndex n);
  // A rejection of the append whose previous index was `rejected`; `match_hint` is the
  // follower's guess at where the logs agree. Returns false for a stale rejection.
  bool MaybeDecrTo(LogIndex rejected, LogIndex match_hint);
  // Records that an append of `entry_count` entries ending at `last_index` was sent.
  void SentEntries(size_t entry_count, LogIndex last_index);
  bool IsPaused() const;
};

}  // namespace strata::raft
