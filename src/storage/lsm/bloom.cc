#include "storage/lsm/bloom.h"

#include <algorithm>
#include <cmath>

#include "common/checksum.h"

namespace strata::storage::lsm {
namespace {

inline void Probe(uint64_t hash, uint64_t i, uint64_t nbits, uint64_t* bit) {
  uint32_t h1 = static_cast<uint32_t>(hash);
  uint32_t h2 = static_cast<uint32_t>(hash >> 32) | 1;
  *bit = (h1 + i * h2) % nbits;
}

}  // namespace

int OptimalProbes(int bits_per_key) {
  int k = static_cast<int>(std::lround(bits_per_key * 0.6931471805599453));
  return std::clamp(k, 1, 30);
}

void BloomBuilder::AddKey(Slice user_key) { hashes_.push_back(Checksum64(user_key)); }

Bytes BloomBuilder::Finish() {
  if (hashes_.empty()) return {};
  uint64_t nbits = std::max<uint64_t>(64, hashes_.size() * bits_per_key_);
  uint64_t nbytes = (nbits + 7) / 8;
  nbits = nbytes * 8;
  int k = OptimalProbes(bits_per_key_);
  Bytes filter(nbytes, '\0');
  for (uint64_t h : hashes_) {
    for (int i = 0; i < k; i++) {
      uint64_t bit;
      Probe(h, i, nbits, &bit);
      filter[bit / 8] = static_cast<char>(filter[bit / 8] | (1 << (bit % 8)));
    }
  }
  filter.push_back(static_cast<char>(k));
  hashes_.clear();
  return filter;
}

bool BloomMayContain(Slice filter, Slice user_key) {
  if (filter.size() < 2) return true;
  int k = static_cast<uint8_t>(filter.back());
  if (k < 1 || k > 30) return true;
  uint64_t nbits = (filter.size() - 1) * 8;
  uint64_t h = Checksum64(user_key);
  for (int i = 0; i < k; i++) {
    uint64_t bit;
    Probe(h, i, nbits, &bit);
    if ((filter[bit / 8] & (1 << (bit % 8))) == 0) return false;
  }
  return true;
}

}  // namespace strata::storage::lsm
