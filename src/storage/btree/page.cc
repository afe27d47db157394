#include "storage/btree/page.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "common/check.h"
#include "common/checksum.h"

namespace strata::storage::btree {

namespace {

void Put16(char* p, uint16_t v) { std::memcpy(p, &v, 2); }
void Put32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }
void Put64(char* p, uint64_t v) { std::memcpy(p, &v, 8); }

// Cell lengths are below 2^14 (cells fit a page): one or two varint bytes, decoded inline
// here; this is the inner loop of every binary search.
inline bool DecodeLength(const char** p, const char* limit, uint32_t* v) {
  const auto* b = reinterpret_cast<const uint8_t*>(*p);
  if (*p < limit && b[0] < 0x80) {
    *v = b[0];
    *p += 1;
    return true;
  }
  if (*p + 1 < limit && b[1] < 0x80) {
    *v = (b[0] & 0x7fu) | (static_cast<uint32_t>(b[1]) << 7);
    *p += 2;
    return true;
  }
  return false;  // longer varints never describe a cell inside a page
}

// Parses the cell at `offset`; false when it does not lie inside the page.
bool ParseCell(const char* page, size_t offset, CellRef* out) {
  const char* p = page + offset;
  const char* limit = page + kPageSize;
  uint32_t key_len = 0, payload_len = 0;
  if (!DecodeLength(&p, limit, &key_len) || !DecodeLength(&p, limit, &payload_len)) return false;
  if (static_cast<uint64_t>(key_len) + payload_len > static_cast<uint64_t>(limit - p)) return false;
  out->key = Slice(p, key_len);
  out->payload = Slice(p + key_len, payload_len);
  return true;
}

}  // namespace

void SetHeaderPageId(char* p, PageId id) { Put32(p + 8, id); }
void SetHeaderCount(char* p, uint16_t count) { Put16(p + 14, count); }
void SetHeaderEpoch(char* p, uint64_t epoch) { Put64(p + 16, epoch); }
void SetHeaderLink(char* p, PageId link) { Put32(p + 24, link); }

void InitPage(char* p, PageId id, PageType type, uint8_t level, uint64_t epoch) {
  std::memset(p, 0, kPageSize);
  SetHeaderPageId(p, id);
  p[12] = static_cast<char>(type);
  p[13] = static_cast<char>(level);
  SetHeaderEpoch(p, epoch);
  Put16(p + 28, static_cast<uint16_t>(kPageSize));
}

void SealPage(char* p) { Put64(p, Checksum64(Slice(p + 8, kPageSize - 8))); }

Status VerifyPage(const char* p, PageId expected) {
  uint64_t stored = DecodeFixed64(p);
  uint64_t actual = Checksum64(Slice(p + 8, kPageSize - 8));
  if (stored != actual) {
    return Status::Corruption(fmt::format("btree page {} at offset {}: checksum mismatch", expected,
                                          static_cast<uint64_t>(expected) * kPageSize));
  }
  if (HeaderPageId(p) != expected) {
    return Status::Corruption(fmt::format("btree page {} holds page {}", expected, HeaderPageId(p)));
  }
  return Status::OK();
}

Status ValidateNodePage(const char* p) {
  auto bad = [&](const char* what) {
    return Status::Corruption(fmt::format("btree page {}: {}", HeaderPageId(p), what));
  };
  PageType type = HeaderType(p);
  if (type != PageType::kLeaf && type != PageType::kBranch) return bad("not a tree page");
  if ((type == PageType::kLeaf) != (HeaderLevel(p) == 0)) return bad("level does not match type");
  size_t count = HeaderCount(p);
  size_t upper = DecodeFixed16(p + 28), frag = DecodeFixed16(p + 30);
  if (upper < kPageHeaderSize + 2 * count || upper > kPageSize || frag > kPageSize - upper) {
    return bad("bad slot area");
  }
  Slice previous;
  for (size_t i = 0; i < count; i++) {
    size_t offset = DecodeFixed16(p + kPageHeaderSize + 2 * i);
    CellRef c;
    if (offset < upper || offset >= kPageSize || !ParseCell(p, offset, &c)) return bad("cell outside the page");
    if (i > 0 && c.key <= previous) return bad("keys out of order");
    previous = c.key;
    if (type == PageType::kBranch && c.payload.size() != 4) return bad("bad child pointer");
    if (type == PageType::kLeaf) {
      LeafValue v;
      if (!DecodeLeafValue(c.payload, &v).ok()) return bad("bad value");
    }
  }
  return Status::OK();
}

CellRef NodePage::Cell(int i) const {
  CellRef c;
  bool ok = ParseCell(p_, SlotAt(i), &c);
  STRATA_CHECK_MSG(ok, "btree cell outside its page (pages are validated when read)");
  return c;
}

// The binary search below touches about log2(count) slots and cells, each usually a cache
// miss of its own. Asking for the whole slot array and the first probes' cells at once lets
// those misses overlap instead of queueing one after another.
void NodePage::PrefetchForSearch() const {
  const char* slots = p_ + kPageHeaderSize;
  size_t bytes = 2 * static_cast<size_t>(count());
  for (size_t at = 0; at < bytes; at += 64) __builtin_prefetch(slots + at);
  int n = count();
  if (n >= 4) {
    __builtin_prefetch(p_ + SlotAt(n / 2));
    __builtin_prefetch(p_ + SlotAt(n / 4));
    __builtin_prefetch(p_ + SlotAt(n / 2 + n / 4));
  }
}

int NodePage::LowerBound(Slice key, bool* found) const {
  PrefetchForSearch();
  int lo = 0, hi = count();
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (KeyAt(mid) < key) lo = mid + 1;
    else hi = mid;
  }
  *found = lo < count() && KeyAt(lo) == key;
  return lo;
}

int NodePage::UpperBound(Slice key) const {
  PrefetchForSearch();
  int lo = 0, hi = count();
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (KeyAt(mid) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

PageId NodePage::ChildAt(int pos) const {
  if (pos == 0) return HeaderLink(p_);
  return DecodeFixed32(PayloadAt(pos - 1).data());
}

void NodePage::SetChildAt(int pos, PageId child) {
  if (pos == 0) {
    SetHeaderLink(p_, child);
    return;
  }
  Slice payload = PayloadAt(pos - 1);
  Put32(const_cast<char*>(payload.data()), child);
}

size_t NodePage::UsedBytes() const {
  return kPageHeaderSize + 2 * static_cast<size_t>(count()) + (kPageSize - upper() - frag());
}

void NodePage::set_upper(uint16_t v) { Put16(p_ + 28, v); }
void NodePage::set_frag(uint16_t v) { Put16(p_ + 30, v); }

bool NodePage::TryInsert(int i, const CellRef& cell) {
  STRATA_CHECK(i >= 0 && i <= count());
  size_t size = CellBytes(cell);
  size_t slots_end = kPageHeaderSize + 2 * static_cast<size_t>(count());
  size_t contiguous = upper() - slots_end;
  if (size + 2 > contiguous) {
    if (size + 2 > contiguous + frag()) return false;
    Compact();
  }
  size_t offset = upper() - size;
  char* out = p_ + offset;
  out += EncodeVarint64(out, cell.key.size());
  out += EncodeVarint64(out, cell.payload.size());
  std::memcpy(out, cell.key.data(), cell.key.size());
  std::memcpy(out + cell.key.size(), cell.payload.data(), cell.payload.size());
  set_upper(static_cast<uint16_t>(offset));
  char* slots = p_ + kPageHeaderSize;
  std::memmove(slots + 2 * (i + 1), slots + 2 * i, 2 * static_cast<size_t>(count() - i));
  Put16(slots + 2 * i, static_cast<uint16_t>(offset));
  SetHeaderCount(p_, static_cast<uint16_t>(count() + 1));
  return true;
}

void NodePage::Remove(int i) {
  STRATA_CHECK(i >= 0 && i < count());
  size_t size = CellBytes(Cell(i));
  if (SlotAt(i) == upper()) {
    set_upper(static_cast<uint16_t>(upper() + size));  // the lowest cell: no hole left
  } else {
    set_frag(static_cast<uint16_t>(frag() + size));
  }
  char* slots = p_ + kPageHeaderSize;
  std::memmove(slots + 2 * i, slots + 2 * (i + 1), 2 * static_cast<size_t>(count() - i - 1));
  SetHeaderCount(p_, static_cast<uint16_t>(count() - 1));
}

void NodePage::Compact() {
  alignas(8) char copy[kPageSize];
  std::memcpy(copy, p_, kPageSize);
  NodePage old(copy);
  std::vector<CellRef> cells;
  cells.reserve(old.count());
  for (int i = 0; i < old.count(); i++) cells.push_back(old.Cell(i));
  Rebuild(cells);
}

void NodePage::Rebuild(std::span<const CellRef> cells) {
  size_t offset = kPageSize;
  char* slots = p_ + kPageHeaderSize;
  for (size_t i = 0; i < cells.size(); i++) {
    const CellRef& c = cells[i];
    offset -= CellBytes(c);
    STRATA_CHECK_MSG(offset >= kPageHeaderSize + 2 * cells.size(), "btree page rebuilt past its size");
    char* out = p_ + offset;
    out += EncodeVarint64(out, c.key.size());
    out += EncodeVarint64(out, c.payload.size());
    std::memcpy(out, c.key.data(), c.key.size());
    std::memcpy(out + c.key.size(), c.payload.data(), c.payload.size());
    Put16(slots + 2 * i, static_cast<uint16_t>(offset));
  }
  // Clear what lies between the slots and the cells: no stale bytes reach the disk.
  size_t slots_end = kPageHeaderSize + 2 * cells.size();
  std::memset(p_ + slots_end, 0, offset - slots_end);
  SetHeaderCount(p_, static_cast<uint16_t>(cells.size()));
  set_upper(static_cast<uint16_t>(offset));
  set_frag(0);
}

void EncodeInlineValue(Bytes* out, Slice value) {
  out->push_back('\0');
  out->append(value);
}

void EncodeOverflowRef(Bytes* out, PageId first, uint64_t length) {
  out->push_back('\1');
  PutFixed32(out, first);
  PutFixed64(out, length);
}

Status DecodeLeafValue(Slice payload, LeafValue* out) {
  if (payload.empty()) return Status::Corruption("btree leaf value: empty payload");
  if (payload[0] == '\0') {
    out->overflow = false;
    out->inline_value = payload.substr(1);
    return Status::OK();
  }
  if (payload[0] != '\1' || payload.size() != 13) return Status::Corruption("btree leaf value: bad tag");
  out->overflow = true;
  out->first_page = DecodeFixed32(payload.data() + 1);
  out->length = DecodeFixed64(payload.data() + 5);
  if (out->first_page < kFirstDataPage) return Status::Corruption("btree leaf value: bad overflow page");
  return Status::OK();
}

Bytes ShortestSeparator(Slice a, Slice b) {
  STRATA_CHECK(a < b);
  size_t i = 0;
  size_t n = std::min(a.size(), b.size());
  while (i < n && a[i] == b[i]) i++;
  return Bytes(b.substr(0, i + 1));
}

}  // namespace strata::storage::btree
