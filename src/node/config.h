// Node configuration: defaults, then an optional TOML file (--config), then flags.
// Every key of the file has a flag of the same name (dashes for underscores).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "obs/log.h"

namespace strata::node {

struct NodeConfig {
  std::string data_dir = "./stratadb-data";
  std::string listen_addr = "127.0.0.1";
  // The host other members and clients reach this node at, announced with its ports (a
  // node listening on 0.0.0.0, or behind NAT, must say where it is). Empty: listen_addr.
  std::string advertise_addr;
  uint16_t port = 3306;         // MySQL protocol
  uint16_t admin_port = 8080;   // HTTP: /metrics, /health, /status
  uint16_t raft_port = 7000;    // Raft transport
  obs::LogFormat log_format = obs::LogFormat::kJson;
  obs::LogLevel log_level = obs::LogLevel::kInfo;
  // Used only when the data directory is created; empty means root has no password.
  std::string root_password;
  // SST reads and writes with O_DIRECT (true) or through the kernel page cache (false:
  // faster random reads when free RAM can cache the data set; see docs/performance.md).
  bool storage_direct_io = true;
  // The most one transaction may buffer (keys + values + 64 bytes per written key); past
  // it a statement fails with MySQL 1197 and the transaction is rolled back. Bounded by
  // kMaxTxnBytesLimit so a WriteSet always fits one Raft log batch.
  uint64_t max_txn_bytes = 100ull << 20;
  // How long a commit (or a linearizable read's ReadIndex) waits for its Raft entry to be
  // applied before it answers 1317 "outcome unknown" (100 ms .. 10 min).
  uint64_t commit_timeout_ms = 5000;
  // The memory the node plans for (MiB): the LSM engine's block cache and memtables get
  // half; the Raft log's in-memory tail of entries an eighth (older entries are read from
  // disk; the log is compacted each time a quarter was written); sessions a quarter
  // (transaction buffers, packets over 64 KiB and result sets: MySQL 1041 past it); the
  // rest is left for everything else. Below 64 is refused; the default is a quarter of
  // the machine's RAM.
  uint64_t memory_limit_mb = DefaultMemoryLimitMb();

  static uint64_t DefaultMemoryLimitMb();
  // Test-only, command line only (refused in a config file): --fault-injection turns on
  // the power-loss simulation (io/durability.h) and the /debug admin endpoints;
  // --unsafe-skip-fsync (only with it) makes every sync a no-op, the negative control of
  // the power-loss tests. docs/operations.md, "Fault injection".
  bool fault_injection = false;
  bool unsafe_skip_fsync = false;
  // Background I/O rate limits in MiB/s (docs/operations.md, "I/O rate limits"):
  // 0 = auto (the rate tuner), -1 = unlimited, N > 0 = fixed. SET GLOBAL changes them.
  int64_t flush_rate_mb = 0;
  int64_t compaction_rate_mb = 0;
  int64_t snapshot_rate_mb = 0;
  // The ceiling of auto rates in MiB/s; 0 = by device (rotational 200, otherwise 1024).
  int64_t io_rate_max_mb = 0;
  // HOST:ADMIN_PORT of any member of an existing cluster: a node with a new data directory
  // joins that cluster (as a learner, then a voter) instead of founding its own. Ignored
  // once this node is a voter. Empty: a new data directory founds a single-node cluster.
  std::string join;
  // What a follower does with a write or a linearizable/lease read: forward it to the
  // leader (true, the default), or refuse it with MySQL 1290 naming the leader's MySQL
  // address, for clients and routers that prefer to reconnect there (false).
  bool forward_to_leader = true;
  // The engine of a table created without ENGINE=LSM / ENGINE=BTREE (MySQL's engine names,
  // InnoDB and the others, and no ENGINE clause): true = the B+tree, false = the LSM.
  // Key `default_engine` ("lsm" or "btree"), flag --default-engine. It also decides which
  // engine gets the larger share of the storage memory (docs/operations.md).
  bool default_btree = false;
  // PEM files of the certificate (chain) and private key the MySQL port offers for TLS.
  // Both or neither; neither: a self-signed certificate is generated at each start.
  std::string tls_cert;
  std::string tls_key;
  // The web console on the admin port (docs/operations.md, "Web console"): key
  // `admin_console`, flag --admin-console=false. Off: / and /console answer 404, and so do
  // its root-only endpoints.
  bool admin_console = true;
};

inline constexpr uint64_t kMinMemoryLimitMb = 64;

inline constexpr uint64_t kMinTxnBytesLimit = 4096;
inline constexpr uint64_t kMaxTxnBytesLimit = 768ull << 20;

// Values given on the command line; unset ones leave the file's or the default value.
struct ConfigOverrides {
  std::optional<std::string> data_dir, listen_addr, advertise_addr, log_format, log_level, root_password, join,
      follower_requests, tls_cert, tls_key, default_engine;
  std::optional<uint16_t> port, admin_port, raft_port;
  std::optional<bool> storage_direct_io, admin_console;
  std::optional<uint64_t> max_txn_bytes, memory_limit_mb, commit_timeout_ms;
  bool fault_injection = false;    // flags only: no config key
  bool unsafe_skip_fsync = false;
  std::optional<int64_t> flush_rate_mb, compaction_rate_mb, snapshot_rate_mb, io_rate_max_mb;
};

// Applies the TOML text `toml_text` (named `source` in errors) onto `config`. Unknown keys
// and wrongly typed values are errors, so a typo never silently falls back to a default.
Status ApplyConfigToml(std::string_view toml_text, std::string_view source, NodeConfig* config);

// Builds the configuration: defaults, then the file at `config_path` (if any), then
// `overrides`, then STRATADB_ROOT_PASSWORD from the environment when no password was set.
Result<NodeConfig> LoadConfig(const std::optional<std::string>& config_path,
                              const ConfigOverrides& overrides);

// One human-readable line per setting, for the startup log (the password is masked).
std::string DescribeConfig(const NodeConfig& config);

}  // namespace strata::node
