#include "storage/btree/buffer_pool.h"

#include <algorithm>
#include <cstdlib>

#include "common/check.h"

namespace strata::storage::btree {

PageRef& PageRef::operator=(PageRef&& o) noexcept {
  if (this != &o) {
    Reset();
    pool_ = o.pool_;
    frame_ = o.frame_;
    o.frame_ = nullptr;
  }
  return *this;
}

void PageRef::Reset() {
  if (frame_ != nullptr) pool_->Unpin(frame_);
  frame_ = nullptr;
}

BufferPool::BufferPool(PageFile* file, size_t budget_bytes)
    : file_(file),
      heads_budget_(budget_bytes / 16),
      budget_frames_(std::max(kMinFrames, (budget_bytes - budget_bytes / 16) / kPageSize)) {
  table_.reserve(budget_frames_);
}

BufferPool::~BufferPool() {
  for (Frame& f : frames_) {
    STRATA_CHECK_MSG(f.pins.load() == 0, "btree page still pinned when its buffer pool is destroyed");
    std::free(f.data);
  }
}

namespace {

void DropHeads(Frame* f) { f->heads_state.store(Frame::kNoHeads, std::memory_order_release); }

}  // namespace

const KeyHeads* BufferPool::Heads(const PageRef& ref) {
  Frame* f = ref.frame();
  uint8_t state = f->heads_state.load(std::memory_order_acquire);
  if (state == Frame::kReady) return &f->heads;
  const PageType type = HeaderType(f->data);
  if (type != PageType::kLeaf && type != PageType::kBranch) return nullptr;  // not a tree page: no heads
  if (state != Frame::kNoHeads ||
      !f->heads_state.compare_exchange_strong(state, Frame::kBuilding, std::memory_order_acquire))
    return nullptr;
  // Within the heads' share of the budget: checked before building (an estimate, so that a
  // full share does not cost a build per search) and after (a long shared prefix).
  auto fits = [&](size_t bytes) {
    return bytes <= f->heads_bytes || heads_bytes_.load(std::memory_order_relaxed) + (bytes - f->heads_bytes) <= heads_budget_;
  };
  NodePage page(f->data);
  if (!fits(KeyHeads::BytesFor(page))) {
    DropHeads(f);
    return nullptr;
  }
  f->heads.Build(page);
  if (!fits(f->heads.memory_bytes())) {
    ReleaseHeads(f);
    return nullptr;
  }
  heads_bytes_.fetch_add(f->heads.memory_bytes() - f->heads_bytes, std::memory_order_relaxed);  // wraps when smaller
  f->heads_bytes = f->heads.memory_bytes();
  f->heads_state.store(Frame::kReady, std::memory_order_release);
  return &f->heads;
}

void BufferPool::ReleaseHeads(Frame* f) {
  DropHeads(f);
  f->heads.Clear();
  heads_bytes_.fetch_sub(f->heads_bytes, std::memory_order_relaxed);
  f->heads_bytes = 0;
}

void BufferPool::Unpin(Frame* f) {
  int before = f->pins.fetch_sub(1, std::memory_order_acq_rel);
  STRATA_CHECK(before > 0);
}

bool BufferPool::TooDirty() const {
  // Below the budget nothing needs evicting: dirty pages wait for the checkpoint, and a
  // page changed again before it is written costs one write, not two.
  return frames_.size() >= budget_frames_ && dirty_count_.load() > budget_frames_ * 3 / 4;
}

Frame* BufferPool::TakeVictim() {
  size_t n = frames_.size();
  if (n >= budget_frames_) {
    // Two sweeps: the first may only clear second-chance bits.
    for (size_t step = 0; step < 2 * n; step++) {
      Frame& f = frames_[clock_hand_];
      clock_hand_ = (clock_hand_ + 1) % n;
      if (f.pins.load(std::memory_order_acquire) > 0 || f.loading || f.dirty) continue;
      if (f.referenced) {
        f.referenced = false;
        continue;
      }
      if (f.page != kNoPage) table_.erase(f.page);
      f.page = kNoPage;
      ReleaseHeads(&f);
      return &f;
    }
  }
  // Below the budget, or every frame is pinned or dirty: one more frame.
  Frame& f = frames_.emplace_back();
  f.data = static_cast<char*>(std::aligned_alloc(io::kDirectIoAlignment, kPageSize));
  STRATA_CHECK_MSG(f.data != nullptr, "out of memory for a btree page frame");
  frame_count_.store(frames_.size(), std::memory_order_relaxed);
  return &f;
}

Result<PageRef> BufferPool::Fetch(PageId id, io::IoClass io_class, bool fill_cache) {
  std::unique_lock lock(mu_);
  for (;;) {
    auto it = table_.find(id);
    if (it == table_.end()) break;
    Frame* f = it->second;
    if (f->loading) {
      loaded_cv_.wait(lock);
      continue;
    }
    f->pins.fetch_add(1, std::memory_order_relaxed);
    if (fill_cache) f->referenced = true;
    hits_.fetch_add(1, std::memory_order_relaxed);
    return PageRef(this, f);
  }
  Frame* f = TakeVictim();
  f->page = id;
  f->loading = true;
  f->pins.store(1, std::memory_order_relaxed);
  table_[id] = f;
  lock.unlock();
  Status s = file_->Read(id, f->data, io_class);
  if (s.ok() && (HeaderType(f->data) == PageType::kLeaf || HeaderType(f->data) == PageType::kBranch)) {
    s = ValidateNodePage(f->data);
  }
  lock.lock();
  f->loading = false;
  loaded_cv_.notify_all();
  if (!s.ok()) {  // a page that failed its checks is never cached
    table_.erase(id);
    f->page = kNoPage;
    f->pins.store(0, std::memory_order_release);
    return s;
  }
  f->referenced = fill_cache;
  misses_.fetch_add(1, std::memory_order_relaxed);
  return PageRef(this, f);
}

Result<PageRef> BufferPool::NewPage(PageId id) {
  std::unique_lock lock(mu_);
  Frame* f;
  auto it = table_.find(id);
  if (it != table_.end()) {
    f = it->second;
    // A page is reallocated only once no version can reach it, so nobody holds it.
    STRATA_CHECK_MSG(f->pins.load(std::memory_order_acquire) == 0 && !f->loading,
                     "a reallocated btree page is still pinned");
    ReleaseHeads(f);
  } else {
    if (TooDirty()) {
      STRATA_RETURN_IF_ERROR(WriteBackSome(lock, dirty_count_.load() - budget_frames_ / 2, io::IoClass::kFlush, false));
    }
    f = TakeVictim();
    f->page = id;
    table_[id] = f;
  }
  f->pins.store(1, std::memory_order_relaxed);
  f->referenced = true;
  return PageRef(this, f);
}

void BufferPool::MarkDirty(const PageRef& ref) {
  std::lock_guard lock(mu_);
  Frame* f = ref.frame();
  DropHeads(f);  // the writer is about to change the page
  if (!f->dirty) {
    f->dirty = true;
    dirty_count_.fetch_add(1, std::memory_order_relaxed);
  }
}

void BufferPool::Forget(PageId id) {
  std::lock_guard lock(mu_);
  auto it = table_.find(id);
  if (it == table_.end()) return;
  Frame* f = it->second;
  if (f->pins.load(std::memory_order_acquire) > 0 || f->loading) return;
  if (f->dirty) dirty_count_.fetch_sub(1, std::memory_order_relaxed);
  f->dirty = false;
  f->referenced = false;
  f->page = kNoPage;
  ReleaseHeads(f);
  table_.erase(it);
}

Status BufferPool::WriteBackSome(std::unique_lock<std::mutex>& lock, size_t max, io::IoClass io_class,
                                 bool include_pinned) {
  // Only the writer changes page bytes, and the writer is the caller. In the middle of a
  // change it holds pins on the pages it is changing, which may already be marked dirty:
  // those are skipped, or the rest of the change would be lost with the dirty bit. A
  // checkpoint (include_pinned) runs between changes; the pins it meets are readers'.
  std::vector<Frame*> batch;
  for (Frame& f : frames_) {
    if (batch.size() >= max) break;
    if (f.dirty && !f.loading && (include_pinned || f.pins.load(std::memory_order_acquire) == 0)) {
      f.pins.fetch_add(1, std::memory_order_relaxed);
      batch.push_back(&f);
    }
  }
  std::sort(batch.begin(), batch.end(), [](const Frame* a, const Frame* b) { return a->page < b->page; });
  lock.unlock();
  std::vector<std::pair<PageId, char*>> pages;
  pages.reserve(batch.size());
  for (Frame* f : batch) pages.emplace_back(f->page, f->data);
  Status s = file_->Write(pages, io_class);
  lock.lock();
  for (Frame* f : batch) {
    if (s.ok() && f->dirty) {
      f->dirty = false;
      dirty_count_.fetch_sub(1, std::memory_order_relaxed);
    }
    f->pins.fetch_sub(1, std::memory_order_release);
  }
  return s;
}

Status BufferPool::WriteBackAll(io::IoClass io_class) {
  std::unique_lock lock(mu_);
  while (dirty_count_.load() > 0) {
    STRATA_RETURN_IF_ERROR(WriteBackSome(lock, 256, io_class, true));
  }
  return Status::OK();
}

Status BufferPool::TrimDirty() {
  std::unique_lock lock(mu_);
  if (!TooDirty()) return Status::OK();
  return WriteBackSome(lock, dirty_count_.load() - budget_frames_ / 2, io::IoClass::kFlush, false);
}

}  // namespace strata::storage::btree
