// node::BackupSource — the node's side of online backups (node/backup.h), served by the
// admin endpoint:
//   POST /backup/begin                      an engine checkpoint now; answers its description
//   GET  /backup/chunk?id=&file=&offset=    one chunk of it (docs/backup_format.md)
//   POST /backup/finish?id=                 deletes it
// A backup's checkpoint lives in <data-dir>/backups/<id>/ (hard links to the engine's SSTs,
// so it costs disk space only for files compaction deletes meanwhile) until the client
// finishes, or until nobody asked for a chunk for kBackupIdleTimeout. Chunks are read in the
// snapshot I/O class, the lowest priority: a backup never delays a commit (DESIGN D8).
//
// Thread-safety: every method may be called from any thread (the admin server's).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"

namespace strata::io {
class Scheduler;
}
namespace strata::storage {
class Engine;
}

namespace strata::node {

// Limits: backups served at once, the largest chunk a client may ask for, and how long an
// unattended backup is kept.
inline constexpr size_t kMaxConcurrentBackups = 4;
inline constexpr size_t kMaxBackupChunkBytes = 4 << 20;
inline constexpr size_t kDefaultBackupChunkBytes = 1 << 20;
inline constexpr std::chrono::minutes kBackupIdleTimeout{10};

struct BackupSourceOptions {
  storage::Engine* engine = nullptr;  // REQUIRES: non-null, outlives the source
  io::Scheduler* io = nullptr;        // REQUIRES: non-null, outlives the source
  std::string dir;                    // <data-dir>/backups: emptied at start and at the end
  std::string cluster_id;
  uint64_t node_id = 0;
};

class BackupSource {
 public:
  // Deletes whatever an earlier process left in options.dir.
  static Result<std::unique_ptr<BackupSource>> Open(BackupSourceOptions options);
  ~BackupSource();  // deletes every backup's checkpoint
  BackupSource(const BackupSource&) = delete;
  BackupSource& operator=(const BackupSource&) = delete;

  // Takes a checkpoint; returns its description (JSON: backup_id, applied_index,
  // cluster_id, node_id, chunk_bytes, total_bytes, files [{name, size}]). Busy past
  // kMaxConcurrentBackups.
  Result<std::string> Begin();
  // The chunk at (file, offset) of backup `id`, at most `max_bytes` (0: the default):
  // fixed32 header length | raft chunk header (EncodeSnapshotChunkHeader) | bytes.
  // NotFound for an unknown (finished, expired) backup, InvalidArgument for a position
  // outside it.
  Result<std::string> Chunk(uint64_t id, uint32_t file, uint64_t offset, size_t max_bytes);
  // Deletes backup `id`. NotFound when unknown.
  Status Finish(uint64_t id);
  // The backups being served, for /status: [{id, applied_index, files_total, bytes_total,
  // bytes_sent, idle_seconds}].
  std::string StatusJson() const;

 private:
  struct Backup;
  explicit BackupSource(BackupSourceOptions options);
  void ExpireIdle();  // REQUIRES: mu_ held
  void Drop(uint64_t id);  // REQUIRES: mu_ held

  const BackupSourceOptions options_;
  mutable std::mutex mu_;
  std::map<uint64_t, std::shared_ptr<Backup>> backups_;  // guarded by mu_
};

}  // namespace strata::node
