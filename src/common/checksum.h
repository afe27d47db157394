// Checksums for every on-disk and on-wire record (DESIGN §4): XXH3, 64-bit.
// Formats that store 32 bits keep the low half of the 64-bit hash.
#pragma once

#include <cstdint>

#include "common/slice.h"

namespace strata {

uint64_t Checksum64(Slice data);
inline uint32_t Checksum32(Slice data) { return static_cast<uint32_t>(Checksum64(data)); }

// Incremental form for data that arrives in pieces; equals Checksum64 of the concatenation.
class ChecksumBuilder {
 public:
  ChecksumBuilder();
  ~ChecksumBuilder();
  ChecksumBuilder(const ChecksumBuilder&) = delete;
  ChecksumBuilder& operator=(const ChecksumBuilder&) = delete;

  void Update(Slice data);
  uint64_t Digest() const;

 private:
  void* state_;  // XXH3_state_t, kept out of this header
};

}  // namespace strata
