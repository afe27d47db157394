// TLS and RSA for the MySQL server, on OpenSSL directly.
//
// TlsContext owns the server certificate and key (loaded from PEM files, or a
// self-signed certificate generated in memory at start so TLS always works) and the RSA
// key caching_sha2_password uses to receive passwords over plain TCP (loaded or generated,
// 2048 bits). Built once by Server::Start and shared read-only by all connections.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/mysql/packet_io.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct evp_pkey_st EVP_PKEY;

namespace strata::server::mysql {

class TlsContext {
 public:
  // Empty paths: generate (one RSA 2048 key then serves as TLS key and password key).
  static Result<std::unique_ptr<TlsContext>> Create(const std::string& cert_file,
                                                    const std::string& key_file,
                                                    const std::string& rsa_private_key_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // Runs the server side of the TLS handshake on `fd` (blocking) and returns a transport
  // over the session. The fd stays owned by the caller.
  Result<std::unique_ptr<Transport>> Accept(int fd) const;

  // The RSA public key as PEM ("-----BEGIN PUBLIC KEY-----"), sent to clients that ask.
  const std::string& public_key_pem() const { return public_key_pem_; }
  // RSA-OAEP (SHA-1, as MySQL clients encrypt) decryption with the password key.
  Result<std::string> RsaDecrypt(std::string_view ciphertext) const;
  size_t rsa_size_bytes() const;

 private:
  TlsContext() = default;
  SSL_CTX* ctx_ = nullptr;
  EVP_PKEY* rsa_key_ = nullptr;
  std::string public_key_pem_;
};

}  // namespace strata::server::mysql
