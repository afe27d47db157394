// raft::RaftNode's cluster operations (see raft_node.h): proposals forwarded from a
// follower to the leader, membership changes, leadership transfer and ReadIndex reads.
// Everything here runs on the driver thread except the public entry points, which hand
// their request to it through the inbox.
#include <future>
#include <thread>

#include <fmt/format.h>

#include "common/coding.h"
#include "obs/log.h"
#include "raft/raft_node_impl.h"

namespace strata::raft {

namespace {

Bytes RequestId(uint64_t id) {
  Bytes b;
  PutFixed64(&b, id);
  return b;
}

std::optional<uint64_t> DecodeRequestId(const Bytes& b) {
  if (b.size() != 8) return std::nullopt;
  return DecodeFixed64(b.data());
}

// Waits on the calling thread for a callback the driver fires.
template <typename T>
Result<T> Await(std::future<Result<T>>& future, std::chrono::milliseconds timeout, const char* what) {
  if (future.wait_for(timeout) != std::future_status::ready)
    return Status::TimedOut(fmt::format("{} not answered within {} ms", what, timeout.count()));
  return future.get();
}

}  // namespace

// --- forwarding: follower side ----------------------------------------------------------

void RaftNode::Impl::ForwardProposal(Proposal p) {
  uint64_t id = next_request_id++;
  Message m{.type = MessageType::kForwardPropose, .from = options.id, .to = core->leader(), .context = RequestId(id)};
  m.entries.push_back(Entry{0, 0, EntryType::kNormal, std::move(p.data)});
  forwarded.emplace(id, Forwarded{std::move(p.done), std::move(p.appended), p.start, m.to});
  {
    std::lock_guard lock(info_mu);
    info.proposals_forwarded++;
  }
  transport->Send(m);
}

void RaftNode::Impl::OnForwardProposeResponse(const Message& m) {
  std::optional<uint64_t> id = DecodeRequestId(m.context);
  if (!id) return;
  auto it = forwarded.find(*id);
  if (it == forwarded.end()) return;  // expired meanwhile: the proposer was told "unknown"
  Forwarded f = std::move(it->second);
  forwarded.erase(it);
  if (m.reject) {
    // The node asked was not leader (any more): nothing was appended.
    f.done(Status::Unavailable(fmt::format("not leader; leader={}", m.reject_hint)));
    return;
  }
  if (f.appended) f.appended(m.index);
  if (m.index <= core->log().applied()) {
    // Already applied here before the answer came (a slow answer): its fate is in the log,
    // but the result was not kept. Safe to say only that the outcome is unknown.
    f.done(Status::Unavailable("forwarded proposal applied before the leader's answer; outcome unknown"));
    return;
  }
  TrackPending(m.index, m.log_term, Pending{m.log_term, std::move(f.done), f.start, /*forwarded=*/true});
}

void RaftNode::Impl::TrackPending(LogIndex index, Term term, Pending p) {
  auto it = pending.find(index);
  if (it != pending.end()) {
    if (it->second.term >= term) {
      // Raft never gives one index to two proposals of the same or an older term: an answer
      // that does is wrong (a faulty peer). Keep what we had; say nothing certain of this one.
      obs::Warn("raft", "conflicting answer for a pending index; ignored",
                {{"node", options.id}, {"index", index}, {"term", term}, {"pending_term", it->second.term}});
      p.done(Status::Unavailable("conflicting answer for its log index; outcome unknown"));
      return;
    }
    // The same index again, from a later leader: the earlier entry there was overwritten
    // (a committed entry is never replaced), so that proposal definitely did not commit.
    Pending old = std::move(it->second);
    pending.erase(it);
    old.done(Status::Aborted("proposal overwritten by a new leader"));
  }
  pending.emplace(index, std::move(p));
}

// --- forwarding: leader side ------------------------------------------------------------

void RaftNode::Impl::OnForwardPropose(const Message& m) {
  Message resp{.type = MessageType::kForwardProposeResponse, .from = options.id, .to = m.from, .context = m.context};
  if (m.entries.size() != 1 || !DecodeRequestId(m.context)) return;  // malformed: the sender times out
  Status refused;
  if (!log_health->healthy()) refused = log_health->Refusal();
  if (core->role() != Role::kLeader) refused = Status::Unavailable("not leader");
  if (m.entries[0].data.size() > kMaxEntryDataBytes) refused = Status::ResourceExhausted("entry too large");
  Result<LogIndex> index = refused.ok() ? core->Propose(m.entries[0].data) : Result<LogIndex>(refused);
  if (!index.ok()) {
    // Nothing was appended: the follower may say so (it retries on the leader it names).
    resp.reject = true;
    resp.reject_hint = core->role() == Role::kLeader ? options.id : core->leader();
  } else {
    resp.index = *index;
    resp.log_term = core->term();
  }
  transport->Send(resp);
}

// --- membership, transfer ---------------------------------------------------------------

void RaftNode::Impl::HandleConfChange(ConfChangeRequest r) {
  if (core->role() != Role::kLeader) {
    r.done(Status::Unavailable(fmt::format("not leader; leader={}", core->leader())));
    return;
  }
  Result<LogIndex> index = core->ProposeConfChange(r.cc);
  if (!index.ok()) {
    r.done(index.status());
    return;
  }
  obs::Info("raft", "membership change proposed",
            {{"node", options.id}, {"index", *index}, {"change", static_cast<int64_t>(r.cc.type)},
             {"member", r.cc.node_id}});
  TrackPending(*index, core->term(), Pending{core->term(), std::move(r.done), Clock::now()});
}

// --- ReadIndex --------------------------------------------------------------------------

void RaftNode::Impl::HandleRead(ReadRequest r) {
  uint64_t ctx = next_request_id++;
  Status s = core->ReadIndex(RequestId(ctx), r.lease);
  if (!s.ok()) {
    r.done(s);
    return;
  }
  reads_asked.emplace(ctx, std::move(r));
}

void RaftNode::Impl::OnReadStates(const std::vector<ReadState>& states) {
  for (const ReadState& rs : states) {
    std::optional<uint64_t> ctx = DecodeRequestId(rs.context);
    if (!ctx) continue;
    auto it = reads_asked.find(*ctx);
    if (it == reads_asked.end()) continue;
    reads_answered.emplace(rs.index, std::move(it->second));
    reads_asked.erase(it);
  }
}

void RaftNode::Impl::ResolveReads() {
  LogIndex applied = core->log().applied();
  while (!reads_answered.empty() && reads_answered.begin()->first <= applied) {
    auto node = reads_answered.extract(reads_answered.begin());
    node.mapped().done(node.key());
  }
}

// --- housekeeping -----------------------------------------------------------------------

void RaftNode::Impl::ExpireWaits(Clock::time_point now) {
  // Answers that never came (a leader that died, a lost message): the waiting caller gave
  // up after propose_timeout already; drop what it waited on.
  const auto limit = options.propose_timeout;
  while (!awaiting_leader.empty() && now - awaiting_leader.front().start >= options.leader_wait) {
    awaiting_leader.front().done(Status::Unavailable(
        fmt::format("not leader; leader=0 (no leader elected within {} ms)", options.leader_wait.count())));
    awaiting_leader.pop_front();
  }
  for (auto it = forwarded.begin(); it != forwarded.end();) {
    if (now - it->second.start < limit) {
      ++it;
      continue;
    }
    it->second.done(Status::Unavailable("forwarded to the leader, no answer; outcome unknown"));
    it = forwarded.erase(it);
  }
  for (auto it = reads_asked.begin(); it != reads_asked.end();) {
    if (now - it->second.start < limit) {
      ++it;
      continue;
    }
    it->second.done(Status::TimedOut("read index not answered"));
    it = reads_asked.erase(it);
  }
}

void RaftNode::Impl::OnLeaderChange(NodeId leader) {
  obs::Info("raft", "leader changed", {{"node", options.id}, {"from", last_leader}, {"to", leader}});
  last_leader = leader;
  {
    std::lock_guard lock(info_mu);
    info.leader_changes++;
  }
  // Forwarded proposals not yet answered may or may not have been appended by the old
  // leader: their outcome is unknown. Those already answered stay pending (the index and
  // term settle them as this node applies).
  // (Those sent to the new leader itself — this node heard of it before the Ready said so —
  // are still good.)
  for (auto it = forwarded.begin(); it != forwarded.end();) {
    if (it->second.to == leader) {
      ++it;
      continue;
    }
    it->second.done(Status::Unavailable("leader changed before it answered; outcome unknown"));
    it = forwarded.erase(it);
  }
  // Reads the old leader did not answer: the caller asks again (the new leader's answer
  // is as good), rather than wait out its timeout.
  for (auto& [ctx, r] : reads_asked) r.done(Status::Unavailable("leader changed; ask again"));
  reads_asked.clear();
}

// --- public entry points ----------------------------------------------------------------

void RaftNode::ProposeConfChange(ConfChange cc, ProposeCallback done) {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->stop) {
      impl_->inbox.conf_changes.push_back({std::move(cc), std::move(done)});
      done = nullptr;
    }
  }
  if (done) {
    done(Status::Unavailable("node stopped"));
    return;
  }
  impl_->cv.notify_one();
}

Result<Bytes> RaftNode::ConfChangeAndWait(ConfChange cc) {
  auto promise = std::make_shared<std::promise<Result<Bytes>>>();
  auto future = promise->get_future();
  ProposeConfChange(std::move(cc), [promise](Result<Bytes> r) { promise->set_value(std::move(r)); });
  return Await(future, impl_->options.propose_timeout, "membership change");
}

Status RaftNode::TransferLeader(NodeId target) {
  auto promise = std::make_shared<std::promise<Result<bool>>>();
  auto future = promise->get_future();
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stop) return Status::Unavailable("node stopped");
    impl_->inbox.transfers.push_back({target, [promise](Status s) {
                                        promise->set_value(s.ok() ? Result<bool>(true) : Result<bool>(s));
                                      }});
  }
  impl_->cv.notify_one();
  return Await(future, impl_->options.propose_timeout, "leadership transfer").status();
}

Result<LogIndex> RaftNode::ReadIndex(std::chrono::milliseconds timeout, bool lease) {
  // Asked again while the leader changes or none is known yet (an election is running):
  // any leader's answer is as good. Gives up at `timeout`.
  auto deadline = Clock::now() + timeout;
  while (true) {
    auto promise = std::make_shared<std::promise<Result<LogIndex>>>();
    auto future = promise->get_future();
    {
      std::lock_guard lock(impl_->mu);
      if (impl_->stop) return Status::Unavailable("node stopped");
      impl_->inbox.reads.push_back(
          {[promise](Result<LogIndex> r) { promise->set_value(std::move(r)); }, Clock::now(), lease});
    }
    impl_->cv.notify_one();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Result<LogIndex> r = Await(future, std::max(left, std::chrono::milliseconds(1)), "read index");
    if (r.ok() || r.status().code() != StatusCode::kUnavailable || Clock::now() >= deadline) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool RaftNode::IsSoleVoterLeader() const { return impl_->sole_voter_leader.load(std::memory_order_acquire); }

std::chrono::milliseconds RaftNode::LeaderContactAge() const {
  {
    std::lock_guard lock(impl_->info_mu);
    if (impl_->info.role == Role::kLeader) return std::chrono::milliseconds(0);
  }
  int64_t at = impl_->leader_contact_ns.load(std::memory_order_relaxed);
  if (at == 0) return std::chrono::hours(24);
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch() -
                                                               Clock::duration(at));
}

Status RaftNode::SetPeerAddress(NodeId id, std::string_view address) {
  return impl_->transport->SetPeerAddress(id, address);
}

}  // namespace strata::raft
