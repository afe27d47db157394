// raft::LogWriteHealth — whether RaftNode's durable writes (log batches, snapshot marks)
// currently succeed, and when to try again after they fail (raft_node.h, "Disk errors").
//
// On the first failure it logs an error naming the log directory, sets the gauge
// stratadb_raft_log_write_failing and starts a backoff (initial, doubling up to max); each
// failure counts in stratadb_raft_log_write_errors_total. The first success after failures
// logs how long the log was unwritable and clears the gauge.
//
// Thread-safety: driver thread only.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"
#include "obs/metrics.h"
#include "raft/types.h"

namespace strata::raft {

class LogWriteHealth {
 public:
  using Clock = std::chrono::steady_clock;

  LogWriteHealth(obs::Registry& registry, NodeId node, std::string log_dir, std::chrono::milliseconds retry_initial,
                 std::chrono::milliseconds retry_max);

  void OnFailure(const Status& error, Clock::time_point now);
  void OnSuccess();  // cheap when healthy

  bool healthy() const { return error_.ok(); }
  const Status& error() const { return error_; }  // the last failure; OK when healthy
  Clock::time_point next_retry() const { return next_retry_; }
  // What a proposal refused meanwhile gets: NoSpace (ENOSPC/EDQUOT) or IOError, saying it
  // was never proposed. REQUIRES: !healthy().
  Status Refusal() const;

 private:
  const NodeId node_;
  const std::string log_dir_;
  const std::chrono::milliseconds retry_initial_, retry_max_;
  obs::Gauge& failing_gauge_;
  obs::Counter& errors_;
  Status error_;
  Clock::time_point failing_since_{};
  Clock::time_point next_retry_{};
  std::chrono::milliseconds backoff_{0};
  uint64_t retries_ = 0;
};

}  // namespace strata::raft
