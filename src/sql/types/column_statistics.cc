// Column statistics (column_statistics.h).
#include "sql/types/column_statistics.h"

#include <algorithm>
#include <cmath>

namespace strata::sql {
namespace {

bool Less(const Value* a, const Value* b) { return CompareValues(*a, *b) < 0; }

// Where `v` lies between `lower` and `upper` (exclusive of both), from 0 to 1: by value for
// numbers, the middle for anything else.
double Position(const Value& lower, const Value& upper, const Value& v) {
  if (lower.kind() == ValueKind::kString || v.kind() == ValueKind::kString) return 0.5;
  const double lo = lower.ToDouble(), hi = upper.ToDouble(), x = v.ToDouble();
  const double position = (x - lo) / (hi - lo);
  if (!(hi > lo) || !std::isfinite(position)) return 0.5;  // DOUBLE bounds near ±1.8e308 overflow
  return std::clamp(position, 0.0, 1.0);
}

ColumnStatistics BuildColumn(const std::vector<Row>& sample, uint32_t column, uint64_t table_rows) {
  ColumnStatistics stats;
  std::vector<const Value*> values;
  values.reserve(sample.size());
  for (const Row& row : sample)
    if (column < row.size() && !row[column].is_null()) values.push_back(&row[column]);
  if (sample.empty()) return stats;
  stats.null_fraction = static_cast<double>(sample.size() - values.size()) / static_cast<double>(sample.size());
  if (values.empty()) return stats;
  std::sort(values.begin(), values.end(), Less);
  stats.min = *values.front();

  // Runs of equal values; distinct values in the sample and those seen once.
  struct Run {
    const Value* value;
    size_t count;
  };
  std::vector<Run> runs;
  for (const Value* v : values) {
    if (!runs.empty() && CompareValues(*runs.back().value, *v) == 0) runs.back().count++;
    else runs.push_back({v, 1});
  }
  const double m = static_cast<double>(values.size()), d = static_cast<double>(runs.size());
  if (sample.size() >= table_rows) {
    stats.distinct = d;
  } else {
    // Haas and Stokes' Duj1 estimator from the sample's distinct values and singletons.
    const double f1 = static_cast<double>(std::count_if(runs.begin(), runs.end(), [](const Run& r) { return r.count == 1; }));
    const double n = std::max(m, static_cast<double>(table_rows) * (1 - stats.null_fraction));
    stats.distinct = std::clamp(m * d / (m - f1 + f1 * m / n), d, n);
  }

  // Equi-height buckets; a value never spans two. Distinct counts per bucket are scaled up
  // as the table's estimate is above the sample's.
  const double scale = stats.distinct / d;
  const double per_bucket = std::max(1.0, m / static_cast<double>(TableStatistics::kMaxBuckets));
  double so_far = 0, in_bucket = 0, distinct_in_bucket = 0;
  for (size_t i = 0; i < runs.size(); i++) {
    so_far += static_cast<double>(runs[i].count);
    in_bucket += static_cast<double>(runs[i].count);
    distinct_in_bucket++;
    if (in_bucket >= per_bucket || i + 1 == runs.size()) {
      stats.buckets.push_back({*runs[i].value, so_far / m, static_cast<double>(runs[i].count) / m,
                               std::max(1.0, distinct_in_bucket * scale)});
      in_bucket = 0;
      distinct_in_bucket = 0;
    }
  }
  stats.buckets.back().cumulative = 1.0;
  return stats;
}

}  // namespace

bool ColumnStatistics::Comparable(const Value& v) const {
  return !v.is_null() && (buckets.empty() || (v.kind() == ValueKind::kString) == (min.kind() == ValueKind::kString));
}

std::optional<double> ColumnStatistics::EqualShare(const Value& v) const {
  if (!Comparable(v)) return std::nullopt;
  if (buckets.empty() || CompareValues(v, min) < 0 || CompareValues(v, buckets.back().upper) > 0) return 0.0;
  auto it = std::lower_bound(buckets.begin(), buckets.end(), v,
                             [](const Bucket& b, const Value& x) { return CompareValues(b.upper, x) < 0; });
  if (CompareValues(it->upper, v) == 0) return it->upper_share;
  const double before = it == buckets.begin() ? 0.0 : std::prev(it)->cumulative;
  return (it->cumulative - before - it->upper_share) / std::max(1.0, it->distinct - 1);
}

std::optional<double> ColumnStatistics::BelowShare(const Value& v, bool inclusive) const {
  if (!Comparable(v)) return std::nullopt;
  if (buckets.empty()) return 0.0;
  if (CompareValues(v, buckets.back().upper) > 0) return 1.0;
  if (CompareValues(v, min) < 0) return 0.0;
  auto it = std::lower_bound(buckets.begin(), buckets.end(), v,
                             [](const Bucket& b, const Value& x) { return CompareValues(b.upper, x) < 0; });
  if (CompareValues(it->upper, v) == 0) return inclusive ? it->cumulative : it->cumulative - it->upper_share;
  const bool first = it == buckets.begin();
  const double before = first ? 0.0 : std::prev(it)->cumulative;
  const Value& lower = first ? min : std::prev(it)->upper;
  const double inner = it->cumulative - it->upper_share - before;
  return before + inner * Position(lower, it->upper, v);
}

std::shared_ptr<const TableStatistics> TableStatistics::Build(const TableSchema& table, const std::vector<Row>& sample,
                                                            uint64_t table_rows) {
  if (sample.empty() && table_rows > 0) return nullptr;  // every row was too large to sample
  auto stats = std::make_shared<TableStatistics>();
  stats->rows = std::max<uint64_t>(table_rows, sample.size());
  stats->sampled = sample.size();
  for (uint32_t c = 0; c < table.columns.size(); c++) {
    stats->columns.push_back(BuildColumn(sample, c, stats->rows));
    stats->kinds.push_back(table.columns[c].type.kind);
  }
  return stats;
}

const ColumnStatistics* TableStatistics::Column(const TableSchema& table, uint32_t column) const {
  if (column >= columns.size() || column >= table.columns.size() || kinds[column] != table.columns[column].type.kind)
    return nullptr;
  return &columns[column];
}

uint64_t RowSampler::Next() {  // xorshift64*
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return state_ * 2685821657736338717ull;
}

void RowSampler::Add(Slice encoded_row) {
  seen_++;
  if (encoded_row.size() > kMaxRowBytes) return;  // the sample stays within kSampleRows × 8 KiB
  if (kept_.size() < TableStatistics::kSampleRows) {
    kept_.emplace_back(encoded_row);
    return;
  }
  const uint64_t slot = Next() % seen_;
  if (slot < kept_.size()) kept_[slot].assign(encoded_row.data(), encoded_row.size());
}

std::vector<Row> RowSampler::Rows(const TableSchema& table) const {
  std::vector<Row> rows;
  rows.reserve(kept_.size());
  for (const Bytes& encoded : kept_) {
    Result<Row> row = DecodeRow(encoded, table);
    if (row.ok()) rows.push_back(std::move(*row));
  }
  return rows;
}

}  // namespace strata::sql
