// The node's data directory (DESIGN §4): created on first start with a generated node id
// and cluster id in node.toml, and locked for the life of the process so that two
// processes can never open the same directory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace strata::node {

struct NodeIdentity {
  uint64_t node_id = 0;        // random, non-zero, < 2^63 (fits TOML integers)
  std::string cluster_id;      // 32 hex digits; peers from another cluster are rejected
  std::string created_at;      // UTC, ISO 8601
  // The root user's password verifiers, set at first start (empty: no password).
  std::string root_native_hash;  // mysql_native_password: "*" + HEX(SHA1(SHA1(pw)))
  std::string root_sha256_hash;  // caching_sha2_password: hex(SHA256(SHA256(pw)))
};

class DataDir {
 public:
  // Creates `path` (and parents) when missing, takes the lock, then reads node.toml or —
  // on a fresh directory — writes it. Errors name the path and what went wrong: Busy when
  // another process holds the lock, IOError/NotFound when the directory is unusable,
  // Corruption when node.toml is unreadable. A new directory gets `cluster_id` when given
  // (a node joining an existing cluster adopts its id), a fresh random one otherwise.
  static Result<std::unique_ptr<DataDir>> Open(const std::string& path, const std::string& root_password,
                                               const std::string& cluster_id = "");
  // True when `path` holds no node.toml yet (Open would create the identity).
  static bool IsNew(const std::string& path);
  ~DataDir();  // releases the lock
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;

  const std::string& path() const { return path_; }
  const NodeIdentity& identity() const { return identity_; }
  bool created_now() const { return created_now_; }

 private:
  DataDir(std::string path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}
  std::string path_;
  int lock_fd_;
  NodeIdentity identity_;
  bool created_now_ = false;
};

// The current UTC time, ISO 8601 to the second ("2026-11-25T08:16:46Z").
std::string NowIso8601();

// Serializes / parses node.toml (exposed for tests).
std::string FormatNodeToml(const NodeIdentity& id);
Result<NodeIdentity> ParseNodeToml(std::string_view text, std::string_view source);

}  // namespace strata::node
