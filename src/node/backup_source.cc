#include "node/backup_source.h"

#include <atomic>
#include <random>

#include <fmt/format.h>

#include "common/check.h"
#include "common/coding.h"
#include "io/io.h"
#include "node/engine_snapshot.h"
#include "obs/json.h"
#include "obs/log.h"
#include "raft/snapshot_stream.h"

namespace strata::node {

struct BackupSource::Backup {
  uint64_t id = 0;
  uint64_t applied_index = 0;
  std::string dir;
  std::mutex read_mu;  // one chunk read at a time (the reader keeps its open file)
  // Set once under BackupSource::mu_ (null while the checkpoint is taken); read under read_mu.
  std::unique_ptr<raft::SnapshotFileReader> reader;
  uint64_t total_bytes = 0;
  uint32_t files_total = 0;
  std::atomic<uint64_t> bytes_sent{0};  // the furthest byte served: progress
  std::atomic<std::chrono::steady_clock::rep> last_request{0};

  void Touch() { last_request.store(std::chrono::steady_clock::now().time_since_epoch().count()); }
  std::chrono::steady_clock::duration idle() const {
    return std::chrono::steady_clock::now().time_since_epoch() - std::chrono::steady_clock::duration(last_request.load());
  }
};

BackupSource::BackupSource(BackupSourceOptions options) : options_(std::move(options)) {}

BackupSource::~BackupSource() {
  std::lock_guard lock(mu_);
  backups_.clear();
  (void)io::RemoveAll(options_.dir);
}

Result<std::unique_ptr<BackupSource>> BackupSource::Open(BackupSourceOptions options) {
  STRATA_CHECK(options.engine != nullptr && options.io != nullptr && !options.dir.empty());
  // A backup does not outlive the process that served it: its client cannot resume.
  STRATA_RETURN_IF_ERROR(io::RemoveAll(options.dir));
  STRATA_RETURN_IF_ERROR(io::CreateDir(options.dir));
  return std::unique_ptr<BackupSource>(new BackupSource(std::move(options)));
}

void BackupSource::Drop(uint64_t id) {
  auto it = backups_.find(id);
  if (it == backups_.end()) return;
  std::string dir = it->second->dir;
  backups_.erase(it);  // a chunk being read keeps its Backup (and open file) alive
  Status s = io::RemoveAll(dir);
  if (!s.ok()) obs::Warn("backup", "cannot delete a finished backup's checkpoint", {{"dir", dir}, {"error", s.ToString()}});
}

void BackupSource::ExpireIdle() {
  std::vector<uint64_t> idle;
  for (const auto& [id, b] : backups_) {
    if (b->reader && b->idle() > kBackupIdleTimeout) idle.push_back(id);
  }
  for (uint64_t id : idle) {
    obs::Warn("backup", "backup abandoned: no request for 10 minutes; its checkpoint is deleted", {{"backup_id", id}});
    Drop(id);
  }
}

Result<std::string> BackupSource::Begin() {
  auto backup = std::make_shared<Backup>();
  {
    std::lock_guard lock(mu_);
    ExpireIdle();
    if (backups_.size() >= kMaxConcurrentBackups)
      return Status::Busy(fmt::format("{} backups are being served (kMaxConcurrentBackups); retry once one finishes",
                                      backups_.size()));
    std::random_device rd;  // ids are not guessable in sequence, and differ across restarts
    do {
      backup->id = ((uint64_t{rd()} << 32) | rd()) >> 1;
    } while (backup->id == 0 || backups_.count(backup->id) > 0);
    backup->dir = fmt::format("{}/{}", options_.dir, backup->id);
    backup->Touch();
    backups_[backup->id] = backup;  // counts against the limit while the checkpoint is taken
  }
  // The checkpoint runs outside mu_: a flush and a hard link per SST, beside the apply loop.
  Result<EngineSnapshotSummary> written = WriteEngineSnapshot(*options_.engine, backup->dir);
  Result<std::unique_ptr<raft::SnapshotFileReader>> reader =
      written.ok() ? raft::SnapshotFileReader::Open(options_.io, backup->dir) : written.status();
  if (!reader.ok()) {
    std::lock_guard lock(mu_);
    Drop(backup->id);
    return std::move(reader).take_status().Annotate("taking the backup's checkpoint");
  }
  std::string files = "[";
  for (const raft::SnapshotFileReader::File& f : (*reader)->files()) {
    if (files.size() > 1) files += ",";
    files += obs::JsonObject().Add("name", std::string_view(f.name)).Add("size", f.size).Finish();
  }
  {
    std::lock_guard lock(mu_);  // published whole: StatusJson and Chunk read it under mu_
    backup->applied_index = written->applied_index;
    backup->total_bytes = (*reader)->total_bytes();
    backup->files_total = static_cast<uint32_t>((*reader)->files().size());
    backup->reader = std::move(*reader);
  }
  obs::Info("backup", "backup started",
            {{"backup_id", backup->id}, {"applied_index", backup->applied_index}, {"bytes", backup->total_bytes}});
  return obs::JsonObject()
             .Add("backup_id", backup->id)
             .Add("applied_index", backup->applied_index)
             .Add("cluster_id", std::string_view(options_.cluster_id))
             .Add("node_id", options_.node_id)
             .Add("chunk_bytes", uint64_t{kDefaultBackupChunkBytes})
             .Add("total_bytes", backup->total_bytes)
             .AddRaw("files", files + "]")
             .Finish() +
         "\n";
}

Result<std::string> BackupSource::Chunk(uint64_t id, uint32_t file, uint64_t offset, size_t max_bytes) {
  std::shared_ptr<Backup> backup;
  {
    std::lock_guard lock(mu_);
    auto it = backups_.find(id);
    if (it == backups_.end() || !it->second->reader)
      return Status::NotFound(fmt::format("no backup {} (finished, expired after 10 idle minutes, or never begun)", id));
    backup = it->second;
  }
  backup->Touch();
  if (max_bytes == 0) max_bytes = kDefaultBackupChunkBytes;
  if (max_bytes > kMaxBackupChunkBytes)
    return Status::InvalidArgument(fmt::format("max_bytes {} exceeds kMaxBackupChunkBytes ({})", max_bytes,
                                               kMaxBackupChunkBytes));
  Bytes data;
  raft::SnapshotPosition position{file, offset};
  std::lock_guard read_lock(backup->read_mu);
  STRATA_ASSIGN_OR_RETURN(raft::SnapshotChunkHeader header, backup->reader->Read(position, max_bytes, &data));
  Bytes encoded = raft::EncodeSnapshotChunkHeader(header);
  std::string body;
  body.reserve(4 + encoded.size() + data.size());
  PutFixed32(&body, static_cast<uint32_t>(encoded.size()));
  body += encoded;
  body += data;
  uint64_t reached = backup->reader->BytesBefore(position) + data.size();
  uint64_t sent = backup->bytes_sent.load();
  while (reached > sent && !backup->bytes_sent.compare_exchange_weak(sent, reached)) {
  }
  return body;
}

Status BackupSource::Finish(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = backups_.find(id);
  if (it == backups_.end()) return Status::NotFound(fmt::format("no backup {}", id));
  if (!it->second->reader) return Status::Busy(fmt::format("backup {} is still taking its checkpoint", id));
  obs::Info("backup", "backup finished", {{"backup_id", id}, {"bytes_sent", it->second->bytes_sent.load()}});
  Drop(id);
  return Status::OK();
}

std::string BackupSource::StatusJson() const {
  std::lock_guard lock(mu_);
  std::string out = "[";
  for (const auto& [id, b] : backups_) {
    if (out.size() > 1) out += ",";
    out += obs::JsonObject()
               .Add("id", id)
               .Add("state", b->reader ? "serving" : "checkpointing")
               .Add("applied_index", b->applied_index)
               .Add("files_total", uint64_t{b->files_total})
               .Add("bytes_total", b->total_bytes)
               .Add("bytes_sent", b->bytes_sent.load())
               .Add("idle_seconds", std::chrono::duration<double>(b->idle()).count())
               .Finish();
  }
  return out + "]";
}

}  // namespace strata::node
