// The compressed protocol (CLIENT_COMPRESS: zlib; CLIENT_ZSTD_COMPRESSION_ALGORITHM: zstd),
// on after authentication when the client asked for it (`mariadb --compress`).
//
// Every chunk of the byte stream travels in a frame:
//   3-byte little-endian length of the frame's payload | 1-byte sequence id |
//   3-byte little-endian length once uncompressed (0: the payload is not compressed)
// The payload holds ordinary MySQL packets (headers included), compressed or not. A frame
// from the client that starts a command has sequence id 0; the server's frames continue
// from the last id it read. Payloads under 50 bytes, or that do not shrink, go uncompressed.
// A frame announcing more than 16 MiB - 1 uncompressed bytes, or whose payload does not
// decompress to exactly the announced length, is an error (the connection closes).
#pragma once

#include <memory>

#include "server/mysql/packet_io.h"

namespace strata::server::mysql {

enum class Compression : uint8_t { kZlib, kZstd };

std::unique_ptr<Transport> MakeCompressedTransport(std::unique_ptr<Transport> inner, Compression algorithm,
                                                   int level);

}  // namespace strata::server::mysql
