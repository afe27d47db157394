// The B+tree's buffer pool: a fixed budget of 16 KiB frames caching pages of one PageFile,
// evicted by CLOCK (second chance).
//
// Pinning: Fetch/NewPage return a PageRef, which pins its frame; a pinned frame is never
// evicted or reused. Dirty frames are written back only by the tree's single writer
// (NewPage, WriteBack*), never by a reader's eviction: the writer is the only thread that
// modifies page bytes, so a page can never be written while it changes. Readers evict
// clean frames only; when every frame is pinned or dirty they allocate one more frame
// (past the budget) rather than wait, and once the pool is full the writer keeps dirty
// frames under three quarters of the budget (TrimDirty), so that stays rare.
//
// Thread-safety: Fetch, PageRef and the statistics from any thread; NewPage, MarkDirty,
// WriteBack*, TrimDirty and Forget only from the writer (the caller serializes them).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "storage/btree/key_heads.h"
#include "storage/btree/page_file.h"

namespace strata::storage::btree {

class BufferPool;

struct Frame {
  char* data = nullptr;        // kPageSize bytes, 4 KiB aligned, owned by the pool
  PageId page = kNoPage;       // guarded by the pool mutex
  // Raised only under the pool mutex, lowered without it (Unpin): a frame seen unpinned
  // under the mutex stays unpinned until the mutex is released.
  std::atomic<int> pins{0};
  bool dirty = false;          // guarded by the pool mutex
  bool referenced = false;     // CLOCK's second-chance bit
  bool loading = false;        // a read is in progress; waiters sleep on the pool's cv
  // The page's key heads (key_heads.h), valid while heads_state is kReady: built by one
  // reader (kBuilding claims it), dropped by the pool when the frame gets another page and
  // by MarkDirty before the writer changes the page. Nobody reads a page while the writer
  // changes it (tree.h), so no reader can hold heads being dropped.
  enum HeadsState : uint8_t { kNoHeads, kBuilding, kReady };
  std::atomic<uint8_t> heads_state{kNoHeads};
  KeyHeads heads;
  size_t heads_bytes = 0;      // heads' memory, counted in the pool's heads_bytes_ (written by the builder or under the pool mutex)
};

// A pinned page. Movable; unpins on destruction.
class PageRef {
 public:
  PageRef() = default;
  PageRef(BufferPool* pool, Frame* frame) : pool_(pool), frame_(frame) {}
  PageRef(PageRef&& o) noexcept : pool_(o.pool_), frame_(o.frame_) { o.frame_ = nullptr; }
  PageRef& operator=(PageRef&& o) noexcept;
  PageRef(const PageRef&) = delete;
  PageRef& operator=(const PageRef&) = delete;
  ~PageRef() { Reset(); }
  void Reset();

  bool valid() const { return frame_ != nullptr; }
  char* data() const { return frame_->data; }
  PageId id() const { return HeaderPageId(frame_->data); }
  Frame* frame() const { return frame_; }

 private:
  BufferPool* pool_ = nullptr;
  Frame* frame_ = nullptr;
};

class BufferPool {
 public:
  // `budget_bytes`: a sixteenth for key heads, the rest rounded down to whole frames (at
  // least kMinFrames).
  BufferPool(PageFile* file, size_t budget_bytes);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  static constexpr size_t kMinFrames = 64;

  // The page, read (and verified) from the file on a miss. With !fill_cache a page read
  // from disk is left without its second-chance bit, so it is the next to go.
  Result<PageRef> Fetch(PageId id, io::IoClass io_class, bool fill_cache = true);
  // A frame for `id` whose old contents do not matter (a newly allocated page): the caller
  // initializes all of it (InitPage, or a copy).
  Result<PageRef> NewPage(PageId id);
  void MarkDirty(const PageRef& ref);
  // The key heads of a pinned page, building them if nobody is; nullptr for a page that is
  // not a leaf or branch, while another reader builds them, and when the heads of all
  // frames hold their share of the budget (search the page itself then). Readers only: the
  // writer must not build heads of a page it may still change.
  const KeyHeads* Heads(const PageRef& ref);
  // Drops the frame of a page that was freed (no reader can reach it), dirty or not.
  void Forget(PageId id);

  // Writes every dirty frame (a checkpoint). REQUIRES: the writer holds no pins.
  Status WriteBackAll(io::IoClass io_class);
  // Once the pool is full and over three quarters of it dirty, writes dirty frames back
  // until half of the budget is.
  Status TrimDirty();

  size_t budget_frames() const { return budget_frames_; }
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  uint64_t dirty_pages() const { return dirty_count_.load(std::memory_order_relaxed); }
  uint64_t frames() const { return frame_count_.load(std::memory_order_relaxed); }
  uint64_t heads_bytes() const { return heads_bytes_.load(std::memory_order_relaxed); }

 private:
  friend class PageRef;
  void Unpin(Frame* f);
  // A frame to reuse: clean, unpinned, not loading; grows the pool when none is found.
  // REQUIRES: mu_ held.
  Frame* TakeVictim();
  bool TooDirty() const;  // REQUIRES: mu_ held
  // Writes back up to `max` dirty frames (pinned ones only with include_pinned).
  // REQUIRES: mu_ held (released for the I/O); called by the writer.
  Status WriteBackSome(std::unique_lock<std::mutex>& lock, size_t max, io::IoClass io_class, bool include_pinned);

  // Frees a frame's heads when it gets another page. REQUIRES: nobody holds the frame.
  void ReleaseHeads(Frame* f);

  PageFile* const file_;
  const size_t heads_budget_;  // bytes all frames' key heads may hold together
  const size_t budget_frames_;
  std::atomic<size_t> heads_bytes_{0};
  std::mutex mu_;
  std::condition_variable loaded_cv_;
  std::deque<Frame> frames_;                   // stable addresses
  std::unordered_map<PageId, Frame*> table_;   // page -> frame holding it
  size_t clock_hand_ = 0;
  std::atomic<uint64_t> hits_{0}, misses_{0}, dirty_count_{0}, frame_count_{0};
};

}  // namespace strata::storage::btree
