// raft::Core: construction, state transitions, ticks, term rules and the Ready/Advance
// handshake. Role-specific handling lives in core_election.cc, core_follower.cc and
// core_leader.cc.
#include "raft/core.h"

#include <fmt/core.h>

#include <utility>

#include "common/check.h"

namespace strata::raft {

namespace {
// Context of vote requests caused by a leadership transfer: they bypass the leader lease.
constexpr std::string_view kTransferContext = "transfer";

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kFollower: return "follower";
    case Role::kPreCandidate: return "pre-candidate";
    case Role::kCandidate: return "candidate";
    case Role::kLeader: return "leader";
  }
  return "?";
}

Core::Core(const CoreConfig& config, const LogStorage* storage)
    : config_(config),
      storage_(storage),
      id_(config.id),
      log_(storage, storage->GetInitialState().hard_state.commit, config.applied),
      rng_state_(config.rng_seed ^ (config.id * 0xD1B54A32D192ED03ull)) {
  STRATA_CHECK(id_ != kNoNode);
  STRATA_CHECK(config_.heartbeat_tick > 0 && config_.heartbeat_tick < config_.election_tick);
  STRATA_CHECK(config_.lease_drift_ticks >= 0 && config_.lease_drift_ticks < config_.election_tick);
  STRATA_CHECK(config_.max_inflight_appends > 0);
  InitialState init = storage->GetInitialState();
  membership_.Reset(init.snapshot.index, init.snapshot.conf);
  // The configuration is a function of the log (membership.h): replay its changes.
  LogIndex last = storage->LastIndex();
  for (LogIndex lo = storage->FirstIndex(); lo <= last;) {
    Result<std::vector<Entry>> batch = storage->Entries(lo, last + 1, 8 << 20);
    STRATA_CHECK_MSG(batch.ok(), "reading the raft log at startup");
    for (const Entry& e : *batch) {
      if (e.type != EntryType::kConfChange) continue;
      auto cc = DecodeConfChange(e.data);
      STRATA_CHECK_MSG(cc.has_value(), "corrupt configuration entry in the raft log");
      membership_.Append(e.index, *cc);
    }
    lo += batch->size();
  }
  term_ = init.hard_state.term;
  vote_ = init.hard_state.vote;
  prev_hard_state_ = init.hard_state;
  BecomeFollower(term_, kNoNode);
  prev_soft_state_ = CurrentSoftState();
}

// --- state transitions -------------------------------------------------------------

void Core::ResetForTerm(Term term) {
  if (term != term_) {
    STRATA_CHECK_MSG(term > term_, "term went backwards");
    term_ = term;
    vote_ = kNoNode;
  }
  leader_ = kNoNode;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
  lead_transferee_ = kNoNode;
  votes_.clear();
  progress_.clear();
  read_only_.Clear();
  read_round_.clear();
  deferred_reads_.clear();
  lease_revoked_ = false;
  uncommitted_.clear();
  uncommitted_bytes_ = 0;
}

void Core::ResetRandomizedElectionTimeout() {
  auto spread = static_cast<uint64_t>(config_.election_tick);
  randomized_election_timeout_ = config_.election_tick + static_cast<int>(SplitMix64(&rng_state_) % spread);
}

void Core::BecomeFollower(Term term, NodeId leader) {
  ResetForTerm(term);
  leader_ = leader;
  role_ = Role::kFollower;
}

void Core::BecomePreCandidate() {
  STRATA_CHECK_MSG(role_ != Role::kLeader, "leader cannot become pre-candidate");
  // A pre-candidate keeps its term and vote: losing the pre-vote must change nothing.
  role_ = Role::kPreCandidate;
  leader_ = kNoNode;
  votes_.clear();
}

void Core::BecomeCandidate() {
  STRATA_CHECK_MSG(role_ != Role::kLeader, "leader cannot become candidate");
  ResetForTerm(term_ + 1);
  vote_ = id_;
  role_ = Role::kCandidate;
}

void Core::BecomeLeader() {
  STRATA_CHECK_MSG(role_ == Role::kCandidate, "only a candidate becomes leader");
  ResetForTerm(term_);
  leader_ = id_;
  role_ = Role::kLeader;
  SyncProgressWithConf();
  Progress& self = progress_.at(id_);
  self.MaybeUpdate(log_.StableLastIndex());  // only what is durable here counts
  self.BecomeReplicate();
  self.recent_active = true;
  counters_.elections_won++;
  // Entries of earlier terms commit only once an entry of this term does (§5.4.2).
  AppendAsLeader(EntryType::kNoop, Bytes());
}

bool Core::Promotable() const {
  return conf().IsVoter(id_) && !log_.UnstableSnapshot().has_value();
}

// --- ticks ---------------------------------------------------------------------------

void Core::Tick() {
  ++ticks_;
  if (role_ == Role::kLeader) {
    TickHeartbeat();
  } else {
    TickElection();
  }
}

void Core::TickElection() {
  ++election_elapsed_;
  if (Promotable() && election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    Hup(/*transfer=*/false);
  }
}

void Core::TickHeartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= config_.election_tick) {
    election_elapsed_ = 0;
    if (config_.check_quorum && !QuorumActive()) {
      BecomeFollower(term_, kNoNode);  // a partitioned leader stops accepting writes
      return;
    }
    lead_transferee_ = kNoNode;  // a transfer not done within an election timeout fails
  }
  if (heartbeat_elapsed_ >= config_.heartbeat_tick) {
    heartbeat_elapsed_ = 0;
    BroadcastHeartbeat(read_only_.LastContext());
  }
}

// --- step ----------------------------------------------------------------------------

Status Core::Step(const Message& m) {
  if (m.to != id_) return Status::InvalidArgument(fmt::format("message for {} sent to {}", m.to, id_));
  if (m.from == kNoNode || m.from == id_) return Status::InvalidArgument("message from an invalid node id");
  if (static_cast<uint8_t>(m.type) == 0 || static_cast<uint8_t>(m.type) > kMaxCoreMessageType)
    return Status::InvalidArgument(fmt::format("message type {} is not the core's", static_cast<int>(m.type)));
  if (m.type == MessageType::kSnapshot && !m.snapshot.has_value()) {
    return Status::InvalidArgument("snapshot message without a snapshot");
  }
  if (!StepTerm(m)) return Status::OK();
  if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
    StepVoteRequest(m);
    return Status::OK();
  }
  switch (role_) {
    case Role::kFollower: StepFollower(m); break;
    case Role::kPreCandidate:
    case Role::kCandidate: StepCandidate(m); break;
    case Role::kLeader: StepLeader(m); break;
  }
  return Status::OK();
}

// Raft's term rules (§5.1) plus the pre-vote and leader-lease exceptions. Returns false
// when the message must not be processed further.
bool Core::StepTerm(const Message& m) {
  const bool is_vote = m.type == MessageType::kVote || m.type == MessageType::kPreVote;
  if (m.term > term_) {
    if (is_vote) {
      bool forced = m.context == kTransferContext;
      // Leader stickiness: a node that heard from a leader within the election timeout
      // does not help depose it. This also is what makes leader leases sound.
      bool in_lease = config_.check_quorum && leader_ != kNoNode &&
                      election_elapsed_ < config_.election_tick;
      bool starting = config_.lease_reads && ticks_ < static_cast<uint64_t>(config_.election_tick);
      if (!forced && (in_lease || starting)) {
        counters_.messages_dropped_stale++;
        return false;
      }
    }
    if (m.type == MessageType::kPreVote) {
      // a pre-vote never changes the receiver's term
    } else if (m.type == MessageType::kPreVoteResponse && !m.reject) {
      // granted pre-votes carry the term we will campaign in; adopt it only by winning
    } else {
      bool from_leader = m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat ||
                         m.type == MessageType::kSnapshot;
      BecomeFollower(m.term, from_leader ? m.from : kNoNode);
    }
    return true;
  }
  if (m.term < term_) {
    counters_.messages_dropped_stale++;
    if ((config_.check_quorum || config_.pre_vote) &&
        (m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat)) {
      // A leader cut off by a partition may never see a higher term otherwise (with
      // check-quorum and pre-vote nobody campaigns against it): tell it.
      Send(Message{.type = MessageType::kAppendResponse, .to = m.from});
    } else if (m.type == MessageType::kPreVote) {
      Send(Message{.type = MessageType::kPreVoteResponse, .to = m.from, .term = term_, .reject = true});
    }
    return false;
  }
  return true;
}

void Core::StepVoteRequest(const Message& m) {
  const bool pre = m.type == MessageType::kPreVote;
  const MessageType resp = pre ? MessageType::kPreVoteResponse : MessageType::kVoteResponse;
  bool can_vote = vote_ == m.from || (vote_ == kNoNode && leader_ == kNoNode) || (pre && m.term > term_);
  if (can_vote && log_.IsUpToDate(m.index, m.log_term)) {
    // Answer with the request's term: for a pre-vote it is a term we have not adopted.
    Send(Message{.type = resp, .to = m.from, .term = m.term});
    if (!pre) {
      election_elapsed_ = 0;
      vote_ = m.from;
    }
  } else {
    Send(Message{.type = resp, .to = m.from, .term = term_, .reject = true});
  }
}

void Core::Send(Message m) {
  m.from = id_;
  const bool vote_type = m.type == MessageType::kVote || m.type == MessageType::kVoteResponse ||
                         m.type == MessageType::kPreVote || m.type == MessageType::kPreVoteResponse;
  if (vote_type) {
    STRATA_CHECK_MSG(m.term != 0, "vote messages carry an explicit term");
  } else {
    m.term = term_;
  }
  messages_.push_back(std::move(m));
}

// --- Ready / Advance -----------------------------------------------------------------

HardState Core::CurrentHardState() const { return HardState{term_, vote_, log_.committed()}; }

bool Core::HasReady() const {
  if (ready_outstanding_) return false;
  return CurrentSoftState() != prev_soft_state_ || CurrentHardState() != prev_hard_state_ ||
         !messages_.empty() || !read_states_.empty() || !log_.UnstableEntries().empty() ||
         log_.UnstableSnapshot().has_value() || log_.HasNextCommittedEntries();
}

Ready Core::GetReady() {
  STRATA_CHECK_MSG(!ready_outstanding_, "GetReady called again before Advance");
  Ready rd;
  SoftState soft = CurrentSoftState();
  if (soft != prev_soft_state_) rd.soft_state = prev_soft_state_ = soft;
  HardState hard = CurrentHardState();
  if (hard != prev_hard_state_) {
    rd.must_sync = hard.term != prev_hard_state_.term || hard.vote != prev_hard_state_.vote;
    rd.hard_state = prev_hard_state_ = hard;
  }
  rd.snapshot = log_.UnstableSnapshot();
  rd.entries = log_.UnstableEntries();
  rd.must_sync = rd.must_sync || !rd.entries.empty() || rd.snapshot.has_value();
  rd.messages = std::move(messages_);
  messages_.clear();
  rd.committed_entries = log_.NextCommittedEntries(config_.max_committed_bytes_per_ready);
  rd.read_states = std::move(read_states_);
  read_states_.clear();
  ready_outstanding_ = true;
  return rd;
}

void Core::Advance(const Ready& rd) {
  STRATA_CHECK_MSG(ready_outstanding_, "Advance without GetReady");
  ready_outstanding_ = false;
  if (rd.snapshot) {
    log_.StableSnapshotTo(rd.snapshot->metadata.index);
    log_.AppliedTo(rd.snapshot->metadata.index);
  }
  if (!rd.entries.empty()) log_.StableTo(rd.entries.back().index, rd.entries.back().term);
  if (!rd.committed_entries.empty()) log_.AppliedTo(rd.committed_entries.back().index);
  membership_.CompactTo(log_.FirstIndex() - 1);
  if (role_ == Role::kLeader) {
    // The leader counts itself toward a quorum only for entries it has persisted
    // (fault finding #5: a single node acknowledged writes before fsync).
    if (progress_.at(id_).MaybeUpdate(log_.StableLastIndex()) && MaybeCommit()) BroadcastAppend();
  }
}

}  // namespace strata::raft
