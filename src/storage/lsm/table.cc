#include "storage/lsm/table.h"

#include <fmt/format.h>

#include <algorithm>

#include "storage/lsm/block.h"
#include "storage/lsm/bloom.h"
#include "storage/lsm/table_format.h"

namespace strata::storage::lsm {
namespace {

int CompareIk(Slice a, Slice b) { return CompareInternalKeys(a, b); }

// Walks the index block and, inside it, one data block at a time.
class TwoLevelIterator final : public InternalIterator {
 public:
  TwoLevelIterator(std::shared_ptr<Table> table, bool fill_cache, bool foreground)
      : table_(std::move(table)),
        index_(NewBlockIterator(table_->index_block(), CompareIk, nullptr, /*layout_checked=*/true)),
        fill_cache_(fill_cache),
        foreground_(foreground) {}

  bool Valid() const override { return data_ && data_->Valid(); }
  Slice key() const override { return data_->key(); }
  Slice value() const override { return data_->value(); }
  Status status() const override {
    if (!status_.ok()) return status_;
    if (!index_->status().ok()) return index_->status();
    return data_ ? data_->status() : Status::OK();
  }

  void SeekToFirst() override {
    index_->SeekToFirst();
    LoadBlock();
    if (data_) data_->SeekToFirst();
    SkipEmptyForward();
  }
  void SeekToLast() override {
    index_->SeekToLast();
    LoadBlock();
    if (data_) data_->SeekToLast();
    SkipEmptyBackward();
  }
  void Seek(Slice target) override {
    index_->Seek(target);
    LoadBlock();
    if (data_) data_->Seek(target);
    SkipEmptyForward();
  }
  void Next() override {
    data_->Next();
    SkipEmptyForward();
  }
  void Prev() override {
    data_->Prev();
    SkipEmptyBackward();
  }

 private:
  void LoadBlock() {
    data_.reset();
    if (!index_->Valid() || !status_.ok()) return;
    auto block = table_->DataBlock(index_->value(), fill_cache_, foreground_, &readahead_);
    if (!block.ok()) {
      status_ = block.status();
      return;
    }
    BlockRef ref = *block;
    data_ = NewBlockIterator(*ref, CompareIk, ref, /*layout_checked=*/true);
  }
  void SkipEmptyForward() {
    while (data_ && !data_->Valid() && data_->status().ok()) {
      index_->Next();
      LoadBlock();
      if (data_) data_->SeekToFirst();
    }
  }
  void SkipEmptyBackward() {
    while (data_ && !data_->Valid() && data_->status().ok()) {
      index_->Prev();
      LoadBlock();
      if (data_) data_->SeekToLast();
    }
  }

  std::shared_ptr<Table> table_;
  std::unique_ptr<InternalIterator> index_;
  std::unique_ptr<InternalIterator> data_;
  bool fill_cache_, foreground_;
  Table::Readahead readahead_;
  Status status_;
};

}  // namespace

Result<std::shared_ptr<Table>> Table::Open(std::unique_ptr<io::File> file, uint64_t file_number,
                                           uint64_t file_size, std::shared_ptr<BlockCache> cache,
                                           std::shared_ptr<TableStats> stats) {
  const std::string path = file->path();
  if (file_size < kFooterSize) return Status::Corruption(path + ": file too short for an SST");
  uint64_t begin = io::AlignDown(file_size - kFooterSize);
  io::AlignedBuffer buf(io::AlignUp(file_size) - begin);
  STRATA_ASSIGN_OR_RETURN(size_t got, file->ReadAt(io::IoClass::kForegroundRead, begin, buf.data(), buf.size()));
  if (got != file_size - begin) {
    return Status::Corruption(fmt::format("{}: size {} differs from the MANIFEST's {}", path, begin + got, file_size));
  }
  STRATA_ASSIGN_OR_RETURN(Footer footer,
                          Footer::Decode(Slice(buf.data() + (file_size - kFooterSize - begin), kFooterSize), path));
  std::shared_ptr<Table> t(new Table());
  t->file_ = std::move(file);
  t->file_number_ = file_number;
  t->cache_ = std::move(cache);
  t->stats_ = std::move(stats);
  t->entries_ = footer.entries;
  STRATA_ASSIGN_OR_RETURN(Bytes index, ReadBlock(t->file_.get(), footer.index, true));
  if (!BlockLayoutValid(index)) return Status::Corruption(path + ": malformed index block");
  t->index_ = std::make_shared<const Bytes>(std::move(index));
  STRATA_ASSIGN_OR_RETURN(t->filter_, ReadBlock(t->file_.get(), footer.filter, true));
  return t;
}

Result<BlockRef> Table::DataBlock(Slice handle_value, bool fill_cache, bool foreground, Readahead* ra) {
  BlockHandle h;
  if (!h.DecodeFrom(&handle_value)) {
    return Status::Corruption(file_->path() + ": bad block handle in index");
  }
  uint64_t end = h.offset + h.size + kBlockTrailerSize;
  bool sequential = ra && h.offset == ra->next_expected;
  if (ra) {
    ra->next_expected = end;
    ra->run = sequential ? ra->run + 1 : 0;
  }
  if (BlockRef cached = cache_ ? cache_->Lookup(file_number_, h.offset) : nullptr) return cached;
  Bytes raw;
  bool buffered = ra && h.offset >= ra->begin && end <= ra->begin + ra->valid;
  if (ra && ((sequential && ra->run >= 2) || buffered)) {
    if (!buffered) {
      constexpr uint64_t kMin = 64 << 10, kMax = 2 << 20;
      ra->window = std::clamp(ra->window * 2, kMin, kMax);
      uint64_t begin = io::AlignDown(h.offset);
      uint64_t len = io::AlignUp(std::max(end, h.offset + ra->window) - begin);
      if (ra->buf.capacity() < len) ra->buf = io::AlignedBuffer(len);
      ra->buf.resize(len);
      auto io_class = foreground ? io::IoClass::kForegroundRead : io::IoClass::kCompaction;
      STRATA_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(io_class, begin, ra->buf.data(), len));
      ra->begin = begin;
      ra->valid = got;
      if (end > begin + got) {
        return Status::Corruption(fmt::format("{} at offset {}: block extends past end of file", file_->path(), h.offset));
      }
    }
    std::string where = fmt::format("{} at offset {}", file_->path(), h.offset);
    STRATA_ASSIGN_OR_RETURN(raw, DecodeBlock(Slice(ra->buf.data() + (h.offset - ra->begin), end - h.offset), where));
  } else {
    if (ra) ra->window = 0;  // random access: no readahead
    STRATA_ASSIGN_OR_RETURN(raw, ReadBlock(file_.get(), h, foreground));
  }
  // Checked once here; every iterator over the block (cached or not) trusts it.
  if (!BlockLayoutValid(raw))
    return Status::Corruption(fmt::format("{} at offset {}: malformed data block", file_->path(), h.offset));
  auto ref = std::make_shared<const Bytes>(std::move(raw));
  if (cache_ && fill_cache) cache_->Insert(file_number_, h.offset, ref);
  return ref;
}

Result<std::optional<Table::Entry>> Table::Get(Slice user_key, SequenceNumber snapshot, bool fill_cache) {
  if (!BloomMayContain(filter_, user_key)) {
    if (stats_) stats_->bloom_useful.fetch_add(1, std::memory_order_relaxed);
    return std::optional<Entry>();
  }
  Bytes target = MakeInternalKey(user_key, snapshot, kValueForSeek);
  BlockIterator index(*index_, CompareIk, nullptr, /*layout_checked=*/true);
  index.Seek(target);
  std::optional<Entry> found;
  if (index.Valid()) {
    STRATA_ASSIGN_OR_RETURN(BlockRef block, DataBlock(index.value(), fill_cache, true));
    BlockIterator it(*block, CompareIk, nullptr, /*layout_checked=*/true);  // `block` outlives it
    it.Seek(target);
    if (!it.status().ok()) return it.status();
    if (it.Valid() && ExtractUserKey(it.key()) == user_key) {
      found = Entry{ExtractType(it.key()), Bytes(it.value()), ExtractSequence(it.key())};
    }
  }
  if (!index.status().ok()) return index.status();
  if (!found && stats_) stats_->bloom_false_positive.fetch_add(1, std::memory_order_relaxed);
  return found;
}

std::unique_ptr<InternalIterator> Table::NewIterator(bool fill_cache, bool foreground) {
  return std::make_unique<TwoLevelIterator>(shared_from_this(), fill_cache, foreground);
}

}  // namespace strata::storage::lsm
