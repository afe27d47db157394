// raft_test_node: one real process running raft::RaftNode with a replicated counter, for
// process-level tests (tests/integration/test_raft_cluster.py) and manual experiments.
//
//   raft_test_node --id 1 --data-dir D --peers 1=127.0.0.1:P1,2=127.0.0.1:P2,3=... --http-port H
//                  [--tick-ms 100] [--election-tick 10] [--compact-every 50] [--cluster-id 1]
//                  [--snapshot-chunk-bytes 262144] [--log-cache-bytes 67108864]
//
// HTTP API (docs/raft_transport.md):
//   POST /incr               200 {"counter":N}  once the increment is committed and applied;
//                            503 {"error":"not_leader","leader":L}  never proposed;
//                            503 {"error":"aborted"}  definitely not committed;
//                            503/504 {"error":"unknown"|"timeout"}  outcome unknown
//   GET  /state              {"id","term","role","leader","commit","applied","counter",
//                             "first_index","last_index","snapshots_installed",
//                             "last_snapshot_installed","compactions"}
//   POST /partition?peer=N&on=1|0   the transport's fault filter (drop to/from N)
//
// The counter state is the file <data-dir>/counter ("<applied index> <counter>\n"), written
// atomically after each applied batch, so a restart resumes from it and replays the rest
// of the log. A snapshot is a directory holding the same file.
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "io/file_util.h"
#include "io/io.h"
#include "obs/log.h"
#include "obs/metrics.h"
#include "raft/raft_node.h"

namespace {

using strata::Bytes;
using strata::Result;
using strata::Slice;
using strata::Status;
using strata::raft::LogIndex;

class CounterMachine final : public strata::raft::StateMachine {
 public:
  explicit CounterMachine(std::string path) : path_(std::move(path)) {}

  Status Load() {
    Result<std::string> data = strata::io::ReadSmallFile(path_);
    if (!data.ok()) return data.status().code() == strata::StatusCode::kNotFound ? Status::OK() : data.status();
    return Parse(*data);
  }
  Result<Bytes> Apply(LogIndex index, Slice data) override {
    std::lock_guard lock(mu_);
    if (data == "incr") counter_++;  // anything else is a no-op, identically everywhere
    applied_ = index;
    dirty_ = true;
    return Bytes(std::to_string(counter_.load()));
  }
  LogIndex applied() const override { return applied_; }
  Status Sync() override {
    std::lock_guard lock(mu_);
    if (!dirty_) return Status::OK();
    dirty_ = false;
    return strata::io::WriteFileAtomically(path_, Encode());
  }
  // A snapshot is a directory holding one file, "counter", in the counter file's format.
  // Runs on the compaction worker: the pair is taken under mu_, and written to the state
  // file first, so the state on disk is never behind the snapshot the log is cut at.
  Result<LogIndex> CreateSnapshot(const std::string& dir) override {
    std::string encoded;
    LogIndex index = 0;
    {
      std::lock_guard lock(mu_);
      encoded = Encode();
      index = applied_;
      STRATA_RETURN_IF_ERROR(strata::io::WriteFileAtomically(path_, encoded));
      dirty_ = false;
    }
    STRATA_RETURN_IF_ERROR(strata::io::CreateDir(dir));
    STRATA_RETURN_IF_ERROR(strata::io::WriteFileAtomically(dir + "/counter", encoded));
    return index;
  }
  Status RestoreSnapshot(const std::string& dir, LogIndex index) override {
    std::string path = dir + "/counter";
    STRATA_ASSIGN_OR_RETURN(std::string data, strata::io::ReadSmallFile(path));
    STRATA_RETURN_IF_ERROR(Parse(data));
    if (applied_ != index)
      return Status::Corruption(fmt::format("snapshot {} holds applied index {}, expected {}", path, applied_.load(), index));
    return strata::io::WriteFileAtomically(path_, Encode());
  }
  uint64_t counter() const { return counter_; }

 private:
  std::string Encode() const { return fmt::format("{} {}\n", applied_.load(), counter_.load()); }
  Status Parse(const std::string& data) {
    unsigned long long applied = 0, counter = 0;
    if (std::sscanf(data.c_str(), "%llu %llu", &applied, &counter) != 2)
      return Status::Corruption("counter file is damaged");
    applied_ = applied;
    counter_ = counter;
    return Status::OK();
  }
  const std::string path_;
  std::atomic<LogIndex> applied_{0};
  std::atomic<uint64_t> counter_{0};  // read by HTTP threads
  std::mutex mu_;  // Apply/Sync (driver thread) vs CreateSnapshot (compaction worker)
  bool dirty_ = false;  // guarded by mu_
};

struct Flags {
  strata::raft::RaftNodeOptions node;
  int http_port = 0;
};

Result<std::map<strata::raft::NodeId, std::string>> ParsePeers(const std::string& s) {
  std::map<strata::raft::NodeId, std::string> peers;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t comma = s.find(',', pos);
    std::string item = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t eq = item.find('=');
    if (eq == std::string::npos) return Status::InvalidArgument("--peers wants id=host:port,...");
    peers[std::strtoull(item.substr(0, eq).c_str(), nullptr, 10)] = item.substr(eq + 1);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return peers;
}

Result<Flags> ParseFlags(int argc, char** argv) {
  Flags f;
  f.node.compact_every = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--id") f.node.id = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--data-dir") f.node.data_dir = v;
    else if (k == "--http-port") f.http_port = std::atoi(v.c_str());
    else if (k == "--tick-ms") f.node.tick_interval = std::chrono::milliseconds(std::atoi(v.c_str()));
    else if (k == "--election-tick") f.node.election_tick = std::atoi(v.c_str());
    else if (k == "--compact-every") f.node.compact_every = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--cluster-id") f.node.cluster_id = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--snapshot-chunk-bytes") f.node.snapshot_chunk_bytes = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--log-cache-bytes") f.node.log_cache_bytes = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--peers") {
      STRATA_ASSIGN_OR_RETURN(f.node.peers, ParsePeers(v));
    } else return Status::InvalidArgument("unknown flag " + k);
  }
  if (f.node.snapshot_chunk_bytes == 0) return Status::InvalidArgument("--snapshot-chunk-bytes must be > 0");
  if (f.node.id == 0 || f.node.data_dir.empty() || f.node.peers.empty() || f.http_port <= 0)
    return Status::InvalidArgument("usage: raft_test_node --id N --data-dir D --peers 1=h:p,... --http-port H");
  return f;
}

std::string StateJson(const strata::raft::RaftNodeInfo& i, uint64_t counter) {
  return fmt::format(
      "{{\"id\":{},\"term\":{},\"role\":\"{}\",\"leader\":{},\"commit\":{},\"applied\":{},\"counter\":{},"
      "\"first_index\":{},\"last_index\":{},\"snapshots_installed\":{},\"last_snapshot_installed\":{},"
      "\"compactions\":{},\"snapshot_bytes_sent\":{},\"log_cached_bytes\":{},\"log_disk_reads\":{}}}\n",
      i.id, i.term, strata::raft::RoleName(i.role), i.leader, i.commit, i.applied, counter, i.first_index,
      i.last_index, i.snapshots_installed, i.last_snapshot_installed, i.compactions,
      i.snapshot_bytes_sent, i.log_cached_bytes, i.log_disk_reads);
}

void HandleIncr(strata::raft::RaftNode& node, httplib::Response& res) {
  Result<Bytes> r = node.ProposeAndWait("incr");
  if (r.ok()) {
    res.set_content(fmt::format("{{\"counter\":{}}}\n", *r), "application/json");
    return;
  }
  const Status& s = r.status();
  if (s.code() == strata::StatusCode::kTimedOut) {
    res.status = 504;
    res.set_content("{\"error\":\"timeout\"}\n", "application/json");
  } else if (s.message().rfind("not leader", 0) == 0) {
    res.status = 503;
    res.set_content(fmt::format("{{\"error\":\"not_leader\",\"leader\":{}}}\n", node.info().leader), "application/json");
  } else if (s.code() == strata::StatusCode::kAborted || s.code() == strata::StatusCode::kResourceExhausted ||
             s.code() == strata::StatusCode::kBusy) {
    res.status = 503;  // refused or overwritten: definitely not committed
    res.set_content(fmt::format("{{\"error\":\"aborted\",\"detail\":\"{}\"}}\n", s.message()), "application/json");
  } else {
    res.status = 503;
    res.set_content(fmt::format("{{\"error\":\"unknown\",\"detail\":\"{}\"}}\n", s.message()), "application/json");
  }
}

int Run(int argc, char** argv) {
  Result<Flags> flags = ParseFlags(argc, argv);
  if (!flags.ok()) {
    std::fprintf(stderr, "%s\n", flags.status().ToString().c_str());
    return 2;
  }
  // Signals are taken synchronously by sigwait below; every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  strata::obs::InitLogging(strata::obs::LogFormat::kJson, strata::obs::LogLevel::kInfo);
  strata::obs::Registry registry;
  auto sched = strata::io::Scheduler::Create({.registry = &registry});
  if (!sched.ok()) {
    std::fprintf(stderr, "io scheduler: %s\n", sched.status().ToString().c_str());
    return 1;
  }
  std::filesystem::create_directories(flags->node.data_dir);
  CounterMachine counter(flags->node.data_dir + "/counter");
  if (Status s = counter.Load(); !s.ok()) {
    std::fprintf(stderr, "counter: %s\n", s.ToString().c_str());
    return 1;
  }
  flags->node.scheduler = sched->get();
  flags->node.registry = &registry;
  auto node = strata::raft::RaftNode::Start(flags->node, &counter);
  if (!node.ok()) {
    std::fprintf(stderr, "raft node: %s\n", node.status().ToString().c_str());
    return 1;
  }
  strata::raft::RaftNode& n = **node;

  httplib::Server http;
  http.Post("/incr", [&n](const httplib::Request&, httplib::Response& res) { HandleIncr(n, res); });
  http.Get("/state", [&n, &counter](const httplib::Request&, httplib::Response& res) {
    res.set_content(StateJson(n.info(), counter.counter()), "application/json");
  });
  http.Get("/metrics", [&registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry.RenderPrometheus(), "text/plain; version=0.0.4");
  });
  http.Post("/partition", [&n](const httplib::Request& req, httplib::Response& res) {
    strata::raft::NodeId peer = std::strtoull(req.get_param_value("peer").c_str(), nullptr, 10);
    n.transport().SetPartitioned(peer, req.get_param_value("on") != "0");
    res.set_content("{}\n", "application/json");
  });
  http.set_socket_options([](int sock) {
    int one = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  });
  if (!http.bind_to_port("127.0.0.1", flags->http_port)) {
    std::fprintf(stderr, "cannot listen on http port %d\n", flags->http_port);
    return 1;
  }
  std::thread http_thread([&http] { http.listen_after_bind(); });
  strata::obs::Info("raft_test_node", "serving", {{"id", flags->node.id}, {"http_port", flags->http_port}});

  int sig = 0;
  sigwait(&signals, &sig);
  strata::obs::Info("raft_test_node", "stopping", {{"signal", sig}});
  http.stop();
  http_thread.join();
  n.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
