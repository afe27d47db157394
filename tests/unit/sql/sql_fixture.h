// The in-process SQL fixture shared by the SQL tests: sql::Session over a real TxnManager +
// LSM engine in a temp dir, with a proposer that applies each WriteSet at once (a Raft log
// of one, without the disk).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <mutex>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "io/io.h"
#include "sql/parser/parser.h"
#include "sql/sql.h"
#include "storage/lsm/engine_impl.h"
#include "txn/apply.h"
#include "txn/transaction.h"
#include "../txn/direct_proposer.h"

namespace strata::sql {

using DirectProposer = txn::testing::DirectProposer;

class SqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/sql_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    sched_ = std::move(io::Scheduler::Create({})).value();
    storage::lsm::LsmOptions o;
    o.dir = dir_;
    o.scheduler = sched_.get();
    o.memtable_bytes = 1 << 20;
    engine_ = std::move(storage::lsm::OpenLsmEngine(o)).value();
    proposer_ = std::make_unique<DirectProposer>(engine_.get());
    txns_ = std::make_unique<txn::TxnManager>(engine_.get(), proposer_.get());
    SqlEngineOptions options;
    options.txn = txns_.get();
    options.engine = engine_.get();
    options.server_version = "8.0.36-strata";
    sql_ = std::make_unique<SqlEngine>(options);
    s_ = NewSession();
    Ok("CREATE DATABASE d");
    Ok("USE d");
  }
  void TearDown() override {
    sessions_.clear();
    sql_.reset();
    txns_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  Session* NewSession() {
    sessions_.push_back(std::make_unique<Session>(sql_.get(), "root", "localhost",
                                                  static_cast<uint32_t>(sessions_.size() + 1)));
    return sessions_.back().get();
  }

  // Runs every statement of `sql`; the result of the last one.
  static Result<QueryResult> Run(Session* s, std::string_view sql) {
    STRATA_ASSIGN_OR_RETURN(std::vector<ast::StatementPtr> stmts, Parse(sql));
    QueryResult last;
    for (const ast::StatementPtr& stmt : stmts) {
      STRATA_ASSIGN_OR_RETURN(last, s->Execute(*stmt));
    }
    return last;
  }
  QueryResult Ok(std::string_view sql) { return Ok(s_, sql); }
  QueryResult Ok(Session* s, std::string_view sql) {
    auto r = Run(s, sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? std::move(*r) : QueryResult();
  }
  // Rows as "a,b|c,d" (NULL for NULL); an error as "ERROR <errno> (<sqlstate>): <message>".
  std::string Q(std::string_view sql) { return Q(s_, sql); }
  static std::string Q(Session* s, std::string_view sql) { return Text(Run(s, sql)); }
  // A result as Q shows it.
  static std::string Text(const Result<QueryResult>& r) {
    if (!r.ok())
      return fmt::format("ERROR {} ({}): {}", r.status().mysql_errno(), r.status().sqlstate(), r.status().message());
    std::string out;
    for (size_t i = 0; i < r->rows.size(); i++) {
      if (i) out += '|';
      for (size_t j = 0; j < r->rows[i].size(); j++) {
        if (j) out += ',';
        out += r->rows[i][j].ToText().value_or("NULL");
      }
    }
    return out;
  }
  std::string E(std::string_view sql) { return E(s_, sql); }
  static std::string E(Session* s, std::string_view sql) {
    auto r = Run(s, sql);
    if (r.ok()) return "no error";
    return fmt::format("ERROR {} ({}): {}", r.status().mysql_errno(), r.status().sqlstate(), r.status().message());
  }

  std::string dir_;
  std::unique_ptr<io::Scheduler> sched_;
  std::unique_ptr<storage::lsm::LsmEngine> engine_;
  std::unique_ptr<DirectProposer> proposer_;
  std::unique_ptr<txn::TxnManager> txns_;
  std::unique_ptr<SqlEngine> sql_;
  std::vector<std::unique_ptr<Session>> sessions_;
  Session* s_ = nullptr;
};

}  // namespace strata::sql
