// Which pages of the file are free, and when a freed page may be written again.
//
// Pages are copy-on-write (tree.h): a page replaced in write epoch E is still part of every
// version older than E — open snapshots, and the last two durable checkpoints (both meta
// slots must keep naming intact trees). Such a page waits in `pending` tagged with E and
// becomes free once no pinned version is older than E (Release). A page created in the
// current epoch and dropped in it again was never seen by anyone: it is free at once.
//
// Thread-safety: none; the engine's writer lock guards the allocator.
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <utility>
#include <vector>

#include "storage/btree/page.h"

namespace strata::storage::btree {

class PageAllocator {
 public:
  // State of an opened checkpoint. `pending` must be ordered by epoch.
  void Reset(uint64_t page_count, const std::vector<PageId>& free,
             const std::vector<std::pair<uint64_t, PageId>>& pending);

  // A page to write: the lowest free one, else one past the end of the file.
  Result<PageId> Allocate();
  // Page `id`, created in epoch `born`, leaves the tree in the current epoch `epoch`.
  // Returns true when it is free at once (born == epoch).
  bool Free(PageId id, uint64_t born, uint64_t epoch);
  // Page `id` stays untouched until every version older than `epoch` is unpinned.
  // REQUIRES: epoch >= the epoch of every page pending already.
  void Hold(PageId id, uint64_t epoch);
  // Frees the pending pages no version older than or equal to `min_pinned` still holds;
  // returns them (their cached frames can be dropped).
  std::vector<PageId> Release(uint64_t min_pinned);

  // For a checkpoint's free list: pages free once the checkpoint is durable and the older
  // checkpoint it keeps (epoch `kept_epoch`) is the only other version (free now or freed
  // at or before kept_epoch), and the pages that must wait one checkpoint more.
  void Classify(uint64_t kept_epoch, std::vector<PageId>* free, std::vector<PageId>* held) const;

  uint64_t page_count() const { return page_count_; }
  size_t free_pages() const { return free_.size(); }
  size_t pending_pages() const { return pending_.size(); }

 private:
  std::set<PageId> free_;
  std::deque<std::pair<uint64_t, PageId>> pending_;  // (epoch freed, page), epochs ascending
  uint64_t page_count_ = kFirstDataPage;
};

}  // namespace strata::storage::btree
