// raft::RaftNode: the driver loop (see raft_node.h and core.h for the contract it keeps).
#include "raft/raft_node.h"

#include <algorithm>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "common/check.h"
#include "io/file_util.h"
#include "io/io.h"
#include "obs/log.h"
#include "raft/disk_log_storage.h"
#include "raft/log_write_health.h"
#include "raft/membership.h"
#include "raft/observer.h"
#include "raft/snapshot_stream.h"
#include "raft/raft_node_impl.h"

namespace strata::raft {


Status RaftNode::Impl::Recover() {
  InitialState init = storage->GetInitialState();
  LogIndex snap_index = init.snapshot.index;
  // A snapshot was installed in the log but the state machine did not get to restore it
  // before a crash: the snapshot directory was put in place first, so restore it now.
  if (sm->applied() < snap_index && snap_index > kBootstrapIndex) {
    std::string path = SnapshotPath(snap_dir, snap_index);
    STRATA_RETURN_IF_ERROR(sm->RestoreSnapshot(path, snap_index));
    obs::Info("raft", "restored state machine from snapshot directory", {{"node", options.id}, {"index", snap_index}});
  }
  if (sm->applied() > init.hard_state.commit && sm->applied() > snap_index) {
    // Committed entries are applied before the Ready's hard state is written (HandleReady),
    // so a crash can leave the state machine ahead of the persisted commit index. Entries
    // are applied only once known committed, and they are in the durable log: raise the
    // persisted commit to match. Beyond the log's end it is real damage.
    if (sm->applied() > storage->LastIndex())
      return Status::Corruption(fmt::format("state machine applied {} beyond the log's last index {}",
                                            sm->applied(), storage->LastIndex()));
    HardState hs = init.hard_state;
    hs.commit = sm->applied();
    STRATA_RETURN_IF_ERROR(storage->Save(&hs, {}));
  }
  last_compacted = storage->FirstIndex() - 1;
  return Status::OK();
}

void RaftNode::Impl::Run() {
  Clock::time_point next_tick = Clock::now() + options.tick_interval;
  while (true) {
    Inbox in;
    {
      std::unique_lock lock(mu);
      Clock::time_point wake = outstanding ? std::min(next_tick, log_health->next_retry()) : next_tick;
      cv.wait_until(lock, wake, [&] { return stop || !inbox.empty(); });
      if (stop) break;
      std::swap(in, inbox);
    }
    Clock::time_point now = Clock::now();
    // A slow fsync may make us late: catch up, but never fire a burst of more than a few
    // ticks (that would turn one stall into an election).
    if (now >= next_tick + 3 * options.tick_interval) next_tick = now;
    while (now >= next_tick) {
      core->Tick();
      next_tick += options.tick_interval;
    }
    for (NodeId to : snapshot_sender->Stalled(now, options.snapshot_ack_timeout))
      EndSnapshotStream(to, false, "no ack within snapshot_ack_timeout");
    for (Message& m : in.messages) StepMessage(m);
    for (const Inbox::ChunkDropped& c : in.chunks_dropped) {
      if (snapshot_sender->Current(c.to, c.generation)) EndSnapshotStream(c.to, false, "chunk dropped");
    }
    for (NodeId peer : in.unreachable) core->ReportUnreachable(peer);
    for (Result<LogIndex>& done : in.compactions_done) OnCompactionDone(std::move(done));
    if (in.compact_now) {
      force_compaction = true;
      MaybeCompact();
    }
    if (!awaiting_leader.empty() && core->leader() != kNoNode) {
      std::deque<Proposal> waited = std::move(awaiting_leader);
      awaiting_leader.clear();
      for (Proposal& p : waited) HandleProposal(std::move(p));
    }
    for (Proposal& p : in.proposals) HandleProposal(std::move(p));
    for (ConfChangeRequest& r : in.conf_changes) HandleConfChange(std::move(r));
    for (TransferRequest& r : in.transfers) r.done(core->TransferLeader(r.target));
    for (ReadRequest& r : in.reads) HandleRead(std::move(r));
    ExpireWaits(now);
    if (outstanding && Clock::now() >= log_health->next_retry()) FinishReady();
    while (!outstanding && core->HasReady()) HandleReady();
    PublishInfo();
  }
  FailPending("node stopped", /*forwarded_too=*/true);
}

void RaftNode::Impl::PushMessage(Message m) {
  uint64_t bytes = InboxBytes(m);
  {
    std::lock_guard lock(mu);
    if (inbox.messages.size() >= options.max_inbox_messages ||
        inbox.message_bytes + bytes > options.max_inbox_message_bytes) {
      // The driver is behind (a slow disk, a stall): dropping is safe, Raft resends.
      inbox_messages_dropped.fetch_add(1, std::memory_order_relaxed);
      inbox_dropped->Inc();
      return;
    }
    inbox.message_bytes += bytes;
    inbox.messages.push_back(std::move(m));
  }
  cv.notify_one();
}

void RaftNode::Impl::HandleProposal(Proposal p) {
  if (!log_health->healthy()) {
    // Nothing reaches the core while the log cannot be written: a refused proposal is
    // definitely not committed (raft_node.h, "Disk errors").
    proposals_refused_disk->Inc();
    p.done(log_health->Refusal());
    return;
  }
  if (p.data.size() > kMaxEntryDataBytes) {
    // Refused before the core: an entry the log cannot hold in one batch must never reach
    // a Ready that would then fail to persist forever.
    p.done(Status::ResourceExhausted(fmt::format("a Raft entry of {} bytes exceeds the limit of {} bytes",
                                                 p.data.size(), kMaxEntryDataBytes)));
    return;
  }
  if (core->role() != Role::kLeader) {
    if (options.forward_proposals && core->leader() != kNoNode) {
      ForwardProposal(std::move(p));
    } else if (options.forward_proposals && awaiting_leader.size() < kMaxAwaitingLeader) {
      awaiting_leader.push_back(std::move(p));  // an election is running: wait for its leader
    } else {
      p.done(Status::Unavailable(fmt::format("not leader; leader={}", core->leader())));
    }
    return;
  }
  Result<LogIndex> index = core->Propose(std::move(p.data));
  if (!index.ok()) {
    p.done(index.status());
    return;
  }
  if (p.appended) p.appended(*index);
  TrackPending(*index, core->term(), Pending{core->term(), std::move(p.done), p.start});
}

void RaftNode::Impl::HandleReady() {
  STRATA_CHECK(!outstanding);
  Outstanding o;
  o.rd = core->GetReady();
  if (!o.rd.read_states.empty()) OnReadStates(o.rd.read_states);
  // Raft thesis §10.2.1: a leader's appends may go out while its own disk write runs.
  for (Message& m : o.rd.messages) {
    if (MayBeSentEarly(m)) SendMessage(std::move(m)); else o.after_persist.push_back(std::move(m));
  }
  o.rd.messages.clear();
  // Committed entries are already durable (core.h), so they are applied before this
  // Ready's new entries are written: a commit is acknowledged after its own fsync, not
  // after the fsync of the batch that arrived behind it. With a snapshot in the Ready the
  // order stays snapshot → entries → apply.
  o.applied_early = !o.rd.snapshot.has_value();
  // Installing a snapshot replaces the state machine's contents and the snapshot
  // directories: not while the compaction worker reads them.
  if (o.rd.snapshot) WaitCompactorIdle();
  if (o.applied_early) ApplyCommitted(o.rd.committed_entries);
  outstanding = std::move(o);
  FinishReady();
}

// Persists the outstanding Ready and finishes it; after a failure it leaves it outstanding
// for the next attempt (Run retries once log_health->next_retry() has passed).
void RaftNode::Impl::FinishReady() {
  STRATA_CHECK(outstanding.has_value());
  Outstanding& o = *outstanding;
  Clock::time_point t0 = Clock::now();
  Status s = PersistReady(o);
  if (!s.ok()) {
    // Pending proposals keep waiting: their entries are in the outstanding Ready and commit
    // once it is durable. New ones are refused (HandleProposal).
    log_health->OnFailure(s, t0);
    return;
  }
  log_health->OnSuccess();
  if (o.rd.hard_state || !o.rd.entries.empty())
    observer->ObserveAppendLatency(std::chrono::duration<double>(Clock::now() - t0).count());
  for (Message& m : o.after_persist) SendMessage(std::move(m));
  if (o.rd.snapshot) {
    LogIndex index = o.rd.snapshot->metadata.index;
    s = sm->RestoreSnapshot(SnapshotPath(snap_dir, index), index);
    STRATA_CHECK_MSG(s.ok(), s.ToString().c_str());
    // Proposals whose entries the snapshot covers will never be applied here one by one:
    // whether they committed is not known to this node.
    while (!pending.empty() && pending.begin()->first <= index) {
      Pending p = std::move(pending.begin()->second);
      pending.erase(pending.begin());
      p.done(Status::Unavailable("a snapshot replaced the log past this proposal; outcome unknown"));
    }
    std::lock_guard lock(info_mu);
    info.snapshots_installed++;
    info.last_snapshot_installed = index;
    obs::Info("raft", "installed snapshot", {{"node", options.id}, {"index", index}, {"term", o.rd.snapshot->metadata.term}});
  }
  if (!o.applied_early) ApplyCommitted(o.rd.committed_entries);
  // Leadership lost: proposals still in the log have an unknown outcome from here on.
  if (o.rd.soft_state && o.rd.soft_state->role != Role::kLeader)
    FailPending("leadership lost; outcome unknown", /*forwarded_too=*/false);
  if (o.rd.soft_state && o.rd.soft_state->leader != last_leader) OnLeaderChange(o.rd.soft_state->leader);
  core->Advance(o.rd);
  ResolveReads();
  outstanding.reset();
  observer->Observe(*core);
  MaybeCompact();
}

Status RaftNode::Impl::PersistReady(Outstanding& o) {
  if (o.rd.snapshot && !o.snapshot_marked) STRATA_RETURN_IF_ERROR(PersistSnapshot(o));
  if (!o.rd.hard_state && o.rd.entries.empty()) return Status::OK();
  // A retry writes the whole batch again at the same position (DiskLogStorage::Save
  // advances only after the sync succeeded), so a page dropped by a failed fsync is
  // rewritten rather than trusted.
  return storage->Save(o.rd.hard_state ? &*o.rd.hard_state : nullptr, o.rd.entries);
}

Status RaftNode::Impl::PersistSnapshot(Outstanding& o) {
  // snap.data is the path of the streamed directory, every file and the directory itself
  // already durable (SnapshotReceiver). It is renamed into place first, then the log mark is
  // written: recovery finds the directory for any mark it sees. Each step is done once;
  // a retry after a failure resumes at the step that failed.
  const Snapshot& snap = *o.rd.snapshot;
  std::string path = SnapshotPath(snap_dir, snap.metadata.index);
  if (!o.snapshot_in_place) {
    STRATA_RETURN_IF_ERROR(io::RemoveAll(path));  // a leftover of an earlier attempt at this index
    STRATA_RETURN_IF_ERROR(io::RenameFile(snap.data, path));
    o.snapshot_in_place = true;
  }
  STRATA_RETURN_IF_ERROR(io::SyncDirectory(snap_dir));
  STRATA_RETURN_IF_ERROR(storage->ApplySnapshot(snap.metadata));
  o.snapshot_marked = true;
  RemoveOtherSnapshots(path);  // the mark no longer references them
  last_compacted = snap.metadata.index;
  return Status::OK();
}

void RaftNode::Impl::StepMessage(const Message& m) {
  if (m.type == MessageType::kForwardPropose) return OnForwardPropose(m);
  if (m.type == MessageType::kForwardProposeResponse) return OnForwardProposeResponse(m);
  if (m.type == MessageType::kSnapshot) {
    // Snapshot messages are the driver's: acks go to the sender, chunks to the receiver;
    // only a complete, durable stream reaches the core.
    if (DecodeSnapshotAck(m.context)) OnSnapshotAck(m); else OnSnapshotChunk(m);
    return;
  }
  Status s = core->Step(m);
  if (!s.ok()) obs::Debug("raft", "step refused a message", {{"node", options.id}, {"error", s.ToString()}});
  if (s.ok() && m.from == core->leader() && (m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat))
    leader_contact_ns.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
}

void RaftNode::Impl::ApplyCommitted(const std::vector<Entry>& entries) {
  bool applied_any = false;
  for (const Entry& e : entries) {
    Result<Bytes> result = Bytes();
    // Entries at or below applied() were applied before a restart (the replay of D1).
    if (e.type == EntryType::kNormal && e.index > sm->applied()) {
      result = sm->Apply(e.index, e.data);
      STRATA_CHECK_MSG(result.ok(), result.status().ToString().c_str());
      applied_any = true;
    } else if (e.type == EntryType::kConfChange) {
      std::optional<ConfChange> cc = DecodeConfChange(e.data);  // the core decoded it when appended
      STRATA_CHECK_MSG(cc.has_value(), "corrupt configuration entry");
      Status s = sm->ApplyConfChange(e.index, *cc);
      STRATA_CHECK_MSG(s.ok(), s.ToString().c_str());
    }
    auto it = pending.find(e.index);
    if (it == pending.end()) continue;
    Pending p = std::move(it->second);
    pending.erase(it);
    observer->ObserveCommitLatency(std::chrono::duration<double>(Clock::now() - p.start).count());
    if (p.term == e.term) {
      p.done(std::move(result));
    } else {
      // Another leader's entry took this index: ours was definitely not committed.
      p.done(Status::Aborted("proposal overwritten by a new leader"));
    }
  }
  if (applied_any) {
    Status s = sm->Sync();
    STRATA_CHECK_MSG(s.ok(), s.ToString().c_str());
  }
}

void RaftNode::Impl::FailPending(const std::string& why, bool forwarded_too) {
  std::vector<Pending> failed;
  for (auto it = pending.begin(); it != pending.end();) {
    if (forwarded_too || !it->second.forwarded) {
      failed.push_back(std::move(it->second));
      it = pending.erase(it);
    } else {
      ++it;
    }
  }
  if (forwarded_too) {
    for (Proposal& p : awaiting_leader) p.done(Status::Unavailable(fmt::format("not leader; leader=0 ({})", why)));
    awaiting_leader.clear();
    for (auto& [id, f] : forwarded) failed.push_back(Pending{0, std::move(f.done), f.start});
    forwarded.clear();
    for (auto& [ctx, r] : reads_asked) r.done(Status::Unavailable(why));
    for (auto& [index, r] : reads_answered) r.done(Status::Unavailable(why));
    reads_asked.clear();
    reads_answered.clear();
  }
  for (Pending& p : failed) p.done(Status::Unavailable(why));
}

void RaftNode::Impl::PublishInfo() {
  std::lock_guard lock(info_mu);
  info.id = options.id;
  info.term = core->term();
  info.role = core->role();
  info.leader = core->leader();
  info.commit = core->log().committed();
  info.applied = sm->applied();
  info.first_index = storage->FirstIndex();
  info.last_index = storage->LastIndex();
  info.snapshot_bytes_sent = snapshot_sender->bytes_sent();
  info.snapshots_sending = snapshot_sender->Transfers();
  info.snapshot_receiving = snapshot_receiver->Transfer();
  info.lease_reads = core->counters().lease_reads;
  info.log_write_error = log_health->healthy() ? std::string() : log_health->error().ToString();
  info.log_disk_full = log_health->error().code() == StatusCode::kNoSpace;
  info.inbox_messages_dropped = inbox_messages_dropped.load(std::memory_order_relaxed);
  info.log_cached_bytes = storage->cached_bytes();
  info.log_disk_reads = storage->disk_reads();
  info.conf = core->conf();
  // A leader is its own leader contact: once deposed (check-quorum on an isolated leader),
  // its data is as current as its last moment as leader, not "never heard from a leader".
  if (info.role == Role::kLeader)
    leader_contact_ns.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  sole_voter_leader.store(core->role() == Role::kLeader && info.conf.voters.size() == 1, std::memory_order_release);
  info.match.clear();
  if (core->role() == Role::kLeader) {
    for (const auto& [id, pr] : core->progress()) info.match[id] = pr.match;
  }
}

Result<std::unique_ptr<RaftNode>> RaftNode::Start(const RaftNodeOptions& options, StateMachine* sm) {
  STRATA_CHECK(options.id != kNoNode && sm != nullptr && options.scheduler != nullptr);
  if (!options.peers.count(options.id))
    return Status::InvalidArgument(fmt::format("node {} is not in its peer list", options.id));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->sm = sm;
  impl->snap_dir = options.data_dir + "/snap";
  STRATA_RETURN_IF_ERROR(io::CreateDir(options.data_dir + "/raft"));
  STRATA_RETURN_IF_ERROR(io::CreateDir(impl->snap_dir));
  // The new directories' entries must be durable before anything in them is trusted.
  STRATA_RETURN_IF_ERROR(io::SyncDirectory(options.data_dir));

  ConfState bootstrap;
  for (const auto& [id, address] : options.peers) bootstrap.voters.push_back(id);  // map: sorted
  STRATA_ASSIGN_OR_RETURN(impl->storage,
                          DiskLogStorage::Open({.dir = options.data_dir + "/raft", .scheduler = options.scheduler,
                                                .direct_io = options.direct_io,
                                                .cache_bytes = options.log_cache_bytes},
                                               options.bootstrap ? bootstrap : ConfState{}));
  STRATA_RETURN_IF_ERROR(impl->Recover());

  CoreConfig config;
  config.id = options.id;
  config.election_tick = options.election_tick;
  config.heartbeat_tick = options.heartbeat_tick;
  config.lease_reads = options.lease_reads;
  config.lease_drift_ticks = options.lease_drift_ticks;
  // Leases in real time: the driver skips ticks after a stall (Run), which must not
  // stretch a lease across a SIGSTOP. Starts at 1 (0 means "no acknowledgement").
  config.lease_clock = [epoch = Clock::now(), interval = options.tick_interval] {
    return 1 + static_cast<uint64_t>((Clock::now() - epoch) / interval);
  };
  config.applied = sm->applied();  // RaftLog raises it to the log's start when below
  config.rng_seed = options.rng_seed ? options.rng_seed
                                     : options.id * 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(Clock::now().time_since_epoch().count());
  impl->core = std::make_unique<Core>(config, impl->storage.get());
  obs::Registry& registry = options.registry ? *options.registry : obs::Registry::Default();
  impl->observer = std::make_unique<RaftObserver>(registry, options.id);
  impl->log_health = std::make_unique<LogWriteHealth>(registry, options.id, options.data_dir + "/raft",
                                                      options.persist_retry_initial, options.persist_retry_max);
  impl->inbox_dropped = &registry.AddCounter("stratadb_raft_inbox_dropped_messages_total",
                                             "Inbound Raft messages dropped because the driver's inbox was full");
  auto& refused = registry.AddCounterFamily("stratadb_raft_proposals_refused_total",
                                            "Proposals refused before reaching the log, by reason", {"reason"});
  impl->proposals_refused_busy = &refused.With({"busy"});
  impl->proposals_refused_disk = &refused.With({"disk"});
  impl->snapshot_sender = std::make_unique<SnapshotSender>(options.scheduler, options.snapshot_chunk_bytes);
  impl->snapshot_receiver = std::make_unique<SnapshotReceiver>(options.scheduler, impl->snap_dir);
  impl->snapshot_receiver->DropPartials();  // partial streams do not survive a restart

  TransportOptions topts;
  topts.self = options.id;
  topts.cluster_id = options.cluster_id;
  STRATA_ASSIGN_OR_RETURN(auto self_address, ParseHostPort(options.peers.at(options.id)));
  topts.listen_host = self_address.first;
  topts.listen_port = self_address.second;
  topts.peers = options.peers;
  topts.registry = &registry;
  Impl* raw = impl.get();
  STRATA_ASSIGN_OR_RETURN(impl->transport, Transport::Start(topts, [raw](Message m) {
    raw->PushMessage(std::move(m));
  }, [raw](NodeId peer) {
    raw->Push([peer](Impl::Inbox& in) {  // once per peer per turn: bounded by the peer count
      if (std::find(in.unreachable.begin(), in.unreachable.end(), peer) == in.unreachable.end())
        in.unreachable.push_back(peer);
    });
  }));
  impl->PublishInfo();
  impl->compactor = std::thread([raw] { raw->CompactorLoop(); });
  impl->thread = std::thread([raw] { raw->Run(); });
  obs::Info("raft", "node started", {{"node", options.id}, {"applied", sm->applied()},
                                     {"first_index", impl->storage->FirstIndex()}, {"last_index", impl->storage->LastIndex()}});
  return std::unique_ptr<RaftNode>(new RaftNode(std::move(impl)));
}

RaftNode::RaftNode(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RaftNode::~RaftNode() { Stop(); }

void RaftNode::Stop() {
  if (impl_->stopped.exchange(true)) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->cv.notify_one();
  impl_->thread.join();
  {
    std::lock_guard lock(impl_->compactor_mu);
    impl_->compactor_stop = true;
  }
  impl_->compactor_cv.notify_all();
  impl_->compactor.join();
  impl_->transport->Stop();
  // Proposals that arrived after the driver's last turn (`stop` is set: no more arrive).
  Impl::Inbox rest;
  {
    std::lock_guard lock(impl_->mu);
    std::swap(rest, impl_->inbox);
  }
  for (auto& p : rest.proposals) p.done(Status::Unavailable("node stopped"));
}

void RaftNode::RequestCompaction() {
  impl_->Push([](Impl::Inbox& in) { in.compact_now = true; });
}

void RaftNode::Propose(Bytes data, ProposeCallback done) { Propose(std::move(data), std::move(done), nullptr); }

void RaftNode::Propose(Bytes data, ProposeCallback done, std::function<void(LogIndex)> appended) {
  Status refused;
  {
    // Checked under the inbox lock: a proposal either reaches the inbox before Stop()
    // drains it, or is refused here — none is left waiting forever.
    std::lock_guard lock(impl_->mu);
    Impl::Inbox& in = impl_->inbox;
    if (impl_->stop) {
      refused = Status::Unavailable("node stopped");
    } else if (!in.proposals.empty() && (in.proposals.size() >= impl_->options.max_inbox_proposals ||
                                         in.proposal_bytes + data.size() > impl_->options.max_inbox_proposal_bytes)) {
      refused = Status::Busy(fmt::format(
          "Raft proposal queue is full ({} proposals, {} bytes; max_inbox_proposals={}, max_inbox_proposal_bytes={}); "
          "nothing was proposed", in.proposals.size(), in.proposal_bytes, impl_->options.max_inbox_proposals,
          impl_->options.max_inbox_proposal_bytes));
      impl_->proposals_refused_busy->Inc();
    } else {
      in.proposal_bytes += data.size();
      in.proposals.push_back(Impl::Proposal{std::move(data), std::move(done), Clock::now(), std::move(appended)});
      done = nullptr;
    }
  }
  if (done) {
    done(std::move(refused));
    return;
  }
  impl_->cv.notify_one();
}

Result<Bytes> RaftNode::ProposeAndWait(Bytes data) {
  auto promise = std::make_shared<std::promise<Result<Bytes>>>();
  std::future<Result<Bytes>> future = promise->get_future();
  Propose(std::move(data), [promise](Result<Bytes> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(impl_->options.propose_timeout) != std::future_status::ready)
    return Status::TimedOut(fmt::format("proposal not applied within {} ms; outcome unknown",
                                        impl_->options.propose_timeout.count()));
  return future.get();
}

RaftNodeInfo RaftNode::info() const {
  std::lock_guard lock(impl_->info_mu);
  return impl_->info;
}

uint16_t RaftNode::raft_port() const { return impl_->transport->port(); }
Transport& RaftNode::transport() { return *impl_->transport; }

}  // namespace strata::raft
