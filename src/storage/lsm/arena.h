// A bump allocator for memtable entries: allocation is a pointer increment, everything is
// freed at once with the memtable. Not thread-safe (the single memtable writer allocates);
// MemoryUsage() may be read from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace strata::storage::lsm {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Memory aligned for pointers (skiplist nodes hold atomics).
  char* AllocateAligned(size_t bytes) {
    constexpr size_t kAlign = alignof(std::max_align_t);
    size_t pad = (kAlign - (reinterpret_cast<uintptr_t>(ptr_) & (kAlign - 1))) & (kAlign - 1);
    if (bytes + pad > remaining_) return Fallback(bytes);
    char* out = ptr_ + pad;
    ptr_ += bytes + pad;
    remaining_ -= bytes + pad;
    return out;
  }

  size_t MemoryUsage() const { return usage_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kBlockSize = 64 * 1024;
  char* Fallback(size_t bytes) {
    if (bytes > kBlockSize / 4) return NewBlock(bytes);  // large entries get their own block
    ptr_ = NewBlock(kBlockSize);
    remaining_ = kBlockSize;
    return AllocateAligned(bytes);
  }
  char* NewBlock(size_t bytes) {
    blocks_.push_back(std::make_unique<std::max_align_t[]>((bytes + sizeof(std::max_align_t) - 1) /
                                                           sizeof(std::max_align_t)));
    usage_.fetch_add(bytes + sizeof(void*), std::memory_order_relaxed);
    return reinterpret_cast<char*>(blocks_.back().get());
  }

  char* ptr_ = nullptr;
  size_t remaining_ = 0;
  std::vector<std::unique_ptr<std::max_align_t[]>> blocks_;
  std::atomic<size_t> usage_{0};
};

}  // namespace strata::storage::lsm
