#include "common/slice.h"

namespace strata {

Bytes PrefixSuccessor(Slice prefix) {
  Bytes out(prefix);
  while (!out.empty()) {
    auto last = static_cast<uint8_t>(out.back());
    if (last != 0xff) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return out;
}

}  // namespace strata
