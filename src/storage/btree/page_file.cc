#include "storage/btree/page_file.h"

#include <fmt/format.h>

#include <vector>

#include "common/checksum.h"
#include "obs/log.h"

namespace strata::storage::btree {

namespace {

constexpr size_t kMetaBytes = 4096;  // one direct-I/O block: written whole or not at all
constexpr char kMagic[8] = {'S', 'T', 'B', 'T', 'R', 'E', 'E', '1'};
constexpr uint32_t kFormatVersion = 1;

void EncodeMeta(const Meta& m, char* out) {
  std::memset(out, 0, kMetaBytes);
  std::memcpy(out + 8, kMagic, 8);
  auto put32 = [&](size_t at, uint32_t v) { std::memcpy(out + at, &v, 4); };
  auto put64 = [&](size_t at, uint64_t v) { std::memcpy(out + at, &v, 8); };
  put32(16, kFormatVersion);
  put32(20, static_cast<uint32_t>(kPageSize));
  put64(24, m.generation);
  put64(32, m.epoch);
  put64(40, m.prev_epoch);
  put32(48, m.root);
  put32(52, m.height);
  put64(56, m.applied_index);
  put64(64, m.page_count);
  put32(72, m.free_list);
  put64(80, m.free_count);
  put64(88, m.held_count);
  put64(0, Checksum64(Slice(out + 8, kMetaBytes - 8)));
}

// nullopt when the slot holds no valid meta (never written, torn, or damaged).
std::optional<Meta> DecodeMeta(const char* in) {
  if (std::memcmp(in + 8, kMagic, 8) != 0) return std::nullopt;
  if (DecodeFixed64(in) != Checksum64(Slice(in + 8, kMetaBytes - 8))) return std::nullopt;
  if (DecodeFixed32(in + 16) != kFormatVersion || DecodeFixed32(in + 20) != kPageSize) return std::nullopt;
  Meta m;
  m.generation = DecodeFixed64(in + 24);
  m.epoch = DecodeFixed64(in + 32);
  m.prev_epoch = DecodeFixed64(in + 40);
  m.root = DecodeFixed32(in + 48);
  m.height = DecodeFixed32(in + 52);
  m.applied_index = DecodeFixed64(in + 56);
  m.page_count = DecodeFixed64(in + 64);
  m.free_list = DecodeFixed32(in + 72);
  m.free_count = DecodeFixed64(in + 80);
  m.held_count = DecodeFixed64(in + 88);
  return m;
}

bool AllZero(const char* p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] != 0) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<PageFile>> PageFile::Open(io::Scheduler* scheduler, const std::string& path, bool direct) {
  STRATA_ASSIGN_OR_RETURN(auto file, scheduler->Open(path, {.create = true, .direct = direct}));
  return std::unique_ptr<PageFile>(new PageFile(scheduler, std::move(file)));
}

Status PageFile::Read(PageId id, char* buf, io::IoClass io_class) {
  STRATA_RETURN_IF_ERROR(file_->ReadExact(io_class, static_cast<uint64_t>(id) * kPageSize, buf, kPageSize));
  pages_read_.fetch_add(1, std::memory_order_relaxed);
  return VerifyPage(buf, id);
}

Status PageFile::Write(std::span<const std::pair<PageId, char*>> pages, io::IoClass io_class) {
  std::vector<io::Request> requests(pages.size());
  for (size_t i = 0; i < pages.size(); i++) {
    auto [id, buf] = pages[i];
    STRATA_CHECK(id >= kFirstDataPage && HeaderPageId(buf) == id);
    SealPage(buf);
    io::Request& r = requests[i];
    r.op = io::IoOp::kWrite;
    r.io_class = io_class;
    r.file = file_.get();
    r.offset = static_cast<uint64_t>(id) * kPageSize;
    r.buf = buf;
    r.len = kPageSize;
  }
  if (requests.empty()) return Status::OK();
  STRATA_RETURN_IF_ERROR(scheduler_->SubmitAndWait(requests));
  pages_written_.fetch_add(pages.size(), std::memory_order_relaxed);
  return Status::OK();
}

Status PageFile::Sync(io::IoClass io_class) { return file_->DataSync(io_class); }

Result<uint64_t> PageFile::SizeInPages() const {
  STRATA_ASSIGN_OR_RETURN(uint64_t bytes, file_->Size());
  return bytes / kPageSize;
}

Result<std::optional<Meta>> PageFile::ReadMeta() {
  STRATA_ASSIGN_OR_RETURN(uint64_t bytes, file_->Size());
  if (bytes == 0) return std::optional<Meta>();
  io::AlignedBuffer buf(kMetaBytes);
  std::optional<Meta> best;
  for (PageId slot = 0; slot < 2; slot++) {
    uint64_t offset = static_cast<uint64_t>(slot) * kPageSize;
    if (offset + kMetaBytes > bytes) continue;
    STRATA_RETURN_IF_ERROR(file_->ReadExact(io::IoClass::kForegroundRead, offset, buf.data(), kMetaBytes));
    std::optional<Meta> m = DecodeMeta(buf.data());
    if (!m) {
      // A slot never written is all zeros. Anything else is a torn write of a checkpoint
      // that never completed, or damage: either way the other slot is the checkpoint.
      if (!AllZero(buf.data(), kMetaBytes)) {
        obs::Warn("btree", "ignoring an invalid meta slot", {{"path", path()}, {"slot", static_cast<uint64_t>(slot)}});
      }
      continue;
    }
    if (m->generation % 2 != slot) continue;  // written to the wrong slot: not ours
    if (!best || m->generation > best->generation) best = m;
  }
  if (!best) return Status::Corruption("btree file " + path() + ": no valid meta page");
  return best;
}

Status PageFile::WriteMeta(const Meta& meta, io::IoClass io_class) {
  io::AlignedBuffer buf(kMetaBytes);
  EncodeMeta(meta, buf.data());
  uint64_t offset = (meta.generation % 2) * kPageSize;
  return file_->WriteAt(io_class, offset, Slice(buf.data(), kMetaBytes));
}

}  // namespace strata::storage::btree
