// A Raft log of one, without the disk, for transaction and SQL tests: each proposal gets
// the next index and is applied at once, in order (txn::ApplyWriteSet).
#pragma once

#include <mutex>

#include "txn/apply.h"
#include "txn/transaction.h"
#include "txn/write_set.h"

namespace strata::txn::testing {

class DirectProposer final : public Proposer {
 public:
  explicit DirectProposer(storage::Engine* engine) : engine_(engine) {}
  Result<ApplyOutcome> ProposeAndWait(Bytes encoded, std::shared_ptr<CommitFate> fate) override {
    std::lock_guard lock(mu_);
    fate->settled = true;  // applied before returning, or refused as malformed
    STRATA_ASSIGN_OR_RETURN(WriteSet ws, WriteSet::Decode(encoded));
    LogIndex index = applied_ + 1;
    STRATA_ASSIGN_OR_RETURN(ApplyOutcome outcome, ApplyWriteSet(*engine_, index, ws, gc_horizon_));
    applied_ = index;
    return outcome;
  }
  // Applies a GC-horizon entry proposing `horizon` at the next index.
  Status ProposeGcHorizon(LogIndex horizon) {
    std::lock_guard lock(mu_);
    LogIndex index = applied_ + 1;
    STRATA_ASSIGN_OR_RETURN(gc_horizon_, ApplyGcHorizon(*engine_, index, gc_horizon_, horizon));
    applied_ = index;
    return Status::OK();
  }
  LogIndex gc_horizon() const {
    std::lock_guard lock(mu_);
    return gc_horizon_;
  }
  LogIndex AppliedIndex() const override {
    std::lock_guard lock(mu_);
    return applied_;
  }

 private:
  storage::Engine* engine_;
  mutable std::mutex mu_;
  LogIndex applied_ = 0;
  LogIndex gc_horizon_ = 0;
};

}  // namespace strata::txn::testing
