// The MANIFEST: an append-only log of VersionEdits, and CURRENT, which names the live one.
// Format 2 (docs/sst_format.md):
//
//   file   := magic fixed32 "STMF" | version fixed32 (2) | record*
//   record := length fixed32 | checksum fixed64 (XXH3 of payload)
//             | header checksum fixed32 (of the 12 bytes before) | payload (a VersionEdit)
//
// The first record of a MANIFEST is a full snapshot of the state; later records are deltas.
// Recovery replays every record. A record that is not intact with no intact record after
// it is a torn tail (a crash while appending): it is ignored, since the edit was never
// acknowledged. A damaged record followed by an intact one is corruption. Because the
// length is covered by the header checksum, a damaged length is noticed rather than read
// as a record running past the end of the file. Format 1 files (no file header, no header
// checksum) are still read; every open writes a fresh MANIFEST in format 2.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "io/io.h"
#include "storage/lsm/version.h"

namespace strata::storage::lsm {

std::string ManifestFileName(uint64_t number);  // "MANIFEST-000007"
std::string TableFileName(uint64_t number);     // "000012.sst"; "1234567.sst" past 6 digits
// The number of a TableFileName, or false for any other name.
bool ParseTableFileName(std::string_view name, uint64_t* number);

class ManifestWriter {
 public:
  // Creates `path` (which must not exist) on `scheduler`.
  static Result<std::unique_ptr<ManifestWriter>> Create(io::Scheduler* scheduler, const std::string& path);
  // Appends one edit and makes it durable (fdatasync) before returning.
  Status Append(const VersionEdit& edit);

 private:
  std::unique_ptr<io::File> file_;
  uint64_t offset_ = 0;
};

struct ManifestContents {
  std::vector<VersionEdit> edits;
  bool torn_tail = false;  // a partial last record was ignored
};
Result<ManifestContents> ReadManifest(io::Scheduler* scheduler, const std::string& path);

// CURRENT names the live MANIFEST; it is replaced atomically.
Status SetCurrentManifest(const std::string& dir, uint64_t manifest_number);
Result<std::string> ReadCurrentManifest(const std::string& dir);  // file name, no dir

}  // namespace strata::storage::lsm
