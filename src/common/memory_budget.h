// MemoryBudget: one shared allowance of bytes (the sessions' share of memory_limit_mb) that
// callers reserve from before they allocate, and a refusal instead of growth past it.
// MemoryCharge: one holder's reservation, released when it is destroyed.
//
//   MemoryCharge charge(&budget);
//   if (!charge.GrowTo(bytes_needed)) return ErrOutOfMemory(...);   // nothing allocated
//
// Thread-safety: MemoryBudget is safe from any thread; a MemoryCharge belongs to one.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace strata {

class MemoryBudget {
 public:
  explicit MemoryBudget(uint64_t limit_bytes) : limit_(limit_bytes) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Adds `bytes` to what is in use, unless that would pass the limit (then nothing changes).
  bool TryReserve(uint64_t bytes);
  void Release(uint64_t bytes);
  void NoteRefusal() { refusals_.fetch_add(1, std::memory_order_relaxed); }

  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  uint64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  uint64_t refusals() const { return refusals_.load(std::memory_order_relaxed); }

 private:
  const uint64_t limit_;
  std::atomic<uint64_t> used_{0}, peak_{0}, refusals_{0};
};

class MemoryCharge {
 public:
  explicit MemoryCharge(MemoryBudget* budget = nullptr) : budget_(budget) {}
  ~MemoryCharge() { Reset(); }
  MemoryCharge(MemoryCharge&& o) noexcept : budget_(o.budget_), bytes_(o.bytes_) { o.bytes_ = 0; }
  MemoryCharge& operator=(MemoryCharge&& o) noexcept;
  MemoryCharge(const MemoryCharge&) = delete;
  MemoryCharge& operator=(const MemoryCharge&) = delete;

  // Makes the reservation at least `bytes` (rounded up to `step`, so small growths do not
  // each touch the shared counter). False, with the reservation unchanged, when the budget
  // cannot give it. Always true without a budget.
  bool GrowTo(uint64_t bytes, uint64_t step = 1);
  void Reset();  // gives everything back

  uint64_t bytes() const { return bytes_; }
  MemoryBudget* budget() const { return budget_; }

 private:
  MemoryBudget* budget_;
  uint64_t bytes_ = 0;
};

// MySQL 1041 (ER_OUT_OF_RESOURCES, HY000): `what` (e.g. "a 40 MiB packet") does not fit
// the sessions' memory budget; `undone` says what was given up ("the statement is rolled back").
Status ErrOutOfSessionMemory(const MemoryBudget& budget, std::string_view what, std::string_view undone);

}  // namespace strata
