#include "raft/progress.h"

#include <algorithm>

#include "common/check.h"

namespace strata::raft {

void Inflights::Add(LogIndex last_index) {
  STRATA_CHECK_MSG(!Full(), "append sent with a full inflight window");
  STRATA_CHECK(queue_.empty() || queue_.back() < last_index);
  queue_.push_back(last_index);
}

void Inflights::FreeLE(LogIndex index) {
  while (!queue_.empty() && queue_.front() <= index) queue_.pop_front();
}

void Inflights::FreeFirstOne() {
  if (!queue_.empty()) queue_.pop_front();
}

std::string_view ProgressStateName(ProgressState s) {
  switch (s) {
    case ProgressState::kProbe: return "probe";
    case ProgressState::kReplicate: return "replicate";
    case ProgressState::kSnapshot: return "snapshot";
  }
  return "?";
}

void Progress::BecomeProbe() {
  // Coming back from a snapshot, the follower has at least the snapshot.
  LogIndex floor = state == ProgressState::kSnapshot ? std::max(match, pending_snapshot) : match;
  state = ProgressState::kProbe;
  next = floor + 1;
  pending_snapshot = 0;
  probe_sent = false;
  inflights.Reset();
}

void Progress::BecomeReplicate() {
  state = ProgressState::kReplicate;
  next = match + 1;
  pending_snapshot = 0;
  probe_sent = false;
  inflights.Reset();
}

void Progress::BecomeSnapshot(LogIndex snapshot_index) {
  state = ProgressState::kSnapshot;
  pending_snapshot = snapshot_index;
  probe_sent = false;
  inflights.Reset();
}

bool Progress::MaybeUpdate(LogIndex n) {
  bool updated = false;
  if (match < n) {
    match = n;
    updated = true;
    probe_sent = false;
  }
  next = std::max(next, n + 1);
  return updated;
}

bool Progress::MaybeDecrTo(LogIndex rejected, LogIndex match_hint) {
  if (state == ProgressState::kReplicate) {
    // Appends below match cannot be rejected by a follower that still has them.
    if (rejected <= match) return false;
    next = match + 1;  // the caller moves to probe
    return true;
  }
  // In probe only the answer to the latest probe counts; older ones are stale.
  if (next == 0 || next - 1 != rejected) return false;
  next = std::max(std::min(rejected, match_hint + 1), match + 1);
  probe_sent = false;
  STRATA_CHECK(match < next);
  return true;
}

void Progress::SentEntries(size_t entry_count, LogIndex last_index) {
  if (entry_count == 0) return;
  if (state == ProgressState::kReplicate) {
    next = last_index + 1;
    inflights.Add(last_index);
  } else if (state == ProgressState::kProbe) {
    probe_sent = true;
  }
}

bool Progress::IsPaused() const {
  switch (state) {
    case ProgressState::kProbe: return probe_sent;
    case ProgressState::kReplicate: return inflights.Full();
    case ProgressState::kSnapshot: return true;
  }
  return true;
}

}  // namespace strata::raft
