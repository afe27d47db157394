// Helpers shared by the libFuzzer targets (tests/fuzz/*_fuzz.cc).
//
// Each target asserts properties, not only "no crash": FUZZ_CHECK aborts with the failed
// expression (libFuzzer then saves the input as crash-<sha1>), so a broken round trip or an
// error of an unexpected kind is a finding just like an out-of-bounds read.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>

#include "common/status.h"

#define FUZZ_CHECK(cond)                                                               \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

namespace strata::fuzz {

// An error must be a real error Status of one of the kinds the decoder documents.
inline void CheckErrorKind(const Status& s, std::initializer_list<StatusCode> allowed) {
  if (s.ok()) {
    std::fprintf(stderr, "FUZZ_CHECK failed: expected an error, got OK\n");
    std::abort();
  }
  for (StatusCode c : allowed) {
    if (s.code() == c) return;
  }
  std::fprintf(stderr, "FUZZ_CHECK failed: unexpected error kind: %s\n", s.ToString().c_str());
  std::abort();
}

}  // namespace strata::fuzz
