// Merges sorted internal iterators (memtables, L0 files, one iterator per deeper level) into
// one sorted stream. Ties cannot happen: every entry has a unique sequence number.
#pragma once

#include <memory>
#include <vector>

#include "storage/lsm/internal_iterator.h"

namespace strata::storage::lsm {

std::unique_ptr<InternalIterator> NewMergingIterator(std::vector<std::unique_ptr<InternalIterator>> children);

}  // namespace strata::storage::lsm
