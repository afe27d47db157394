// The admin HTTP endpoint (DESIGN §2, D12):
//   GET /metrics  Prometheus text exposition of the metrics registry
//   GET /health   200 "ok" while the node serves, 503 otherwise; while serving with a
//                 condition to report (a full disk), 200 with that condition instead of "ok"
//   GET /status   a JSON object describing the node (built by the caller)
//   GET /config/io               the I/O rate limits (JSON)
//   POST /config/io?key=value..  changes them at run time (docs/operations.md); 200 with the
//                                new JSON, 400 {"error": ...} when a key or value is bad
// and, only when the wiring layer passes the fault-injection callbacks (stratadb start
// --fault-injection; docs/operations.md, "Fault injection"):
//   POST /debug/power-loss                 simulated power loss: never answers, the process exits
//   POST /debug/partition?peers=P1,P2,...[&direction=both|out|in]
//                                          drop Raft traffic to and/or from the nodes whose
//                                          admin ports (or host:port) are listed
//   POST /debug/heal                       end every partition
//   POST /debug/compact                    snapshot and compact the Raft log now
// and, when the wiring layer passes `cluster_action` (docs/operations.md, "Cluster"):
//   GET /cluster/status                     the "raft" object of /status
//   POST /cluster/join?id=&raft=&admin=&mysql=   add (or promote) a member; leader only, others 307
//   POST /cluster/add?...                   the same, for operators
//   POST /cluster/remove?id=N               remove a member
//   POST /cluster/transfer-leader?id=N      hand leadership to a voter
//   GET /cluster/watermark                  {"gc_watermark": N}: this node's oldest open snapshot
//                                           (the leader keeps the replicated GC horizon below it)
// and, when the wiring layer passes the backup callbacks (node/backup_source.h,
// docs/backup_format.md):
//   POST /backup/begin                        take an engine checkpoint to serve; its description
//   GET /backup/chunk?id=&file=&offset=[&max_bytes=]   one chunk of it (binary)
//   POST /backup/finish?id=                   delete it
// and, when the wiring layer passes the console callbacks (docs/operations.md, "Web console"):
//   GET /  and  GET /console              the web console (its files are compiled in)
//   GET /sessions                         the node's sessions (SHOW PROCESSLIST as JSON)  [root]
//   POST /sessions/kill?id=N[&scope=query]  KILL CONNECTION (or QUERY) N                  [root]
//   GET /slow-queries                     the slow-query log's latest entries             [root]
// [root]: HTTP Basic authentication as the root account; 401 otherwise (a log line for wrong
// credentials); after 5 failures in a minute from one address, 429 for the rest of it.
// A peer is named by its admin port: the node asks that peer's GET /status for its node_id
// (and remembers the answer, so a peer that is down now but was asked before still works).
//
// The server knows nothing about nodes: the layer that wires it (src/node) passes in
// what to report. Requests are served on the server's own threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace strata::obs {
class Registry;
}

namespace strata::admin {

struct AdminOptions {
  std::string listen_addr = "127.0.0.1";
  uint16_t port = 8080;
  obs::Registry* registry = nullptr;       // REQUIRES: non-null, outlives the server
  std::function<bool()> is_serving;        // /health; must be thread-safe
  // /health while serving: "" for "ok", else the condition, e.g. "disk_full: <path> (...)".
  // Must be thread-safe.
  std::function<std::string()> health_detail;
  std::function<std::string()> status_json;  // /status; must be thread-safe
  // /config/io: the current JSON, and applying query parameters (all or none). Empty:
  // the endpoint answers 404. Must be thread-safe.
  std::function<std::string()> io_config_json;
  std::function<Status(const std::vector<std::pair<std::string, std::string>>&)> apply_io_config;
  // Fault injection; the /debug endpoints exist only when `power_loss` is set.
  std::function<void()> power_loss;  // must not return
  // Drops Raft traffic to and/or from these node ids (added to those already cut off).
  enum class Direction { kBoth, kOut, kIn };
  std::function<Status(const std::vector<uint64_t>& node_ids, Direction direction)> partition;
  std::function<void()> heal;
  std::function<void()> compact;  // POST /debug/compact: snapshot and compact the Raft log now
  uint64_t self_node_id = 0;  // refused as a partition peer
  // Cluster endpoints: (HTTP status, JSON body) for POST /cluster/<action> with its query
  // parameters, and the JSON of GET /cluster/status. Must be thread-safe; may block.
  struct Answer {
    int status = 200;
    std::string json;  // the body: JSON unless content_type says otherwise
    std::string content_type = "application/json";
  };
  std::function<Answer(const std::string& action, const std::vector<std::pair<std::string, std::string>>& params)>
      cluster_action;
  std::function<std::string()> cluster_status;
  std::function<uint64_t()> gc_watermark;
  // Backups: all three or none (404). Must be thread-safe; may block (a checkpoint, a read).
  std::function<Answer()> backup_begin;
  std::function<Answer(uint64_t id, uint32_t file, uint64_t offset, uint64_t max_bytes)> backup_chunk;
  std::function<Answer(uint64_t id)> backup_finish;
  // The web console: all four or none (404). Must be thread-safe.
  std::function<bool(std::string_view user, std::string_view password)> check_root;
  std::function<std::string()> sessions_json;  // a JSON array of process rows
  std::function<bool(uint32_t id, bool query_only)> kill_session;  // false: no such session
  std::function<std::string()> slow_queries_json;  // a JSON array, oldest first
  bool root_has_password = true;  // false: sign-in cannot succeed; 401 says why
};

class AdminServer {
 public:
  explicit AdminServer(AdminOptions options);
  ~AdminServer();  // stops the server
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds the port (failing with Busy when it is taken) and starts serving in the
  // background. Call once.
  Status Start();
  // Stops accepting and joins the serving thread. Idempotent.
  void Stop();
  // The bound port (useful when options.port was 0).
  uint16_t port() const { return bound_port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t bound_port_ = 0;
};

}  // namespace strata::admin
