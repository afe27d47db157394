// Order-preserving ("memcomparable") key encoding (DESIGN §5).
//
// A key is a sequence of components. Encoding each component with KeyEncoder makes the
// bytewise order of the encoded keys equal the order of the value tuples, so storage
// engines can compare keys with memcmp and never know about types.
//
// Component format (ascending order):
//   NULL          0x01                                  (sorts first, as in MySQL)
//   int64         0x02 + 8 bytes big-endian of (v XOR 2^63)
//   uint64        0x02 + 8 bytes big-endian
//   double        0x02 + 8 bytes: sign bit flipped for v >= 0, all bits flipped for v < 0;
//                 -0.0 encodes as 0.0 and every NaN as one NaN that sorts after +inf
//   bytes         0x02 + bytes with each 0x00 written as 0x00 0xff, then 0x00 0x01
// Descending order writes the bitwise complement of every byte of the component.
//
// The escaping of byte strings keeps a prefix ("ab") sorting before its extensions
// ("ab\0", "abc") while letting later components follow without a length prefix.
#pragma once

#include <cstdint>
#include <optional>

#include "common/slice.h"
#include "common/status.h"

namespace strata {

enum class SortOrder : uint8_t { kAscending, kDescending };

class KeyEncoder {
 public:
  explicit KeyEncoder(Bytes* out) : out_(out) {}

  void PutNull(SortOrder order = SortOrder::kAscending);
  void PutInt64(int64_t v, SortOrder order = SortOrder::kAscending);
  void PutUint64(uint64_t v, SortOrder order = SortOrder::kAscending);
  void PutDouble(double v, SortOrder order = SortOrder::kAscending);
  void PutBytes(Slice v, SortOrder order = SortOrder::kAscending);

 private:
  void FlipFrom(size_t start, SortOrder order);
  Bytes* out_;
};

// Reads components back in the order they were written. Each getter returns nullopt for a
// NULL component and Corruption for malformed input; the decoder never reads past its input.
class KeyDecoder {
 public:
  explicit KeyDecoder(Slice in) : in_(in) {}

  Result<std::optional<int64_t>> GetInt64(SortOrder order = SortOrder::kAscending);
  Result<std::optional<uint64_t>> GetUint64(SortOrder order = SortOrder::kAscending);
  Result<std::optional<double>> GetDouble(SortOrder order = SortOrder::kAscending);
  Result<std::optional<Bytes>> GetBytes(SortOrder order = SortOrder::kAscending);

  bool done() const { return in_.empty(); }
  Slice remaining() const { return in_; }

 private:
  // Reads the tag; returns true for a value, false for NULL.
  Result<bool> GetTag(SortOrder order);
  Result<uint64_t> GetWord(SortOrder order);
  Slice in_;
};

}  // namespace strata
