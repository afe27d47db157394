// RestoreBackup (node/backup.h): a new data directory from a backup. Everything is built
// in a staging directory beside the target (<data-dir>.restoring) and renamed into place
// once complete, so a restore that fails or is killed part-way never leaves a directory
// that `stratadb start` would take for a node.
#include <functional>

#include <fmt/format.h>

#include "common/check.h"
#include "common/checksum.h"
#include "io/io.h"
#include "node/backup.h"
#include "node/data_dir.h"
#include "node/engine_snapshot.h"
#include "node/members.h"
#include "raft/disk_log_storage.h"

namespace strata::node {

namespace {

constexpr size_t kCopyBytes = 1 << 20;

// Reads `path` whole, checking its size and XXH3 against the manifest's `file`, and hands
// each piece to `sink` (may be empty). Corruption names the file.
Status ReadChecked(io::Scheduler& io, const std::string& path, const BackupFile& file,
                   const std::function<Status(uint64_t offset, Slice piece)>& sink, const std::function<void(size_t)>& advance) {
  Result<uint64_t> size = io::FileSize(path);
  if (!size.ok()) return Status::Corruption(fmt::format("backup file {} is missing: {}", path, size.status().ToString()));
  if (*size != file.size)
    return Status::Corruption(fmt::format("backup file {} has {} bytes, the manifest says {}", path, *size, file.size));
  STRATA_ASSIGN_OR_RETURN(auto in, io.Open(path, {.read_only = true}));
  ChecksumBuilder checksum;
  std::string buf;
  for (uint64_t offset = 0; offset < file.size; offset += buf.size()) {
    buf.resize(static_cast<size_t>(std::min<uint64_t>(kCopyBytes, file.size - offset)));
    STRATA_RETURN_IF_ERROR(in->ReadExact(io::IoClass::kSnapshot, offset, buf.data(), buf.size()));
    checksum.Update(buf);
    if (sink) STRATA_RETURN_IF_ERROR(sink(offset, buf));
    advance(buf.size());
  }
  if (checksum.Digest() != file.checksum)
    return Status::Corruption(fmt::format("backup file {} is damaged: its XXH3 is {:016x}, the manifest says {:016x}",
                                          path, checksum.Digest(), file.checksum));
  return Status::OK();
}

// Reads every file of the backup (to == ""), or copies each into `to`, checking them all.
Status CheckFiles(io::Scheduler& io, const std::string& from, const BackupManifest& m, const std::string& to,
                  std::string_view phase, const WorkProgressFn& progress) {
  uint64_t done = 0;
  auto advance = [&](size_t n) {
    done += n;
    if (progress) progress({.phase = phase, .unit = "bytes", .done = done, .total = m.total_bytes()});
  };
  if (progress) progress({.phase = phase, .unit = "bytes", .done = 0, .total = m.total_bytes()});
  for (const BackupFile& f : m.files) {
    std::unique_ptr<io::File> out;
    if (!to.empty()) {
      STRATA_ASSIGN_OR_RETURN(out, io.Open(to + "/" + f.name, {.create = true, .truncate = true}));
    }
    std::function<Status(uint64_t, Slice)> write;
    if (out) write = [&out](uint64_t offset, Slice piece) { return out->WriteAt(io::IoClass::kSnapshot, offset, piece); };
    STRATA_RETURN_IF_ERROR(ReadChecked(io, from + "/" + f.name, f, write, advance));
    if (out) STRATA_RETURN_IF_ERROR(out->Sync(io::IoClass::kSnapshot));
  }
  return to.empty() ? Status::OK() : io::SyncDir(to);
}

// The target must be new: missing, or an empty directory (removed, to be renamed over).
Status ClaimTarget(const std::string& data_dir, const std::string& staging) {
  if (io::FileExists(data_dir)) {
    Result<std::vector<std::string>> names = io::ListDir(data_dir);
    if (!names.ok() || !names->empty())
      return Status::AlreadyExists(
          fmt::format("--data-dir {} exists and is not an empty directory: a restore makes a new node", data_dir));
  }
  if (io::FileExists(staging))
    return Status::AlreadyExists(fmt::format("{} exists: another restore is running, or one was interrupted (delete "
                                             "it if none is running)",
                                             staging));
  return Status::OK();
}

// The Raft log of a new single-voter group whose history up to `index` is the backup:
// a snapshot mark at `index` (term 1, as a bootstrap) with `node_id` the only voter.
Status WriteRaftLog(io::Scheduler& io, const std::string& dir, uint64_t node_id, uint64_t index) {
  STRATA_RETURN_IF_ERROR(io::CreateDir(dir));
  raft::ConfState conf;
  conf.voters = {node_id};
  STRATA_ASSIGN_OR_RETURN(auto log, raft::DiskLogStorage::Open({.dir = dir, .scheduler = &io}, conf));
  STRATA_RETURN_IF_ERROR(log->ApplySnapshot({.index = index, .term = raft::kBootstrapTerm, .conf = conf}));
  raft::HardState hard_state{.term = raft::kBootstrapTerm, .vote = raft::kNoNode, .commit = index};
  return log->Save(&hard_state, {});
}

// Loads the checkpoint copied to `checkpoint` into the new node's engines in `data_dir`
// (lsm/ and btree/), without the source cluster's member records; durable on return.
Result<uint64_t> LoadEngine(io::Scheduler& io, const std::string& checkpoint, const std::string& data_dir,
                            uint64_t index, const WorkProgressFn& progress) {
  STRATA_ASSIGN_OR_RETURN(auto engine, OpenScratchEngines(io, data_dir + "/lsm", data_dir + "/btree", true));
  auto loading = [&progress](const RestoreProgress& p) {
    if (!progress) return;
    bool verifying = p.phase == RestoreProgress::Phase::kVerifying;
    progress({.phase = verifying ? "scan" : "load", .unit = "records", .done = p.records_done, .total = p.records_total});
  };
  STRATA_ASSIGN_OR_RETURN(EngineSnapshotSummary loaded, LoadEngineSnapshot(io, checkpoint, index, *engine, loading));
  STRATA_RETURN_IF_ERROR(DeleteAllMembers(*engine));
  STRATA_RETURN_IF_ERROR(engine->Flush());
  STRATA_CHECK(engine->PersistedAppliedIndex() == index);
  return loaded.records;
}

// Builds the new node in `staging`: identity, checkpoint copy, engine, Raft log.
Result<RestoreSummary> BuildNode(io::Scheduler& io, const RestoreOptions& options, const BackupManifest& m,
                                 const std::string& staging, const WorkProgressFn& progress) {
  STRATA_ASSIGN_OR_RETURN(auto dir, DataDir::Open(staging, options.root_password));  // a new identity
  RestoreSummary summary;
  summary.applied_index = m.applied_index;
  summary.node_id = dir->identity().node_id;
  summary.cluster_id = dir->identity().cluster_id;
  const std::string checkpoint = staging + "/snap/restore";
  STRATA_RETURN_IF_ERROR(io::CreateDir(staging + "/snap"));
  STRATA_RETURN_IF_ERROR(io::CreateDir(checkpoint));
  STRATA_RETURN_IF_ERROR(CheckFiles(io, options.from + "/" + kBackupDataDir, m, checkpoint, "copy", progress));
  STRATA_ASSIGN_OR_RETURN(summary.records, LoadEngine(io, checkpoint, staging, m.applied_index, progress));
  STRATA_RETURN_IF_ERROR(io::RemoveAll(checkpoint));  // the engine holds the data now
  STRATA_RETURN_IF_ERROR(WriteRaftLog(io, staging + "/raft", summary.node_id, m.applied_index));
  return summary;  // the lock is released: the directory is complete
}

}  // namespace

Result<RestoreSummary> RestoreBackup(const RestoreOptions& options, const WorkProgressFn& progress) {
  std::string data_dir = options.data_dir;
  while (data_dir.size() > 1 && data_dir.back() == '/') data_dir.pop_back();
  const std::string staging = data_dir + ".restoring";
  STRATA_ASSIGN_OR_RETURN(BackupManifest m, ReadBackupManifest(options.from));
  STRATA_RETURN_IF_ERROR(ClaimTarget(data_dir, staging));
  STRATA_ASSIGN_OR_RETURN(auto io, io::Scheduler::Create({}));
  // Nothing is created before the whole backup has been read and found intact.
  STRATA_RETURN_IF_ERROR(CheckFiles(*io, options.from + "/" + kBackupDataDir, m, "", "verify", progress));
  Result<RestoreSummary> summary = BuildNode(*io, options, m, staging, progress);
  if (!summary.ok()) {
    (void)io::RemoveAll(staging);  // ours (ClaimTarget found none): nothing half-made stays
    return summary;
  }
  if (io::FileExists(data_dir)) STRATA_RETURN_IF_ERROR(io::RemoveAll(data_dir));  // empty (ClaimTarget)
  STRATA_RETURN_IF_ERROR(io::RenameFile(staging, data_dir));
  std::string parent = data_dir.find('/') == std::string::npos ? "." : data_dir.substr(0, data_dir.rfind('/'));
  STRATA_RETURN_IF_ERROR(io::SyncDir(parent.empty() ? "/" : parent));
  return summary;
}

}  // namespace strata::node
