// The priority effect: latency of foreground 4 KiB reads while a compaction-class writer
// runs at full speed, with and without its token bucket.
//
// Readers: IO_BENCH_READERS threads (4), each a synchronous 4 KiB random direct read at a
// time (queue depth 1 each) over the 1 GiB data file. Writer: 1 MiB sequential direct
// writes over a 256 MiB file, 64 kept outstanding (more than the scheduler's 32 slots, so
// the scheduler's queues, not only the device's, hold a backlog). Scenarios (arg):
//   0 readers alone
//   1 + writer as kCompaction, token bucket off
//   2 + writer as kCompaction, token bucket IO_BENCH_COMPACTION_MBPS (100 MiB/s)
//   3 + writer as kForegroundRead (what no priority classes would give)
//   4 + writer as kCompaction, no bucket, no background bytes-in-flight cap
//     (SchedulerOptions::background_inflight_bytes = 0; the default is 2 MiB)
// Counters: read p50/p99/p999 in microseconds, read IOPS, writer MiB/s.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "io_bench_util.h"
#include "obs/metrics.h"

namespace strata::io::bench {
namespace {

// Keeps `depth` sequential writes of `block` bytes outstanding until stopped.
struct WriteLoad {
  struct Slot {
    WriteLoad* load;
    Request req;
    std::optional<Completion> done;
  };
  Scheduler* sched = nullptr;
  File* file = nullptr;
  IoClass io_class = IoClass::kCompaction;
  size_t block = 1 << 20;
  uint64_t span = 256ull << 20;
  AlignedBuffer buf = {};
  std::atomic<uint64_t> next_offset{0};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint32_t> live{0};
  std::vector<std::unique_ptr<Slot>> slots = {};

  void Next(Slot* s) {
    s->req.offset = next_offset.fetch_add(block) % span;
    sched->Submit(std::span<Request>(&s->req, 1), &*s->done);
  }
  void OnDone(Slot* s) {
    STRATA_CHECK_MSG(s->req.status.ok(), s->req.status.ToString().c_str());
    bytes.fetch_add(block, std::memory_order_relaxed);
    if (stop.load()) {
      live--;
      return;
    }
    Next(s);
  }
  void Start(uint32_t depth) {
    buf = AlignedBuffer(block);
    std::memset(buf.data(), 'w', block);
    live = depth;
    for (uint32_t i = 0; i < depth; i++) {
      auto s = std::make_unique<Slot>();
      Slot* sp = s.get();
      s->load = this;
      s->req = Request{.op = IoOp::kWrite, .io_class = io_class, .file = file, .buf = buf.data(), .len = block};
      s->done.emplace([sp] { sp->load->OnDone(sp); });
      slots.push_back(std::move(s));
    }
    for (auto& s : slots) Next(s.get());
  }
  void Stop() {
    stop = true;
    while (live.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

void BM_ReadLatencyUnderWriter(benchmark::State& state) {
  const int scenario = static_cast<int>(state.range(0));
  obs::Registry registry;
  SchedulerOptions o{.backend = BackendArg(std::stoi(EnvOr("IO_BENCH_BACKEND", "0"))),
                     .queue_depth = 32, .registry = &registry};
  // IO_BENCH_BG_INFLIGHT_KB overrides the background bytes-in-flight cap (default 2 MiB).
  if (std::string kb = EnvOr("IO_BENCH_BG_INFLIGHT_KB", ""); !kb.empty()) {
    o.background_inflight_bytes = std::stoull(kb) << 10;
  }
  if (scenario == 4) o.background_inflight_bytes = 0;
  auto sched = Scheduler::Create(o).value();
  EnsureDataFile(*sched, DataFile(), FileBytes());
  auto rfile = sched->Open(DataFile(), {.direct = true}).value();
  std::string wpath = DataFile() + ".writer";
  auto wfile = sched->Open(wpath, {.create = true, .direct = true}).value();
  const double mbps = std::stod(EnvOr("IO_BENCH_COMPACTION_MBPS", "100"));
  if (scenario == 2) sched->SetRateLimit(IoClass::kCompaction, mbps * (1 << 20), 0);
  const int readers = std::stoi(EnvOr("IO_BENCH_READERS", "4"));
  const uint64_t blocks = *rfile->Size() / 4096;
  const char* names[] = {"readers alone", "+compaction writer, no bucket",
                         "+compaction writer, bucket", "+writer in foreground class",
                         "+compaction writer, no bucket, no bytes cap"};
  state.SetLabel(fmt::format("{} [{}]", names[scenario], sched->backend_name()));

  for (auto _ : state) {
    WriteLoad writer{.sched = sched.get(), .file = wfile.get(),
                     .io_class = scenario == 3 ? IoClass::kForegroundRead : IoClass::kCompaction};
    if (scenario > 0) writer.Start(64);
    std::atomic<bool> stop{false};
    std::vector<std::vector<double>> lat(readers);
    std::vector<std::thread> threads;
    auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < readers; t++) {
      threads.emplace_back([&, t] {
        AlignedBuffer buf(4096);
        std::minstd_rand rng(t + 1);
        while (!stop.load(std::memory_order_relaxed)) {
          auto t0 = std::chrono::steady_clock::now();
          Status s = rfile->ReadExact(IoClass::kForegroundRead, (rng() % blocks) * 4096, buf.data(), 4096);
          STRATA_CHECK_MSG(s.ok(), s.ToString().c_str());
          lat[t].push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(Seconds()));
    stop = true;
    for (auto& th : threads) th.join();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (scenario > 0) writer.Stop();
    state.SetIterationTime(secs);
    std::vector<double> all;
    for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    state.counters["read_IOPS"] = static_cast<double>(all.size()) / secs;
    state.counters["p50_us"] = Percentile(all, 0.50);
    state.counters["p99_us"] = Percentile(all, 0.99);
    state.counters["p999_us"] = Percentile(all, 0.999);
    state.counters["writer_MiBps"] = static_cast<double>(writer.bytes.load()) / secs / (1 << 20);
  }
  wfile.reset();
  (void)RemoveFile(wpath);
}

BENCHMARK(BM_ReadLatencyUnderWriter)->DenseRange(0, 4)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

}  // namespace
}  // namespace strata::io::bench

BENCHMARK_MAIN();
