#include "node/node.h"

#include <chrono>

#include <fmt/format.h>

#include "admin/admin_server.h"
#include "io/io.h"
#include "node/data_dir.h"
#include "node/version.h"
#include "obs/json.h"
#include "obs/log.h"
#include "obs/metrics.h"

namespace strata::node {

Node::Node(NodeConfig config)
    : config_(std::move(config)), started_at_(std::chrono::steady_clock::now()) {}

Node::~Node() { Stop(); }

Result<std::unique_ptr<Node>> Node::Start(const NodeConfig& config) {
  std::unique_ptr<Node> node(new Node(config));
  obs::Info("node", "starting", {{"version", STRATA_VERSION}, {"git_sha", STRATA_GIT_SHA},
                                 {"config", DescribeConfig(config)}});

  STRATA_ASSIGN_OR_RETURN(node->data_dir_, DataDir::Open(config.data_dir, config.root_password));
  const NodeIdentity& id = node->data_dir_->identity();
  obs::Info("node", node->data_dir_->created_now() ? "data directory created" : "data directory opened",
            {{"data_dir", config.data_dir}, {"node_id", id.node_id}, {"cluster_id", id.cluster_id}});

  obs::Registry& registry = obs::Registry::Default();
  obs::RegisterProcessMetrics(registry, STRATA_VERSION, STRATA_GIT_SHA);

  io::DeviceAdvice advice = io::AdviseDevice(config.data_dir);
  io::LogDeviceAdvice(advice);
  node->device_advice_json_ = io::DeviceAdviceJson(advice);
  STRATA_ASSIGN_OR_RETURN(node->io_, io::Scheduler::Create({.registry = &registry}));
  obs::Info("node", "I/O scheduler ready", {{"backend", node->io_->backend_name()}});

  admin::AdminOptions admin_options;
  admin_options.listen_addr = config.listen_addr;
  admin_options.port = config.admin_port;
  admin_options.registry = &registry;
  Node* raw = node.get();
  admin_options.is_serving = [raw] { return raw->serving_.load(); };
  admin_options.status_json = [raw] { return raw->StatusJson(); };
  node->admin_ = std::make_unique<admin::AdminServer>(std::move(admin_options));
  STRATA_RETURN_IF_ERROR(node->admin_->Start());

  node->serving_.store(true);
  obs::Info("node", "serving", {{"admin_port", int64_t{config.admin_port}}});
  return node;
}

void Node::Stop() {
  if (!admin_) return;
  serving_.store(false);
  admin_->Stop();
  admin_.reset();
  io_.reset();  // waits for requests in flight
  data_dir_.reset();
  obs::Info("node", "stopped");
}

std::string Node::StatusJson() const {
  const NodeIdentity& id = data_dir_->identity();
  double uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count();
  std::string ports = obs::JsonObject()
                          .Add("mysql", int64_t{config_.port})
                          .Add("admin", int64_t{config_.admin_port})
                          .Add("raft", int64_t{config_.raft_port})
                          .Finish();
  return obs::JsonObject()
      .Add("version", STRATA_VERSION)
      .Add("git_sha", STRATA_GIT_SHA)
      .Add("mysql_version", STRATA_MYSQL_VERSION)
      .Add("node_id", id.node_id)
      .Add("cluster_id", std::string_view(id.cluster_id))
      .Add("data_dir", std::string_view(config_.data_dir))
      .Add("listen_addr", std::string_view(config_.listen_addr))
      .AddRaw("ports", ports)
      .Add("io_backend", io_ ? io_->backend_name() : "")
      .AddRaw("device", device_advice_json_)
      .Add("uptime_seconds", uptime)
      .Add("serving", serving_.load())
      .Finish();
}

}  // namespace strata::node
