#include "storage/btree/page_allocator.h"

#include "common/check.h"

namespace strata::storage::btree {

void PageAllocator::Reset(uint64_t page_count, const std::vector<PageId>& free,
                          const std::vector<std::pair<uint64_t, PageId>>& pending) {
  page_count_ = page_count;
  free_ = std::set<PageId>(free.begin(), free.end());
  pending_.assign(pending.begin(), pending.end());
  for (size_t i = 1; i < pending_.size(); i++) STRATA_CHECK(pending_[i - 1].first <= pending_[i].first);
}

Result<PageId> PageAllocator::Allocate() {
  if (!free_.empty()) {
    PageId id = *free_.begin();
    free_.erase(free_.begin());
    return id;
  }
  if (page_count_ >= UINT32_MAX) {
    return Status::ResourceExhausted("btree file is full: page ids are 32 bits (64 TiB of 16 KiB pages)");
  }
  return static_cast<PageId>(page_count_++);
}

bool PageAllocator::Free(PageId id, uint64_t born, uint64_t epoch) {
  STRATA_CHECK(id >= kFirstDataPage && id < page_count_);
  STRATA_CHECK(born <= epoch);
  if (born == epoch) {
    bool inserted = free_.insert(id).second;
    STRATA_CHECK_MSG(inserted, "btree page freed twice");
    return true;
  }
  Hold(id, epoch);
  return false;
}

void PageAllocator::Hold(PageId id, uint64_t epoch) {
  STRATA_CHECK(pending_.empty() || pending_.back().first <= epoch);
  pending_.emplace_back(epoch, id);
}

std::vector<PageId> PageAllocator::Release(uint64_t min_pinned) {
  std::vector<PageId> released;
  while (!pending_.empty() && pending_.front().first <= min_pinned) {
    PageId id = pending_.front().second;
    pending_.pop_front();
    bool inserted = free_.insert(id).second;
    STRATA_CHECK_MSG(inserted, "btree page freed twice");
    released.push_back(id);
  }
  return released;
}

void PageAllocator::Classify(uint64_t kept_epoch, std::vector<PageId>* free, std::vector<PageId>* held) const {
  free->assign(free_.begin(), free_.end());
  held->clear();
  for (const auto& [epoch, id] : pending_) {
    (epoch <= kept_epoch ? free : held)->push_back(id);
  }
}

}  // namespace strata::storage::btree
