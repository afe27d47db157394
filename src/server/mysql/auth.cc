#include "server/mysql/auth.h"

#include <cctype>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/check.h"

namespace strata::server::mysql {
namespace {

std::string Digest(const EVP_MD* md, std::string_view a, std::string_view b = {}) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  STRATA_CHECK(ctx != nullptr);
  bool ok = EVP_DigestInit_ex(ctx, md, nullptr) == 1 &&
            EVP_DigestUpdate(ctx, a.data(), a.size()) == 1 &&
            EVP_DigestUpdate(ctx, b.data(), b.size()) == 1 &&
            EVP_DigestFinal_ex(ctx, out, &len) == 1;
  EVP_MD_CTX_free(ctx);
  STRATA_CHECK(ok);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Xor(std::string_view a, std::string_view b) {
  STRATA_CHECK(a.size() == b.size());
  std::string out(a.size(), '\0');
  for (size_t i = 0; i < a.size(); ++i) out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}

}  // namespace

std::string GenerateNonce() {
  unsigned char raw[kNonceLength];
  STRATA_CHECK(RAND_bytes(raw, sizeof(raw)) == 1);
  std::string nonce(kNonceLength, '\0');
  for (size_t i = 0; i < kNonceLength; ++i) {
    char c = static_cast<char>(1 + raw[i] % 127);  // 1..127
    nonce[i] = c == '$' ? '%' : c;
  }
  return nonce;
}

bool HexDecode(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

std::string NativeScramble(std::string_view password, std::string_view nonce) {
  std::string stage1 = Sha1(password);
  return Xor(stage1, Digest(EVP_sha1(), nonce, Sha1(stage1)));
}

std::string CachingSha2Scramble(std::string_view password, std::string_view nonce) {
  std::string stage1 = Sha256(password);
  return Xor(stage1, Digest(EVP_sha256(), Sha256(stage1), nonce));
}

bool VerifyNative(std::string_view verifier, std::string_view nonce,
                  std::string_view response) {
  std::string stage2;
  if (verifier.size() != 41 || verifier[0] != '*' || !HexDecode(verifier.substr(1), &stage2)) {
    return false;
  }
  if (response.size() != 20) return false;
  std::string stage1 = Xor(response, Digest(EVP_sha1(), nonce, stage2));
  return ConstantTimeEquals(Sha1(stage1), stage2);
}

bool VerifyCachingSha2Fast(std::string_view verifier, std::string_view nonce,
                           std::string_view response) {
  std::string stage2;
  if (verifier.size() != 64 || !HexDecode(verifier, &stage2)) return false;
  if (response.size() != 32) return false;
  std::string stage1 = Xor(response, Digest(EVP_sha256(), stage2, nonce));
  return ConstantTimeEquals(Sha256(stage1), stage2);
}

bool VerifyCachingSha2Cleartext(std::string_view verifier, std::string_view password) {
  std::string stage2;
  if (verifier.size() != 64 || !HexDecode(verifier, &stage2)) return false;
  return ConstantTimeEquals(Sha256(Sha256(password)), stage2);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace strata::server::mysql
