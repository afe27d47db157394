// Snapshot streaming (see snapshot_stream.h). File I/O goes through io::Scheduler in the
// snapshot class, the lowest priority (DESIGN D8): a stream never delays a commit.
#include "raft/snapshot_stream.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/check.h"
#include "common/checksum.h"
#include "common/coding.h"
#include "io/io.h"

namespace strata::raft {

namespace {
// Magics tell a chunk header and an ack apart from each other and from any other use of a
// snapshot message's context. Version 2: multi-file snapshots with resume.
constexpr char kChunkMagic[8] = {'R', 'S', 'N', 'A', 'P', 'C', 'K', '2'};
constexpr char kAckMagic[8] = {'R', 'S', 'N', 'A', 'P', 'A', 'K', '2'};

bool HasMagic(Slice* in, const char (&magic)[8]) {
  if (in->size() < 8 || in->substr(0, 8) != Slice(magic, 8)) return false;
  in->remove_prefix(8);
  return true;
}

bool ValidFileName(Slice name) {
  return !name.empty() && name.size() <= kMaxSnapshotFileName && name != "." && name != ".." &&
         name.find('/') == Slice::npos && name.find('\0') == Slice::npos;
}
}  // namespace

Bytes EncodeSnapshotChunkHeader(const SnapshotChunkHeader& h) {
  Bytes out(kChunkMagic, sizeof(kChunkMagic));
  PutFixed32(&out, h.position.file_index);
  PutFixed32(&out, h.file_count);
  PutFixed64(&out, h.position.offset);
  PutFixed64(&out, h.file_size);
  PutFixed64(&out, h.checksum);
  PutLengthPrefixed(&out, h.file_name);
  return out;
}

std::optional<SnapshotChunkHeader> DecodeSnapshotChunkHeader(Slice context) {
  SnapshotChunkHeader h;
  Slice name;
  if (!HasMagic(&context, kChunkMagic) || !GetFixed32(&context, &h.position.file_index) ||
      !GetFixed32(&context, &h.file_count) || !GetFixed64(&context, &h.position.offset) ||
      !GetFixed64(&context, &h.file_size) || !GetFixed64(&context, &h.checksum) ||
      !GetLengthPrefixed(&context, &name) || !context.empty())
    return std::nullopt;
  if (h.file_count == 0 || h.file_count > kMaxSnapshotFiles || h.position.file_index >= h.file_count ||
      h.position.offset > h.file_size || !ValidFileName(name))
    return std::nullopt;
  h.file_name = Bytes(name);
  return h;
}

Bytes EncodeSnapshotAck(const SnapshotPosition& next) {
  Bytes out(kAckMagic, sizeof(kAckMagic));
  PutFixed32(&out, next.file_index);
  PutFixed64(&out, next.offset);
  return out;
}

std::optional<SnapshotPosition> DecodeSnapshotAck(Slice context) {
  SnapshotPosition p;
  if (!HasMagic(&context, kAckMagic) || !GetFixed32(&context, &p.file_index) || !GetFixed64(&context, &p.offset) ||
      !context.empty())
    return std::nullopt;
  return p;
}

Status SyncSnapshotDir(io::Scheduler* scheduler, const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, io::ListDir(dir));
  for (const std::string& name : names) {
    STRATA_ASSIGN_OR_RETURN(auto file, scheduler->Open(dir + "/" + name, {.read_only = true}));
    STRATA_RETURN_IF_ERROR(file->Sync(io::IoClass::kSnapshot));
  }
  return io::SyncDir(dir);
}

// ------------------------------------------------------------------------------ reader

SnapshotFileReader::SnapshotFileReader(io::Scheduler* scheduler, std::string dir)
    : scheduler_(scheduler), dir_(std::move(dir)) {}
SnapshotFileReader::~SnapshotFileReader() = default;

Result<std::unique_ptr<SnapshotFileReader>> SnapshotFileReader::Open(io::Scheduler* scheduler, std::string dir) {
  STRATA_CHECK(scheduler != nullptr);
  std::unique_ptr<SnapshotFileReader> reader(new SnapshotFileReader(scheduler, std::move(dir)));
  const std::string& d = reader->dir_;
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, io::ListDir(d));
  if (names.empty()) return Status::NotFound(fmt::format("snapshot directory {} is empty", d));
  if (names.size() > kMaxSnapshotFiles)
    return Status::InvalidArgument(
        fmt::format("snapshot {} holds {} files, more than kMaxSnapshotFiles ({})", d, names.size(), kMaxSnapshotFiles));
  for (const std::string& name : names) {
    if (!ValidFileName(name)) return Status::InvalidArgument(fmt::format("snapshot file name {} cannot be sent", name));
    STRATA_ASSIGN_OR_RETURN(uint64_t size, io::FileSize(d + "/" + name));
    reader->files_.push_back({name, size});
  }
  return reader;
}

uint64_t SnapshotFileReader::total_bytes() const { return BytesBefore({static_cast<uint32_t>(files_.size()), 0}); }

uint64_t SnapshotFileReader::BytesBefore(const SnapshotPosition& p) const {
  STRATA_CHECK(p.file_index <= files_.size());
  uint64_t bytes = p.offset;
  for (uint32_t i = 0; i < p.file_index; ++i) bytes += files_[i].size;
  return bytes;
}

Result<SnapshotChunkHeader> SnapshotFileReader::Read(const SnapshotPosition& p, size_t max_bytes, Bytes* data) {
  STRATA_CHECK(max_bytes > 0);
  if (p.file_index >= files_.size() || p.offset > files_[p.file_index].size)
    return Status::InvalidArgument(fmt::format("position ({}, {}) lies outside snapshot {}", p.file_index, p.offset, dir_));
  const File& f = files_[p.file_index];
  if (!open_ || open_index_ != p.file_index) {
    open_.reset();
    STRATA_ASSIGN_OR_RETURN(open_, scheduler_->Open(dir_ + "/" + f.name, {.read_only = true}));
    open_index_ = p.file_index;
  }
  size_t n = static_cast<size_t>(std::min<uint64_t>(max_bytes, f.size - p.offset));
  data->resize(n);
  if (n > 0) STRATA_RETURN_IF_ERROR(open_->ReadExact(io::IoClass::kSnapshot, p.offset, data->data(), n));
  return SnapshotChunkHeader{.position = p,
                             .file_count = static_cast<uint32_t>(files_.size()),
                             .file_size = f.size,
                             .checksum = Checksum64(*data),
                             .file_name = f.name};
}

// ------------------------------------------------------------------------------ sender

struct SnapshotSender::Stream {
  uint64_t generation = 0;
  Message templ;  // the core's message, snapshot data empty
  std::unique_ptr<SnapshotFileReader> reader;
  SnapshotPosition position;  // of the next chunk: the last ack
  bool in_flight = false;
  Clock::time_point sent_at;
};

SnapshotSender::SnapshotSender(io::Scheduler* scheduler, size_t chunk_bytes)
    : scheduler_(scheduler), chunk_bytes_(chunk_bytes) {
  STRATA_CHECK(scheduler != nullptr && chunk_bytes > 0);
}
SnapshotSender::~SnapshotSender() = default;

Result<uint64_t> SnapshotSender::Begin(const Message& m, const std::string& dir) {
  STRATA_CHECK(m.type == MessageType::kSnapshot && m.snapshot.has_value());
  auto stream = std::make_unique<Stream>();
  STRATA_ASSIGN_OR_RETURN(stream->reader, SnapshotFileReader::Open(scheduler_, dir));
  const std::vector<SnapshotFileReader::File>& files = stream->reader->files();
  stream->generation = next_generation_++;
  stream->templ = m;
  stream->templ.snapshot->data.clear();
  auto r = resume_.find(m.to);
  if (r != resume_.end() && r->second.term == m.term && r->second.index == m.snapshot->metadata.index &&
      r->second.position.file_index < files.size() &&
      r->second.position.offset <= files[r->second.position.file_index].size)
    stream->position = r->second.position;  // resume where the receiver stands
  uint64_t generation = stream->generation;
  streams_[m.to] = std::move(stream);
  return generation;
}

bool SnapshotSender::Current(NodeId to, uint64_t generation) const {
  auto it = streams_.find(to);
  return it != streams_.end() && it->second->generation == generation;
}

uint64_t SnapshotSender::generation(NodeId to) const {
  auto it = streams_.find(to);
  STRATA_CHECK(it != streams_.end());
  return it->second->generation;
}

Result<Message> SnapshotSender::NextChunk(NodeId to, Clock::time_point now) {
  auto it = streams_.find(to);
  STRATA_CHECK(it != streams_.end());
  Stream& s = *it->second;
  STRATA_CHECK(s.position.file_index < s.reader->files().size());
  Message m = s.templ;
  STRATA_ASSIGN_OR_RETURN(SnapshotChunkHeader h, s.reader->Read(s.position, chunk_bytes_, &m.snapshot->data));
  m.context = EncodeSnapshotChunkHeader(h);
  s.in_flight = true;
  s.sent_at = now;
  bytes_sent_ += m.snapshot->data.size();
  return m;
}

bool SnapshotSender::OnAck(const Message& m, bool* complete) {
  *complete = false;
  std::optional<SnapshotPosition> next = DecodeSnapshotAck(m.context);
  if (!next || !m.snapshot) return false;
  const LogIndex index = m.snapshot->metadata.index;
  resume_[m.from] = Resume{m.term, index, *next};
  auto it = streams_.find(m.from);
  if (it == streams_.end()) return false;
  Stream& s = *it->second;
  if (s.templ.term != m.term || s.templ.snapshot->metadata.index != index || !s.in_flight) return false;
  s.in_flight = false;
  const std::vector<SnapshotFileReader::File>& files = s.reader->files();
  if (next->file_index >= files.size()) {
    s.position = {static_cast<uint32_t>(files.size()), 0};  // all of it (progress)
    *complete = true;
    return true;
  }
  // A position this stream cannot have produced (a confused peer): start over.
  bool valid = next->offset <= files[next->file_index].size;
  s.position = valid ? *next : SnapshotPosition{};
  return true;
}

std::vector<NodeId> SnapshotSender::Stalled(Clock::time_point now, std::chrono::milliseconds timeout) const {
  std::vector<NodeId> out;
  for (const auto& [to, s] : streams_) {
    if (s->in_flight && now - s->sent_at > timeout) out.push_back(to);
  }
  return out;
}

void SnapshotSender::End(NodeId to) { streams_.erase(to); }

std::vector<SnapshotTransfer> SnapshotSender::Transfers() const {
  std::vector<SnapshotTransfer> out;
  for (const auto& [to, s] : streams_) {
    out.push_back({.peer = to,
                   .index = s->templ.snapshot->metadata.index,
                   .files_done = s->position.file_index,
                   .files_total = static_cast<uint32_t>(s->reader->files().size()),
                   .bytes_done = s->reader->BytesBefore(s->position),
                   .bytes_total = s->reader->total_bytes()});
  }
  return out;
}

// ---------------------------------------------------------------------------- receiver

struct SnapshotReceiver::Stream {
  NodeId from = kNoNode;
  Term term = 0;
  LogIndex index = 0;
  std::string dir;
  uint32_t file_count = 0;
  SnapshotPosition next;
  std::string last_name;  // names arrive strictly increasing: no file is written twice
  uint64_t file_size = 0;
  uint64_t bytes_written = 0;      // over every file, for progress
  std::unique_ptr<io::File> file;  // files[next.file_index] while it is being written
};

SnapshotReceiver::SnapshotReceiver(io::Scheduler* scheduler, std::string snap_dir)
    : scheduler_(scheduler), snap_dir_(std::move(snap_dir)) {}
SnapshotReceiver::~SnapshotReceiver() = default;

void SnapshotReceiver::DropPartials() { Drop(); }

void SnapshotReceiver::Drop() {
  stream_.reset();
  Result<std::vector<std::string>> names = io::ListDir(snap_dir_);
  if (!names.ok()) return;  // no directory yet: nothing to drop
  for (const std::string& name : *names) {
    if (name.rfind("recv-", 0) == 0) (void)io::RemoveAll(snap_dir_ + "/" + name);
  }
}

std::optional<SnapshotPosition> SnapshotReceiver::position() const {
  if (!stream_) return std::nullopt;
  return stream_->next;
}

std::optional<SnapshotTransfer> SnapshotReceiver::Transfer() const {
  if (!stream_) return std::nullopt;
  return SnapshotTransfer{.peer = stream_->from,
                          .index = stream_->index,
                          .files_done = stream_->next.file_index,
                          .files_total = stream_->file_count,
                          .bytes_done = stream_->bytes_written};
}

Message SnapshotReceiver::Ack(const Message& chunk, const SnapshotPosition& next) const {
  Message ack{.type = MessageType::kSnapshot, .from = chunk.to, .to = chunk.from, .term = chunk.term};
  ack.context = EncodeSnapshotAck(next);
  ack.snapshot = Snapshot{};
  ack.snapshot->metadata = chunk.snapshot->metadata;
  return ack;
}

Result<SnapshotReceiver::Outcome> SnapshotReceiver::OnChunk(const Message& m) {
  STRATA_CHECK(m.type == MessageType::kSnapshot);
  if (!m.snapshot) return Status::InvalidArgument("snapshot chunk without a snapshot");
  std::optional<SnapshotChunkHeader> h = DecodeSnapshotChunkHeader(m.context);
  if (!h) return Status::InvalidArgument("snapshot message without a valid chunk header");
  const Bytes& data = m.snapshot->data;
  if (h->position.offset + data.size() > h->file_size)
    return Status::InvalidArgument("snapshot chunk past its file's end");
  if (Checksum64(data) != h->checksum) return Status::Corruption("snapshot chunk checksum mismatch");
  const LogIndex index = m.snapshot->metadata.index;
  if (!stream_ || stream_->from != m.from || stream_->term != m.term || stream_->index != index) {
    // Another snapshot: its partial directory replaces the old one (one on disk at most).
    Drop();
    auto s = std::make_unique<Stream>();
    s->from = m.from;
    s->term = m.term;
    s->index = index;
    s->file_count = h->file_count;
    s->dir = fmt::format("{}/recv-{}-{:020}", snap_dir_, m.term, index);
    STRATA_RETURN_IF_ERROR(io::CreateDir(s->dir));
    stream_ = std::move(s);
  }
  if (h->file_count != stream_->file_count) {
    Drop();
    return Status::InvalidArgument("snapshot chunk disagrees with its stream's file count");
  }
  if (h->position != stream_->next) return Outcome{Ack(m, stream_->next), std::nullopt};
  Result<Outcome> out = Write(m, *h);
  if (!out.ok()) Drop();
  return out;
}

Result<SnapshotReceiver::Outcome> SnapshotReceiver::Write(const Message& m, const SnapshotChunkHeader& h) {
  Stream& s = *stream_;
  if (h.position.offset == 0) {
    if (!s.last_name.empty() && h.file_name <= s.last_name)
      return Status::InvalidArgument(fmt::format("snapshot file {} out of name order", h.file_name));
    s.file.reset();
    STRATA_ASSIGN_OR_RETURN(s.file, scheduler_->Open(s.dir + "/" + h.file_name, {.create = true, .truncate = true}));
    s.last_name = h.file_name;
    s.file_size = h.file_size;
  } else if (!s.file || h.file_size != s.file_size || h.file_name != s.last_name) {
    return Status::InvalidArgument("snapshot chunk disagrees with the file being received");
  }
  const Bytes& data = m.snapshot->data;
  if (!data.empty()) STRATA_RETURN_IF_ERROR(s.file->WriteAt(io::IoClass::kSnapshot, h.position.offset, data));
  s.next.offset += data.size();
  s.bytes_written += data.size();
  if (s.next.offset == s.file_size) {
    STRATA_RETURN_IF_ERROR(s.file->Sync(io::IoClass::kSnapshot));
    s.file.reset();
    s.next = {s.next.file_index + 1, 0};
  }
  Outcome out{Ack(m, s.next), std::nullopt};
  if (s.next.file_index < s.file_count) return out;
  STRATA_RETURN_IF_ERROR(io::SyncDir(s.dir));
  Message whole = m;
  whole.context.clear();
  whole.snapshot->data = s.dir;  // the descriptor the core carries to the driver
  out.complete = std::move(whole);
  stream_.reset();  // the directory now belongs to the driver (renamed on install)
  return out;
}

}  // namespace strata::raft
