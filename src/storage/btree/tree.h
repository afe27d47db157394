// The B+tree proper: lookups, a cursor, and the copy-on-write writer.
//
// Versions. Every page records the write epoch that created it. The writer may change a
// page in place only if it was created in the current epoch; any older page belongs to a
// frozen version (a snapshot, or a checkpoint on disk) and is copied first: a new page id,
// the parent's pointer updated, the old page handed to the allocator as replaced in this
// epoch. Taking a snapshot or a checkpoint starts a new epoch, so everything reachable from
// the root it captured stays as it is for as long as it is pinned. Only the writer changes
// pages, and only pages of the current epoch, which no snapshot can reach.
//
// Shape. Leaves hold the keys and values; branches hold separator keys (as short as can
// separate the two neighbours). A page that no longer fits a cell splits in two at its byte
// midpoint (or, for an append at the end of the rightmost leaf, keeps all old cells and
// moves only the new one: sequential inserts fill pages completely). A page under
// kMinFillBytes after a delete is merged with a sibling when both fit in one page, and
// otherwise shares its sibling's cells evenly. A root branch left with one child is
// replaced by that child. Values too large for a leaf cell live in a chain of overflow
// pages.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "storage/btree/buffer_pool.h"
#include "storage/btree/page_allocator.h"

namespace strata::storage::btree {

struct TreeRoot {
  PageId root = kNoPage;
  uint32_t height = 1;  // levels; 1 = the root is a leaf
};

// Reading. REQUIRES: nothing changes the pages reachable from `root` meanwhile (a frozen
// version, or the caller excludes the writer).
Result<std::optional<Bytes>> TreeGet(BufferPool* pool, TreeRoot root, Slice key, bool fill_cache);
// The value a leaf payload stands for (reads its overflow chain if it has one).
Status ReadLeafValue(BufferPool* pool, Slice payload, Bytes* out, bool fill_cache, io::IoClass io_class);
// Corruption unless `child` is a tree page exactly one level below `parent`.
Status CheckChild(const PageRef& parent, const PageRef& child);
// Calls `visit` for every page of the version (tree and overflow pages), parents first.
Status VisitPages(BufferPool* pool, TreeRoot root, const std::function<Status(const PageRef&)>& visit);

// A position in one version of the tree: the pinned path from the root to a leaf cell.
class TreeCursor {
 public:
  // `use_heads`: search pages through their key heads (key_heads.h). A reader's choice; the
  // writer, which changes the pages it searches, passes false.
  TreeCursor(BufferPool* pool, TreeRoot root, bool fill_cache, bool use_heads = true)
      : pool_(pool), root_(root), fill_cache_(fill_cache), use_heads_(use_heads) {}
  Status SeekToFirst();
  Status SeekToLast();
  Status SeekGE(Slice key);  // first key >= key
  Status SeekLE(Slice key);  // last key <= key
  Status SeekLT(Slice key);  // last key < key
  Status Next();
  Status Prev();
  bool Valid() const { return valid_; }
  Slice key() const;
  Slice payload() const;

 private:
  struct Level {
    PageRef page;
    int pos;  // branch: child position taken; leaf: cell index
  };
  enum class Edge { kFirst, kLast };
  // Descends from path_[depth] along `edge` children to a leaf.
  Status DescendEdge(Edge edge);
  Status SeekToEdge(Edge edge);
  Status Descend(Slice key);  // path to the leaf that may hold key (leaf pos unset)
  Status StepLeaf(bool forward);  // to the neighbouring leaf, skipping empty ones
  Result<PageRef> Child(const PageRef& parent, int pos);
  int LowerBound(const PageRef& page, Slice key, bool* found) const;
  int UpperBound(const PageRef& page, Slice key) const;

  BufferPool* pool_;
  TreeRoot root_;
  bool fill_cache_;
  bool use_heads_;
  std::vector<Level> path_;
  bool valid_ = false;
};

// Applies puts and deletes to the tree. One at a time: the engine's writer lock.
class TreeWriter {
 public:
  // `root` is updated as the root moves. `epoch` is the current (mutable) epoch.
  TreeWriter(BufferPool* pool, PageAllocator* alloc, TreeRoot* root, uint64_t epoch)
      : pool_(pool), alloc_(alloc), root_(root), epoch_(epoch) {}

  // REQUIRES: key.size() <= kMaxKeySize (InvalidArgument otherwise).
  Status Put(Slice key, Slice value);
  Status Delete(Slice key);
  Status DeleteRange(Slice begin, Slice end);  // [begin, end)

  uint64_t pages_copied() const { return pages_copied_; }

 private:
  struct Level {
    PageRef page;
    int pos;  // branch: position of the child on the path
  };
  Status DescendForWrite(Slice key);
  Result<PageRef> MakeWritable(PageRef page);
  Result<PageRef> NewNode(PageType type, uint8_t level);
  Status InsertAt(int depth, int index, const CellRef& cell);
  Status SplitAndInsert(int depth, int index, const CellRef& cell);
  Status Rebalance(int depth);
  Status Redistribute(int depth, int left_pos, PageRef left, PageRef right, std::vector<CellRef>& cells);
  Status FreeValue(Slice payload);
  Status FreePage(PageId id, uint64_t born);
  Result<PageId> WriteOverflow(Slice value);
  Result<bool> Contains(Slice key);

  BufferPool* pool_;
  PageAllocator* alloc_;
  TreeRoot* root_;
  uint64_t epoch_;
  std::vector<Level> path_;
  uint64_t pages_copied_ = 0;
};

}  // namespace strata::storage::btree
