// A concurrent skiplist of arena-allocated entries (the memtable's index).
//
// Thread-safety: ONE writer at a time (callers serialize Insert), any number of readers
// without locks. Nodes are never removed; a node's fields are written before the node is
// published with a release store, and readers load links with acquire, so a reader sees
// either the old list or the new node fully formed. Same contract as LevelDB's skiplist.
#pragma once

#include <atomic>
#include <cstdint>
#include <random>

#include "common/check.h"
#include "storage/lsm/arena.h"

namespace strata::storage::lsm {

// Compare(const char* a, const char* b) -> int over entries.
template <typename Compare>
class SkipList {
 public:
  static constexpr int kMaxHeight = 12;

  SkipList(Compare cmp, Arena* arena) : cmp_(cmp), arena_(arena), head_(NewNode(nullptr, kMaxHeight)) {}

  // Allocates room for an entry of `len` bytes right behind a new node's links (one arena
  // allocation, so a search touches one place in memory per node). Fill it, then Insert it.
  // REQUIRES: external synchronization among writers; one Allocate per Insert.
  char* Allocate(size_t len) {
    pending_height_ = RandomHeight();
    pending_ = NewNode(nullptr, pending_height_, len);
    char* entry = reinterpret_cast<char*>(&pending_->next[pending_height_]);
    pending_->entry = entry;
    return entry;
  }

  // REQUIRES: `entry` came from the last Allocate(); no equal entry is present.
  void Insert(const char* entry) {
    STRATA_CHECK(pending_ != nullptr && pending_->entry == entry);
    Node* prev[kMaxHeight];
    Node* x = FindGreaterOrEqual(entry, prev);
    STRATA_CHECK(x == nullptr || cmp_(entry, x->entry) != 0);
    int height = pending_height_;
    int max = max_height_.load(std::memory_order_relaxed);
    if (height > max) {
      for (int i = max; i < height; i++) prev[i] = head_;
      max_height_.store(height, std::memory_order_relaxed);
    }
    Node* n = pending_;
    pending_ = nullptr;
    for (int i = 0; i < height; i++) {
      n->NoBarrierSetNext(i, prev[i]->NoBarrierNext(i));
      prev[i]->SetNext(i, n);  // publish
    }
  }

 private:
  struct Node;  // declared before Iterator names it (clang requires it)

 public:
  class Iterator {
   public:
    explicit Iterator(const SkipList* list) : list_(list) {}
    bool Valid() const { return node_ != nullptr; }
    const char* entry() const { return node_->entry; }
    void Next() { node_ = node_->Next(0); }
    void Prev() {
      node_ = list_->FindLessThan(node_->entry);
      if (node_ == list_->head_) node_ = nullptr;
    }
    void Seek(const char* target) { node_ = list_->FindGreaterOrEqual(target, nullptr); }
    void SeekToFirst() { node_ = list_->head_->Next(0); }
    void SeekToLast() {
      node_ = list_->FindLast();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const SkipList* list_;
    typename SkipList::Node* node_ = nullptr;
  };

 private:
  struct Node {
    const char* entry;
    Node* Next(int n) { return next[n].load(std::memory_order_acquire); }
    void SetNext(int n, Node* x) { next[n].store(x, std::memory_order_release); }
    Node* NoBarrierNext(int n) { return next[n].load(std::memory_order_relaxed); }
    void NoBarrierSetNext(int n, Node* x) { next[n].store(x, std::memory_order_relaxed); }
    std::atomic<Node*> next[1];  // really `height` long (allocated past the struct)
  };

  Node* NewNode(const char* entry, int height, size_t extra = 0) {
    char* mem = arena_->AllocateAligned(sizeof(Node) + sizeof(std::atomic<Node*>) * (height - 1) + extra);
    Node* n = new (mem) Node;
    n->entry = entry;
    for (int i = 0; i < height; i++) new (&n->next[i]) std::atomic<Node*>(nullptr);
    return n;
  }

  int RandomHeight() {
    int h = 1;
    while (h < kMaxHeight && (rng_() & 3) == 0) h++;  // branching factor 4
    return h;
  }

  Node* FindGreaterOrEqual(const char* key, Node** prev) const {
    Node* x = head_;
    int level = max_height_.load(std::memory_order_relaxed) - 1;
    while (true) {
      Node* next = x->Next(level);
      if (next != nullptr && cmp_(next->entry, key) < 0) {
        x = next;
      } else {
        if (prev) prev[level] = x;
        if (level == 0) return next;
        level--;
      }
    }
  }

  Node* FindLessThan(const char* key) const {
    Node* x = head_;
    int level = max_height_.load(std::memory_order_relaxed) - 1;
    while (true) {
      Node* next = x->Next(level);
      if (next != nullptr && cmp_(next->entry, key) < 0) {
        x = next;
      } else if (level == 0) {
        return x;
      } else {
        level--;
      }
    }
  }

  Node* FindLast() const {
    Node* x = head_;
    int level = max_height_.load(std::memory_order_relaxed) - 1;
    while (true) {
      Node* next = x->Next(level);
      if (next != nullptr) {
        x = next;
      } else if (level == 0) {
        return x;
      } else {
        level--;
      }
    }
  }

  Compare cmp_;
  Arena* arena_;
  Node* head_;
  std::atomic<int> max_height_{1};
  Node* pending_ = nullptr;  // allocated, not yet inserted
  int pending_height_ = 0;
  std::minstd_rand rng_{0xdecaf};  // heights only shape speed, never results
};

}  // namespace strata::storage::lsm
