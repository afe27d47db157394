// raft::Core: the follower side of replication — appends (§5.3), heartbeats, snapshots
// (§7), TimeoutNow and forwarded read answers.
#include <algorithm>

#include "common/check.h"
#include "raft/core.h"

namespace strata::raft {

void Core::StepFollower(const Message& m) {
  switch (m.type) {
    case MessageType::kAppend:
      election_elapsed_ = 0;
      leader_ = m.from;
      HandleAppend(m);
      break;
    case MessageType::kHeartbeat:
      election_elapsed_ = 0;
      leader_ = m.from;
      HandleHeartbeat(m);
      break;
    case MessageType::kSnapshot:
      election_elapsed_ = 0;
      leader_ = m.from;
      HandleSnapshot(m);
      break;
    case MessageType::kTimeoutNow:
      Hup(/*transfer=*/true);  // leadership transfer: campaign at once, skip pre-vote
      break;
    case MessageType::kReadIndexResponse:
      if (!m.reject) read_states_.push_back(ReadState{m.index, m.context});
      break;
    default:
      break;  // responses meant for an earlier role, reads sent to a non-leader
  }
}

void Core::HandleAppend(const Message& m) {
  if (m.index < log_.committed()) {
    // Everything up to our commit index already matches the leader's log.
    Send(Message{.type = MessageType::kAppendResponse, .to = m.from, .index = log_.committed()});
    return;
  }
  if (log_.MatchTerm(m.index, m.log_term)) {
    LogIndex last_new = m.index + m.entries.size();
    LogIndex conflict = log_.FindConflict(m.entries);
    if (conflict != 0) {
      STRATA_CHECK_MSG(conflict > log_.committed(), "leader conflicts with a committed entry");
      auto first = m.entries.begin() + static_cast<ptrdiff_t>(conflict - (m.index + 1));
      AppendToLog(std::vector<Entry>(first, m.entries.end()));
    }
    // Only entries known to match the leader's may be committed (not our stale suffix).
    log_.CommitTo(std::min(m.commit, last_new));
    Send(Message{.type = MessageType::kAppendResponse, .to = m.from, .index = last_new});
    return;
  }
  // Reject, with a hint for fast backtracking: the largest index whose term is <= the
  // leader's term at m.index; the leader can skip every index in between.
  LogIndex hint = log_.FindConflictByTerm(std::min(m.index, log_.LastIndex()), m.log_term);
  Send(Message{.type = MessageType::kAppendResponse,
               .to = m.from,
               .log_term = log_.TermAt(hint).value_or(0),
               .index = m.index,
               .reject = true,
               .reject_hint = hint});
}

void Core::HandleHeartbeat(const Message& m) {
  // The leader sends min(our match, its commit), so this never passes our log's end.
  log_.CommitTo(m.commit);
  Send(Message{.type = MessageType::kHeartbeatResponse,
               .to = m.from,
               .send_tick = m.send_tick,
               .context = m.context});
}

void Core::HandleSnapshot(const Message& m) {
  const SnapshotMetadata& meta = m.snapshot->metadata;
  if (meta.index <= log_.committed()) {
    Send(Message{.type = MessageType::kAppendResponse, .to = m.from, .index = log_.committed()});
    return;
  }
  if (log_.MatchTerm(meta.index, meta.term)) {
    // We already have the snapshot's last entry, hence everything before it: no need
    // to throw the log away, just learn that it is committed.
    log_.CommitTo(meta.index);
    Send(Message{.type = MessageType::kAppendResponse, .to = m.from, .index = log_.committed()});
    return;
  }
  log_.Restore(*m.snapshot);
  membership_.Reset(meta.index, meta.conf);
  counters_.snapshots_received++;
  Send(Message{.type = MessageType::kAppendResponse, .to = m.from, .index = log_.LastIndex()});
}

void Core::AppendToLog(std::vector<Entry> entries) {
  if (entries.empty()) return;
  if (entries.front().index <= membership_.LastChangeIndex()) {
    membership_.TruncateFrom(entries.front().index);  // fall back to the older config
  }
  std::vector<std::pair<LogIndex, ConfChange>> changes;
  for (const Entry& e : entries) {
    if (e.type != EntryType::kConfChange) continue;
    auto cc = DecodeConfChange(e.data);
    STRATA_CHECK_MSG(cc.has_value(), "corrupt configuration entry");
    changes.emplace_back(e.index, *cc);
  }
  log_.Append(std::move(entries));  // moved: a 64 MiB entry is not copied here
  for (const auto& [index, cc] : changes) membership_.Append(index, cc);  // in effect now, committed or not
  if (role_ == Role::kLeader) {
    STRATA_CHECK_MSG(conf().IsVoter(id_), "a leader must stay a voter of its configuration");
    SyncProgressWithConf();
  }
}

}  // namespace strata::raft
