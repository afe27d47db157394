#include "common/key_encoding.h"

#include <bit>
#include <cmath>
#include <limits>

#include "common/coding.h"

namespace strata {
namespace {

constexpr uint8_t kNullTag = 0x01;
constexpr uint8_t kValueTag = 0x02;
constexpr uint8_t kEscape = 0x00;
constexpr uint8_t kEscapedZero = 0xff;
constexpr uint8_t kTerminator = 0x01;
constexpr uint64_t kSignBit = uint64_t{1} << 63;

uint8_t Read(Slice in, size_t i, SortOrder order) {
  auto b = static_cast<uint8_t>(in[i]);
  return order == SortOrder::kDescending ? static_cast<uint8_t>(~b) : b;
}

uint64_t DoubleToOrderedBits(double v) {
  if (v == 0.0) v = 0.0;  // -0.0 == 0.0, so they must encode alike
  if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
  auto bits = std::bit_cast<uint64_t>(v);
  return (bits & kSignBit) ? ~bits : (bits | kSignBit);
}

double OrderedBitsToDouble(uint64_t bits) {
  bits = (bits & kSignBit) ? (bits & ~kSignBit) : ~bits;
  return std::bit_cast<double>(bits);
}

}  // namespace

void KeyEncoder::FlipFrom(size_t start, SortOrder order) {
  if (order == SortOrder::kAscending) return;
  for (size_t i = start; i < out_->size(); i++) (*out_)[i] = static_cast<char>(~(*out_)[i]);
}

void KeyEncoder::PutNull(SortOrder order) {
  size_t start = out_->size();
  out_->push_back(static_cast<char>(kNullTag));
  FlipFrom(start, order);
}

void KeyEncoder::PutUint64(uint64_t v, SortOrder order) {
  size_t start = out_->size();
  out_->push_back(static_cast<char>(kValueTag));
  PutBigEndian64(out_, v);
  FlipFrom(start, order);
}

void KeyEncoder::PutInt64(int64_t v, SortOrder order) {
  PutUint64(static_cast<uint64_t>(v) ^ kSignBit, order);
}

void KeyEncoder::PutDouble(double v, SortOrder order) { PutUint64(DoubleToOrderedBits(v), order); }

void KeyEncoder::PutBytes(Slice v, SortOrder order) {
  size_t start = out_->size();
  out_->reserve(out_->size() + v.size() + 3);
  out_->push_back(static_cast<char>(kValueTag));
  for (char c : v) {
    out_->push_back(c);
    if (static_cast<uint8_t>(c) == kEscape) out_->push_back(static_cast<char>(kEscapedZero));
  }
  out_->push_back(static_cast<char>(kEscape));
  out_->push_back(static_cast<char>(kTerminator));
  FlipFrom(start, order);
}

Result<bool> KeyDecoder::GetTag(SortOrder order) {
  if (in_.empty()) return Status::Corruption("key: missing component");
  uint8_t tag = Read(in_, 0, order);
  if (tag != kNullTag && tag != kValueTag) return Status::Corruption("key: bad component tag");
  in_.remove_prefix(1);
  return tag == kValueTag;
}

Result<uint64_t> KeyDecoder::GetWord(SortOrder order) {
  if (in_.size() < 8) return Status::Corruption("key: truncated 8-byte component");
  uint64_t v = DecodeBigEndian64(in_.data());
  in_.remove_prefix(8);
  return order == SortOrder::kDescending ? ~v : v;
}

Result<std::optional<uint64_t>> KeyDecoder::GetUint64(SortOrder order) {
  STRATA_ASSIGN_OR_RETURN(bool present, GetTag(order));
  if (!present) return std::optional<uint64_t>();
  STRATA_ASSIGN_OR_RETURN(uint64_t v, GetWord(order));
  return std::optional<uint64_t>(v);
}

Result<std::optional<int64_t>> KeyDecoder::GetInt64(SortOrder order) {
  STRATA_ASSIGN_OR_RETURN(auto v, GetUint64(order));
  if (!v) return std::optional<int64_t>();
  return std::optional<int64_t>(static_cast<int64_t>(*v ^ kSignBit));
}

Result<std::optional<double>> KeyDecoder::GetDouble(SortOrder order) {
  STRATA_ASSIGN_OR_RETURN(auto v, GetUint64(order));
  if (!v) return std::optional<double>();
  return std::optional<double>(OrderedBitsToDouble(*v));
}

Result<std::optional<Bytes>> KeyDecoder::GetBytes(SortOrder order) {
  STRATA_ASSIGN_OR_RETURN(bool present, GetTag(order));
  if (!present) return std::optional<Bytes>();
  Bytes out;
  for (size_t i = 0; i < in_.size(); i++) {
    uint8_t b = Read(in_, i, order);
    if (b != kEscape) {
      out.push_back(static_cast<char>(b));
      continue;
    }
    if (i + 1 >= in_.size()) break;
    uint8_t next = Read(in_, i + 1, order);
    if (next == kEscapedZero) {
      out.push_back('\0');
      i++;
    } else if (next == kTerminator) {
      in_.remove_prefix(i + 2);
      return std::optional<Bytes>(std::move(out));
    } else {
      return Status::Corruption("key: bad escape in byte string");
    }
  }
  return Status::Corruption("key: unterminated byte string");
}

}  // namespace strata
