#include "sql/catalog/row_estimates.h"

#include <algorithm>
#include <optional>

#include "sql/types/codec.h"

namespace strata::sql {
namespace {

// The live keys of `table`'s primary index, counted up to `limit` (nullopt on a read error),
// each row offered to `sampler` when given.
std::optional<uint64_t> CountRows(txn::Transaction& txn, const TableSchema& table, uint64_t limit,
                                  RowSampler* sampler = nullptr) {
  constexpr size_t kChunk = 4096;
  Bytes begin = IndexPrefix(table.id, kPrimaryIndexId);
  const Bytes end = PrefixSuccessor(begin);
  uint64_t rows = 0;
  while (rows < limit) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, limit - rows));
    Result<std::vector<txn::KeyValue>> chunk = txn.Scan(begin, end, want);
    if (!chunk.ok()) return std::nullopt;
    rows += chunk->size();
    if (sampler)
      for (const txn::KeyValue& kv : *chunk) sampler->Add(kv.value);
    if (chunk->size() < want) break;
    begin = chunk->back().key + '\0';
  }
  return rows;
}

// Whether a table now of `now` rows has moved too far from the `then` its statistics saw.
bool Drifted(uint64_t then, uint64_t now) {
  const uint64_t change = then > now ? then - now : now - then;
  return change > then / 10 + 10;
}

}  // namespace

void RowEstimates::Record(const TableSchema& table, uint64_t rows, std::shared_ptr<const TableStatistics> statistics) {
  std::lock_guard<std::mutex> lock(mu_);
  if (rows < kExactRows) large_.erase(table.id);
  else large_[table.id] = Count{std::min(rows, kMaxCountedRows), std::chrono::steady_clock::now(), false};
  statistics_[table.id] = Gathered{std::move(statistics), std::chrono::steady_clock::now()};
}

std::shared_ptr<const TableStatistics> RowEstimates::Statistics(const TableSchema& table) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = statistics_.find(table.id);
  return it == statistics_.end() ? nullptr : it->second.statistics;
}

uint64_t RowEstimates::Estimate(txn::Transaction& txn, const TableSchema& table) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = large_.find(table.id);
    if (it != large_.end()) {
      // Fresh, or being counted again by another session: the figure on hand will do (one
      // session recounts; the others do not all scan the table at once).
      if (now - it->second.counted < kFreshFor || it->second.recounting) return it->second.rows;
      it->second.recounting = true;
    }
  }
  std::optional<uint64_t> rows = CountRows(txn, table, kExactRows);
  RowSampler sampler(table.id);
  if (rows && *rows >= kExactRows) rows = CountRows(txn, table, kMaxCountedRows, &sampler);
  if (!rows) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = large_.find(table.id); it != large_.end()) it->second.recounting = false;
    return kExactRows;
  }
  if (*rows < kExactRows) {
    bool stale;
    {
      std::lock_guard<std::mutex> lock(mu_);
      large_.erase(table.id);
      auto it = statistics_.find(table.id);
      stale = it == statistics_.end() || !it->second.statistics || now - it->second.gathered >= kFreshFor ||
              Drifted(it->second.statistics->rows, *rows);
    }
    // A small table's statistics are gathered again when they age or its size moves: one
    // more read of at most kExactRows rows, decoded whole.
    if (stale) {
      RowSampler all(table.id);
      if (CountRows(txn, table, kExactRows, &all)) {
        auto statistics = TableStatistics::Build(table, all.Rows(table), all.seen());
        std::lock_guard<std::mutex> lock(mu_);
        statistics_[table.id] = Gathered{std::move(statistics), now};
      }
    }
    return *rows;
  }
  // Built outside the lock: decoding and sorting the sample takes milliseconds. A count
  // that stopped at kMaxCountedRows sampled only the lowest keys: it does not replace
  // statistics from a whole read (ANALYZE TABLE).
  const bool capped = *rows >= kMaxCountedRows;
  std::shared_ptr<const TableStatistics> statistics = TableStatistics::Build(table, sampler.Rows(table), *rows);
  std::lock_guard<std::mutex> lock(mu_);
  large_[table.id] = Count{*rows, now, false};
  auto it = statistics_.find(table.id);
  if (!capped || it == statistics_.end() || !it->second.statistics) statistics_[table.id] = Gathered{std::move(statistics), now};
  return *rows;
}

}  // namespace strata::sql
