#include "common/checksum.h"

#include <xxhash.h>

#include "common/check.h"

namespace strata {

uint64_t Checksum64(Slice data) { return XXH3_64bits(data.data(), data.size()); }

ChecksumBuilder::ChecksumBuilder() : state_(XXH3_createState()) {
  STRATA_CHECK(state_ != nullptr);
  XXH3_64bits_reset(static_cast<XXH3_state_t*>(state_));
}

ChecksumBuilder::~ChecksumBuilder() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

void ChecksumBuilder::Update(Slice data) {
  XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), data.data(), data.size());
}

uint64_t ChecksumBuilder::Digest() const {
  return XXH3_64bits_digest(static_cast<const XXH3_state_t*>(state_));
}

}  // namespace strata
