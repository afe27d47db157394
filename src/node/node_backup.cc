// node::Node's part in backups and snapshot installs: the BackupSource behind the admin
// endpoint's /backup/* (node/backup_source.h), and what /status shows of both.
#include <fmt/format.h>

#include "admin/admin_server.h"
#include "node/backup_source.h"
#include "node/data_dir.h"
#include "node/node.h"
#include "node/state_machine.h"
#include "obs/json.h"

namespace strata::node {

namespace {

using Answer = admin::AdminOptions::Answer;

Answer ErrorAnswer(const Status& s) {
  int code = 500;
  switch (s.code()) {
    case StatusCode::kNotFound: code = 404; break;
    case StatusCode::kInvalidArgument: code = 400; break;
    case StatusCode::kBusy: code = 503; break;
    default: break;
  }
  return Answer{code, obs::JsonObject().Add("error", std::string_view(s.ToString())).Finish() + "\n"};
}

}  // namespace

Status Node::StartBackups(admin::AdminOptions& options) {
  const NodeIdentity& id = data_dir_->identity();
  STRATA_ASSIGN_OR_RETURN(backups_, BackupSource::Open({.engine = engine_.get(),
                                                        .io = io_.get(),
                                                        .dir = data_dir_->path() + "/backups",
                                                        .cluster_id = id.cluster_id,
                                                        .node_id = id.node_id}));
  BackupSource* source = backups_.get();
  options.backup_begin = [source] {
    Result<std::string> begun = source->Begin();
    return begun.ok() ? Answer{200, std::move(*begun)} : ErrorAnswer(begun.status());
  };
  options.backup_chunk = [source](uint64_t backup, uint32_t file, uint64_t offset, uint64_t max_bytes) {
    Result<std::string> chunk = source->Chunk(backup, file, offset, static_cast<size_t>(std::min<uint64_t>(
                                                                          max_bytes, SIZE_MAX)));
    return chunk.ok() ? Answer{200, std::move(*chunk), "application/octet-stream"} : ErrorAnswer(chunk.status());
  };
  options.backup_finish = [source](uint64_t backup) {
    Status s = source->Finish(backup);
    return s.ok() ? Answer{200, "{\"finished\":true}\n"} : ErrorAnswer(s);
  };
  return Status::OK();
}

std::string Node::BackupsStatusJson() const { return backups_ ? backups_->StatusJson() : "[]"; }

std::string Node::SnapshotInstallJson() const {
  std::optional<TxnStateMachine::SnapshotInstall> install =
      state_machine_ ? state_machine_->snapshot_install() : std::nullopt;
  if (!install) return "null";
  const RestoreProgress& p = install->progress;
  return obs::JsonObject()
      .Add("index", install->index)
      .Add("phase", p.phase == RestoreProgress::Phase::kVerifying ? "verifying" : "loading")
      .Add("records_done", p.records_done)
      .Add("records_total", p.records_total)
      .Finish();
}

}  // namespace strata::node
