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

// A Table may outlive the engine that opened it (an iterator or a Version held by a
// reader): it shares ownership of the block cache and the statistics it updates.
class Table : public std::enable_shared_from_this<Table> {
 public:
  static Result<std::shared_ptr<Table>> Open(std::unique_ptr<io::File> file, uint64_t file_number,
                                             uint64_t file_size, std::shared_ptr<BlockCache> cache,
                                             std::shared_ptr<TableStats> stats);

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

  // Sequential-read state of one iterator: with direct I/O there is no kernel readahead, so
  // an iterator that reads blocks in file order reads ahead itself, doubling the window
  // from 64 KiB up to 2 MiB while the pattern lasts. Readahead starts once two blocks
  // in a row followed the previous one: a seek followed by a few Next()s that cross into
  // the next block (seekrandom) reads just that block, not 64 KiB.
  struct Readahead {
    io::AlignedBuffer buf;
    uint64_t begin = 0;          // file offset of buf[0]
    uint64_t valid = 0;          // bytes of buf holding file data
    uint64_t next_expected = UINT64_MAX;  // offset right after the last block read (none yet)
    uint64_t window = 0;
    uint32_t run = 0;            // blocks read in file order in a row
  };

  // The data block at `handle_value` (an encoded BlockHandle): from the cache, from the
  // readahead buffer when one is given, or from the file.
  Result<BlockRef> DataBlock(Slice handle_value, bool fill_cache, bool foreground,
                             Readahead* readahead = nullptr);
  Slice index_block() const { return *index_; }

 private:
  Table() = default;
  std::unique_ptr<io::File> file_;
  uint64_t file_number_ = 0;
  uint64_t entries_ = 0;
  std::shared_ptr<BlockCache> cache_;   // may be null: no caching
  std::shared_ptr<TableStats> stats_;   // may be null: no statistics
  BlockRef index_;
  Bytes filter_;
};

}  // namespace strata::storage::lsm
