// The B+tree's page format (docs/btree_format.md): fixed 16 KiB pages, each with a 32-byte
// header whose first 8 bytes are an XXH3 checksum of the rest of the page.
//
//   0  checksum fixed64   XXH3-64 of bytes [8, 16384)
//   8  page id  fixed32   the page's own number: a page read from the wrong place fails
//  12  type     u8        PageType
//  13  level    u8        0 for leaves, height above the leaves for branches
//  14  count    fixed16   cells (leaf, branch) / data bytes (overflow) / ids (free list)
//  16  epoch    fixed64   the write epoch that created this copy of the page (see tree.h)
//  24  link     fixed32   branch: leftmost child; overflow, free list: next page (0 = none)
//  28  upper    fixed16   start of the cell area (cells grow down from the page's end)
//  30  frag     fixed16   bytes of dead cells inside the cell area
//
// Leaf and branch pages are slotted: after the header, `count` fixed16 offsets of cells in
// key order; each cell is varint32 key length | varint32 payload length | key | payload.
// A branch cell's payload is the fixed32 child holding keys >= the cell's key (keys below
// the first cell go to `link`). A leaf cell's payload is 0x00 | value, or, for values too
// large to sit in the leaf, 0x01 | fixed32 first overflow page | fixed64 value length.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>

#include "common/coding.h"
#include "common/slice.h"
#include "common/status.h"

namespace strata::storage::btree {

using PageId = uint32_t;

inline constexpr size_t kPageSize = 16384;
inline constexpr size_t kPageHeaderSize = 32;
inline constexpr size_t kPageUsable = kPageSize - kPageHeaderSize;
// Pages 0 and 1 are the two meta slots; no tree page ever has those numbers, so 0 can
// also mean "no page" in links.
inline constexpr PageId kNoPage = 0;
inline constexpr PageId kFirstDataPage = 2;
// Every cell is at most this large (slot included), so a page always holds four cells and
// a split of a full page plus one cell always yields two pages that fit.
inline constexpr size_t kMaxCellSize = 4000;
// Larger keys are refused (InnoDB's limit for an index key is the same 3072 bytes).
inline constexpr size_t kMaxKeySize = 3072;
// A page below this many used bytes after a delete is merged with or refilled from a sibling.
inline constexpr size_t kMinFillBytes = kPageSize / 4;
inline constexpr size_t kOverflowDataBytes = kPageUsable;
inline constexpr size_t kFreeListEntries = kPageUsable / 4;

enum class PageType : uint8_t { kLeaf = 1, kBranch = 2, kOverflow = 3, kFreeList = 4 };

// Header field access on a raw page buffer.
inline PageId HeaderPageId(const char* p) { return DecodeFixed32(p + 8); }
inline PageType HeaderType(const char* p) { return static_cast<PageType>(static_cast<uint8_t>(p[12])); }
inline uint8_t HeaderLevel(const char* p) { return static_cast<uint8_t>(p[13]); }
inline uint16_t HeaderCount(const char* p) { return DecodeFixed16(p + 14); }
inline uint64_t HeaderEpoch(const char* p) { return DecodeFixed64(p + 16); }
inline PageId HeaderLink(const char* p) { return DecodeFixed32(p + 24); }
void SetHeaderPageId(char* p, PageId id);
void SetHeaderCount(char* p, uint16_t count);
void SetHeaderEpoch(char* p, uint64_t epoch);
void SetHeaderLink(char* p, PageId link);

// Zeroes the page and writes a fresh header (an empty node when type is leaf or branch).
void InitPage(char* p, PageId id, PageType type, uint8_t level, uint64_t epoch);

// Computes and stores the checksum. Done right before a page is written.
void SealPage(char* p);
// Checks checksum and page id of a page just read; Corruption names the page.
Status VerifyPage(const char* p, PageId expected);
// Checks that a leaf/branch page's slots and cells lie inside the page, so that reading it
// can never run off the buffer even if a bad page passed the checksum.
Status ValidateNodePage(const char* p);

// A cell as the tree code handles it: views into some page or buffer.
struct CellRef {
  Slice key;
  Slice payload;
};
inline size_t CellBytes(size_t key_len, size_t payload_len) {
  return VarintLength(key_len) + VarintLength(payload_len) + key_len + payload_len;
}
inline size_t CellBytes(const CellRef& c) { return CellBytes(c.key.size(), c.payload.size()); }

// A leaf or branch page viewed in place. Does not own the buffer.
class NodePage {
 public:
  explicit NodePage(char* data) : p_(data) {}
  char* data() const { return p_; }
  PageId id() const { return HeaderPageId(p_); }
  bool is_leaf() const { return HeaderType(p_) == PageType::kLeaf; }
  uint8_t level() const { return HeaderLevel(p_); }
  int count() const { return HeaderCount(p_); }

  Slice KeyAt(int i) const { return Cell(i).key; }
  Slice PayloadAt(int i) const { return Cell(i).payload; }
  CellRef Cell(int i) const;
  // First cell whose key is >= key (`*found` when equal) / > key.
  int LowerBound(Slice key, bool* found) const;
  int UpperBound(Slice key) const;

  // Branch children by position: 0 is `link`, i > 0 the child of cell i - 1.
  PageId ChildAt(int pos) const;
  void SetChildAt(int pos, PageId child);
  int ChildCount() const { return count() + 1; }

  // Bytes in use: header, slots and live cells.
  size_t UsedBytes() const;
  // Inserts a cell at index i if it fits (compacting dead space first when that helps).
  bool TryInsert(int i, const CellRef& cell);
  void Remove(int i);
  // Replaces all cells (which must not point into this page) and keeps the header.
  void Rebuild(std::span<const CellRef> cells);

 private:
  uint16_t upper() const { return DecodeFixed16(p_ + 28); }
  uint16_t frag() const { return DecodeFixed16(p_ + 30); }
  void set_upper(uint16_t v);
  void set_frag(uint16_t v);
  uint16_t SlotAt(int i) const { return DecodeFixed16(p_ + kPageHeaderSize + 2 * i); }
  void PrefetchForSearch() const;
  void Compact();
  char* p_;
};

// Leaf payloads.
struct LeafValue {
  bool overflow = false;
  Slice inline_value;       // when !overflow
  PageId first_page = kNoPage;  // when overflow
  uint64_t length = 0;          // when overflow
};
void EncodeInlineValue(Bytes* out, Slice value);
void EncodeOverflowRef(Bytes* out, PageId first, uint64_t length);
// Corruption when the payload is malformed.
Status DecodeLeafValue(Slice payload, LeafValue* out);
inline void EncodeChild(char out[4], PageId child) { std::memcpy(out, &child, 4); }
// Whether a value is stored inline with this key (else in overflow pages).
inline bool FitsInline(size_t key_len, size_t value_len) {
  return CellBytes(key_len, value_len + 1) + 2 <= kMaxCellSize;
}

// The shortest key s with a < s <= b. REQUIRES: a < b.
Bytes ShortestSeparator(Slice a, Slice b);

}  // namespace strata::storage::btree
