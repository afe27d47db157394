#include "raft/disk_log_storage.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/check.h"
#include "common/checksum.h"
#include "common/coding.h"
#include "obs/log.h"

namespace strata::raft {
namespace {

constexpr uint32_t kBatchMagic = 0x4c525453;  // "STRL"
constexpr size_t kBatchHeader = 20;  // magic | payload_len | payload_checksum | header_checksum
constexpr uint32_t kMaxBatchPayload = 1u << 30;
// Room for one record's type and length, and for the hard state record after the entries.
constexpr size_t kRecordOverhead = 64;

enum RecordType : uint8_t { kEntry = 1, kHardState = 2, kSnapshotMark = 3 };

std::string SegmentName(LogIndex first) { return fmt::format("log-{:020}.seg", first); }

void PutRecord(Bytes* out, RecordType type, const Bytes& body) {
  out->push_back(static_cast<char>(type));
  PutLengthPrefixed(out, body);
}

// An entry record's body: term | index | type | data.
size_t EntryBodySize(const Entry& e) { return VarintLength(e.term) + VarintLength(e.index) + 1 + e.data.size(); }
size_t RecordSize(size_t body) { return 1 + VarintLength(body) + body; }

// One batch built in its aligned write buffer: the records land right after the header,
// so an entry's data is copied once on its way to the disk (a 64 MiB row, too).
class BatchBuilder {
 public:
  explicit BatchBuilder(size_t payload) : buf_(io::AlignUp(kBatchHeader + payload)), end_(kBatchHeader) {
    STRATA_CHECK(payload <= kMaxBatchPayload);
  }
  void AddRecord(RecordType type, Slice body) {
    char* p = Reserve(RecordSize(body.size()));
    *p++ = static_cast<char>(type);
    p += EncodeVarint64(p, body.size());
    std::memcpy(p, body.data(), body.size());
  }
  void AddEntry(const Entry& e) {
    size_t body = EntryBodySize(e);
    char* p = Reserve(RecordSize(body));
    *p++ = static_cast<char>(kEntry);
    p += EncodeVarint64(p, body);
    p += EncodeVarint64(p, e.term);
    p += EncodeVarint64(p, e.index);
    *p++ = static_cast<char>(e.type);
    std::memcpy(p, e.data.data(), e.data.size());
  }
  // Fills in the header and zeroes the padding: the buffer is ready to write.
  io::AlignedBuffer Seal() {
    char* p = buf_.data();
    uint32_t magic = kBatchMagic, len = static_cast<uint32_t>(end_ - kBatchHeader);
    uint64_t checksum = Checksum64(Slice(p + kBatchHeader, len));
    std::memcpy(p, &magic, 4);
    std::memcpy(p + 4, &len, 4);
    std::memcpy(p + 8, &checksum, 8);
    uint32_t header_checksum = Checksum32(Slice(p, 16));
    std::memcpy(p + 16, &header_checksum, 4);
    std::memset(p + end_, 0, buf_.size() - end_);
    return std::move(buf_);
  }
  char* Reserve(size_t n) {  // n bytes at the end of the payload
    STRATA_CHECK(end_ + n <= buf_.size());
    char* p = buf_.data() + end_;
    end_ += n;
    return p;
  }
 private:
  io::AlignedBuffer buf_;
  size_t end_;
};

// The body of an entry record; false if malformed.
bool DecodeEntry(Slice in, Entry* e) {
  if (!GetVarint64(&in, &e->term) || !GetVarint64(&in, &e->index) || in.empty() || static_cast<uint8_t>(in[0]) > 2) {
    return false;
  }
  e->type = static_cast<EntryType>(in[0]);
  e->data = SharedBytes(in.substr(1));
  return true;
}

Bytes EncodeHardState(const HardState& hs) {
  Bytes b;
  PutVarint64(&b, hs.term);
  PutVarint64(&b, hs.vote);
  PutVarint64(&b, hs.commit);
  return b;
}

void PutIds(Bytes* b, const std::vector<NodeId>& ids) {
  PutVarint64(b, ids.size());
  for (NodeId id : ids) PutVarint64(b, id);
}

bool GetIds(Slice* in, std::vector<NodeId>* ids) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  ids->resize(n);
  for (auto& id : *ids) {
    if (!GetVarint64(in, &id)) return false;
  }
  return true;
}

// reset = 1: a received snapshot replaces the whole log; 0: compaction up to index.
Bytes EncodeSnapshotMark(const SnapshotMetadata& m, bool reset) {
  Bytes b;
  PutVarint64(&b, m.index);
  PutVarint64(&b, m.term);
  PutIds(&b, m.conf.voters);
  PutIds(&b, m.conf.learners);
  b.push_back(reset ? 1 : 0);
  return b;
}

// Reads a segment a window at a time, so neither replay nor reading entries back ever
// holds a whole segment in memory (only one window, or one batch when a batch is larger).
class SegmentReader {
 public:
  // Replay reads a segment front to back: large windows. Reading entries back jumps to
  // one batch: small ones.
  static constexpr uint64_t kReplayWindow = 4 << 20, kReadBackWindow = 256 << 10;
  SegmentReader(io::File* file, uint64_t size, uint64_t window) : file_(file), size_(size), window_(window) {}

  uint64_t size() const { return size_; }
  // The payload of the complete, intact batch at `off`, or nullopt when there is none
  // (zeros, a torn or damaged batch, the end). Valid until the next call.
  Result<std::optional<Slice>> BatchAt(uint64_t off) {
    if (off + kBatchHeader > size_) return std::optional<Slice>();
    STRATA_ASSIGN_OR_RETURN(const char* p, Bytes(off, kBatchHeader));
    if (DecodeFixed32(p) != kBatchMagic || DecodeFixed32(p + 16) != Checksum32(Slice(p, 16)))
      return std::optional<Slice>();
    uint32_t len = DecodeFixed32(p + 4);
    if (len > kMaxBatchPayload || off + kBatchHeader + len > size_) return std::optional<Slice>();
    STRATA_ASSIGN_OR_RETURN(p, Bytes(off, kBatchHeader + len));
    Slice payload(p + kBatchHeader, len);
    if (DecodeFixed64(p + 8) != Checksum64(payload)) return std::optional<Slice>();
    return std::optional<Slice>(payload);
  }
  Result<uint32_t> WordAt(uint64_t off) {
    STRATA_ASSIGN_OR_RETURN(const char* p, Bytes(off, 4));
    return DecodeFixed32(p);
  }

 private:
  // Bytes [off, off + n) of the file. REQUIRES: off + n <= size_.
  Result<const char*> Bytes(uint64_t off, uint64_t n) {
    if (off < win_off_ || off + n > win_off_ + win_len_) {
      uint64_t start = io::AlignDown(off);
      uint64_t len = std::min(std::max(io::AlignUp(off + n) - start, window_), io::AlignUp(size_) - start);
      if (buf_.capacity() < len || buf_.capacity() > 2 * std::max(len, window_)) buf_ = io::AlignedBuffer(len);
      STRATA_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(io::IoClass::kRaftLog, start, buf_.data(), len));
      win_off_ = start;
      win_len_ = got;
      if (off + n > start + got) return Status::IOError(fmt::format("short read at offset {} of a log segment", start));
    }
    return buf_.data() + (off - win_off_);
  }

  io::File* file_;
  const uint64_t size_, window_;
  io::AlignedBuffer buf_;
  uint64_t win_off_ = 0, win_len_ = 0;
};

}  // namespace

Result<std::unique_ptr<DiskLogStorage>> DiskLogStorage::Open(const DiskLogOptions& options, ConfState bootstrap) {
  STRATA_CHECK(options.scheduler != nullptr);
  STRATA_RETURN_IF_ERROR(io::CreateDir(options.dir));
  std::unique_ptr<DiskLogStorage> log(new DiskLogStorage(options));
  STRATA_RETURN_IF_ERROR(log->Recover());
  if (log->segments_.empty()) {
    if (!bootstrap.voters.empty()) {
      // Same starting point as MemoryLogStorage: the bootstrap is committed at index 1,
      // term 1, so the first election runs in term 2.
      log->snapshot_ = SnapshotMetadata{kBootstrapIndex, kBootstrapTerm, std::move(bootstrap)};
      log->hard_state_ = HardState{kBootstrapTerm, kNoNode, kBootstrapIndex};
    }
    STRATA_RETURN_IF_ERROR(log->StartSegment(log->snapshot_.index + 1));
  }
  return log;
}

Status DiskLogStorage::Recover() {
  STRATA_ASSIGN_OR_RETURN(auto names, io::ListDir(options_.dir));
  for (const auto& name : names) {
    unsigned long long first = 0;
    if (name.size() == 28 && sscanf(name.c_str(), "log-%20llu.seg", &first) == 1) {
      segments_.push_back({first, options_.dir + "/" + name});
    }
  }
  for (size_t i = 0; i < segments_.size(); i++) {
    uint64_t end = 0;
    bool last = i + 1 == segments_.size();
    STRATA_RETURN_IF_ERROR(ReplaySegment(segments_[i], last, &end));
    if (last) {
      STRATA_ASSIGN_OR_RETURN(active_, options_.scheduler->Open(segments_[i].path, {.direct = options_.direct_io}));
      active_offset_ = end;
      zeroed_to_ = end;
    }
  }
  if (missing_until_ != 0) {
    return Status::Corruption(fmt::format("{}: entries {}..{} are missing from the log (no compaction covers them)",
                                          options_.dir, missing_from_, missing_until_));
  }
  return Status::OK();
}

Status DiskLogStorage::ReplaySegment(const Segment& seg, bool last, uint64_t* end_offset) {
  STRATA_ASSIGN_OR_RETURN(auto file, options_.scheduler->Open(seg.path, {.read_only = true, .direct = options_.direct_io}));
  STRATA_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  SegmentReader data(file.get(), size, SegmentReader::kReplayWindow);
  uint64_t off = 0;
  while (off + kBatchHeader <= data.size()) {
    STRATA_ASSIGN_OR_RETURN(std::optional<Slice> payload, data.BatchAt(off));
    if (!payload) {
      // Zeros are where the writes ended (the segment is preallocated and zero-filled
      // ahead); anything else is a damaged batch. Either way only the last batch written
      // can be missing or torn by a crash: batches are written in order, each after the
      // previous one's sync. If an intact batch follows, acknowledged data is gone and the
      // node must not start.
      STRATA_ASSIGN_OR_RETURN(uint32_t word, data.WordAt(off));
      bool zeros = word == 0;
      for (uint64_t later = off + io::kDirectIoAlignment; later + kBatchHeader <= data.size();
           later += io::kDirectIoAlignment) {
        STRATA_ASSIGN_OR_RETURN(std::optional<Slice> intact, data.BatchAt(later));
        if (intact) {
          return Status::Corruption(fmt::format("{}: {} batch at offset {} before intact data at offset {}", seg.path,
                                                zeros ? "zeroed" : "damaged", off, later));
        }
      }
      if (zeros) break;
      if (!last) return Status::Corruption(fmt::format("{}: damaged batch at offset {}", seg.path, off));
      obs::Warn("raft", "dropped a torn batch at the end of the log", {{"segment", seg.path}, {"offset", off}});
      break;
    }
    Slice in = *payload;
    while (!in.empty()) {
      uint8_t type = static_cast<uint8_t>(in[0]);
      in.remove_prefix(1);
      Slice body;
      if (!GetLengthPrefixed(&in, &body)) {
        return Status::Corruption(fmt::format("{}: bad record in batch at offset {}", seg.path, off));
      }
      Status s = ApplyRecord(type, body, seg.first_index, off);
      if (!s.ok()) return std::move(s).Annotate(fmt::format("{} at offset {}", seg.path, off));
    }
    off += io::AlignUp(kBatchHeader + payload->size());
  }
  *end_offset = off;
  return Status::OK();
}

Status DiskLogStorage::ApplyRecord(uint8_t type, Slice in, LogIndex segment, uint64_t batch_offset) {
  auto bad = [] { return Status::Corruption("malformed log record"); };
  if (type == kHardState) {
    if (!GetVarint64(&in, &hard_state_.term) || !GetVarint64(&in, &hard_state_.vote) ||
        !GetVarint64(&in, &hard_state_.commit)) {
      return bad();
    }
    return Status::OK();
  }
  if (type == kSnapshotMark) {
    SnapshotMetadata m;
    if (!GetVarint64(&in, &m.index) || !GetVarint64(&in, &m.term) || !GetIds(&in, &m.conf.voters) ||
        !GetIds(&in, &m.conf.learners) || in.size() != 1) {
      return bad();
    }
    bool reset = in[0] == 1;
    // A mark at or past a gap covers it; a received snapshot replaces everything before it.
    if (reset || m.index >= missing_until_) missing_from_ = missing_until_ = 0;
    // A segment's start mark repeats the compaction point of its day, which a later mark
    // (or a gap left by deleted segments) may already have passed: older news, ignored.
    if (!reset && m.index < snapshot_.index) return Status::OK();
    DropThrough(reset ? LastIndexLocked() : std::min(m.index, LastIndexLocked()));
    snapshot_ = std::move(m);
    return Status::OK();
  }
  if (type != kEntry) return bad();
  Entry e;
  if (!DecodeEntry(in, &e)) return bad();
  LogIndex next = LastIndexLocked() + 1;
  if (e.index <= snapshot_.index) return Status::OK();  // covered by a snapshot replayed earlier
  if (e.index > next) {
    // Entries next .. e.index - 1 are not in the log. Legitimate only when the segments
    // holding them were deleted after a compaction: the snapshot mark that allowed it
    // comes later in the log (and fixes the term). Recover() checks that one did.
    missing_until_ = std::max(missing_until_, e.index - 1);
    if (missing_from_ == 0) missing_from_ = next;
    DropThrough(LastIndexLocked());
    snapshot_.index = e.index - 1;
  }
  AppendEntry(std::move(e), segment, batch_offset);  // a conflict drops the suffix first
  return Status::OK();
}

Status DiskLogStorage::StartSegment(LogIndex first_index) {
  Segment seg{first_index, options_.dir + "/" + SegmentName(first_index)};
  if (!segments_.empty() && segments_.back().first_index >= first_index) {
    // A conflict truncated the log below the active segment's start: keep names unique and
    // increasing; replay order, not the name, decides what the log holds.
    seg.first_index = segments_.back().first_index + 1;
    seg.path = options_.dir + "/" + SegmentName(seg.first_index);
  }
  STRATA_ASSIGN_OR_RETURN(auto file, options_.scheduler->Open(seg.path, {.create = true, .truncate = true,
                                                                         .direct = options_.direct_io}));
  STRATA_RETURN_IF_ERROR(file->Allocate(0, options_.segment_bytes));
  STRATA_RETURN_IF_ERROR(io::SyncDir(options_.dir));
  active_ = std::move(file);
  active_offset_ = 0;
  zeroed_to_ = 0;
  segments_.push_back(seg);
  // Every segment starts with the state that earlier segments would otherwise be needed
  // for, so deleting them never loses it.
  Bytes records;
  PutRecord(&records, kSnapshotMark, EncodeSnapshotMark(snapshot_, false));
  PutRecord(&records, kHardState, EncodeHardState(hard_state_));
  return WriteBatch(records).status();
}

// fallocate() leaves "unwritten" extents: the first write into each block makes fdatasync
// commit an extent conversion to the file system journal as well (measured on this ext4:
// 233 µs per 4 KiB write + fdatasync into fallocated space, 151 µs into written space). So
// the segment is zero-filled a stretch ahead of the write position, one large write that
// rides on the same fdatasync, and the commits after it overwrite initialised blocks.
Status DiskLogStorage::ZeroAhead(uint64_t end) {
  if (end <= zeroed_to_ || !options_.zero_fill) return Status::OK();
  uint64_t from = std::max(zeroed_to_, active_offset_);
  uint64_t to = std::min<uint64_t>(options_.segment_bytes, io::AlignUp(end + kZeroAheadBytes));
  if (to <= from) return Status::OK();
  io::AlignedBuffer zeros(to - from);
  std::memset(zeros.data(), 0, to - from);
  STRATA_RETURN_IF_ERROR(active_->WriteAt(io::IoClass::kRaftLog, from, zeros.slice()));
  zeroed_to_ = to;
  return Status::OK();
}

Result<uint64_t> DiskLogStorage::WriteBatch(const Bytes& records) {
  BatchBuilder batch(records.size());
  std::memcpy(batch.Reserve(records.size()), records.data(), records.size());
  return WriteSealed(batch.Seal());
}

Result<uint64_t> DiskLogStorage::WriteSealed(io::AlignedBuffer buf) {
  const size_t total = buf.size();
  STRATA_RETURN_IF_ERROR(ZeroAhead(active_offset_ + total));
  STRATA_RETURN_IF_ERROR(active_->WriteAt(io::IoClass::kRaftLog, active_offset_, buf.slice()));
  STRATA_RETURN_IF_ERROR(active_->DataSync(io::IoClass::kRaftLog));
  uint64_t at = active_offset_;
  active_offset_ += total;
  bytes_written_ += total;
  return at;
}

Status DiskLogStorage::Save(const HardState* hard_state, const std::vector<Entry>& entries) {
  if (!hard_state && entries.empty()) return Status::OK();
  if (!entries.empty()) {
    STRATA_CHECK(entries.front().index <= LastIndex() + 1);
    for (size_t i = 1; i < entries.size(); i++) STRATA_CHECK(entries[i].index == entries[i - 1].index + 1);
  }
  if (active_offset_ >= options_.segment_bytes) {
    STRATA_RETURN_IF_ERROR(StartSegment(entries.empty() ? LastIndex() + 1
                                                        : std::min(LastIndex() + 1, entries.front().index)));
  }
  // Group commit: one batch, unless the entries add up to more than one batch may carry
  // (several large transactions at once); then several, each written and synced in turn.
  // A crash between them keeps a prefix of unacknowledged entries, like a torn batch would.
  const uint64_t max_batch = std::min<uint64_t>(options_.max_batch_payload, kMaxBatchPayload);
  const LogIndex segment = segments_.back().first_index;
  const size_t n = entries.size();
  std::vector<size_t> record_size(n);
  for (size_t k = 0; k < n; k++) {
    size_t body = EntryBodySize(entries[k]);
    if (body + kRecordOverhead > max_batch)
      return Status::InvalidArgument(fmt::format("entry {} of {} bytes does not fit a log batch", entries[k].index, body));
    record_size[k] = RecordSize(body);
  }
  const Bytes hard = hard_state ? EncodeHardState(*hard_state) : Bytes();
  std::vector<uint64_t> batch_of;  // batch_of[k]: the offset of the batch holding entries[k]
  batch_of.reserve(n);
  size_t k = 0;
  do {
    size_t end = k, payload = 0;
    while (end < n && (end == k || payload + record_size[end] + kRecordOverhead <= max_batch)) payload += record_size[end++];
    const bool last = end == n;
    if (last && hard_state) payload += RecordSize(hard.size());
    BatchBuilder batch(payload);
    for (size_t i = k; i < end; i++) batch.AddEntry(entries[i]);
    if (last && hard_state) batch.AddRecord(kHardState, hard);
    STRATA_ASSIGN_OR_RETURN(uint64_t at, WriteSealed(batch.Seal()));
    batch_of.resize(end, at);
    k = end;
  } while (k < n);
  // Durable: now visible to readers.
  std::lock_guard lock(mu_);
  if (hard_state) hard_state_ = *hard_state;
  for (size_t k = 0; k < entries.size(); k++) {
    if (entries[k].index > snapshot_.index) AppendEntry(entries[k], segment, batch_of[k]);
  }
  return Status::OK();
}

Status DiskLogStorage::ApplySnapshot(const SnapshotMetadata& snapshot) {
  if (snapshot.index <= snapshot_.index) return Status::OK();
  Bytes records;
  PutRecord(&records, kSnapshotMark, EncodeSnapshotMark(snapshot, true));
  STRATA_RETURN_IF_ERROR(WriteBatch(records).status());
  std::lock_guard lock(mu_);
  DropThrough(LastIndexLocked());
  snapshot_ = snapshot;
  return Status::OK();
}

Status DiskLogStorage::Compact(LogIndex index, const ConfState& conf) {
  if (index <= snapshot_.index) return Status::OK();
  STRATA_CHECK(index <= LastIndex());
  SnapshotMetadata mark{index, *TermAt(index), conf};
  Bytes records;
  PutRecord(&records, kSnapshotMark, EncodeSnapshotMark(mark, false));
  STRATA_RETURN_IF_ERROR(WriteBatch(records).status());  // durable before any segment goes
  {
    std::lock_guard lock(mu_);
    DropThrough(index);
    snapshot_ = mark;
  }
  // A segment can go once the next one starts at or below index + 1: all it holds is older.
  size_t drop = 0;
  while (drop + 1 < segments_.size() && segments_[drop + 1].first_index <= index + 1) drop++;
  for (size_t i = 0; i < drop; i++) STRATA_RETURN_IF_ERROR(io::RemoveFile(segments_[i].path));
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<long>(drop));
  if (drop > 0) STRATA_RETURN_IF_ERROR(io::SyncDir(options_.dir));
  return Status::OK();
}

InitialState DiskLogStorage::GetInitialState() const {
  std::lock_guard lock(mu_);
  return InitialState{hard_state_, snapshot_};
}

Result<std::vector<Entry>> DiskLogStorage::Entries(LogIndex lo, LogIndex hi, uint64_t max_bytes) const {
  std::vector<Slot> on_disk;  // entries lo .. lo + on_disk.size() - 1, older than the tail
  std::vector<Entry> out;
  {
    std::lock_guard lock(mu_);
    if (lo <= snapshot_.index || hi > LastIndexLocked() + 1 || lo > hi) {
      return Status::InvalidArgument(fmt::format("entries [{}, {}) outside the log ({}, {}]", lo, hi,
                                                 snapshot_.index, LastIndexLocked()));
    }
    const LogIndex tail_from = LastIndexLocked() + 1 - tail_.size();
    uint64_t bytes = 0;
    for (LogIndex i = lo; i < hi; i++) {
      const Slot& slot = slots_[i - snapshot_.index - 1];
      if (i > lo && bytes + slot.size > max_bytes) break;
      bytes += slot.size;
      if (i < tail_from) {
        on_disk.push_back(slot);
      } else {
        out.push_back(Entry{slot.term, i, slot.type, tail_[i - tail_from]});
      }
    }
  }
  if (on_disk.empty()) return out;
  // Read without the lock: only the writer deletes segments, and a file deleted meanwhile
  // fails the read (the core then treats the range as compacted).
  STRATA_ASSIGN_OR_RETURN(std::vector<Entry> older, ReadEntries(lo, on_disk));
  older.insert(older.end(), std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()));
  return older;
}

Result<std::vector<Entry>> DiskLogStorage::ReadEntries(LogIndex lo, const std::vector<Slot>& slots) const {
  std::vector<Entry> out(slots.size());
  std::unique_ptr<io::File> file;
  std::optional<SegmentReader> reader;
  LogIndex file_segment = 0;
  for (size_t k = 0; k < slots.size();) {
    const Slot& slot = slots[k];
    std::string path = options_.dir + "/" + SegmentName(slot.segment);
    if (!file || file_segment != slot.segment) {
      STRATA_ASSIGN_OR_RETURN(file, options_.scheduler->Open(path, {.read_only = true, .direct = options_.direct_io}));
      STRATA_ASSIGN_OR_RETURN(uint64_t size, file->Size());
      reader.emplace(file.get(), size, SegmentReader::kReadBackWindow);
      file_segment = slot.segment;
    }
    auto damaged = [&] {
      return Status::Corruption(fmt::format("{}: the batch at offset {} holding entry {} is damaged", path,
                                            slot.batch_offset, lo + k));
    };
    STRATA_ASSIGN_OR_RETURN(std::optional<Slice> payload, reader->BatchAt(slot.batch_offset));  // checksums verified
    if (!payload) return damaged();
    {
      std::lock_guard lock(mu_);
      disk_reads_++;
    }
    // Take every wanted entry this batch holds.
    size_t first = k;
    for (Slice in = *payload; !in.empty();) {
      uint8_t type = static_cast<uint8_t>(in[0]);
      in.remove_prefix(1);
      Slice body;
      if (!GetLengthPrefixed(&in, &body)) return damaged();
      if (type != kEntry) continue;
      Entry e;
      if (!DecodeEntry(body, &e)) return damaged();
      if (e.index < lo + first || e.index >= lo + slots.size()) continue;
      const Slot& want = slots[e.index - lo];
      if (want.segment != slot.segment || want.batch_offset != slot.batch_offset) continue;
      if (e.term != want.term || e.data.size() != want.size) return damaged();
      size_t at = e.index - lo;
      out[at] = std::move(e);
    }
    while (k < slots.size() && slots[k].segment == slot.segment && slots[k].batch_offset == slot.batch_offset) k++;
    for (size_t j = first; j < k; j++) {
      if (out[j].index != lo + j) return damaged();  // the slot said this batch holds it
    }
  }
  return out;
}

Result<Term> DiskLogStorage::TermAt(LogIndex i) const {
  std::lock_guard lock(mu_);
  if (i == snapshot_.index) return snapshot_.term;
  if (i < snapshot_.index || i > LastIndexLocked()) {
    return Status::InvalidArgument(fmt::format("term of index {} outside the log", i));
  }
  return slots_[i - snapshot_.index - 1].term;
}

LogIndex DiskLogStorage::FirstIndex() const {
  std::lock_guard lock(mu_);
  return snapshot_.index + 1;
}

LogIndex DiskLogStorage::LastIndex() const {
  std::lock_guard lock(mu_);
  return LastIndexLocked();
}

Result<Snapshot> DiskLogStorage::GetSnapshot() const {
  std::lock_guard lock(mu_);
  return Snapshot{snapshot_, {}};
}

uint64_t DiskLogStorage::cached_bytes() const {
  std::lock_guard lock(mu_);
  return tail_bytes_;
}

uint64_t DiskLogStorage::disk_reads() const {
  std::lock_guard lock(mu_);
  return disk_reads_;
}

// --- the in-memory log ---------------------------------------------------------------

void DiskLogStorage::AppendEntry(Entry e, LogIndex segment, uint64_t batch_offset) {
  DropFrom(e.index);
  STRATA_CHECK(e.index == LastIndexLocked() + 1);
  slots_.push_back(Slot{e.term, segment, batch_offset, static_cast<uint32_t>(e.data.size()), e.type});
  tail_bytes_ += e.data.size();
  tail_.push_back(std::move(e.data));
  // The bounded tail: the oldest cached data goes first (it stays readable from disk).
  while (tail_bytes_ > options_.cache_bytes && !tail_.empty()) {
    tail_bytes_ -= tail_.front().size();
    tail_.pop_front();
  }
}

void DiskLogStorage::DropFrom(LogIndex index) {
  while (!slots_.empty() && LastIndexLocked() >= index) {
    slots_.pop_back();
    if (tail_.size() > slots_.size()) {
      tail_bytes_ -= tail_.back().size();
      tail_.pop_back();
    }
  }
}

void DiskLogStorage::DropThrough(LogIndex index) {
  size_t n = index > snapshot_.index ? std::min<size_t>(index - snapshot_.index, slots_.size()) : 0;
  for (size_t k = slots_.size() - tail_.size(); k < n; k++) {
    tail_bytes_ -= tail_.front().size();
    tail_.pop_front();
  }
  slots_.erase(slots_.begin(), slots_.begin() + static_cast<ptrdiff_t>(n));
}

size_t DiskLogStorage::segment_count() const { return segments_.size(); }

}  // namespace strata::raft
