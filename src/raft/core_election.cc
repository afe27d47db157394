// raft::Core: elections — pre-vote (thesis §9.6), vote counting (§5.2), TimeoutNow.
#include "common/check.h"
#include "raft/core.h"
#include "raft/quorum.h"

namespace strata::raft {

namespace {
constexpr std::string_view kTransferContext = "transfer";
}  // namespace

void Core::Campaign() { Hup(/*transfer=*/false); }

void Core::Hup(bool transfer) {
  if (role_ == Role::kLeader || !Promotable()) return;
  counters_.elections_started++;
  StartCampaign(config_.pre_vote && !transfer, transfer);
}

void Core::StartCampaign(bool pre_vote, bool transfer) {
  Term vote_term;
  if (pre_vote) {
    BecomePreCandidate();
    vote_term = term_ + 1;  // the term we would campaign in; not adopted yet
  } else {
    BecomeCandidate();
    vote_term = term_;
  }
  if (Poll(id_, true) == VoteResult::kWon) {  // a single-voter cluster
    if (pre_vote) {
      StartCampaign(false, transfer);
    } else {
      BecomeLeader();
    }
    return;
  }
  for (NodeId voter : conf().voters) {
    if (voter == id_) continue;
    Message m{.type = pre_vote ? MessageType::kPreVote : MessageType::kVote,
              .to = voter,
              .term = vote_term,
              .log_term = log_.LastTerm(),
              .index = log_.LastIndex()};
    if (transfer) m.context = Bytes(kTransferContext);
    Send(std::move(m));
  }
}

VoteResult Core::Poll(NodeId id, bool granted) {
  votes_.emplace(id, granted);  // the first answer from a node counts; duplicates do not
  return TallyVotes(conf().voters, votes_);
}

void Core::StepCandidate(const Message& m) {
  const MessageType my_response =
      role_ == Role::kPreCandidate ? MessageType::kPreVoteResponse : MessageType::kVoteResponse;
  switch (m.type) {
    case MessageType::kAppend:
      BecomeFollower(m.term, m.from);  // a leader of our term exists: it won
      HandleAppend(m);
      return;
    case MessageType::kHeartbeat:
      BecomeFollower(m.term, m.from);
      HandleHeartbeat(m);
      return;
    case MessageType::kSnapshot:
      BecomeFollower(m.term, m.from);
      HandleSnapshot(m);
      return;
    default:
      break;
  }
  if (m.type != my_response) return;  // stale responses of another round
  switch (Poll(m.from, !m.reject)) {
    case VoteResult::kWon:
      if (role_ == Role::kPreCandidate) {
        StartCampaign(/*pre_vote=*/false, /*transfer=*/false);
      } else {
        BecomeLeader();
        BroadcastAppend();
      }
      break;
    case VoteResult::kLost:
      // A rejected pre-vote may carry our own term; in either case we step back.
      BecomeFollower(term_, kNoNode);
      break;
    case VoteResult::kPending:
      break;
  }
}

}  // namespace strata::raft
