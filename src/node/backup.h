// Backup and restore (docs/operations.md, "Backup and restore"; formats in
// docs/backup_format.md).
//
// A backup is an engine checkpoint taken at one applied Raft index on a running node
// (node/engine_snapshot.h), streamed over the node's admin endpoint in the chunks Raft
// snapshots travel in (raft/snapshot_stream.h: each chunk checksummed) and written to a
// directory with a manifest, backup.toml, that lists every file with its size and XXH3.
// The node's side is node/backup_source.h.
//
// A restore makes a new data directory from a backup: every file is checked against the
// manifest first (a damaged backup is refused before anything is created), then the node
// it makes is a new single-node cluster — a new node id and a new cluster id, a Raft log
// that starts at the backup's applied index with this node as the only voter, and the
// engine loaded with the backup's data. A new cluster id because the restored node's log
// diverges from the source cluster's at the same indexes: it must never exchange Raft
// messages with that cluster, and the transport refuses frames of another cluster id. The
// member records of the source cluster (node/members.h) are dropped with it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata::node {

inline constexpr const char* kBackupManifestName = "backup.toml";
inline constexpr const char* kBackupDataDir = "data";  // the checkpoint's files, beside the manifest

struct BackupFile {
  std::string name;
  uint64_t size = 0;
  uint64_t checksum = 0;  // XXH3-64 (common/checksum.h) of the whole file
};

struct BackupManifest {
  std::string cluster_id;        // of the node the backup was taken from
  uint64_t source_node_id = 0;
  uint64_t applied_index = 0;    // the Raft index the checkpoint holds
  std::string created_at;        // UTC, ISO 8601
  std::vector<BackupFile> files;  // name order
  uint64_t total_bytes() const;
};

// The manifest's text: TOML whose last line, manifest_xxh3, is the checksum of the rest.
std::string FormatBackupManifest(const BackupManifest& m);
// Corruption naming `source` when the text is damaged (checksum) or malformed.
Result<BackupManifest> ParseBackupManifest(std::string_view text, std::string_view source);
// Reads <dir>/backup.toml.
Result<BackupManifest> ReadBackupManifest(const std::string& dir);

// Progress of long work, for the CLI's bar or JSON lines: `done` of `total` `unit`s
// ("bytes" or "records") in the named phase. total = 0: not known yet.
struct WorkProgress {
  std::string_view phase;
  std::string_view unit;
  uint64_t done = 0;
  uint64_t total = 0;
};
using WorkProgressFn = std::function<void(const WorkProgress&)>;

// Takes an online backup of the node whose admin endpoint is `admin_addr` (HOST:PORT) into
// `to_dir`, which must not exist or be empty. Phases: "download" (bytes). Chunks failing
// their checksum are asked for again (up to 3 times). On failure the partial directory is
// left for the operator to delete; it has no manifest, so no restore takes it.
Result<BackupManifest> TakeBackup(const std::string& admin_addr, const std::string& to_dir,
                                  const WorkProgressFn& progress);

struct RestoreOptions {
  std::string from;           // a backup directory
  std::string data_dir;       // must not exist or be empty
  std::string root_password;  // the new node's root password, as at a first start
};
struct RestoreSummary {
  uint64_t node_id = 0;
  std::string cluster_id;
  uint64_t applied_index = 0;
  uint64_t records = 0;  // live keys loaded
};
// Phases: "verify" (bytes: the files against the manifest), "copy" (bytes: into the data
// directory), "load" (records: into the engine). Corruption naming the file when the backup
// is damaged; nothing is created in `data_dir` before the backup verified.
Result<RestoreSummary> RestoreBackup(const RestoreOptions& options, const WorkProgressFn& progress);

}  // namespace strata::node
