// Runs the deterministic Raft simulation over many seeds (see simulator.h).
//
//   STRATA_SIM_SEEDS=n     number of seeds (default sized for about a minute)
//   STRATA_SIM_SEED=s      rerun exactly one seed, with its configuration printed
//   STRATA_SIM_FIRST_SEED  first seed of the range (default 1)
//   STRATA_SOAK=1          20x the default number of seeds
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <unistd.h>

#include "simulator.h"

namespace strata::raft::sim {
namespace {

constexpr uint64_t kDefaultSeeds = 10000;

uint64_t EnvU64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// A failed STRATA_CHECK inside the core aborts the process: say which seed did it.
volatile uint64_t g_current_seed = 0;
void OnAbort(int sig) {
  char buf[128];
  int n = std::snprintf(buf, sizeof buf, "\nraft_sim: aborted in seed %llu; rerun with STRATA_SIM_SEED=%llu\n",
                        static_cast<unsigned long long>(g_current_seed),
                        static_cast<unsigned long long>(g_current_seed));
  if (n > 0) (void)!write(2, buf, static_cast<size_t>(n));
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

std::string Describe(const SimConfig& c) {
  return fmt::format(
      "voters={} spare={} max_delay={} loss={:.3f} dup={:.3f} partition_rate={:.4f} crash_rate={:.4f} "
      "slow_disk_rate={:.4f} pause_rate={:.4f} conf_change_rate={:.4f} transfer_rate={:.4f} compact_every={} lease_reads={} "
      "pre_vote={} clients={} max_partition={} append_bytes={} early_leader_sends={}",
      c.voters, c.spare_nodes, c.max_delay, c.loss, c.duplicate, c.partition_rate, c.crash_rate,
      c.slow_disk_rate, c.pause_rate, c.conf_change_rate, c.transfer_rate, c.compact_every, c.lease_reads, c.pre_vote,
      c.clients, c.max_partition, c.max_bytes_per_append, c.early_leader_sends);
}

TEST(RaftSim, Seeds) {
  std::signal(SIGABRT, OnAbort);
  uint64_t first = EnvU64("STRATA_SIM_FIRST_SEED", 1);
  uint64_t count = EnvU64("STRATA_SIM_SEEDS", kDefaultSeeds * (EnvU64("STRATA_SOAK", 0) ? 20 : 1));
  if (std::getenv("STRATA_SIM_SEED")) {
    first = EnvU64("STRATA_SIM_SEED", 1);
    count = 1;
  }
  auto start = std::chrono::steady_clock::now();
  SimStats total;
  int failures = 0;
  for (uint64_t seed = first; seed < first + count && failures < 5; ++seed) {
    g_current_seed = seed;
    SimConfig cfg = RandomSimConfig(seed);
    if (count == 1) fmt::print("seed {}: {}\n", seed, Describe(cfg));
    SimResult r = Simulator(cfg).Run();
    if (!r.ok) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << " failed (rerun: STRATA_SIM_SEED=" << seed << ")\n"
                    << Describe(cfg) << "\n" << r.failure;
    }
    total.ops += r.stats.ops;
    total.acked += r.stats.acked;
    total.timed_out += r.stats.timed_out;
    total.crashes += r.stats.crashes;
    total.partitions += r.stats.partitions;
    total.conf_changes += r.stats.conf_changes;
    total.snapshots_sent += r.stats.snapshots_sent;
    total.messages += r.stats.messages;
    total.committed += r.stats.committed;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print(
      "raft_sim: {} seeds from {} in {:.1f}s: {} client ops ({} acked, {} timed out), {} committed entries, "
      "{} messages, {} crashes, {} partitions, {} membership changes, {} snapshots installed\n",
      count, first, secs, total.ops, total.acked, total.timed_out, total.committed, total.messages,
      total.crashes, total.partitions, total.conf_changes, total.snapshots_sent);
}

TEST(RaftSim, SameSeedReplaysExactly) {
  for (uint64_t seed : {3, 4}) {
    SimResult a = Simulator(RandomSimConfig(seed)).Run();
    SimResult b = Simulator(RandomSimConfig(seed)).Run();
    EXPECT_EQ(a.stats.messages, b.stats.messages);
    EXPECT_EQ(a.stats.committed, b.stats.committed);
    EXPECT_EQ(a.stats.acked, b.stats.acked);
    EXPECT_EQ(a.failure, b.failure);
  }
}

// The harness must be able to fail: with leaders serving reads from local state (fault
// finding #1), partitions produce stale reads that the linearizability checker rejects.
TEST(RaftSim, CatchesStaleLocalReads) {
  int caught = 0;
  for (uint64_t seed = 1; seed <= 60 && caught == 0; ++seed) {
    SimConfig cfg = RandomSimConfig(seed);
    cfg.unsafe_local_reads = true;
    cfg.partition_rate = 0.01;
    SimResult r = Simulator(cfg).Run();
    if (!r.ok && r.failure.find("not linearizable") != std::string::npos) ++caught;
  }
  EXPECT_GT(caught, 0) << "no seed exposed stale local reads";
}

// Leases are sound only while the leader's clock runs: a driver that forgets the ticks
// missed during a pause (SIGSTOP, a long GC) lets a deposed leader serve stale reads
// (fault finding #2). The harness must see that.
TEST(RaftSim, CatchesLeasesThatOutlivePauses) {
  int caught = 0;
  for (uint64_t seed = 1; seed <= 300 && caught == 0; ++seed) {
    SimConfig cfg = RandomSimConfig(seed);
    cfg.lease_reads = true;
    cfg.unsafe_lose_ticks_on_pause = true;
    cfg.pause_rate = 0.01;
    SimResult r = Simulator(cfg).Run();
    if (!r.ok && r.failure.find("not linearizable") != std::string::npos) ++caught;
  }
  EXPECT_GT(caught, 0) << "no seed exposed a lease outliving a pause";
}

}  // namespace
}  // namespace strata::raft::sim
