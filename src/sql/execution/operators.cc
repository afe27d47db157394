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
  ScanOp(txn::Transaction* txn, const TableSchema* table, AccessPath path, bool with_keys, uint64_t* examined,
         txn::LockMode lock)
      : txn_(txn), table_(table), path_(std::move(path)), with_keys_(with_keys), examined_(examined), lock_(lock) {
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
      case AccessPath::Kind::kIndexPrefix:
        return lock_ == txn::LockMode::kNone ? NextRanges(out, true) : NextLockedIndexRanges(out);
      default: return lock_ == txn::LockMode::kNone ? NextRanges(out, false) : NextLockedRanges(out);
    }
  }

 private:
  Status Emit(Slice key, Slice value, RowBatch* out) {
    STRATA_ASSIGN_OR_RETURN(Row row, DecodeRow(value, *table_));
    if (with_keys_) row.push_back(Value::String(Bytes(key)));
    out->push_back(std::move(row));
    ++*examined_;
    return Status::OK();
  }

  Result<bool> NextPoints(RowBatch* out) {
    while (point_ < path_.points.size() && out->size() < kBatchRows) {
      const Bytes& key = path_.points[point_++];
      if (lock_ == txn::LockMode::kNone) {  // decoded from the engine's bytes, not a copy of them
        STRATA_ASSIGN_OR_RETURN(std::optional<txn::PinnedValue> value, txn_->GetPinned(key));
        if (value) STRATA_RETURN_IF_ERROR(Emit(key, value->value(), out));
        continue;
      }
      STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> value, txn_->GetForUpdate(key, lock_));
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
          STRATA_ASSIGN_OR_RETURN(std::optional<txn::PinnedValue> value, txn_->GetPinned(row_key));
          if (!value) return Status::Corruption(fmt::format("index {} of table {} names a missing row", path_.index->name, table_->name));
          STRATA_RETURN_IF_ERROR(Emit(row_key, value->value(), out));
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

  // Steps to the next range once the current one is done; whether any range is left.
  bool NextRange() {
    if (++range_ < path_.ranges.size()) cursor_ = path_.ranges[range_].begin;
    return range_ < path_.ranges.size();
  }

  // A locking read along the primary key: the rows as locked and read again.
  Result<bool> NextLockedRanges(RowBatch* out) {
    while (range_ < path_.ranges.size() && out->size() < kBatchRows) {
      STRATA_ASSIGN_OR_RETURN(txn::Transaction::LockedRows locked,
                              txn_->ScanForUpdate(cursor_, path_.ranges[range_].end, kBatchRows - out->size(), lock_));
      for (auto& kv : locked.rows) STRATA_RETURN_IF_ERROR(Emit(kv.key, kv.value, out));
      if (!locked.resume.empty()) {
        cursor_ = std::move(locked.resume);
      } else {
        NextRange();
      }
    }
    return range_ < path_.ranges.size();
  }

  // A locking read through a secondary index: the index at its latest state, then each row
  // locked and read; a row whose indexed values changed while this waited for its lock no
  // longer matches the entry that led here and is left out (its new entry, if in range, is
  // met later in the scan).
  Result<bool> NextLockedIndexRanges(RowBatch* out) {
    while (range_ < path_.ranges.size() && out->size() < kBatchRows) {
      txn::LogIndex read_at = 0;
      size_t limit = kBatchRows - out->size();
      STRATA_ASSIGN_OR_RETURN(auto kvs, txn_->ScanLatest(cursor_, path_.ranges[range_].end, limit, &read_at));
      for (auto& kv : kvs) {
        STRATA_ASSIGN_OR_RETURN(Bytes pk, PkSuffixFromIndexKey(*table_, *path_.index, kv.key));
        Bytes row_key = RowKey(*table_, pk);
        STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> value, txn_->GetForUpdate(row_key, lock_));
        if (!value) continue;  // deleted meanwhile (or SKIP LOCKED)
        STRATA_ASSIGN_OR_RETURN(Row row, DecodeRow(*value, *table_));
        if (IndexKey(*table_, *path_.index, row, pk) != kv.key) continue;  // moved meanwhile
        STRATA_RETURN_IF_ERROR(Emit(row_key, *value, out));
      }
      if (kvs.size() == limit) {
        cursor_ = kvs.back().key + '\0';
      } else {
        NextRange();
      }
    }
    return range_ < path_.ranges.size();
  }

  txn::Transaction* txn_;
  const TableSchema* table_;
  AccessPath path_;
  bool with_keys_;
  uint64_t* examined_;
  txn::LockMode lock_;
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
      : child_(std::move(child)), exprs_(std::move(exprs)), ctx_(ctx), moved_(exprs_.size(), false) {
    // A bare column that nothing else reads is moved out of the input row (dropped after
    // projecting) instead of copied: a LONGBLOB read is not copied once more here.
    std::vector<uint32_t> columns;
    for (const BoundExpr* e : exprs_) CollectColumns(*e, &columns);
    for (size_t i = 0; i < exprs_.size(); i++) {
      const BoundExpr& e = *exprs_[i];
      moved_[i] = e.kind == BoundExpr::Kind::kColumn && !e.timestamp_utc &&
                  std::count(columns.begin(), columns.end(), e.column) == 1;
    }
  }
  Result<bool> Next(RowBatch* out) override {
    RowBatch in;
    STRATA_ASSIGN_OR_RETURN(bool more, child_->Next(&in));
    for (Row& row : in) {
      Row projected(exprs_.size());
      for (size_t i = 0; i < exprs_.size(); i++) {
        if (moved_[i]) continue;
        STRATA_ASSIGN_OR_RETURN(projected[i], Eval(*exprs_[i], row, *ctx_));
      }
      // Moves last: a correlated subquery above may still have read the row.
      for (size_t i = 0; i < exprs_.size(); i++) {
        if (!moved_[i]) continue;
        if (exprs_[i]->column >= row.size()) return Status::Internal("column reference out of range");
        projected[i] = std::move(row[exprs_[i]->column]);
      }
      out->push_back(std::move(projected));
    }
    return more;
  }

 private:
  OperatorPtr child_;
  std::vector<const BoundExpr*> exprs_;
  const EvalContext* ctx_;
  std::vector<bool> moved_;  // per expression: a column moved out of the input row
};

// ---- Sort, distinct, limit --------------------------------------------------------

class SortOp : public Operator {
 public:
  SortOp(OperatorPtr child, std::vector<SortKey> keys, uint64_t top_n)
      : child_(std::move(child)), keys_(std::move(keys)), top_n_(top_n) {}
  Result<bool> Next(RowBatch* out) override {
    if (!sorted_) {
      if (top_n_ > 0) {
        STRATA_RETURN_IF_ERROR(KeepTopN());
      } else {
        STRATA_ASSIGN_OR_RETURN(rows_, Drain(*child_));
        std::stable_sort(rows_.begin(), rows_.end(), [this](const Row& a, const Row& b) { return Before(a, b); });
      }
      sorted_ = true;
    }
    while (pos_ < rows_.size() && out->size() < kBatchRows) out->push_back(std::move(rows_[pos_++]));
    return pos_ < rows_.size();
  }

 private:
  // Whether `a` sorts before `b` by the keys (NULLs first).
  bool Before(const Row& a, const Row& b) const {
    for (const SortKey& k : keys_) {
      const Value& x = a[k.column];
      const Value& y = b[k.column];
      int c = x.is_null() ? (y.is_null() ? 0 : -1) : y.is_null() ? 1 : CompareValues(x, y);
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return false;
  }

  // Top-N: a max-heap of the best top_n_ rows seen so far (the worst on top); a row's
  // arrival number breaks ties, so the result is exactly the full stable sort's first rows.
  Status KeepTopN() {
    using Entry = std::pair<Row, uint64_t>;
    auto before = [this](const Entry& a, const Entry& b) {  // the heap's order: its top sorts last
      if (Before(a.first, b.first)) return true;
      if (Before(b.first, a.first)) return false;
      return a.second < b.second;
    };
    std::vector<Entry> heap;
    uint64_t arrival = 0;
    size_t bytes = 0;  // of the rows held: the statement's materialization cap applies (1041)
    while (true) {
      RowBatch in;
      STRATA_ASSIGN_OR_RETURN(bool more, child_->Next(&in));
      for (Row& row : in) {
        Entry e{std::move(row), arrival++};
        if (heap.size() < top_n_) {
          bytes += RowBytes(e.first);
          heap.push_back(std::move(e));
          std::push_heap(heap.begin(), heap.end(), before);
        } else if (before(e, heap.front())) {
          std::pop_heap(heap.begin(), heap.end(), before);
          bytes = bytes - RowBytes(heap.back().first) + RowBytes(e.first);
          heap.back() = std::move(e);
          std::push_heap(heap.begin(), heap.end(), before);
        }
        if (bytes > kMaxMaterializedBytes) return ErrStatementMemory(kMaxMaterializedBytes);
      }
      if (!more) break;
    }
    std::sort_heap(heap.begin(), heap.end(), before);
    rows_.reserve(heap.size());
    for (Entry& e : heap) rows_.push_back(std::move(e.first));
    return Status::OK();
  }

  OperatorPtr child_;
  std::vector<SortKey> keys_;
  uint64_t top_n_;
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
                     uint64_t* rows_examined, txn::LockMode lock) {
  return std::make_unique<ScanOp>(txn, table, std::move(path), with_keys, rows_examined, lock);
}
OperatorPtr MakeValues(const std::vector<Row>* rows) { return std::make_unique<ValuesOp>(rows); }
OperatorPtr MakeFilter(OperatorPtr child, const BoundExpr* predicate, const EvalContext* ctx) {
  return std::make_unique<FilterOp>(std::move(child), predicate, ctx);
}
OperatorPtr MakeProject(OperatorPtr child, std::vector<const BoundExpr*> exprs, const EvalContext* ctx) {
  return std::make_unique<ProjectOp>(std::move(child), std::move(exprs), ctx);
}
OperatorPtr MakeSort(OperatorPtr child, std::vector<SortKey> keys, uint64_t top_n) {
  return std::make_unique<SortOp>(std::move(child), std::move(keys), top_n);
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
