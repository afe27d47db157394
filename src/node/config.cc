#include "node/config.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <tuple>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "io/file_util.h"

namespace strata::node {

uint64_t NodeConfig::DefaultMemoryLimitMb() {
  long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return 1024;
  uint64_t ram_mb = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size) >> 20;
  return std::max(kMinMemoryLimitMb, ram_mb / 4);
}

namespace {

Status CheckMemoryLimit(uint64_t mb) {
  if (mb < kMinMemoryLimitMb)
    return Status::InvalidArgument(fmt::format("'memory_limit_mb' must be at least {}", kMinMemoryLimitMb));
  return Status::OK();
}

Status ReadPort(const toml::node& value, std::string_view key, uint16_t* out) {
  auto v = value.value<int64_t>();
  if (!value.is_integer() || !v || *v < 0 || *v > 65535) {
    return Status::InvalidArgument(fmt::format("'{}' must be an integer port in 0..65535", key));
  }
  *out = static_cast<uint16_t>(*v);
  return Status::OK();
}

Status ReadString(const toml::node& value, std::string_view key, std::string* out) {
  if (!value.is_string()) return Status::InvalidArgument(fmt::format("'{}' must be a string", key));
  *out = *value.value<std::string>();
  return Status::OK();
}

// A rate in MiB/s: -1 (unlimited; only when `allow_unlimited`), 0 (auto) or 1..2^20.
Status CheckRateMb(std::string_view key, int64_t v, bool allow_unlimited) {
  if (v >= (allow_unlimited ? -1 : 0) && v <= (int64_t{1} << 20)) return Status::OK();
  return Status::InvalidArgument(fmt::format("'{}' must be {}0 (auto) or 1..1048576 MiB/s, got {}", key,
                                             allow_unlimited ? "-1 (unlimited), " : "", v));
}

Status ReadRateMb(const toml::node& value, std::string_view key, bool allow_unlimited, int64_t* out) {
  if (!value.is_integer()) return Status::InvalidArgument(fmt::format("'{}' must be an integer (MiB/s)", key));
  int64_t v = *value.value<int64_t>();
  STRATA_RETURN_IF_ERROR(CheckRateMb(key, v, allow_unlimited));
  *out = v;
  return Status::OK();
}

Status CheckMaxTxnBytes(uint64_t v) {
  if (v < kMinTxnBytesLimit || v > kMaxTxnBytesLimit)
    return Status::InvalidArgument(
        fmt::format("'max_txn_bytes' must be between {} and {} bytes", kMinTxnBytesLimit, kMaxTxnBytesLimit));
  return Status::OK();
}

Status CheckCommitTimeout(uint64_t v) {
  if (v < 100 || v > 600000) return Status::InvalidArgument("'commit_timeout_ms' must be between 100 and 600000 ms");
  return Status::OK();
}

Status CheckJoin(std::string_view v) {
  size_t colon = v.rfind(':');
  if (v.empty() || colon == std::string_view::npos || colon == 0 || colon + 1 == v.size())
    return Status::InvalidArgument(fmt::format("'join' must be HOST:ADMIN_PORT of a cluster member, not '{}'", v));
  return Status::OK();
}

Status ParseFollowerRequests(std::string_view v, bool* forward) {
  if (v != "forward" && v != "redirect")
    return Status::InvalidArgument(fmt::format("'follower_requests' must be forward or redirect, not '{}'", v));
  *forward = v == "forward";
  return Status::OK();
}

Status ParseDefaultEngine(std::string_view v, bool* btree) {
  std::string lower;
  for (char ch : v) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  if (lower != "lsm" && lower != "btree")
    return Status::InvalidArgument(fmt::format("'default_engine' must be lsm or btree, not '{}'", v));
  *btree = lower == "btree";
  return Status::OK();
}

Status ApplyKey(std::string_view key, const toml::node& value, NodeConfig* c) {
  std::string s;
  if (key == "data_dir") return ReadString(value, key, &c->data_dir);
  if (key == "listen_addr") return ReadString(value, key, &c->listen_addr);
  if (key == "advertise_addr") return ReadString(value, key, &c->advertise_addr);
  if (key == "root_password") return ReadString(value, key, &c->root_password);
  if (key == "tls_cert") return ReadString(value, key, &c->tls_cert);
  if (key == "tls_key") return ReadString(value, key, &c->tls_key);
  if (key == "port") return ReadPort(value, key, &c->port);
  if (key == "admin_port") return ReadPort(value, key, &c->admin_port);
  if (key == "raft_port") return ReadPort(value, key, &c->raft_port);
  if (key == "flush_rate_mb") return ReadRateMb(value, key, true, &c->flush_rate_mb);
  if (key == "compaction_rate_mb") return ReadRateMb(value, key, true, &c->compaction_rate_mb);
  if (key == "snapshot_rate_mb") return ReadRateMb(value, key, true, &c->snapshot_rate_mb);
  if (key == "io_rate_max_mb") return ReadRateMb(value, key, false, &c->io_rate_max_mb);
  if (key == "fault_injection" || key == "unsafe_skip_fsync") {
    // Test switches must never sit forgotten in a production config file.
    return Status::InvalidArgument(fmt::format(
        "'{}' is refused in a config file: it is a test-only switch, pass --{} on the command line", key,
        key == "fault_injection" ? "fault-injection" : "unsafe-skip-fsync"));
  }
  if (key == "storage_direct_io" || key == "admin_console") {
    if (!value.is_boolean()) return Status::InvalidArgument(fmt::format("'{}' must be true or false", key));
    (key == "storage_direct_io" ? c->storage_direct_io : c->admin_console) = *value.value<bool>();
    return Status::OK();
  }
  if (key == "memory_limit_mb") {
    auto v = value.value<int64_t>();
    if (!value.is_integer() || !v || *v < 0) return Status::InvalidArgument("'memory_limit_mb' must be a number of MiB");
    STRATA_RETURN_IF_ERROR(CheckMemoryLimit(static_cast<uint64_t>(*v)));
    c->memory_limit_mb = static_cast<uint64_t>(*v);
    return Status::OK();
  }
  if (key == "commit_timeout_ms") {
    auto v = value.value<int64_t>();
    if (!value.is_integer() || !v || *v < 0) return Status::InvalidArgument("'commit_timeout_ms' must be a number of milliseconds");
    STRATA_RETURN_IF_ERROR(CheckCommitTimeout(static_cast<uint64_t>(*v)));
    c->commit_timeout_ms = static_cast<uint64_t>(*v);
    return Status::OK();
  }
  if (key == "max_txn_bytes") {
    auto v = value.value<int64_t>();
    if (!value.is_integer() || !v || *v < 0) return Status::InvalidArgument("'max_txn_bytes' must be a byte count");
    STRATA_RETURN_IF_ERROR(CheckMaxTxnBytes(static_cast<uint64_t>(*v)));
    c->max_txn_bytes = static_cast<uint64_t>(*v);
    return Status::OK();
  }
  if (key == "follower_requests") {
    STRATA_RETURN_IF_ERROR(ReadString(value, key, &s));
    return ParseFollowerRequests(s, &c->forward_to_leader);
  }
  if (key == "default_engine") {
    STRATA_RETURN_IF_ERROR(ReadString(value, key, &s));
    return ParseDefaultEngine(s, &c->default_btree);
  }
  if (key == "join") {
    STRATA_RETURN_IF_ERROR(ReadString(value, key, &s));
    STRATA_RETURN_IF_ERROR(CheckJoin(s));
    c->join = s;
    return Status::OK();
  }
  if (key == "log_format") {
    STRATA_RETURN_IF_ERROR(ReadString(value, key, &s));
    STRATA_ASSIGN_OR_RETURN(c->log_format, obs::ParseLogFormat(s));
    return Status::OK();
  }
  if (key == "log_level") {
    STRATA_RETURN_IF_ERROR(ReadString(value, key, &s));
    STRATA_ASSIGN_OR_RETURN(c->log_level, obs::ParseLogLevel(s));
    return Status::OK();
  }
  return Status::InvalidArgument(fmt::format("unknown key '{}'", key));
}

}  // namespace

Status ApplyConfigToml(std::string_view toml_text, std::string_view source, NodeConfig* config) {
  toml::table parsed;
  try {  // Debian's toml++ reports parse errors by exception; they stop here.
    parsed = toml::parse(toml_text, source);
  } catch (const toml::parse_error& err) {
    return Status::InvalidArgument(fmt::format("{}:{}:{}: invalid TOML: {}", source,
                                               err.source().begin.line,
                                               err.source().begin.column, err.description()));
  }
  for (const auto& [key, value] : parsed) {
    Status s = ApplyKey(key.str(), value, config);
    if (!s.ok()) return std::move(s).Annotate(source);
  }
  return Status::OK();
}

Result<NodeConfig> LoadConfig(const std::optional<std::string>& config_path,
                              const ConfigOverrides& o) {
  NodeConfig c;
  if (config_path) {
    auto text = io::ReadSmallFile(*config_path);
    if (!text.ok()) return std::move(text).take_status().Annotate("cannot read config file");
    STRATA_RETURN_IF_ERROR(ApplyConfigToml(*text, *config_path, &c));
  }
  if (o.data_dir) c.data_dir = *o.data_dir;
  if (o.listen_addr) c.listen_addr = *o.listen_addr;
  if (o.advertise_addr) c.advertise_addr = *o.advertise_addr;
  if (std::count(c.advertise_addr.begin(), c.advertise_addr.end(), ':') == 1)  // host:port, not IPv6
    return Status::InvalidArgument(fmt::format("'advertise_addr' is a host without a port, not '{}'", c.advertise_addr));
  if (o.root_password) c.root_password = *o.root_password;
  if (o.tls_cert) c.tls_cert = *o.tls_cert;
  if (o.tls_key) c.tls_key = *o.tls_key;
  if (c.tls_cert.empty() != c.tls_key.empty())
    return Status::InvalidArgument("'tls_cert' and 'tls_key' go together: set both or neither");
  if (o.port) c.port = *o.port;
  if (o.admin_port) c.admin_port = *o.admin_port;
  if (o.raft_port) c.raft_port = *o.raft_port;
  if (o.join) {
    STRATA_RETURN_IF_ERROR(CheckJoin(*o.join));
    c.join = *o.join;
  }
  if (o.storage_direct_io) c.storage_direct_io = *o.storage_direct_io;
  if (o.admin_console) c.admin_console = *o.admin_console;
  if (o.follower_requests) STRATA_RETURN_IF_ERROR(ParseFollowerRequests(*o.follower_requests, &c.forward_to_leader));
  if (o.default_engine) STRATA_RETURN_IF_ERROR(ParseDefaultEngine(*o.default_engine, &c.default_btree));
  if (o.memory_limit_mb) {
    STRATA_RETURN_IF_ERROR(CheckMemoryLimit(*o.memory_limit_mb));
    c.memory_limit_mb = *o.memory_limit_mb;
  }
  if (o.commit_timeout_ms) {
    STRATA_RETURN_IF_ERROR(CheckCommitTimeout(*o.commit_timeout_ms));
    c.commit_timeout_ms = *o.commit_timeout_ms;
  }
  if (o.max_txn_bytes) {
    STRATA_RETURN_IF_ERROR(CheckMaxTxnBytes(*o.max_txn_bytes));
    c.max_txn_bytes = *o.max_txn_bytes;
  }
  c.fault_injection = o.fault_injection;
  c.unsafe_skip_fsync = o.unsafe_skip_fsync;
  if (c.unsafe_skip_fsync && !c.fault_injection)
    return Status::InvalidArgument("--unsafe-skip-fsync is accepted only together with --fault-injection");
  for (auto [flag, value, field, allow_unlimited] :
       {std::tuple{"--flush-rate-mb", &o.flush_rate_mb, &c.flush_rate_mb, true},
        std::tuple{"--compaction-rate-mb", &o.compaction_rate_mb, &c.compaction_rate_mb, true},
        std::tuple{"--snapshot-rate-mb", &o.snapshot_rate_mb, &c.snapshot_rate_mb, true},
        std::tuple{"--io-rate-max-mb", &o.io_rate_max_mb, &c.io_rate_max_mb, false}}) {
    if (!*value) continue;
    STRATA_RETURN_IF_ERROR(CheckRateMb(flag, **value, allow_unlimited));
    *field = **value;
  }
  if (o.log_format) {
    STRATA_ASSIGN_OR_RETURN(c.log_format, obs::ParseLogFormat(*o.log_format));
  }
  if (o.log_level) {
    STRATA_ASSIGN_OR_RETURN(c.log_level, obs::ParseLogLevel(*o.log_level));
  }
  if (c.root_password.empty()) {
    if (const char* env = std::getenv("STRATADB_ROOT_PASSWORD")) c.root_password = env;
  }
  if (c.data_dir.empty()) return Status::InvalidArgument("data_dir must not be empty");
  return c;
}

std::string DescribeConfig(const NodeConfig& c) {
  return fmt::format(
      "data_dir={} listen_addr={} advertise_addr={} port={} admin_port={} raft_port={} log_format={} "
      "root_password={} storage_direct_io={} max_txn_bytes={} commit_timeout_ms={} memory_limit_mb={} fault_injection={} "
      "unsafe_skip_fsync={} flush_rate_mb={} compaction_rate_mb={} snapshot_rate_mb={} io_rate_max_mb={} join={} "
      "follower_requests={} tls_cert={} default_engine={} admin_console={}",
      c.data_dir, c.listen_addr, c.advertise_addr.empty() ? "(listen_addr)" : c.advertise_addr, c.port, c.admin_port, c.raft_port,
      c.log_format == obs::LogFormat::kJson ? "json" : "text",
      c.root_password.empty() ? "(empty)" : "(set)", c.storage_direct_io, c.max_txn_bytes, c.commit_timeout_ms, c.memory_limit_mb,
      c.fault_injection, c.unsafe_skip_fsync, c.flush_rate_mb, c.compaction_rate_mb, c.snapshot_rate_mb,
      c.io_rate_max_mb, c.join.empty() ? "(none)" : c.join, c.forward_to_leader ? "forward" : "redirect",
      c.tls_cert.empty() ? "(generated)" : c.tls_cert, c.default_btree ? "btree" : "lsm", c.admin_console);
}

}  // namespace strata::node
