// Throughput of io::Scheduler against the device, the same patterns as bench/io_vs_fio.sh
// runs with fio:
//   BM_RandRead4K/<backend>   4 KiB random direct reads at queue depth 32 for
//                             IO_BENCH_SECONDS over a IO_BENCH_FILE_MB file (1 GiB);
//                             fio: --rw=randread --bs=4k --iodepth=32 --direct=1
//   BM_SeqWrite1M/<backend>   1 MiB sequential direct overwrites, 32 in flight, an fsync after
//                             every 32 writes (in flight drained first, as fio does);
//                             fio: --rw=write --bs=1M --iodepth=32 --fsync=32 --direct=1
// backend 0 = io_uring, 1 = thread pool, 2 = io_uring with registered read buffers.
// Counters: IOPS, MiBps.
#include <benchmark/benchmark.h>

#include <cstring>

#include "io_bench_util.h"
#include "obs/metrics.h"

namespace strata::io::bench {
namespace {

std::unique_ptr<Scheduler> MakeScheduler(benchmark::State& state, obs::Registry* registry) {
  // Arg 2 = io_uring with the read buffers in the registered (fixed-buffer) arena.
  SchedulerOptions o{.backend = BackendArg(state.range(0) == 2 ? 0 : state.range(0)), .queue_depth = 32,
                     .registry = registry};
  if (state.range(0) == 2) o.registered_buffer_bytes = 32 * 4096;
  // Raw throughput, the same pattern as fio: no cap on background bytes in flight (the
  // default 2 MiB would keep only two of the 32 flush-class 1 MiB writes in flight).
  o.background_inflight_bytes = 0;
  auto s = Scheduler::Create(o);
  STRATA_CHECK_MSG(s.ok(), s.status().ToString().c_str());
  state.SetLabel(std::string((*s)->backend_name()) + (state.range(0) == 2 ? "+fixed" : ""));
  return std::move(s).value();
}

void BM_RandRead4K(benchmark::State& state) {
  obs::Registry registry;
  auto sched = MakeScheduler(state, &registry);
  EnsureDataFile(*sched, DataFile(), FileBytes());
  auto file = sched->Open(DataFile(), {.direct = true}).value();
  STRATA_CHECK_MSG(file->direct(), "benchmark file must support O_DIRECT");
  for (auto _ : state) {
    ReadLoad load{.sched = sched.get(), .file = file.get()};
    if (state.range(0) == 2) load.arena = sched->registered_arena().data();
    auto start = std::chrono::steady_clock::now();
    uint64_t ops = load.Run(32, Seconds());
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(secs);
    state.counters["IOPS"] = static_cast<double>(ops) / secs;
    state.counters["MiBps"] = static_cast<double>(ops) * 4096 / secs / (1 << 20);
  }
}

void BM_SeqWrite1M(benchmark::State& state) {
  obs::Registry registry;
  auto sched = MakeScheduler(state, &registry);
  // Overwrites an existing file, as fio does with a laid-out file (no extent allocation
  // inside the timed loop). bench/io_vs_fio.sh removes it at the end.
  std::string path = DataFile() + ".write";
  EnsureDataFile(*sched, path, FileBytes());
  auto file = sched->Open(path, {.direct = true}).value();
  STRATA_CHECK_MSG(file->direct(), "benchmark file must support O_DIRECT");
  constexpr size_t kBlock = 1 << 20;
  constexpr int kDepth = 32;
  std::vector<AlignedBuffer> bufs;
  for (int i = 0; i < kDepth; i++) {
    bufs.emplace_back(kBlock);
    std::memset(bufs.back().data(), 'w' + i, kBlock);
  }
  uint64_t total = FileBytes();
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    std::vector<Request> reqs(kDepth);
    for (uint64_t off = 0; off < total; off += kDepth * kBlock) {
      for (int i = 0; i < kDepth; i++) {
        reqs[i] = Request{.op = IoOp::kWrite, .io_class = IoClass::kFlush, .file = file.get(),
                          .offset = off + uint64_t(i) * kBlock, .buf = bufs[i].data(), .len = kBlock};
      }
      Status s = sched->SubmitAndWait(reqs);
      STRATA_CHECK_MSG(s.ok(), s.ToString().c_str());
      STRATA_CHECK(file->Sync(IoClass::kFlush).ok());
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(secs);
    state.counters["IOPS"] = static_cast<double>(total / kBlock) / secs;
    state.counters["MiBps"] = static_cast<double>(total) / secs / (1 << 20);
  }
}

BENCHMARK(BM_RandRead4K)->Arg(0)->Arg(1)->Arg(2)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_SeqWrite1M)->Arg(0)->Arg(1)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

}  // namespace
}  // namespace strata::io::bench

BENCHMARK_MAIN();
