#include "common/memory_budget.h"

#include <fmt/format.h>

namespace strata {

bool MemoryBudget::TryReserve(uint64_t bytes) {
  uint64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (used + bytes > limit_ || used + bytes < used) return false;
  } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  uint64_t now = used + bytes, peak = peak_.load(std::memory_order_relaxed);
  while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
  return true;
}

void MemoryBudget::Release(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

MemoryCharge& MemoryCharge::operator=(MemoryCharge&& o) noexcept {
  if (this != &o) {
    Reset();
    budget_ = o.budget_;
    bytes_ = o.bytes_;
    o.bytes_ = 0;
  }
  return *this;
}

bool MemoryCharge::GrowTo(uint64_t bytes, uint64_t step) {
  if (budget_ == nullptr || bytes <= bytes_) return true;
  uint64_t rounded = (bytes + step - 1) / step * step;
  for (uint64_t want : {rounded, bytes}) {  // the exact amount may fit where the rounded one does not
    if (budget_->TryReserve(want - bytes_)) {
      bytes_ = want;
      return true;
    }
  }
  budget_->NoteRefusal();
  return false;
}

void MemoryCharge::Reset() {
  if (budget_ != nullptr && bytes_ != 0) budget_->Release(bytes_);
  bytes_ = 0;
}

Status ErrOutOfSessionMemory(const MemoryBudget& budget, std::string_view what, std::string_view undone) {
  return Status::ResourceExhausted(
             fmt::format("Out of memory: {} does not fit the sessions' memory budget ({} of {} bytes in use; "
                         "raise memory_limit_mb); {}",
                         what, budget.used(), budget.limit(), undone))
      .WithMysql(1041, "HY000");
}

}  // namespace strata
