#include "sql/execution/operators.h"
#include "sql/execution/row_hash.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "sql/errors.h"

namespace strata::sql {
namespace {

// ---- Scan ---------------------------------------------------------------------------

class ScanOp : public Operator {
 public:
  ScanOp(txn::Transaction* txn, const TableSchema* table, AccessPath path, bool with_keys, uint64_t* examined)
      : txn_(txn), table_(table), path_(std::move(path)), with_keys_(with_keys), examined_(examined) {
    if (path_.kind == AccessPath::Kind::kFullScan) {
      Bytes prefix = IndexPrefix(table->id, kPrimaryIndexId);
      path_.ranges.push_back({prefix, PrefixSuccessor(prefix)});
      path_.kind = AccessPath::Kind::kPrimaryRanges;
    }
    if (!path_.ranges.empty()) cursor_ = path_.ranges[0].begin;
  }

  Result<bool> Next(RowBatch* out) override {
    switch (path_.kind) {
      case AccessPath::Kind::kPrimaryPoints: return NextPoints(out);
      case AccessPath::Kind::kIndexPrefix: return NextRanges(out, true);
      default: return NextRanges(out, false);
    }
  }

 private:
  Status Emit(Slice key, Slice value, RowBatch* out) {
    STRATA_ASSIGN_OR_RETURN(Row row, DecodeRow(value, table_->columns.size()));
    if (with_keys_) row.push_back(Value::String(Bytes(key)));
    out->push_back(std::move(row));
    ++*examined_;
    return Status::OK();
  }

  Result<bool> NextPoints(RowBatch* out) {
    while (point_ < path_.points.size() && out->size() < kBatchRows) {
      const Bytes& key = path_.points[point_++];
      STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> value, txn_->Get(key));
      if (value) STRATA_RETURN_IF_ERROR(Emit(key, *value, out));
    }
    return point_ < path_.points.size();
  }

  Result<bool> NextRanges(RowBatch* out, bool via_index) {
    while (range_ < path_.ranges.size()) {
      const KeyRange& r = path_.ranges[range_];
      STRATA_ASSIGN_OR_RETURN(auto kvs, txn_->Scan(cursor_, r.end, kBatchRows));
      for (auto& kv : kvs) {
        if (via_index) {
          STRATA_ASSIGN_OR_RETURN(Bytes pk, PkSuffixFromIndexKey(*table_, *path_.index, kv.key));
          Bytes row_key = RowKey(*table_, pk);
          STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> value, txn_->Get(row_key));
          if (!value) return Status::Corruption(fmt::format("index {} of table {} names a missing row", path_.index->name, table_->name));
          STRATA_RETURN_IF_ERROR(Emit(row_key, *value, out));
        } else {
          STRATA_RETURN_IF_ERROR(Emit(kv.key, kv.value, out));
        }
      }
      if (kvs.size() == kBatchRows) {
        cursor_ = kvs.back().key + '\0';
        return true;
      }
      if (++range_ < path_.ranges.size()) cursor_ = path_.ranges[range_].begin;
      if (out->size() >= kBatchRows) return range_ < path_.ranges.size();
    }
    return false;
  }

  txn::Transaction* txn_;
  const TableSchema* table_;
  AccessPath path_;
  bool with_keys_;
  uint64_t* examined_;
  size_t range_ = 0, point_ = 0;
  Bytes cursor_;
};

class ValuesOp : public Operator {
 public:
  explicit ValuesOp(const std::vector<Row>* rows) : rows_(rows) {}
  Result<bool> Next(RowBatch* out) override {
    while (pos_ < rows_->size() && out->size() < kBatchRows) out->push_back((*rows_)[pos_++]);
    return pos_ < rows_->size();
  }

 private:
  const std::vector<Row>* rows_;
  size_t pos_ = 0;
};

class FilterOp : public Operator {
 public:
  FilterOp(OperatorPtr child, const BoundExpr* pred, const EvalContext* ctx)
      : child_(std::move(child)), pred_(pred), ctx_(ctx) {}
  Result<bool> Next(RowBatch* out) override {
    while (true) {
      RowBatch in;
      STRATA_ASSIGN_OR_RETURN(bool more, child_->Next(&in));
      for (Row& row : in) {
        STRATA_ASSIGN_OR_RETURN(bool keep, EvalPredicate(*pred_, row, *ctx_));
        if (keep) out->push_back(std::move(row));
      }
      if (!more || !out->empty()) return more;
    }
  }

 private:
  OperatorPtr child_;
  const BoundExpr* pred_;
  const EvalContext* ctx_;
};

class ProjectOp : public Operator {
 public:
  ProjectOp(OperatorPtr child, std::vector<const BoundExpr*> exprs, const EvalContext* ctx)
      : child_(std::move(child)), exprs_(std::move(exprs)), ctx_(ctx) {}
  Result<bool> Next(RowBatch* out) override {
    RowBatch in;
    STRATA_ASSIGN_OR_RETURN(bool more, child_->Next(&in));
    for (const Row& row : in) {
      Row projected;
      projected.reserve(exprs_.size());
      for (const BoundExpr* e : exprs_) {
        STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e, row, *ctx_));
        projected.push_back(std::move(v));
      }
      out->push_back(std::move(projected));
    }
    return more;
  }

 private:
  OperatorPtr child_;
  std::vector<const BoundExpr*> exprs_;
  const EvalContext* ctx_;
};

// ---- Aggregation --------------------------------------------------------------------


struct AggState {
  int64_t count = 0;
  bool exact = true;  // sum so far is exact (ints/decimals)
  Decimal sum_exact;
  double sum_double = 0;
  Value best;  // MIN/MAX
  std::unordered_set<Row, RowHash, RowEq> seen;  // DISTINCT
};

class AggregateOp : public Operator {
 public:
  AggregateOp(OperatorPtr child, std::vector<const BoundExpr*> group_by, const std::vector<AggregateSpec>* aggs,
              size_t width, const EvalContext* ctx)
      : child_(std::move(child)), group_by_(std::move(group_by)), aggs_(aggs), width_(width), ctx_(ctx) {}

  Result<bool> Next(RowBatch* out) override {
    if (!done_) {
      STRATA_RETURN_IF_ERROR(Consume());
      done_ = true;
    }
    while (emitted_ < order_.size() && out->size() < kBatchRows) {
      Group& g = groups_[order_[emitted_++]];
      Row row = std::move(g.first);
      row.resize(width_);
      for (size_t i = 0; i < aggs_->size(); i++) {
        STRATA_ASSIGN_OR_RETURN(Value v, Finish((*aggs_)[i], g.states[i]));
        row.push_back(std::move(v));
      }
      out->push_back(std::move(row));
    }
    return emitted_ < order_.size();
  }

 private:
  struct Group {
    Row first;
    std::vector<AggState> states;
  };

  Status Consume() {
    while (true) {
      RowBatch in;
      STRATA_ASSIGN_OR_RETURN(bool more, child_->Next(&in));
      for (Row& row : in) STRATA_RETURN_IF_ERROR(Add(std::move(row)));
      if (!more) break;
    }
    if (order_.empty() && group_by_.empty()) {  // aggregate over no rows: one row
      Row key;
      groups_.emplace(key, Group{Row(width_), std::vector<AggState>(aggs_->size())});
      order_.push_back(key);
    }
    return Status::OK();
  }

  Status Add(Row row) {
    Row key;
    for (const BoundExpr* e : group_by_) {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e, row, *ctx_));
      key.push_back(std::move(v));
    }
    auto it = groups_.find(key);
    if (it == groups_.end()) {
      if (groups_.size() >= kMaxGroups) return ErrTooManyRows("GROUP BY", kMaxGroups);
      order_.push_back(key);
      it = groups_.emplace(std::move(key), Group{row, std::vector<AggState>(aggs_->size())}).first;
    }
    for (size_t i = 0; i < aggs_->size(); i++) STRATA_RETURN_IF_ERROR(Accumulate((*aggs_)[i], row, &it->second.states[i]));
    return Status::OK();
  }

  Status Accumulate(const AggregateSpec& spec, const Row& row, AggState* s) {
    if (spec.fn == Fn::kCountStar) {
      s->count++;
      return Status::OK();
    }
    STRATA_ASSIGN_OR_RETURN(Value v, Eval(*spec.arg, row, *ctx_));
    if (v.is_null()) return Status::OK();
    if (spec.distinct && !s->seen.insert(Row{v}).second) return Status::OK();
    s->count++;
    switch (spec.fn) {
      case Fn::kSum:
      case Fn::kAvg:
        if (s->exact && (v.kind() == ValueKind::kInt || v.kind() == ValueKind::kUint || v.kind() == ValueKind::kDecimal)) {
          Decimal d = v.kind() == ValueKind::kInt    ? Decimal{v.int_value(), 0}
                      : v.kind() == ValueKind::kUint ? Decimal{static_cast<__int128>(v.uint_value()), 0}
                                                     : v.decimal_value();
          STRATA_ASSIGN_OR_RETURN(s->sum_exact, DecimalAdd(s->sum_exact, d));
        } else {
          s->exact = false;
        }
        s->sum_double += v.ToDouble();
        break;
      case Fn::kMin:
        if (s->best.is_null() || CompareValues(v, s->best) < 0) s->best = v;
        break;
      case Fn::kMax:
        if (s->best.is_null() || CompareValues(v, s->best) > 0) s->best = v;
        break;
      default: break;
    }
    return Status::OK();
  }

  Result<Value> Finish(const AggregateSpec& spec, const AggState& s) {
    switch (spec.fn) {
      case Fn::kCount: case Fn::kCountStar: return Value::Int(s.count);
      case Fn::kMin: case Fn::kMax: return s.best;
      case Fn::kSum:
        if (s.count == 0) return Value::Null();
        return s.exact ? Value::Dec(s.sum_exact) : Value::Double(s.sum_double);
      case Fn::kAvg: {
        if (s.count == 0) return Value::Null();
        if (!s.exact) return Value::Double(s.sum_double / static_cast<double>(s.count));
        STRATA_ASSIGN_OR_RETURN(std::optional<Decimal> avg, DecimalDiv(s.sum_exact, Decimal{s.count, 0}));
        return Value::Dec(*avg);
      }
      default: return Status::Internal("bad aggregate");
    }
  }

  OperatorPtr child_;
  std::vector<const BoundExpr*> group_by_;
  const std::vector<AggregateSpec>* aggs_;
  size_t width_;
  const EvalContext* ctx_;
  std::unordered_map<Row, Group, RowHash, RowEq> groups_;
  std::vector<Row> order_;  // group keys in first-seen order
  size_t emitted_ = 0;
  bool done_ = false;
};

// ---- Sort, distinct, limit --------------------------------------------------------

class SortOp : public Operator {
 public:
  SortOp(OperatorPtr child, std::vector<SortKey> keys) : child_(std::move(child)), keys_(std::move(keys)) {}
  Result<bool> Next(RowBatch* out) override {
    if (!sorted_) {
      STRATA_ASSIGN_OR_RETURN(rows_, Drain(*child_));
      std::stable_sort(rows_.begin(), rows_.end(), [this](const Row& a, const Row& b) {
        for (const SortKey& k : keys_) {
          const Value& x = a[k.column];
          const Value& y = b[k.column];
          int c = x.is_null() ? (y.is_null() ? 0 : -1) : y.is_null() ? 1 : CompareValues(x, y);
          if (c != 0) return k.descending ? c > 0 : c < 0;
        }
        return false;
      });
      sorted_ = true;
    }
    while (pos_ < rows_.size() && out->size() < kBatchRows) out->push_back(std::move(rows_[pos_++]));
    return pos_ < rows_.size();
  }

 private:
  OperatorPtr child_;
  std::vector<SortKey> keys_;
  std::vector<Row> rows_;
  size_t pos_ = 0;
  bool sorted_ = false;
};

class DistinctOp : public Operator {
 public:
  DistinctOp(OperatorPtr child, size_t width) : child_(std::move(child)), width_(width) {}
  Result<bool> Next(RowBatch* out) override {
    while (true) {
      RowBatch in;
      STRATA_ASSIGN_OR_RETURN(bool more, child_->Next(&in));
      for (Row& row : in) {
        Row key(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(std::min(width_, row.size())));
        if (seen_.size() >= kMaxGroups) return ErrTooManyRows("DISTINCT", kMaxGroups);
        if (seen_.insert(std::move(key)).second) out->push_back(std::move(row));
      }
      if (!more || !out->empty()) return more;
    }
  }

 private:
  OperatorPtr child_;
  size_t width_;
  std::unordered_set<Row, RowHash, RowEq> seen_;
};

class LimitOp : public Operator {
 public:
  LimitOp(OperatorPtr child, uint64_t offset, uint64_t count) : child_(std::move(child)), skip_(offset), left_(count) {}
  Result<bool> Next(RowBatch* out) override {
    while (left_ > 0) {
      RowBatch in;
      STRATA_ASSIGN_OR_RETURN(bool more, child_->Next(&in));
      for (Row& row : in) {
        if (skip_ > 0) {
          skip_--;
          continue;
        }
        if (left_ == 0) break;
        out->push_back(std::move(row));
        left_--;
      }
      if (!more) return false;
      if (!out->empty()) return left_ > 0;
    }
    return false;
  }

 private:
  OperatorPtr child_;
  uint64_t skip_, left_;
};

}  // namespace

OperatorPtr MakeScan(txn::Transaction* txn, const TableSchema* table, AccessPath path, bool with_keys,
                     uint64_t* rows_examined) {
  return std::make_unique<ScanOp>(txn, table, std::move(path), with_keys, rows_examined);
}
OperatorPtr MakeValues(const std::vector<Row>* rows) { return std::make_unique<ValuesOp>(rows); }
OperatorPtr MakeFilter(OperatorPtr child, const BoundExpr* predicate, const EvalContext* ctx) {
  return std::make_unique<FilterOp>(std::move(child), predicate, ctx);
}
OperatorPtr MakeProject(OperatorPtr child, std::vector<const BoundExpr*> exprs, const EvalContext* ctx) {
  return std::make_unique<ProjectOp>(std::move(child), std::move(exprs), ctx);
}
OperatorPtr MakeAggregate(OperatorPtr child, std::vector<const BoundExpr*> group_by,
                          const std::vector<AggregateSpec>* aggregates, size_t input_width, const EvalContext* ctx) {
  return std::make_unique<AggregateOp>(std::move(child), std::move(group_by), aggregates, input_width, ctx);
}
OperatorPtr MakeSort(OperatorPtr child, std::vector<SortKey> keys) {
  return std::make_unique<SortOp>(std::move(child), std::move(keys));
}
OperatorPtr MakeDistinct(OperatorPtr child, size_t width) { return std::make_unique<DistinctOp>(std::move(child), width); }
OperatorPtr MakeLimit(OperatorPtr child, uint64_t offset, uint64_t count) {
  return std::make_unique<LimitOp>(std::move(child), offset, count);
}

size_t RowBytes(const Row& row) {
  size_t bytes = sizeof(Row) + row.size() * sizeof(Value);
  for (const Value& v : row)
    if (v.kind() == ValueKind::kString) bytes += v.string_value().capacity();
  return bytes;
}

Result<std::vector<Row>> Drain(Operator& op, size_t max_rows) {
  std::vector<Row> rows;
  size_t bytes = 0;
  while (true) {
    RowBatch batch;
    STRATA_ASSIGN_OR_RETURN(bool more, op.Next(&batch));
    for (Row& r : batch) {
      bytes += RowBytes(r);
      rows.push_back(std::move(r));
    }
    if (rows.size() > max_rows) return ErrTooManyRows("result", max_rows);
    if (bytes > kMaxMaterializedBytes) return ErrStatementMemory(kMaxMaterializedBytes);
    if (!more) return rows;
  }
}

}  // namespace strata::sql
