// Small whole-file helpers for metadata files (node.toml, CURRENT). Bulk data goes through
// io::Scheduler; these are for files of a few hundred bytes written rarely.
#pragma once

#include <string>

#include "common/status.h"

namespace strata::io {

// Writes `contents` to `path` so that after a crash the file holds either the old or the
// new contents, never a mix: write to a temp file, fsync it, rename over, fsync the dir.
Status WriteFileAtomically(const std::string& path, std::string_view contents);

// Reads a whole file (up to `max_bytes`; larger is ResourceExhausted).
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes = 1 << 20);

// fsyncs a directory so that entries created or renamed in it are durable.
Status SyncDirectory(const std::string& dir);

// Opens (creating it if missing) a lock file for flock(2); the caller closes the fd.
Result<int> OpenLockFile(const std::string& path);

}  // namespace strata::io
