#include "common/clock.h"

namespace strata {

Nanos SystemClock::Now() const {
  return std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now().time_since_epoch());
}

Nanos SystemClock::WallNow() const {
  return std::chrono::duration_cast<Nanos>(std::chrono::system_clock::now().time_since_epoch());
}

SystemClock& SystemClock::Default() {
  static SystemClock clock;
  return clock;
}

}  // namespace strata
