// Always-on assertions for invariants whose failure means corruption would follow.
// A crash with a clear message beats a wrong answer (TigerBeetle's TIGER_STYLE).
#pragma once

namespace strata::internal {
[[noreturn]] void CheckFailed(const char* expr, const char* file, int line, const char* msg);
}  // namespace strata::internal

#define STRATA_CHECK(cond)                                                         \
  do {                                                                             \
    if (__builtin_expect(!(cond), 0))                                              \
      ::strata::internal::CheckFailed(#cond, __FILE__, __LINE__, nullptr);         \
  } while (0)

#define STRATA_CHECK_MSG(cond, msg)                                                \
  do {                                                                             \
    if (__builtin_expect(!(cond), 0))                                              \
      ::strata::internal::CheckFailed(#cond, __FILE__, __LINE__, (msg));           \
  } while (0)
