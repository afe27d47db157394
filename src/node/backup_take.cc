// TakeBackup (node/backup.h): the client side of the backup protocol (docs/backup_format.md).
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "common/checksum.h"
#include "common/coding.h"
#include "io/file_util.h"
#include "io/io.h"
#include "node/backup.h"
#include "node/data_dir.h"
#include "raft/snapshot_stream.h"
#include "raft/transport.h"

namespace strata::node {

namespace {

// A chunk that fails (transport error, checksum mismatch) is asked for this many times.
constexpr int kChunkAttempts = 3;

struct Served {
  uint64_t backup_id = 0;
  BackupManifest manifest;  // checksums still 0
  uint64_t chunk_bytes = 0;
};

Status HttpError(const std::string& what, const httplib::Result& res) {
  if (!res) return Status::Unavailable(fmt::format("{}: {}", what, httplib::to_string(res.error())));
  nlohmann::json j = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  std::string error = j.is_object() && j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>()
                                                                                       : res->body.substr(0, 200);
  return Status::Unavailable(fmt::format("{}: HTTP {}: {}", what, res->status, error));
}

Result<Served> Begin(httplib::Client& client, const std::string& admin_addr) {
  httplib::Result res = client.Post("/backup/begin");
  if (!res || res->status != 200) return HttpError(fmt::format("POST {}/backup/begin", admin_addr), res);
  nlohmann::json j = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  Served s;
  try {
    s.backup_id = j.at("backup_id").get<uint64_t>();
    s.chunk_bytes = j.at("chunk_bytes").get<uint64_t>();
    s.manifest.applied_index = j.at("applied_index").get<uint64_t>();
    s.manifest.cluster_id = j.at("cluster_id").get<std::string>();
    s.manifest.source_node_id = j.at("node_id").get<uint64_t>();
    for (const nlohmann::json& f : j.at("files"))
      s.manifest.files.push_back({f.at("name").get<std::string>(), f.at("size").get<uint64_t>(), 0});
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(fmt::format("{} answered /backup/begin with an unexpected document ({}): is it a "
                                               "stratadb admin port?",
                                               admin_addr, e.what()));
  }
  if (s.manifest.files.empty() || s.chunk_bytes == 0)
    return Status::InvalidArgument(fmt::format("{} described a backup without files", admin_addr));
  return s;
}

// One chunk, checked against its header: the expected position, file and checksum.
Result<std::string> FetchChunk(httplib::Client& client, const Served& s, uint32_t file, uint64_t offset) {
  const BackupFile& f = s.manifest.files[file];
  std::string path = fmt::format("/backup/chunk?id={}&file={}&offset={}", s.backup_id, file, offset);
  Status last;
  for (int attempt = 0; attempt < kChunkAttempts; attempt++) {
    httplib::Result res = client.Get(path);
    if (!res || res->status != 200) {
      last = HttpError("GET " + path, res);
      if (res && res->status / 100 == 4) return last;  // the backup is gone: asking again will not help
      continue;
    }
    Slice body(res->body);
    uint32_t header_len = 0;
    std::optional<raft::SnapshotChunkHeader> h;
    if (GetFixed32(&body, &header_len) && header_len <= body.size()) {
      h = raft::DecodeSnapshotChunkHeader(body.substr(0, header_len));
      body.remove_prefix(header_len);
    }
    if (!h || h->position != raft::SnapshotPosition{file, offset} || h->file_name != f.name || h->file_size != f.size ||
        body.empty() != (offset == f.size) || offset + body.size() > f.size) {
      last = Status::Corruption(fmt::format("chunk of {} at offset {}: malformed or not the chunk asked for", f.name, offset));
    } else if (Checksum64(body) != h->checksum) {
      last = Status::Corruption(fmt::format("chunk of {} at offset {}: checksum mismatch in transit", f.name, offset));
    } else {
      return std::string(body);
    }
  }
  return std::move(last).Annotate(fmt::format("after {} attempts", kChunkAttempts));
}

// Downloads file `file` into `path`; returns its checksum.
Result<uint64_t> Download(httplib::Client& client, io::Scheduler& io, const Served& s, uint32_t file,
                          const std::string& path, uint64_t* bytes_done, const WorkProgressFn& progress) {
  const BackupFile& f = s.manifest.files[file];
  STRATA_ASSIGN_OR_RETURN(auto out, io.Open(path, {.create = true, .truncate = true}));
  ChecksumBuilder checksum;
  uint64_t offset = 0;
  do {
    STRATA_ASSIGN_OR_RETURN(std::string data, FetchChunk(client, s, file, offset));
    STRATA_RETURN_IF_ERROR(out->WriteAt(io::IoClass::kSnapshot, offset, data));
    checksum.Update(data);
    offset += data.size();
    *bytes_done += data.size();
    if (progress) progress({.phase = "download", .unit = "bytes", .done = *bytes_done, .total = s.manifest.total_bytes()});
  } while (offset < f.size);
  STRATA_RETURN_IF_ERROR(out->Sync(io::IoClass::kSnapshot));
  return checksum.Digest();
}

Status PrepareTarget(const std::string& to_dir) {
  if (io::FileExists(to_dir)) {
    if (!io::IsDirectory(to_dir)) return Status::AlreadyExists(fmt::format("--to {} exists and is not a directory", to_dir));
    STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, io::ListDir(to_dir));
    if (!names.empty()) return Status::AlreadyExists(fmt::format("--to {} is not empty: a backup goes to a new directory", to_dir));
  }
  STRATA_RETURN_IF_ERROR(io::CreateDir(to_dir));
  return io::CreateDir(to_dir + "/" + kBackupDataDir);
}

}  // namespace

Result<BackupManifest> TakeBackup(const std::string& admin_addr, const std::string& to_dir,
                                  const WorkProgressFn& progress) {
  STRATA_ASSIGN_OR_RETURN(auto hp, raft::ParseHostPort(admin_addr));
  STRATA_RETURN_IF_ERROR(PrepareTarget(to_dir));
  httplib::Client client(hp.first, hp.second);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(120));  // begin flushes the engine; reads are rate-limited
  STRATA_ASSIGN_OR_RETURN(Served served, Begin(client, admin_addr));
  STRATA_ASSIGN_OR_RETURN(auto io, io::Scheduler::Create({}));
  uint64_t bytes_done = 0;
  if (progress) progress({.phase = "download", .unit = "bytes", .done = 0, .total = served.manifest.total_bytes()});
  for (uint32_t i = 0; i < served.manifest.files.size(); i++) {
    BackupFile& f = served.manifest.files[i];
    Result<uint64_t> checksum =
        Download(client, *io, served, i, fmt::format("{}/{}/{}", to_dir, kBackupDataDir, f.name), &bytes_done, progress);
    if (!checksum.ok()) {
      (void)client.Post(fmt::format("/backup/finish?id={}", served.backup_id));  // frees the node's checkpoint
      return std::move(checksum).take_status().Annotate(fmt::format("backup from {} into {}", admin_addr, to_dir));
    }
    f.checksum = *checksum;
  }
  httplib::Result finished = client.Post(fmt::format("/backup/finish?id={}", served.backup_id));
  (void)finished;  // the backup is whole either way; an unfinished one expires on the node
  STRATA_RETURN_IF_ERROR(io::SyncDir(to_dir + "/" + kBackupDataDir));
  served.manifest.created_at = NowIso8601();
  // The manifest last: a directory with backup.toml holds a complete backup.
  STRATA_RETURN_IF_ERROR(
      io::WriteFileAtomically(to_dir + "/" + kBackupManifestName, FormatBackupManifest(served.manifest)));
  return served.manifest;
}

}  // namespace strata::node
