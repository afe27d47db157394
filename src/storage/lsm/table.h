// An open SST file: footer, index and bloom filter held in memory; data blocks read through
// the block cache. Immutable and thread-safe once opened.
#pragma once

#include <memory>
#include <optional>

#include "io/io.h"
#include "storage/lsm/block_cache.h"
#include "storage/lsm/internal_iterator.h"
#include "storage/lsm/internal_key.h"

namespace strata::storage::lsm {

struct TableStats {
  std::atomic<uint64_t> bloom_useful{0};       // lookups the filter answered "absent"
  std::atomic<uint64_t> bloom_false_positive{0};  // filter said "maybe", key was absent
};

class Table : public std::enable_shared_from_this<Table> {
 public:
  static Result<std::shared_ptr<Table>> Open(std::unique_ptr<io::File> file, uint64_t file_number,
                                             uint64_t file_size, BlockCache* cache, TableStats* stats);

  struct Entry {
    ValueType type;
    Bytes value;
    SequenceNumber seq;
  };
  // The newest entry of `user_key` with sequence <= snapshot, or nullopt.
  Result<std::optional<Entry>> Get(Slice user_key, SequenceNumber snapshot, bool fill_cache);

  // Iterates every entry. Foreground iterators read at foreground priority; compaction
  // reads at compaction priority and bypasses the cache.
  std::unique_ptr<InternalIterator> NewIterator(bool fill_cache, bool foreground);

  uint64_t file_number() const { return file_number_; }
  uint64_t entries() const { return entries_; }

  // Used by the iterator: the data block at `handle_value` (an encoded BlockHandle).
  Result<BlockRef> DataBlock(Slice handle_value, bool fill_cache, bool foreground);
  Slice index_block() const { return *index_; }

 private:
  Table() = default;
  std::unique_ptr<io::File> file_;
  uint64_t file_number_ = 0;
  uint64_t entries_ = 0;
  BlockCache* cache_ = nullptr;
  TableStats* stats_ = nullptr;
  BlockRef index_;
  Bytes filter_;
};

}  // namespace strata::storage::lsm
