// The connection phase: handshake, TLS upgrade and authentication.
//
// Plugin choice. The handshake offers caching_sha2_password (as MySQL 8). The client
// answers with the plugin it chose:
//  - caching_sha2_password: its response was computed from our nonce; verify it.
//  - mysql_native_password with a 20-byte response: computed from the same nonce; verify.
//  - anything else, or an empty response for a plugin other than the one offered
//    (libmariadb and libmysqlclient send an empty "dummy" response when their default
//    plugin differs from the server's), or a plugin the account has no verifier for:
//    AuthSwitchRequest to the client's plugin when the account can use it, else to the
//    account's (native first: every client has it built in), with the same nonce.
// An account with no verifiers has no password: an empty response is accepted.
#include <algorithm>

#include <openssl/crypto.h>

#include <fmt/format.h>

#include "obs/log.h"
#include "obs/metrics.h"
#include "server/mysql/auth.h"
#include "server/mysql/compression.h"
#include "server/mysql/connection.h"
#include "server/mysql/protocol.h"
#include "server/mysql/tls.h"

namespace strata::server::mysql {
namespace {

constexpr size_t kMaxHandshakePacket = 64 * 1024;
constexpr char kFastAuthSuccess = 0x03;
constexpr char kPerformFullAuth = 0x04;
constexpr char kRequestPublicKey = 0x02;

bool HasNoPassword(const Account& a) { return a.native_hash.empty() && a.sha256_hash.empty(); }

bool AccountSupports(const Account& a, std::string_view plugin) {
  if (HasNoPassword(a)) return plugin == kNativePlugin || plugin == kCachingSha2Plugin;
  if (plugin == kNativePlugin) return !a.native_hash.empty();
  if (plugin == kCachingSha2Plugin) return !a.sha256_hash.empty();
  return false;
}

bool IsEmptyResponse(std::string_view r) { return r.empty() || r == std::string_view("\0", 1); }

}  // namespace

Status Connection::Handshake() {
  nonce_ = GenerateNonce();
  HandshakeV10 hello;
  hello.server_version = ctx_->options.server_version;
  hello.connection_id = connection_id_;
  hello.nonce = nonce_;
  hello.capabilities = kServerCapabilities;
  hello.status_flags = kStatusAutocommit;
  hello.auth_plugin = std::string(kCachingSha2Plugin);
  STRATA_RETURN_IF_ERROR(channel_.WritePayload(EncodeHandshakeV10(hello)));
  STRATA_RETURN_IF_ERROR(channel_.Flush());

  HandshakeResponse resp;
  channel_.set_exact_reads(true);  // a TLS ClientHello may follow the SSLRequest at once
  STRATA_RETURN_IF_ERROR(ReadHandshakeResponse(&resp));
  channel_.set_exact_reads(false);
  if (resp.is_ssl_request) {
    STRATA_ASSIGN_OR_RETURN(auto tls, ctx_->tls->Accept(fd_));
    STRATA_RETURN_IF_ERROR(channel_.ReplaceTransport(std::move(tls)));
    tls_active_ = true;
    STRATA_RETURN_IF_ERROR(ReadHandshakeResponse(&resp));
    if (resp.is_ssl_request) {
      return Status::InvalidArgument("second SSLRequest");
    }
  }
  capabilities_ = resp.capabilities & kServerCapabilities;
  multi_statements_ = (capabilities_ & kClientMultiStatements) != 0;
  return Authenticate(resp);
}

Status Connection::ReadHandshakeResponse(HandshakeResponse* resp) {
  Result<std::string> payload = channel_.ReadPayload(kMaxHandshakePacket);
  if (!payload.ok()) return payload.status();
  Result<HandshakeResponse> decoded = DecodeHandshakeResponse(*payload);
  if (!decoded.ok()) {
    (void)ResultWriter(&channel_, kClientProtocol41)
        .WriteErr(er::kHandshake, "08S01", "Bad handshake");
    (void)channel_.Flush();
    return decoded.status();
  }
  *resp = std::move(decoded).value();
  return Status::OK();
}

Status Connection::Authenticate(const HandshakeResponse& resp) {
  std::optional<Account> account = ctx_->factory->FindAccount(resp.user, peer_host_);
  const bool known_user = account.has_value();
  if (!known_user) {
    // An unknown user goes through the same exchange as a known one (with verifiers no
    // password matches), so the flow does not reveal which user names exist, and "using
    // password" reflects the client's real answer rather than a dummy first response.
    std::string secret = GenerateNonce();
    account = Account{resp.user, NativeVerifier(secret), CachingSha2Verifier(secret)};
  }
  std::string plugin = resp.auth_plugin.empty() ? std::string(kNativePlugin) : resp.auth_plugin;
  std::string response = resp.auth_response;

  bool computed_from_nonce =
      (plugin == kCachingSha2Plugin) ||
      (plugin == kNativePlugin && (response.size() == 20 || resp.auth_plugin.empty()));
  if (!AccountSupports(*account, plugin) || !computed_from_nonce) {
    if (!AccountSupports(*account, plugin)) {
      plugin = std::string(!account->native_hash.empty() ? kNativePlugin : kCachingSha2Plugin);
    }
    STRATA_RETURN_IF_ERROR(channel_.WritePayload(EncodeAuthSwitchRequest(plugin, nonce_)));
    STRATA_RETURN_IF_ERROR(channel_.Flush());
    STRATA_ASSIGN_OR_RETURN(response, channel_.ReadPayload(kMaxHandshakePacket));
  }

  Result<bool> ok = plugin == kNativePlugin ? RunNative(*account, response)
                                            : RunCachingSha2(*account, response);
  if (!ok.ok()) return ok.status();
  if (!*ok || !known_user) return Deny(resp.user, !IsEmptyResponse(response));
  // REQUIRE SSL: the right password over a connection without TLS is still refused.
  if (account->require_ssl && !tls_active_) return Deny(resp.user, !IsEmptyResponse(response));
  if (account->locked) {
    std::string msg = fmt::format("Access denied for user '{}'@'{}'. Account is locked.", resp.user, peer_host_);
    obs::Warn("mysql", "access denied: account locked", {{"user", resp.user}, {"host", peer_host_}});
    (void)ResultWriter(&channel_, capabilities_).WriteErr(3118, "HY000", msg);
    (void)channel_.Flush();
    return Status::InvalidArgument(msg);
  }

  auto session = ctx_->factory->OpenSession(*account, peer_host_, resp.database, connection_id_);
  if (!session.ok()) {
    (void)ResultWriter(&channel_, capabilities_).WriteErr(session.status());
    (void)channel_.Flush();
    return session.status();
  }
  session_ = std::move(session).value();
  session_->SetClientCapabilities(capabilities_);
  session_->SetClientCollation(resp.charset);
  if (capabilities_ & kClientLocalFiles)
    session_->SetLocalFiles([this](std::string_view name) { return OpenLocalFile(name); });
  STRATA_RETURN_IF_ERROR(ResultWriter(&channel_, capabilities_).WriteOk({0, 0, StatusFlags(), 0, {}}));
  STRATA_RETURN_IF_ERROR(channel_.Flush());
  // The compressed protocol starts with the client's next command.
  if (capabilities_ & (kClientZstdCompression | kClientCompress)) {
    bool zstd = capabilities_ & kClientZstdCompression;
    int level = zstd ? std::clamp<int>(resp.zstd_level, 1, 22) : 6;
    STRATA_RETURN_IF_ERROR(channel_.WrapTransport([&](std::unique_ptr<Transport> inner) {
      return MakeCompressedTransport(std::move(inner), zstd ? Compression::kZstd : Compression::kZlib, level);
    }));
  }
  return Status::OK();
}

Status Connection::DoChangeUser(std::string_view args) {
  STRATA_ASSIGN_OR_RETURN(HandshakeResponse resp, DecodeChangeUser(args, capabilities_));
  session_.reset();
  statements_.clear();
  multi_statements_ = (capabilities_ & kClientMultiStatements) != 0;
  Status s = Authenticate(resp);
  // Authenticate answered (OK, or the denial); a failure ends the connection without the
  // "malformed packet" error CommandLoop sends for InvalidArgument.
  if (!s.ok()) return Status::Aborted(std::string(s.message()));
  return s;
}

Result<bool> Connection::RunNative(const Account& account, std::string_view response) {
  if (HasNoPassword(account)) return IsEmptyResponse(response);
  return VerifyNative(account.native_hash, nonce_, response);
}

Result<bool> Connection::RunCachingSha2(const Account& account, std::string_view response) {
  if (HasNoPassword(account)) return IsEmptyResponse(response);
  if (IsEmptyResponse(response)) return false;
  if (ctx_->options.caching_sha2_fast_auth && response.size() == 32) {
    if (!VerifyCachingSha2Fast(account.sha256_hash, nonce_, response)) return false;
    STRATA_RETURN_IF_ERROR(channel_.WritePayload(std::string{0x01, kFastAuthSuccess}));
    return true;
  }
  return CachingSha2FullAuth(account);
}

// "perform full authentication": the client sends its password in clear over TLS, or
// over plain TCP encrypted with our RSA key (asking for the key first unless it has it).
Result<bool> Connection::CachingSha2FullAuth(const Account& account) {
  STRATA_RETURN_IF_ERROR(channel_.WritePayload(std::string{0x01, kPerformFullAuth}));
  STRATA_RETURN_IF_ERROR(channel_.Flush());
  STRATA_ASSIGN_OR_RETURN(std::string packet, channel_.ReadPayload(kMaxHandshakePacket));
  std::string password;
  if (tls_active_) {
    password = std::move(packet);
  } else {
    if (packet == std::string_view(&kRequestPublicKey, 1)) {
      STRATA_RETURN_IF_ERROR(channel_.WritePayload("\x01" + ctx_->tls->public_key_pem()));
      STRATA_RETURN_IF_ERROR(channel_.Flush());
      STRATA_ASSIGN_OR_RETURN(packet, channel_.ReadPayload(kMaxHandshakePacket));
    }
    if (packet.size() != ctx_->tls->rsa_size_bytes()) return false;  // cleartext refused
    Result<std::string> plain = ctx_->tls->RsaDecrypt(packet);
    if (!plain.ok()) return false;
    password = std::move(plain).value();
    for (size_t i = 0; i < password.size(); ++i) password[i] ^= nonce_[i % nonce_.size()];
  }
  if (!password.empty() && password.back() == '\0') password.pop_back();
  bool ok = VerifyCachingSha2Cleartext(account.sha256_hash, password);
  OPENSSL_cleanse(password.data(), password.size());
  return ok;
}

Status Connection::Deny(std::string_view user, bool used_password) {
  denied_ = true;
  ctx_->metrics.aborted_connects->Inc();
  obs::Warn("mysql", "access denied",
            {{"user", user}, {"host", peer_host_}, {"connection_id", uint64_t{connection_id_}},
             {"using_password", used_password}});
  std::string msg = fmt::format("Access denied for user '{}'@'{}' (using password: {})", user,
                                peer_host_, used_password ? "YES" : "NO");
  STRATA_RETURN_IF_ERROR(ResultWriter(&channel_, capabilities_ | kClientProtocol41)
                             .WriteErr(er::kAccessDenied, "28000", msg));
  (void)channel_.Flush();
  return Status::InvalidArgument(msg);
}

}  // namespace strata::server::mysql
