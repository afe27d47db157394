#include "storage/lsm/manifest.h"

#include <fmt/format.h>

#include <optional>

#include "common/checksum.h"
#include "common/coding.h"
#include "io/file_util.h"

namespace strata::storage::lsm {

namespace {

// Format 2 (docs/sst_format.md): a file header, then records whose header carries its own
// checksum, so a damaged length is caught instead of being read as a torn tail.
constexpr uint32_t kManifestMagic = 0x464d5453;  // "STMF"; larger than any format-1 length
constexpr uint32_t kManifestVersion = 2;
constexpr size_t kFileHeader = 8;        // magic fixed32 | version fixed32
constexpr size_t kRecordHeaderV1 = 12;   // length fixed32 | payload checksum fixed64
constexpr size_t kRecordHeader = 16;     // ... | header checksum fixed32 (of the 12 bytes before)
constexpr uint32_t kMaxRecord = 64 << 20;
static_assert(kManifestMagic > kMaxRecord, "a format-1 file must not start with the magic");

// The payload of an intact format-2 record at the start of `in`, if there is one.
std::optional<Slice> RecordAt(Slice in) {
  if (in.size() < kRecordHeader) return std::nullopt;
  if (DecodeFixed32(in.data() + 12) != Checksum32(in.substr(0, 12))) return std::nullopt;
  uint32_t len = DecodeFixed32(in.data());
  if (len > kMaxRecord || kRecordHeader + len > in.size()) return std::nullopt;
  Slice payload = in.substr(kRecordHeader, len);
  if (Checksum64(payload) != DecodeFixed64(in.data() + 4)) return std::nullopt;
  return payload;
}

Status AddEdit(const std::string& path, uint64_t offset, Slice payload, ManifestContents* out) {
  auto edit = VersionEdit::Decode(payload);
  if (!edit.ok()) return Status::Corruption(fmt::format("{}: {} at offset {}", path, edit.status().message(), offset));
  out->edits.push_back(std::move(edit).value());
  return Status::OK();
}

// Format 1 (no file header; lengths not checksummed), read for MANIFESTs written before
// format 2. The engine writes a fresh format-2 MANIFEST at every open.
Status ReadRecordsV1(const std::string& path, Slice data, ManifestContents* out) {
  Slice in = data;
  while (!in.empty()) {
    uint64_t offset = data.size() - in.size();
    if (in.size() < kRecordHeaderV1) {
      out->torn_tail = true;
      break;
    }
    uint32_t len = DecodeFixed32(in.data());
    uint64_t checksum = DecodeFixed64(in.data() + 4);
    if (len > kMaxRecord || kRecordHeaderV1 + len > in.size()) {
      out->torn_tail = true;  // the record runs past the end: it was being appended
      break;
    }
    Slice payload = in.substr(kRecordHeaderV1, len);
    in.remove_prefix(kRecordHeaderV1 + len);
    if (Checksum64(payload) != checksum) {
      if (in.empty()) {
        out->torn_tail = true;
        break;
      }
      return Status::Corruption(fmt::format("{}: checksum mismatch in record at offset {}", path, offset));
    }
    STRATA_RETURN_IF_ERROR(AddEdit(path, offset, payload, out));
  }
  return Status::OK();
}

Status ReadRecordsV2(const std::string& path, Slice data, ManifestContents* out) {
  uint64_t offset = kFileHeader;
  while (offset < data.size()) {
    Slice in = data.substr(offset);
    if (std::optional<Slice> payload = RecordAt(in)) {
      STRATA_RETURN_IF_ERROR(AddEdit(path, offset, *payload, out));
      offset += kRecordHeader + payload->size();
      continue;
    }
    // Not an intact record. Records are appended one at a time, each synced before the
    // next, so only the last can be partial: if an intact record starts anywhere after
    // this one, an acknowledged edit is damaged.
    for (uint64_t later = offset + 1; later + kRecordHeader <= data.size(); later++) {
      if (RecordAt(data.substr(later))) {
        return Status::Corruption(fmt::format("{}: damaged record at offset {} before an intact one at offset {}",
                                              path, offset, later));
      }
    }
    out->torn_tail = true;
    break;
  }
  return Status::OK();
}

}  // namespace

std::string ManifestFileName(uint64_t number) { return fmt::format("MANIFEST-{:06}", number); }
std::string TableFileName(uint64_t number) { return fmt::format("{:06}.sst", number); }

bool ParseTableFileName(std::string_view name, uint64_t* number) {
  // At least 6 digits (zero-padded), up to 20 (any uint64), then ".sst".
  if (!name.ends_with(".sst")) return false;
  std::string_view digits = name.substr(0, name.size() - 4);
  if (digits.size() < 6 || digits.size() > 20) return false;
  uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    uint64_t next = n * 10 + static_cast<uint64_t>(c - '0');
    if (next / 10 != n) return false;  // overflow
    n = next;
  }
  if (TableFileName(n) != name) return false;  // one spelling per number
  *number = n;
  return true;
}

Result<std::unique_ptr<ManifestWriter>> ManifestWriter::Create(io::Scheduler* scheduler, const std::string& path) {
  auto w = std::unique_ptr<ManifestWriter>(new ManifestWriter());
  STRATA_ASSIGN_OR_RETURN(w->file_, scheduler->Open(path, {.create = true, .truncate = true}));
  // Made durable with the first record (Append syncs); CURRENT names the file only after.
  Bytes header;
  PutFixed32(&header, kManifestMagic);
  PutFixed32(&header, kManifestVersion);
  STRATA_RETURN_IF_ERROR(w->file_->WriteAt(io::IoClass::kFlush, 0, header));
  w->offset_ = header.size();
  return w;
}

Status ManifestWriter::Append(const VersionEdit& edit) {
  Bytes payload = edit.Encode();
  if (payload.size() > kMaxRecord) return Status::ResourceExhausted("MANIFEST record too large");
  Bytes record;
  PutFixed32(&record, static_cast<uint32_t>(payload.size()));
  PutFixed64(&record, Checksum64(payload));
  PutFixed32(&record, Checksum32(Slice(record.data(), 12)));
  record += payload;
  STRATA_RETURN_IF_ERROR(file_->WriteAt(io::IoClass::kFlush, offset_, record));
  STRATA_RETURN_IF_ERROR(file_->DataSync(io::IoClass::kFlush));
  offset_ += record.size();
  return Status::OK();
}

Result<ManifestContents> ReadManifest(io::Scheduler* scheduler, const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(auto file, scheduler->Open(path, {.read_only = true}));
  STRATA_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  Bytes data(size, '\0');
  STRATA_ASSIGN_OR_RETURN(size_t got, file->ReadAt(io::IoClass::kForegroundRead, 0, data.data(), size));
  data.resize(got);
  ManifestContents out;
  if (data.size() >= 4 && DecodeFixed32(data.data()) == kManifestMagic) {
    if (data.size() < kFileHeader || DecodeFixed32(data.data() + 4) != kManifestVersion) {
      return Status::Corruption(fmt::format("{}: unknown MANIFEST format version", path));
    }
    STRATA_RETURN_IF_ERROR(ReadRecordsV2(path, data, &out));
  } else {
    STRATA_RETURN_IF_ERROR(ReadRecordsV1(path, data, &out));
  }
  if (out.edits.empty()) return Status::Corruption(path + ": no complete record");
  return out;
}

Status SetCurrentManifest(const std::string& dir, uint64_t manifest_number) {
  return io::WriteFileAtomically(dir + "/CURRENT", ManifestFileName(manifest_number) + "\n");
}

Result<std::string> ReadCurrentManifest(const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(std::string text, io::ReadSmallFile(dir + "/CURRENT", 256));
  if (text.empty() || text.back() != '\n' || text.rfind("MANIFEST-", 0) != 0) {
    return Status::Corruption(dir + "/CURRENT: malformed");
  }
  text.pop_back();
  return text;
}

}  // namespace strata::storage::lsm
