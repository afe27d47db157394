// Connection-phase packets: the server's HandshakeV10, the client's SSLRequest and
// HandshakeResponse41, and AuthSwitchRequest. Pure encoding and decoding, no I/O; the
// decoders accept any bytes and return an error for anything malformed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strata::server::mysql {

struct HandshakeV10 {
  std::string server_version;
  uint32_t connection_id = 0;
  std::string nonce;         // 20 bytes
  uint32_t capabilities = 0;
  uint8_t charset = 45;      // utf8mb4_general_ci
  uint16_t status_flags = 0;
  std::string auth_plugin;   // the plugin `nonce` is offered for
};
std::string EncodeHandshakeV10(const HandshakeV10& h);

// HandshakeResponse41, or the 32-byte SSLRequest prefix of it (is_ssl_request).
struct HandshakeResponse {
  bool is_ssl_request = false;
  uint32_t capabilities = 0;  // as sent by the client (not yet intersected)
  uint32_t max_packet_size = 0;
  uint8_t charset = 0;
  std::string user;
  std::string auth_response;
  std::string database;       // CLIENT_CONNECT_WITH_DB; empty when none
  std::string auth_plugin;    // CLIENT_PLUGIN_AUTH; empty when the client sent none
  size_t connect_attrs = 0;   // number of attribute pairs parsed (and ignored)
  uint8_t zstd_level = 3;     // CLIENT_ZSTD_COMPRESSION_ALGORITHM: the level the client asks for
};
// Decodes a HandshakeResponse41 or an SSLRequest. Clients before protocol 4.1 are refused.
// Fields after the auth response are optional, as in MySQL (old clients stop early).
Result<HandshakeResponse> DecodeHandshakeResponse(std::string_view payload);
// Decodes COM_CHANGE_USER's arguments (after the command byte) into the same fields: user,
// auth response (1-byte length with CLIENT_SECURE_CONNECTION, else NUL-terminated),
// database, character set, plugin, attributes; `capabilities` are the connection's.
Result<HandshakeResponse> DecodeChangeUser(std::string_view payload, uint32_t capabilities);

// 0xfe, plugin name, plugin data (the nonce followed by a NUL, as MySQL sends it).
std::string EncodeAuthSwitchRequest(std::string_view plugin, std::string_view nonce);

}  // namespace strata::server::mysql
