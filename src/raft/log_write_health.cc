#include "raft/log_write_health.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/check.h"
#include "obs/log.h"

namespace strata::raft {

LogWriteHealth::LogWriteHealth(obs::Registry& registry, NodeId node, std::string log_dir,
                               std::chrono::milliseconds retry_initial, std::chrono::milliseconds retry_max)
    : node_(node),
      log_dir_(std::move(log_dir)),
      retry_initial_(retry_initial),
      retry_max_(retry_max),
      failing_gauge_(registry.AddGauge("stratadb_raft_log_write_failing",
                                       "1 while the Raft log cannot be written (disk full or I/O error): writes are refused")),
      errors_(registry.AddCounter("stratadb_raft_log_write_errors_total",
                                  "Failed attempts to make a Ready durable (each retry counts)")) {
  STRATA_CHECK(retry_initial_.count() > 0 && retry_max_ >= retry_initial_);
}

void LogWriteHealth::OnFailure(const Status& error, Clock::time_point now) {
  STRATA_CHECK(!error.ok());
  errors_.Inc();
  if (error_.ok()) {
    failing_since_ = now;
    backoff_ = retry_initial_;
    retries_ = 0;
    failing_gauge_.Set(1);
    obs::Error("raft", error.code() == StatusCode::kNoSpace ? "disk full: Raft log write failed; refusing writes, retrying"
                                                            : "Raft log write failed; refusing writes, retrying",
               {{"node", node_}, {"path", log_dir_}, {"error", error.ToString()}});
  } else {
    backoff_ = std::min(backoff_ * 2, retry_max_);
    retries_++;
  }
  error_ = error;
  next_retry_ = now + backoff_;
}

void LogWriteHealth::OnSuccess() {
  if (error_.ok()) return;
  double seconds = std::chrono::duration<double>(Clock::now() - failing_since_).count();
  obs::Info("raft", "Raft log writes resumed", {{"node", node_}, {"failed_seconds", seconds}, {"retries", retries_},
                                                {"last_error", error_.ToString()}});
  error_ = Status::OK();
  failing_gauge_.Set(0);
}

Status LogWriteHealth::Refusal() const {
  STRATA_CHECK(!error_.ok());
  std::string msg = fmt::format("the Raft log cannot be written, nothing was proposed ({})", error_.ToString());
  return error_.code() == StatusCode::kNoSpace ? Status::NoSpace(std::move(msg)) : Status::IOError(std::move(msg));
}

}  // namespace strata::raft
