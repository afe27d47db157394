// node::Node's admin endpoint (admin/admin_server.h): what it reports and serves, and the
// web console's view of this node's sessions and slow queries.
#include <openssl/crypto.h>

#include <cstdlib>

#include "admin/admin_server.h"
#include "common/password_verifier.h"
#include "io/durability.h"
#include "node/cluster.h"
#include "node/data_dir.h"
#include "node/io_rates.h"
#include "node/node.h"
#include "obs/json.h"
#include "obs/metrics.h"
#include "raft/raft_node.h"
#include "server/sql_session.h"
#include "sql/sql.h"
#include "txn/transaction.h"

namespace strata::node {

Status Node::StartAdmin() {
  admin::AdminOptions options;
  options.listen_addr = config_.listen_addr;
  options.port = config_.admin_port;
  options.registry = &obs::Registry::Default();
  options.is_serving = [this] { return serving_.load(); };
  options.health_detail = [this] { return HealthDetail(); };
  options.status_json = [this] { return StatusJson(); };
  options.io_config_json = [this] { return io_rates_->StatusJson(); };
  options.apply_io_config = [this](const std::vector<std::pair<std::string, std::string>>& params) {
    return io_rates_->Apply(params);
  };
  options.cluster_status = [this] { return cluster_->StatusJson(); };
  options.gc_watermark = [this] { return txns_->GcWatermark(); };
  options.cluster_action = [this](const std::string& action,
                                  const std::vector<std::pair<std::string, std::string>>& params) {
    auto param = [&](std::string_view key) {
      for (const auto& [k, v] : params) {
        if (k == key) return v;
      }
      return std::string();
    };
    uint64_t id = std::strtoull(param("id").c_str(), nullptr, 10);
    HttpAnswer answer;
    if (action == "join" || action == "add") {
      answer = cluster_->Join(Member{id, param("raft"), param("admin"), param("mysql")});
    } else if (action == "remove") {
      answer = cluster_->Remove(id);
    } else {
      answer = cluster_->TransferLeader(id);
    }
    return admin::AdminOptions::Answer{answer.status, std::move(answer.json)};
  };
  if (durability_) {
    io::DurabilityTracker* tracker = durability_.get();
    options.power_loss = [tracker] { tracker->PowerLossAndExit(io::kPowerLossExitStatus); };
    options.partition = [this](const std::vector<uint64_t>& ids, admin::AdminOptions::Direction d) {
      using D = raft::Transport::Direction;
      D direction = d == admin::AdminOptions::Direction::kOut ? D::kOut
                    : d == admin::AdminOptions::Direction::kIn ? D::kIn : D::kBoth;
      for (uint64_t id : ids) raft_->transport().SetPartitioned(id, true, direction);
      return Status::OK();
    };
    options.heal = [this] { raft_->transport().HealAll(); };
    options.compact = [this] { raft_->RequestCompaction(); };
    options.self_node_id = data_dir_->identity().node_id;
  }
  StartConsole(options);
  STRATA_RETURN_IF_ERROR(StartBackups(options));
  admin_ = std::make_unique<admin::AdminServer>(std::move(options));
  return admin_->Start();
}

void Node::StartConsole(admin::AdminOptions& options) {
  if (!config_.admin_console) return;
  const std::string root_sha256 = data_dir_->identity().root_sha256_hash;
  options.root_has_password = !root_sha256.empty();
  options.check_root = [root_sha256](std::string_view user, std::string_view password) {
    if (user != "root") return false;
    std::string verifier = CachingSha2Verifier(password);
    return verifier.size() == root_sha256.size() &&
           CRYPTO_memcmp(verifier.data(), root_sha256.data(), verifier.size()) == 0;
  };
  options.sessions_json = [this] {
    std::string out = "[";
    for (const sql::ProcessEntry::Row& r : sql_->processes().Rows()) {
      if (out.size() > 1) out += ',';
      obs::JsonObject row;
      row.Add("id", uint64_t{r.id}).Add("user", r.user).Add("host", r.host).Add("db", r.db)
          .Add("command", r.command).Add("time", r.seconds).Add("state", r.state);
      if (r.info.empty()) row.AddRaw("info", "null");
      else row.Add("info", server::ShortenForDisplay(r.info, server::SlowQueryLog::kShownStatementBytes));
      out += row.Finish();
    }
    return out + "]";
  };
  options.kill_session = [this](uint32_t id, bool query_only) { return sql_->processes().Kill(id, query_only); };
  options.slow_queries_json = [this] { return slow_log_ ? slow_log_->RecentJson() : std::string("[]"); };
}

}  // namespace strata::node
