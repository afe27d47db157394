// backup.toml (docs/backup_format.md): round trip, and every kind of damage refused.
#include <gtest/gtest.h>

#include "node/backup.h"

namespace strata::node {
namespace {

BackupManifest Sample() {
  BackupManifest m;
  m.cluster_id = "dd1c2e94b216ea85b17852f57eb8c49b";
  m.source_node_id = 3564899273887194019ull;
  m.applied_index = 7;
  m.created_at = "2026-12-05T02:10:20Z";
  m.files = {{"000002.sst", 482, 0x6867d7c2a7e7dab8ull}, {"CURRENT", 16, 1}, {"MANIFEST-000003", 110, 0}};
  return m;
}

TEST(BackupManifestTest, RoundTrips) {
  BackupManifest m = Sample();
  Result<BackupManifest> parsed = ParseBackupManifest(FormatBackupManifest(m), "t");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->cluster_id, m.cluster_id);
  EXPECT_EQ(parsed->source_node_id, m.source_node_id);
  EXPECT_EQ(parsed->applied_index, 7u);
  EXPECT_EQ(parsed->created_at, m.created_at);
  ASSERT_EQ(parsed->files.size(), 3u);
  EXPECT_EQ(parsed->files[0].name, "000002.sst");
  EXPECT_EQ(parsed->files[0].size, 482u);
  EXPECT_EQ(parsed->files[0].checksum, 0x6867d7c2a7e7dab8ull);
  EXPECT_EQ(parsed->total_bytes(), 608u);
}

TEST(BackupManifestTest, AnyChangedByteIsRefused) {
  std::string text = FormatBackupManifest(Sample());
  for (size_t i = 0; i < text.size(); i++) {
    std::string damaged = text;
    damaged[i] ^= 0x01;
    Result<BackupManifest> parsed = ParseBackupManifest(damaged, "t");
    EXPECT_FALSE(parsed.ok()) << "byte " << i;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
    }
  }
  EXPECT_FALSE(ParseBackupManifest(text.substr(0, text.size() - 1), "t").ok());
  EXPECT_FALSE(ParseBackupManifest("", "t").ok());
}

TEST(BackupManifestTest, FilesMustBeNamedPlainlyInOrder) {
  BackupManifest m = Sample();
  std::swap(m.files[0], m.files[1]);
  EXPECT_FALSE(ParseBackupManifest(FormatBackupManifest(m), "t").ok());
  m = Sample();
  m.files[0].name = "../evil.sst";
  EXPECT_FALSE(ParseBackupManifest(FormatBackupManifest(m), "t").ok());
  m = Sample();
  m.files.clear();
  EXPECT_FALSE(ParseBackupManifest(FormatBackupManifest(m), "t").ok());
}

}  // namespace
}  // namespace strata::node
