#include "server/mysql/tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>

#include <fmt/format.h>

namespace strata::server::mysql {
namespace {

std::string OpenSslError(std::string_view what) {
  unsigned long code = ERR_get_error();
  char buf[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return fmt::format("{}: {}", what, buf);
}

Result<EVP_PKEY*> LoadPrivateKey(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return Status::FromErrno(errno, "open " + path);
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (key == nullptr) return Status::InvalidArgument(OpenSslError("read key " + path));
  return key;
}

// A self-signed certificate for `key`, valid for ten years, CN "StrataDB_Auto_Generated".
Result<X509*> SelfSignedCert(EVP_PKEY* key) {
  X509* cert = X509_new();
  if (cert == nullptr) return Status::Internal(OpenSslError("X509_new"));
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("StrataDB_Auto_Generated"),
                             -1, -1, 0);
  X509_set_issuer_name(cert, name);
  if (X509_sign(cert, key, EVP_sha256()) == 0) {
    X509_free(cert);
    return Status::Internal(OpenSslError("X509_sign"));
  }
  return cert;
}

class TlsTransport final : public Transport {
 public:
  explicit TlsTransport(SSL* ssl) : ssl_(ssl) {}
  ~TlsTransport() override { SSL_free(ssl_); }

  Result<size_t> Read(char* buf, size_t len) override {
    int n = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(len, 1 << 30)));
    if (n > 0) return static_cast<size_t>(n);
    int err = SSL_get_error(ssl_, n);
    ERR_clear_error();
    if (err == SSL_ERROR_ZERO_RETURN) return Status::Unavailable("TLS connection closed");
    return Status::IOError(fmt::format("TLS read failed (SSL error {})", err));
  }

  Status WriteAll(std::string_view data) override {
    while (!data.empty()) {
      int n = SSL_write(ssl_, data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 30)));
      if (n <= 0) {
        int err = SSL_get_error(ssl_, n);
        ERR_clear_error();
        return Status::IOError(fmt::format("TLS write failed (SSL error {})", err));
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::OK();
  }

 private:
  SSL* ssl_;
};

}  // namespace

Result<std::unique_ptr<TlsContext>> TlsContext::Create(const std::string& cert_file,
                                                       const std::string& key_file,
                                                       const std::string& rsa_key_file) {
  std::unique_ptr<TlsContext> tls(new TlsContext());
  if (!rsa_key_file.empty()) {
    STRATA_ASSIGN_OR_RETURN(tls->rsa_key_, LoadPrivateKey(rsa_key_file));
  } else {
    tls->rsa_key_ = EVP_RSA_gen(2048);
    if (tls->rsa_key_ == nullptr) return Status::Internal(OpenSslError("RSA keygen"));
  }
  if (EVP_PKEY_get_base_id(tls->rsa_key_) != EVP_PKEY_RSA) {
    return Status::InvalidArgument("rsa_private_key_file does not hold an RSA key");
  }
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio, tls->rsa_key_) != 1) {
    BIO_free(bio);
    return Status::Internal(OpenSslError("PEM_write_bio_PUBKEY"));
  }
  char* pem = nullptr;
  long pem_len = BIO_get_mem_data(bio, &pem);
  tls->public_key_pem_.assign(pem, static_cast<size_t>(pem_len));
  BIO_free(bio);

  tls->ctx_ = SSL_CTX_new(TLS_server_method());
  if (tls->ctx_ == nullptr) return Status::Internal(OpenSslError("SSL_CTX_new"));
  SSL_CTX_set_min_proto_version(tls->ctx_, TLS1_2_VERSION);
  if (!cert_file.empty() || !key_file.empty()) {
    if (cert_file.empty() || key_file.empty()) {
      return Status::InvalidArgument("tls_cert_file and tls_key_file go together");
    }
    if (SSL_CTX_use_certificate_chain_file(tls->ctx_, cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(tls->ctx_, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return Status::InvalidArgument(OpenSslError("loading " + cert_file + " / " + key_file));
    }
  } else {
    STRATA_ASSIGN_OR_RETURN(X509 * cert, SelfSignedCert(tls->rsa_key_));
    bool ok = SSL_CTX_use_certificate(tls->ctx_, cert) == 1 &&
              SSL_CTX_use_PrivateKey(tls->ctx_, tls->rsa_key_) == 1;
    X509_free(cert);
    if (!ok) return Status::Internal(OpenSslError("installing generated certificate"));
  }
  if (SSL_CTX_check_private_key(tls->ctx_) != 1) {
    return Status::InvalidArgument(OpenSslError("certificate and key do not match"));
  }
  return tls;
}

TlsContext::~TlsContext() {
  SSL_CTX_free(ctx_);
  EVP_PKEY_free(rsa_key_);
}

Result<std::unique_ptr<Transport>> TlsContext::Accept(int fd) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return Status::Internal(OpenSslError("SSL_new"));
  if (SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1) {
    std::string msg = OpenSslError("TLS handshake");
    SSL_free(ssl);
    return Status::IOError(msg);
  }
  return std::unique_ptr<Transport>(std::make_unique<TlsTransport>(ssl));
}

size_t TlsContext::rsa_size_bytes() const {
  return static_cast<size_t>(EVP_PKEY_get_size(rsa_key_));
}

Result<std::string> TlsContext::RsaDecrypt(std::string_view ciphertext) const {
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new(rsa_key_, nullptr);
  if (pctx == nullptr) return Status::Internal(OpenSslError("EVP_PKEY_CTX_new"));
  std::string out(rsa_size_bytes(), '\0');
  size_t out_len = out.size();
  bool ok = EVP_PKEY_decrypt_init(pctx) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
            EVP_PKEY_decrypt(pctx, reinterpret_cast<unsigned char*>(out.data()), &out_len,
                             reinterpret_cast<const unsigned char*>(ciphertext.data()),
                             ciphertext.size()) == 1;
  EVP_PKEY_CTX_free(pctx);
  if (!ok) return Status::InvalidArgument(OpenSslError("RSA decrypt"));
  out.resize(out_len);
  return out;
}

}  // namespace strata::server::mysql
