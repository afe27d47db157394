// Fixed-width and variable-length integer coding.
//
// Fixed-width little-endian is used inside records (cheap to decode on x86); big-endian
// is used where byte order must equal numeric order (keys; see key_encoding.h). Varints
// are LEB128: 7 bits a byte, low bits first, high bit set on all but the last byte.
//
// Decoders take a Slice* and advance it past what they consumed; they return false on
// truncated or over-long input and never read past the slice.
#pragma once

#include <cstdint>
#include <cstring>

#include "common/slice.h"

namespace strata {

constexpr size_t kMaxVarint32Bytes = 5;
constexpr size_t kMaxVarint64Bytes = 10;

void PutFixed16(Bytes* dst, uint16_t v);
void PutFixed32(Bytes* dst, uint32_t v);
void PutFixed64(Bytes* dst, uint64_t v);
void PutBigEndian32(Bytes* dst, uint32_t v);
void PutBigEndian64(Bytes* dst, uint64_t v);
void PutVarint32(Bytes* dst, uint32_t v);
void PutVarint64(Bytes* dst, uint64_t v);
// A varint length followed by the bytes.
void PutLengthPrefixed(Bytes* dst, Slice value);

// Writes a varint into buf (at least kMaxVarint64Bytes long); returns bytes written.
size_t EncodeVarint64(char* buf, uint64_t v);
size_t VarintLength(uint64_t v);

inline uint16_t DecodeFixed16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;  // the project targets little-endian hosts only (checked in coding.cc)
}
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
uint32_t DecodeBigEndian32(const char* p);
uint64_t DecodeBigEndian64(const char* p);

bool GetFixed32(Slice* in, uint32_t* v);
bool GetFixed64(Slice* in, uint64_t* v);
bool GetVarint32(Slice* in, uint32_t* v);
bool GetVarint64(Slice* in, uint64_t* v);
bool GetLengthPrefixed(Slice* in, Slice* value);

}  // namespace strata
