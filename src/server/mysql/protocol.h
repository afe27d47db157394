// MySQL client/server protocol vocabulary: capability and status flags, command bytes,
// the error numbers this server sends, and a bounds-checked reader and an appending
// writer for packet payloads (fixed-width little-endian integers, length-encoded
// integers and strings, NUL-terminated strings).
//
// The reader never reads past its input: every accessor returns false (and latches
// `ok() == false`) instead, so a malformed packet from a client is an error value, not a
// crash. Wire format reference: docs/mysql_protocol.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::server::mysql {

// Capability flags (HandshakeV10 / HandshakeResponse41).
enum Capability : uint32_t {
  kClientLongPassword = 1u << 0,  // also "CLIENT_MYSQL": MariaDB clients check it
  kClientFoundRows = 1u << 1,
  kClientLongFlag = 1u << 2,
  kClientConnectWithDb = 1u << 3,
  kClientNoSchema = 1u << 4,
  kClientCompress = 1u << 5,
  kClientOdbc = 1u << 6,
  kClientLocalFiles = 1u << 7,
  kClientIgnoreSpace = 1u << 8,
  kClientProtocol41 = 1u << 9,
  kClientInteractive = 1u << 10,
  kClientSsl = 1u << 11,
  kClientIgnoreSigpipe = 1u << 12,
  kClientTransactions = 1u << 13,
  kClientReserved = 1u << 14,
  kClientSecureConnection = 1u << 15,
  kClientMultiStatements = 1u << 16,
  kClientMultiResults = 1u << 17,
  kClientPsMultiResults = 1u << 18,
  kClientPluginAuth = 1u << 19,
  kClientConnectAttrs = 1u << 20,
  kClientPluginAuthLenencClientData = 1u << 21,
  kClientCanHandleExpiredPasswords = 1u << 22,
  kClientSessionTrack = 1u << 23,
  kClientDeprecateEof = 1u << 24,
  kClientZstdCompression = 1u << 26,
};

// What this server offers. Not offered: query attributes, optional result-set metadata. LOCAL INFILE is offered; the local_infile variable decides.
// Compression: zlib (COMPRESS) and zstd (compression.h).
inline constexpr uint32_t kServerCapabilities =
    kClientLongPassword | kClientFoundRows | kClientLongFlag | kClientConnectWithDb | kClientLocalFiles |
    kClientCompress | kClientZstdCompression |
    kClientNoSchema | kClientOdbc | kClientIgnoreSpace | kClientProtocol41 |
    kClientInteractive | kClientSsl | kClientIgnoreSigpipe | kClientTransactions |
    kClientReserved | kClientSecureConnection | kClientMultiStatements |
    kClientMultiResults | kClientPsMultiResults | kClientPluginAuth | kClientConnectAttrs |
    kClientPluginAuthLenencClientData | kClientCanHandleExpiredPasswords | kClientSessionTrack |
    kClientDeprecateEof;

// Server status flags (OK / EOF packets).
enum ServerStatus : uint16_t {
  kStatusInTrans = 0x0001,
  kStatusAutocommit = 0x0002,
  kMoreResultsExist = 0x0008,
  kStatusCursorExists = 0x0040,  // COM_STMT_EXECUTE opened a cursor; COM_STMT_FETCH reads it
  kStatusLastRowSent = 0x0080,   // COM_STMT_FETCH sent the cursor's last row (it is closed)
  kStatusNoBackslashEscapes = 0x0200,  // sql_mode has NO_BACKSLASH_ESCAPES (clients escape by it)
  kStatusSessionStateChanged = 0x4000,  // the OK packet carries session state (CLIENT_SESSION_TRACK)
};

enum class Command : uint8_t {
  kSleep = 0x00, kQuit = 0x01, kInitDb = 0x02, kQuery = 0x03, kFieldList = 0x04,
  kCreateDb = 0x05, kDropDb = 0x06, kRefresh = 0x07, kShutdown = 0x08,
  kStatistics = 0x09, kProcessInfo = 0x0a, kConnect = 0x0b, kProcessKill = 0x0c,
  kDebug = 0x0d, kPing = 0x0e, kTime = 0x0f, kDelayedInsert = 0x10, kChangeUser = 0x11,
  kBinlogDump = 0x12, kTableDump = 0x13, kConnectOut = 0x14, kRegisterSlave = 0x15,
  kStmtPrepare = 0x16, kStmtExecute = 0x17, kStmtSendLongData = 0x18, kStmtClose = 0x19,
  kStmtReset = 0x1a, kSetOption = 0x1b, kStmtFetch = 0x1c, kDaemon = 0x1d,
  kBinlogDumpGtid = 0x1e, kResetConnection = 0x1f,
};
// Short lower-case name for metrics labels ("query", "ping", "unknown").
std::string_view CommandName(uint8_t command);

// Error numbers and SQLSTATEs sent by the protocol layer itself.
namespace er {
inline constexpr uint16_t kConCount = 1040;          // 08004 Too many connections
inline constexpr uint16_t kOutOfResources = 1041;    // HY000 Out of memory (the sessions' budget)
inline constexpr uint16_t kHandshake = 1043;         // 08S01 Bad handshake
inline constexpr uint16_t kAccessDenied = 1045;      // 28000
inline constexpr uint16_t kUnknownCom = 1047;        // 08S01 Unknown command
inline constexpr uint16_t kUnknownError = 1105;      // HY000
inline constexpr uint16_t kCantCreateThread = 1135;  // HY000
inline constexpr uint16_t kNetPacketTooLarge = 1153; // 08S01
inline constexpr uint16_t kNetReadError = 1158;      // 08S01
inline constexpr uint16_t kNetPacketsOutOfOrder = 1156;  // 08S01
inline constexpr uint16_t kWrongArguments = 1210;    // HY000 Incorrect arguments to ...
inline constexpr uint16_t kNotSupportedYet = 1235;   // 42000
inline constexpr uint16_t kUnknownStmtHandler = 1243;  // HY000
inline constexpr uint16_t kStmtHasNoOpenCursor = 1421;  // HY000
inline constexpr uint16_t kMalformedPacket = 1835;   // HY000
inline constexpr uint16_t kClientInteractionTimeout = 4031;  // HY000 (wait_timeout)
}  // namespace er

// Largest payload of one wire packet; a longer payload continues in the next packet.
inline constexpr size_t kMaxPacketChunk = 0xffffff;

// Reads a packet payload front to back. Every call checks bounds; after the first failed
// read ok() is false and further reads fail too.
class PacketReader {
 public:
  explicit PacketReader(std::string_view data) : data_(data) {}

  bool ReadU8(uint8_t* v);
  bool ReadU16(uint16_t* v);
  bool ReadU24(uint32_t* v);
  bool ReadU32(uint32_t* v);
  bool ReadU64(uint64_t* v);
  // Length-encoded integer. 0xfb (NULL) and 0xff (ERR) as first byte are failures here;
  // callers that accept NULL check PeekU8 first.
  bool ReadLenencInt(uint64_t* v);
  bool ReadBytes(size_t n, std::string_view* v);
  bool ReadLenencString(std::string_view* v);
  bool ReadNulString(std::string_view* v);  // up to (not including) the next NUL
  std::string_view ReadRest();              // everything left (may be empty)
  bool Skip(size_t n);
  std::optional<uint8_t> PeekU8() const;

  size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
  bool at_end() const { return remaining() == 0; }
  bool ok() const { return ok_; }

 private:
  bool Need(size_t n);
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Appends protocol values to a payload string.
class PacketWriter {
 public:
  PacketWriter() = default;
  explicit PacketWriter(std::string* out) : out_(out) {}
  PacketWriter(const PacketWriter&) = delete;  // out_ may point into *this
  PacketWriter& operator=(const PacketWriter&) = delete;

  PacketWriter& U8(uint8_t v);
  PacketWriter& U16(uint16_t v);
  PacketWriter& U24(uint32_t v);
  PacketWriter& U32(uint32_t v);
  PacketWriter& U64(uint64_t v);
  PacketWriter& LenencInt(uint64_t v);
  PacketWriter& LenencString(std::string_view s);
  PacketWriter& NulString(std::string_view s);
  PacketWriter& Bytes(std::string_view s);
  PacketWriter& Zeros(size_t n);

  std::string& str() { return *out_; }
  std::string Take() { return std::move(*out_); }

 private:
  std::string own_;
  std::string* out_ = &own_;
};

// Size in bytes of the length-encoded form of `v`.
size_t LenencIntSize(uint64_t v);

}  // namespace strata::server::mysql
