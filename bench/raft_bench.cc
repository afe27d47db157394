// raft_bench: commit throughput and latency of RaftNode — real TCP on loopback, real
// DiskLogStorage (O_DIRECT + fdatasync where the filesystem allows), one process.
//
//   raft_bench [--dir /path] [--seconds 3] [--proposers 32]
//
// For 1 and 3 nodes and 64 B / 4 KiB entries, `proposers` threads each propose to the
// leader and wait for the entry to be committed and applied (ProposeAndWait), so that many
// proposals are in flight at once and group commit (one write + one fdatasync per Ready)
// decides the throughput. Prints commits/s, MB/s and p50/p99 commit latency.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "io/io.h"
#include "obs/log.h"
#include "obs/metrics.h"
#include "raft/raft_node.h"

namespace {

using namespace strata;
using Clock = std::chrono::steady_clock;

// Applies nothing but the index: the bench measures the log, not a state machine.
class NullMachine final : public raft::StateMachine {
 public:
  Result<Bytes> Apply(raft::LogIndex index, Slice) override {
    applied_ = index;
    return Bytes();
  }
  raft::LogIndex applied() const override { return applied_; }
  Status Sync() override { return Status::OK(); }
  Result<raft::LogIndex> CreateSnapshot(const std::string&) override { return Status::NotSupported("bench"); }
  Status RestoreSnapshot(const std::string&, raft::LogIndex) override { return Status::NotSupported("bench"); }

 private:
  std::atomic<raft::LogIndex> applied_{0};
};

uint16_t FreePort() {
  // Start a throwaway transport on port 0 to learn a free port from the kernel.
  raft::TransportOptions o;
  o.self = 1;
  obs::Registry r;
  o.registry = &r;
  auto t = raft::Transport::Start(o, [](raft::Message) {});
  STRATA_CHECK(t.ok());
  uint16_t port = (*t)->port();
  (*t)->Stop();
  return port;
}

struct Cluster {
  std::vector<std::unique_ptr<obs::Registry>> registries;
  std::vector<std::unique_ptr<NullMachine>> machines;
  std::vector<std::unique_ptr<raft::RaftNode>> nodes;

  raft::RaftNode* Leader() {
    for (int attempt = 0; attempt < 500; attempt++) {
      for (auto& n : nodes)
        if (n->info().role == raft::Role::kLeader) return n.get();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return nullptr;
  }
};

std::unique_ptr<Cluster> StartCluster(int n, const std::string& dir, io::Scheduler* sched) {
  auto c = std::make_unique<Cluster>();
  std::map<raft::NodeId, std::string> peers;
  for (int i = 1; i <= n; i++) peers[i] = fmt::format("127.0.0.1:{}", FreePort());
  for (int i = 1; i <= n; i++) {
    c->registries.push_back(std::make_unique<obs::Registry>());
    c->machines.push_back(std::make_unique<NullMachine>());
    raft::RaftNodeOptions o;
    o.id = i;
    o.data_dir = fmt::format("{}/n{}", dir, i);
    o.peers = peers;
    o.tick_interval = std::chrono::milliseconds(20);
    o.election_tick = 10;
    o.scheduler = sched;
    o.registry = c->registries.back().get();
    o.propose_timeout = std::chrono::seconds(10);
    auto node = raft::RaftNode::Start(o, c->machines.back().get());
    STRATA_CHECK_MSG(node.ok(), node.status().ToString().c_str());
    c->nodes.push_back(std::move(node).value());
  }
  return c;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

void RunOne(int nodes, size_t entry_bytes, int proposers, double seconds, const std::string& base,
            io::Scheduler* sched) {
  std::string dir = fmt::format("{}/raft-bench-{}n-{}b", base, nodes, entry_bytes);
  std::filesystem::remove_all(dir);
  auto cluster = StartCluster(nodes, dir, sched);
  raft::RaftNode* leader = cluster->Leader();
  STRATA_CHECK_MSG(leader != nullptr, "no leader elected");
  // Warm-up: connections established, first entries committed.
  for (int i = 0; i < 20; i++) STRATA_CHECK(leader->ProposeAndWait(Bytes(entry_bytes, 'w')).ok());

  std::vector<std::vector<double>> latencies(static_cast<size_t>(proposers));
  std::atomic<uint64_t> failures{0};
  Clock::time_point end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  Clock::time_point start = Clock::now();
  for (int t = 0; t < proposers; t++) {
    threads.emplace_back([&, t] {
      Bytes data(entry_bytes, static_cast<char>('a' + t % 26));
      while (Clock::now() < end) {
        Clock::time_point t0 = Clock::now();
        if (!leader->ProposeAndWait(data).ok()) {
          failures++;
          continue;
        }
        latencies[static_cast<size_t>(t)].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  raft::Transport::Stats ts = leader->transport().stats();
  double frames_per_write = ts.writes ? static_cast<double>(ts.frames_sent) / static_cast<double>(ts.writes) : 0;
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  double rate = static_cast<double>(all.size()) / elapsed;
  std::printf("%-6d %-8zu %-10d %12.0f %10.2f %10.2f %10.2f %8lu %14.1f\n", nodes, entry_bytes, proposers, rate,
              rate * static_cast<double>(entry_bytes) / 1e6, Percentile(all, 0.50), Percentile(all, 0.99),
              static_cast<unsigned long>(failures.load()), frames_per_write);
  std::fflush(stdout);
  for (auto& n : cluster->nodes) n->Stop();
  cluster.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = std::filesystem::temp_directory_path().string();
  double seconds = 3;
  int proposers = 32;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--dir") dir = argv[i + 1];
    else if (k == "--seconds") seconds = std::atof(argv[i + 1]);
    else if (k == "--proposers") proposers = std::atoi(argv[i + 1]);
  }
  obs::InitLogging(obs::LogFormat::kText, obs::LogLevel::kWarn);
  obs::Registry registry;
  auto sched = io::Scheduler::Create({.registry = &registry});
  STRATA_CHECK(sched.ok());
  std::printf("raft_bench: dir=%s backend=%s seconds=%.1f (commit = durable on a quorum + applied)\n",
              dir.c_str(), (*sched)->backend_name(), seconds);
  std::printf("%-6s %-8s %-10s %12s %10s %10s %10s %8s %14s\n", "nodes", "bytes", "proposers", "commits/s", "MB/s",
              "p50_ms", "p99_ms", "failed", "frames/write");
  for (int nodes : {1, 3}) {
    for (size_t bytes : {size_t{64}, size_t{4096}}) RunOne(nodes, bytes, proposers, seconds, dir, sched->get());
  }
  return 0;
}
