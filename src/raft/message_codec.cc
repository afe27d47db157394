#include "raft/message_codec.h"

#include <fmt/core.h>

#include "common/checksum.h"
#include "common/coding.h"

namespace strata::raft {

std::string_view MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kAppend: return "Append";
    case MessageType::kAppendResponse: return "AppendResponse";
    case MessageType::kVote: return "Vote";
    case MessageType::kVoteResponse: return "VoteResponse";
    case MessageType::kPreVote: return "PreVote";
    case MessageType::kPreVoteResponse: return "PreVoteResponse";
    case MessageType::kHeartbeat: return "Heartbeat";
    case MessageType::kHeartbeatResponse: return "HeartbeatResponse";
    case MessageType::kSnapshot: return "Snapshot";
    case MessageType::kTimeoutNow: return "TimeoutNow";
    case MessageType::kReadIndex: return "ReadIndex";
    case MessageType::kReadIndexResponse: return "ReadIndexResponse";
    case MessageType::kForwardPropose: return "ForwardPropose";
    case MessageType::kForwardProposeResponse: return "ForwardProposeResponse";
  }
  return "?";
}

namespace {

constexpr uint8_t kFlagReject = 1;
constexpr uint8_t kFlagSnapshot = 2;
constexpr size_t kHeaderBytes = 1 + 8;
constexpr size_t kTrailerBytes = 8;

void PutIds(Bytes* out, const std::vector<NodeId>& ids) {
  PutVarint64(out, ids.size());
  for (NodeId id : ids) PutVarint64(out, id);
}

void PutEntry(Bytes* out, const Entry& e) {
  PutVarint64(out, e.term);
  PutVarint64(out, e.index);
  out->push_back(static_cast<char>(e.type));
  PutLengthPrefixed(out, e.data);
}

// Reads a count that is bounded by the bytes left (each item takes at least one byte),
// so a corrupt count cannot make us allocate unbounded memory.
bool GetCount(Slice* in, uint64_t* n) { return GetVarint64(in, n) && *n <= in->size(); }

bool GetIds(Slice* in, std::vector<NodeId>* ids) {
  uint64_t n;
  if (!GetCount(in, &n)) return false;
  ids->resize(n);
  for (auto& id : *ids) {
    if (!GetVarint64(in, &id)) return false;
  }
  return true;
}

bool GetByte(Slice* in, uint8_t* b) {
  if (in->empty()) return false;
  *b = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  return true;
}

bool GetEntry(Slice* in, Entry* e) {
  uint8_t type;
  Slice data;
  if (!GetVarint64(in, &e->term) || !GetVarint64(in, &e->index) || !GetByte(in, &type) ||
      type > static_cast<uint8_t>(EntryType::kNoop) || !GetLengthPrefixed(in, &data)) {
    return false;
  }
  e->type = static_cast<EntryType>(type);
  e->data = Bytes(data);
  return true;
}

bool GetSnapshot(Slice* in, Snapshot* s) {
  Slice data;
  return GetVarint64(in, &s->metadata.index) && GetVarint64(in, &s->metadata.term) &&
         GetIds(in, &s->metadata.conf.voters) && GetIds(in, &s->metadata.conf.learners) &&
         GetLengthPrefixed(in, &data) && (s->data = Bytes(data), true);
}

bool GetBody(Slice* in, Message* m) {
  uint8_t type;
  uint8_t flags;
  Slice context;
  uint64_t n;
  if (!GetByte(in, &type) || type == 0 || type > kMaxMessageType) return false;
  m->type = static_cast<MessageType>(type);
  if (!GetVarint64(in, &m->from) || !GetVarint64(in, &m->to) || !GetVarint64(in, &m->term) ||
      !GetVarint64(in, &m->log_term) || !GetVarint64(in, &m->index) ||
      !GetVarint64(in, &m->commit) || !GetByte(in, &flags) || flags > 3 ||
      !GetVarint64(in, &m->reject_hint) || !GetVarint64(in, &m->send_tick) ||
      !GetLengthPrefixed(in, &context) || !GetCount(in, &n)) {
    return false;
  }
  m->reject = (flags & kFlagReject) != 0;
  m->context = Bytes(context);
  m->entries.resize(n);
  for (Entry& e : m->entries) {
    if (!GetEntry(in, &e)) return false;
  }
  if (flags & kFlagSnapshot) {
    m->snapshot.emplace();
    if (!GetSnapshot(in, &*m->snapshot)) return false;
  }
  return true;
}

}  // namespace

Bytes EncodeMessage(const Message& m, uint64_t cluster_id) {
  Bytes out;
  out.push_back(static_cast<char>(kMessageFormatVersion));
  PutFixed64(&out, cluster_id);
  out.push_back(static_cast<char>(m.type));
  for (uint64_t v : {m.from, m.to, m.term, m.log_term, m.index, m.commit}) PutVarint64(&out, v);
  uint8_t flags = (m.reject ? kFlagReject : 0) | (m.snapshot ? kFlagSnapshot : 0);
  out.push_back(static_cast<char>(flags));
  PutVarint64(&out, m.reject_hint);
  PutVarint64(&out, m.send_tick);
  PutLengthPrefixed(&out, m.context);
  PutVarint64(&out, m.entries.size());
  for (const Entry& e : m.entries) PutEntry(&out, e);
  if (m.snapshot) {
    const SnapshotMetadata& meta = m.snapshot->metadata;
    PutVarint64(&out, meta.index);
    PutVarint64(&out, meta.term);
    PutIds(&out, meta.conf.voters);
    PutIds(&out, meta.conf.learners);
    PutLengthPrefixed(&out, m.snapshot->data);
  }
  PutFixed64(&out, Checksum64(out));
  return out;
}

Result<Message> DecodeMessage(Slice data, uint64_t expected_cluster_id) {
  if (data.size() > kMaxMessageBytes) {
    return Status::ResourceExhausted(
        fmt::format("raft message of {} bytes exceeds kMaxMessageBytes ({})", data.size(), kMaxMessageBytes));
  }
  if (data.size() < kHeaderBytes + kTrailerBytes) return Status::Corruption("raft message truncated");
  Slice covered = data.substr(0, data.size() - kTrailerBytes);
  if (Checksum64(covered) != DecodeFixed64(data.data() + covered.size())) {
    return Status::Corruption("raft message checksum mismatch");
  }
  auto version = static_cast<uint8_t>(covered[0]);
  if (version != kMessageFormatVersion) {
    return Status::InvalidArgument(fmt::format("raft message format version {} not supported", version));
  }
  uint64_t cluster_id = DecodeFixed64(covered.data() + 1);
  if (cluster_id != expected_cluster_id) {
    return Status::InvalidArgument(
        fmt::format("raft message from cluster {:#x}, this is cluster {:#x}", cluster_id, expected_cluster_id));
  }
  Slice body = covered.substr(kHeaderBytes);
  Message m;
  if (!GetBody(&body, &m)) return Status::Corruption("malformed raft message");
  if (!body.empty()) return Status::Corruption("trailing bytes after raft message");
  return m;
}

}  // namespace strata::raft
