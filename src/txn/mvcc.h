// MVCC on top of storage::Engine (DESIGN D4). Every write of a committed transaction becomes
// a version of its key, stamped with the Raft index of the entry that committed it:
//
//   engine key   := escape(user_key) 0x00 0x01 | ~commit_index (fixed64, big-endian)
//   engine value := 0x01 value   (a live version)
//                 | 0x00         (a deletion, kept until garbage collection)
//
// Escaping (each 0x00 byte of the user key written as 0x00 0xff) and the 0x00 0x01
// terminator keep all versions of a key together and ordered before any longer key that
// starts with it; the inverted index puts the newest version first, so a read at snapshot
// S seeks to (key, S) and takes the first version it finds.
//
// Engine keys that start with 0x00 0x02 hold the transaction layer's own metadata (the
// applied GC horizon, apply.h). They can never be MVCC keys — in an escaped user key a
// 0x00 byte is always followed by 0xff or 0x01 — and they sort after the versions of the
// empty user key and before every other key.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "common/slice.h"
#include "common/status.h"
#include "storage/engine.h"

namespace strata::txn {

using LogIndex = uint64_t;  // a Raft index: the version of everything it committed

Bytes EncodeVersionedKey(Slice user_key, LogIndex version);
// Splits an engine key; Corruption if it is not one.
Status DecodeVersionedKey(Slice engine_key, Bytes* user_key, LogIndex* version);
// The engine-key prefix shared by all versions of user_key.
Bytes VersionPrefix(Slice user_key);

// Metadata keys (see the top of this file).
inline constexpr std::string_view kMetaKeyPrefix{"\x00\x02", 2};
inline bool IsMetaKey(Slice engine_key) { return engine_key.starts_with(kMetaKeyPrefix); }
// Where the applied GC horizon is kept: value = fixed64 big-endian.
Bytes GcHorizonKey();

// The newest version of `user_key` at or below `snapshot`: nullopt when the key has no
// such version or it is a deletion.
Result<std::optional<Bytes>> ReadAt(storage::Engine& engine, Slice user_key, LogIndex snapshot);

// A value read in place: the engine's bytes, valid while this lives (it holds the iterator
// that found them, and so the memtable or block they lie in), or bytes of its own.
class PinnedValue {
 public:
  PinnedValue(std::unique_ptr<storage::Iterator> it, Slice value) : it_(std::move(it)), value_(value) {}
  explicit PinnedValue(Bytes owned) : owned_(std::move(owned)), value_(owned_) {}
  PinnedValue(PinnedValue&& other) noexcept
      : it_(std::move(other.it_)), owned_(std::move(other.owned_)), value_(it_ ? other.value_ : Slice(owned_)) {}
  PinnedValue& operator=(PinnedValue&&) = delete;
  PinnedValue(const PinnedValue&) = delete;

  Slice value() const { return value_; }

 private:
  std::unique_ptr<storage::Iterator> it_;
  Bytes owned_;
  Slice value_;
};
// ReadAt without copying the value out of the engine.
Result<std::optional<PinnedValue>> ReadAtPinned(storage::Engine& engine, Slice user_key, LogIndex snapshot);
// The index of the newest version of `user_key` (live or deletion), 0 when none.
Result<LogIndex> LatestVersion(storage::Engine& engine, Slice user_key);
// The same among versions older than `before` (conflict checks of the entry at `before`:
// after a crash, an engine may already hold versions of entries being replayed,
// storage/routed_engine.h).
Result<LogIndex> LatestVersionBefore(storage::Engine& engine, Slice user_key, LogIndex before);

// Whether any user key in [begin, end) has a version (live or deletion) newer than `after`
// and older than `before` (0: no upper limit).
Result<bool> HasVersionAfter(storage::Engine& engine, Slice begin, Slice end, LogIndex after,
                             LogIndex before = 0);

struct KeyValue {
  Bytes key;
  Bytes value;
};
// Live keys in [begin, end) (end empty: unbounded) as of `snapshot`, at most `limit`.
Result<std::vector<KeyValue>> ScanAt(storage::Engine& engine, Slice begin, Slice end,
                                     LogIndex snapshot, size_t limit);

// The largest user key in [begin, end) with any version (live or deleted), ignoring
// snapshots: used to seed counters (auto-increment) above every key ever written.
Result<std::optional<Bytes>> LastUserKeyIn(storage::Engine& engine, Slice begin, Slice end);

}  // namespace strata::txn
