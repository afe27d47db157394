#include "node/data_dir.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace strata::node {
namespace {

std::string FreshDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/strata_data_dir_test_" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(DataDirTest, CreatesIdentityOnceAndKeepsIt) {
  std::string dir = FreshDir("identity");
  uint64_t node_id;
  std::string cluster_id;
  {
    auto d = DataDir::Open(dir + "/nested", "pw");
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_TRUE((*d)->created_now());
    node_id = (*d)->identity().node_id;
    cluster_id = (*d)->identity().cluster_id;
    EXPECT_NE(node_id, 0u);
    EXPECT_EQ(cluster_id.size(), 32u);
    // mysql_native_password verifier of "pw": SHA1(SHA1("pw")), as MySQL's PASSWORD() prints.
    EXPECT_EQ((*d)->identity().root_native_hash.size(), 41u);
    EXPECT_EQ((*d)->identity().root_native_hash[0], '*');
  }
  auto d = DataDir::Open(dir + "/nested", "");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE((*d)->created_now());
  EXPECT_EQ((*d)->identity().node_id, node_id);
  EXPECT_EQ((*d)->identity().cluster_id, cluster_id);
}

TEST(DataDirTest, SecondOpenIsBusyUntilFirstCloses) {
  std::string dir = FreshDir("lock");
  auto first = DataDir::Open(dir, "");
  ASSERT_TRUE(first.ok());
  auto second = DataDir::Open(dir, "");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kBusy);
  EXPECT_NE(second.status().message().find("in use by another stratadb process"), std::string::npos);
  first = Status::Aborted("drop");  // releases the lock
  EXPECT_TRUE(DataDir::Open(dir, "").ok());
}

TEST(DataDirTest, UnusablePathIsAnError) {
  std::string dir = FreshDir("file");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/plain") << "x";
  auto d = DataDir::Open(dir + "/plain/sub", "");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("cannot create data directory"), std::string::npos)
      << d.status().ToString();
}

TEST(DataDirTest, CorruptNodeTomlIsReported) {
  std::string dir = FreshDir("corrupt");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/node.toml") << "node_id = \"oops\"\n";
  auto d = DataDir::Open(dir, "");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kCorruption);
}

TEST(DataDirTest, NodeTomlRoundTrips) {
  NodeIdentity id{.node_id = 42, .cluster_id = std::string(32, 'a'), .created_at = "now",
                  .root_native_hash = "*AB", .root_sha256_hash = "cd"};
  auto parsed = ParseNodeToml(FormatNodeToml(id), "node.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->node_id, 42u);
  EXPECT_EQ(parsed->cluster_id, id.cluster_id);
  EXPECT_EQ(parsed->root_native_hash, "*AB");
  EXPECT_EQ(parsed->root_sha256_hash, "cd");
}

}  // namespace
}  // namespace strata::node
