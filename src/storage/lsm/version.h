// Versions: the set of SST files (per level) and persisted range tombstones that make up
// the engine's on-disk state, and the edits that move from one version to the next.
//
// A Version is immutable; readers hold a shared_ptr to the one they started with, so files
// a compaction replaced stay open until the last reader lets go. Edits are appended to the
// MANIFEST (manifest.h) before the new version is installed.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/slice.h"
#include "common/status.h"
#include "storage/lsm/internal_key.h"
#include "storage/lsm/table.h"

namespace strata::storage::lsm {

constexpr int kNumLevels = 7;

struct FileMeta {
  uint64_t number = 0;
  uint64_t size = 0;
  uint64_t entries = 0;
  Bytes smallest;  // internal keys
  Bytes largest;
  std::shared_ptr<Table> table;  // open handle (set when the version is built)

  Slice smallest_user() const { return ExtractUserKey(smallest); }
  Slice largest_user() const { return ExtractUserKey(largest); }
  bool Overlaps(Slice begin_user, Slice end_user_inclusive) const {
    return !(largest_user() < begin_user || end_user_inclusive < smallest_user());
  }
};
using FileRef = std::shared_ptr<const FileMeta>;

struct VersionEdit {
  std::optional<uint64_t> next_file_number;
  std::optional<SequenceNumber> last_sequence;
  std::optional<uint64_t> persisted_applied_index;
  std::vector<std::pair<int, FileMeta>> added;       // level, file (without table)
  std::vector<std::pair<int, uint64_t>> deleted;     // level, file number
  std::vector<RangeTombstone> added_tombstones;

  Bytes Encode() const;
  static Result<VersionEdit> Decode(Slice in);
};

struct Version {
  std::array<std::vector<FileRef>, kNumLevels> levels;  // L0 newest first; L1+ by smallest key
  std::vector<RangeTombstone> tombstones;

  uint64_t LevelBytes(int level) const;
  // Files of `level` whose user-key range intersects [begin, end] (inclusive).
  std::vector<FileRef> Overlapping(int level, Slice begin, Slice end) const;
};

}  // namespace strata::storage::lsm
