// Byte slices. A Slice is a non-owning view of bytes; Bytes owns them.
//
// std::string_view already is the right shape (pointer + length, cheap to copy, ordered by
// unsigned byte comparison through char_traits<char>::compare, which uses memcmp), so the
// project uses it directly instead of a hand-written twin. Keys compare bytewise.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

using Slice = std::string_view;
using Bytes = std::string;

inline Slice AsSlice(const uint8_t* data, size_t n) {
  return Slice(reinterpret_cast<const char*>(data), n);
}

// Bytewise three-way comparison: negative, zero or positive like memcmp.
inline int CompareBytes(Slice a, Slice b) { return a.compare(b); }

// The smallest key strictly greater than every key that starts with `prefix`, or empty
// when no such key exists (prefix is all 0xff). Used for range-scan upper bounds.
Bytes PrefixSuccessor(Slice prefix);

}  // namespace strata
