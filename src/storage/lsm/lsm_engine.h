// The LSM storage engine (DESIGN D6): the default storage::Engine.
//
//   auto engine = lsm::OpenLsmEngine({.dir = data_dir + "/lsm", .scheduler = sched});
//
// Writes go to a skiplist memtable; full memtables are flushed to SST files in level 0 by a
// background thread, and leveled compaction merges them down. There is no engine WAL
// (DESIGN D1): the applied Raft index of the newest flushed batch is written to the MANIFEST
// in the same edit that adds the flushed file, so after a crash the engine holds exactly
// the batches up to PersistedAppliedIndex().
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "io/io.h"
#include "storage/engine.h"
#include "storage/lsm/table_builder.h"

namespace strata::obs {
class Registry;
}

namespace strata::storage::lsm {

struct LsmOptions {
  std::string dir;                       // created when missing
  io::Scheduler* scheduler = nullptr;    // REQUIRES: non-null, outlives the engine
  obs::Registry* registry = nullptr;     // metrics; nullptr = none
  bool use_direct_io = true;             // SST reads and writes (falls back when refused)

  size_t memtable_bytes = 64 << 20;      // a memtable is sealed once it holds this much
  int max_immutable_memtables = 2;       // writers stall while this many wait for flush
  size_t memory_budget = 512 << 20;      // memtables + block cache
  int l0_compaction_trigger = 4;
  int l0_slowdown_trigger = 20;          // writes are delayed 1 ms each
  int l0_stop_trigger = 36;              // writes wait for compaction
  uint64_t max_bytes_for_level_base = 256 << 20;
  int level_size_multiplier = 10;
  uint64_t target_file_size = 64 << 20;
  TableOptions table;                    // block size, bloom bits (compression: below)
  // Block compression of files written to each level: fast LZ4 where data is rewritten
  // soon, zstd where it settles. Missing entries repeat the last one.
  std::vector<Compression> compression_per_level = {Compression::kLz4, Compression::kLz4,
                                                    Compression::kZstd};
  bool background_compaction = true;     // tests turn it off and call CompactAll()
  // Put blocks in the block cache as flushes and compactions write them (see TableBuilder).
  bool cache_on_write = true;
  // A flush or compaction that fails for lack of space (ENOSPC/EDQUOT) is retried this
  // often until it succeeds. Meanwhile writes are not stalled: the memtable grows past
  // memtable_bytes (the node refuses new writes while its disk is full, so only entries
  // already committed arrive), and reads are served as usual. Other background errors
  // (EIO, corruption) stop writes until restart.
  std::chrono::milliseconds no_space_retry_interval{1000};
};

class LsmEngine;

// Opens (recovering) or creates the engine in options.dir.
Result<std::unique_ptr<LsmEngine>> OpenLsmEngine(const LsmOptions& options);

}  // namespace strata::storage::lsm
