// The backup manifest, backup.toml (docs/backup_format.md).
#include <fmt/format.h>
#include <toml++/toml.h>

#include "common/checksum.h"
#include "io/file_util.h"
#include "node/backup.h"

namespace strata::node {

namespace {

constexpr int64_t kManifestFormat = 1;
constexpr std::string_view kChecksumKey = "manifest_xxh3 = \"";
// Limits: a manifest lists at most as many files as a snapshot holds (raft/snapshot_stream.h).
constexpr size_t kMaxManifestBytes = 16 << 20;
constexpr size_t kMaxManifestFiles = 1u << 16;

bool ParseHex64(std::string_view hex, uint64_t* out) {
  if (hex.size() != 16) return false;
  uint64_t v = 0;
  for (char c : hex) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

Status Malformed(std::string_view source, std::string_view what) {
  return Status::Corruption(fmt::format("backup manifest {} is damaged: {}", source, what));
}

}  // namespace

uint64_t BackupManifest::total_bytes() const {
  uint64_t total = 0;
  for (const BackupFile& f : files) total += f.size;
  return total;
}

std::string FormatBackupManifest(const BackupManifest& m) {
  std::string body = fmt::format(
      "# Written by `stratadb backup`: the files in data/ are an engine checkpoint at one applied\n"
      "# Raft index. `stratadb restore --from <this directory>` checks them against this list.\n"
      "format_version = {}\ncluster_id = \"{}\"\nsource_node_id = {}\napplied_index = {}\n"
      "created_at = \"{}\"\ntotal_bytes = {}\n",
      kManifestFormat, m.cluster_id, m.source_node_id, m.applied_index, m.created_at, m.total_bytes());
  for (const BackupFile& f : m.files)
    body += fmt::format("\n[[files]]\nname = \"{}\"\nsize = {}\nxxh3 = \"{:016x}\"\n", f.name, f.size, f.checksum);
  body += "\n";
  return body + fmt::format("{}{:016x}\"\n", kChecksumKey, Checksum64(body));
}

Result<BackupManifest> ParseBackupManifest(std::string_view text, std::string_view source) {
  size_t at = text.rfind(kChecksumKey);
  if (at == std::string_view::npos || (at > 0 && text[at - 1] != '\n')) return Malformed(source, "no manifest_xxh3 line");
  std::string_view body = text.substr(0, at);
  std::string_view tail = text.substr(at + kChecksumKey.size());
  uint64_t expected = 0;
  if (tail != fmt::format("{}\"\n", tail.substr(0, 16)) || !ParseHex64(tail.substr(0, 16), &expected))
    return Malformed(source, "malformed manifest_xxh3 line");
  if (Checksum64(body) != expected) return Malformed(source, "its checksum (manifest_xxh3) does not match its text");
  toml::table t;
  try {
    t = toml::parse(body, source);
  } catch (const toml::parse_error& err) {
    return Malformed(source, fmt::format("invalid TOML: {}", err.description()));
  }
  if (t["format_version"].value<int64_t>() != kManifestFormat)
    return Malformed(source, fmt::format("format_version is not {}", kManifestFormat));
  BackupManifest m;
  m.cluster_id = t["cluster_id"].value_or(std::string());
  m.source_node_id = static_cast<uint64_t>(t["source_node_id"].value_or(int64_t{0}));
  m.applied_index = static_cast<uint64_t>(t["applied_index"].value_or(int64_t{0}));
  m.created_at = t["created_at"].value_or(std::string());
  const toml::array* files = t["files"].as_array();
  if (m.applied_index == 0 || files == nullptr || files->empty() || files->size() > kMaxManifestFiles)
    return Malformed(source, "applied_index or files missing");
  for (const toml::node& n : *files) {
    const toml::table* f = n.as_table();
    BackupFile file;
    std::optional<std::string> name = f ? (*f)["name"].value<std::string>() : std::nullopt;
    std::optional<int64_t> size = f ? (*f)["size"].value<int64_t>() : std::nullopt;
    std::optional<std::string> sum = f ? (*f)["xxh3"].value<std::string>() : std::nullopt;
    if (!name || name->empty() || name->find('/') != std::string::npos || *name == "." || *name == ".." || !size ||
        *size < 0 || !sum || !ParseHex64(*sum, &file.checksum))
      return Malformed(source, "a [[files]] entry lacks a plain name, a size or an xxh3");
    if (!m.files.empty() && *name <= m.files.back().name) return Malformed(source, "files are not in name order");
    file.name = *name;
    file.size = static_cast<uint64_t>(*size);
    m.files.push_back(std::move(file));
  }
  if (t["total_bytes"].value<int64_t>() != static_cast<int64_t>(m.total_bytes()))
    return Malformed(source, "total_bytes is not the sum of the files' sizes");
  return m;
}

Result<BackupManifest> ReadBackupManifest(const std::string& dir) {
  std::string path = dir + "/" + kBackupManifestName;
  Result<std::string> text = io::ReadSmallFile(path, kMaxManifestBytes);
  if (!text.ok())
    return std::move(text).take_status().Annotate(
        fmt::format("{} is not a complete backup (no readable {})", dir, kBackupManifestName));
  return ParseBackupManifest(*text, path);
}

}  // namespace strata::node
