// Internal keys: what the LSM stores for each user key.
//
//   internal_key := user_key | trailer (fixed64, little-endian) = (sequence << 8) | type
//
// Internal keys order by user key ascending, then by sequence DESCENDING, so the newest
// version of a key is met first. A read at snapshot S looks for the first entry of the key
// with sequence <= S. Sequences are the engine's own write counter (one per record), not
// Raft indices; the Raft applied index is tracked beside them (see lsm_engine.h).
#pragma once

#include <cstdint>

#include "common/coding.h"
#include "common/slice.h"

namespace strata::storage::lsm {

using SequenceNumber = uint64_t;
constexpr SequenceNumber kMaxSequence = (uint64_t{1} << 56) - 1;

enum class ValueType : uint8_t { kDeletion = 0, kValue = 1 };
// Seeking for (user_key, kMaxSequence, kValueForSeek) lands on the newest entry of user_key.
constexpr ValueType kValueForSeek = ValueType::kValue;

inline uint64_t PackTrailer(SequenceNumber seq, ValueType t) {
  return (seq << 8) | static_cast<uint8_t>(t);
}

inline void AppendInternalKey(Bytes* out, Slice user_key, SequenceNumber seq, ValueType t) {
  out->append(user_key);
  PutFixed64(out, PackTrailer(seq, t));
}

inline Bytes MakeInternalKey(Slice user_key, SequenceNumber seq, ValueType t) {
  Bytes out;
  AppendInternalKey(&out, user_key, seq, t);
  return out;
}

// REQUIRES: internal_key.size() >= 8 (callers validate keys read from disk first).
inline Slice ExtractUserKey(Slice internal_key) { return internal_key.substr(0, internal_key.size() - 8); }
inline uint64_t ExtractTrailer(Slice internal_key) {
  return DecodeFixed64(internal_key.data() + internal_key.size() - 8);
}
inline SequenceNumber ExtractSequence(Slice ik) { return ExtractTrailer(ik) >> 8; }
inline ValueType ExtractType(Slice ik) { return static_cast<ValueType>(ExtractTrailer(ik) & 0xff); }

inline bool IsValidInternalKey(Slice ik) {
  return ik.size() >= 8 && (ExtractTrailer(ik) & 0xff) <= static_cast<uint8_t>(ValueType::kValue);
}

// Orders internal keys: user key ascending, then trailer descending.
inline int CompareInternalKeys(Slice a, Slice b) {
  int r = ExtractUserKey(a).compare(ExtractUserKey(b));
  if (r != 0) return r;
  uint64_t ta = ExtractTrailer(a), tb = ExtractTrailer(b);
  return ta > tb ? -1 : (ta < tb ? 1 : 0);
}

struct InternalKeyLess {
  bool operator()(Slice a, Slice b) const { return CompareInternalKeys(a, b) < 0; }
};

// A range tombstone: deletes user keys in [begin, end) written with a sequence < seq.
struct RangeTombstone {
  Bytes begin;
  Bytes end;
  SequenceNumber seq;
};

}  // namespace strata::storage::lsm
