// Writes one SST file (docs/sst_format.md) from internal keys added in increasing order.
// Output is staged in 4 KiB-aligned chunks so the file may be opened with O_DIRECT; the
// final chunk is padded and the file truncated to its real size before the sync.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>

#include "common/slice.h"
#include "common/status.h"
#include "io/io.h"
#include "storage/lsm/block.h"
#include "storage/lsm/block_cache.h"
#include "storage/lsm/bloom.h"
#include "storage/lsm/table_format.h"

namespace strata::storage::lsm {

struct TableOptions {
  size_t block_size = 8 * 1024;
  int restart_interval = 16;
  int bloom_bits_per_key = 10;
  Compression compression = Compression::kLz4;
};

class TableBuilder {
 public:
  // REQUIRES: `file` is empty and outlives the builder. With a `cache`, every data block is
  // also put in the cache as it is written (keyed by `file_number`), so freshly flushed or
  // compacted data does not have to be read back from disk: with direct I/O there is no
  // page cache to catch those reads.
  //
  // With a `scheduler`, up to four 1 MiB writes are kept in flight instead of one at a time.
  TableBuilder(const TableOptions& options, io::File* file, io::IoClass io_class,
               BlockCache* cache = nullptr, uint64_t file_number = 0,
               io::Scheduler* scheduler = nullptr);
  ~TableBuilder();  // waits for writes in flight

  // REQUIRES: internal_key > every key added before.
  void Add(Slice internal_key, Slice value);
  // Writes filter, index and footer, truncates, fsyncs. The builder is done afterwards.
  Status Finish();

  uint64_t entries() const { return entries_; }
  uint64_t file_size() const { return offset_; }  // after Finish(): the file's size
  const Bytes& smallest() const { return smallest_; }
  const Bytes& largest() const { return largest_; }
  Status status() const { return status_; }

 private:
  void FlushDataBlock();
  BlockHandle WriteBlock(Slice raw, Compression c);
  void WriteOut(bool final);
  void WaitOldestWrite();

  struct InFlight {
    io::AlignedBuffer buf;
    io::Request request;
    io::Completion done;
  };

  TableOptions options_;
  io::File* file_;
  io::IoClass io_class_;
  BlockCache* cache_;
  uint64_t file_number_;
  io::Scheduler* scheduler_;
  std::deque<std::unique_ptr<InFlight>> in_flight_;
  Status status_;
  BlockBuilder data_;
  BlockBuilder index_;
  BloomBuilder bloom_;
  Bytes pending_;              // bytes not yet written; starts at a 4 KiB boundary
  uint64_t written_ = 0;       // bytes written to the file (multiple of 4 KiB)
  uint64_t offset_ = 0;        // logical end of the file
  uint64_t entries_ = 0;
  Bytes last_key_;
  Bytes smallest_, largest_;
  Bytes last_user_key_;
};

}  // namespace strata::storage::lsm
