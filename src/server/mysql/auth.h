// Password verification for mysql_native_password and caching_sha2_password, against the
// verifiers an Account stores (never the password itself). Pure functions: no I/O.
//
//   mysql_native_password  verifier "*" + HEX(SHA1(SHA1(pw)))
//     client sends  SHA1(pw) XOR SHA1(nonce || SHA1(SHA1(pw)))            (20 bytes)
//     check         SHA1(response XOR SHA1(nonce || stage2)) == stage2
//   caching_sha2_password  verifier HEX(SHA256(SHA256(pw)))
//     fast path     SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) || nonce)     (32 bytes)
//     check         SHA256(response XOR SHA256(stage2 || nonce)) == stage2
//     full auth     the cleartext password (over TLS, or RSA-OAEP encrypted XOR nonce)
//     check         SHA256(SHA256(pw)) == stage2
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/password_verifier.h"

namespace strata::server::mysql {

inline constexpr size_t kNonceLength = 20;
inline constexpr std::string_view kNativePlugin = "mysql_native_password";
inline constexpr std::string_view kCachingSha2Plugin = "caching_sha2_password";

// 20 random bytes from OpenSSL's CSPRNG, in 1..127 and never '$' (as MySQL's nonces: some
// clients treat the scramble as a C string).
std::string GenerateNonce();

using strata::HexEncodeUpper;
using strata::Sha1;
using strata::Sha256;
// Decodes hex (either case); false on odd length or a non-hex digit.
bool HexDecode(std::string_view hex, std::string* out);

// Verifiers, as accounts store them (common/password_verifier.h).
using strata::CachingSha2Verifier;
using strata::NativeVerifier;

// What a client computes (for tests and the fuzzer's "good client").
std::string NativeScramble(std::string_view password, std::string_view nonce);
std::string CachingSha2Scramble(std::string_view password, std::string_view nonce);

// Checks a 20-byte native response. False for a malformed verifier or response.
bool VerifyNative(std::string_view verifier, std::string_view nonce, std::string_view response);
// Checks a 32-byte caching_sha2 fast-path response.
bool VerifyCachingSha2Fast(std::string_view verifier, std::string_view nonce,
                           std::string_view response);
// Checks a cleartext password (caching_sha2 full authentication).
bool VerifyCachingSha2Cleartext(std::string_view verifier, std::string_view password);

// Constant-time comparison of equal-length byte strings (false when lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace strata::server::mysql
