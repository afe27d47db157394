// The Raft snapshot file of the transaction state machine (docs/replicated_commands.md):
// every key and value of the storage engine, streamed in checksummed blocks, plus the
// applied Raft index the copy stands for.
//
//   file   := header | block* | end block
//   header := magic "STRASNAP" | version fixed32 (1) | applied_index fixed64
//           | header_checksum fixed32 (Checksum32 of the 20 bytes before it)
//   block  := kind (1 byte) | payload_len fixed32 | payload_checksum fixed64
//           | header_checksum fixed32 (Checksum32 of the 13 bytes before it) | payload
//   kind 1 (records): payload := (lenprefixed key | lenprefixed value)*
//   kind 2 (end):     payload := record_count fixed64; nothing may follow it
//
// Neither side holds the database in memory: the writer iterates an engine snapshot and
// emits a block each kSnapshotBlockBytes; the reader loads one block at a time. All I/O
// goes through the io::Scheduler's snapshot class.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "storage/engine.h"

namespace strata::io {
class Scheduler;
}

namespace strata::node {

inline constexpr size_t kSnapshotBlockBytes = 1 << 20;  // a block is cut past this size
// No block (even one record with a huge value) may claim more: a larger length is damage.
inline constexpr uint32_t kMaxSnapshotBlockBytes = 1u << 30;

struct SnapshotFileSummary {
  uint64_t applied_index = 0;
  uint64_t records = 0;
};

// Writes the engine's current contents to `path` as a snapshot of `applied_index`:
// a temp file, fsync'd, renamed over `path`, directory fsync'd. Consistent even while
// other threads write (it reads one engine snapshot).
Result<SnapshotFileSummary> WriteSnapshotFile(storage::Engine& engine, io::Scheduler& io,
                                              const std::string& path, uint64_t applied_index);

// Reads the whole file and checks every checksum and the end block, without touching an
// engine. Corruption names the path and the offset.
Result<SnapshotFileSummary> VerifySnapshotFile(io::Scheduler& io, const std::string& path);

// Replaces the engine's contents with the file's: deletes every key, writes the file's
// records in batches (no Raft index), then records `applied_index` from the header as the
// engine's applied index. REQUIRES: the file verified (VerifySnapshotFile); the header's
// index above the engine's applied index. Not atomic: after a crash part-way, load again.
Result<SnapshotFileSummary> LoadSnapshotFile(io::Scheduler& io, const std::string& path,
                                             storage::Engine& engine);

}  // namespace strata::node
