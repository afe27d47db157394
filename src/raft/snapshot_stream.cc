// Snapshot streaming (see snapshot_stream.h). File I/O goes through io::Scheduler in the
// snapshot class, the lowest priority (DESIGN D8): a stream never delays a commit.
#include "raft/snapshot_stream.h"

#include <fmt/format.h>

#include "common/check.h"
#include "common/coding.h"
#include "io/io.h"

namespace strata::raft {

namespace {
// "RSNAPCK1": tells a chunk header apart from any other use of a snapshot's context.
constexpr char kChunkMagic[8] = {'R', 'S', 'N', 'A', 'P', 'C', 'K', '1'};
constexpr size_t kChunkHeaderBytes = sizeof(kChunkMagic) + 16;
}  // namespace

Bytes EncodeSnapshotChunkHeader(const SnapshotChunkHeader& h) {
  Bytes out(kChunkMagic, sizeof(kChunkMagic));
  PutFixed64(&out, h.offset);
  PutFixed64(&out, h.total);
  return out;
}

std::optional<SnapshotChunkHeader> DecodeSnapshotChunkHeader(Slice context) {
  if (context.size() != kChunkHeaderBytes || context.substr(0, sizeof(kChunkMagic)) != Slice(kChunkMagic, 8))
    return std::nullopt;
  SnapshotChunkHeader h{DecodeFixed64(context.data() + 8), DecodeFixed64(context.data() + 16)};
  if (h.offset > h.total) return std::nullopt;
  return h;
}

// ------------------------------------------------------------------------------ sender

struct SnapshotSender::Stream {
  uint64_t generation;
  Message templ;  // the core's message, snapshot data empty
  std::unique_ptr<io::File> file;
  uint64_t offset = 0;
  uint64_t total = 0;
};

SnapshotSender::SnapshotSender(io::Scheduler* scheduler, size_t chunk_bytes)
    : scheduler_(scheduler), chunk_bytes_(chunk_bytes) {
  STRATA_CHECK(scheduler != nullptr && chunk_bytes > 0);
}
SnapshotSender::~SnapshotSender() = default;

Result<uint64_t> SnapshotSender::Begin(const Message& m, const std::string& path) {
  STRATA_CHECK(m.type == MessageType::kSnapshot && m.snapshot.has_value());
  auto stream = std::make_unique<Stream>();
  STRATA_ASSIGN_OR_RETURN(stream->file, scheduler_->Open(path, {.read_only = true}));
  STRATA_ASSIGN_OR_RETURN(stream->total, stream->file->Size());
  stream->generation = next_generation_++;
  stream->templ = m;
  stream->templ.snapshot->data.clear();
  uint64_t generation = stream->generation;
  streams_[m.to] = std::move(stream);
  return generation;
}

bool SnapshotSender::Current(NodeId to, uint64_t generation) const {
  auto it = streams_.find(to);
  return it != streams_.end() && it->second->generation == generation;
}

Result<Message> SnapshotSender::NextChunk(NodeId to, bool* last) {
  auto it = streams_.find(to);
  STRATA_CHECK(it != streams_.end());
  Stream& s = *it->second;
  size_t n = static_cast<size_t>(std::min<uint64_t>(chunk_bytes_, s.total - s.offset));
  Message m = s.templ;
  m.snapshot->data.resize(n);
  STRATA_RETURN_IF_ERROR(s.file->ReadExact(io::IoClass::kSnapshot, s.offset, m.snapshot->data.data(), n));
  m.context = EncodeSnapshotChunkHeader({s.offset, s.total});
  s.offset += n;
  *last = s.offset == s.total;
  return m;
}

void SnapshotSender::End(NodeId to) { streams_.erase(to); }

// ---------------------------------------------------------------------------- receiver

struct SnapshotReceiver::Stream {
  LogIndex index = 0;
  Term term = 0;
  std::string path;
  std::unique_ptr<io::File> file;
  uint64_t next_offset = 0;
};

SnapshotReceiver::SnapshotReceiver(io::Scheduler* scheduler, std::string snap_dir)
    : scheduler_(scheduler), snap_dir_(std::move(snap_dir)) {}
SnapshotReceiver::~SnapshotReceiver() = default;

Result<std::optional<Message>> SnapshotReceiver::OnChunk(const Message& m) {
  STRATA_CHECK(m.type == MessageType::kSnapshot);
  if (!m.snapshot) return Status::InvalidArgument("snapshot chunk without a snapshot");
  std::optional<SnapshotChunkHeader> h = DecodeSnapshotChunkHeader(m.context);
  if (!h) return Status::InvalidArgument("snapshot message without a chunk header");
  const SnapshotMetadata& meta = m.snapshot->metadata;
  const Bytes& data = m.snapshot->data;
  if (h->offset + data.size() > h->total) return Status::InvalidArgument("snapshot chunk past the stream's end");
  std::unique_ptr<Stream>& s = streams_[m.from];
  if (h->offset == 0) {  // a new stream replaces whatever was in progress from this sender
    s = std::make_unique<Stream>();
    s->index = meta.index;
    s->term = meta.term;
    s->path = fmt::format("{}/recv-{}-{:020}", snap_dir_, m.from, meta.index);
    STRATA_ASSIGN_OR_RETURN(s->file, scheduler_->Open(s->path, {.create = true, .truncate = true}));
  } else if (!s || s->index != meta.index || s->term != meta.term || s->next_offset != h->offset) {
    streams_.erase(m.from);
    return Status::InvalidArgument(fmt::format("snapshot chunk at offset {} out of order; stream dropped", h->offset));
  }
  if (!data.empty()) STRATA_RETURN_IF_ERROR(s->file->WriteAt(io::IoClass::kSnapshot, h->offset, data));
  s->next_offset = h->offset + data.size();
  if (s->next_offset < h->total) return std::optional<Message>();
  STRATA_RETURN_IF_ERROR(s->file->Sync(io::IoClass::kSnapshot));
  Message whole = m;
  whole.context.clear();
  whole.snapshot->data = s->path;  // the descriptor the core carries to the driver
  streams_.erase(m.from);
  return std::optional<Message>(std::move(whole));
}

}  // namespace strata::raft
