#include "node/garbage_collector.h"

#include <algorithm>

#include "obs/log.h"
#include "txn/apply.h"

namespace strata::node {

GarbageCollector::GarbageCollector(storage::Engine* engine, txn::TxnManager* txns, GcHooks hooks,
                                   GarbageCollectorOptions options)
    : engine_(engine), txns_(txns), hooks_(std::move(hooks)), options_(options) {
  STRATA_CHECK(engine_ != nullptr && txns_ != nullptr && options_.keys_per_slice > 0);
  STRATA_CHECK(hooks_.propose_horizon && hooks_.applied_horizon);
  thread_ = std::thread([this] { Run(); });
}

GarbageCollector::~GarbageCollector() { Stop(); }

void GarbageCollector::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void GarbageCollector::Trigger() {
  {
    std::lock_guard lock(mu_);
    trigger_ = true;
  }
  cv_.notify_all();
}

uint64_t GarbageCollector::passes() const {
  std::lock_guard lock(mu_);
  return passes_;
}

bool GarbageCollector::Rest(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [this] { return stop_ || trigger_; });
  trigger_ = false;
  return !stop_;
}

void GarbageCollector::Run() {
  Bytes from;  // where the pass in progress continues; empty: a new pass
  while (Rest(from.empty() ? options_.interval : options_.slice_pause)) {
    if (from.empty()) hooks_.propose_horizon(txns_->GcWatermark());
    txn::LogIndex watermark = std::min(hooks_.applied_horizon(), txns_->GcWatermark());
    Result<Bytes> next = txn::CollectGarbage(*engine_, watermark, from, options_.keys_per_slice);
    if (!next.ok()) {
      // Not fatal: the versions stay until a later pass succeeds.
      obs::Warn("node", "garbage collection failed", {{"error", next.status().ToString()}});
      from.clear();
      continue;
    }
    from = std::move(*next);
    if (from.empty()) {
      std::lock_guard lock(mu_);
      passes_++;
    }
  }
}

}  // namespace strata::node
