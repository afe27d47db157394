// A running StrataDB node: the wiring of every layer (DESIGN §2). Today it owns the data
// directory, the I/O scheduler and the admin endpoint; the Raft group, storage engines and MySQL server are
// wired here as they arrive.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "node/config.h"

namespace strata::admin {
class AdminServer;
}
namespace strata::io {
class Scheduler;
}

namespace strata::node {

class DataDir;

class Node {
 public:
  // Opens the data directory, registers metrics and starts serving. On error nothing is
  // left running and the returned Status says what failed.
  static Result<std::unique_ptr<Node>> Start(const NodeConfig& config);
  ~Node();  // calls Stop()
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Stops serving (health turns 503 first), then shuts every part down. Idempotent.
  void Stop();

  // The /status document.
  std::string StatusJson() const;

 private:
  explicit Node(NodeConfig config);
  NodeConfig config_;
  std::unique_ptr<DataDir> data_dir_;
  std::unique_ptr<io::Scheduler> io_;      // every disk I/O of the node's engines
  std::string device_advice_json_;         // the data directory's block device, for /status
  std::unique_ptr<admin::AdminServer> admin_;
  std::atomic<bool> serving_{false};
  const std::chrono::steady_clock::time_point started_at_;
};

}  // namespace strata::node
