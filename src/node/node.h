// A running StrataDB node: the wiring of every layer (DESIGN §2). It owns the data
// directory, the I/O scheduler, the storage engine, the Raft group and its state machine,
// the transaction manager and the admin endpoint; the MySQL server is wired here next.
//
// Start sequence (docs/architecture.md, "Node start and recovery"):
//   data dir → I/O scheduler → storage engines (<data_dir>/lsm and <data_dir>/btree behind
//   one RoutedEngine; each recovers to its own persisted applied index) → state machine → RaftNode (<data_dir>/raft, <data_dir>/snap; replays
//   committed entries after that index) → wait for leadership (a single voter elects
//   itself) and apply a no-op barrier → transactions, garbage collector, metrics → admin.
// Stop runs it backwards. There is no path that writes user data around the Raft log:
// transactions commit only through RaftProposer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/memory_budget.h"
#include "common/status.h"
#include "node/config.h"
#include "node/members.h"

namespace strata::admin {
class AdminServer;
struct AdminOptions;
}
namespace strata::io {
class DurabilityTracker;
class RateController;
class Scheduler;
}
namespace strata::raft {
class RaftNode;
struct RaftNodeInfo;
}
namespace strata::storage {
class Engine;
class RoutedEngine;
}
namespace strata::storage::lsm {
class LsmEngine;
}
namespace strata::sql {
class SqlEngine;
}
namespace strata::server {
class SlowQueryLog;
class SqlSessionFactory;
}
namespace strata::server::mysql {
class Server;
}
namespace strata::txn {
class TxnManager;
}

namespace strata::node {

class BackupSource;
class Cluster;
class DataDir;
class DiskMonitor;
class GarbageCollector;
class IoRates;
class RaftProposer;
class TxnStateMachine;

class Node {
 public:
  static constexpr std::chrono::seconds kLeaderTimeout{10};
  // How long `--join` keeps asking before giving up (a large snapshot takes a while).
  static constexpr std::chrono::seconds kJoinTimeout{600};

  // Opens the data directory, recovers storage and Raft, joins the cluster named by
  // config.join when this node is not a voter yet (node/cluster.h), waits until it has
  // applied everything committed (a single voter: until it leads; gives up after
  // kLeaderTimeout without replay progress)
  // and starts serving. On error nothing is left running and the returned Status says
  // what failed.
  static Result<std::unique_ptr<Node>> Start(const NodeConfig& config);
  ~Node();  // calls Stop()
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Stops serving (health turns 503 first), then shuts every part down. Idempotent.
  // The engine is not flushed: the Raft log holds everything past its persisted index.
  void Stop();

  // The /status document.
  std::string StatusJson() const;

  // The running parts. REQUIRES: Start succeeded and Stop has not been called.
  txn::TxnManager& txn();
  storage::Engine& engine();
  GarbageCollector& gc();
  uint64_t gc_horizon() const;  // the applied GC horizon (a txn::LogIndex)
  raft::RaftNodeInfo raft_info() const;
  uint16_t admin_port() const;  // the bound port (config admin_port 0 picks one)
  uint16_t raft_port() const;   // likewise
  uint16_t mysql_port() const;  // likewise

 private:
  explicit Node(NodeConfig config);
  Status StartFaultInjection();
  void StopFaultInjection();
  Status OpenDataDir();
  Status StartIo();
  void StartIoRates(bool rotational);
  Status StartStorage();
  Status StartRaft();
  Member SelfMember() const;
  Status JoinCluster();
  // follower_requests = redirect: OK on the leader; elsewhere MySQL 1290 naming the leader.
  Status RefuseIfFollower() const;
  Status CatchUp();
  void StartAnnouncer();
  void StartTransactions();
  Status StartMysql();
  void RegisterMetrics();
  void ProposeGcHorizon(uint64_t watermark);  // a txn::LogIndex
  void UnregisterMetrics();
  Status StartAdmin();                               // node_admin.cc
  void StartConsole(admin::AdminOptions& options);   // node_admin.cc
  // node_backup.cc: the BackupSource and its /backup/* callbacks; /status pieces.
  Status StartBackups(admin::AdminOptions& options);
  std::string BackupsStatusJson() const;
  std::string SnapshotInstallJson() const;  // the snapshot being restored into the engine, or null
  std::string RaftStatusJson() const;
  std::string EngineStatusJson() const;
  std::string DiskStatusJson() const;
  std::string HealthDetail() const;  // /health: "" or "disk_full: <path> (<reason>)"

  NodeConfig config_;
  // The sessions' quarter of memory_limit_mb: transaction buffers, large packets and result
  // sets are charged to it (MySQL 1041 past it). Outlives everything that charges it.
  std::unique_ptr<MemoryBudget> session_memory_;
  // --fault-injection: installed before the first file is opened, removed after the last
  // is closed (io/durability.h).
  std::unique_ptr<io::DurabilityTracker> durability_;
  std::unique_ptr<DataDir> data_dir_;
  std::unique_ptr<io::Scheduler> io_;      // every disk I/O of the node's engines
  std::string device_advice_json_;         // the data directory's block device, for /status
  std::unique_ptr<io::RateController> rate_controller_;  // the background classes' buckets
  std::unique_ptr<IoRates> io_rates_;      // their settings for SET GLOBAL, /config/io, /status
  std::unique_ptr<storage::Engine> engine_;
  storage::lsm::LsmEngine* lsm_ = nullptr;  // engine_'s LSM part (its disk state, write pressure)
  storage::RoutedEngine* routed_ = nullptr;  // engine_ itself, for the B+tree's checkpoint state
  std::unique_ptr<TxnStateMachine> state_machine_;
  std::unique_ptr<raft::RaftNode> raft_;
  std::atomic<raft::RaftNode*> raft_for_hooks_{nullptr};  // raft_, for the state machine's member hook
  bool joining_new_ = false;  // a new data directory created to join config_.join
  std::unique_ptr<Cluster> cluster_;
  // Records this member's addresses in the replicated table once it serves (retrying
  // while there is no leader); stopped first by Stop().
  std::thread announcer_;
  std::mutex announcer_mu_;
  std::condition_variable announcer_cv_;
  bool announcer_stop_ = false;  // guarded by announcer_mu_
  std::unique_ptr<DiskMonitor> disk_;       // refuses writes while the disk is full
  std::unique_ptr<RaftProposer> proposer_;
  std::unique_ptr<txn::TxnManager> txns_;
  std::unique_ptr<GarbageCollector> gc_;
  bool metrics_registered_ = false;
  std::unique_ptr<sql::SqlEngine> sql_;
  std::unique_ptr<server::SlowQueryLog> slow_log_;
  std::unique_ptr<server::SqlSessionFactory> sessions_;
  std::unique_ptr<server::mysql::Server> mysql_;
  std::unique_ptr<BackupSource> backups_;  // served through admin_; stopped after it
  std::unique_ptr<admin::AdminServer> admin_;
  std::atomic<bool> serving_{false};
  const std::chrono::steady_clock::time_point started_at_;
};

// How the engines share the storage half of memory_limit_mb (docs/operations.md).
struct StorageMemory {
  uint64_t lsm_bytes;    // block cache and memtables
  uint64_t btree_bytes;  // buffer pool
};
StorageMemory SplitStorageMemory(const NodeConfig& config);

// The Raft cluster id carried in every transport frame: the first 16 hex digits of
// node.toml's 32-hex-digit cluster_id (InvalidArgument when they are not hex).
Result<uint64_t> RaftClusterId(std::string_view cluster_id_hex);

}  // namespace strata::node
