#include "node/config.h"
#include "node/node.h"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

namespace strata::node {
namespace {

TEST(ConfigTest, TomlOverridesDefaults) {
  NodeConfig c;
  ASSERT_TRUE(ApplyConfigToml("port = 3307\nlog_format = \"text\"\ndata_dir = \"/tmp/x\"\n", "t.toml", &c).ok());
  EXPECT_EQ(c.port, 3307);
  EXPECT_EQ(c.log_format, obs::LogFormat::kText);
  EXPECT_EQ(c.data_dir, "/tmp/x");
  EXPECT_EQ(c.admin_port, 8080);
}

TEST(ConfigTest, UnknownKeyBadTypeAndBadTomlAreErrors) {
  NodeConfig c;
  Status s = ApplyConfigToml("prot = 3307\n", "t.toml", &c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("unknown key 'prot'"), std::string::npos) << s.ToString();
  EXPECT_FALSE(ApplyConfigToml("port = \"x\"\n", "t.toml", &c).ok());
  EXPECT_FALSE(ApplyConfigToml("port = 70000\n", "t.toml", &c).ok());
  EXPECT_FALSE(ApplyConfigToml("log_format = \"xml\"\n", "t.toml", &c).ok());
  s = ApplyConfigToml("port = = 1\n", "t.toml", &c);
  EXPECT_NE(s.message().find("t.toml:1:"), std::string::npos) << s.ToString();
}

TEST(ConfigTest, StorageDirectIo) {
  NodeConfig c;
  EXPECT_TRUE(c.storage_direct_io);
  ASSERT_TRUE(ApplyConfigToml("storage_direct_io = false\n", "t.toml", &c).ok());
  EXPECT_FALSE(c.storage_direct_io);
  EXPECT_FALSE(ApplyConfigToml("storage_direct_io = \"no\"\n", "t.toml", &c).ok());
}

TEST(ConfigTest, ClusterKeys) {
  NodeConfig c;
  EXPECT_TRUE(c.forward_to_leader);
  EXPECT_TRUE(c.advertise_addr.empty());
  ASSERT_TRUE(ApplyConfigToml("follower_requests = \"redirect\"\nadvertise_addr = \"db1.example\"\n", "t.toml", &c).ok());
  EXPECT_FALSE(c.forward_to_leader);
  EXPECT_EQ(c.advertise_addr, "db1.example");
  Status s = ApplyConfigToml("follower_requests = \"sideways\"\n", "t.toml", &c);
  EXPECT_NE(s.message().find("forward or redirect"), std::string::npos) << s.ToString();
  ConfigOverrides o;
  o.advertise_addr = "db1.example:3306";  // a host, not host:port
  EXPECT_EQ(LoadConfig(std::nullopt, o).status().code(), StatusCode::kInvalidArgument);
  o.advertise_addr = "fd00::1";  // IPv6 is a host
  o.follower_requests = "forward";
  Result<NodeConfig> ok = LoadConfig(std::nullopt, o);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->advertise_addr, "fd00::1");
  EXPECT_TRUE(ok->forward_to_leader);
}

TEST(ConfigTest, DefaultEngine) {
  NodeConfig c;
  EXPECT_FALSE(c.default_btree);  // the LSM
  ASSERT_TRUE(ApplyConfigToml("default_engine = \"btree\"\n", "t.toml", &c).ok());
  EXPECT_TRUE(c.default_btree);
  ASSERT_TRUE(ApplyConfigToml("default_engine = \"LSM\"\n", "t.toml", &c).ok());
  EXPECT_FALSE(c.default_btree);
  Status s = ApplyConfigToml("default_engine = \"innodb\"\n", "t.toml", &c);
  EXPECT_NE(s.message().find("lsm or btree"), std::string::npos) << s.ToString();
  ConfigOverrides o;
  o.default_engine = "btree";
  Result<NodeConfig> flag = LoadConfig(std::nullopt, o);
  ASSERT_TRUE(flag.ok()) << flag.status().ToString();
  EXPECT_TRUE(flag->default_btree);
  // The storage half of memory_limit_mb: three quarters to the default engine.
  flag->memory_limit_mb = 1024;
  EXPECT_EQ(SplitStorageMemory(*flag).btree_bytes, 384ull << 20);
  EXPECT_EQ(SplitStorageMemory(*flag).lsm_bytes, 128ull << 20);
}

TEST(ConfigTest, IoRateLimits) {
  NodeConfig c;
  EXPECT_EQ(c.flush_rate_mb, 0);  // auto
  EXPECT_EQ(c.compaction_rate_mb, 0);
  EXPECT_EQ(c.snapshot_rate_mb, 0);
  EXPECT_EQ(c.io_rate_max_mb, 0);
  ASSERT_TRUE(ApplyConfigToml("flush_rate_mb = -1\ncompaction_rate_mb = 100\nsnapshot_rate_mb = 5\n"
                              "io_rate_max_mb = 300\n", "t.toml", &c).ok());
  EXPECT_EQ(c.flush_rate_mb, -1);
  EXPECT_EQ(c.compaction_rate_mb, 100);
  EXPECT_EQ(c.snapshot_rate_mb, 5);
  EXPECT_EQ(c.io_rate_max_mb, 300);
  Status s = ApplyConfigToml("compaction_rate_mb = -2\n", "t.toml", &c);
  EXPECT_NE(s.message().find("'compaction_rate_mb' must be -1 (unlimited), 0 (auto)"), std::string::npos) << s.ToString();
  EXPECT_FALSE(ApplyConfigToml("io_rate_max_mb = -1\n", "t.toml", &c).ok());
  EXPECT_FALSE(ApplyConfigToml("flush_rate_mb = \"auto\"\n", "t.toml", &c).ok());
  EXPECT_FALSE(ApplyConfigToml("snapshot_rate_mb = 2000000\n", "t.toml", &c).ok());

  ConfigOverrides o;
  o.compaction_rate_mb = 42;
  o.io_rate_max_mb = 0;
  auto loaded = LoadConfig(std::nullopt, o);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->compaction_rate_mb, 42);
  o.snapshot_rate_mb = -5;
  loaded = LoadConfig(std::nullopt, o);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("--snapshot-rate-mb"), std::string::npos);
}

TEST(ConfigTest, FlagsOverrideFile) {
  std::string path = ::testing::TempDir() + "/strata_config_test.toml";
  std::ofstream(path) << "port = 4000\nadmin_port = 4001\n";
  ConfigOverrides o;
  o.port = 5000;
  auto c = LoadConfig(path, o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->port, 5000);
  EXPECT_EQ(c->admin_port, 4001);
}

TEST(ConfigTest, FaultInjectionOnlyOnTheCommandLine) {
  for (const char* key : {"fault_injection", "unsafe_skip_fsync"}) {
    NodeConfig c;
    Status s = ApplyConfigToml(std::string(key) + " = true\n", "t.toml", &c);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("is refused in a config file"), std::string::npos) << s.ToString();
    EXPECT_FALSE(c.fault_injection || c.unsafe_skip_fsync);
  }
  ConfigOverrides o;
  o.unsafe_skip_fsync = true;
  auto c = LoadConfig(std::nullopt, o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("only together with --fault-injection"), std::string::npos);
  o.fault_injection = true;
  c = LoadConfig(std::nullopt, o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->fault_injection && c->unsafe_skip_fsync);
}

TEST(ConfigTest, MissingFileIsAClearError) {
  auto c = LoadConfig(std::string("/nonexistent/stratadb.toml"), {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("cannot read config file"), std::string::npos);
  EXPECT_NE(c.status().message().find("/nonexistent/stratadb.toml"), std::string::npos);
}

TEST(ConfigTest, RootPasswordFromEnvironment) {
  setenv("STRATADB_ROOT_PASSWORD", "s3cret", 1);
  auto c = LoadConfig(std::nullopt, {});
  unsetenv("STRATADB_ROOT_PASSWORD");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->root_password, "s3cret");
  EXPECT_NE(DescribeConfig(*c).find("root_password=(set)"), std::string::npos);
  EXPECT_EQ(DescribeConfig(*c).find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace strata::node

namespace strata::node {
namespace {

TEST(ConfigTest, CommitTimeout) {
  NodeConfig c;
  EXPECT_EQ(c.commit_timeout_ms, 5000u);
  ASSERT_TRUE(ApplyConfigToml("commit_timeout_ms = 20000\n", "t.toml", &c).ok());
  EXPECT_EQ(c.commit_timeout_ms, 20000u);
  Status s = ApplyConfigToml("commit_timeout_ms = 50\n", "t.toml", &c);
  EXPECT_NE(s.message().find("commit_timeout_ms"), std::string_view::npos) << s.ToString();
  EXPECT_FALSE(ApplyConfigToml("commit_timeout_ms = 'soon'\n", "t.toml", &c).ok());
  ConfigOverrides o;
  o.commit_timeout_ms = 700000;
  EXPECT_FALSE(LoadConfig(std::nullopt, o).ok());
  o.commit_timeout_ms = 250;
  auto loaded = LoadConfig(std::nullopt, o);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->commit_timeout_ms, 250u);
}

TEST(ConfigTest, MemoryLimitAndMaxTxnBytes) {
  NodeConfig c;
  EXPECT_GE(c.memory_limit_mb, kMinMemoryLimitMb);  // a quarter of this machine's RAM
  EXPECT_EQ(c.max_txn_bytes, 100ull << 20);
  ASSERT_TRUE(ApplyConfigToml("memory_limit_mb = 512\nmax_txn_bytes = 1048576\n", "t.toml", &c).ok());
  EXPECT_EQ(c.memory_limit_mb, 512u);
  EXPECT_EQ(c.max_txn_bytes, 1u << 20);
  Status s = ApplyConfigToml("memory_limit_mb = 32\n", "t.toml", &c);
  EXPECT_NE(s.message().find("memory_limit_mb"), std::string_view::npos) << s.ToString();
  s = ApplyConfigToml("max_txn_bytes = 10\n", "t.toml", &c);
  EXPECT_NE(s.message().find("max_txn_bytes"), std::string_view::npos) << s.ToString();
  EXPECT_FALSE(ApplyConfigToml("max_txn_bytes = 1073741824\n", "t.toml", &c).ok());  // above 768 MiB
  ConfigOverrides o;
  o.memory_limit_mb = 256;
  o.max_txn_bytes = 4096;
  auto loaded = LoadConfig(std::nullopt, o);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->memory_limit_mb, 256u);
  EXPECT_EQ(loaded->max_txn_bytes, 4096u);
  o.max_txn_bytes = 100;
  EXPECT_FALSE(LoadConfig(std::nullopt, o).ok());
}

}  // namespace
}  // namespace strata::node
