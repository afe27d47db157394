#include "backup_commands.h"

#include <cstdio>

#include <fmt/format.h>

#include "node/backup.h"
#include "obs/json.h"
#include "obs/log.h"

namespace strata::tools {

namespace {

// The libraries' info lines (an engine opened, a file written) are noise here, and would
// scribble over the bar: only warnings and errors reach stderr.
void QuietLogs() { obs::InitLogging(obs::LogFormat::kText, obs::LogLevel::kWarn); }

int Fail(ProgressReporter& progress, const Status& s) {
  progress.Close();
  std::fprintf(stderr, "stratadb: error: %s\n", s.ToString().c_str());
  return 1;
}

// The last line: JSON in the JSON style, a sentence otherwise.
void Summary(ProgressReporter& progress, const std::string& json, const std::string& text) {
  progress.Close();
  std::puts((progress.json() ? json : text).c_str());
}

}  // namespace

int RunBackup(const std::string& admin_addr, const std::string& to_dir, ProgressStyle style) {
  QuietLogs();
  auto progress = ProgressReporter::Create(style, "backup");
  Result<node::BackupManifest> m =
      node::TakeBackup(admin_addr, to_dir, [&progress](const node::WorkProgress& p) { progress->Report(p); });
  if (!m.ok()) return Fail(*progress, m.status());
  Summary(*progress,
          obs::JsonObject()
              .Add("event", "done")
              .Add("task", "backup")
              .Add("dir", std::string_view(to_dir))
              .Add("cluster_id", std::string_view(m->cluster_id))
              .Add("source_node_id", m->source_node_id)
              .Add("applied_index", m->applied_index)
              .Add("files", uint64_t{m->files.size()})
              .Add("bytes", m->total_bytes())
              .Finish(),
          fmt::format("backup of node {} (cluster {}) at applied index {}: {} files, {} bytes in {}",
                      m->source_node_id, m->cluster_id, m->applied_index, m->files.size(), m->total_bytes(), to_dir));
  return 0;
}

int RunRestore(const std::string& from_dir, const std::string& data_dir, const std::string& root_password,
               ProgressStyle style) {
  QuietLogs();
  auto progress = ProgressReporter::Create(style, "restore");
  node::RestoreOptions options{.from = from_dir, .data_dir = data_dir, .root_password = root_password};
  Result<node::RestoreSummary> r =
      node::RestoreBackup(options, [&progress](const node::WorkProgress& p) { progress->Report(p); });
  if (!r.ok()) return Fail(*progress, r.status());
  Summary(*progress,
          obs::JsonObject()
              .Add("event", "done")
              .Add("task", "restore")
              .Add("data_dir", std::string_view(data_dir))
              .Add("node_id", r->node_id)
              .Add("cluster_id", std::string_view(r->cluster_id))
              .Add("applied_index", r->applied_index)
              .Add("records", r->records)
              .Finish(),
          fmt::format("restored {} records at applied index {} into {}: a new single-node cluster (node {}, cluster "
                      "{}); start it with stratadb start --data-dir {}",
                      r->records, r->applied_index, data_dir, r->node_id, r->cluster_id, data_dir));
  return 0;
}

}  // namespace strata::tools
