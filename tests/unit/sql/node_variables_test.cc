// Node-level global variables (sql::NodeVariables, the I/O rate limits in a real node):
// SET GLOBAL reaches the node, @@name and SHOW GLOBAL VARIABLES read it, SET SESSION and
// bad values fail with MySQL's codes.
#include <map>

#include "sql_fixture.h"

namespace strata::sql {
namespace {

// Stands in for the node: two variables, -1..1000 allowed.
class FakeNodeVariables : public NodeVariables {
 public:
  std::vector<std::string> Names() const override {
    std::vector<std::string> out;
    for (const auto& [name, v] : values) out.push_back(name);
    return out;
  }
  std::optional<int64_t> Get(std::string_view name) const override {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
  Status Set(std::string_view name, int64_t value) override {
    if (value < -1 || value > 1000) {
      return Status::InvalidArgument(fmt::format("Variable '{}' can't be set to the value of '{}'", name, value))
          .WithMysql(1231, "42000");
    }
    values[std::string(name)] = value;
    sets++;
    return Status::OK();
  }
  std::map<std::string, int64_t> values = {{"compaction_rate_mb", 0}, {"flush_rate_mb", 0}};
  int sets = 0;
};

class NodeVariablesTest : public SqlTest {
 protected:
  void SetUp() override {
    SqlTest::SetUp();
    sessions_.clear();
    SqlEngineOptions options;
    options.txn = txns_.get();
    options.engine = engine_.get();
    options.server_version = "8.0.36-strata";
    options.node_variables = &vars_;
    sql_ = std::make_unique<SqlEngine>(options);
    s_ = NewSession();
  }
  FakeNodeVariables vars_;
};

TEST_F(NodeVariablesTest, SetGlobalReachesTheNode) {
  EXPECT_EQ(Q("SELECT @@compaction_rate_mb, @@global.flush_rate_mb"), "0,0");
  Ok("SET GLOBAL compaction_rate_mb = 100");
  EXPECT_EQ(vars_.values["compaction_rate_mb"], 100);
  Ok("SET @@global.flush_rate_mb = -1");
  EXPECT_EQ(vars_.values["flush_rate_mb"], -1);
  Ok("SET GLOBAL compaction_rate_mb = '25'");
  EXPECT_EQ(vars_.values["compaction_rate_mb"], 25);
  // Every session sees the node's value.
  Session* other = NewSession();
  EXPECT_EQ(Q(other, "SELECT @@compaction_rate_mb"), "25");
  EXPECT_EQ(Q(other, "SHOW GLOBAL VARIABLES LIKE '%rate_mb'"), "compaction_rate_mb,25|flush_rate_mb,-1");
  EXPECT_EQ(Q(other, "SHOW VARIABLES LIKE 'compaction_rate_mb'"), "compaction_rate_mb,25");
  // The node may change it by itself (admin API): SQL reads it from the node each time.
  vars_.values["compaction_rate_mb"] = 7;
  EXPECT_EQ(Q("SELECT @@global.compaction_rate_mb"), "7");
  // DEFAULT = 0 = auto.
  Ok("SET GLOBAL compaction_rate_mb = DEFAULT");
  EXPECT_EQ(vars_.values["compaction_rate_mb"], 0);
}

TEST_F(NodeVariablesTest, ErrorsUseMysqlCodes) {
  EXPECT_EQ(E("SET compaction_rate_mb = 5"),
            "ERROR 1229 (HY000): Variable 'compaction_rate_mb' is a GLOBAL variable and should be set with SET GLOBAL");
  EXPECT_EQ(E("SET SESSION compaction_rate_mb = 5"),
            "ERROR 1229 (HY000): Variable 'compaction_rate_mb' is a GLOBAL variable and should be set with SET GLOBAL");
  EXPECT_EQ(E("SET GLOBAL compaction_rate_mb = 1.5"),
            "ERROR 1232 (42000): Incorrect argument type to variable 'compaction_rate_mb'");
  EXPECT_EQ(E("SET GLOBAL compaction_rate_mb = 'fast'"),
            "ERROR 1232 (42000): Incorrect argument type to variable 'compaction_rate_mb'");
  EXPECT_EQ(E("SET GLOBAL compaction_rate_mb = 5000"),
            "ERROR 1231 (42000): Variable 'compaction_rate_mb' can't be set to the value of '5000'");
  EXPECT_EQ(vars_.sets, 0);
  EXPECT_EQ(vars_.values["compaction_rate_mb"], 0);
  // Other variables are unaffected by the hook.
  EXPECT_EQ(E("SET GLOBAL nope_rate_mb = 1"), "ERROR 1193 (HY000): Unknown system variable 'nope_rate_mb'");
  Ok("SET GLOBAL max_execution_time = 5");
  EXPECT_EQ(Q("SELECT @@global.max_execution_time"), "5");
}

}  // namespace
}  // namespace strata::sql
