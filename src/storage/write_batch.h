// WriteBatch: an ordered list of puts, deletes and range deletes applied atomically, plus
// the Raft index the batch applies (DESIGN D1).
//
// Serialized form (also the form a batch travels in inside a Raft entry):
//   applied_index fixed64 | count fixed32 | records...
//   record := kPut varstring(key) varstring(value)
//           | kDelete varstring(key)
//           | kDeleteRange varstring(begin) varstring(end)     // deletes [begin, end)
#pragma once

#include <cstdint>

#include "common/slice.h"
#include "common/status.h"

namespace strata::storage {

enum class BatchOp : uint8_t { kPut = 1, kDelete = 2, kDeleteRange = 3 };

class WriteBatch {
 public:
  WriteBatch();

  void Put(Slice key, Slice value);
  // Put(key, value_head + value_tail) without building the joined value first.
  void Put(Slice key, Slice value_head, Slice value_tail);
  void Delete(Slice key);
  void DeleteRange(Slice begin, Slice end);  // REQUIRES: begin < end
  void SetAppliedIndex(uint64_t index);
  void Clear();

  uint64_t applied_index() const;
  uint32_t count() const;
  bool empty() const { return count() == 0; }
  size_t ByteSize() const { return rep_.size(); }
  Slice rep() const { return rep_; }

  // Rebuilds a batch from rep(); Corruption when malformed.
  static Result<WriteBatch> FromRep(Slice rep);

  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void Put(Slice key, Slice value) = 0;
    virtual void Delete(Slice key) = 0;
    virtual void DeleteRange(Slice begin, Slice end) = 0;
  };
  // Calls the handler for each record in order.
  Status Iterate(Handler* handler) const;

 private:
  static constexpr size_t kHeader = 12;
  Bytes rep_;
};

}  // namespace strata::storage
