// The B+tree's one file of 16 KiB pages, read and written through io::Scheduler, and its
// two meta slots (pages 0 and 1; docs/btree_format.md).
//
// A checkpoint writes its meta into slot `generation % 2`, so the previous checkpoint's
// meta is never overwritten by the one being written: a torn or lost meta write leaves
// the other slot, and the tree it names, intact. Open picks the valid slot with the
// highest generation.
//
// Thread-safety: all methods may be called from any thread; the file does no caching.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "io/io.h"
#include "storage/btree/page.h"

namespace strata::storage::btree {

// What a checkpoint records. Encoded into the first 4 KiB of a meta slot page.
struct Meta {
  uint64_t generation = 0;      // checkpoint counter; the slot is generation % 2
  uint64_t epoch = 0;           // the write epoch the checkpoint froze (tree.h)
  uint64_t prev_epoch = 0;      // the previous checkpoint's epoch (its pages are kept too)
  PageId root = kNoPage;
  uint32_t height = 1;          // 1: the root is a leaf
  uint64_t applied_index = 0;   // highest Raft index in this tree
  uint64_t page_count = 0;      // pages [0, page_count) belong to the file
  PageId free_list = kNoPage;   // first free-list page
  uint64_t free_count = 0;      // ids free at once after opening
  uint64_t held_count = 0;      // ids free once the next checkpoint is durable
};

class PageFile {
 public:
  static Result<std::unique_ptr<PageFile>> Open(io::Scheduler* scheduler, const std::string& path,
                                                bool direct);

  // Reads one page into `buf` (kPageSize bytes, 4 KiB aligned) and verifies it: Corruption
  // when the checksum or the page id does not match.
  Status Read(PageId id, char* buf, io::IoClass io_class);
  // Seals (checksums) each page and writes them, all in flight at once.
  Status Write(std::span<const std::pair<PageId, char*>> pages, io::IoClass io_class);
  Status Sync(io::IoClass io_class);
  Result<uint64_t> SizeInPages() const;

  // The newer valid meta of the two slots; Corruption when neither is valid, nullopt for
  // an empty file.
  Result<std::optional<Meta>> ReadMeta();
  Status WriteMeta(const Meta& meta, io::IoClass io_class);

  uint64_t pages_read() const { return pages_read_.load(std::memory_order_relaxed); }
  uint64_t pages_written() const { return pages_written_.load(std::memory_order_relaxed); }
  const std::string& path() const { return file_->path(); }

 private:
  PageFile(io::Scheduler* scheduler, std::unique_ptr<io::File> file)
      : scheduler_(scheduler), file_(std::move(file)) {}
  io::Scheduler* scheduler_;
  std::unique_ptr<io::File> file_;
  std::atomic<uint64_t> pages_read_{0}, pages_written_{0};
};

}  // namespace strata::storage::btree
