// WriteSet: what a committing transaction proposes through Raft (DESIGN D4).
//
//   write_set := version (1 byte) | start_index varint | count varint | write*
//   write     := kind (1 byte: 1 put, 2 delete) | lenprefixed key | [lenprefixed value]
//
// Every replica applies it identically (apply.h): if any written key has a version newer
// than start_index the transaction aborts; otherwise each write becomes a version at the
// index of the Raft entry that carries it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "common/slice.h"
#include "common/status.h"
#include "txn/mvcc.h"

namespace strata::txn {

struct WriteSet {
  LogIndex start_index = 0;  // the snapshot the transaction read at
  // Sorted by key (deterministic encoding); nullopt = delete.
  std::map<Bytes, std::optional<Bytes>> writes;

  Bytes Encode() const;
  static Result<WriteSet> Decode(Slice in);
};

}  // namespace strata::txn
