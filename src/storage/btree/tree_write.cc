// Changing the tree: copy-on-write descent, inserts with splits, deletes with merges and
// redistribution, overflow chains. See tree.h for the rules.
#include <fmt/format.h>

#include <memory>

#include "common/check.h"
#include "storage/btree/tree.h"

namespace strata::storage::btree {

namespace {

constexpr uint64_t kMaxValueBytes = uint64_t{1} << 30;
constexpr io::IoClass kWriterRead = io::IoClass::kForegroundRead;  // the apply loop waits on it

size_t SlottedBytes(const CellRef& c) { return CellBytes(c) + 2; }

size_t NodeBytes(std::span<const CellRef> cells) {
  size_t total = kPageHeaderSize;
  for (const auto& c : cells) total += SlottedBytes(c);
  return total;
}

// Where to cut `cells` in two halves of about equal bytes. Leaves: left gets [0, s).
// Branches: cell s moves up, left gets [0, s), right (s, n).
size_t MidpointSplit(std::span<const CellRef> cells, bool leaf) {
  size_t n = cells.size();
  size_t total = 0;
  for (const auto& c : cells) total += SlottedBytes(c);
  size_t acc = 0, s = 0;
  while (s < n && acc + SlottedBytes(cells[s]) <= total / 2) acc += SlottedBytes(cells[s++]);
  size_t lo = 1, hi = leaf ? n - 1 : n - 2;
  STRATA_CHECK(n >= (leaf ? 2u : 3u));
  return std::clamp(s, lo, hi);
}

// A private copy of a page, so cells can be gathered from it while the page is rebuilt.
std::unique_ptr<char[]> CopyPage(const char* data) {
  auto copy = std::make_unique<char[]>(kPageSize);
  std::memcpy(copy.get(), data, kPageSize);
  return copy;
}

void AppendCells(const char* page, std::vector<CellRef>* out) {
  NodePage node(const_cast<char*>(page));
  for (int i = 0; i < node.count(); i++) out->push_back(node.Cell(i));
}

}  // namespace

Status TreeWriter::FreePage(PageId id, uint64_t born) {
  if (alloc_->Free(id, born, epoch_)) pool_->Forget(id);
  return Status::OK();
}

Result<PageRef> TreeWriter::MakeWritable(PageRef page) {
  uint64_t born = HeaderEpoch(page.data());
  if (born == epoch_) {
    pool_->MarkDirty(page);
    return page;
  }
  STRATA_CHECK(born < epoch_);
  STRATA_ASSIGN_OR_RETURN(PageId id, alloc_->Allocate());
  STRATA_ASSIGN_OR_RETURN(PageRef copy, pool_->NewPage(id));
  std::memcpy(copy.data(), page.data(), kPageSize);
  SetHeaderPageId(copy.data(), id);
  SetHeaderEpoch(copy.data(), epoch_);
  pool_->MarkDirty(copy);
  PageId old = page.id();
  page.Reset();
  STRATA_RETURN_IF_ERROR(FreePage(old, born));
  pages_copied_++;
  return copy;
}

Result<PageRef> TreeWriter::NewNode(PageType type, uint8_t level) {
  STRATA_ASSIGN_OR_RETURN(PageId id, alloc_->Allocate());
  STRATA_ASSIGN_OR_RETURN(PageRef page, pool_->NewPage(id));
  InitPage(page.data(), id, type, level, epoch_);
  pool_->MarkDirty(page);
  return page;
}

Status TreeWriter::DescendForWrite(Slice key) {
  path_.clear();
  STRATA_ASSIGN_OR_RETURN(PageRef root, pool_->Fetch(root_->root, kWriterRead));
  if (HeaderLevel(root.data()) + 1u != root_->height) {
    return Status::Corruption(fmt::format("btree root page {} does not match the tree height", root.id()));
  }
  STRATA_ASSIGN_OR_RETURN(root, MakeWritable(std::move(root)));
  root_->root = root.id();
  path_.push_back({std::move(root), 0});
  while (!NodePage(path_.back().page.data()).is_leaf()) {
    Level& top = path_.back();
    NodePage node(top.page.data());
    top.pos = node.UpperBound(key);
    STRATA_ASSIGN_OR_RETURN(PageRef child, pool_->Fetch(node.ChildAt(top.pos), kWriterRead));
    STRATA_RETURN_IF_ERROR(CheckChild(top.page, child));
    STRATA_ASSIGN_OR_RETURN(child, MakeWritable(std::move(child)));
    if (child.id() != node.ChildAt(top.pos)) node.SetChildAt(top.pos, child.id());
    path_.push_back({std::move(child), 0});
  }
  return Status::OK();
}

Result<bool> TreeWriter::Contains(Slice key) {
  TreeCursor cursor(pool_, *root_, true, /*use_heads=*/false);
  STRATA_RETURN_IF_ERROR(cursor.SeekGE(key));
  return cursor.Valid() && cursor.key() == key;
}

Status TreeWriter::Put(Slice key, Slice value) {
  if (key.size() > kMaxKeySize) {
    return Status::InvalidArgument(fmt::format("btree key of {} bytes is over the limit of {}", key.size(), kMaxKeySize));
  }
  if (value.size() > kMaxValueBytes) {
    return Status::InvalidArgument(fmt::format("btree value of {} bytes is over the limit of 1 GiB", value.size()));
  }
  Bytes payload;
  if (FitsInline(key.size(), value.size())) {
    EncodeInlineValue(&payload, value);
  } else {
    STRATA_ASSIGN_OR_RETURN(PageId first, WriteOverflow(value));
    EncodeOverflowRef(&payload, first, value.size());
  }
  STRATA_RETURN_IF_ERROR(DescendForWrite(key));
  int depth = static_cast<int>(path_.size()) - 1;
  NodePage leaf(path_[depth].page.data());
  bool found = false;
  int i = leaf.LowerBound(key, &found);
  if (found) {
    STRATA_RETURN_IF_ERROR(FreeValue(leaf.PayloadAt(i)));
    leaf.Remove(i);
  }
  CellRef cell{key, payload};
  if (!leaf.TryInsert(i, cell)) return SplitAndInsert(depth, i, cell);
  // A smaller value may leave the leaf underfull.
  return found && leaf.UsedBytes() < kMinFillBytes ? Rebalance(depth) : Status::OK();
}

Status TreeWriter::Delete(Slice key) {
  STRATA_ASSIGN_OR_RETURN(bool present, Contains(key));
  if (!present) return Status::OK();  // no copy of the path for nothing
  STRATA_RETURN_IF_ERROR(DescendForWrite(key));
  int depth = static_cast<int>(path_.size()) - 1;
  NodePage leaf(path_[depth].page.data());
  bool found = false;
  int i = leaf.LowerBound(key, &found);
  STRATA_CHECK_MSG(found, "btree key found by the cursor is missing from its leaf");
  STRATA_RETURN_IF_ERROR(FreeValue(leaf.PayloadAt(i)));
  leaf.Remove(i);
  return Rebalance(depth);
}

Status TreeWriter::DeleteRange(Slice begin, Slice end) {
  if (!(begin < end)) return Status::OK();
  for (;;) {
    Bytes first;
    {
      TreeCursor cursor(pool_, *root_, true, /*use_heads=*/false);
      STRATA_RETURN_IF_ERROR(cursor.SeekGE(begin));
      if (!cursor.Valid() || cursor.key() >= end) return Status::OK();
      first.assign(cursor.key());
    }
    // One leaf at a time: every key of the range in the leaf holding `first`.
    STRATA_RETURN_IF_ERROR(DescendForWrite(first));
    int depth = static_cast<int>(path_.size()) - 1;
    NodePage leaf(path_[depth].page.data());
    bool found = false;
    int i = leaf.LowerBound(first, &found);
    int j = i;
    while (j < leaf.count() && leaf.KeyAt(j) < end) j++;
    STRATA_CHECK(j > i);
    for (int k = j - 1; k >= i; k--) {
      STRATA_RETURN_IF_ERROR(FreeValue(leaf.PayloadAt(k)));
      leaf.Remove(k);
    }
    STRATA_RETURN_IF_ERROR(Rebalance(depth));
  }
}

Status TreeWriter::InsertAt(int depth, int index, const CellRef& cell) {
  NodePage node(path_[depth].page.data());
  if (node.TryInsert(index, cell)) return Status::OK();
  return SplitAndInsert(depth, index, cell);
}

Status TreeWriter::SplitAndInsert(int depth, int index, const CellRef& cell) {
  PageRef& page = path_[depth].page;
  NodePage node(page.data());
  auto scratch = CopyPage(page.data());
  std::vector<CellRef> cells;
  AppendCells(scratch.get(), &cells);
  cells.insert(cells.begin() + index, cell);
  bool leaf = node.is_leaf();
  size_t n = cells.size();
  bool rightmost = true;  // appending past the last key of the whole tree?
  for (int d = 0; d < depth; d++) rightmost &= path_[d].pos == NodePage(path_[d].page.data()).ChildCount() - 1;
  size_t split = leaf && rightmost && static_cast<size_t>(index) == n - 1 ? n - 1 : MidpointSplit(cells, leaf);
  std::span<const CellRef> all(cells);
  std::span<const CellRef> left = all.first(split);
  std::span<const CellRef> right = leaf ? all.subspan(split) : all.subspan(split + 1);
  STRATA_CHECK_MSG(NodeBytes(left) <= kPageSize && NodeBytes(right) <= kPageSize, "btree split does not fit");
  Bytes separator = leaf ? ShortestSeparator(cells[split - 1].key, cells[split].key) : Bytes(cells[split].key);
  STRATA_ASSIGN_OR_RETURN(PageRef right_page, NewNode(leaf ? PageType::kLeaf : PageType::kBranch, node.level()));
  if (!leaf) SetHeaderLink(right_page.data(), DecodeFixed32(cells[split].payload.data()));
  NodePage(right_page.data()).Rebuild(right);
  node.Rebuild(left);
  char child[4];
  EncodeChild(child, right_page.id());
  CellRef up{separator, Slice(child, 4)};
  if (depth > 0) return InsertAt(depth - 1, path_[depth - 1].pos, up);
  // The root split: a new root above the two halves.
  STRATA_ASSIGN_OR_RETURN(PageRef root, NewNode(PageType::kBranch, static_cast<uint8_t>(node.level() + 1)));
  SetHeaderLink(root.data(), page.id());
  STRATA_CHECK(NodePage(root.data()).TryInsert(0, up));
  root_->root = root.id();
  root_->height++;
  path_.insert(path_.begin(), Level{std::move(root), 0});
  return Status::OK();
}

Status TreeWriter::Rebalance(int depth) {
  NodePage node(path_[depth].page.data());
  if (depth == 0) {
    if (node.is_leaf() || node.count() > 0) return Status::OK();
    // A root branch with a single child: the child becomes the root.
    PageId old = node.id();
    uint64_t born = HeaderEpoch(node.data());
    root_->root = node.ChildAt(0);
    root_->height--;
    path_.clear();
    return FreePage(old, born);
  }
  if (node.UsedBytes() >= kMinFillBytes) return Status::OK();
  NodePage parent(path_[depth - 1].page.data());
  if (parent.count() == 0) return Status::OK();  // no sibling to merge with
  int pos = path_[depth - 1].pos;
  int left_pos = pos > 0 ? pos - 1 : pos;  // the pair is (left_pos, left_pos + 1)
  int sibling_pos = pos > 0 ? pos - 1 : pos + 1;
  STRATA_ASSIGN_OR_RETURN(PageRef sibling, pool_->Fetch(parent.ChildAt(sibling_pos), kWriterRead));
  STRATA_RETURN_IF_ERROR(CheckChild(path_[depth - 1].page, sibling));
  PageRef left = pos > 0 ? std::move(sibling) : std::move(path_[depth].page);
  PageRef right = pos > 0 ? std::move(path_[depth].page) : std::move(sibling);
  path_.resize(depth);  // the pages below the parent are handled here now
  auto left_copy = CopyPage(left.data());
  auto right_copy = CopyPage(right.data());
  std::vector<CellRef> cells;
  AppendCells(left_copy.get(), &cells);
  char right_link[4];
  if (!node.is_leaf()) {  // the parent's separator comes down over the right's leftmost child
    EncodeChild(right_link, HeaderLink(right_copy.get()));
    cells.push_back({parent.KeyAt(left_pos), Slice(right_link, 4)});
  }
  AppendCells(right_copy.get(), &cells);
  if (NodeBytes(cells) > kPageSize) return Redistribute(depth, left_pos, std::move(left), std::move(right), cells);
  // Merge into the left page; the right page and its separator go.
  STRATA_ASSIGN_OR_RETURN(left, MakeWritable(std::move(left)));
  if (left.id() != parent.ChildAt(left_pos)) parent.SetChildAt(left_pos, left.id());
  NodePage(left.data()).Rebuild(cells);
  PageId right_id = right.id();
  uint64_t right_born = HeaderEpoch(right.data());
  right.Reset();
  left.Reset();
  parent.Remove(left_pos);
  STRATA_RETURN_IF_ERROR(FreePage(right_id, right_born));
  return Rebalance(depth - 1);
}

Status TreeWriter::Redistribute(int depth, int left_pos, PageRef left, PageRef right, std::vector<CellRef>& cells) {
  NodePage parent(path_[depth - 1].page.data());
  bool leaf = NodePage(left.data()).is_leaf();
  size_t split = MidpointSplit(cells, leaf);
  std::span<const CellRef> all(cells);
  std::span<const CellRef> left_cells = all.first(split);
  std::span<const CellRef> right_cells = leaf ? all.subspan(split) : all.subspan(split + 1);
  if (NodeBytes(left_cells) > kPageSize || NodeBytes(right_cells) > kPageSize) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(left, MakeWritable(std::move(left)));
  if (left.id() != parent.ChildAt(left_pos)) parent.SetChildAt(left_pos, left.id());
  STRATA_ASSIGN_OR_RETURN(right, MakeWritable(std::move(right)));
  if (right.id() != parent.ChildAt(left_pos + 1)) parent.SetChildAt(left_pos + 1, right.id());
  Bytes separator = leaf ? ShortestSeparator(cells[split - 1].key, cells[split].key) : Bytes(cells[split].key);
  if (!leaf) SetHeaderLink(right.data(), DecodeFixed32(cells[split].payload.data()));
  NodePage(left.data()).Rebuild(left_cells);
  NodePage(right.data()).Rebuild(right_cells);
  char child[4];
  EncodeChild(child, right.id());
  parent.Remove(left_pos);
  return InsertAt(depth - 1, left_pos, CellRef{separator, Slice(child, 4)});
}

Status TreeWriter::FreeValue(Slice payload) {
  LeafValue v;
  STRATA_RETURN_IF_ERROR(DecodeLeafValue(payload, &v));
  if (!v.overflow) return Status::OK();
  uint64_t pages = (v.length + kOverflowDataBytes - 1) / kOverflowDataBytes;
  PageId id = v.first_page;
  for (uint64_t n = 0; n < pages; n++) {
    STRATA_ASSIGN_OR_RETURN(PageRef page, pool_->Fetch(id, kWriterRead, false));
    if (HeaderType(page.data()) != PageType::kOverflow) {
      return Status::Corruption(fmt::format("btree page {} is not the overflow page expected", id));
    }
    PageId next = HeaderLink(page.data());
    uint64_t born = HeaderEpoch(page.data());
    page.Reset();
    STRATA_RETURN_IF_ERROR(FreePage(id, born));
    id = next;
  }
  return Status::OK();
}

Result<PageId> TreeWriter::WriteOverflow(Slice value) {
  size_t pages = (value.size() + kOverflowDataBytes - 1) / kOverflowDataBytes;
  std::vector<PageId> ids(pages);
  for (auto& id : ids) {
    STRATA_ASSIGN_OR_RETURN(id, alloc_->Allocate());
  }
  for (size_t k = 0; k < pages; k++) {
    STRATA_ASSIGN_OR_RETURN(PageRef page, pool_->NewPage(ids[k]));
    InitPage(page.data(), ids[k], PageType::kOverflow, 0, epoch_);
    size_t offset = k * kOverflowDataBytes;
    size_t n = std::min(kOverflowDataBytes, value.size() - offset);
    SetHeaderCount(page.data(), static_cast<uint16_t>(n));
    SetHeaderLink(page.data(), k + 1 < pages ? ids[k + 1] : kNoPage);
    std::memcpy(page.data() + kPageHeaderSize, value.data() + offset, n);
    pool_->MarkDirty(page);
  }
  return ids[0];
}

}  // namespace strata::storage::btree
