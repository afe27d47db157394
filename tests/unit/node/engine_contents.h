// Test helper: every key and value of an engine, in order (comparing replicas, snapshots).
#pragma once

#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "storage/engine.h"

namespace strata::node::testing {

inline std::vector<std::pair<Bytes, Bytes>> Contents(storage::Engine& engine) {
  std::vector<std::pair<Bytes, Bytes>> out;
  auto it = engine.NewIterator({});
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(Bytes(it->key()), Bytes(it->value()));
  EXPECT_TRUE(it->status().ok());
  return out;
}

}  // namespace strata::node::testing
