// The `stratadb` binary: `stratadb start` runs a node in the foreground until SIGTERM or
// SIGINT; `stratadb cluster status|add|remove|transfer-leader --admin HOST:PORT` manages a
// cluster through any member's admin endpoint; `stratadb backup` and `stratadb restore` take
// an online backup and make a node from one (backup_commands.h); `stratadb version` prints
// the version.
// Errors print one line and exit non-zero.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <httplib.h>

#include "backup_commands.h"
#include "node/config.h"
#include "node/node.h"
#include "node/version.h"
#include "obs/log.h"

namespace {

using strata::node::ConfigOverrides;

int Fail(const std::string& message) {
  std::fprintf(stderr, "stratadb: error: %s\n", message.c_str());
  return 1;
}

// Blocks SIGINT/SIGTERM in this thread and every thread it creates later, so that only
// the sigwait() below receives them.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int RunStart(const std::optional<std::string>& config_path, const ConfigOverrides& overrides) {
  sigset_t signals = BlockShutdownSignals();
  // Large buffers (packets, row values, WriteSets, log entries of big transactions) come
  // from mmap and go back to the kernel when freed. glibc's default threshold rises with
  // every large free, after which such buffers come from the heap arenas and stay in the
  // process: bench/rss_large_txns.py measured 369 MiB peak RSS at --memory-limit-mb 256
  // with the default, 269 MiB with this (docs/performance.md).
  mallopt(M_MMAP_THRESHOLD, 256 << 10);
  auto config = strata::node::LoadConfig(config_path, overrides);
  if (!config.ok()) return Fail(std::string(config.status().message()));
  strata::obs::InitLogging(config->log_format, config->log_level);
  if (config->fault_injection) {
    std::fprintf(stderr,
                 "stratadb: WARNING: --fault-injection is on: POST /debug/power-loss on the admin port "
                 "destroys unsynced data and kills this process, /debug/partition cuts it off its peers%s. "
                 "Test use only.\n",
                 config->unsafe_skip_fsync ? "; --unsafe-skip-fsync is on: NOTHING IS DURABLE" : "");
  }

  auto node = strata::node::Node::Start(*config);
  if (!node.ok()) return Fail(std::string(node.status().message()));

  int sig = 0;
  sigwait(&signals, &sig);
  strata::obs::Info("node", "shutdown requested", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*node)->Stop();
  return 0;
}

// One admin request, following a follower's 307 to the leader. Prints the JSON answer;
// 0 on 2xx, 1 otherwise.
int RunCluster(const std::string& action, std::string admin, const httplib::Params& params) {
  for (int hop = 0; hop < 3; hop++) {
    size_t colon = admin.rfind(':');
    if (colon == std::string::npos) return Fail("--admin wants HOST:PORT, not '" + admin + "'");
    httplib::Client client(admin.substr(0, colon), std::atoi(admin.c_str() + colon + 1));
    client.set_connection_timeout(std::chrono::seconds(3));
    client.set_read_timeout(std::chrono::seconds(30));
    httplib::Result res = action == "status" ? client.Get("/cluster/status")
                                             : client.Post("/cluster/" + action, params);
    if (!res) return Fail("cannot reach " + admin + ": " + httplib::to_string(res.error()));
    if (res->status == 307) {
      // {"error":"not leader","leader_id":N,"leader_admin_addr":"host:port"}
      std::string key = "\"leader_admin_addr\":\"";
      size_t at = res->body.find(key);
      if (at != std::string::npos) {
        size_t end = res->body.find('"', at + key.size());
        admin = res->body.substr(at + key.size(), end - at - key.size());
        continue;
      }
    }
    std::fputs(res->body.c_str(), res->status / 100 == 2 ? stdout : stderr);
    return res->status / 100 == 2 ? 0 : 1;
  }
  return Fail("too many redirects");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"StrataDB: a distributed SQL database that speaks the MySQL protocol", "stratadb"};
  app.require_subcommand(1);

  std::optional<std::string> config_path;
  ConfigOverrides o;
  CLI::App* start = app.add_subcommand("start", "Run a node in the foreground");
  start->add_option("--config", config_path, "TOML configuration file (flags override it)");
  start->add_option("--data-dir", o.data_dir, "Data directory [./stratadb-data]");
  start->add_option("--listen-addr", o.listen_addr, "Address to listen on [127.0.0.1]");
  start->add_option("--advertise-addr", o.advertise_addr,
                    "Host other members and clients reach this node at, announced with its ports "
                    "[the listen address]");
  start->add_option("--port", o.port, "MySQL protocol port [3306]");
  start->add_option("--tls-cert", o.tls_cert, "PEM certificate (chain) for TLS on the MySQL port [a generated self-signed one]");
  start->add_option("--tls-key", o.tls_key, "PEM private key of --tls-cert");
  start->add_option("--admin-port", o.admin_port, "Admin HTTP port: /metrics /health /status [8080]");
  start->add_option("--raft-port", o.raft_port, "Raft transport port [7000]");
  start->add_option("--log-format", o.log_format, "Log format: json or text [json]");
  start->add_option("--log-level", o.log_level, "Minimum log level: debug, info, warn, error [info]");
  start->add_option("--storage-direct-io", o.storage_direct_io,
                    "SST I/O with O_DIRECT (true) or through the page cache (false) [true]");
  start->add_option("--admin-console", o.admin_console,
                    "Serve the web console on the admin port (true) or not (false) [true]");
  start->add_option("--memory-limit-mb", o.memory_limit_mb,
                    "Memory the node plans for, in MiB: block cache + memtables, the Raft log's "
                    "in-memory entries, buffers [a quarter of RAM]");
  start->add_option("--commit-timeout-ms", o.commit_timeout_ms,
                    "How long a commit waits for its Raft entry to apply before MySQL error 1317 "
                    "(outcome unknown), 100 .. 600000 [5000]");
  start->add_option("--max-txn-bytes", o.max_txn_bytes,
                    "Most bytes one transaction may buffer; past it: MySQL error 1197 [104857600]");
  start->add_option("--flush-rate-mb", o.flush_rate_mb,
                    "Flush I/O rate limit in MiB/s: 0 = auto, -1 = unlimited [0]");
  start->add_option("--compaction-rate-mb", o.compaction_rate_mb,
                    "Compaction I/O rate limit in MiB/s: 0 = auto, -1 = unlimited [0]");
  start->add_option("--snapshot-rate-mb", o.snapshot_rate_mb,
                    "Snapshot I/O rate limit in MiB/s: 0 = auto, -1 = unlimited [0]");
  start->add_option("--io-rate-max-mb", o.io_rate_max_mb,
                    "Ceiling of the auto I/O rates in MiB/s: 0 = by device [0]");
  start->add_option("--root-password", o.root_password,
                    "Password of the MySQL root user, set when the data directory is created "
                    "(or STRATADB_ROOT_PASSWORD)");
  start->add_flag("--fault-injection", o.fault_injection,
                  "TEST ONLY: simulated power loss and network partitions through POST /debug/... on the "
                  "admin port (never in production; refused in a config file)");
  start->add_flag("--unsafe-skip-fsync", o.unsafe_skip_fsync,
                  "TEST ONLY, with --fault-injection: every fsync becomes a no-op, so a power loss loses "
                  "acknowledged writes (the negative control of the power-loss tests)");
  start->add_option("--follower-requests", o.follower_requests,
                    "Writes and linearizable reads reaching a follower: forward (to the leader) or "
                    "redirect (MySQL error 1290 naming the leader's address) [forward]");
  start->add_option("--default-engine", o.default_engine,
                    "Engine of tables created without ENGINE=LSM/BTREE (InnoDB and other MySQL names "
                    "map to it): lsm or btree [lsm]");
  start->add_option("--join", o.join,
                    "HOST:ADMIN_PORT of a member of an existing cluster: a new data directory joins it "
                    "(learner, then voter) instead of founding a single-node cluster");

  CLI::App* cluster = app.add_subcommand("cluster", "Manage a cluster through a member's admin endpoint");
  cluster->require_subcommand(1);
  std::string admin_addr;
  uint64_t member_id = 0;
  std::string member_raft, member_admin, member_mysql;
  CLI::App* cluster_status = cluster->add_subcommand("status", "Print the members, roles, terms and lag (JSON)");
  CLI::App* cluster_add = cluster->add_subcommand("add", "Add a node (as a learner; run again to promote it)");
  CLI::App* cluster_remove = cluster->add_subcommand("remove", "Remove a member");
  CLI::App* cluster_transfer = cluster->add_subcommand("transfer-leader", "Hand leadership to a voter");
  for (CLI::App* sub : {cluster_status, cluster_add, cluster_remove, cluster_transfer})
    sub->add_option("--admin", admin_addr, "HOST:PORT of any member's admin endpoint")->required();
  for (CLI::App* sub : {cluster_add, cluster_remove, cluster_transfer})
    sub->add_option("--id", member_id, "The member's node id (node_id in its /status)")->required();
  cluster_add->add_option("--raft", member_raft, "HOST:PORT of the node's Raft port")->required();
  cluster_add->add_option("--admin-addr", member_admin, "HOST:PORT of the node's admin port");
  cluster_add->add_option("--mysql-addr", member_mysql, "HOST:PORT of the node's MySQL port");

  std::string backup_to, restore_from, restore_data_dir, restore_root_password, progress_name = "auto";
  CLI::App* backup = app.add_subcommand("backup", "Take an online, consistent backup of a running node");
  backup->add_option("--admin", admin_addr, "HOST:PORT of the node's admin endpoint")->required();
  backup->add_option("--to", backup_to, "Directory to write the backup to (new or empty)")->required();
  CLI::App* restore = app.add_subcommand("restore", "Make a new node's data directory from a backup");
  restore->add_option("--from", restore_from, "Backup directory (written by stratadb backup)")->required();
  restore->add_option("--data-dir", restore_data_dir, "Data directory to create (new or empty)")->required();
  restore->add_option("--root-password", restore_root_password,
                      "Password of the new node's MySQL root user (or STRATADB_ROOT_PASSWORD)");
  for (CLI::App* sub : {backup, restore})
    sub->add_option("--progress", progress_name,
                    "auto (a bar on a terminal, else JSON lines), bar, json or none [auto]");

  CLI::App* version = app.add_subcommand("version", "Print the version and exit");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "stratadb: error: %s (see 'stratadb --help')\n", e.what());
    return 2;
  }

  if (cluster->parsed()) {
    httplib::Params params{{"id", std::to_string(member_id)}};
    if (cluster_status->parsed()) return RunCluster("status", admin_addr, {});
    if (cluster_remove->parsed()) return RunCluster("remove", admin_addr, params);
    if (cluster_transfer->parsed()) return RunCluster("transfer-leader", admin_addr, params);
    params.emplace("raft", member_raft);
    params.emplace("admin", member_admin);
    params.emplace("mysql", member_mysql);
    return RunCluster("add", admin_addr, params);
  }
  if (backup->parsed() || restore->parsed()) {
    strata::tools::ProgressStyle style;
    if (!strata::tools::ParseProgressStyle(progress_name, &style)) {
      std::fprintf(stderr, "stratadb: error: --progress must be auto, bar, json or none (see 'stratadb --help')\n");
      return 2;
    }
    if (backup->parsed()) return strata::tools::RunBackup(admin_addr, backup_to, style);
    if (restore_root_password.empty()) {
      const char* env = std::getenv("STRATADB_ROOT_PASSWORD");
      if (env != nullptr) restore_root_password = env;
    }
    return strata::tools::RunRestore(restore_from, restore_data_dir, restore_root_password, style);
  }
  if (version->parsed()) {
    std::printf("stratadb %s (git %s, MySQL protocol %s)\n", STRATA_VERSION, STRATA_GIT_SHA,
                STRATA_MYSQL_VERSION);
    return 0;
  }
  return RunStart(config_path, o);
}
