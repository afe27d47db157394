#include "storage/lsm/version.h"

#include "common/coding.h"

namespace strata::storage::lsm {
namespace {

enum Tag : uint32_t {
  kNextFile = 1,
  kLastSequence = 2,
  kAppliedIndex = 3,
  kAddFile = 4,
  kDeleteFile = 5,
  kAddTombstone = 6,
};

}  // namespace

Bytes VersionEdit::Encode() const {
  Bytes out;
  if (next_file_number) {
    PutVarint32(&out, kNextFile);
    PutVarint64(&out, *next_file_number);
  }
  if (last_sequence) {
    PutVarint32(&out, kLastSequence);
    PutVarint64(&out, *last_sequence);
  }
  if (persisted_applied_index) {
    PutVarint32(&out, kAppliedIndex);
    PutVarint64(&out, *persisted_applied_index);
  }
  for (const auto& [level, f] : added) {
    PutVarint32(&out, kAddFile);
    PutVarint32(&out, level);
    PutVarint64(&out, f.number);
    PutVarint64(&out, f.size);
    PutVarint64(&out, f.entries);
    PutLengthPrefixed(&out, f.smallest);
    PutLengthPrefixed(&out, f.largest);
  }
  for (const auto& [level, number] : deleted) {
    PutVarint32(&out, kDeleteFile);
    PutVarint32(&out, level);
    PutVarint64(&out, number);
  }
  for (const auto& t : added_tombstones) {
    PutVarint32(&out, kAddTombstone);
    PutLengthPrefixed(&out, t.begin);
    PutLengthPrefixed(&out, t.end);
    PutVarint64(&out, t.seq);
  }
  return out;
}

Result<VersionEdit> VersionEdit::Decode(Slice in) {
  VersionEdit e;
  auto bad = [] { return Status::Corruption("MANIFEST: malformed version edit"); };
  while (!in.empty()) {
    uint32_t tag, level;
    uint64_t v;
    if (!GetVarint32(&in, &tag)) return bad();
    switch (tag) {
      case kNextFile:
        if (!GetVarint64(&in, &v)) return bad();
        e.next_file_number = v;
        break;
      case kLastSequence:
        if (!GetVarint64(&in, &v)) return bad();
        e.last_sequence = v;
        break;
      case kAppliedIndex:
        if (!GetVarint64(&in, &v)) return bad();
        e.persisted_applied_index = v;
        break;
      case kAddFile: {
        FileMeta f;
        Slice smallest, largest;
        if (!GetVarint32(&in, &level) || level >= kNumLevels || !GetVarint64(&in, &f.number) ||
            !GetVarint64(&in, &f.size) || !GetVarint64(&in, &f.entries) ||
            !GetLengthPrefixed(&in, &smallest) || !GetLengthPrefixed(&in, &largest) ||
            !IsValidInternalKey(smallest) || !IsValidInternalKey(largest)) {
          return bad();
        }
        f.smallest.assign(smallest);
        f.largest.assign(largest);
        e.added.emplace_back(static_cast<int>(level), std::move(f));
        break;
      }
      case kDeleteFile:
        if (!GetVarint32(&in, &level) || level >= kNumLevels || !GetVarint64(&in, &v)) return bad();
        e.deleted.emplace_back(static_cast<int>(level), v);
        break;
      case kAddTombstone: {
        Slice b, en;
        RangeTombstone t;
        if (!GetLengthPrefixed(&in, &b) || !GetLengthPrefixed(&in, &en) || !GetVarint64(&in, &t.seq)) {
          return bad();
        }
        t.begin.assign(b);
        t.end.assign(en);
        e.added_tombstones.push_back(std::move(t));
        break;
      }
      default:
        return bad();
    }
  }
  return e;
}

uint64_t Version::LevelBytes(int level) const {
  uint64_t total = 0;
  for (const auto& f : levels[level]) total += f->size;
  return total;
}

std::vector<FileRef> Version::Overlapping(int level, Slice begin, Slice end) const {
  std::vector<FileRef> out;
  for (const auto& f : levels[level]) {
    if (f->Overlaps(begin, end)) out.push_back(f);
  }
  return out;
}

}  // namespace strata::storage::lsm
