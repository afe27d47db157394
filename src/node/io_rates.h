// node::IoRates — the node's I/O rate-limit settings as one object that SQL (SET GLOBAL,
// through sql::NodeVariables), the admin API (POST /config/io) and /status share.
//
// Variables (also the TOML keys and, with dashes, the flags; docs/operations.md):
//   flush_rate_mb, compaction_rate_mb, snapshot_rate_mb   0 = auto, -1 = unlimited, N MiB/s
//   io_rate_max_mb                                        ceiling of auto; 0 = by device
//
// Thread-safe: every method may be called from any thread (the RateController locks).
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "io/rate_tuner.h"
#include "sql/node_variables.h"

namespace strata::node {

class IoRates final : public sql::NodeVariables {
 public:
  // REQUIRES: controller outlives this. `device_max_mb` is the ceiling io_rate_max_mb = 0
  // stands for; `max_setting_mb` the configured io_rate_max_mb.
  IoRates(io::RateController* controller, int64_t device_max_mb, int64_t max_setting_mb);

  // The ceiling for io_rate_max_mb = 0: 200 MiB/s on a rotational disk, 1024 otherwise.
  static int64_t DeviceMaxMb(bool rotational) { return rotational ? 200 : 1024; }

  std::vector<std::string> Names() const override;
  std::optional<int64_t> Get(std::string_view name) const override;
  // 1231 (42000) for a value out of range; logs the change.
  Status Set(std::string_view name, int64_t value) override;

  // POST /config/io?name=value&...: every pair is checked before any is applied, so a bad
  // one changes nothing. InvalidArgument names the bad key or value.
  Status Apply(const std::vector<std::pair<std::string, std::string>>& params);

  // The /status "io_rates" object: RateController::StatusJson plus the settings.
  std::string StatusJson() const;
  // SHOW STATUS rows: Strata_io_<class>_rate_mb = the rate in force (0 = unlimited).
  std::vector<std::pair<std::string, std::string>> StatusRows() const;

 private:
  Status Check(std::string_view name, int64_t value) const;
  Status SetChecked(std::string_view name, int64_t value);

  io::RateController* const controller_;
  const int64_t device_max_mb_;
  mutable std::mutex mu_;  // serialises Set/Apply; guards max_setting_mb_
  int64_t max_setting_mb_;
};

}  // namespace strata::node
