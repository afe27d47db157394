// libFuzzer entry point for the MySQL protocol decoders (clang only: -DSTRATA_FUZZ=ON with
// CXX=clang++). The first byte picks a decoder; the rest is its input.
//
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DSTRATA_FUZZ=ON
//   ninja -C build-fuzz mysql_packet_fuzz && build-fuzz/tests/fuzz/mysql_packet_fuzz -max_len=4096
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/mysql/auth.h"
#include "server/mysql/handshake.h"
#include "server/mysql/protocol.h"

using namespace strata::server::mysql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto r = DecodeHandshakeResponse(input);
      if (r.ok() && r->auth_response.size() > input.size()) __builtin_trap();
      break;
    }
    case 1: {  // a reader walking the input with every accessor in turn
      PacketReader r(input);
      for (int step = 0; r.ok() && !r.at_end(); ++step) {
        uint64_t v;
        std::string_view s;
        switch (step % 4) {
          case 0: (void)r.ReadLenencInt(&v); break;
          case 1: (void)r.ReadLenencString(&s); break;
          case 2: (void)r.ReadNulString(&s); break;
          default: (void)r.ReadU24(reinterpret_cast<uint32_t*>(&v));
        }
      }
      break;
    }
    default: {
      std::string nonce(20, 'n');
      (void)VerifyNative("*0123456789ABCDEF0123456789ABCDEF01234567", nonce, input);
      (void)VerifyCachingSha2Fast(std::string(64, 'a'), nonce, input);
      (void)VerifyCachingSha2Cleartext(input, "pw");
    }
  }
  return 0;
}
