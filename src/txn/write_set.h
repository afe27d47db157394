// WriteSet: what a committing transaction proposes through Raft (DESIGN D4).
//
//   write_set := version (1 byte) | start_index varint | count varint | entry*
//   entry     := kind (1 byte: 1 put, 2 delete, 3 unchanged) | lenprefixed key
//                | [lenprefixed value, for a put]
//
// Every replica applies it identically (apply.h): if any written or `unchanged` key has a
// version newer than start_index the transaction aborts; otherwise each write becomes a
// version at the index of the Raft entry that carries it. An `unchanged` key is read, never
// written: the transaction depends on it staying as its snapshot saw it (the SQL layer
// names the catalog entry of every table it writes rows of, so rows never land under a
// table that was dropped, truncated or altered after the transaction began).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "common/slice.h"
#include "common/status.h"
#include "txn/mvcc.h"

namespace strata::txn {

struct WriteSet {
  LogIndex start_index = 0;  // the snapshot the transaction read at
  // Sorted by key (deterministic encoding); nullopt = delete.
  std::map<Bytes, std::optional<Bytes>> writes;
  std::set<Bytes> unchanged;  // keys that must have no version newer than start_index

  Bytes Encode() const;
  static Result<WriteSet> Decode(Slice in);
};

}  // namespace strata::txn
