// Column statistics for the optimizer's estimates (optimizer/cardinality.h): per column of a
// table, from a sample of its rows, the share of NULLs, the number of distinct values and an
// equi-height histogram, as MySQL 8 keeps them. Gathered by ANALYZE TABLE, and again
// whenever a large table's rows are counted, so they stay roughly current; kept in memory
// on the node that gathered them (catalog/row_estimates.h), never written: a plan chosen
// from stale statistics is slower, never wrong.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "sql/types/codec.h"
#include "sql/types/schema.h"

namespace strata::sql {

struct ColumnStatistics {
  // One histogram bucket: the non-NULL values in (previous upper, upper].
  struct Bucket {
    Value upper;
    double cumulative = 0;  // share of non-NULL values <= upper
    double upper_share = 0; // share of non-NULL values equal to upper
    double distinct = 0;    // distinct values in the bucket, upper included
  };
  double null_fraction = 0;
  double distinct = 0;  // distinct non-NULL values in the whole table, estimated
  Value min;            // the smallest non-NULL value sampled
  std::vector<Bucket> buckets;

  // Share of the non-NULL values equal to `v` / below `v` (or at most `v` when inclusive).
  // `v` must compare with the column's values (a number for a numeric column, a string for
  // a character or temporal one); nullopt when it does not.
  std::optional<double> EqualShare(const Value& v) const;
  std::optional<double> BelowShare(const Value& v, bool inclusive) const;
  bool Comparable(const Value& v) const;
};

struct TableStatistics {
  static constexpr size_t kSampleRows = 4'000;
  static constexpr size_t kMaxBuckets = 64;

  uint64_t rows = 0;     // rows in the table when gathered
  uint64_t sampled = 0;  // rows the statistics were built from
  // By column position; each with the column's type kind when gathered, so a column changed
  // since (ALTER TABLE keeps a table's id when it adds or renames a column) is not misread.
  std::vector<ColumnStatistics> columns;
  std::vector<ast::TypeKind> kinds;

  // Statistics of `table` from `sample`, rows drawn uniformly from the `table_rows` rows it
  // holds (all of them when sample.size() == table_rows); null for an empty sample of a
  // table that has rows.
  static std::shared_ptr<const TableStatistics> Build(const TableSchema& table, const std::vector<Row>& sample,
                                                     uint64_t table_rows);
  // Column `column` of `table`, if these statistics describe it.
  const ColumnStatistics* Column(const TableSchema& table, uint32_t column) const;
};

// A uniform sample of up to TableStatistics::kSampleRows rows from a stream of encoded
// rows (reservoir sampling, seeded per table so a gather is repeatable). Rows encoded in
// more than kMaxRowBytes (long BLOB or TEXT values) are left out, bounding its memory.
class RowSampler {
 public:
  static constexpr size_t kMaxRowBytes = 8192;
  explicit RowSampler(uint64_t seed) : state_(seed | 1) {}
  void Add(Slice encoded_row);
  uint64_t seen() const { return seen_; }
  // The sampled rows, decoded (rows that do not decode are left out).
  std::vector<Row> Rows(const TableSchema& table) const;

 private:
  uint64_t Next();
  uint64_t seen_ = 0;
  uint64_t state_;
  std::vector<Bytes> kept_;
};

}  // namespace strata::sql
