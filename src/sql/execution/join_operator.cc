// MakeJoin and MakeIndexJoin (operators.h): nested-loop, hash and index nested-loop joins,
// inner, left, right, semi and anti.
#include <unordered_map>

#include "common/check.h"
#include "sql/execution/operators.h"
#include "sql/optimizer/access_path.h"
#include "sql/types/codec.h"

namespace strata::sql {
namespace {

bool IsString(const Value& v) { return v.kind() == ValueKind::kString; }

// What every join here shares: it pulls left rows a batch at a time and probes one left row
// at a time, so an output batch stays near kBatchRows rows; a join can multiply rows without
// end, so every 256 probes it checks for shutdown and the deadline. Finish() runs once, after
// the last left row (a RIGHT join emits its unmatched right rows there).
class LeftDrivenJoin : public Operator {
 public:
  LeftDrivenJoin(OperatorPtr left, const EvalContext* ctx) : eval_(*ctx), left_(std::move(left)) {}

  Result<bool> Next(RowBatch* out) override {
    STRATA_RETURN_IF_ERROR(Prepare());
    while (out->size() < kBatchRows) {
      if (left_pos_ < left_batch_.size()) {
        if ((++probes_ & 255) == 0) STRATA_RETURN_IF_ERROR(CheckInterrupted(eval_));
        STRATA_RETURN_IF_ERROR(Probe(left_batch_[left_pos_++], out));
        continue;
      }
      if (left_done_) {
        if (!finished_) Finish(out);
        finished_ = true;
        return false;
      }
      left_batch_.clear();
      left_pos_ = 0;
      STRATA_ASSIGN_OR_RETURN(bool more, left_->Next(&left_batch_));
      if (!more) left_done_ = true;
    }
    return true;
  }

 protected:
  virtual Status Prepare() { return Status::OK(); }  // before each Next
  virtual Status Probe(const Row& left_row, RowBatch* out) = 0;
  virtual void Finish(RowBatch* out) {}

  const EvalContext eval_;

 private:
  OperatorPtr left_;
  RowBatch left_batch_;
  size_t left_pos_ = 0;  // the next row of left_batch_ to probe
  uint64_t probes_ = 0;
  bool left_done_ = false, finished_ = false;
};

// The right side is read whole first (at most kMaxSortRows rows); then each left batch is
// matched against it. With hash keys only the right rows whose keys hash like the left
// row's are checked; a right row whose key cannot be hashed like the others (a string where
// numbers are expected, or the reverse) is checked against every left row.
class JoinOp : public LeftDrivenJoin {
 public:
  JoinOp(OperatorPtr left, OperatorPtr right, const LogicalJoin* plan, const EvalContext* ctx)
      : LeftDrivenJoin(std::move(left), ctx), right_(std::move(right)), plan_(*plan),
        left_width_(plan->children[0]->width()), right_width_(plan->children[1]->width()) {}

 private:
  bool hashed() const { return !plan_.left_keys.empty(); }

  // The combined hash of `keys` over `row`; nullopt when a key is NULL (it matches nothing
  // under `=`). *strings tells which keys are strings.
  Result<std::optional<size_t>> KeyHash(const std::vector<BoundExprPtr>& keys, const Row& row,
                                        std::vector<bool>* strings) {
    size_t h = 0;
    strings->clear();
    for (const BoundExprPtr& key : keys) {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*key, row, eval_));
      if (v.is_null()) return std::optional<size_t>();
      strings->push_back(IsString(v));
      h = h * 0x9e3779b97f4a7c15ull + HashValue(v);
    }
    return std::optional<size_t>(h);
  }

  Status Prepare() override {
    if (built_) return Status::OK();
    built_ = true;
    STRATA_ASSIGN_OR_RETURN(right_rows_, Drain(*right_));
    if (plan_.type == JoinType::kRight) right_matched_.assign(right_rows_.size(), false);
    if (!hashed()) return Status::OK();
    std::vector<bool> strings;
    for (uint32_t i = 0; i < right_rows_.size(); i++) {
      STRATA_ASSIGN_OR_RETURN(std::optional<size_t> h, KeyHash(plan_.right_keys, right_rows_[i], &strings));
      if (!h) continue;  // a NULL key matches no left row
      if (key_strings_.empty()) key_strings_ = strings;
      if (strings != key_strings_) {
        unhashed_.push_back(i);
        continue;
      }
      buckets_[*h].push_back(i);
    }
    return Status::OK();
  }

  // Emits the matches of one left row (and, for a LEFT join, the row NULL-padded when none;
  // for a semi or anti join, the left row alone when some or no right row matches).
  Status Probe(const Row& left_row, RowBatch* out) override {
    combined_.assign(left_row.begin(), left_row.end());
    combined_.resize(left_width_ + right_width_);
    bool matched = false;
    // A semi or anti join knows its answer at the first match.
    const bool first_match_only = KeepsLeftRowOnly(plan_.type);
    auto done = [&] { return matched && first_match_only; };
    auto try_every_row = [&]() -> Status {
      for (uint32_t i = 0; i < right_rows_.size() && !done(); i++) STRATA_RETURN_IF_ERROR(TryPair(i, out, &matched));
      return Status::OK();
    };
    auto try_listed = [&](const std::vector<uint32_t>& indexes) -> Status {
      for (size_t k = 0; k < indexes.size() && !done(); k++) STRATA_RETURN_IF_ERROR(TryPair(indexes[k], out, &matched));
      return Status::OK();
    };
    if (!hashed()) {
      STRATA_RETURN_IF_ERROR(try_every_row());
    } else {
      std::vector<bool> strings;
      STRATA_ASSIGN_OR_RETURN(std::optional<size_t> h, KeyHash(plan_.left_keys, left_row, &strings));
      if (h && !key_strings_.empty() && strings != key_strings_) {
        STRATA_RETURN_IF_ERROR(try_every_row());
      } else if (h) {
        if (auto it = buckets_.find(*h); it != buckets_.end()) STRATA_RETURN_IF_ERROR(try_listed(it->second));
        STRATA_RETURN_IF_ERROR(try_listed(unhashed_));
      }
    }
    if (!matched && plan_.type == JoinType::kLeft) {
      for (size_t c = left_width_; c < combined_.size(); c++) combined_[c] = Value::Null();
      out->push_back(combined_);
    }
    if (matched ? plan_.type == JoinType::kSemi : plan_.type == JoinType::kAnti) out->push_back(left_row);
    return Status::OK();
  }

  Status TryPair(uint32_t right_index, RowBatch* out, bool* matched) {
    const Row& right_row = right_rows_[right_index];
    std::copy(right_row.begin(), right_row.end(), combined_.begin() + static_cast<ptrdiff_t>(left_width_));
    if (plan_.predicate) {
      STRATA_ASSIGN_OR_RETURN(bool ok, EvalPredicate(*plan_.predicate, combined_, eval_));
      if (!ok) return Status::OK();
    }
    *matched = true;
    if (plan_.type == JoinType::kRight) right_matched_[right_index] = true;
    if (!KeepsLeftRowOnly(plan_.type)) out->push_back(combined_);
    return Status::OK();
  }

  void Finish(RowBatch* out) override {  // a RIGHT join's right rows without a match
    if (plan_.type != JoinType::kRight) return;
    for (size_t i = 0; i < right_rows_.size(); i++) {
      if (right_matched_[i]) continue;
      Row row(left_width_);
      row.insert(row.end(), right_rows_[i].begin(), right_rows_[i].end());
      out->push_back(std::move(row));
    }
  }

  OperatorPtr right_;
  const LogicalJoin& plan_;
  const size_t left_width_, right_width_;
  bool built_ = false;
  std::vector<Row> right_rows_;
  std::vector<bool> right_matched_;  // RIGHT join: right rows that met a left row
  std::unordered_map<size_t, std::vector<uint32_t>> buckets_;
  std::vector<uint32_t> unhashed_;
  std::vector<bool> key_strings_;  // which keys are strings, as the first hashed right row had them
  Row combined_;
};

// Index nested-loop join: for each left row, the right table's rows whose key (of
// plan->lookup_index) starts with the left row's lookup values, read by the scan operator
// along a one-range access path — the same code, and the same snapshot, as a WHERE on that
// index prefix. A key value the column cannot hold exactly (a conversion error, or 1.5 for
// an INT key) matches no row, and NULL matches none; a value of the other class than the
// index expects (a string for a number column: the planner allows only matching static
// types, so only an odd expression does this) is matched against every row, as the hash
// join does.
class IndexJoinOp : public LeftDrivenJoin {
 public:
  IndexJoinOp(OperatorPtr left, const LogicalJoin* plan, txn::Transaction* txn, const EvalContext* ctx,
              uint64_t* rows_examined, txn::LockMode lock)
      : LeftDrivenJoin(std::move(left), ctx), plan_(*plan),
        table_(*static_cast<const LogicalGet&>(*plan->children[1]).table), index_(*plan->lookup_index), txn_(txn),
        rows_examined_(rows_examined), lock_(lock), left_width_(plan->children[0]->width()) {
    STRATA_CHECK(!plan_.lookup_keys.empty() && plan_.lookup_keys.size() <= index_.columns.size());
  }

 private:
  // The access path to the rows the left row's keys name; nullopt: no row can match.
  Result<std::optional<AccessPath>> LookupPath(const Row& left_row) {
    Bytes prefix = IndexPrefix(table_.id, index_.id);
    for (size_t i = 0; i < plan_.lookup_keys.size(); i++) {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*plan_.lookup_keys[i], left_row, eval_));
      if (v.is_null()) return std::optional<AccessPath>();
      const ColumnSchema& column = table_.columns[index_.columns[i]];
      if (column.type.IsString() != IsString(v)) return std::optional<AccessPath>(AccessPath{});  // full scan
      std::optional<Value> key = KeyConstant(column, v);
      if (!key) return std::optional<AccessPath>();
      AppendKeyValue(*key, column.type, &prefix);
    }
    AccessPath path;
    if (index_.id != kPrimaryIndexId) {
      path.kind = AccessPath::Kind::kIndexPrefix;
      path.index = &index_;
    } else if (plan_.lookup_keys.size() == index_.columns.size()) {
      path.kind = AccessPath::Kind::kPrimaryPoints;
      path.points.push_back(std::move(prefix));
      return std::optional<AccessPath>(std::move(path));
    } else {
      path.kind = AccessPath::Kind::kPrimaryRanges;
    }
    Bytes end = PrefixSuccessor(prefix);
    path.ranges.push_back({std::move(prefix), std::move(end)});
    return std::optional<AccessPath>(std::move(path));
  }

  Status Probe(const Row& left_row, RowBatch* out) override {
    STRATA_ASSIGN_OR_RETURN(std::optional<AccessPath> path, LookupPath(left_row));
    bool matched = false;
    combined_.assign(left_row.begin(), left_row.end());
    if (path) {
      OperatorPtr scan = MakeScan(txn_, &table_, std::move(*path), /*with_keys=*/false, rows_examined_, lock_);
      bool more = true;
      while (more) {
        right_rows_.clear();
        STRATA_ASSIGN_OR_RETURN(more, scan->Next(&right_rows_));
        for (const Row& right_row : right_rows_) {
          combined_.resize(left_width_);
          combined_.insert(combined_.end(), right_row.begin(), right_row.end());
          if (plan_.predicate) {
            STRATA_ASSIGN_OR_RETURN(bool ok, EvalPredicate(*plan_.predicate, combined_, eval_));
            if (!ok) continue;
          }
          matched = true;
          if (KeepsLeftRowOnly(plan_.type)) break;  // its answer is known
          out->push_back(combined_);
        }
        if (matched && KeepsLeftRowOnly(plan_.type)) break;
      }
    }
    if (!matched && plan_.type == JoinType::kLeft) {
      combined_.resize(left_width_);
      combined_.resize(left_width_ + table_.columns.size());  // NULLs
      out->push_back(std::move(combined_));
    }
    if (matched ? plan_.type == JoinType::kSemi : plan_.type == JoinType::kAnti) out->push_back(left_row);
    return Status::OK();
  }

  const LogicalJoin& plan_;
  const TableSchema& table_;
  const IndexSchema& index_;
  txn::Transaction* txn_;
  uint64_t* rows_examined_;
  txn::LockMode lock_;  // FOR UPDATE / FOR SHARE: the inner rows are locked too
  const size_t left_width_;
  Row combined_;
  RowBatch right_rows_;
};

}  // namespace

OperatorPtr MakeIndexJoin(OperatorPtr left, const LogicalJoin* plan, txn::Transaction* txn, const EvalContext* ctx,
                          uint64_t* rows_examined, txn::LockMode lock) {
  STRATA_CHECK(plan->index_lookup && plan->children[1]->kind == LogicalKind::kGet && txn != nullptr);
  return std::make_unique<IndexJoinOp>(std::move(left), plan, txn, ctx, rows_examined, lock);
}

OperatorPtr MakeJoin(OperatorPtr left, OperatorPtr right, const LogicalJoin* plan, const EvalContext* ctx) {
  STRATA_CHECK(plan->left_keys.size() == plan->right_keys.size());
  return std::make_unique<JoinOp>(std::move(left), std::move(right), plan, ctx);
}

}  // namespace strata::sql
