// The boundary between the MySQL protocol (this folder) and what answers queries (the
// session layer above it, src/server/session*). The protocol code knows packets,
// handshakes, authentication and result-set encoding; it never parses SQL. A
// SessionHandler knows SQL and transactions; it never sees a packet.
//
// One SessionHandler per client connection, created after authentication succeeds and
// destroyed when the connection closes. Its methods are called from one thread at a time
// (the connection's), and may block (a COMMIT waits for Raft).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/memory_budget.h"
#include "common/status.h"

namespace strata::server::mysql {

// MySQL column types (protocol "enum_field_types") used by result sets.
enum class FieldType : uint8_t {
  kDecimal = 0x00, kTiny = 0x01, kShort = 0x02, kLong = 0x03, kFloat = 0x04,
  kDouble = 0x05, kNull = 0x06, kTimestamp = 0x07, kLongLong = 0x08, kInt24 = 0x09,
  kDate = 0x0a, kTime = 0x0b, kDateTime = 0x0c, kYear = 0x0d, kVarchar = 0x0f,
  kBit = 0x10, kJson = 0xf5, kNewDecimal = 0xf6, kEnum = 0xf7, kSet = 0xf8, kTinyBlob = 0xf9,
  kMediumBlob = 0xfa, kLongBlob = 0xfb, kBlob = 0xfc, kVarString = 0xfd, kString = 0xfe,
  kGeometry = 0xff,
};

// Column definition flags (subset).
enum ColumnFlag : uint16_t {
  kNotNullFlag = 1, kPriKeyFlag = 2, kUniqueKeyFlag = 4, kMultipleKeyFlag = 8,
  kBlobFlag = 16, kUnsignedFlag = 32, kZerofillFlag = 64, kBinaryFlag = 128, kEnumFlag = 256,
  kAutoIncrementFlag = 512, kSetFlag = 2048, kPartKeyFlag = 16384, kNumFlag = 32768,
};

struct Column {
  std::string name;            // as the client shows it (alias or expression text)
  std::string org_name;        // underlying column, empty for expressions
  std::string table;           // alias of the table, empty for expressions
  std::string org_table;
  std::string schema;
  FieldType type = FieldType::kVarString;
  uint16_t flags = 0;
  uint32_t length = 0;         // display length in bytes
  uint8_t decimals = 0;        // 0x1f for "not fixed" (floats, strings)
  uint16_t charset = 45;       // utf8mb4_general_ci; 63 (binary) for numbers
};

// One row of a text result set: nullopt is SQL NULL; otherwise the value in MySQL's text
// form ("42", "1.5", "2026-11-25 10:00:00", raw bytes for strings).
using TextRow = std::vector<std::optional<std::string>>;

// CLIENT_SESSION_TRACK: one change a statement made to the session, reported in its OK
// packet (the session state information block; docs/mysql_protocol.md).
struct SessionStateChange {
  enum class Type : uint8_t {
    kSystemVariable = 0, kSchema = 1, kStateChange = 2, kTransactionCharacteristics = 4, kTransactionState = 5,
  };
  Type type = Type::kStateChange;
  std::string name;   // kSystemVariable: the variable
  std::string value;  // its value; the schema; "1"; the characteristics; the 8-character state
};

// The outcome of one statement.
struct StatementResult {
  bool is_result_set = false;
  std::vector<Column> columns;  // is_result_set only
  std::vector<TextRow> rows;    // is_result_set only
  // OK packet fields (statements without a result set).
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  uint16_t warnings = 0;
  std::string info;             // e.g. "Records: 3  Duplicates: 0  Warnings: 0"
  // Only when the client negotiated CLIENT_SESSION_TRACK (sent with an OK packet).
  std::vector<SessionStateChange> state_changes;
};

// A parameter value of COM_STMT_EXECUTE, decoded from its binary form (binary_protocol.h).
struct ParamValue {
  enum class Kind : uint8_t {
    kNull,
    kInt,       // int_value: TINY / SHORT / LONG / LONGLONG / YEAR (signed)
    kUint,      // uint_value: the same types with the unsigned flag
    kDouble,    // double_value: FLOAT, DOUBLE
    kDecimal,   // text: DECIMAL / NEWDECIMAL as the client wrote it ("-12.50")
    kString,    // text: the bytes of a string or blob (also from COM_STMT_SEND_LONG_DATA)
    kTemporal,  // text: "YYYY-MM-DD", "YYYY-MM-DD hh:mm:ss[.ffffff]" or "[-]h:mm:ss[.ffffff]"
  };
  Kind kind = Kind::kNull;
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  double double_value = 0;
  std::string text;
};

// What COM_STMT_PREPARE answers: the statement's id, its ? count and the columns it returns
// (empty: no result set).
struct PreparedInfo {
  uint32_t id = 0;
  uint16_t param_count = 0;
  std::vector<Column> columns;
};

// Session state the protocol needs to report in OK/EOF status flags.
struct SessionStatus {
  bool in_transaction = false;
  bool autocommit = true;
  bool no_backslash_escapes = false;  // sql_mode NO_BACKSLASH_ESCAPES: '\\' is an ordinary character
};

class SessionHandler {
 public:
  virtual ~SessionHandler() = default;

  // COM_QUERY. `sql` may hold several statements separated by ';' only when the client
  // negotiated CLIENT_MULTI_STATEMENTS (`multi_statements`); the handler returns one
  // result per statement executed, stopping at the first error. An error is returned as
  // the last element's status via `error`: results before it are sent, then the ERR
  // packet. The Status carries the MySQL errno and SQLSTATE (Status::WithMysql); an error
  // without them is sent as 1105 (ER_UNKNOWN_ERROR, HY000).
  struct QueryResponse {
    std::vector<StatementResult> results;
    Status error;  // OK: all statements succeeded
    MemoryCharge memory;  // what `results` hold, released with the response once it is sent
  };
  virtual QueryResponse Query(std::string_view sql, bool multi_statements) = 0;

  // COM_INIT_DB: like USE. Error 1049 (ER_BAD_DB_ERROR, 42000) when the database is unknown.
  virtual Status InitDb(std::string_view database) = 0;

  // COM_FIELD_LIST: the columns of `table` in the current database (rows unused).
  virtual Result<std::vector<Column>> FieldList(std::string_view table) = 0;

  // COM_RESET_CONNECTION: roll back, reset session variables, close prepared statements;
  // keep user and database.
  virtual void Reset() = 0;

  // COM_STMT_PREPARE: parses `sql` (one statement) and keeps it. Errors as Query's, plus
  // 1461 past max_prepared_stmt_count.
  virtual Result<PreparedInfo> Prepare(std::string_view sql) = 0;
  // COM_STMT_EXECUTE: runs statement `id` with one value per placeholder; the response holds
  // one result or an error (1243 for an unknown id, 1210 for a wrong value count).
  virtual QueryResponse Execute(uint32_t id, const std::vector<ParamValue>& params) = 0;
  // COM_STMT_CLOSE (and the end of the connection): forgets statement `id`, if any.
  virtual void CloseStatement(uint32_t id) = 0;
  // The client's capability flags, once negotiated (CLIENT_FOUND_ROWS changes what an
  // UPDATE reports as affected rows).
  virtual void SetClientCapabilities(uint32_t capabilities) { (void)capabilities; }
  // The collation id of the client's HandshakeResponse (collation_connection).
  virtual void SetClientCollation(uint16_t id) { (void)id; }
  // CLIENT_SESSION_TRACK: what the last COM_INIT_DB changed (the schema), for its OK packet.
  virtual std::vector<SessionStateChange> TakeStateChanges() { return {}; }
  // LOAD DATA LOCAL INFILE, for a client that sent CLIENT_LOCAL_FILES: `open(name)` sends
  // the client the request for file `name` and returns a function giving the file's
  // contents chunk by chunk ("" at the end). Valid during Query() only.
  using LocalFileOpener =
      std::function<Result<std::function<Result<std::string>()>>(std::string_view name)>;
  virtual void SetLocalFiles(LocalFileOpener open) { (void)open; }

  virtual SessionStatus status() const = 0;
};

// Accounts: the protocol layer verifies passwords with these verifiers (never plaintext).
struct Account {
  std::string user;
  std::string native_hash;  // "*" + HEX(SHA1(SHA1(pw))), empty = no password
  std::string sha256_hash;  // hex(SHA256(SHA256(pw))), empty = no password
  std::string host = "%";   // the account's host part ('u'@'host'), as the factory matched it
  bool require_ssl = false; // REQUIRE SSL: refused (1045) over a connection without TLS
  bool locked = false;      // ACCOUNT LOCK: refused (3118)
};

// What the server asks of the layer above at connection time.
class SessionFactory {
 public:
  virtual ~SessionFactory() = default;
  // The account a client `user` connecting from `peer_host` logs in as, or nullopt
  // (access denied, error 1045).
  virtual std::optional<Account> FindAccount(std::string_view user, std::string_view peer_host) = 0;
  // Opens a session for an authenticated account; `database` is the connect-time schema
  // (empty: none). An error (unknown database: 1049, no access to it: 1044) is sent to the
  // client and the connection closes.
  virtual Result<std::unique_ptr<SessionHandler>> OpenSession(const Account& account, std::string_view peer_host,
                                                              std::string_view database,
                                                              uint32_t connection_id) = 0;
};

}  // namespace strata::server::mysql
