// raft::RaftNode: snapshot streaming to and from peers, and the log-compaction worker that
// writes the state machine's snapshot beside the driver thread (raft_node.h).
#include <filesystem>

#include "common/check.h"
#include "io/file_util.h"
#include "io/io.h"
#include "obs/log.h"
#include "raft/raft_node_impl.h"

namespace strata::raft {

void RaftNode::Impl::OnSnapshotChunk(const Message& m) {
  // A deposed leader's chunk must not replace the partial of the current leader's stream.
  if (m.term < core->term()) return;
  Result<SnapshotReceiver::Outcome> out = snapshot_receiver->OnChunk(m);
  if (!out.ok()) {
    obs::Warn("raft", "snapshot chunk refused", {{"node", options.id}, {"from", m.from}, {"error", out.status().ToString()}});
    return;
  }
  transport->Send(out->ack);
  if (!out->complete) return;
  obs::Info("raft", "received snapshot", {{"node", options.id}, {"from", m.from}, {"index", m.snapshot->metadata.index}});
  Status s = core->Step(*out->complete);
  if (!s.ok()) obs::Debug("raft", "step refused a message", {{"node", options.id}, {"error", s.ToString()}});
}

void RaftNode::Impl::OnSnapshotAck(const Message& ack) {
  bool complete = false;
  if (!snapshot_sender->OnAck(ack, &complete)) return;  // not the live stream's answer
  if (complete) {
    EndSnapshotStream(ack.from, true, "complete");
    return;
  }
  SendNextChunk(ack.from, snapshot_sender->generation(ack.from));
}

void RaftNode::Impl::EndSnapshotStream(NodeId to, bool ok, const char* why) {
  // Every stream's end is reported, success included (core.h, ReportSnapshot). A failed
  // stream resumes from the receiver's last ack when the core sends the snapshot again.
  snapshot_sender->End(to);
  core->ReportSnapshot(to, ok);
  if (!ok) obs::Info("raft", "snapshot stream interrupted", {{"node", options.id}, {"to", to}, {"reason", why}});
}

void RaftNode::Impl::SendMessage(Message m) {
  if (m.type != MessageType::kSnapshot) {
    transport->Send(m);
    return;
  }
  // The core's snapshot carries metadata only: stream the snapshot directory for its index.
  NodeId to = m.to;
  LogIndex index = m.snapshot->metadata.index;
  Result<uint64_t> generation = snapshot_sender->Begin(m, SnapshotPath(snap_dir, index));
  if (!generation.ok()) {
    // No directory for the log's start: it is the bootstrap state (a founding member that
    // never compacted; a new member needs it) or was lost. Take a snapshot now: once the log
    // is compacted to it, the core sends that one instead.
    if (!compaction_in_flight) {
      obs::Info("raft", "no snapshot directory to send; taking one", {{"node", options.id}, {"index", index},
                                                                        {"to", to}, {"error", generation.status().ToString()}});
    }
    force_compaction = true;
    core->ReportSnapshot(to, false);
    return;
  }
  obs::Info("raft", "sending snapshot", {{"node", options.id}, {"to", to}, {"index", index}});
  SendNextChunk(to, *generation);
}

void RaftNode::Impl::SendNextChunk(NodeId to, uint64_t generation) {
  Result<Message> chunk = snapshot_sender->NextChunk(to, Clock::now());
  if (!chunk.ok()) {
    obs::Warn("raft", "reading snapshot chunk failed", {{"node", options.id}, {"error", chunk.status().ToString()}});
    EndSnapshotStream(to, false, "read failed");
    return;
  }
  // One chunk in flight: the next is read when the receiver's ack arrives. A chunk the
  // transport drops ends the stream at once; a lost ack ends it after snapshot_ack_timeout.
  transport->Send(*chunk, [this, to, generation](bool written) {
    if (!written) Push([&](Inbox& in) { in.chunks_dropped.push_back({to, generation}); });
  });
}

void RaftNode::Impl::MaybeCompact() {
  if (compaction_in_flight || sm->applied() <= last_compacted) return;
  bool by_count = options.compact_every != 0 && sm->applied() >= last_compacted + options.compact_every;
  bool by_bytes = options.compact_bytes != 0 &&
                  storage->bytes_written() >= log_bytes_at_compaction + options.compact_bytes;
  if (!by_count && !by_bytes && !force_compaction) return;
  force_compaction = false;
  if (Clock::now() < next_compact_attempt) return;  // after a failure (a full disk): not on every Ready
  compaction_in_flight = true;
  log_bytes_at_compaction = storage->bytes_written();
  {
    std::lock_guard lock(compactor_mu);
    compact_requested = true;
    compactor_busy = true;
  }
  compactor_cv.notify_all();
}

void RaftNode::Impl::CompactorLoop() {
  std::unique_lock lock(compactor_mu);
  while (true) {
    compactor_cv.wait(lock, [&] { return compactor_stop || compact_requested; });
    if (compactor_stop) break;
    compact_requested = false;
    lock.unlock();
    Result<LogIndex> index = WriteCompactionSnapshot();
    Push([&index](Inbox& in) { in.compactions_done.push_back(std::move(index)); });
    lock.lock();
    compactor_busy = false;
    compactor_cv.notify_all();
  }
  compactor_busy = false;
  compactor_cv.notify_all();
}

Result<LogIndex> RaftNode::Impl::WriteCompactionSnapshot() {
  // Written under a temporary name (one RemoveOtherSnapshots leaves alone), made durable,
  // then renamed: a directory named snapshot-<index> is always complete. The state
  // machine says which index the snapshot holds (writes go on while it is taken).
  std::string tmp = snap_dir + "/compacting.tmp";
  STRATA_RETURN_IF_ERROR(io::RemoveAll(tmp));
  STRATA_ASSIGN_OR_RETURN(LogIndex index, sm->CreateSnapshot(tmp));
  STRATA_RETURN_IF_ERROR(SyncSnapshotDir(options.scheduler, tmp));
  std::string path = SnapshotPath(snap_dir, index);
  STRATA_RETURN_IF_ERROR(io::RemoveAll(path));
  STRATA_RETURN_IF_ERROR(io::RenameFile(tmp, path));
  STRATA_RETURN_IF_ERROR(io::SyncDirectory(snap_dir));
  return index;
}

void RaftNode::Impl::OnCompactionDone(Result<LogIndex> index) {
  compaction_in_flight = false;
  if (!index.ok()) {
    // Not fatal: the log keeps growing until a later attempt succeeds. A full disk fails
    // every attempt at once: wait a while before the next one.
    next_compact_attempt = Clock::now() + kCompactRetry;
    obs::Warn("raft", "snapshot for log compaction failed; will retry", {{"node", options.id}, {"error", index.status().ToString()}});
    return;
  }
  LogIndex at = *index;
  std::string path = SnapshotPath(snap_dir, at);
  // A snapshot installed meanwhile may have moved the log past it.
  std::optional<ConfState> conf;
  if (at > last_compacted && at >= storage->FirstIndex() && at <= storage->LastIndex() && at <= sm->applied())
    conf = core->ConfStateAt(at);
  if (!conf) {
    obs::Info("raft", "discarded a compaction snapshot the log has passed", {{"node", options.id}, {"index", at}});
    RemoveOtherSnapshots(SnapshotPath(snap_dir, last_compacted));
    return;
  }
  // State first (durable up to `at`: the checkpoint flushed it), then its snapshot
  // directory (durable, renamed into place), then the log may go.
  Status s = storage->Compact(at, *conf);
  if (!s.ok()) {
    // The mark could not be written (ENOSPC, EIO): the log keeps its entries, nothing is
    // lost; the snapshot directory stays for the next attempt to replace.
    next_compact_attempt = Clock::now() + kCompactRetry;
    obs::Warn("raft", "log compaction failed; will retry", {{"node", options.id}, {"index", at}, {"error", s.ToString()}});
    return;
  }
  RemoveOtherSnapshots(path);  // no longer referenced by the log
  last_compacted = at;
  {
    // Published together: a reader that sees the count sees the log's new first index
    // (it used to wait for the next PublishInfo).
    std::lock_guard lock(info_mu);
    info.compactions++;
    info.first_index = storage->FirstIndex();
  }
  obs::Info("raft", "compacted log", {{"node", options.id}, {"index", at}});
  // The bytes written while this one ran may already call for the next: a burst of large
  // entries followed by silence must not leave that much log on disk until the next write.
  if (options.compact_bytes != 0 && storage->bytes_written() >= log_bytes_at_compaction + options.compact_bytes)
    MaybeCompact();
}

void RaftNode::Impl::WaitCompactorIdle() {
  std::unique_lock lock(compactor_mu);
  compactor_cv.wait(lock, [&] { return !compactor_busy; });
}

void RaftNode::Impl::RemoveOtherSnapshots(const std::string& keep) {
  Result<std::vector<std::string>> names = io::ListDir(snap_dir);
  if (!names.ok()) return;  // garbage stays until the next compaction
  for (const std::string& name : *names) {
    if (snap_dir + "/" + name != keep && name.rfind("snapshot-", 0) == 0) (void)io::RemoveAll(snap_dir + "/" + name);
  }
}

}  // namespace strata::raft
