// Window functions (LogicalWindow): every input row is read first; then, per call, the rows
// are ordered by (PARTITION BY, ORDER BY) and each partition is walked once, its rows' values
// computed from their position, their peers (rows equal on ORDER BY) and their frame.
// A frame that starts at the partition's first row is aggregated incrementally; any other
// frame is aggregated afresh for each row.
#include <algorithm>
#include <numeric>

#include "sql/errors.h"
#include "sql/execution/aggregate_state.h"
#include "sql/execution/operators.h"
#include "sql/execution/physical_planner.h"

namespace strata::sql {
namespace {

using FrameKind = ast::FrameBound::Kind;

// NULLs first, then CompareValues.
int CompareKeys(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() == b.is_null() ? 0 : a.is_null() ? -1 : 1;
  return CompareValues(a, b);
}

class WindowOp : public Operator {
 public:
  WindowOp(OperatorPtr child, const LogicalWindow* plan, const EvalContext* ctx)
      : child_(std::move(child)), plan_(plan), ctx_(ctx) {}

  Result<bool> Next(RowBatch* out) override {
    if (!done_) {
      STRATA_ASSIGN_OR_RETURN(rows_, Drain(*child_));
      std::vector<std::vector<Value>> values;
      for (const WindowCall& call : plan_->calls) {
        STRATA_ASSIGN_OR_RETURN(std::vector<Value> v, Compute(call));
        values.push_back(std::move(v));
      }
      for (size_t r = 0; r < rows_.size(); r++)
        for (auto& v : values) rows_[r].push_back(std::move(v[r]));
      done_ = true;
    }
    while (emitted_ < rows_.size() && out->size() < kBatchRows) out->push_back(std::move(rows_[emitted_++]));
    return emitted_ < rows_.size();
  }

 private:
  // One partition: the input rows at order[begin, end), in window order, and where each
  // row's peer group begins and ends (positions within the partition).
  struct Partition {
    const std::vector<size_t>* order;
    size_t begin, size;
    std::vector<size_t> peer_first, peer_last;
    const Row& row(size_t k, const std::vector<Row>& rows) const { return rows[(*order)[begin + k]]; }
  };

  Result<std::vector<Value>> Compute(const WindowCall& call) {
    size_t n = rows_.size();
    std::vector<Row> part(n), ord(n);
    for (size_t i = 0; i < n; i++) {
      for (const BoundExprPtr& p : call.partition_by) {
        STRATA_ASSIGN_OR_RETURN(Value v, Eval(*p, rows_[i], *ctx_));
        part[i].push_back(std::move(v));
      }
      for (const auto& [e, descending] : call.order_by) {
        STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e, rows_[i], *ctx_));
        ord[i].push_back(std::move(v));
      }
    }
    auto compare_rows = [](const Row& a, const Row& b, const std::vector<std::pair<BoundExprPtr, bool>>* desc) {
      for (size_t k = 0; k < a.size(); k++) {
        int c = CompareKeys(a[k], b[k]);
        if (c != 0) return desc && (*desc)[k].second ? -c : c;
      }
      return 0;
    };
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      int c = compare_rows(part[a], part[b], nullptr);
      if (c != 0) return c < 0;
      return compare_rows(ord[a], ord[b], &call.order_by) < 0;
    });
    std::vector<Value> out(n);
    for (size_t begin = 0; begin < n;) {
      size_t end = begin + 1;
      while (end < n && compare_rows(part[order[begin]], part[order[end]], nullptr) == 0) end++;
      Partition p{&order, begin, end - begin, {}, {}};
      p.peer_first.resize(p.size);
      p.peer_last.resize(p.size);
      for (size_t k = 0; k < p.size;) {
        size_t j = k + 1;
        while (j < p.size && compare_rows(ord[order[begin + k]], ord[order[begin + j]], nullptr) == 0) j++;
        for (size_t x = k; x < j; x++) p.peer_first[x] = k, p.peer_last[x] = j - 1;
        k = j;
      }
      STRATA_RETURN_IF_ERROR(ComputePartition(call, p, &out));
      STRATA_RETURN_IF_ERROR(CheckInterrupted(*ctx_));
      begin = end;
    }
    return out;
  }

  // The frame of row k: positions [first, last] of the partition (first > last: empty).
  std::pair<int64_t, int64_t> Frame(const WindowCall& call, const Partition& p, size_t k) const {
    auto bound = [&](const ast::FrameBound& b, bool is_start) -> int64_t {
      int64_t m = static_cast<int64_t>(p.size), pos = static_cast<int64_t>(k);
      int64_t offset = static_cast<int64_t>(std::min<uint64_t>(b.offset, static_cast<uint64_t>(INT64_MAX / 4)));
      switch (b.kind) {
        case FrameKind::kUnboundedPreceding: return 0;
        case FrameKind::kUnboundedFollowing: return m - 1;
        case FrameKind::kPreceding: return pos - offset;
        case FrameKind::kFollowing: return pos + offset;
        case FrameKind::kCurrentRow:
          if (call.frame_rows) return pos;
          return static_cast<int64_t>(is_start ? p.peer_first[k] : p.peer_last[k]);  // RANGE: the peers
      }
      return pos;
    };
    int64_t first = std::max<int64_t>(bound(call.start, true), 0);
    int64_t last = std::min<int64_t>(bound(call.end, false), static_cast<int64_t>(p.size) - 1);
    return {first, last};
  }

  Result<Value> ValueAt(const BoundExpr& e, const Partition& p, int64_t k) {
    return Eval(e, p.row(static_cast<size_t>(k), rows_), *ctx_);
  }

  Status ComputePartition(const WindowCall& call, const Partition& p, std::vector<Value>* out) {
    size_t m = p.size;
    AggState running;  // frames that start at the partition's first row
    int64_t running_last = -1;
    uint64_t dense = 0;
    for (size_t k = 0; k < m; k++) {
      size_t at = (*p.order)[p.begin + k];
      const Row& row = rows_[at];
      Value& v = (*out)[at];
      if (k == 0 || p.peer_first[k] == k) dense++;
      switch (call.fn) {
        case WindowFn::kRowNumber: v = Value::Int(static_cast<int64_t>(k + 1)); break;
        case WindowFn::kRank: v = Value::Int(static_cast<int64_t>(p.peer_first[k] + 1)); break;
        case WindowFn::kDenseRank: v = Value::Int(static_cast<int64_t>(dense)); break;
        case WindowFn::kPercentRank:
          v = Value::Double(m > 1 ? static_cast<double>(p.peer_first[k]) / static_cast<double>(m - 1) : 0.0);
          break;
        case WindowFn::kCumeDist: v = Value::Double(static_cast<double>(p.peer_last[k] + 1) / static_cast<double>(m)); break;
        case WindowFn::kNtile: {
          STRATA_ASSIGN_OR_RETURN(Value buckets_value, Eval(*call.args[0], row, *ctx_));
          int64_t buckets = buckets_value.is_null() ? 0 : SaturatingInt64(buckets_value.ToDouble());
          if (buckets <= 0) return ErrWrongArguments("ntile");
          uint64_t b = static_cast<uint64_t>(buckets), size = m / b, extra = m % b;
          uint64_t big = extra * (size + 1);
          v = Value::Int(static_cast<int64_t>(k < big ? k / (size + 1) + 1 : (k - big) / std::max<uint64_t>(size, 1) + extra + 1));
          break;
        }
        case WindowFn::kLag: case WindowFn::kLead: {
          int64_t offset = 1;
          if (call.args.size() > 1) {
            STRATA_ASSIGN_OR_RETURN(Value o, Eval(*call.args[1], row, *ctx_));
            if (o.is_null() || o.ToDouble() < 0) return ErrWrongArguments(call.name);
            offset = SaturatingInt64(o.ToDouble());
          }
          int64_t target = call.fn == WindowFn::kLag ? static_cast<int64_t>(k) - offset : static_cast<int64_t>(k) + offset;
          if (target >= 0 && target < static_cast<int64_t>(m)) {
            STRATA_ASSIGN_OR_RETURN(v, ValueAt(*call.args[0], p, target));
          } else if (call.args.size() > 2) {
            STRATA_ASSIGN_OR_RETURN(v, Eval(*call.args[2], row, *ctx_));
          }
          break;
        }
        case WindowFn::kFirstValue: case WindowFn::kLastValue: case WindowFn::kNthValue: {
          auto [first, last] = Frame(call, p, k);
          int64_t pick = call.fn == WindowFn::kFirstValue ? first : last;
          if (call.fn == WindowFn::kNthValue) {
            STRATA_ASSIGN_OR_RETURN(Value nth, Eval(*call.args[1], row, *ctx_));
            int64_t nv = nth.is_null() ? 0 : SaturatingInt64(nth.ToDouble());
            if (nv <= 0) return ErrWrongArguments("nth_value");
            pick = first + nv - 1 > last ? INT64_MAX : first + nv - 1;
          }
          if (first <= last && pick >= first && pick <= last) {
            STRATA_ASSIGN_OR_RETURN(v, ValueAt(*call.args[0], p, pick));
          }
          break;
        }
        case WindowFn::kAggregate: {
          auto [first, last] = Frame(call, p, k);
          if (call.start.kind == FrameKind::kUnboundedPreceding) {
            for (; running_last < last; running_last++)
              STRATA_RETURN_IF_ERROR(Accumulate(call.aggregate, p.row(static_cast<size_t>(running_last + 1), rows_), *ctx_, &running));
            STRATA_ASSIGN_OR_RETURN(v, FinishAggregate(call.aggregate, &running));
          } else {
            AggState state;
            for (int64_t x = first; x <= last; x++)
              STRATA_RETURN_IF_ERROR(Accumulate(call.aggregate, p.row(static_cast<size_t>(x), rows_), *ctx_, &state));
            STRATA_ASSIGN_OR_RETURN(v, FinishAggregate(call.aggregate, &state));
          }
          if ((k & 255) == 255) STRATA_RETURN_IF_ERROR(CheckInterrupted(*ctx_));
          break;
        }
      }
    }
    return Status::OK();
  }

  OperatorPtr child_;
  const LogicalWindow* plan_;
  const EvalContext* ctx_;
  std::vector<Row> rows_;
  size_t emitted_ = 0;
  bool done_ = false;
};

}  // namespace

OperatorPtr MakeWindow(OperatorPtr child, const LogicalWindow* plan, const EvalContext* ctx) {
  return std::make_unique<WindowOp>(std::move(child), plan, ctx);
}

}  // namespace strata::sql
