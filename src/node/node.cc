#include "node/node.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "admin/admin_server.h"
#include "io/durability.h"
#include "io/io.h"
#include "io/rate_tuner.h"
#include "node/backup_source.h"
#include "node/io_rates.h"
#include "node/data_dir.h"
#include "node/disk_monitor.h"
#include "server/mysql/server.h"
#include "server/sql_session.h"
#include "sql/sql.h"
#include "node/cluster.h"
#include "node/garbage_collector.h"
#include "node/raft_proposer.h"
#include "node/state_machine.h"
#include "node/version.h"
#include "obs/json.h"
#include "obs/log.h"
#include "obs/metrics.h"
#include "raft/raft_node.h"
#include "storage/btree/btree_engine.h"
#include "storage/lsm/engine_impl.h"  // the complete LsmEngine type, to own it as an Engine
#include "storage/routed_engine.h"
#include "txn/transaction.h"

namespace strata::node {

namespace {

// Applied entries between Raft log compactions; each writes a full snapshot file.
constexpr uint64_t kCompactEvery = 100000;
// The Raft tick: a heartbeat per tick, an election timeout of 10-20 ticks.
constexpr std::chrono::milliseconds kRaftTick{50};

// Callback metrics the node registers (and removes on Stop: they point into the node).
constexpr const char* kTxnCommits = "stratadb_txn_commits_total";
constexpr const char* kTxnConflicts = "stratadb_txn_conflicts_total";
constexpr const char* kTxnRollbacks = "stratadb_txn_rollbacks_total";
constexpr const char* kTxnReadOnly = "stratadb_txn_read_only_total";
constexpr const char* kAppliedIndex = "stratadb_state_machine_applied_index";
constexpr const char* kGcWatermark = "stratadb_txn_gc_watermark";
constexpr const char* kGcHorizon = "stratadb_txn_gc_horizon";
constexpr const char* kDiskFull = "stratadb_disk_full";
constexpr const char* kRowLockWaits = "stratadb_row_lock_waits_total";
constexpr const char* kRowLockTimeouts = "stratadb_row_lock_timeouts_total";
constexpr const char* kRowLockDeadlocks = "stratadb_row_lock_deadlocks_total";
constexpr const char* kRowLockWaiting = "stratadb_row_lock_waiting";
constexpr const char* kPlanCacheHits = "stratadb_plan_cache_hits_total";
constexpr const char* kPlanCacheMisses = "stratadb_plan_cache_misses_total";

// Free space kept in reserve on the data directory's file system: below it, writes are
// refused with 1021 (docs/operations.md, "Full disks"). One Raft log segment's worth, so
// that what must still be written while writes are refused (a memtable flush, the next
// segment, a compaction's outputs before it deletes its inputs) has room.
constexpr uint64_t kMinFreeBytes = 64ull << 20;

}  // namespace

Result<uint64_t> RaftClusterId(std::string_view cluster_id_hex) {
  if (cluster_id_hex.size() < 16)
    return Status::InvalidArgument(fmt::format("cluster_id '{}' is shorter than 16 hex digits", cluster_id_hex));
  uint64_t id = 0;
  for (char c : cluster_id_hex.substr(0, 16)) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (digit < 0) return Status::InvalidArgument(fmt::format("cluster_id '{}' is not hexadecimal", cluster_id_hex));
    id = id << 4 | static_cast<uint64_t>(digit);
  }
  return id;
}

Node::Node(NodeConfig config)
    : config_(std::move(config)), started_at_(std::chrono::steady_clock::now()) {}

Node::~Node() { Stop(); }

Result<std::unique_ptr<Node>> Node::Start(const NodeConfig& config) {
  std::unique_ptr<Node> node(new Node(config));
  obs::Info("node", "starting", {{"version", STRATA_VERSION}, {"git_sha", STRATA_GIT_SHA},
                                 {"config", DescribeConfig(config)}});
  // Each step leaves its part running only on success; on failure `node` is destroyed and
  // Stop() shuts down whatever did start.
  STRATA_RETURN_IF_ERROR(node->StartFaultInjection());
  STRATA_RETURN_IF_ERROR(node->OpenDataDir());
  STRATA_RETURN_IF_ERROR(node->StartIo());
  STRATA_RETURN_IF_ERROR(node->StartStorage());
  STRATA_RETURN_IF_ERROR(node->StartRaft());
  STRATA_RETURN_IF_ERROR(node->JoinCluster());
  STRATA_RETURN_IF_ERROR(node->CatchUp());
  node->StartTransactions();
  STRATA_RETURN_IF_ERROR(node->StartMysql());
  STRATA_RETURN_IF_ERROR(node->StartAdmin());
  node->serving_.store(true);
  node->StartAnnouncer();
  obs::Info("node", "serving", {{"admin_port", int64_t{node->admin_port()}}, {"raft_port", int64_t{node->raft_port()}}});
  return node;
}

Status Node::StartFaultInjection() {
  if (!config_.fault_injection) return Status::OK();
  // The tracker is process-wide (every io call consults it): one such node per process.
  if (io::DurabilityTracker::Get() != nullptr)
    return Status::Busy("another node in this process already runs with fault injection");
  obs::Warn("node", "FAULT INJECTION IS ON (test use only): POST /debug/power-loss rolls back every write "
                    "not yet durable and exits; /debug/partition cuts Raft traffic",
            {{"unsafe_skip_fsync", config_.unsafe_skip_fsync}});
  if (config_.unsafe_skip_fsync) {
    obs::Warn("node", "--unsafe-skip-fsync: every fsync is a no-op; NOTHING this node writes is durable "
                      "against a (simulated) power loss");
  }
  durability_ = std::make_unique<io::DurabilityTracker>(
      io::DurabilityTracker::Options{.skip_sync = config_.unsafe_skip_fsync});
  io::DurabilityTracker::Install(durability_.get());
  return Status::OK();
}

void Node::StopFaultInjection() {
  if (!durability_) return;
  io::DurabilityTracker::Install(nullptr);
  durability_.reset();
}

Status Node::OpenDataDir() {
  std::string cluster_id;
  if (!config_.join.empty() && DataDir::IsNew(config_.data_dir)) {
    // A new member adopts the cluster's id before it creates anything (the Raft transport
    // refuses other clusters' frames). The seed may still be starting: retry a while.
    auto deadline = std::chrono::steady_clock::now() + kLeaderTimeout;
    Result<std::string> id = Cluster::FetchClusterId(config_.join);
    while (!id.ok() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      id = Cluster::FetchClusterId(config_.join);
    }
    if (!id.ok()) return std::move(id).take_status().Annotate(fmt::format("--join {}", config_.join));
    cluster_id = *id;
    joining_new_ = true;
  }
  STRATA_ASSIGN_OR_RETURN(data_dir_, DataDir::Open(config_.data_dir, config_.root_password, cluster_id));
  const NodeIdentity& id = data_dir_->identity();
  obs::Info("node", data_dir_->created_now() ? "data directory created" : "data directory opened",
            {{"data_dir", config_.data_dir}, {"node_id", id.node_id}, {"cluster_id", id.cluster_id}});
  obs::RegisterProcessMetrics(obs::Registry::Default(), STRATA_VERSION, STRATA_GIT_SHA);
  return Status::OK();
}

Status Node::StartIo() {
  io::DeviceAdvice advice = io::AdviseDevice(config_.data_dir);
  io::LogDeviceAdvice(advice);
  device_advice_json_ = io::DeviceAdviceJson(advice);
  STRATA_ASSIGN_OR_RETURN(io_, io::Scheduler::Create({.registry = &obs::Registry::Default()}));
  obs::Info("node", "I/O scheduler ready", {{"backend", io_->backend_name()}});
  StartIoRates(advice.rotational);
  return Status::OK();
}

// The background classes' token buckets: from config, auto by default (io/rate_tuner.h).
void Node::StartIoRates(bool rotational) {
  int64_t device_max_mb = IoRates::DeviceMaxMb(rotational);
  int64_t max_mb = config_.io_rate_max_mb > 0 ? config_.io_rate_max_mb : device_max_mb;
  io::RateControllerOptions options;
  options.tuner.max_bytes_per_sec = static_cast<double>(max_mb) * io::kMiB;
  // LoadConfig checked the ranges, so FromMb cannot fail here.
  options.settings = {*io::RateSetting::FromMb(config_.flush_rate_mb),
                      *io::RateSetting::FromMb(config_.compaction_rate_mb),
                      *io::RateSetting::FromMb(config_.snapshot_rate_mb)};
  rate_controller_ = std::make_unique<io::RateController>(io_.get(), options);
  io_rates_ = std::make_unique<IoRates>(rate_controller_.get(), device_max_mb, config_.io_rate_max_mb);
  obs::Info("node", "I/O rate limits", {{"io_rates", io_rates_->StatusJson()}});
}

Status Node::StartRaft() {
  const NodeIdentity& id = data_dir_->identity();
  raft::RaftNodeOptions options;
  options.id = id.node_id;
  STRATA_ASSIGN_OR_RETURN(options.cluster_id, RaftClusterId(id.cluster_id));
  options.data_dir = data_dir_->path();  // the log in <dir>/raft, snapshots in <dir>/snap
  // A new data directory founds a single-voter group, unless it was created to join one:
  // then it starts empty and learns everything from the leader (node/cluster.h).
  options.bootstrap = !joining_new_;
  options.peers = {{id.node_id, fmt::format("{}:{}", config_.listen_addr, config_.raft_port)}};
  // Every member the replicated table knows (node/members.h); later changes arrive through
  // the state machine's hook, on the driver thread.
  for (const auto& [member_id, m] : state_machine_->members()) {
    if (member_id != id.node_id) options.peers[member_id] = m.raft_addr;
  }
  state_machine_->set_member_hook([this](const Member& m) {
    raft::RaftNode* raft = raft_for_hooks_.load(std::memory_order_acquire);
    if (raft != nullptr && m.id != data_dir_->identity().node_id) {
      Status s = raft->SetPeerAddress(m.id, m.raft_addr);
      if (!s.ok()) obs::Warn("cluster", "member address unusable", {{"member", m.id}, {"error", s.ToString()}});
    }
  });
  options.compact_every = kCompactEvery;
  // Heartbeats every 50 ms, elections after 0.5-1 s of silence: a failed leader is replaced,
  // and writes resume, within about a second (issue 18's goal; docs/operations.md).
  options.tick_interval = kRaftTick;
  // memory_limit_mb (config.h): an eighth for the log's in-memory tail; the log on disk is
  // compacted every quarter of it written, which bounds replay at start.
  options.compact_bytes = (config_.memory_limit_mb << 20) / 4;
  options.log_cache_bytes = (config_.memory_limit_mb << 20) / 8;
  options.scheduler = io_.get();
  options.registry = &obs::Registry::Default();
  Result<std::unique_ptr<raft::RaftNode>> raft = raft::RaftNode::Start(options, state_machine_.get());
  if (!raft.ok()) return std::move(raft).take_status().Annotate("starting Raft");
  raft_ = std::move(*raft);
  raft_for_hooks_.store(raft_.get(), std::memory_order_release);
  // Records a snapshot restore brought in while Raft started (the hook had no node yet).
  for (const auto& [member_id, m] : state_machine_->members()) {
    if (member_id != id.node_id) (void)raft_->SetPeerAddress(member_id, m.raft_addr);
  }
  cluster_ = std::make_unique<Cluster>(raft_.get(), state_machine_.get(), SelfMember(), id.cluster_id);
  return Status::OK();
}

void Node::StartTransactions() {
  obs::Registry& registry = obs::Registry::Default();
  DiskMonitorOptions disk;
  disk.data_dir = data_dir_->path();
  disk.min_free_bytes = kMinFreeBytes;
  disk.log_error = [this] {
    raft::RaftNodeInfo info = raft_->info();
    if (info.log_write_error.empty()) return Status::OK();
    return info.log_disk_full ? Status::NoSpace(info.log_write_error) : Status::IOError(info.log_write_error);
  };
  disk.engine_error = [this] { return lsm_->space_error(); };
  disk.btree_error = [this] { return routed_->checkpoint_error(); };
  disk_ = std::make_unique<DiskMonitor>(std::move(disk));
  proposer_ = std::make_unique<RaftProposer>(raft_.get(), state_machine_.get(), registry,
                                             std::chrono::milliseconds(config_.commit_timeout_ms), disk_.get());
  if (!config_.forward_to_leader) proposer_->SetFollowerRefusal([this] { return RefuseIfFollower(); });
  session_memory_ = std::make_unique<MemoryBudget>((config_.memory_limit_mb << 20) / 4);
  txns_ = std::make_unique<txn::TxnManager>(
      engine_.get(), proposer_.get(),
      txn::TxnOptions{.max_txn_bytes = config_.max_txn_bytes, .memory = session_memory_.get()});
  GcHooks hooks;
  hooks.propose_horizon = [this](txn::LogIndex watermark) { ProposeGcHorizon(watermark); };
  // Only below the horizon in force at the persisted index (state_machine.h).
  hooks.applied_horizon = [this] { return state_machine_->durable_gc_horizon(); };
  gc_ = std::make_unique<GarbageCollector>(engine_.get(), txns_.get(), std::move(hooks), GarbageCollectorOptions{});
  RegisterMetrics();
}

void Node::ProposeGcHorizon(uint64_t watermark) {
  // Only the leader proposes (DESIGN D4), and only when the horizon would move by more than
  // the horizon entry itself: an idle node adds no entry per pass.
  if (raft_->info().role != raft::Role::kLeader) return;
  if (watermark <= state_machine_->gc_horizon() + 1) return;
  // Transactions on the other members read at snapshots of their own.
  if (!raft_->IsSoleVoterLeader() && cluster_) watermark = std::min(watermark, cluster_->MinMemberWatermark());
  if (watermark <= state_machine_->gc_horizon() + 1) return;
  raft_->Propose(EncodeGcHorizonCommand(watermark), [](Result<Bytes> r) {
    if (!r.ok()) obs::Debug("node", "GC horizon proposal failed", {{"error", r.status().ToString()}});
  });
}

void Node::RegisterMetrics() {
  obs::Registry& r = obs::Registry::Default();
  using T = obs::MetricType;
  r.AddCallback(kTxnCommits, "Transactions committed through Raft", T::kCounter,
                [this] { return static_cast<double>(txns_->stats().commits); });
  r.AddCallback(kTxnConflicts, "Transactions aborted at apply by a write-write conflict (MySQL 1213)",
                T::kCounter, [this] { return static_cast<double>(txns_->stats().conflicts); });
  r.AddCallback(kTxnRollbacks, "Transactions rolled back by the client", T::kCounter,
                [this] { return static_cast<double>(txns_->stats().rollbacks); });
  r.AddCallback(kTxnReadOnly, "Read-only transactions finished (never touch Raft)", T::kCounter,
                [this] { return static_cast<double>(txns_->stats().read_only); });
  r.AddCallback(kAppliedIndex, "Highest Raft index applied to the storage engine (new transactions read at it)",
                T::kGauge, [this] { return static_cast<double>(state_machine_->applied()); });
  r.AddCallback(kGcWatermark, "Oldest snapshot an open transaction reads at; older versions are garbage",
                T::kGauge, [this] { return static_cast<double>(txns_->GcWatermark()); });
  r.AddCallback(kDiskFull, "1 while writes are refused because the disk is full or failing (MySQL 1021); see /status",
                T::kGauge, [this] { return disk_->Check().full ? 1.0 : 0.0; });
  r.AddCallback(kGcHorizon, "Applied GC horizon (replicated): WriteSets that started below it are refused",
                T::kGauge, [this] { return static_cast<double>(state_machine_->gc_horizon()); });
  r.AddCallback(kRowLockWaits, "Row lock requests that had to wait for another transaction", T::kCounter,
                [this] { return static_cast<double>(txns_->locks().stats().waits); });
  r.AddCallback(kRowLockTimeouts, "Row lock waits ended by innodb_lock_wait_timeout (MySQL 1205)", T::kCounter,
                [this] { return static_cast<double>(txns_->locks().stats().timeouts); });
  r.AddCallback(kRowLockDeadlocks, "Row lock requests refused as a deadlock (MySQL 1213)", T::kCounter,
                [this] { return static_cast<double>(txns_->locks().stats().deadlocks); });
  r.AddCallback(kRowLockWaiting, "Transactions waiting for a row lock now", T::kGauge,
                [this] { return static_cast<double>(txns_->locks().stats().waiting); });
  r.AddCallback(kPlanCacheHits, "Prepared statement executions that reused their kept plan", T::kCounter,
                [this] { return sql_ ? static_cast<double>(sql_->plan_cache_hits()) : 0.0; });
  r.AddCallback(kPlanCacheMisses, "Prepared statement executions that planned anew (first run, DDL, new settings)",
                T::kCounter, [this] { return sql_ ? static_cast<double>(sql_->plan_cache_misses()) : 0.0; });
  metrics_registered_ = true;
}

void Node::UnregisterMetrics() {
  if (!metrics_registered_) return;
  obs::Registry& r = obs::Registry::Default();
  for (const char* name : {kTxnCommits, kTxnConflicts, kTxnRollbacks, kTxnReadOnly, kAppliedIndex, kGcWatermark,
                           kGcHorizon, kDiskFull, kRowLockWaits, kRowLockTimeouts, kRowLockDeadlocks, kRowLockWaiting,
                           kPlanCacheHits, kPlanCacheMisses})
    r.RemoveCallback(name);
  metrics_registered_ = false;
}

Status Node::StartMysql() {
  // SHOW STATUS answers from the same counters /metrics shows (DESIGN D12).
  sql::StatusProvider status = [this] {
    txn::TxnManager::Stats t = txns_->stats();
    txn::LockManager::Stats locks = txns_->locks().stats();
    uint64_t uptime = static_cast<uint64_t>(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count());
    raft::RaftNodeInfo raft = raft_->info();
    std::vector<std::pair<std::string, std::string>> rows{
        {"Threads_connected", std::to_string(mysql_ ? mysql_->open_connections() : 0)},
        {"Uptime", std::to_string(uptime)},
        {"Com_commit", std::to_string(t.commits)},
        {"Com_rollback", std::to_string(t.rollbacks)},
        {"Strata_txn_conflicts", std::to_string(t.conflicts)},
        {"Strata_txn_read_only", std::to_string(t.read_only)},
        // InnoDB's names, which monitoring tools read.
        {"Innodb_row_lock_waits", std::to_string(locks.waits)},
        {"Innodb_row_lock_current_waits", std::to_string(locks.waiting)},
        {"Innodb_deadlocks", std::to_string(locks.deadlocks)},
        {"Strata_raft_term", std::to_string(raft.term)},
        {"Strata_raft_role", std::string(raft::RoleName(raft.role))},
        {"Strata_raft_commit_index", std::to_string(raft.commit)},
        {"Strata_raft_applied_index", std::to_string(raft.applied)},
    };
    for (auto& row : io_rates_->StatusRows()) rows.push_back(std::move(row));
    return rows;
  };
  sql::IdReservations ids;
  ids.replicated = [this] { return !raft_->IsSoleVoterLeader(); };
  ids.reserve = [this](uint64_t table, uint64_t floor, uint64_t count) -> Result<uint64_t> {
    // Through the log (forwarded when this node follows), so that no two nodes get the
    // same values; refused like a commit when there is no leader.
    Result<Bytes> r = raft_->ProposeAndWait(EncodeReserveIdsCommand(table, floor, count));
    if (!r.ok()) return MapProposeError(r.status());
    return DecodeReservedIds(*r);
  };
  sql::ClusterHooks cluster;
  cluster.status_rows = [this] { return cluster_->StatusRows(); };
  cluster.change = [this](std::string_view action, uint64_t id, std::string_view raft, std::string_view admin,
                          std::string_view mysql) {
    return cluster_->Change(action, Member{id, std::string(raft), std::string(admin), std::string(mysql)});
  };
  // SHOW ENGINE STRATADB STATUS: what /status says of the engines (LSM levels and cache,
  // the B+tree's btree_* properties) and of Raft.
  auto engine_status = [this] {
    return "engine: " + EngineStatusJson() + "\nraft: " + RaftStatusJson() + "\ndisk: " + DiskStatusJson() + "\n";
  };
  sql::SqlEngineOptions sql_options{txns_.get(),     engine_.get(),  STRATA_MYSQL_VERSION, std::move(status),
                                    io_rates_.get(), std::move(ids), std::move(cluster),   engine_status};
  sql_options.default_btree = config_.default_btree;
  sql_ = std::make_unique<sql::SqlEngine>(std::move(sql_options));
  STRATA_ASSIGN_OR_RETURN(slow_log_, server::SlowQueryLog::Open(data_dir_->path() + "/slow-query.log"));
  server::SessionFactoryOptions options;
  options.engine = sql_.get();
  const NodeIdentity& id = data_dir_->identity();
  options.root = {"root", id.root_native_hash, id.root_sha256_hash};
  options.slow_log = slow_log_.get();
  options.memory = session_memory_.get();
  sessions_ = std::make_unique<server::SqlSessionFactory>(std::move(options));
  server::mysql::ServerOptions server_options;
  server_options.memory = session_memory_.get();
  server_options.listen_addr = config_.listen_addr;
  server_options.port = config_.port;
  server_options.tls_cert_file = config_.tls_cert;
  server_options.tls_key_file = config_.tls_key;
  // SET GLOBAL max_connections applies to the next connection (MySQL's range 1–100000).
  server_options.max_connections_now = [engine = sql_.get()] {
    std::optional<sql::Value> v = engine->GetGlobal("max_connections");
    return v ? static_cast<uint32_t>(std::clamp(v->ToDouble(), 1.0, 100000.0)) : uint32_t{151};
  };
  STRATA_ASSIGN_OR_RETURN(mysql_, server::mysql::Server::Start(std::move(server_options), sessions_.get()));
  sql_->processes().SetConnectionCloser([server = mysql_.get()](uint32_t id) { return server->CloseConnection(id); });
  obs::Info("node", "MySQL protocol server listening",
            {{"addr", config_.listen_addr}, {"port", int64_t{mysql_->port()}}});
  return Status::OK();
}

uint16_t Node::mysql_port() const {
  STRATA_CHECK(mysql_ != nullptr);
  return mysql_->port();
}

void Node::Stop() {
  if (!data_dir_) {  // never started, or stopped already
    StopFaultInjection();
    return;
  }
  serving_.store(false);
  if (announcer_.joinable()) {
    {
      std::lock_guard lock(announcer_mu_);
      announcer_stop_ = true;
    }
    announcer_cv_.notify_all();
    announcer_.join();
  }
  // A leader with other voters hands over first (a planned shutdown is not a failure the
  // others must detect by timeout); then it stops accepting.
  if (cluster_) cluster_->HandOverLeadership();
  // Stop accepting first: the admin endpoint reads the parts shut down below.
  if (admin_) admin_->Stop();
  admin_.reset();
  backups_.reset();  // deletes the checkpoints of backups not finished
  if (sql_) sql_->InterruptStatements();  // a statement in flight stops at its next check (1053)
  if (mysql_) mysql_->Stop();    // closes client connections; statements in flight finish first
  if (sql_) sql_->processes().SetConnectionCloser(nullptr);  // KILL must not reach a freed server
  mysql_.reset();
  sessions_.reset();
  sql_.reset();
  slow_log_.reset();
  UnregisterMetrics();
  gc_.reset();                   // joins the collector thread
  if (raft_) raft_->Stop();      // proposals still waiting fail with Unavailable
  txns_.reset();
  proposer_.reset();
  disk_.reset();
  cluster_.reset();
  raft_for_hooks_.store(nullptr, std::memory_order_release);
  raft_.reset();
  state_machine_.reset();
  if (rate_controller_) rate_controller_->SetWritePressure(nullptr);  // before the engine goes
  lsm_ = nullptr;
  routed_ = nullptr;
  engine_.reset();               // unflushed memtables are dropped: the log replays them
  io_rates_.reset();
  rate_controller_.reset();      // joins the tuner thread before the scheduler goes
  io_.reset();                   // waits for requests in flight
  data_dir_.reset();             // releases the lock
  StopFaultInjection();          // every file is closed now
  obs::Info("node", "stopped");
}

GarbageCollector& Node::gc() {
  STRATA_CHECK(gc_ != nullptr);
  return *gc_;
}

uint64_t Node::gc_horizon() const { return state_machine_->gc_horizon(); }

txn::TxnManager& Node::txn() {
  STRATA_CHECK(txns_ != nullptr);
  return *txns_;
}

storage::Engine& Node::engine() {
  STRATA_CHECK(engine_ != nullptr);
  return *engine_;
}

raft::RaftNodeInfo Node::raft_info() const {
  STRATA_CHECK(raft_ != nullptr);
  return raft_->info();
}

uint16_t Node::admin_port() const { return admin_ ? admin_->port() : config_.admin_port; }
uint16_t Node::raft_port() const { return raft_ ? raft_->raft_port() : config_.raft_port; }

namespace {
// The node ids /debug/partition cut off, as a JSON array.
std::string PartitionedJson(raft::RaftNode& raft) {
  std::string out = "[";
  for (raft::NodeId id : raft.transport().partitioned()) {
    if (out.size() > 1) out += ",";
    out += std::to_string(id);
  }
  return out + "]";
}
}  // namespace

std::string Node::RaftStatusJson() const {
  if (!raft_ || !cluster_) return "null";
  // The cluster's view (node/cluster.h) plus this node's fault-injection partitions.
  std::string json = cluster_->StatusJson();
  json.pop_back();  // the closing brace
  return json + ",\"partitioned_peers\":" + PartitionedJson(*raft_) + ",\"snapshot_install\":" +
         SnapshotInstallJson() + "}";
}

std::string Node::EngineStatusJson() const {
  if (!engine_) return "null";
  obs::JsonObject properties;
  for (const storage::EngineProperty& p : engine_->Properties()) properties.Add(p.name, p.value);
  return obs::JsonObject()
      .Add("name", "lsm+btree")
      .Add("default_engine", config_.default_btree ? "btree" : "lsm")
      .Add("applied_index", engine_->AppliedIndex())
      .Add("persisted_applied_index", engine_->PersistedAppliedIndex())
      .AddRaw("properties", properties.Finish())
      .Finish();
}

std::string Node::DiskStatusJson() const {
  if (!disk_) return "null";
  DiskStatus d = disk_->Check();
  return obs::JsonObject()
      .Add("state", d.full ? "disk_full" : "ok")
      .Add("full", d.full)
      .Add("path", std::string_view(d.path))
      .Add("reason", std::string_view(d.reason))
      .Add("min_free_bytes", kMinFreeBytes)
      .Finish();
}

std::string Node::HealthDetail() const {
  if (!disk_) return "";
  DiskStatus d = disk_->Check();
  return d.full ? fmt::format("disk_full: {} ({})", d.path, d.reason) : "";
}

std::string Node::StatusJson() const {
  const NodeIdentity& id = data_dir_->identity();
  double uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count();
  std::string ports = obs::JsonObject()
                          .Add("mysql", int64_t{config_.port})
                          .Add("admin", int64_t{admin_port()})
                          .Add("raft", int64_t{raft_port()})
                          .Finish();
  std::string transactions = "null";
  if (txns_) {
    txn::TxnManager::Stats s = txns_->stats();
    transactions = obs::JsonObject()
                       .Add("commits", s.commits)
                       .Add("conflicts", s.conflicts)
                       .Add("rollbacks", s.rollbacks)
                       .Add("read_only", s.read_only)
                       .Add("gc_watermark", txns_->GcWatermark())
                       .Add("gc_horizon", state_machine_->gc_horizon())
                       .Finish();
  }
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
      .AddRaw("io_rates", io_rates_ ? io_rates_->StatusJson() : "null")
      .AddRaw("raft", RaftStatusJson())
      .AddRaw("engine", EngineStatusJson())
      .AddRaw("transactions", transactions)
      .AddRaw("disk", DiskStatusJson())
      .AddRaw("backups", BackupsStatusJson())
      .AddRaw("memory", obs::JsonObject()
                            .Add("limit_mb", config_.memory_limit_mb)
                            .Add("lsm_budget_bytes", SplitStorageMemory(config_).lsm_bytes)
                            .Add("btree_budget_bytes", SplitStorageMemory(config_).btree_bytes)
                            .Add("raft_log_compact_bytes", (config_.memory_limit_mb << 20) / 4)
                            .Add("raft_log_cache_bytes", (config_.memory_limit_mb << 20) / 8)
                            .Add("sessions_limit_bytes", session_memory_ ? session_memory_->limit() : 0)
                            .Add("sessions_used_bytes", session_memory_ ? session_memory_->used() : 0)
                            .Add("sessions_peak_bytes", session_memory_ ? session_memory_->peak() : 0)
                            .Add("sessions_refusals", session_memory_ ? session_memory_->refusals() : 0)
                            .Add("max_txn_bytes", config_.max_txn_bytes)
                            .Finish())
      .Add("uptime_seconds", uptime)
      .Add("serving", serving_.load())
      .Finish();
}

}  // namespace strata::node
