// Shared pieces of the io benchmarks: the data file, and a closed-loop load generator that
// keeps a fixed number of requests in flight through io::Scheduler (like fio's iodepth).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>
#include <random>
#include <string>
#include <vector>

#include "common/check.h"
#include "io/io.h"

namespace strata::io::bench {

inline std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

inline std::string DataFile() { return EnvOr("IO_BENCH_FILE", "io_bench.dat"); }
inline uint64_t FileBytes() { return std::stoull(EnvOr("IO_BENCH_FILE_MB", "1024")) << 20; }
inline double Seconds() { return std::stod(EnvOr("IO_BENCH_SECONDS", "10")); }

// Writes the data file once (sequential 1 MiB direct writes of non-zero bytes, so no
// filesystem shortcut for holes applies) unless it already has the size.
inline void EnsureDataFile(Scheduler& sched, const std::string& path, uint64_t bytes) {
  auto f = sched.Open(path, {.create = true, .direct = true});
  STRATA_CHECK_MSG(f.ok(), f.status().ToString().c_str());
  if (*(*f)->Size() == bytes) return;
  AlignedBuffer buf(1 << 20);
  for (size_t i = 0; i < buf.size(); i++) buf.data()[i] = static_cast<char>(i * 7 + 1);
  for (uint64_t off = 0; off < bytes; off += buf.size()) {
    Status s = (*f)->WriteAt(IoClass::kFlush, off, buf.slice());
    STRATA_CHECK_MSG(s.ok(), s.ToString().c_str());
  }
  STRATA_CHECK((*f)->Sync(IoClass::kFlush).ok());
}

inline BackendKind BackendArg(int64_t arg) {
  return arg == 0 ? BackendKind::kUring : BackendKind::kThreadPool;
}

// Keeps `depth` random aligned reads of `block` bytes in flight for `seconds`: each
// completion immediately submits the next read from its callback (a closed loop, as fio's
// iodepth). Returns completed reads.
struct ReadLoad {
  struct Slot {
    ReadLoad* load;
    Request req;
    AlignedBuffer buf;
    std::optional<Completion> done;  // built in place: a Completion does not move
    std::minstd_rand rng;
  };
  Scheduler* sched = nullptr;
  File* file = nullptr;
  IoClass io_class = IoClass::kForegroundRead;
  size_t block = 4096;
  uint64_t blocks = 0;
  char* arena = nullptr;  // if set, slot i reads into arena + i * block (registered memory)
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> completed{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint32_t> live{0};
  std::vector<std::unique_ptr<Slot>> slots = {};

  void Next(Slot* s) {
    s->req.offset = (s->rng() % blocks) * block;
    sched->Submit(std::span<Request>(&s->req, 1), &*s->done);
  }
  void OnDone(Slot* s) {
    if (!s->req.status.ok()) errors++;
    completed.fetch_add(1, std::memory_order_relaxed);
    if (stop.load(std::memory_order_relaxed)) {
      live--;
      return;
    }
    Next(s);
  }
  uint64_t Run(uint32_t depth, double seconds) {
    blocks = *file->Size() / block;
    for (uint32_t i = 0; i < depth; i++) {
      auto s = std::make_unique<Slot>();
      Slot* sp = s.get();
      s->load = this;
      char* dst = arena ? arena + i * block : (s->buf = AlignedBuffer(block)).data();
      s->req = Request{.op = IoOp::kRead, .io_class = io_class, .file = file, .buf = dst, .len = block};
      s->done.emplace([sp] { sp->load->OnDone(sp); });
      s->rng.seed(i + 1);
      slots.push_back(std::move(s));
    }
    live = depth;
    for (auto& s : slots) Next(s.get());
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    while (live.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    STRATA_CHECK_MSG(errors.load() == 0, "read errors during the benchmark");
    return completed.load();
  }
};

}  // namespace strata::io::bench
