// A SessionFactory/SessionHandler pair for protocol tests: two accounts (root/pw with both
// verifiers, nopass without a password, sha_only/shapw with only the caching_sha2
// verifier) and a handler that answers a few fixed queries.
#pragma once

#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include "server/mysql/auth.h"
#include "server/mysql/handler.h"

namespace strata::server::mysql::testing {

class FakeSession final : public SessionHandler {
 public:
  explicit FakeSession(std::string db) : db_(std::move(db)) {}

  QueryResponse Query(std::string_view sql, bool multi_statements) override {
    QueryResponse resp;
    std::vector<std::string_view> stmts;
    if (multi_statements) {
      size_t start = 0;
      while (start <= sql.size()) {
        size_t end = sql.find(';', start);
        if (end == std::string_view::npos) end = sql.size();
        std::string_view s = sql.substr(start, end - start);
        if (!s.empty()) stmts.push_back(s);
        start = end + 1;
      }
    } else {
      stmts.push_back(sql);
    }
    for (std::string_view s : stmts) {
      Result<StatementResult> r = One(s);
      if (!r.ok()) {
        resp.error = r.status();
        break;
      }
      resp.results.push_back(std::move(r).value());
    }
    return resp;
  }

  Status InitDb(std::string_view database) override {
    if (database != "test" && database != "other") {
      return Status::NotFound("Unknown database '" + std::string(database) + "'")
          .WithMysql(1049, "42000");
    }
    db_ = std::string(database);
    return Status::OK();
  }

  Result<std::vector<Column>> FieldList(std::string_view table) override {
    if (table != "t") {
      return Status::NotFound("Table 'test." + std::string(table) + "' doesn't exist")
          .WithMysql(1146, "42S02");
    }
    Column id{"id", "id", "t", "t", db_, FieldType::kLongLong, kNotNullFlag | kPriKeyFlag, 20, 0, 63};
    Column name{"name", "name", "t", "t", db_, FieldType::kVarString, 0, 400, 0, 45};
    return std::vector<Column>{id, name};
  }

  void Reset() override {
    in_trans_ = false;
    prepared_.clear();
  }

  // Prepared statements: the text is kept; "SELECT ?" echoes its parameter (as text, or
  // NULL), anything else runs as One() would.
  Result<PreparedInfo> Prepare(std::string_view sql) override {
    if (sql.starts_with("fail")) return One(sql).status();
    PreparedInfo info;
    info.id = next_id_++;
    for (char c : sql) info.param_count += c == '?';
    if (sql == "SELECT ?") {
      Column c;
      c.name = "?";
      info.columns = {c};
    } else if (Result<StatementResult> r = One(sql); r.ok() && r->is_result_set) {
      info.columns = r->columns;
    }
    prepared_[info.id] = std::string(sql);
    return info;
  }
  QueryResponse Execute(uint32_t id, const std::vector<ParamValue>& params) override {
    QueryResponse resp;
    auto it = prepared_.find(id);
    if (it == prepared_.end()) {
      resp.error = Status::NotFound("unknown").WithMysql(1243, "HY000");
      return resp;
    }
    if (it->second == "SELECT ?") {
      StatementResult r;
      r.is_result_set = true;
      Column c;
      c.name = "?";
      r.columns = {c};
      const ParamValue& p = params.at(0);
      std::optional<std::string> v;
      switch (p.kind) {
        case ParamValue::Kind::kNull: break;
        case ParamValue::Kind::kInt: v = std::to_string(p.int_value); break;
        case ParamValue::Kind::kUint: v = std::to_string(p.uint_value); break;
        case ParamValue::Kind::kDouble: v = std::to_string(p.double_value); break;
        default: v = p.text; break;
      }
      r.rows = {{v}};
      resp.results.push_back(std::move(r));
      return resp;
    }
    Result<StatementResult> r = One(it->second);
    if (!r.ok()) resp.error = r.status();
    else resp.results.push_back(std::move(r).value());
    return resp;
  }
  void CloseStatement(uint32_t id) override { prepared_.erase(id); }
  SessionStatus status() const override { return {in_trans_, true}; }

 private:
  Result<StatementResult> One(std::string_view sql) {
    StatementResult r;
    auto text_col = [](std::string name) {
      Column c;
      c.name = std::move(name);
      return c;
    };
    if (sql == "SELECT 1") {
      r.is_result_set = true;
      Column c = text_col("1");
      c.type = FieldType::kLongLong;
      c.charset = 63;
      r.columns = {c};
      r.rows = {{std::string("1")}};
    } else if (sql == "SELECT tracked") {  // a result set whose statement changed the session state
      r.is_result_set = true;
      Column c = text_col("1");
      c.type = FieldType::kLongLong;
      c.charset = 63;
      r.columns = {c};
      r.rows = {{std::string("1")}};
      r.state_changes = {{SessionStateChange::Type::kTransactionState, {}, "I_R___S_"}};
    } else if (sql == "SELECT NULL, 'a'") {
      r.is_result_set = true;
      r.columns = {text_col("NULL"), text_col("a")};
      r.rows = {{std::nullopt, std::string("a")}, {std::string(""), std::nullopt}};
    } else if (sql == "SELECT DATABASE()") {
      r.is_result_set = true;
      r.columns = {text_col("DATABASE()")};
      r.rows = {{db_.empty() ? std::nullopt : std::optional<std::string>(db_)}};
    } else if (sql.starts_with("big ")) {  // "big N": one value of N bytes
      size_t n = std::strtoull(std::string(sql.substr(4)).c_str(), nullptr, 10) % (64 << 20);
      r.is_result_set = true;
      r.columns = {text_col("big")};
      std::string v(n, 'x');
      for (size_t i = 0; i < n; i += 4093) v[i] = static_cast<char>('a' + (i % 26));
      r.rows = {{std::move(v)}};
    } else if (sql == "badrow") {  // a handler bug: 2 values for 1 column
      r.is_result_set = true;
      r.columns = {text_col("x")};
      r.rows = {{std::string("1"), std::string("2")}};
    } else if (sql.starts_with("INSERT")) {
      r.affected_rows = 3;
      r.last_insert_id = 42;
      r.warnings = 1;
      r.info = "Records: 3  Duplicates: 0  Warnings: 1";
    } else if (sql == "BEGIN") {
      in_trans_ = true;
    } else if (sql == "COMMIT") {
      in_trans_ = false;
    } else if (sql.starts_with("fail")) {
      return Status::InvalidArgument("You have an error in your SQL syntax")
          .WithMysql(1064, "42000");
    } else if (sql.starts_with("plainfail")) {
      return Status::Internal("boom");
    } else {
      r.affected_rows = 0;
    }
    return r;
  }

  std::string db_;
  bool in_trans_ = false;
  std::map<uint32_t, std::string> prepared_;
  uint32_t next_id_ = 1;
};

class FakeFactory final : public SessionFactory {
 public:
  FakeFactory() {
    accounts_["root"] = {"root", NativeVerifier("pw"), CachingSha2Verifier("pw")};
    accounts_["nopass"] = {"nopass", "", ""};
    accounts_["sha_only"] = {"sha_only", "", CachingSha2Verifier("shapw")};
    accounts_["native_only"] = {"native_only", NativeVerifier("npw"), ""};
  }
  std::optional<Account> FindAccount(std::string_view user, std::string_view) override {
    auto it = accounts_.find(std::string(user));
    if (it == accounts_.end()) return std::nullopt;
    return it->second;
  }
  Result<std::unique_ptr<SessionHandler>> OpenSession(const Account&, std::string_view,
                                                      std::string_view database,
                                                      uint32_t connection_id) override {
    if (!database.empty() && database != "test" && database != "other") {
      return Status::NotFound("Unknown database '" + std::string(database) + "'")
          .WithMysql(1049, "42000");
    }
    return std::unique_ptr<SessionHandler>(std::make_unique<FakeSession>(std::string(database)));
  }

 private:
  std::map<std::string, Account> accounts_;
};

}  // namespace strata::server::mysql::testing
