// WriteSet: what a committing transaction proposes through Raft (DESIGN D4).
//
//   write_set := version (1 byte) | start_index varint | count varint | entry*
//   entry     := kind (1 byte: 1 put, 2 delete, 3 unchanged) | lenprefixed key
//                | [lenprefixed value, for a put]
//              | kind 4 (base) | lenprefixed key | base varint
//              | kind 5 (unchanged range) | lenprefixed begin | lenprefixed end | base varint
// (version 2 when a base or range is present, else 1: what older nodes wrote decodes the same).
//
// Every replica applies it identically (apply.h): if any written or `unchanged` key has a
// version newer than its base — start_index, or the key's entry in `bases` — the transaction
// aborts; otherwise each write becomes a version at the index of the Raft entry that carries
// it. A key gets a base above start_index when the transaction read it at that later index
// under a row lock (lock_manager.h): it was written from that version, not from the
// snapshot's, so only a version newer than the one it read is a lost update. An `unchanged` key is read, never
// written: the transaction depends on it staying as its snapshot saw it (the SQL layer
// names the catalog entry of every table it writes rows of, so rows never land under a
// table that was dropped, truncated or altered after the transaction began).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "common/slice.h"
#include "common/status.h"
#include "txn/mvcc.h"

namespace strata::txn {

struct WriteSet {
  LogIndex start_index = 0;  // the snapshot the transaction read at
  // Sorted by key (deterministic encoding); nullopt = delete.
  std::map<Bytes, std::optional<Bytes>> writes;
  std::set<Bytes> unchanged;  // keys that must have no version newer than start_index
  // Written keys whose conflict check starts at a later index than start_index.
  std::map<Bytes, LogIndex> bases;
  // Key ranges [begin, end) that must have no version newer than `base` (a uniqueness
  // check read the range at `base`: nobody may have claimed the value since).
  struct Range {
    Bytes begin, end;
    LogIndex base = 0;
  };
  std::vector<Range> unchanged_ranges;

  // The index after which a version of written key `key` is a conflict.
  LogIndex BaseOf(const Bytes& key) const {
    auto it = bases.find(key);
    return it == bases.end() ? start_index : std::max(start_index, it->second);
  }

  // `prefix` (a Raft command's tag), then the write set, in one buffer.
  Bytes Encode(Slice prefix = {}) const;
  static Result<WriteSet> Decode(Slice in);
};

}  // namespace strata::txn
