#include "storage/lsm/manifest.h"

#include <fmt/format.h>

#include "common/checksum.h"
#include "common/coding.h"
#include "io/file_util.h"

namespace strata::storage::lsm {

constexpr size_t kRecordHeader = 12;
constexpr uint32_t kMaxRecord = 64 << 20;

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
  return w;
}

Status ManifestWriter::Append(const VersionEdit& edit) {
  Bytes payload = edit.Encode();
  if (payload.size() > kMaxRecord) return Status::ResourceExhausted("MANIFEST record too large");
  Bytes record;
  PutFixed32(&record, static_cast<uint32_t>(payload.size()));
  PutFixed64(&record, Checksum64(payload));
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
  Slice in(data);
  while (!in.empty()) {
    uint64_t offset = data.size() - in.size();
    if (in.size() < kRecordHeader) {
      out.torn_tail = true;
      break;
    }
    uint32_t len = DecodeFixed32(in.data());
    uint64_t checksum = DecodeFixed64(in.data() + 4);
    if (len > kMaxRecord || kRecordHeader + len > in.size()) {
      out.torn_tail = true;  // the record runs past the end: it was being appended
      break;
    }
    Slice payload = in.substr(kRecordHeader, len);
    in.remove_prefix(kRecordHeader + len);
    if (Checksum64(payload) != checksum) {
      if (in.empty()) {
        out.torn_tail = true;
        break;
      }
      return Status::Corruption(fmt::format("{}: checksum mismatch in record at offset {}", path, offset));
    }
    auto edit = VersionEdit::Decode(payload);
    if (!edit.ok()) {
      return Status::Corruption(fmt::format("{}: {} at offset {}", path, edit.status().message(), offset));
    }
    out.edits.push_back(std::move(edit).value());
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
