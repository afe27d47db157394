#include "node/snapshot_file.h"

#include <functional>

#include <fmt/format.h>

#include "common/checksum.h"
#include "common/coding.h"
#include "io/io.h"

namespace strata::node {

namespace {

constexpr char kMagic[8] = {'S', 'T', 'R', 'A', 'S', 'N', 'A', 'P'};
constexpr uint32_t kVersion = 1;
constexpr size_t kFileHeaderBytes = 24;
constexpr size_t kBlockHeaderBytes = 17;
enum BlockKind : uint8_t { kRecords = 1, kEnd = 2 };

// Appends blocks at the end of an open file.
class BlockWriter {
 public:
  explicit BlockWriter(io::File* file) : file_(file) {}

  Status WriteFileHeader(uint64_t applied_index) {
    Bytes h(kMagic, sizeof(kMagic));
    PutFixed32(&h, kVersion);
    PutFixed64(&h, applied_index);
    PutFixed32(&h, Checksum32(h));
    return Append(h);
  }

  Status WriteBlock(BlockKind kind, Slice payload) {
    STRATA_CHECK(payload.size() <= kMaxSnapshotBlockBytes);
    Bytes block(1, static_cast<char>(kind));
    PutFixed32(&block, static_cast<uint32_t>(payload.size()));
    PutFixed64(&block, Checksum64(payload));
    PutFixed32(&block, Checksum32(block));
    block.append(payload);
    return Append(block);
  }

 private:
  Status Append(Slice data) {
    STRATA_RETURN_IF_ERROR(file_->WriteAt(io::IoClass::kSnapshot, offset_, data));
    offset_ += data.size();
    return Status::OK();
  }
  io::File* file_;
  uint64_t offset_ = 0;
};

// Reads a snapshot file block by block, checking every checksum; `on_records` gets each
// records block's payload (valid during the call only).
Result<SnapshotFileSummary> ReadSnapshotFile(io::Scheduler& io, const std::string& path,
                                             const std::function<Status(Slice)>& on_records) {
  STRATA_ASSIGN_OR_RETURN(auto file, io.Open(path, {.read_only = true}));
  STRATA_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  auto damaged = [&](uint64_t offset, std::string_view what) {
    return Status::Corruption(fmt::format("snapshot file {} at offset {}: {}", path, offset, what));
  };
  if (size < kFileHeaderBytes) return damaged(0, "shorter than its header");
  char header[kFileHeaderBytes];
  STRATA_RETURN_IF_ERROR(file->ReadExact(io::IoClass::kSnapshot, 0, header, sizeof(header)));
  if (Slice(header, sizeof(kMagic)) != Slice(kMagic, sizeof(kMagic))) return damaged(0, "bad magic");
  if (DecodeFixed32(header + 20) != Checksum32(Slice(header, 20))) return damaged(0, "header checksum mismatch");
  if (DecodeFixed32(header + 8) != kVersion)
    return damaged(8, fmt::format("unsupported version {}", DecodeFixed32(header + 8)));
  SnapshotFileSummary summary;
  summary.applied_index = DecodeFixed64(header + 12);

  uint64_t offset = kFileHeaderBytes, records = 0;
  Bytes payload;
  while (true) {
    if (offset + kBlockHeaderBytes > size) return damaged(offset, "truncated: no end block");
    char bh[kBlockHeaderBytes];
    STRATA_RETURN_IF_ERROR(file->ReadExact(io::IoClass::kSnapshot, offset, bh, sizeof(bh)));
    if (DecodeFixed32(bh + 13) != Checksum32(Slice(bh, 13))) return damaged(offset, "block header checksum mismatch");
    uint8_t kind = static_cast<uint8_t>(bh[0]);
    uint32_t len = DecodeFixed32(bh + 1);
    if (len > kMaxSnapshotBlockBytes || offset + kBlockHeaderBytes + len > size)
      return damaged(offset, fmt::format("block of {} bytes does not fit", len));
    payload.resize(len);
    STRATA_RETURN_IF_ERROR(file->ReadExact(io::IoClass::kSnapshot, offset + kBlockHeaderBytes, payload.data(), len));
    if (Checksum64(payload) != DecodeFixed64(bh + 5)) return damaged(offset, "block checksum mismatch");
    if (kind == kEnd) {
      if (len != 8 || DecodeFixed64(payload.data()) != records) return damaged(offset, "record count mismatch");
      if (offset + kBlockHeaderBytes + len != size) return damaged(offset, "data after the end block");
      summary.records = records;
      return summary;
    }
    if (kind != kRecords) return damaged(offset, fmt::format("unknown block kind {}", kind));
    Slice in(payload), key, value;
    while (!in.empty()) {
      if (!GetLengthPrefixed(&in, &key) || !GetLengthPrefixed(&in, &value)) return damaged(offset, "malformed record");
      records++;
    }
    if (on_records) STRATA_RETURN_IF_ERROR(on_records(payload));
    offset += kBlockHeaderBytes + len;
  }
}

// Deletes every key of the engine in one batch: a range deletion up to the last key plus
// that key (no finite bound lies above every possible key).
Status DeleteEverything(storage::Engine& engine) {
  auto it = engine.NewIterator({});
  it->SeekToLast();
  STRATA_RETURN_IF_ERROR(it->status());
  if (!it->Valid()) return Status::OK();
  Bytes last(it->key());
  storage::WriteBatch batch;
  if (!last.empty()) batch.DeleteRange(Slice(), last);
  batch.Delete(last);
  return engine.Write(batch);
}

}  // namespace

Result<SnapshotFileSummary> WriteSnapshotFile(storage::Engine& engine, io::Scheduler& io,
                                              const std::string& path, uint64_t applied_index) {
  std::string tmp = path + ".tmp";
  SnapshotFileSummary summary{.applied_index = applied_index};
  {
    STRATA_ASSIGN_OR_RETURN(auto file, io.Open(tmp, {.create = true, .truncate = true}));
    BlockWriter writer(file.get());
    STRATA_RETURN_IF_ERROR(writer.WriteFileHeader(applied_index));
    std::shared_ptr<const storage::Snapshot> snapshot = engine.GetSnapshot();
    storage::ReadOptions ro;
    ro.snapshot = snapshot.get();
    ro.fill_cache = false;  // a full scan must not evict the working set
    auto it = engine.NewIterator(ro);
    Bytes block;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      PutLengthPrefixed(&block, it->key());
      PutLengthPrefixed(&block, it->value());
      summary.records++;
      if (block.size() >= kSnapshotBlockBytes) {
        STRATA_RETURN_IF_ERROR(writer.WriteBlock(kRecords, block));
        block.clear();
      }
    }
    STRATA_RETURN_IF_ERROR(it->status());
    if (!block.empty()) STRATA_RETURN_IF_ERROR(writer.WriteBlock(kRecords, block));
    Bytes end;
    PutFixed64(&end, summary.records);
    STRATA_RETURN_IF_ERROR(writer.WriteBlock(kEnd, end));
    STRATA_RETURN_IF_ERROR(file->Sync(io::IoClass::kSnapshot));
  }
  STRATA_RETURN_IF_ERROR(io::RenameFile(tmp, path));
  size_t slash = path.rfind('/');
  STRATA_RETURN_IF_ERROR(io::SyncDir(slash == std::string::npos ? "." : path.substr(0, slash)));
  return summary;
}

Result<SnapshotFileSummary> VerifySnapshotFile(io::Scheduler& io, const std::string& path) {
  return ReadSnapshotFile(io, path, nullptr);
}

Result<SnapshotFileSummary> LoadSnapshotFile(io::Scheduler& io, const std::string& path,
                                             storage::Engine& engine) {
  STRATA_RETURN_IF_ERROR(DeleteEverything(engine));
  STRATA_ASSIGN_OR_RETURN(SnapshotFileSummary summary, ReadSnapshotFile(io, path, [&](Slice payload) {
    storage::WriteBatch batch;  // one block, about kSnapshotBlockBytes
    Slice key, value;
    while (GetLengthPrefixed(&payload, &key) && GetLengthPrefixed(&payload, &value)) batch.Put(key, value);
    return engine.Write(batch);
  }));
  storage::WriteBatch mark;
  mark.SetAppliedIndex(summary.applied_index);
  STRATA_RETURN_IF_ERROR(engine.Write(mark));
  return summary;
}

}  // namespace strata::node
