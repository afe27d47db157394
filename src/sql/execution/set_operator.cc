// MakeSetOp (operators.h): UNION, EXCEPT and INTERSECT, each with or without ALL.
#include <unordered_map>
#include <unordered_set>

#include "sql/errors.h"
#include "sql/execution/operators.h"
#include "sql/execution/row_hash.h"

namespace strata::sql {
namespace {

// UNION ALL: the left rows, then the right rows. UNION (distinct) is this under a Distinct.
class UnionAllOp : public Operator {
 public:
  UnionAllOp(OperatorPtr left, OperatorPtr right) : left_(std::move(left)), right_(std::move(right)) {}
  Result<bool> Next(RowBatch* out) override {
    if (!left_done_) {
      STRATA_ASSIGN_OR_RETURN(bool more, left_->Next(out));
      if (more) return true;
      left_done_ = true;
      if (!out->empty()) return true;
    }
    return right_->Next(out);
  }

 private:
  OperatorPtr left_, right_;
  bool left_done_ = false;
};

// EXCEPT / INTERSECT: the right rows are counted first; each left row is then kept or
// dropped by its count. Without ALL each distinct row is emitted at most once; with ALL a
// left row consumes one matching right row (EXCEPT ALL drops it, INTERSECT ALL keeps it).
class ExceptIntersectOp : public Operator {
 public:
  ExceptIntersectOp(OperatorPtr left, OperatorPtr right, bool except, bool all)
      : left_(std::move(left)), right_(std::move(right)), except_(except), all_(all) {}

  Result<bool> Next(RowBatch* out) override {
    if (!built_) {
      STRATA_ASSIGN_OR_RETURN(std::vector<Row> rows, Drain(*right_));
      for (Row& row : rows) counts_[std::move(row)]++;
      built_ = true;
    }
    while (true) {
      RowBatch in;
      STRATA_ASSIGN_OR_RETURN(bool more, left_->Next(&in));
      for (Row& row : in) {
        if (Keep(row)) out->push_back(std::move(row));
      }
      if (!more || !out->empty()) return more;
    }
  }

 private:
  bool Keep(const Row& row) {
    auto it = counts_.find(row);
    bool in_right = it != counts_.end() && it->second > 0;
    if (all_) {
      if (in_right) it->second--;
      return except_ ? !in_right : in_right;
    }
    if (!emitted_.insert(row).second) return false;  // a duplicate of an emitted row
    return except_ ? it == counts_.end() : it != counts_.end();
  }

  OperatorPtr left_, right_;
  bool except_, all_;
  bool built_ = false;
  std::unordered_map<Row, uint64_t, RowHash, RowEq> counts_;
  std::unordered_set<Row, RowHash, RowEq> emitted_;
};

}  // namespace

OperatorPtr MakeSetOp(OperatorPtr left, OperatorPtr right, ast::SetOp op, bool all) {
  if (op == ast::SetOp::kUnion) {
    OperatorPtr both = std::make_unique<UnionAllOp>(std::move(left), std::move(right));
    return all ? std::move(both) : MakeDistinct(std::move(both), SIZE_MAX);
  }
  return std::make_unique<ExceptIntersectOp>(std::move(left), std::move(right), op == ast::SetOp::kExcept, all);
}

}  // namespace strata::sql
