#include "server/mysql/handshake.h"

#include "common/check.h"
#include "server/mysql/protocol.h"

namespace strata::server::mysql {
namespace {

constexpr size_t kSslRequestLength = 32;
constexpr size_t kMaxUserLength = 256;  // MySQL's limit is 32 characters (up to 128 bytes)
constexpr size_t kMaxConnectAttrs = 1024;

Status Malformed(std::string_view what) {
  return Status::InvalidArgument(std::string("malformed handshake response: ") +
                                 std::string(what));
}

}  // namespace

std::string EncodeHandshakeV10(const HandshakeV10& h) {
  STRATA_CHECK(h.nonce.size() == 20);
  PacketWriter w;
  w.U8(10).NulString(h.server_version).U32(h.connection_id);
  w.Bytes(std::string_view(h.nonce).substr(0, 8)).U8(0);
  w.U16(static_cast<uint16_t>(h.capabilities & 0xffff)).U8(h.charset).U16(h.status_flags);
  w.U16(static_cast<uint16_t>(h.capabilities >> 16));
  w.U8(static_cast<uint8_t>(h.nonce.size() + 1));  // auth-plugin-data length incl. NUL
  w.Zeros(10);
  w.Bytes(std::string_view(h.nonce).substr(8)).U8(0);  // 12 bytes + NUL = 13
  w.NulString(h.auth_plugin);
  return w.Take();
}

Result<HandshakeResponse> DecodeChangeUser(std::string_view payload, uint32_t capabilities) {
  PacketReader r(payload);
  HandshakeResponse resp;
  resp.capabilities = capabilities;
  std::string_view user, auth, db;
  if (!r.ReadNulString(&user)) return Malformed("user name");
  if (user.size() > kMaxUserLength) return Malformed("user name too long");
  resp.user = std::string(user);
  if (capabilities & kClientSecureConnection) {
    uint8_t len;
    if (!r.ReadU8(&len) || !r.ReadBytes(len, &auth)) return Malformed("auth response");
  } else if (!r.ReadNulString(&auth)) {
    return Malformed("auth response");
  }
  resp.auth_response = std::string(auth);
  if (!r.at_end()) {
    if (!r.ReadNulString(&db)) return Malformed("database");
    resp.database = std::string(db);
  }
  uint16_t charset = 0;
  if (r.remaining() >= 2 && r.ReadU16(&charset)) resp.charset = static_cast<uint8_t>(charset);
  if ((capabilities & kClientPluginAuth) && !r.at_end()) {
    std::string_view plugin;
    if (!r.ReadNulString(&plugin)) plugin = r.ReadRest();
    resp.auth_plugin = std::string(plugin);
  }
  return resp;  // connect attributes, if any, are ignored as at connect
}

Result<HandshakeResponse> DecodeHandshakeResponse(std::string_view payload) {
  PacketReader r(payload);
  HandshakeResponse resp;
  if (!r.ReadU32(&resp.capabilities)) return Malformed("too short");
  if ((resp.capabilities & kClientProtocol41) == 0) {
    return Status::NotSupported("client does not speak protocol 4.1");
  }
  if (!r.ReadU32(&resp.max_packet_size) || !r.ReadU8(&resp.charset) || !r.Skip(23)) {
    return Malformed("too short");
  }
  if (r.at_end() && payload.size() == kSslRequestLength) {
    if ((resp.capabilities & kClientSsl) == 0) return Malformed("32 bytes without CLIENT_SSL");
    resp.is_ssl_request = true;
    return resp;
  }
  std::string_view user;
  if (!r.ReadNulString(&user)) return Malformed("user name");
  if (user.size() > kMaxUserLength) return Malformed("user name too long");
  resp.user = std::string(user);

  std::string_view auth;
  if (resp.capabilities & kClientPluginAuthLenencClientData) {
    if (!r.ReadLenencString(&auth)) return Malformed("auth response");
  } else if (resp.capabilities & kClientSecureConnection) {
    uint8_t len;
    if (!r.ReadU8(&len) || !r.ReadBytes(len, &auth)) return Malformed("auth response");
  } else {
    if (!r.ReadNulString(&auth)) return Malformed("auth response");
  }
  resp.auth_response = std::string(auth);

  if ((resp.capabilities & kClientConnectWithDb) && !r.at_end()) {
    std::string_view db;
    if (!r.ReadNulString(&db)) return Malformed("database");
    resp.database = std::string(db);
  }
  if ((resp.capabilities & kClientPluginAuth) && !r.at_end()) {
    std::string_view plugin;
    if (!r.ReadNulString(&plugin)) {
      // Some clients omit the terminating NUL at the very end of the packet.
      plugin = r.ReadRest();
      r = PacketReader({});
    }
    resp.auth_plugin = std::string(plugin);
  }
  if ((resp.capabilities & kClientConnectAttrs) && !r.at_end()) {
    std::string_view attrs;
    if (!r.ReadLenencString(&attrs)) return Malformed("connect attributes length");
    PacketReader ar(attrs);
    while (!ar.at_end()) {
      std::string_view key, value;
      if (!ar.ReadLenencString(&key) || !ar.ReadLenencString(&value)) {
        return Malformed("connect attribute");
      }
      if (++resp.connect_attrs > kMaxConnectAttrs) return Malformed("too many attributes");
    }
  }
  if ((resp.capabilities & kClientZstdCompression) && !r.at_end()) {
    uint8_t level;
    if (!r.ReadU8(&level)) return Malformed("zstd compression level");
    resp.zstd_level = level;
  }
  return resp;
}

std::string EncodeAuthSwitchRequest(std::string_view plugin, std::string_view nonce) {
  PacketWriter w;
  w.U8(0xfe).NulString(plugin).Bytes(nonce).U8(0);
  return w.Take();
}

}  // namespace strata::server::mysql
