#include "sql/catalog/auto_increment.h"

#include <algorithm>

#include "common/key_encoding.h"
#include "sql/types/codec.h"
#include "txn/mvcc.h"

namespace strata::sql {

Result<uint64_t*> AutoIncrement::Counter(const TableSchema& table) {
  auto it = next_.find(table.id);
  if (it != next_.end()) return &it->second;
  uint64_t next = std::max<uint64_t>(table.auto_increment_start, 1);
  Bytes prefix = IndexPrefix(table.id, kPrimaryIndexId);
  STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> last, txn::LastUserKeyIn(*engine_, prefix, PrefixSuccessor(prefix)));
  if (last) {
    // The largest key: its first component is the hidden row id or the (integer) first
    // primary-key column, which is the auto-increment column when it is keyed first.
    KeyDecoder dec(Slice(*last).substr(prefix.size()));
    std::optional<uint32_t> ai = table.AutoIncrementColumn();
    bool int_key = table.has_hidden_key() || (ai && table.primary.columns[0] == *ai);
    if (int_key) {
      if (table.has_hidden_key() || table.columns[*ai].type.is_unsigned) {
        auto v = dec.GetUint64();
        if (v.ok() && *v) next = std::max(next, **v + 1);
      } else {
        auto v = dec.GetInt64();
        if (v.ok() && *v && **v > 0) next = std::max(next, static_cast<uint64_t>(**v) + 1);
      }
    }
  }
  return &next_.emplace(table.id, next).first->second;
}

Result<uint64_t> AutoIncrement::Next(const TableSchema& table) {
  std::lock_guard lock(mu_);
  STRATA_ASSIGN_OR_RETURN(uint64_t * next, Counter(table));
  if (reservations_.replicated && reservations_.replicated()) {
    uint64_t& end = reserved_end_[table.id];
    if (*next >= end) {
      // The range is used up (or this node never had one): reserve the next through the
      // log, at or above everything this node has seen.
      STRATA_ASSIGN_OR_RETURN(uint64_t start, reservations_.reserve(table.id, *next, kRange));
      *next = start;
      end = start + kRange;
    }
  }
  return (*next)++;
}

Result<uint64_t> AutoIncrement::Peek(const TableSchema& table) {
  std::lock_guard lock(mu_);
  STRATA_ASSIGN_OR_RETURN(uint64_t * next, Counter(table));
  return *next;
}

Status AutoIncrement::Observe(const TableSchema& table, uint64_t value) {
  std::lock_guard lock(mu_);
  STRATA_ASSIGN_OR_RETURN(uint64_t * next, Counter(table));
  if (value >= *next) *next = value + 1;
  return Status::OK();
}

void AutoIncrement::Forget(TableId table) {
  std::lock_guard lock(mu_);
  next_.erase(table);
  reserved_end_.erase(table);
}

}  // namespace strata::sql
