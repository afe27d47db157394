// Linearizability checker for key-value register histories (test tooling).
//
// Wing & Gong's search with Lowe's memoization (as in Porcupine and Knossos): walk the
// history's call/return events, try to linearize each pending operation at the current
// point, backtrack on a return whose operation was not linearized, and remember
// (linearized set, model state) pairs already explored. The history is split per key
// first (P-compositionality: a history is linearizable iff each key's is), which keeps
// each search small.
//
// Operations whose outcome is unknown (a client timed out: the write may or may not have
// happened) get a return time of infinity: they may be linearized anywhere after their
// call, including "at the end", which is the same as never. Timed-out reads constrain
// nothing and are dropped. Definitely failed operations (never executed) are dropped.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace strata::raft::testing {

enum class OpKind : uint8_t { kRead, kWrite, kCas };

// One register operation on `key`. The register's initial value is 0.
struct Operation {
  uint64_t client = 0;
  OpKind kind = OpKind::kRead;
  std::string key;
  int64_t value = 0;     // write: value written; cas: new value
  int64_t expected = 0;  // cas: value compared against
  // Outcome, meaningful when !indeterminate:
  int64_t output = 0;    // read: value read
  bool cas_ok = false;   // cas: whether the swap happened
  bool indeterminate = false;
  uint64_t call = 0;     // invocation time
  uint64_t ret = 0;      // completion time (> call); ignored when indeterminate
};

// Records a concurrent history with unique, increasing timestamps.
class History {
 public:
  // Returns the operation's id.
  size_t Invoke(uint64_t client, OpKind kind, std::string key, int64_t value = 0, int64_t expected = 0);
  void Ok(size_t id, int64_t output = 0, bool cas_ok = false);
  void Fail(size_t id);     // definitely not executed: removed from the history
  void Timeout(size_t id);  // outcome unknown
  // Operations still open count as timed out.
  std::vector<Operation> Finish() const;
  size_t size() const { return ops_.size(); }

 private:
  enum class State : uint8_t { kOpen, kOk, kFailed, kTimedOut };
  uint64_t now_ = 0;
  std::vector<Operation> ops_;
  std::vector<State> state_;
};

enum class CheckResult : uint8_t { kLinearizable, kNotLinearizable, kUnknown };

struct CheckReport {
  CheckResult result = CheckResult::kLinearizable;
  std::string bad_key;  // first key found not linearizable (or out of budget)
  size_t operations = 0;
  uint64_t search_steps = 0;
};

// Checks the whole history, key by key. `max_steps` bounds the search per key; past it
// the answer is kUnknown rather than a hang.
CheckReport CheckLinearizable(const std::vector<Operation>& ops, uint64_t max_steps = 50'000'000);

// Renders operations for a failure message.
std::string DescribeHistory(const std::vector<Operation>& ops, const std::string& key);

}  // namespace strata::raft::testing
