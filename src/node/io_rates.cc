#include "node/io_rates.h"

#include <charconv>

#include <fmt/format.h>

#include "obs/json.h"
#include "obs/log.h"

namespace strata::node {
namespace {

constexpr const char* kMaxName = "io_rate_max_mb";

// The background class a variable names, or nullopt.
std::optional<io::IoClass> ClassOf(std::string_view name) {
  if (name == "flush_rate_mb") return io::IoClass::kFlush;
  if (name == "compaction_rate_mb") return io::IoClass::kCompaction;
  if (name == "snapshot_rate_mb") return io::IoClass::kSnapshot;
  return std::nullopt;
}

Status BadValue(std::string_view name, int64_t value, std::string_view why) {
  return Status::InvalidArgument(fmt::format("Variable '{}' can't be set to the value of '{}' ({})", name, value, why))
      .WithMysql(1231, "42000");
}

}  // namespace

IoRates::IoRates(io::RateController* controller, int64_t device_max_mb, int64_t max_setting_mb)
    : controller_(controller), device_max_mb_(device_max_mb), max_setting_mb_(max_setting_mb) {}

std::vector<std::string> IoRates::Names() const {
  return {"compaction_rate_mb", "flush_rate_mb", kMaxName, "snapshot_rate_mb"};
}

std::optional<int64_t> IoRates::Get(std::string_view name) const {
  if (std::optional<io::IoClass> c = ClassOf(name)) return controller_->setting(*c).ToMb();
  if (name == kMaxName) {
    std::lock_guard lock(mu_);
    return max_setting_mb_;
  }
  return std::nullopt;
}

Status IoRates::Check(std::string_view name, int64_t value) const {
  if (ClassOf(name)) {
    if (!io::RateSetting::FromMb(value).ok()) return BadValue(name, value, "use 0 = auto, -1 = unlimited or 1..1048576 MiB/s");
    return Status::OK();
  }
  if (name == kMaxName) {
    if (value < 0 || value > io::kMaxRateMb) return BadValue(name, value, "use 0 = by device or 1..1048576 MiB/s");
    return Status::OK();
  }
  return Status::InvalidArgument(fmt::format("Unknown system variable '{}'", name)).WithMysql(1193, "HY000");
}

// REQUIRES: mu_ held, Check passed.
Status IoRates::SetChecked(std::string_view name, int64_t value) {
  if (std::optional<io::IoClass> c = ClassOf(name)) {
    STRATA_RETURN_IF_ERROR(controller_->Set(*c, *io::RateSetting::FromMb(value)));
  } else {
    int64_t mb = value == 0 ? device_max_mb_ : value;
    STRATA_RETURN_IF_ERROR(controller_->SetMax(static_cast<double>(mb) * io::kMiB));
    max_setting_mb_ = value;
  }
  obs::Info("io", "rate limit changed", {{"variable", std::string(name)}, {"value", value}});
  return Status::OK();
}

Status IoRates::Set(std::string_view name, int64_t value) {
  STRATA_RETURN_IF_ERROR(Check(name, value));
  std::lock_guard lock(mu_);
  return SetChecked(name, value);
}

Status IoRates::Apply(const std::vector<std::pair<std::string, std::string>>& params) {
  if (params.empty()) {
    return Status::InvalidArgument("no setting given: use e.g. ?compaction_rate_mb=100 (0 = auto, -1 = unlimited)");
  }
  std::vector<std::pair<std::string, int64_t>> parsed;
  for (const auto& [name, text] : params) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
      return Status::InvalidArgument(fmt::format("'{}' must be an integer (MiB/s), got '{}'", name, text));
    }
    STRATA_RETURN_IF_ERROR(Check(name, v));
    parsed.emplace_back(name, v);
  }
  std::lock_guard lock(mu_);
  for (const auto& [name, v] : parsed) STRATA_RETURN_IF_ERROR(SetChecked(name, v));
  return Status::OK();
}

std::string IoRates::StatusJson() const {
  int64_t max_setting;
  {
    std::lock_guard lock(mu_);
    max_setting = max_setting_mb_;
  }
  // The controller's object with the settings in front: {"io_rate_max_mb":0,
  // "device_max_mb":200,"max_mb":200,...,"flush":{"mode":"auto",...},...}.
  std::string tuned = controller_->StatusJson();
  std::string head = obs::JsonObject().Add(kMaxName, max_setting).Add("device_max_mb", device_max_mb_).Finish();
  head.pop_back();  // drop '}' and splice the controller's fields in
  return head + "," + tuned.substr(1);
}

std::vector<std::pair<std::string, std::string>> IoRates::StatusRows() const {
  std::vector<std::pair<std::string, std::string>> rows;
  for (io::IoClass c : {io::IoClass::kFlush, io::IoClass::kCompaction, io::IoClass::kSnapshot}) {
    rows.emplace_back(fmt::format("Strata_io_{}_rate_mb", io::IoClassName(c)),
                      fmt::format("{:.1f}", controller_->effective_rate(c) / io::kMiB));
  }
  return rows;
}

}  // namespace strata::node
