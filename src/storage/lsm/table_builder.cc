#include "storage/lsm/table_builder.h"

#include "common/check.h"
#include "storage/lsm/internal_key.h"

namespace strata::storage::lsm {

constexpr size_t kWriteChunk = 1 << 20;

TableBuilder::TableBuilder(const TableOptions& options, io::File* file, io::IoClass io_class,
                           BlockCache* cache, uint64_t file_number, io::Scheduler* scheduler)
    : options_(options),
      file_(file),
      io_class_(io_class),
      cache_(cache),
      file_number_(file_number),
      scheduler_(scheduler),
      data_(options.restart_interval),
      index_(1),
      bloom_(options.bloom_bits_per_key) {}

constexpr size_t kMaxWritesInFlight = 4;

TableBuilder::~TableBuilder() {
  while (!in_flight_.empty()) WaitOldestWrite();
}

void TableBuilder::WaitOldestWrite() {
  InFlight& w = *in_flight_.front();
  w.done.Wait();
  if (status_.ok() && !w.request.status.ok()) status_ = w.request.status;
  in_flight_.pop_front();
}

void TableBuilder::Add(Slice internal_key, Slice value) {
  STRATA_CHECK(last_key_.empty() || CompareInternalKeys(last_key_, internal_key) < 0);
  if (!status_.ok()) return;
  if (entries_ == 0) smallest_.assign(internal_key);
  Slice user_key = ExtractUserKey(internal_key);
  if (entries_ == 0 || user_key != Slice(last_user_key_)) {
    bloom_.AddKey(user_key);
    last_user_key_.assign(user_key);
  }
  data_.Add(internal_key, value);
  last_key_.assign(internal_key);
  entries_++;
  if (data_.CurrentSizeEstimate() >= options_.block_size) FlushDataBlock();
}

void TableBuilder::FlushDataBlock() {
  if (data_.empty()) return;
  Slice raw = data_.Finish();
  BlockHandle h = WriteBlock(raw, options_.compression);
  if (cache_) cache_->Insert(file_number_, h.offset, std::make_shared<const Bytes>(raw));
  data_.Reset();
  Bytes handle;
  h.EncodeTo(&handle);
  index_.Add(last_key_, handle);  // the block's last key: Seek finds the first block >= target
}

BlockHandle TableBuilder::WriteBlock(Slice raw, Compression c) {
  Compression used;
  Bytes stored = CompressBlock(raw, c, &used);
  BlockHandle h{offset_, stored.size()};
  AppendBlockTrailer(&stored, used);
  pending_ += stored;
  offset_ += stored.size();
  if (pending_.size() >= kWriteChunk) WriteOut(false);
  return h;
}

void TableBuilder::WriteOut(bool final) {
  if (!status_.ok()) return;
  size_t n = final ? io::AlignUp(pending_.size()) : io::AlignDown(pending_.size());
  if (n == 0) return;
  io::AlignedBuffer buf(n);
  std::memcpy(buf.data(), pending_.data(), std::min(n, pending_.size()));
  if (n > pending_.size()) std::memset(buf.data() + pending_.size(), 0, n - pending_.size());
  if (scheduler_) {
    if (in_flight_.size() >= kMaxWritesInFlight) WaitOldestWrite();
    auto w = std::make_unique<InFlight>();
    w->buf = std::move(buf);
    w->request.op = io::IoOp::kWrite;
    w->request.io_class = io_class_;
    w->request.file = file_;
    w->request.offset = written_;
    w->request.buf = w->buf.data();
    w->request.len = n;
    scheduler_->Submit(std::span<io::Request>(&w->request, 1), &w->done);
    in_flight_.push_back(std::move(w));
  } else {
    status_ = file_->WriteAt(io_class_, written_, buf.slice());
  }
  written_ += n;
  pending_.erase(0, std::min(n, pending_.size()));
}

Status TableBuilder::Finish() {
  FlushDataBlock();
  largest_ = last_key_;
  Footer footer;
  footer.entries = entries_;
  footer.filter = WriteBlock(bloom_.Finish(), Compression::kNone);
  footer.index = WriteBlock(index_.Finish(), Compression::kNone);
  Bytes f = footer.Encode();
  pending_ += f;
  offset_ += f.size();
  WriteOut(true);
  while (!in_flight_.empty()) WaitOldestWrite();
  STRATA_RETURN_IF_ERROR(status_);
  STRATA_RETURN_IF_ERROR(file_->Truncate(offset_));
  return file_->Sync(io_class_);
}

}  // namespace strata::storage::lsm
