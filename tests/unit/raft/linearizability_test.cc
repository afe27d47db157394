// The checker must accept hand-made linearizable histories and reject the classic
// anomalies (stale read, new-then-old read, double CAS success), with and without
// indeterminate (timed-out) operations.
#include "raft/testing/linearizability.h"

#include <gtest/gtest.h>

#include <random>

namespace strata::raft::testing {
namespace {

CheckResult Check(const History& h) { return CheckLinearizable(h.Finish()).result; }

TEST(LinearizabilityTest, SequentialWriteThenRead) {
  History h;
  h.Ok(h.Invoke(1, OpKind::kWrite, "k", 1));
  h.Ok(h.Invoke(1, OpKind::kRead, "k"), 1);
  EXPECT_EQ(Check(h), CheckResult::kLinearizable);
}

TEST(LinearizabilityTest, StaleReadAfterCompletedWriteIsRejected) {
  History h;
  h.Ok(h.Invoke(1, OpKind::kWrite, "k", 1));
  h.Ok(h.Invoke(2, OpKind::kRead, "k"), 0);  // fault finding #1 in miniature
  EXPECT_EQ(Check(h), CheckResult::kNotLinearizable);
}

TEST(LinearizabilityTest, ReadsConcurrentWithAWriteMaySeeEither) {
  History h;
  size_t w = h.Invoke(1, OpKind::kWrite, "k", 1);
  size_t r0 = h.Invoke(2, OpKind::kRead, "k");
  size_t r1 = h.Invoke(3, OpKind::kRead, "k");
  h.Ok(r0, 0);
  h.Ok(r1, 1);
  h.Ok(w);
  EXPECT_EQ(Check(h), CheckResult::kLinearizable);
}

TEST(LinearizabilityTest, NewThenOldReadIsRejected) {
  History h;
  size_t w = h.Invoke(1, OpKind::kWrite, "k", 1);
  h.Ok(h.Invoke(2, OpKind::kRead, "k"), 1);
  h.Ok(h.Invoke(2, OpKind::kRead, "k"), 0);  // after seeing 1, 0 is impossible
  h.Ok(w);
  EXPECT_EQ(Check(h), CheckResult::kNotLinearizable);
}

TEST(LinearizabilityTest, TimedOutWriteMayTakeEffectLateOrNever) {
  History h;
  h.Timeout(h.Invoke(1, OpKind::kWrite, "k", 5));
  h.Ok(h.Invoke(2, OpKind::kRead, "k"), 0);
  h.Ok(h.Invoke(2, OpKind::kRead, "k"), 5);
  EXPECT_EQ(Check(h), CheckResult::kLinearizable);

  History never;
  never.Timeout(never.Invoke(1, OpKind::kWrite, "k", 5));
  never.Ok(never.Invoke(2, OpKind::kRead, "k"), 0);
  EXPECT_EQ(Check(never), CheckResult::kLinearizable);

  History flicker;
  flicker.Timeout(flicker.Invoke(1, OpKind::kWrite, "k", 5));
  flicker.Ok(flicker.Invoke(2, OpKind::kRead, "k"), 5);
  flicker.Ok(flicker.Invoke(2, OpKind::kRead, "k"), 0);  // a write cannot be undone
  EXPECT_EQ(Check(flicker), CheckResult::kNotLinearizable);
}

TEST(LinearizabilityTest, FailedOperationsNeverHappened) {
  History h;
  h.Fail(h.Invoke(1, OpKind::kWrite, "k", 5));
  h.Ok(h.Invoke(2, OpKind::kRead, "k"), 5);
  EXPECT_EQ(Check(h), CheckResult::kNotLinearizable);
}

TEST(LinearizabilityTest, CompareAndSet) {
  History h;
  h.Ok(h.Invoke(1, OpKind::kWrite, "k", 1));
  h.Ok(h.Invoke(1, OpKind::kCas, "k", 2, 1), 0, true);
  h.Ok(h.Invoke(1, OpKind::kCas, "k", 3, 1), 0, false);
  h.Ok(h.Invoke(1, OpKind::kRead, "k"), 2);
  EXPECT_EQ(Check(h), CheckResult::kLinearizable);

  History twice;  // two concurrent CAS 0 -> x cannot both succeed
  size_t a = twice.Invoke(1, OpKind::kCas, "k", 1, 0);
  size_t b = twice.Invoke(2, OpKind::kCas, "k", 2, 0);
  twice.Ok(a, 0, true);
  twice.Ok(b, 0, true);
  EXPECT_EQ(Check(twice), CheckResult::kNotLinearizable);
}

TEST(LinearizabilityTest, KeysAreCheckedIndependently) {
  History h;
  h.Ok(h.Invoke(1, OpKind::kWrite, "a", 1));
  h.Ok(h.Invoke(1, OpKind::kRead, "b"), 0);
  h.Ok(h.Invoke(1, OpKind::kRead, "a"), 1);
  EXPECT_EQ(Check(h), CheckResult::kLinearizable);
  h.Ok(h.Invoke(1, OpKind::kRead, "b"), 1);
  CheckReport r = CheckLinearizable(h.Finish());
  EXPECT_EQ(r.result, CheckResult::kNotLinearizable);
  EXPECT_EQ(r.bad_key, "b");
}

// A long history produced by a real sequential register with overlapping client
// intervals is linearizable; corrupting one read makes it not.
TEST(LinearizabilityTest, LongConcurrentHistories) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    History h;
    int64_t reg = 0;
    std::vector<std::pair<size_t, int64_t>> open;  // (op id, output) applied, not returned
    std::vector<size_t> reads;
    for (int i = 0; i < 300; ++i) {
      if (open.size() < 4 && rng() % 2) {
        bool write = rng() % 2;
        size_t id = h.Invoke(rng() % 5, write ? OpKind::kWrite : OpKind::kRead, "k", i + 1);
        if (write) reg = i + 1;  // takes effect between call and return
        open.emplace_back(id, reg);
        if (!write) reads.push_back(id);
      } else if (!open.empty()) {
        size_t pick = rng() % open.size();
        h.Ok(open[pick].first, open[pick].second);
        open.erase(open.begin() + static_cast<ptrdiff_t>(pick));
      }
    }
    for (auto& [id, out] : open) h.Timeout(id);
    CheckReport ok = CheckLinearizable(h.Finish());
    ASSERT_EQ(ok.result, CheckResult::kLinearizable) << round;
    std::vector<Operation> ops = h.Finish();
    for (Operation& op : ops) {
      if (op.kind == OpKind::kRead && !op.indeterminate && op.output > 0) {
        op.output = -1;  // a value nobody wrote
        break;
      }
    }
    EXPECT_EQ(CheckLinearizable(ops).result, CheckResult::kNotLinearizable) << round;
  }
}

}  // namespace
}  // namespace strata::raft::testing
