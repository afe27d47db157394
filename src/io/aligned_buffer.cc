// AlignedBuffer and its process-wide pool.
//
// Size classes are 4 KiB << k for k in [0, kClasses); each keeps a free list. The pool
// caches at most kMaxCachedBytes in total (a buffer returned beyond that is freed), so
// it never holds more than a bounded amount of idle memory. Buffers larger than the top
// class bypass the pool. Thread-safe (one mutex; the critical section is a vector op).
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "io/io.h"

namespace strata::io {
namespace {

constexpr int kClasses = 13;                          // 4 KiB .. 16 MiB
constexpr size_t kMaxCachedBytes = size_t{64} << 20;  // idle memory the pool may keep

size_t ClassSize(int k) { return kDirectIoAlignment << k; }

int ClassFor(size_t n) {
  for (int k = 0; k < kClasses; k++) {
    if (n <= ClassSize(k)) return k;
  }
  return -1;
}

class BufferPool {
 public:
  static BufferPool& Get() {
    static BufferPool* pool = new BufferPool();  // never destroyed: used at exit
    return *pool;
  }

  char* Allocate(size_t n, size_t* capacity) {
    int k = ClassFor(n);
    *capacity = k >= 0 ? ClassSize(k) : AlignUp(n);
    if (k >= 0) {
      std::lock_guard lock(mu_);
      if (!free_[k].empty()) {
        char* p = free_[k].back();
        free_[k].pop_back();
        cached_ -= *capacity;
        return p;
      }
    }
    void* p = std::aligned_alloc(kDirectIoAlignment, *capacity);
    STRATA_CHECK_MSG(p != nullptr, "out of memory for an aligned I/O buffer");
    return static_cast<char*>(p);
  }

  void Release(char* p, size_t capacity) {
    int k = ClassFor(capacity);
    if (k >= 0 && ClassSize(k) == capacity) {
      std::lock_guard lock(mu_);
      if (cached_ + capacity <= kMaxCachedBytes) {
        free_[k].push_back(p);
        cached_ += capacity;
        return;
      }
    }
    std::free(p);
  }

 private:
  std::mutex mu_;
  std::vector<char*> free_[kClasses];
  size_t cached_ = 0;
};

}  // namespace

AlignedBuffer::AlignedBuffer(size_t size) : size_(size) {
  data_ = BufferPool::Get().Allocate(std::max<size_t>(size, 1), &capacity_);
  // Zeroed so that padding written to disk never carries stale memory.
  std::memset(data_, 0, capacity_);
  STRATA_CHECK(IsAligned(reinterpret_cast<uintptr_t>(data_)) && IsAligned(capacity_));
}

AlignedBuffer::~AlignedBuffer() {
  if (data_) BufferPool::Get().Release(data_, capacity_);
}

AlignedBuffer::AlignedBuffer(AlignedBuffer&& o) noexcept
    : data_(o.data_), size_(o.size_), capacity_(o.capacity_) {
  o.data_ = nullptr;
  o.size_ = o.capacity_ = 0;
}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& o) noexcept {
  if (this != &o) {
    if (data_) BufferPool::Get().Release(data_, capacity_);
    data_ = o.data_;
    size_ = o.size_;
    capacity_ = o.capacity_;
    o.data_ = nullptr;
    o.size_ = o.capacity_ = 0;
  }
  return *this;
}

void AlignedBuffer::resize(size_t n) {
  STRATA_CHECK_MSG(n <= capacity_, "AlignedBuffer::resize beyond capacity");
  size_ = n;
}

}  // namespace strata::io
