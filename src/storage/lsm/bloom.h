// Bloom filter over user keys, one per SST file.
//
// With b bits per key the false-positive rate is minimised by k = b * ln 2 probes (rounded,
// clamped to 1..30). Probes use double hashing over one 64-bit XXH3 hash (Kirsch &
// Mitzenmacher): h1 + i*h2. Layout: bit array | k (1 byte).
#pragma once

#include <cstdint>
#include <vector>

#include "common/slice.h"

namespace strata::storage::lsm {

int OptimalProbes(int bits_per_key);

class BloomBuilder {
 public:
  explicit BloomBuilder(int bits_per_key) : bits_per_key_(bits_per_key) {}
  void AddKey(Slice user_key);
  // The filter for every key added; empty when no key was added.
  Bytes Finish();

 private:
  int bits_per_key_;
  std::vector<uint64_t> hashes_;
};

// True when the key may be in the set; false means certainly absent. A malformed filter
// answers true (never hide data because of a bad filter).
bool BloomMayContain(Slice filter, Slice user_key);

}  // namespace strata::storage::lsm
