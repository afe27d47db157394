// Key heads: an in-memory search aid for a cached leaf or branch page (never on disk).
//
// A binary search over a page's cells takes about log2(count) probes, each usually a cache
// miss of its own (cells lie all over the 16 KiB page). Key heads hold, for every cell in
// slot order, the 4 bytes of its key that follow the prefix all the page's keys share, as
// a big-endian integer (zero-padded). Heads are ordered as the keys are, so a search runs
// over one small contiguous array and compares whole keys only among the cells whose head
// equals the wanted key's: usually one.
//
// Lifetime (buffer_pool.h): a frame's heads are built by the first reader that searches
// the page (BufferPool::Heads), and dropped when the frame gets another page or the writer
// is about to change the page (MarkDirty). The writer never builds or uses them: it changes
// the pages it searches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/btree/page.h"

namespace strata::storage::btree {

class KeyHeads {
 public:
  // From `page`'s current cells and level. REQUIRES: a validated leaf or branch page.
  void Build(const NodePage& page);

  // As NodePage::LowerBound / UpperBound over the page the heads were built from.
  int LowerBound(const NodePage& page, Slice key, bool* found) const;
  int UpperBound(const NodePage& page, Slice key) const;

  // The page's level as it was built (0: a leaf): a search that descends checks a child's
  // level here instead of reading its header, one cache miss fewer per level.
  int level() const { return level_; }
  // Bytes held, and what Build would hold for `page`.
  size_t memory_bytes() const { return prefix_.capacity() + heads_.capacity() * sizeof(uint32_t); }
  static size_t BytesFor(const NodePage& page) { return static_cast<size_t>(page.count()) * sizeof(uint32_t) + 64; }
  // Frees the memory (the frame holds another page now).
  void Clear() {
    std::string().swap(prefix_);
    std::vector<uint32_t>().swap(heads_);
  }

 private:
  // Where `key` falls against the shared prefix: -1 below every key of the page, +1 above
  // every key, 0 when it starts with the prefix (then *head is its head).
  int Place(Slice key, uint32_t* head) const;
  // [*first, *last): the cells whose head equals `head`.
  void EqualRange(uint32_t head, int* first, int* last) const;

  std::string prefix_;
  std::vector<uint32_t> heads_;
  int level_ = 0;
};

}  // namespace strata::storage::btree
