#include "server/sql_session.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "obs/json.h"
#include "obs/log.h"
#include "server/mysql/protocol.h"
#include "server/session_track.h"
#include "sql/errors.h"
#include "sql/parser/parser.h"

namespace strata::server {
namespace {

using mysql::FieldType;

// A table column's metadata as MySQL sends it (checked against MariaDB's in
// tests/integration/test_column_metadata.py): its real type and display length in bytes
// (utf8mb4: 4 per character), BLOB for the TEXT types, ENUM/SET, YEAR, TIMESTAMP, and the key
// flags. Numeric table columns carry no BINARY flag (expressions do).
void DescribeTableColumn(const sql::TableSchema& table, uint32_t column, mysql::Column* out) {
  const sql::ColumnType& ct = table.columns[column].type;
  using TK = sql::ast::TypeKind;
  const bool u = ct.is_unsigned;
  auto text = [&](FieldType type, uint64_t chars) {
    out->type = type;
    out->length = static_cast<uint32_t>(std::min<uint64_t>(chars * 4, UINT32_MAX));
    out->decimals = 0;
  };
  auto blob = [&](uint64_t bytes) {
    out->type = FieldType::kBlob;
    out->length = static_cast<uint32_t>(std::min<uint64_t>(bytes, UINT32_MAX));
    out->flags |= mysql::kBlobFlag;
    out->decimals = 0;
  };
  switch (ct.kind) {
    case TK::kTinyInt: out->type = FieldType::kTiny; out->length = ct.is_boolean || ct.length == 1 ? 1 : u ? 3 : 4; break;
    case TK::kSmallInt: out->type = FieldType::kShort; out->length = u ? 5 : 6; break;
    case TK::kMediumInt: out->type = FieldType::kInt24; out->length = u ? 8 : 9; break;
    case TK::kInt: out->type = FieldType::kLong; out->length = u ? 10 : 11; break;
    case TK::kBigInt: out->type = FieldType::kLongLong; out->length = 20; break;
    case TK::kYear:
      out->type = FieldType::kYear;
      out->length = 4;
      out->flags |= mysql::kUnsignedFlag | mysql::kZerofillFlag;
      break;
    case TK::kFloat: case TK::kDouble:
      // A FLOAT's text is cut to 6 significant digits by the text protocol (result_writer.h).
      out->type = ct.kind == TK::kFloat ? FieldType::kFloat : FieldType::kDouble;
      out->length = ct.fixed_decimals ? ct.length : ct.kind == TK::kFloat ? 12 : 22;
      out->decimals = ct.fixed_decimals ? static_cast<uint8_t>(ct.scale) : 31;
      break;
    case TK::kDecimal:
      out->length = ct.length + (ct.scale > 0 ? 1 : 0) + (u ? 0 : 1);
      break;
    case TK::kChar: text(FieldType::kString, ct.length); break;
    case TK::kVarchar: text(FieldType::kVarString, ct.length); break;
    case TK::kBinary: case TK::kVarbinary:
      out->type = ct.kind == TK::kBinary ? FieldType::kString : FieldType::kVarString;
      out->length = ct.length;
      out->flags = static_cast<uint16_t>((out->flags & ~mysql::kBlobFlag) | mysql::kBinaryFlag);
      out->decimals = 0;
      break;
    case TK::kTinyText: blob(255 * 4); break;
    case TK::kText: blob(65535 * 4); break;
    case TK::kMediumText: blob(16777215ull * 4); break;
    case TK::kLongText: case TK::kJson: blob(4294967295ull); break;
    case TK::kTinyBlob: blob(255); break;
    case TK::kBlob: blob(65535); break;
    case TK::kMediumBlob: blob(16777215); break;
    case TK::kLongBlob: blob(4294967295ull); break;
    case TK::kEnum: case TK::kSet: {
      uint64_t chars = 0;
      for (size_t i = 0; i < ct.enum_values.size(); i++) {
        uint64_t n = ct.enum_values[i].size();
        chars = ct.kind == TK::kEnum ? std::max(chars, n) : chars + n + (i ? 1 : 0);
      }
      text(FieldType::kString, chars);
      out->flags |= ct.kind == TK::kEnum ? mysql::kEnumFlag : mysql::kSetFlag;
      break;
    }
    case TK::kTimestamp:
      out->type = FieldType::kTimestamp;
      out->flags |= mysql::kUnsignedFlag;
      break;
    default: break;
  }
  if (ct.IsInteger() || ct.kind == TK::kFloat || ct.kind == TK::kDouble || ct.kind == TK::kDecimal ||
      ct.kind == TK::kYear)
    out->flags &= static_cast<uint16_t>(~mysql::kBinaryFlag);
  // UNIQUE_KEY for a column that is a one-column unique key, MULTIPLE_KEY for the first
  // column of a non-unique (or several-column) key, PART_KEY for any column of any key.
  bool in_key = std::find(table.primary.columns.begin(), table.primary.columns.end(), column) != table.primary.columns.end();
  for (const sql::IndexSchema& index : table.indexes) {
    if (std::find(index.columns.begin(), index.columns.end(), column) != index.columns.end()) in_key = true;
    if (index.columns.empty() || index.columns[0] != column) continue;
    out->flags |= index.unique && index.columns.size() == 1 ? mysql::kUniqueKeyFlag : mysql::kMultipleKeyFlag;
  }
  if (in_key) out->flags |= mysql::kPartKeyFlag;
}

mysql::Column ToColumn(const sql::ResultColumn& c) {
  mysql::Column out;
  out.name = c.name;
  out.org_name = c.org_name;
  out.table = c.table;
  out.org_table = c.org_table;
  out.schema = c.schema;
  const sql::OutType& t = c.type;
  bool numeric = true;
  switch (t.kind) {
    case sql::OutKind::kNull: out.type = FieldType::kNull; break;
    case sql::OutKind::kInt: out.type = FieldType::kLongLong; out.length = t.length ? t.length : 20; break;
    case sql::OutKind::kUint: out.type = FieldType::kLongLong; out.length = 20; out.flags |= mysql::kUnsignedFlag; break;
    case sql::OutKind::kDouble:  // a FLOAT's text is cut to 6 significant digits (result_writer.h)
      out.type = t.single_precision ? FieldType::kFloat : FieldType::kDouble;
      out.length = t.single_precision ? 12 : 22;
      out.decimals = 31;
      break;
    case sql::OutKind::kDecimal:
      out.type = FieldType::kNewDecimal;
      out.decimals = t.decimals;
      out.length = (t.length ? t.length : 65) + 2;
      break;
    case sql::OutKind::kDate: out.type = FieldType::kDate; out.length = 10; numeric = false; break;
    case sql::OutKind::kDateTime:  // DATETIME(fsp): 19 characters, and "." and fsp digits
      out.type = FieldType::kDateTime;
      out.decimals = std::min<uint8_t>(t.decimals, 6);
      out.length = 19 + (out.decimals ? out.decimals + 1u : 0u);
      numeric = false;
      break;
    case sql::OutKind::kTime:
      out.type = FieldType::kTime;
      out.decimals = std::min<uint8_t>(t.decimals, 6);
      out.length = 10 + (out.decimals ? out.decimals + 1u : 0u);
      numeric = false;
      break;
    case sql::OutKind::kBlob: out.type = FieldType::kBlob; out.length = 65535; out.flags |= mysql::kBlobFlag | mysql::kBinaryFlag; numeric = false; break;
    case sql::OutKind::kString: case sql::OutKind::kJson:  // JSON goes out as text, as MariaDB sends it
      out.type = FieldType::kVarString;
      out.length = (t.length ? t.length : 255) * 4;
      out.decimals = 0x1f;
      numeric = false;
      break;
  }
  bool temporal = t.kind == sql::OutKind::kDate || t.kind == sql::OutKind::kDateTime || t.kind == sql::OutKind::kTime;
  out.charset = numeric || temporal || t.kind == sql::OutKind::kBlob ? sql::kCollationBinary : sql::kDefaultCollation;
  if (out.charset != sql::kCollationBinary && t.table != nullptr && t.column >= 0 &&
      static_cast<size_t>(t.column) < t.table->columns.size() && t.table->columns[t.column].type.IsText())
    out.charset = t.table->columns[t.column].type.CollationId();  // a column: its collation
  if (numeric && t.kind != sql::OutKind::kNull) out.flags |= mysql::kNumFlag | mysql::kBinaryFlag;
  if (temporal) out.flags |= mysql::kBinaryFlag;
  // Only where the column's declared type is what the value is (a virtual table such as
  // information_schema's may declare its columns loosely).
  if (t.table && t.column >= 0 && sql::OutTypeOfColumn(*t.table, static_cast<uint32_t>(t.column)).kind == t.kind)
    DescribeTableColumn(*t.table, static_cast<uint32_t>(t.column), &out);
  if (t.not_null) out.flags |= mysql::kNotNullFlag;
  if (c.primary_key) out.flags |= mysql::kPriKeyFlag;
  if (c.auto_increment) out.flags |= mysql::kAutoIncrementFlag;
  if (c.is_unsigned) out.flags |= mysql::kUnsignedFlag;
  return out;
}

class SqlSessionHandler : public mysql::SessionHandler {
 public:
  SqlSessionHandler(std::unique_ptr<sql::Session> session, SlowQueryLog* slow_log,
                    const SqlSessionFactory::Metrics* metrics, MemoryBudget* memory)
      : session_(std::move(session)), tracker_(session_.get()), slow_log_(slow_log), metrics_(metrics),
        memory_(memory) {}

  QueryResponse Query(std::string_view text, bool multi_statements) override {
    QueryResponse response;
    response.memory = MemoryCharge(memory_);
    Result<std::vector<sql::ast::StatementPtr>> parsed = sql::Parse(text, session_->parse_options());
    if (!parsed.ok()) {
      response.error = parsed.status();
      CountError(response.error);
      return response;
    }
    if (parsed->size() > 1 && !multi_statements) {
      // Without CLIENT_MULTI_STATEMENTS a second statement is a syntax error, as in MySQL.
      std::string_view rest = (*parsed)[1]->text;
      response.error = Status::InvalidArgument(fmt::format(
                           "You have an error in your SQL syntax; check the manual that corresponds to your "
                           "MySQL server version for the right syntax to use near '{}' at line 1",
                           rest.substr(0, 80)))
                           .WithMysql(1064, "42000");
      CountError(response.error);
      return response;
    }
    for (const auto& stmt : *parsed) {
      if (!RunTracked(*stmt, [&] { return Run(*stmt); }, &response)) return response;
    }
    return response;
  }

  Status InitDb(std::string_view database) override {
    if (tracker_.enabled()) tracker_.Before();
    STRATA_RETURN_IF_ERROR(session_->Use(database));
    if (tracker_.enabled())
      init_db_changes_ = tracker_.After(sql::ast::Statement(sql::ast::StatementKind::kUse), false, true);
    return Status::OK();
  }
  std::vector<mysql::SessionStateChange> TakeStateChanges() override { return std::move(init_db_changes_); }
  void SetLocalFiles(LocalFileOpener open) override { session_->set_local_files(std::move(open)); }

  Result<std::vector<mysql::Column>> FieldList(std::string_view table) override {
    STRATA_ASSIGN_OR_RETURN(auto schema, session_->DescribeTable(table));
    std::vector<mysql::Column> out;
    for (uint32_t i = 0; i < schema->columns.size(); i++) {
      sql::ResultColumn c;
      c.name = c.org_name = schema->columns[i].name;
      c.table = c.org_table = schema->name;
      c.schema = schema->database;
      c.type = sql::OutTypeOfColumn(*schema, i);
      c.auto_increment = schema->columns[i].auto_increment;
      c.is_unsigned = schema->columns[i].type.is_unsigned;
      for (uint32_t pk : schema->primary.columns) c.primary_key = c.primary_key || pk == i;
      out.push_back(ToColumn(c));
    }
    return out;
  }

  void Reset() override {
    session_->Reset();
    tracker_.Reset();
  }

  Result<mysql::PreparedInfo> Prepare(std::string_view sql) override {
    Result<sql::PreparedDescription> d = session_->Prepare(sql);
    if (!d.ok()) {
      CountError(d.status());
      return d.status();
    }
    mysql::PreparedInfo info;
    info.id = d->id;
    info.param_count = static_cast<uint16_t>(d->param_count);  // Prepare refuses more than 65535
    for (const sql::ResultColumn& c : d->columns) info.columns.push_back(ToColumn(c));
    return info;
  }

  QueryResponse Execute(uint32_t id, const std::vector<mysql::ParamValue>& params) override {
    QueryResponse response;
    response.memory = MemoryCharge(memory_);
    const sql::ast::Statement* stmt = session_->PreparedStatement(id);
    if (stmt == nullptr) {
      response.error = sql::ErrUnknownStmtHandler(std::to_string(id), "mysqld_stmt_execute");
      CountError(response.error);
      return response;
    }
    std::vector<sql::Value> values;
    values.reserve(params.size());
    for (const mysql::ParamValue& p : params) values.push_back(ToValue(p));
    RunTracked(*stmt, [&] {
      return Run(*stmt, [&] { return session_->ExecutePrepared(id, std::move(values), "mysqld_stmt_execute"); });
    }, &response);
    return response;
  }

  // Runs one statement and appends its result, with what it changed in the session when the
  // client tracks that (CLIENT_SESSION_TRACK); false when it failed.
  template <typename RunStatement>
  bool RunTracked(const sql::ast::Statement& stmt, RunStatement run, QueryResponse* response) {
    if (!tracker_.enabled()) return Append(run(), response);
    tracker_.Before();
    if (!Append(run(), response)) return false;
    mysql::StatementResult& result = response->results.back();
    std::vector<mysql::SessionStateChange> changes =
        tracker_.After(stmt, result.is_result_set, !result.is_result_set || deprecate_eof_);
    result.state_changes = std::move(changes);
    return true;
  }

  // Adds one statement's result to `response` in protocol form; false (and the error set)
  // when the statement or the conversion failed.
  bool Append(Result<sql::QueryResult> result, QueryResponse* response) {
    if (!result.ok()) {
      response->error = result.status();
      return false;
    }
    Result<mysql::StatementResult> converted = ToProtocolResult(std::move(*result), &response->memory);
    if (!converted.ok()) {
      response->error = converted.status();
      CountError(response->error);
      return false;
    }
    response->results.push_back(std::move(converted).value());
    return true;
  }

  void CloseStatement(uint32_t id) override { session_->ClosePrepared(id); }

  void SetClientCapabilities(uint32_t capabilities) override {
    session_->set_client_found_rows((capabilities & mysql::kClientFoundRows) != 0);
    if (capabilities & mysql::kClientSessionTrack) tracker_.Enable();
    deprecate_eof_ = (capabilities & mysql::kClientDeprecateEof) != 0;
  }

  void SetClientCollation(uint16_t id) override { session_->set_connection_collation(id); }

  mysql::SessionStatus status() const override {
    return {session_->in_transaction(), session_->autocommit(), session_->no_backslash_escapes()};
  }

 private:
  // A COM_STMT_EXECUTE parameter as an SQL value: temporal values as their text (how the
  // SQL layer holds them), a DECIMAL as an exact decimal when it reads as one.
  static sql::Value ToValue(const mysql::ParamValue& p) {
    using Kind = mysql::ParamValue::Kind;
    switch (p.kind) {
      case Kind::kNull: return sql::Value::Null();
      case Kind::kInt: return sql::Value::Int(p.int_value);
      case Kind::kUint: return sql::Value::Uint(p.uint_value);
      case Kind::kDouble: return sql::Value::Double(p.double_value);
      case Kind::kDecimal: {
        Result<sql::Decimal> d = sql::Decimal::Parse(p.text);
        return d.ok() ? sql::Value::Dec(*d) : sql::Value::String(p.text);
      }
      case Kind::kString: case Kind::kTemporal: return sql::Value::String(p.text);
    }
    return sql::Value::Null();
  }

  Result<sql::QueryResult> Run(const sql::ast::Statement& stmt) {
    return Run(stmt, [&] { return session_->Execute(stmt); });
  }

  // Runs `execute` (which executes `stmt`), recording its latency, kind, errors and the
  // slow-query log line.
  template <typename Execute>
  Result<sql::QueryResult> Run(const sql::ast::Statement& stmt, Execute execute) {
    auto start = std::chrono::steady_clock::now();
    Result<sql::QueryResult> result = execute();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string kind(sql::StatementKindName(stmt));
    metrics_->latency->With({kind}).Observe(seconds);
    metrics_->statements->With({kind}).Inc();
    if (!result.ok()) CountError(result.status());
    if (slow_log_ && seconds >= session_->long_query_time() && stmt.kind != sql::ast::StatementKind::kEmpty &&
        session_->slow_query_log()) {
      metrics_->slow_queries->Inc();
      const int64_t now = static_cast<int64_t>(std::time(nullptr));
      auto line = [&](std::string_view statement) {
        return obs::JsonObject()
            .Add("ts", now)
            .Add("user", std::string_view(session_->user()))
            .Add("connection_id", static_cast<uint64_t>(session_->connection_id()))
            .Add("db", std::string_view(session_->database()))
            .Add("query_time", seconds)
            .Add("rows_examined", result.ok() ? result->rows_examined : uint64_t{0})
            .Add("rows_sent", result.ok() ? static_cast<uint64_t>(result->rows.size()) : uint64_t{0})
            .Add("error", static_cast<int64_t>(result.ok() ? 0 : result.status().mysql_errno()))
            .Add("statement", statement)
            .Finish();
      };
      const std::string text = sql::TextForLogs(stmt);
      std::string full = line(text);
      // The in-memory copy (the web console's) keeps a bounded prefix of a long statement.
      std::string shown = text.size() > SlowQueryLog::kShownStatementBytes
                              ? line(ShortenForDisplay(text, SlowQueryLog::kShownStatementBytes))
                              : full;
      slow_log_->Write(full, std::move(shown));
    }
    return result;
  }

  void CountError(const Status& s) {
    metrics_->errors->With({std::to_string(s.mysql_errno() ? s.mysql_errno() : 1105)}).Inc();
  }

  std::unique_ptr<sql::Session> session_;
  SessionTracker tracker_;
  bool deprecate_eof_ = false;  // a result set ends with an OK packet (which carries session state)
  std::vector<mysql::SessionStateChange> init_db_changes_;  // COM_INIT_DB's, until taken
  SlowQueryLog* slow_log_;
  const SqlSessionFactory::Metrics* metrics_;
  MemoryBudget* memory_;
};

}  // namespace

Result<mysql::StatementResult> ToProtocolResult(sql::QueryResult&& result, MemoryCharge* memory) {
  mysql::StatementResult out;
  out.is_result_set = result.has_rows;
  out.affected_rows = result.affected_rows;
  out.last_insert_id = result.last_insert_id;
  out.warnings = result.warnings;
  out.info = result.info;
  if (!result.has_rows) return out;
  for (const auto& c : result.columns) out.columns.push_back(ToColumn(c));
  out.rows.reserve(result.rows.size());
  uint64_t bytes = 0;
  for (sql::Row& row : result.rows) {
    mysql::TextRow text;
    text.reserve(row.size());
    for (size_t i = 0; i < row.size(); i++) {
      sql::Value& v = row[i];
      // FLOAT(M,D)/DOUBLE(M,D) columns show exactly D decimals ("1.00"), in both protocols.
      const mysql::Column* col = i < out.columns.size() ? &out.columns[i] : nullptr;
      if (v.kind() == sql::ValueKind::kDouble && col && col->decimals < 31 &&
          (col->type == FieldType::kFloat || col->type == FieldType::kDouble))
        text.push_back(fmt::format("{:.{}f}", v.double_value(), col->decimals));
      else if (v.kind() == sql::ValueKind::kString)
        text.push_back(std::move(v).TakeString());  // a LONGBLOB is moved, not copied
      else
        text.push_back(v.ToText());
      // The value and its text: each about the text's length plus its own bookkeeping.
      bytes += 2 * (text.back() ? text.back()->size() : 0) + sizeof(sql::Value) + sizeof(text.back());
    }
    out.rows.push_back(std::move(text));
    if (memory != nullptr && !memory->GrowTo(bytes, 1 << 20)) {
      return ErrOutOfSessionMemory(*memory->budget(),
                                   fmt::format("a result set of {} rows (over {} bytes so far)", result.rows.size(), bytes),
                                   "nothing was sent");
    }
  }
  return out;
}

Result<std::unique_ptr<SlowQueryLog>> SlowQueryLog::Open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return Status::FromErrno(errno, "open slow-query log " + path);
  return std::unique_ptr<SlowQueryLog>(new SlowQueryLog(f));
}

SlowQueryLog::~SlowQueryLog() { std::fclose(file_); }

std::string ShortenForDisplay(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) cut--;  // not inside a UTF-8 character
  return std::string(text.substr(0, cut)) + "\u2026";
}

void SlowQueryLog::Write(std::string_view json_line, std::string shown_line) {
  std::lock_guard lock(mu_);
  std::fwrite(json_line.data(), 1, json_line.size(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
  recent_.push_back(std::move(shown_line));
  if (recent_.size() > kRecent) recent_.pop_front();
}

std::string SlowQueryLog::RecentJson() const {
  std::lock_guard lock(mu_);
  std::string out = "[";
  for (const std::string& line : recent_) {
    if (out.size() > 1) out += ',';
    out += line;
  }
  return out + "]";
}

SqlSessionFactory::SqlSessionFactory(SessionFactoryOptions options) : options_(std::move(options)) {
  obs::Registry& r = options_.registry ? *options_.registry : obs::Registry::Default();
  metrics_.latency = &r.AddHistogramFamily("stratadb_query_duration_seconds",
                                           "Statement execution time by statement kind", {"kind"});
  metrics_.statements = &r.AddCounterFamily("stratadb_statements_total", "Statements executed by kind", {"kind"});
  metrics_.errors = &r.AddCounterFamily("stratadb_statement_errors_total",
                                        "Statements that failed, by MySQL error code", {"code"});
  metrics_.slow_queries = &r.AddCounter("stratadb_slow_queries_total",
                                        "Statements slower than long_query_time (written to the slow-query log)");
}

std::optional<mysql::Account> SqlSessionFactory::FindAccount(std::string_view user, std::string_view peer_host) {
  if (user == options_.root.user) return options_.root;
  Result<std::shared_ptr<const sql::UserAccount>> found = options_.engine->FindLoginAccount(user, peer_host);
  if (!found.ok()) {
    obs::Warn("mysql", "account lookup failed", {{"user", user}, {"error", found.status().ToString()}});
    return std::nullopt;
  }
  if (!*found) return std::nullopt;
  const sql::UserAccount& a = **found;
  mysql::Account account{a.user, a.native_hash, a.sha256_hash};
  account.host = a.host;
  account.require_ssl = a.require_ssl;
  account.locked = a.locked;
  return account;
}

Result<std::unique_ptr<mysql::SessionHandler>> SqlSessionFactory::OpenSession(const mysql::Account& account,
                                                                             std::string_view peer_host,
                                                                             std::string_view database,
                                                                             uint32_t connection_id) {
  // Loopback clients show as localhost, as MySQL shows them.
  if (peer_host.starts_with("::ffff:") && peer_host.find('.') != std::string_view::npos) peer_host.remove_prefix(7);
  std::string host = peer_host == "127.0.0.1" || peer_host == "::1" || peer_host.empty() ? "localhost" : std::string(peer_host);
  auto session = std::make_unique<sql::Session>(options_.engine, account.user, host, connection_id);
  if (account.user != options_.root.user) session->SetAccount(account.host);
  if (!database.empty()) STRATA_RETURN_IF_ERROR(session->Use(database));
  return std::unique_ptr<mysql::SessionHandler>(
      std::make_unique<SqlSessionHandler>(std::move(session), options_.slow_log, &metrics_, options_.memory));
}

}  // namespace strata::server
