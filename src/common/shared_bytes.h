// SharedBytes: immutable bytes whose copies share one buffer.
//
// A Raft entry's data is held at once by the log's unstable suffix, the Ready being
// persisted, the persisted tail cache, the committed entries handed to apply and every
// append message to a follower. As Bytes each of those was a copy of up to 64 MiB (a
// LONGBLOB row); as SharedBytes each is a reference count. The bytes never change after
// construction, so copies may be read from any thread.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "common/slice.h"

namespace strata {

class SharedBytes {
 public:
  SharedBytes() = default;
  // Takes the string's buffer (moved, not copied).
  SharedBytes(Bytes bytes)  // NOLINT(google-explicit-constructor): entries are built from Bytes
      : bytes_(bytes.empty() ? nullptr : std::make_shared<const Bytes>(std::move(bytes))) {}
  SharedBytes(const char* s) : SharedBytes(Bytes(s)) {}  // NOLINT(google-explicit-constructor)
  explicit SharedBytes(Slice s) : SharedBytes(Bytes(s)) {}

  const char* data() const { return bytes_ ? bytes_->data() : ""; }
  size_t size() const { return bytes_ ? bytes_->size() : 0; }
  bool empty() const { return size() == 0; }
  Slice slice() const { return Slice(data(), size()); }
  operator Slice() const { return slice(); }  // NOLINT(google-explicit-constructor)
  Bytes ToBytes() const { return Bytes(slice()); }

  friend bool operator==(const SharedBytes& a, const SharedBytes& b) { return a.slice() == b.slice(); }
  friend bool operator==(const SharedBytes& a, Slice b) { return a.slice() == b; }
  friend bool operator==(const SharedBytes& a, const char* b) { return a.slice() == Slice(b); }
  friend std::ostream& operator<<(std::ostream& os, const SharedBytes& b) { return os << b.slice(); }

 private:
  std::shared_ptr<const Bytes> bytes_;
};

}  // namespace strata
