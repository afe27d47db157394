#include "common/coding.h"

#include <bit>

namespace strata {

static_assert(std::endian::native == std::endian::little,
              "fixed-width coding assumes a little-endian host");

void PutFixed16(Bytes* dst, uint16_t v) { dst->append(reinterpret_cast<const char*>(&v), 2); }
void PutFixed32(Bytes* dst, uint32_t v) { dst->append(reinterpret_cast<const char*>(&v), 4); }
void PutFixed64(Bytes* dst, uint64_t v) { dst->append(reinterpret_cast<const char*>(&v), 8); }

void PutBigEndian32(Bytes* dst, uint32_t v) {
  uint32_t be = __builtin_bswap32(v);
  dst->append(reinterpret_cast<const char*>(&be), 4);
}

void PutBigEndian64(Bytes* dst, uint64_t v) {
  uint64_t be = __builtin_bswap64(v);
  dst->append(reinterpret_cast<const char*>(&be), 8);
}

uint32_t DecodeBigEndian32(const char* p) { return __builtin_bswap32(DecodeFixed32(p)); }
uint64_t DecodeBigEndian64(const char* p) { return __builtin_bswap64(DecodeFixed64(p)); }

size_t EncodeVarint64(char* buf, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  return n;
}

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

void PutVarint32(Bytes* dst, uint32_t v) { PutVarint64(dst, v); }

void PutVarint64(Bytes* dst, uint64_t v) {
  char buf[kMaxVarint64Bytes];
  dst->append(buf, EncodeVarint64(buf, v));
}

void PutLengthPrefixed(Bytes* dst, Slice value) {
  PutVarint64(dst, value.size());
  dst->append(value);
}

bool GetFixed32(Slice* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = DecodeFixed32(in->data());
  in->remove_prefix(4);
  return true;
}

bool GetFixed64(Slice* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = DecodeFixed64(in->data());
  in->remove_prefix(8);
  return true;
}

bool GetVarint64(Slice* in, uint64_t* v) {
  uint64_t result = 0;
  for (size_t i = 0; i < kMaxVarint64Bytes && i < in->size(); i++) {
    auto byte = static_cast<uint8_t>((*in)[i]);
    // The tenth byte may carry only the top bit of a 64-bit value.
    if (i == kMaxVarint64Bytes - 1 && byte > 1) return false;
    result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *v = result;
      in->remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

bool GetVarint32(Slice* in, uint32_t* v) {
  Slice copy = *in;
  uint64_t wide;
  if (!GetVarint64(&copy, &wide) || wide > UINT32_MAX) return false;
  *v = static_cast<uint32_t>(wide);
  *in = copy;
  return true;
}

bool GetLengthPrefixed(Slice* in, Slice* value) {
  Slice copy = *in;
  uint64_t len;
  if (!GetVarint64(&copy, &len) || len > copy.size()) return false;
  *value = copy.substr(0, len);
  copy.remove_prefix(len);
  *in = copy;
  return true;
}

}  // namespace strata
