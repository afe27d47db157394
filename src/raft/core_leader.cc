// raft::Core: the leader — proposals, replication with flow control, the commit rule,
// heartbeats, check-quorum, ReadIndex and lease reads, membership changes, transfers.
#include <fmt/core.h>

#include <algorithm>

#include "common/check.h"
#include "raft/core.h"
#include "raft/quorum.h"

namespace strata::raft {

// --- proposals -----------------------------------------------------------------------

Result<LogIndex> Core::Propose(SharedBytes data) {
  if (role_ != Role::kLeader) {
    return Status::Unavailable(fmt::format("node {} is not the leader (leader: {})", id_, leader_));
  }
  if (lead_transferee_ != kNoNode) {
    return Status::Unavailable(fmt::format("leadership is being transferred to {}", lead_transferee_));
  }
  if (uncommitted_bytes_ > 0 && uncommitted_bytes_ + data.size() > config_.max_uncommitted_bytes) {
    return Status::ResourceExhausted(fmt::format("max_uncommitted_bytes ({}) reached: {} bytes await commit",
                                                 config_.max_uncommitted_bytes, uncommitted_bytes_));
  }
  uint64_t bytes = data.size();
  LogIndex index = AppendAsLeader(EntryType::kNormal, std::move(data));
  uncommitted_.emplace_back(index, bytes);
  uncommitted_bytes_ += bytes;
  BroadcastAppend();
  return index;
}

Result<LogIndex> Core::ProposeConfChange(const ConfChange& cc) {
  if (role_ != Role::kLeader) return Status::Unavailable(fmt::format("node {} is not the leader", id_));
  if (lead_transferee_ != kNoNode) return Status::Unavailable("leadership transfer in progress");
  if (membership_.LastChangeIndex() > log_.committed()) {
    return Status::Busy(fmt::format("membership change at index {} is not committed yet",
                                    membership_.LastChangeIndex()));
  }
  if (!CommittedInCurrentTerm()) return Status::Busy("leader has not committed an entry of its term yet");
  const ConfState& c = conf();
  switch (cc.type) {
    case ConfChangeType::kAddVoter:
      if (c.IsVoter(cc.node_id)) return Status::AlreadyExists(fmt::format("{} is a voter", cc.node_id));
      break;
    case ConfChangeType::kAddLearner:
      if (c.Contains(cc.node_id)) return Status::AlreadyExists(fmt::format("{} is a member", cc.node_id));
      break;
    case ConfChangeType::kRemoveNode:
      if (!c.Contains(cc.node_id)) return Status::NotFound(fmt::format("{} is not a member", cc.node_id));
      if (cc.node_id == id_) return Status::InvalidArgument("transfer leadership before removing the leader");
      break;
  }
  if (cc.node_id == kNoNode) return Status::InvalidArgument("node id 0 is reserved");
  LogIndex index = AppendAsLeader(EntryType::kConfChange, EncodeConfChange(cc));
  MaybeCommit();  // a removal can shrink the quorum
  BroadcastAppend();
  return index;
}

LogIndex Core::AppendAsLeader(EntryType type, SharedBytes data) {
  STRATA_CHECK(role_ == Role::kLeader);
  Entry e{term_, log_.LastIndex() + 1, type, std::move(data)};
  LogIndex index = e.index;
  std::vector<Entry> entries;  // not an initializer list: its elements would be copied
  entries.push_back(std::move(e));
  AppendToLog(std::move(entries));
  // Our own progress advances in Advance(), once the entry is persisted.
  return index;
}

Progress Core::NewProgress(NodeId id) const {
  Progress pr(config_.max_inflight_appends);
  pr.next = log_.LastIndex() + 1;
  pr.is_learner = conf().IsLearner(id);
  return pr;
}

void Core::SyncProgressWithConf() {
  const ConfState& c = conf();
  for (auto it = progress_.begin(); it != progress_.end();) {
    it = c.Contains(it->first) ? std::next(it) : progress_.erase(it);
  }
  for (const auto* ids : {&c.voters, &c.learners}) {
    for (NodeId id : *ids) {
      auto [it, inserted] = progress_.try_emplace(id, NewProgress(id));
      it->second.is_learner = c.IsLearner(id);
    }
  }
}

// --- step ------------------------------------------------------------------------------

void Core::StepLeader(const Message& m) {
  auto it = progress_.find(m.from);
  switch (m.type) {
    case MessageType::kAppendResponse:
      if (it == progress_.end()) return;
      it->second.recent_active = true;
      HandleAppendResponse(m, &it->second);
      break;
    case MessageType::kHeartbeatResponse:
      if (it == progress_.end()) return;
      it->second.recent_active = true;
      HandleHeartbeatResponse(m, &it->second);
      break;
    case MessageType::kReadIndex:
      HandleReadIndexRequest(m.from, m.context, m.index == kReadLease);
      break;
    case MessageType::kAppend:
    case MessageType::kHeartbeat:
    case MessageType::kSnapshot:
      STRATA_CHECK_MSG(false, "two leaders in one term");
      break;
    default:
      break;  // vote responses after winning, etc.
  }
}

void Core::HandleAppendResponse(const Message& m, Progress* pr) {
  if (m.reject) {
    LogIndex next_probe = m.reject_hint;
    if (m.log_term > 0) next_probe = log_.FindConflictByTerm(m.reject_hint, m.log_term);
    if (pr->MaybeDecrTo(m.index, next_probe)) {
      if (pr->state == ProgressState::kReplicate) pr->BecomeProbe();
      SendAppend(m.from, true);
    }
    return;
  }
  const bool was_paused = pr->IsPaused();
  if (!pr->MaybeUpdate(m.index)) return;  // stale or duplicate ack
  switch (pr->state) {
    case ProgressState::kProbe: pr->BecomeReplicate(); break;
    case ProgressState::kSnapshot:
      if (pr->match >= pr->pending_snapshot || pr->match + 1 >= log_.FirstIndex()) {
        pr->BecomeProbe();
        pr->BecomeReplicate();
      }
      break;
    case ProgressState::kReplicate: pr->inflights.FreeLE(m.index); break;
  }
  if (MaybeCommit()) {
    BroadcastAppend();  // tell everyone the new commit index
  } else if (was_paused) {
    SendAppend(m.from, true);
  }
  while (SendAppend(m.from, false)) {
  }  // pipeline as far as the inflight window allows
  if (m.from == lead_transferee_ && pr->match == log_.LastIndex()) SendTimeoutNow(m.from);
}

void Core::HandleHeartbeatResponse(const Message& m, Progress* pr) {
  pr->probe_sent = false;
  pr->lease_ack_tick = std::max(pr->lease_ack_tick, m.send_tick);
  if (pr->state == ProgressState::kReplicate && pr->inflights.Full()) pr->inflights.FreeFirstOne();
  if (pr->match < log_.LastIndex()) SendAppend(m.from, true);
  if (m.context.empty()) return;
  const std::set<NodeId>* acks = read_only_.RecvAck(m.from, m.context);
  if (acks == nullptr) return;
  std::map<NodeId, bool> votes;
  for (NodeId id : *acks) votes.emplace(id, true);
  if (TallyVotes(conf().voters, votes) != VoteResult::kWon) return;
  for (ReadRequest& r : read_only_.PopThrough(m.context)) {
    RespondToRead(r.from, r.index, std::move(r.context));
  }
  if (!read_only_.Contains(read_round_)) StartReadRound();  // the round in flight ended
}

// --- sending ---------------------------------------------------------------------------

bool Core::SendAppend(NodeId to, bool send_if_empty) {
  Progress& pr = progress_.at(to);
  if (pr.IsPaused()) return false;
  std::optional<Term> prev_term = log_.TermAt(pr.next - 1);
  auto entries = log_.Slice(pr.next, log_.LastIndex() + 1, config_.max_bytes_per_append);
  if (!prev_term || !entries) return SendSnapshot(to, &pr);  // behind the log's start
  if (entries->empty() && !send_if_empty) return false;
  LogIndex prev_index = pr.next - 1;
  size_t count = entries->size();
  pr.SentEntries(count, prev_index + count);
  Send(Message{.type = MessageType::kAppend,
               .to = to,
               .log_term = *prev_term,
               .index = prev_index,
               .commit = log_.committed(),
               .entries = std::move(*entries)});
  return true;
}

bool Core::SendSnapshot(NodeId to, Progress* pr) {
  if (!pr->recent_active) return false;  // do not stream to a node that may be down
  Result<Snapshot> snap = storage_->GetSnapshot();
  if (!snap.ok() || snap->empty()) return false;  // the driver is still producing one
  pr->BecomeSnapshot(snap->metadata.index);
  counters_.snapshots_sent++;
  Send(Message{.type = MessageType::kSnapshot, .to = to, .snapshot = std::move(snap).value()});
  return true;
}

void Core::BroadcastAppend() {
  for (const auto& [id, pr] : progress_) {
    if (id != id_) SendAppend(id, true);
  }
}

void Core::BroadcastHeartbeat(const Bytes& context) {
  for (const auto& [id, pr] : progress_) {
    if (id == id_) continue;
    // Never tell a follower to commit past what it is known to hold.
    Send(Message{.type = MessageType::kHeartbeat,
                 .to = id,
                 .commit = std::min(pr.match, log_.committed()),
                 .send_tick = LeaseNow(),
                 .context = context});
  }
}

void Core::SendTimeoutNow(NodeId to) {
  lease_revoked_ = true;  // `to` may be elected without waiting out anyone's lease
  Send(Message{.type = MessageType::kTimeoutNow, .to = to});
}

// --- commit and quorum -----------------------------------------------------------------

bool Core::MaybeCommit() {
  LogIndex index = QuorumIndex(conf().voters, [this](NodeId id) -> uint64_t {
    auto it = progress_.find(id);
    return it == progress_.end() ? 0 : it->second.match;
  });
  if (index <= log_.committed()) return false;
  // Raft §5.4.2 (figure 8): only an entry of the current term commits by counting
  // replicas; earlier entries commit indirectly, by preceding it.
  if (log_.TermAt(index) != term_) return false;
  const bool first_in_term = !CommittedInCurrentTerm();
  log_.CommitTo(index);
  while (!uncommitted_.empty() && uncommitted_.front().first <= index) {
    uncommitted_bytes_ -= uncommitted_.front().second;
    uncommitted_.pop_front();
  }
  if (first_in_term) ReleaseDeferredReads();
  return true;
}

bool Core::CommittedInCurrentTerm() const { return log_.TermAt(log_.committed()) == term_; }

bool Core::QuorumActive() {
  std::map<NodeId, bool> active;
  for (auto& [id, pr] : progress_) {
    if (id == id_ || pr.recent_active) active.emplace(id, true);
    if (id != id_) pr.recent_active = false;
  }
  return TallyVotes(conf().voters, active) == VoteResult::kWon;
}

// --- reads -------------------------------------------------------------------------------

Status Core::ReadIndex(Bytes context, bool lease) {
  if (context.empty()) return Status::InvalidArgument("read index context must not be empty");
  if (role_ == Role::kLeader) {
    if (read_only_.size() + deferred_reads_.size() >= config_.max_pending_reads) {
      return Status::ResourceExhausted(
          fmt::format("max_pending_reads ({}) reached", config_.max_pending_reads));
    }
    HandleReadIndexRequest(id_, std::move(context), lease);
    return Status::OK();
  }
  if (leader_ == kNoNode) return Status::Unavailable("no leader known");
  Send(Message{.type = MessageType::kReadIndex, .to = leader_, .index = lease ? kReadLease : 0,
               .context = std::move(context)});
  return Status::OK();
}

void Core::HandleReadIndexRequest(NodeId from, Bytes context, bool lease) {
  if (context.empty()) return;
  if (!CommittedInCurrentTerm()) {
    // Until its no-op commits, a new leader's commit index may be behind entries that
    // an earlier leader already acknowledged (fault finding #3): wait.
    if (deferred_reads_.size() < config_.max_pending_reads) deferred_reads_.push_back({from, std::move(context), lease});
    return;
  }
  if (conf().voters.size() == 1 || (lease && LeaseValid())) {
    if (lease && conf().voters.size() > 1) counters_.lease_reads++;
    RespondToRead(from, log_.committed(), std::move(context));
    return;
  }
  if (read_only_.size() >= config_.max_pending_reads) return;  // the caller times out
  Bytes ctx = context;
  read_only_.Add(log_.committed(), from, std::move(context));
  read_only_.RecvAck(id_, ctx);
  if (read_round_.empty()) StartReadRound();
}

// One heartbeat round confirms every read registered before it was sent, so reads that
// arrive while a round is in flight wait for the next one, which starts as soon as that
// round ends: under load a round serves a batch, not one read. The periodic heartbeat also
// carries the newest context, so a round whose answers were lost does not hold reads back
// for longer than a heartbeat interval.
void Core::StartReadRound() {
  read_round_ = read_only_.LastContext();
  if (!read_round_.empty()) BroadcastHeartbeat(read_round_);
}

void Core::RespondToRead(NodeId from, LogIndex index, Bytes context) {
  if (from == id_) {
    read_states_.push_back(ReadState{index, std::move(context)});
  } else {
    Send(Message{.type = MessageType::kReadIndexResponse, .to = from, .index = index, .context = std::move(context)});
  }
}

void Core::ReleaseDeferredReads() {
  auto deferred = std::move(deferred_reads_);
  deferred_reads_.clear();
  for (DeferredRead& r : deferred) HandleReadIndexRequest(r.from, std::move(r.context), r.lease);
}

bool Core::LeaseValid() const {
  if (!config_.lease_reads || !config_.check_quorum || role_ != Role::kLeader) return false;
  if (lease_revoked_ || !CommittedInCurrentTerm()) return false;
  // The lease starts when the heartbeat that a quorum acknowledged was sent; followers
  // refuse to elect anyone else for election_tick ticks after receiving it.
  const uint64_t now = LeaseNow();
  uint64_t start = QuorumIndex(conf().voters, [this, now](NodeId id) -> uint64_t {
    if (id == id_) return now;
    auto it = progress_.find(id);
    return it == progress_.end() ? 0 : it->second.lease_ack_tick;
  });
  if (start == 0) return false;
  return now < start + static_cast<uint64_t>(config_.election_tick - config_.lease_drift_ticks);
}

// --- transfer and transport feedback -----------------------------------------------------

Status Core::TransferLeader(NodeId target) {
  if (role_ != Role::kLeader) return Status::Unavailable(fmt::format("node {} is not the leader", id_));
  if (target == id_) return Status::OK();
  if (!conf().IsVoter(target)) return Status::InvalidArgument(fmt::format("{} is not a voter", target));
  if (lead_transferee_ == target) return Status::OK();
  lead_transferee_ = target;
  election_elapsed_ = 0;  // the transfer must finish within one election timeout
  if (progress_.at(target).match == log_.LastIndex()) {
    SendTimeoutNow(target);
  } else {
    SendAppend(target, true);
  }
  return Status::OK();
}

void Core::ReportUnreachable(NodeId id) {
  if (role_ != Role::kLeader) return;
  auto it = progress_.find(id);
  if (it != progress_.end() && it->second.state == ProgressState::kReplicate) it->second.BecomeProbe();
}

void Core::ReportSnapshot(NodeId id, bool ok) {
  if (role_ != Role::kLeader) return;
  auto it = progress_.find(id);
  if (it == progress_.end() || it->second.state != ProgressState::kSnapshot) return;
  if (!ok) it->second.pending_snapshot = 0;
  it->second.BecomeProbe();
  it->second.probe_sent = true;  // wait for a heartbeat answer before probing again
}

}  // namespace strata::raft
