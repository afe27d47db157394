// Reading the tree: point lookups, overflow values, the cursor, and a walk over all pages.
#include <fmt/format.h>

#include "storage/btree/tree.h"

namespace strata::storage::btree {

namespace {

constexpr uint64_t kMaxValueBytes = uint64_t{1} << 30;  // MySQL's max_allowed_packet ceiling

Result<PageRef> FetchRoot(BufferPool* pool, TreeRoot root, bool fill_cache, io::IoClass io_class) {
  STRATA_ASSIGN_OR_RETURN(PageRef page, pool->Fetch(root.root, io_class, fill_cache));
  PageType type = HeaderType(page.data());
  if ((type != PageType::kLeaf && type != PageType::kBranch) || HeaderLevel(page.data()) + 1u != root.height) {
    return Status::Corruption(fmt::format("btree root page {} does not match the tree height {}", root.root,
                                          root.height));
  }
  return page;
}

// Searches of a page through its key heads when they are ready (a reader's search).
int HeadsLowerBound(BufferPool* pool, const PageRef& page, Slice key, bool* found) {
  NodePage node(page.data());
  if (const KeyHeads* heads = pool->Heads(page)) return heads->LowerBound(node, key, found);
  return node.LowerBound(key, found);
}

int HeadsUpperBound(BufferPool* pool, const PageRef& page, Slice key) {
  NodePage node(page.data());
  if (const KeyHeads* heads = pool->Heads(page)) return heads->UpperBound(node, key);
  return node.UpperBound(key);
}

}  // namespace

// A child must sit exactly one level below its parent: a wrong pointer is caught here.
Status CheckChild(const PageRef& parent, const PageRef& child) {
  int want = HeaderLevel(parent.data()) - 1;
  PageType type = HeaderType(child.data());
  bool node = type == PageType::kLeaf || type == PageType::kBranch;
  if (!node || HeaderLevel(child.data()) != want) {
    return Status::Corruption(fmt::format("btree page {}: child {} is not a tree page of level {}",
                                          parent.id(), child.id(), want));
  }
  return Status::OK();
}

Result<std::optional<Bytes>> TreeGet(BufferPool* pool, TreeRoot root, Slice key, bool fill_cache) {
  constexpr io::IoClass kRead = io::IoClass::kForegroundRead;
  STRATA_ASSIGN_OR_RETURN(PageRef page, FetchRoot(pool, root, fill_cache, kRead));
  const KeyHeads* heads = pool->Heads(page);
  for (int level = HeaderLevel(page.data()); level > 0; level--) {
    NodePage node(page.data());
    const int pos = heads ? heads->UpperBound(node, key) : node.UpperBound(key);
    STRATA_ASSIGN_OR_RETURN(PageRef child, pool->Fetch(node.ChildAt(pos), kRead, fill_cache));
    // A child with heads was a tree page of their level when they were built (and has not
    // changed since): checking that level leaves its header untouched.
    const KeyHeads* child_heads = pool->Heads(child);
    if (child_heads == nullptr || child_heads->level() != level - 1) STRATA_RETURN_IF_ERROR(CheckChild(page, child));
    page = std::move(child);
    heads = child_heads;
  }
  NodePage leaf(page.data());
  bool found = false;
  int i = heads ? heads->LowerBound(leaf, key, &found) : leaf.LowerBound(key, &found);
  if (!found) return std::optional<Bytes>();
  Bytes value;
  STRATA_RETURN_IF_ERROR(ReadLeafValue(pool, leaf.PayloadAt(i), &value, fill_cache, kRead));
  return std::optional<Bytes>(std::move(value));
}

Status ReadLeafValue(BufferPool* pool, Slice payload, Bytes* out, bool fill_cache, io::IoClass io_class) {
  LeafValue v;
  STRATA_RETURN_IF_ERROR(DecodeLeafValue(payload, &v));
  if (!v.overflow) {
    out->assign(v.inline_value);
    return Status::OK();
  }
  if (v.length > kMaxValueBytes) return Status::Corruption("btree overflow value longer than 1 GiB");
  out->clear();
  out->reserve(v.length);
  PageId id = v.first_page;
  while (out->size() < v.length) {
    if (id == kNoPage) return Status::Corruption("btree overflow chain ends early");
    STRATA_ASSIGN_OR_RETURN(PageRef page, pool->Fetch(id, io_class, fill_cache));
    size_t n = HeaderCount(page.data());
    size_t remaining = v.length - out->size();
    if (HeaderType(page.data()) != PageType::kOverflow || n == 0 || n > kOverflowDataBytes || n > remaining) {
      return Status::Corruption(fmt::format("btree page {} is not the overflow page expected", id));
    }
    out->append(page.data() + kPageHeaderSize, n);
    id = HeaderLink(page.data());
  }
  if (id != kNoPage) return Status::Corruption("btree overflow chain longer than its value");
  return Status::OK();
}

Status VisitPages(BufferPool* pool, TreeRoot root, const std::function<Status(const PageRef&)>& visit) {
  constexpr io::IoClass kRead = io::IoClass::kSnapshot;
  std::vector<PageId> stack = {root.root};
  std::vector<uint8_t> levels = {static_cast<uint8_t>(root.height - 1)};
  while (!stack.empty()) {
    PageId id = stack.back();
    uint8_t level = levels.back();
    stack.pop_back();
    levels.pop_back();
    STRATA_ASSIGN_OR_RETURN(PageRef page, pool->Fetch(id, kRead, false));
    PageType type = HeaderType(page.data());
    if ((type != PageType::kLeaf && type != PageType::kBranch) || HeaderLevel(page.data()) != level) {
      return Status::Corruption(fmt::format("btree page {} is not a tree page of level {}", id, level));
    }
    STRATA_RETURN_IF_ERROR(visit(page));
    NodePage node(page.data());
    if (!node.is_leaf()) {
      for (int pos = node.ChildCount() - 1; pos >= 0; pos--) {
        stack.push_back(node.ChildAt(pos));
        levels.push_back(static_cast<uint8_t>(level - 1));
      }
      continue;
    }
    for (int i = 0; i < node.count(); i++) {
      LeafValue v;
      STRATA_RETURN_IF_ERROR(DecodeLeafValue(node.PayloadAt(i), &v));
      uint64_t pages = v.overflow ? (v.length + kOverflowDataBytes - 1) / kOverflowDataBytes : 0;
      PageId next = v.first_page;
      for (uint64_t n = 0; n < pages; n++) {
        if (next == kNoPage) return Status::Corruption("btree overflow chain ends early");
        STRATA_ASSIGN_OR_RETURN(PageRef overflow, pool->Fetch(next, kRead, false));
        if (HeaderType(overflow.data()) != PageType::kOverflow) {
          return Status::Corruption(fmt::format("btree page {} is not an overflow page", next));
        }
        STRATA_RETURN_IF_ERROR(visit(overflow));
        next = HeaderLink(overflow.data());
      }
    }
  }
  return Status::OK();
}

// ------------------------------------------------------------------ TreeCursor

Slice TreeCursor::key() const { return NodePage(path_.back().page.data()).KeyAt(path_.back().pos); }
Slice TreeCursor::payload() const { return NodePage(path_.back().page.data()).PayloadAt(path_.back().pos); }

Result<PageRef> TreeCursor::Child(const PageRef& parent, int pos) {
  NodePage node(parent.data());
  STRATA_ASSIGN_OR_RETURN(PageRef child, pool_->Fetch(node.ChildAt(pos), io::IoClass::kForegroundRead, fill_cache_));
  STRATA_RETURN_IF_ERROR(CheckChild(parent, child));
  return child;
}

Status TreeCursor::DescendEdge(Edge edge) {
  for (;;) {
    Level& top = path_.back();
    NodePage node(top.page.data());
    if (node.is_leaf()) {
      top.pos = edge == Edge::kFirst ? 0 : node.count() - 1;
      return Status::OK();
    }
    top.pos = edge == Edge::kFirst ? 0 : node.count();
    STRATA_ASSIGN_OR_RETURN(PageRef child, Child(top.page, top.pos));
    path_.push_back({std::move(child), 0});
  }
}

int TreeCursor::LowerBound(const PageRef& page, Slice key, bool* found) const {
  return use_heads_ ? HeadsLowerBound(pool_, page, key, found) : NodePage(page.data()).LowerBound(key, found);
}

int TreeCursor::UpperBound(const PageRef& page, Slice key) const {
  return use_heads_ ? HeadsUpperBound(pool_, page, key) : NodePage(page.data()).UpperBound(key);
}

Status TreeCursor::Descend(Slice key) {
  path_.clear();
  valid_ = false;
  STRATA_ASSIGN_OR_RETURN(PageRef root, FetchRoot(pool_, root_, fill_cache_, io::IoClass::kForegroundRead));
  path_.push_back({std::move(root), 0});
  for (;;) {
    Level& top = path_.back();
    NodePage node(top.page.data());
    if (node.is_leaf()) return Status::OK();
    top.pos = UpperBound(top.page, key);
    STRATA_ASSIGN_OR_RETURN(PageRef child, Child(top.page, top.pos));
    path_.push_back({std::move(child), 0});
  }
}

Status TreeCursor::StepLeaf(bool forward) {
  for (;;) {
    path_.pop_back();
    while (!path_.empty()) {
      Level& top = path_.back();
      int children = NodePage(top.page.data()).ChildCount();
      if (forward && top.pos + 1 < children) {
        top.pos++;
        break;
      }
      if (!forward && top.pos > 0) {
        top.pos--;
        break;
      }
      path_.pop_back();
    }
    if (path_.empty()) {
      valid_ = false;
      return Status::OK();
    }
    STRATA_ASSIGN_OR_RETURN(PageRef child, Child(path_.back().page, path_.back().pos));
    path_.push_back({std::move(child), 0});
    STRATA_RETURN_IF_ERROR(DescendEdge(forward ? Edge::kFirst : Edge::kLast));
    if (NodePage(path_.back().page.data()).count() > 0) {
      valid_ = true;
      return Status::OK();
    }
  }
}

namespace {
// Runs a positioning step; any error leaves the cursor invalid.
template <typename Fn>
Status Guard(bool* valid, Fn fn) {
  Status s = fn();
  if (!s.ok()) *valid = false;
  return s;
}
}  // namespace

Status TreeCursor::SeekToFirst() { return SeekToEdge(Edge::kFirst); }
Status TreeCursor::SeekToLast() { return SeekToEdge(Edge::kLast); }

Status TreeCursor::SeekToEdge(Edge edge) {
  return Guard(&valid_, [&]() -> Status {
    path_.clear();
    STRATA_ASSIGN_OR_RETURN(PageRef root, FetchRoot(pool_, root_, fill_cache_, io::IoClass::kForegroundRead));
    path_.push_back({std::move(root), 0});
    STRATA_RETURN_IF_ERROR(DescendEdge(edge));
    if (NodePage(path_.back().page.data()).count() > 0) {
      valid_ = true;
      return Status::OK();
    }
    return StepLeaf(edge == Edge::kFirst);
  });
}

Status TreeCursor::SeekGE(Slice key) {
  return Guard(&valid_, [&]() -> Status {
    STRATA_RETURN_IF_ERROR(Descend(key));
    NodePage leaf(path_.back().page.data());
    bool found = false;
    path_.back().pos = LowerBound(path_.back().page, key, &found);
    if (path_.back().pos < leaf.count()) {
      valid_ = true;
      return Status::OK();
    }
    return StepLeaf(true);
  });
}

Status TreeCursor::SeekLE(Slice key) {
  return Guard(&valid_, [&]() -> Status {
    STRATA_RETURN_IF_ERROR(Descend(key));
    path_.back().pos = UpperBound(path_.back().page, key) - 1;
    if (path_.back().pos >= 0) {
      valid_ = true;
      return Status::OK();
    }
    return StepLeaf(false);
  });
}

Status TreeCursor::SeekLT(Slice key) {
  return Guard(&valid_, [&]() -> Status {
    STRATA_RETURN_IF_ERROR(Descend(key));
    bool found = false;
    path_.back().pos = LowerBound(path_.back().page, key, &found) - 1;
    if (path_.back().pos >= 0) {
      valid_ = true;
      return Status::OK();
    }
    return StepLeaf(false);
  });
}

Status TreeCursor::Next() {
  return Guard(&valid_, [&]() -> Status {
    Level& leaf = path_.back();
    if (++leaf.pos < NodePage(leaf.page.data()).count()) return Status::OK();
    return StepLeaf(true);
  });
}

Status TreeCursor::Prev() {
  return Guard(&valid_, [&]() -> Status {
    Level& leaf = path_.back();
    if (--leaf.pos >= 0) return Status::OK();
    return StepLeaf(false);
  });
}

}  // namespace strata::storage::btree
