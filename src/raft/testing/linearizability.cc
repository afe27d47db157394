#include "raft/testing/linearizability.h"

#include <fmt/core.h>

#include <algorithm>
#include <unordered_set>

#include "common/check.h"

namespace strata::raft::testing {

// --- recording -------------------------------------------------------------------------

size_t History::Invoke(uint64_t client, OpKind kind, std::string key, int64_t value, int64_t expected) {
  Operation op;
  op.client = client;
  op.kind = kind;
  op.key = std::move(key);
  op.value = value;
  op.expected = expected;
  op.call = ++now_;
  ops_.push_back(std::move(op));
  state_.push_back(State::kOpen);
  return ops_.size() - 1;
}

void History::Ok(size_t id, int64_t output, bool cas_ok) {
  STRATA_CHECK(state_.at(id) == State::kOpen);
  ops_[id].output = output;
  ops_[id].cas_ok = cas_ok;
  ops_[id].ret = ++now_;
  state_[id] = State::kOk;
}

void History::Fail(size_t id) {
  STRATA_CHECK(state_.at(id) == State::kOpen);
  state_[id] = State::kFailed;
}

void History::Timeout(size_t id) {
  STRATA_CHECK(state_.at(id) == State::kOpen);
  state_[id] = State::kTimedOut;
}

std::vector<Operation> History::Finish() const {
  std::vector<Operation> out;
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (state_[i] == State::kFailed) continue;
    Operation op = ops_[i];
    op.indeterminate = state_[i] != State::kOk;
    out.push_back(std::move(op));
  }
  return out;
}

// --- checking --------------------------------------------------------------------------

namespace {

constexpr uint64_t kInfinity = std::numeric_limits<uint64_t>::max();

// The register model: applies `op` to `state`; false if the op's recorded outcome is
// impossible from `state`.
bool Step(int64_t state, const Operation& op, int64_t* next) {
  switch (op.kind) {
    case OpKind::kRead:
      *next = state;
      return op.indeterminate || op.output == state;
    case OpKind::kWrite:
      *next = op.value;
      return true;
    case OpKind::kCas: {
      bool swaps = state == op.expected;
      *next = swaps ? op.value : state;
      return op.indeterminate || swaps == op.cas_ok;
    }
  }
  return false;
}

// A node of the doubly linked event list: a call (match = its return) or a return.
struct Event {
  size_t op = 0;
  bool is_call = false;
  uint64_t time = 0;
  Event* match = nullptr;
  Event* prev = nullptr;
  Event* next = nullptr;
};

struct CacheKey {
  std::vector<uint64_t> bits;
  int64_t state;
  bool operator==(const CacheKey&) const = default;
};
struct CacheKeyHash {
  size_t operator()(const CacheKey& k) const {
    uint64_t h = static_cast<uint64_t>(k.state) * 0x9E3779B97F4A7C15ull;
    for (uint64_t w : k.bits) h = (h ^ w) * 0x100000001B3ull;
    return h;
  }
};

void Lift(Event* call) {
  call->prev->next = call->next;
  if (call->next) call->next->prev = call->prev;
  Event* ret = call->match;
  ret->prev->next = ret->next;
  if (ret->next) ret->next->prev = ret->prev;
}

void Unlift(Event* call) {
  Event* ret = call->match;
  ret->prev->next = ret;
  if (ret->next) ret->next->prev = ret;
  call->prev->next = call;
  if (call->next) call->next->prev = call;
}

CheckResult CheckKey(const std::vector<const Operation*>& ops, uint64_t max_steps, uint64_t* steps) {
  std::vector<Event> events(ops.size() * 2 + 1);
  Event* head = &events.back();  // sentinel
  std::vector<Event*> order;
  for (size_t i = 0; i < ops.size(); ++i) {
    Event* call = &events[2 * i];
    Event* ret = &events[2 * i + 1];
    *call = Event{i, true, ops[i]->call, ret};
    *ret = Event{i, false, ops[i]->indeterminate ? kInfinity : ops[i]->ret, call};
    order.push_back(call);
    order.push_back(ret);
  }
  // By time; at equal times calls first (treat touching operations as concurrent).
  std::stable_sort(order.begin(), order.end(), [](const Event* a, const Event* b) {
    if (a->time != b->time) return a->time < b->time;
    return a->is_call && !b->is_call;
  });
  Event* prev = head;
  for (Event* e : order) {
    prev->next = e;
    e->prev = prev;
    prev = e;
  }
  std::vector<uint64_t> linearized((ops.size() + 63) / 64, 0);
  std::unordered_set<CacheKey, CacheKeyHash> cache;
  std::vector<std::pair<Event*, int64_t>> stack;
  int64_t state = 0;
  Event* entry = head->next;
  while (head->next != nullptr) {
    if (++*steps > max_steps) return CheckResult::kUnknown;
    if (entry->is_call) {
      int64_t next_state;
      if (Step(state, *ops[entry->op], &next_state)) {
        std::vector<uint64_t> bits = linearized;
        bits[entry->op / 64] |= 1ull << (entry->op % 64);
        if (cache.insert(CacheKey{bits, next_state}).second) {
          stack.emplace_back(entry, state);
          state = next_state;
          linearized = std::move(bits);
          Lift(entry);
          entry = head->next;
          continue;
        }
      }
      entry = entry->next;
    } else {
      // An operation returned before we managed to linearize it: undo the last choice.
      if (stack.empty()) return CheckResult::kNotLinearizable;
      auto [call, old_state] = stack.back();
      stack.pop_back();
      state = old_state;
      linearized[call->op / 64] &= ~(1ull << (call->op % 64));
      Unlift(call);
      entry = call->next;
    }
  }
  return CheckResult::kLinearizable;
}

}  // namespace

CheckReport CheckLinearizable(const std::vector<Operation>& ops, uint64_t max_steps) {
  std::map<std::string, std::vector<const Operation*>> by_key;
  for (const Operation& op : ops) {
    if (op.indeterminate && op.kind == OpKind::kRead) continue;
    STRATA_CHECK(op.indeterminate || op.ret > op.call);
    by_key[op.key].push_back(&op);
  }
  CheckReport report;
  report.operations = ops.size();
  for (const auto& [key, key_ops] : by_key) {
    CheckResult r = CheckKey(key_ops, max_steps, &report.search_steps);
    if (r != CheckResult::kLinearizable) {
      report.result = r;
      report.bad_key = key;
      return report;
    }
  }
  return report;
}

std::string DescribeHistory(const std::vector<Operation>& ops, const std::string& key) {
  std::string out;
  for (const Operation& op : ops) {
    if (op.key != key) continue;
    std::string what;
    switch (op.kind) {
      case OpKind::kRead: what = fmt::format("read -> {}", op.output); break;
      case OpKind::kWrite: what = fmt::format("write {}", op.value); break;
      case OpKind::kCas: what = fmt::format("cas {}->{} : {}", op.expected, op.value, op.cas_ok); break;
    }
    std::string ret = op.indeterminate ? "?" : fmt::format("{}", op.ret);
    out += fmt::format("  client {} [{}, {}] {}{}\n", op.client, op.call, ret, what,
                       op.indeterminate ? " (indeterminate)" : "");
  }
  return out;
}

}  // namespace strata::raft::testing
