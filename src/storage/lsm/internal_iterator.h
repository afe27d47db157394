// Iterators over internal keys (memtables, SST files, merges of them). Every version of a
// key is visible here; the engine's user-facing iterator (db_iterator.cc) collapses versions
// and hides deletions.
#pragma once

#include "common/slice.h"
#include "common/status.h"

namespace strata::storage::lsm {

class InternalIterator {
 public:
  virtual ~InternalIterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual void Seek(Slice internal_target) = 0;  // first entry >= target
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual Slice key() const = 0;  // internal key
  virtual Slice value() const = 0;
  virtual Status status() const = 0;
};

}  // namespace strata::storage::lsm
