#include "admin/admin_server.h"

#include <httplib.h>

#include <sys/socket.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "admin/console.h"
#include "common/check.h"
#include "obs/json.h"
#include "obs/log.h"
#include "obs/metrics.h"

namespace strata::admin {

namespace {

constexpr size_t kMaxPartitionPeers = 64;

bool IsKnownPath(const std::string& path) {
  return path == "/metrics" || path == "/health" || path == "/status" || path == "/debug/power-loss" ||
         path == "/debug/partition" || path == "/debug/heal" || path == "/debug/compact" || path == "/config/io" ||
         path == "/cluster/status" ||
         path == "/cluster/join" || path == "/cluster/add" || path == "/cluster/remove" ||
         path == "/cluster/transfer-leader" || path == "/cluster/watermark" || path == "/backup/begin" ||
         path == "/backup/chunk" || path == "/backup/finish" || path == "/" || path == "/console" ||
         path == "/console/console.js" || path == "/console/console.css" ||
         path == "/sessions" || path == "/sessions/kill" || path == "/slow-queries";
}

// "8081" -> (default_host, 8081); "10.0.0.2:8081" -> as given.
Result<std::pair<std::string, uint16_t>> ParsePeer(std::string_view entry, const std::string& default_host) {
  std::string host = default_host;
  size_t colon = entry.rfind(':');
  if (colon != std::string_view::npos) {
    host = std::string(entry.substr(0, colon));
    entry = entry.substr(colon + 1);
  }
  uint32_t port = 0;
  for (char c : entry) {
    if (c < '0' || c > '9' || port > 65535) return Status::InvalidArgument("bad peer port");
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (entry.empty() || host.empty() || port == 0 || port > 65535)
    return Status::InvalidArgument(fmt::format("peer '{}' is not an admin port or host:port", entry));
  return std::pair<std::string, uint16_t>(host, static_cast<uint16_t>(port));
}

// The "node_id" member of a /status document (a plain unsigned number).
std::optional<uint64_t> NodeIdOf(const std::string& status_json) {
  constexpr std::string_view kKey = "\"node_id\":";
  size_t at = status_json.find(kKey);
  if (at == std::string::npos) return std::nullopt;
  uint64_t id = 0;
  size_t i = at + kKey.size();
  while (i < status_json.size() && status_json[i] == ' ') i++;
  size_t digits = 0;
  for (; i < status_json.size() && status_json[i] >= '0' && status_json[i] <= '9'; i++, digits++)
    id = id * 10 + static_cast<uint64_t>(status_json[i] - '0');
  if (digits == 0 || digits > 19) return std::nullopt;
  return id;
}

}  // namespace

struct AdminServer::Impl {
  AdminOptions options;
  httplib::Server http;
  std::thread thread;
  obs::Family<obs::Counter>* requests = nullptr;
  std::mutex peers_mu;
  std::map<std::string, uint64_t> peer_ids;  // "host:port" of an admin endpoint -> node id

  // The node id behind an admin endpoint: asked once, then remembered.
  Result<uint64_t> ResolvePeer(const std::string& host, uint16_t port) {
    std::string key = fmt::format("{}:{}", host, port);
    {
      std::lock_guard lock(peers_mu);
      auto it = peer_ids.find(key);
      if (it != peer_ids.end()) return it->second;
    }
    httplib::Client client(host, port);
    client.set_connection_timeout(std::chrono::seconds(2));
    client.set_read_timeout(std::chrono::seconds(2));
    httplib::Result res = client.Get("/status");
    if (!res || res->status != 200)
      return Status::Unavailable(fmt::format("cannot ask the admin endpoint {} for its node id", key));
    std::optional<uint64_t> id = NodeIdOf(res->body);
    if (!id) return Status::Unavailable(fmt::format("{}/status has no node_id", key));
    std::lock_guard lock(peers_mu);
    peer_ids[key] = *id;
    return *id;
  }

  void ServeDebug();
  void ServeBackups();
};

// The backup endpoints: thin; the node's BackupSource does the work.
void AdminServer::Impl::ServeBackups() {
  auto reply = [](httplib::Response& res, const AdminOptions::Answer& answer) {
    res.status = answer.status;
    res.set_content(answer.json, answer.content_type);
  };
  // A missing or malformed number is 0, which names no backup and no chunk beyond the first.
  auto number = [](const httplib::Request& req, const char* key) -> uint64_t {
    return std::strtoull(req.get_param_value(key).c_str(), nullptr, 10);
  };
  http.Post("/backup/begin", [this, reply](const httplib::Request&, httplib::Response& res) {
    reply(res, options.backup_begin());
  });
  http.Get("/backup/chunk", [this, reply, number](const httplib::Request& req, httplib::Response& res) {
    uint64_t file = number(req, "file");
    if (file > UINT32_MAX) file = UINT32_MAX;
    reply(res, options.backup_chunk(number(req, "id"), static_cast<uint32_t>(file), number(req, "offset"),
                                    number(req, "max_bytes")));
  });
  http.Post("/backup/finish", [this, reply, number](const httplib::Request& req, httplib::Response& res) {
    reply(res, options.backup_finish(number(req, "id")));
  });
}

// The fault-injection endpoints (docs/operations.md, "Fault injection").
void AdminServer::Impl::ServeDebug() {
  http.Post("/debug/power-loss", [this](const httplib::Request&, httplib::Response&) {
    obs::Warn("admin", "POST /debug/power-loss: simulating a power loss now");
    options.power_loss();  // does not return: no answer, as from a machine without power
  });
  http.Post("/debug/partition", [this](const httplib::Request& req, httplib::Response& res) {
    auto fail = [&res](int code, const std::string& why) {
      res.status = code;
      res.set_content(why + "\n", "text/plain");
    };
    std::string list = req.get_param_value("peers");
    if (list.empty()) return fail(400, "missing peers=<admin port>[,<admin port>...]");
    std::string direction_name = req.has_param("direction") ? req.get_param_value("direction") : "both";
    AdminOptions::Direction direction;
    if (direction_name == "both") {
      direction = AdminOptions::Direction::kBoth;
    } else if (direction_name == "out") {
      direction = AdminOptions::Direction::kOut;
    } else if (direction_name == "in") {
      direction = AdminOptions::Direction::kIn;
    } else {
      return fail(400, "direction must be both, out or in");
    }
    std::vector<uint64_t> ids;
    std::string peers_json = "[";
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = std::min(list.find(',', start), list.size());
      std::string entry = list.substr(start, comma - start);
      start = comma + 1;
      if (entry.empty()) continue;
      if (ids.size() >= kMaxPartitionPeers) return fail(400, fmt::format("more than {} peers", kMaxPartitionPeers));
      Result<std::pair<std::string, uint16_t>> peer = ParsePeer(entry, options.listen_addr);
      if (!peer.ok()) return fail(400, std::string(peer.status().message()));
      Result<uint64_t> id = ResolvePeer(peer->first, peer->second);
      if (!id.ok()) return fail(502, std::string(id.status().message()));
      if (*id == options.self_node_id) return fail(400, fmt::format("peer {} is this node", entry));
      ids.push_back(*id);
      if (peers_json.size() > 1) peers_json += ",";
      peers_json += obs::JsonObject().Add("peer", std::string_view(entry)).Add("node_id", *id).Finish();
    }
    if (ids.empty()) return fail(400, "missing peers=<admin port>[,<admin port>...]");
    Status s = options.partition(ids, direction);
    if (!s.ok()) return fail(503, s.ToString());
    obs::Warn("admin", "POST /debug/partition: Raft traffic with these peers is dropped",
              {{"peers", list}, {"direction", direction_name}});
    res.set_content(obs::JsonObject()
                        .AddRaw("partitioned", peers_json + "]")
                        .Add("direction", std::string_view(direction_name))
                        .Finish() + "\n",
                    "application/json");
  });
  http.Post("/debug/heal", [this](const httplib::Request&, httplib::Response& res) {
    options.heal();
    obs::Warn("admin", "POST /debug/heal: every partition ended");
    res.set_content("{\"healed\":true}\n", "application/json");
  });
  http.Post("/debug/compact", [this](const httplib::Request&, httplib::Response& res) {
    options.compact();
    obs::Warn("admin", "POST /debug/compact: Raft log compaction requested");
    res.set_content("{\"compaction_requested\":true}\n", "application/json");
  });
}

AdminServer::AdminServer(AdminOptions options) : impl_(std::make_unique<Impl>()) {
  STRATA_CHECK(options.registry != nullptr);
  impl_->options = std::move(options);
  impl_->requests = &impl_->options.registry->AddCounterFamily(
      "stratadb_admin_requests_total", "Admin HTTP requests by path and status code.",
      {"path", "code"});
}

AdminServer::~AdminServer() { Stop(); }

Status AdminServer::Start() {
  Impl& im = *impl_;
  STRATA_CHECK_MSG(!im.thread.joinable(), "AdminServer::Start called twice");
  im.http.Get("/metrics", [&im](const httplib::Request&, httplib::Response& res) {
    res.set_content(im.options.registry->RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
  im.http.Get("/health", [&im](const httplib::Request&, httplib::Response& res) {
    bool serving = !im.options.is_serving || im.options.is_serving();
    res.status = serving ? 200 : 503;
    std::string detail = serving && im.options.health_detail ? im.options.health_detail() : "";
    // Still 200 with a detail: the node serves reads; a 503 would take it out of rotation.
    res.set_content(!serving ? "not serving\n" : detail.empty() ? "ok\n" : detail + "\n", "text/plain");
  });
  im.http.Get("/status", [&im](const httplib::Request& req, httplib::Response& res) {
    // The web console served by another member of the cluster reads this one's /status:
    // allowed for exactly the members' admin addresses (http://host:port), no other origin.
    std::string origin = req.get_header_value("Origin");
    if (origin.starts_with("http://") && im.options.cluster_status &&
        im.options.cluster_status().find("\"admin_addr\":\"" + origin.substr(7) + "\"") != std::string::npos) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Vary", "Origin");
    }
    res.set_content(im.options.status_json ? im.options.status_json() : "{}", "application/json");
  });
  if (im.options.power_loss) {
    STRATA_CHECK(im.options.partition && im.options.heal && im.options.compact);
    im.ServeDebug();
  }
  if (im.options.io_config_json && im.options.apply_io_config) {
    im.http.Get("/config/io", [&im](const httplib::Request&, httplib::Response& res) {
      res.set_content(im.options.io_config_json(), "application/json");
    });
    im.http.Post("/config/io", [&im](const httplib::Request& req, httplib::Response& res) {
      std::vector<std::pair<std::string, std::string>> params(req.params.begin(), req.params.end());
      Status s = im.options.apply_io_config(params);
      if (!s.ok()) {
        res.status = 400;
        res.set_content(obs::JsonObject().Add("error", s.message()).Finish() + "\n", "application/json");
        return;
      }
      res.set_content(im.options.io_config_json(), "application/json");
    });
  }
  if (im.options.cluster_action && im.options.cluster_status) {
    im.http.Get("/cluster/status", [&im](const httplib::Request&, httplib::Response& res) {
      res.set_content(im.options.cluster_status(), "application/json");
    });
    if (im.options.gc_watermark) {
      im.http.Get("/cluster/watermark", [&im](const httplib::Request&, httplib::Response& res) {
        res.set_content(obs::JsonObject().Add("gc_watermark", im.options.gc_watermark()).Finish() + "\n",
                        "application/json");
      });
    }
    im.http.Post(R"(/cluster/(join|add|remove|transfer-leader))", [&im](const httplib::Request& req,
                                                                       httplib::Response& res) {
      std::vector<std::pair<std::string, std::string>> params(req.params.begin(), req.params.end());
      AdminOptions::Answer answer = im.options.cluster_action(req.matches[1], params);
      res.status = answer.status;
      res.set_content(answer.json, "application/json");
    });
  }
  if (im.options.backup_begin && im.options.backup_chunk && im.options.backup_finish) im.ServeBackups();
  if (im.options.check_root && im.options.sessions_json && im.options.kill_session && im.options.slow_queries_json)
    ServeConsole(im.http, im.options);
  im.http.set_logger([&im](const httplib::Request& req, const httplib::Response& res) {
    // Unknown paths are folded into one label value so a scanner cannot grow the registry.
    bool known = IsKnownPath(req.path);
    im.requests->With({known ? req.path : "other", std::to_string(res.status)}).Inc();
  });

  // httplib's default also sets SO_REUSEPORT, which would let a second node bind the same
  // port silently; SO_REUSEADDR alone keeps restarts quick and a busy port an error.
  im.http.set_socket_options([](int sock) {
    int one = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  });
  if (!im.http.bind_to_port(im.options.listen_addr, im.options.port)) {
    return Status::Busy(fmt::format("cannot listen on {}:{} for the admin endpoint (port in use "
                                    "or address unavailable)",
                                    im.options.listen_addr, im.options.port));
  }
  bound_port_ = im.options.port;
  im.thread = std::thread([&im] { im.http.listen_after_bind(); });
  while (!im.http.is_running()) std::this_thread::yield();
  obs::Info("admin", "admin endpoint listening",
            {{"addr", im.options.listen_addr}, {"port", int64_t{bound_port_}}});
  return Status::OK();
}

void AdminServer::Stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->http.stop();
  impl_->thread.join();
}

}  // namespace strata::admin
