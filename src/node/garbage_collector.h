// node::GarbageCollector — a background thread that drops MVCC versions no transaction can
// read any more and no admitted WriteSet's conflict check can look at (txn/apply.h).
//
// At the start of each pass it hands this node's watermark (TxnManager::GcWatermark: the
// oldest snapshot a local transaction reads at or an unsettled commit needs) to
// `propose_horizon`, which proposes it as the replicated GC horizon when this node leads.
// It collects below min(applied GC horizon, local watermark): never past the horizon every
// replica applied at the same log position (so conflict checks stay deterministic), never
// past what a local reader still reads.
//
// It walks the key space in slices of `keys_per_slice` user keys, pausing `slice_pause`
// between slices so that it never holds the engine's writer lock for long, and rests
// `interval` after each full pass. Its engine batches carry no Raft index: they change
// nothing a reader at or above the watermark can see, and a batch lost in a crash only
// leaves garbage for the next pass (txn/apply.h).
//
// Thread-safety: Stop() may be called from any thread, once or more.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "storage/engine.h"
#include "txn/transaction.h"

namespace strata::node {

struct GcHooks {
  // Proposes `watermark` as the GC horizon if this node leads; must not block for long.
  std::function<void(txn::LogIndex watermark)> propose_horizon;
  // The applied GC horizon (TxnStateMachine::gc_horizon).
  std::function<txn::LogIndex()> applied_horizon;
};

struct GarbageCollectorOptions {
  std::chrono::milliseconds interval{5000};     // rest between full passes
  std::chrono::milliseconds slice_pause{10};    // rest between slices of one pass
  size_t keys_per_slice = 10000;
};

class GarbageCollector {
 public:
  // REQUIRES: engine and txns outlive the collector (Stop() before destroying them).
  GarbageCollector(storage::Engine* engine, txn::TxnManager* txns, GcHooks hooks, GarbageCollectorOptions options);
  ~GarbageCollector();  // Stop()s
  GarbageCollector(const GarbageCollector&) = delete;
  GarbageCollector& operator=(const GarbageCollector&) = delete;

  // Wakes the thread for a pass now (tests).
  void Trigger();
  // Stops the thread after the slice in progress.
  void Stop();
  uint64_t passes() const;  // full passes completed

 private:
  void Run();
  // Waits up to `d`; false when stopping.
  bool Rest(std::chrono::milliseconds d);

  storage::Engine* const engine_;
  txn::TxnManager* const txns_;
  const GcHooks hooks_;
  const GarbageCollectorOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;      // guarded by mu_
  bool trigger_ = false;   // guarded by mu_
  uint64_t passes_ = 0;    // guarded by mu_
  std::thread thread_;
};

}  // namespace strata::node
