// Auto-increment counters: the next value of each table's AUTO_INCREMENT column (or of its
// hidden row id when it has no primary key). Thread-safety: shared by every session of a
// SqlEngine; every method locks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "common/status.h"
#include "sql/types/schema.h"
#include "storage/engine.h"

namespace strata::sql {

// Where a node in a multi-node cluster gets auto-increment values: `reserve(table, floor,
// count)` replicates a reservation of `count` values at or above `floor` and returns the
// first (every node applies it alike, so ranges never overlap across nodes); `replicated()`
// says whether to use it (false on a single-node cluster, whose own counter is enough).
struct IdReservations {
  std::function<Result<uint64_t>(uint64_t table, uint64_t floor, uint64_t count)> reserve;
  std::function<bool()> replicated;
};

// Auto-increment counters, one per table, kept in memory and initialised from the largest
// key in the table on first use. Allocation never conflicts between transactions (values
// are unique, not gap-free — as InnoDB's). In a multi-node cluster each node draws ranges
// of kRange values from the replicated reservation (IdReservations), so values stay unique
// across nodes; a node's values are increasing, interleaved with other nodes' ranges
// (InnoDB's innodb_autoinc_lock_mode = 2 gives the same guarantees).
class AutoIncrement {
 public:
  static constexpr uint64_t kRange = 100;
  explicit AutoIncrement(storage::Engine* engine, IdReservations reservations = {})
      : engine_(engine), reservations_(std::move(reservations)) {}
  // The next value for `table` (its primary-key auto-increment column or hidden row id).
  Result<uint64_t> Next(const TableSchema& table);
  // An explicit value was inserted: later allocations go above it.
  Status Observe(const TableSchema& table, uint64_t value);
  // The value this node would give next, without taking it (information_schema.TABLES
  // .AUTO_INCREMENT, SHOW TABLE STATUS); in a multi-node cluster another node may give a
  // value above it first.
  Result<uint64_t> Peek(const TableSchema& table);
  void Forget(TableId table);

 private:
  Result<uint64_t*> Counter(const TableSchema& table);  // REQUIRES: mu_ held
  storage::Engine* engine_;
  IdReservations reservations_;
  std::mutex mu_;
  std::map<TableId, uint64_t> next_;
  std::map<TableId, uint64_t> reserved_end_;  // replicated mode: the current range's end
};

}  // namespace strata::sql
