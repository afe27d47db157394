// A writer process for the engine crash test (tests/crash/engine_crash_test.py), for either
// engine: `lsm` or `btree`.
//
// On start it opens the engine in DIR and verifies it holds exactly the batches up to its
// PersistedAppliedIndex() P (recomputed from the deterministic batch contents), then — like
// the Raft log replaying — writes batches P+1, P+2, ... until killed. Batch i writes five
// keys, deletes one, and, every 50th batch, deletes a range, so a partial batch would show.
//
//   engine_crash_writer lsm|btree DIR verify-only|run
// Exit codes: 0 ok (verify-only), 3 verification failed, 2 engine error.
#include <cstdio>
#include <map>
#include <string>

#include <fmt/format.h>

#include "io/io.h"
#include "obs/log.h"
#include "storage/btree/btree_engine.h"
#include "storage/lsm/engine_impl.h"  // OpenLsmEngine returns the concrete class

namespace {

using strata::Bytes;
using strata::storage::WriteBatch;

constexpr uint64_t kSlots = 3000;

std::string Slot(uint64_t s) { return fmt::format("slot{:05}", s % kSlots); }

// The deterministic content of batch i, applied to a model or a WriteBatch.
template <typename Put, typename Del, typename DelRange>
void Batch(uint64_t i, Put put, Del del, DelRange del_range) {
  for (uint64_t j = 0; j < 5; j++) put(Slot(i * 7 + j), fmt::format("{}:{}", i, j));
  del(Slot(i * 13 + 3));
  put("last", std::to_string(i));
  if (i % 50 == 0) del_range(Slot(i % kSlots), Slot(i % kSlots + 20));
}

int Verify(strata::storage::Engine& engine) {
  uint64_t persisted = engine.PersistedAppliedIndex();
  std::map<Bytes, Bytes> model;
  for (uint64_t i = 1; i <= persisted; i++) {
    Batch(
        i, [&](const Bytes& k, const Bytes& v) { model[k] = v; }, [&](const Bytes& k) { model.erase(k); },
        [&](const Bytes& b, const Bytes& e) { model.erase(model.lower_bound(b), model.lower_bound(e)); });
  }
  auto it = engine.NewIterator({});
  auto m = model.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++m) {
    if (m == model.end() || it->key() != m->first || it->value() != m->second) {
      std::fprintf(stderr, "MISMATCH at persisted index %lu: engine has %s=%s, model has %s\n", persisted,
                   std::string(it->key()).c_str(), std::string(it->value()).c_str(),
                   m == model.end() ? "(end)" : (m->first + "=" + m->second).c_str());
      return 3;
    }
  }
  if (!it->status().ok()) {
    std::fprintf(stderr, "iterator error: %s\n", it->status().ToString().c_str());
    return 3;
  }
  if (m != model.end()) {
    std::fprintf(stderr, "MISSING %s at persisted index %lu\n", m->first.c_str(), persisted);
    return 3;
  }
  std::printf("verified persisted_applied_index=%lu keys=%zu\n", persisted, model.size());
  std::fflush(stdout);
  return 0;
}

strata::Result<std::unique_ptr<strata::storage::Engine>> Open(const std::string& kind, const std::string& dir,
                                                              strata::io::Scheduler* sched) {
  if (kind == "btree") {
    // A small buffer pool: dirty pages are written back between checkpoints too.
    return strata::storage::btree::OpenBtreeEngine({.dir = dir, .scheduler = sched, .memory_budget = 1 << 20});
  }
  strata::storage::lsm::LsmOptions o;
  o.dir = dir;
  o.scheduler = sched;
  o.memtable_bytes = 64 << 10;  // many flushes and compactions per second
  o.max_bytes_for_level_base = 256 << 10;
  o.target_file_size = 64 << 10;
  o.level_size_multiplier = 4;
  auto engine = strata::storage::lsm::OpenLsmEngine(o);
  if (!engine.ok()) return engine.status();
  return std::unique_ptr<strata::storage::Engine>(std::move(engine).value());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || (std::string(argv[1]) != "lsm" && std::string(argv[1]) != "btree")) {
    std::fprintf(stderr, "usage: %s lsm|btree DIR verify-only|run\n", argv[0]);
    return 2;
  }
  strata::obs::InitLogging(strata::obs::LogFormat::kText, strata::obs::LogLevel::kWarn);
  auto sched = strata::io::Scheduler::Create({});
  if (!sched.ok()) return 2;
  auto engine = Open(argv[1], argv[2], sched->get());
  if (!engine.ok()) {
    std::fprintf(stderr, "open: %s\n", engine.status().ToString().c_str());
    return 2;
  }
  int rc = Verify(**engine);
  if (rc != 0 || std::string(argv[3]) == "verify-only") return rc;
  for (uint64_t i = (*engine)->PersistedAppliedIndex() + 1;; i++) {
    WriteBatch b;
    Batch(
        i, [&](const Bytes& k, const Bytes& v) { b.Put(k, v); }, [&](const Bytes& k) { b.Delete(k); },
        [&](const Bytes& s, const Bytes& e) { b.DeleteRange(s, e); });
    b.SetAppliedIndex(i);
    strata::Status s = (*engine)->Write(b);
    if (!s.ok()) {
      std::fprintf(stderr, "write %lu: %s\n", i, s.ToString().c_str());
      return 2;
    }
    if (i % 500 == 0) {
      s = (*engine)->Flush();  // also exercise explicit flushes racing the kill
      if (!s.ok()) return 2;
    }
  }
}
