// Row-count estimates: roughly how many rows a table holds, for join ordering
// (optimizer/join_order.cc). Nothing is stored: no statement maintains a count (a counter
// key written by every INSERT would make all writers of a table conflict), and the storage
// engine keeps no per-range key counts. Instead the estimate is counted from the table's
// primary index at the reader's snapshot, kept cheap by two limits:
//
//   * A table of fewer than kExactRows rows is counted exactly, every time it is asked for:
//     one scan of at most kExactRows keys, microseconds. Small tables' plans therefore
//     follow their current contents exactly (tests rely on that).
//   * A larger table is counted once up to kMaxCountedRows and the count is kept on this
//     node for kFreshFor; then one session counts it again while the others keep using the
//     old figure. In between, a large table that grew or shrank is seen at its old size (a plan is then ordered by a stale figure, never
//     wrong: estimates choose among equivalent plans only).
//
// Counting a large table also samples its rows (the scan reads them anyway) and keeps
// column statistics built from the sample (column_statistics.h), so they follow the table
// as its count does. A small table's statistics are built from all its rows when first
// asked for, and again once they are kFreshFor old or its count has moved by a tenth (and
// ten rows) since. ANALYZE TABLE gathers both for a table of any size.
//
// Thread-safety: shared by every session of the node (SqlEngine); Estimate may be called
// concurrently (two sessions may count a table not yet counted at once; the later count wins).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>

#include "sql/types/column_statistics.h"
#include "sql/types/schema.h"
#include "txn/transaction.h"

namespace strata::sql {

class RowEstimates {
 public:
  static constexpr uint64_t kExactRows = 1000;
  static constexpr uint64_t kMaxCountedRows = 1'000'000;  // larger tables count as this many
  static constexpr std::chrono::seconds kFreshFor{60};

  // The estimated row count of `table` as `txn` sees it. A read error gives kExactRows (an
  // estimate never fails a statement).
  uint64_t Estimate(txn::Transaction& txn, const TableSchema& table);
  // Keeps `rows` as the table's count now, and the statistics of those rows (ANALYZE TABLE
  // counted and sampled them).
  void Record(const TableSchema& table, uint64_t rows, std::shared_ptr<const TableStatistics> statistics);
  // The column statistics last gathered for `table`, or null.
  std::shared_ptr<const TableStatistics> Statistics(const TableSchema& table);

 private:
  struct Count {
    uint64_t rows = 0;
    std::chrono::steady_clock::time_point counted;
    bool recounting = false;  // a session is counting it again; others use `rows` meanwhile
  };
  std::mutex mu_;
  std::map<TableId, Count> large_;  // tables of at least kExactRows rows
  struct Gathered {
    std::shared_ptr<const TableStatistics> statistics;
    std::chrono::steady_clock::time_point gathered;
  };
  std::map<TableId, Gathered> statistics_;
};

}  // namespace strata::sql
