// The LSM engine's background work: a flush never waits behind a running compaction (the
// Raft log's compaction and stalled writers wait for flushes), and Flush() does not hold the
// writer lock while it waits, so the apply loop keeps writing.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "io/io.h"
#include "storage/lsm/engine_impl.h"

namespace strata::storage::lsm {
namespace {

double Property(LsmEngine& e, const std::string& name) {
  for (const auto& p : e.Properties())
    if (p.name == name) return p.value;
  ADD_FAILURE() << "no property " << name;
  return 0;
}

TEST(LsmBackgroundTest, FlushDoesNotWaitForARunningCompaction) {
  std::string dir = ::testing::TempDir() + "/lsm_bg_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  // Compaction I/O crawls at 64 KiB/s: compacting the files below takes seconds.
  io::SchedulerOptions so;
  so.limits[static_cast<int>(io::IoClass::kCompaction)] = {.bytes_per_sec = 64 << 10};
  auto sched = std::move(io::Scheduler::Create(so)).value();
  LsmOptions o;
  o.dir = dir;
  o.scheduler = sched.get();
  o.l0_compaction_trigger = 2;
  o.use_direct_io = false;
  auto e = std::move(OpenLsmEngine(o)).value();
  uint64_t index = 0;
  std::mt19937_64 rng(1);
  auto write_and_flush = [&](int file) {
    WriteBatch b;
    // Incompressible values, so the files really are ~400 KiB.
    for (int i = 0; i < 2000; i++) {
      Bytes value(200, 0);
      for (char& c : value) c = static_cast<char>(rng());
      b.Put(fmt::format("key{:02}-{:05}", file, i), value);
    }
    b.SetAppliedIndex(++index);
    ASSERT_TRUE(e->Write(b).ok());
    ASSERT_TRUE(e->Flush().ok());
  };
  write_and_flush(0);
  write_and_flush(1);  // two L0 files: a compaction starts
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the compaction thread picks it up
  auto start = std::chrono::steady_clock::now();
  write_and_flush(2);
  double flush_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The flush finished while the compaction was still running.
  EXPECT_EQ(Property(*e, "compaction_count"), 0) << "flush took " << flush_seconds << " s";
  EXPECT_EQ(e->PersistedAppliedIndex(), 3u);
  sched->SetRateLimit(io::IoClass::kCompaction, 0, 0);  // let it finish quickly
  e.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::storage::lsm
