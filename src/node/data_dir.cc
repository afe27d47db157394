#include "node/data_dir.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <random>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "io/file_util.h"
#include "io/io.h"
#include "obs/log.h"

namespace strata::node {
namespace {

constexpr int64_t kNodeTomlFormat = 1;
constexpr const char* kNodeToml = "node.toml";
constexpr const char* kLockFile = "LOCK";

std::string Hex(const unsigned char* data, size_t n, bool upper) {
  std::string out;
  for (size_t i = 0; i < n; i++) out += upper ? fmt::format("{:02X}", data[i]) : fmt::format("{:02x}", data[i]);
  return out;
}

std::string DoubleHash(const EVP_MD* md, std::string_view password, bool upper) {
  unsigned char once[EVP_MAX_MD_SIZE], twice[EVP_MAX_MD_SIZE];
  unsigned int n1 = 0, n2 = 0;
  EVP_Digest(password.data(), password.size(), once, &n1, md, nullptr);
  EVP_Digest(once, n1, twice, &n2, md, nullptr);
  return Hex(twice, n2, upper);
}

NodeIdentity NewIdentity(const std::string& root_password) {
  std::random_device rd;  // getrandom(2): ids must differ across machines and restarts
  auto word = [&rd] { return (uint64_t{rd()} << 32) | rd(); };
  NodeIdentity id;
  do {
    id.node_id = word() >> 1;
  } while (id.node_id == 0);
  id.cluster_id = fmt::format("{:016x}{:016x}", word(), word());
  id.created_at = NowIso8601();
  if (!root_password.empty()) {
    id.root_native_hash = "*" + DoubleHash(EVP_sha1(), root_password, true);
    id.root_sha256_hash = DoubleHash(EVP_sha256(), root_password, false);
  }
  return id;
}

Result<int> LockDirectory(const std::string& dir) {
  std::string lock_path = dir + "/" + kLockFile;
  Result<int> opened = io::OpenLockFile(lock_path);
  if (!opened.ok()) return std::move(opened).take_status().Annotate("cannot open lock file");
  int fd = *opened;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder;
    char buf[32] = {};
    if (::pread(fd, buf, sizeof buf - 1, 0) > 0) holder = fmt::format(" (pid {})", std::string(buf));
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::Busy(fmt::format(
          "data directory {} is in use by another stratadb process{}", dir, holder));
    }
    return Status::FromErrno(err, "cannot lock " + lock_path);
  }
  std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno(err, "cannot write lock file " + lock_path);
  }
  return fd;
}

}  // namespace

std::string NowIso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string FormatNodeToml(const NodeIdentity& id) {
  return fmt::format(
      "# Written by stratadb when this data directory was created. Do not edit: the node id\n"
      "# and cluster id identify this node to its peers.\n"
      "format_version = {}\nnode_id = {}\ncluster_id = \"{}\"\ncreated_at = \"{}\"\n\n"
      "[root]\nnative_password_hash = \"{}\"\nsha256_password_hash = \"{}\"\n",
      kNodeTomlFormat, id.node_id, id.cluster_id, id.created_at, id.root_native_hash,
      id.root_sha256_hash);
}

Result<NodeIdentity> ParseNodeToml(std::string_view text, std::string_view source) {
  toml::table t;
  try {
    t = toml::parse(text, source);
  } catch (const toml::parse_error& err) {
    return Status::Corruption(fmt::format("{}: invalid TOML: {}", source, err.description()));
  }
  auto format = t["format_version"].value<int64_t>();
  auto node_id = t["node_id"].value<int64_t>();
  auto cluster_id = t["cluster_id"].value<std::string>();
  if (!format || *format != kNodeTomlFormat || !node_id || *node_id <= 0 || !cluster_id ||
      cluster_id->size() != 32) {
    return Status::Corruption(fmt::format(
        "{}: missing or invalid format_version/node_id/cluster_id (format_version {} expected)",
        source, kNodeTomlFormat));
  }
  NodeIdentity id;
  id.node_id = static_cast<uint64_t>(*node_id);
  id.cluster_id = *cluster_id;
  id.created_at = t["created_at"].value_or(std::string());
  id.root_native_hash = t["root"]["native_password_hash"].value_or(std::string());
  id.root_sha256_hash = t["root"]["sha256_password_hash"].value_or(std::string());
  return id;
}

Result<std::unique_ptr<DataDir>> DataDir::Open(const std::string& path, const std::string& root_password,
                                              const std::string& cluster_id) {
  Status created = io::CreateDir(path);
  if (!created.ok()) return std::move(created).Annotate("cannot create data directory");
  if (!io::IsDirectory(path)) {
    return Status::IOError(fmt::format("data directory {} is not a directory", path));
  }
  if (::access(path.c_str(), W_OK | X_OK) != 0) {
    return Status::FromErrno(errno, "data directory " + path + " is not writable");
  }
  STRATA_ASSIGN_OR_RETURN(int lock_fd, LockDirectory(path));
  std::unique_ptr<DataDir> dir(new DataDir(path, lock_fd));

  std::string toml_path = path + "/" + kNodeToml;
  if (io::FileExists(toml_path)) {
    STRATA_ASSIGN_OR_RETURN(std::string text, io::ReadSmallFile(toml_path));
    STRATA_ASSIGN_OR_RETURN(dir->identity_, ParseNodeToml(text, toml_path));
    if (!root_password.empty()) {
      obs::Warn("node", "root password is only applied when the data directory is created; "
                        "ignoring it for this existing directory", {{"data_dir", path}});
    }
    return dir;
  }
  dir->identity_ = NewIdentity(root_password);
  if (!cluster_id.empty()) {
    bool hex = cluster_id.size() == 32 &&
               cluster_id.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    if (!hex) return Status::InvalidArgument(fmt::format("cluster id '{}' is not 32 hex digits", cluster_id));
    dir->identity_.cluster_id = cluster_id;
  }
  dir->created_now_ = true;
  Status s = io::WriteFileAtomically(toml_path, FormatNodeToml(dir->identity_));
  if (!s.ok()) return std::move(s).Annotate("cannot initialize data directory");
  return dir;
}

bool DataDir::IsNew(const std::string& path) { return !io::FileExists(path + "/" + kNodeToml); }

DataDir::~DataDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the flock
}

}  // namespace strata::node
