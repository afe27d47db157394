// ChooseAccessPath (access_path.h): index selection from the WHERE clause's conjuncts.
#include <algorithm>
#include <map>

#include "sql/optimizer/access_path.h"

namespace strata::sql {
namespace {

using K = BoundExpr::Kind;
using ast::Op;

struct Bound {
  Value value;
  bool inclusive = true;
};

struct ColumnConstraint {
  std::optional<Value> eq;
  std::vector<Value> in;  // IN list (only when no eq)
  std::optional<Bound> lo, hi;
};


// A TIMESTAMP column stores UTC and the query compares the session's civil time
// (BoundExpr::timestamp_utc): the stored values that read as civil `key` lie between these
// two, equal unless `key` falls in a daylight-saving overlap. Outside such an overlap the
// mapping keeps order, so bounds converted this way keep a range a superset of its rows.
struct StoredBounds {
  Value earliest, latest;
};

StoredBounds ToStored(const ColumnSchema& column, const Value& key, const TimeZone* zone) {
  if (column.type.kind != ast::TypeKind::kTimestamp || key.kind() != ValueKind::kString) return {key, key};
  return {Value::String(TimestampToUtc(key.string_value(), zone)),
          Value::String(TimestampToUtc(key.string_value(), zone, /*latest=*/true))};
}

void Collect(const TableSchema& table, const BoundExpr* e, const TimeZone* zone,
             std::map<uint32_t, ColumnConstraint>* out) {
  // Across a daylight-saving change an exclusive bound could drop the rows of the other
  // reading of the same civil time: such bounds are taken inclusive (the filter still runs).
  auto exact = [&](uint32_t column) {
    return table.columns[column].type.kind != ast::TypeKind::kTimestamp ||
           (zone ? zone : &TimeZone::System())->is_fixed();
  };
  if (e->kind == K::kBinary && e->children.size() == 2) {
    const BoundExpr* a = e->children[0].get();
    const BoundExpr* b = e->children[1].get();
    Op op = e->op;
    if (a->IsConst() && b->kind == K::kColumn) {
      std::swap(a, b);
      op = FlipComparison(op);
    }
    if (a->kind != K::kColumn || !b->IsConst() || a->column >= table.columns.size()) return;
    const ColumnSchema& column = table.columns[a->column];
    auto key = KeyConstant(column, b->constant);
    if (!key) return;
    StoredBounds stored = ToStored(column, *key, zone);
    ColumnConstraint& c = (*out)[a->column];
    switch (op) {
      case Op::kEq: case Op::kNullSafeEq:
        if (CompareValues(stored.earliest, stored.latest) == 0) {
          c.eq = stored.earliest;
        } else {
          c.lo = Bound{stored.earliest, true};
          c.hi = Bound{stored.latest, true};
        }
        break;
      case Op::kGt: case Op::kGe: c.lo = Bound{stored.earliest, op == Op::kGe || !exact(a->column)}; break;
      case Op::kLt: case Op::kLe: c.hi = Bound{stored.latest, op == Op::kLe || !exact(a->column)}; break;
      default: break;
    }
    return;
  }
  if (e->kind == K::kBetween && !e->negated && e->children[0]->kind == K::kColumn && e->children[1]->IsConst() &&
      e->children[2]->IsConst()) {
    uint32_t col = e->children[0]->column;
    if (col >= table.columns.size()) return;
    auto lo = KeyConstant(table.columns[col], e->children[1]->constant);
    auto hi = KeyConstant(table.columns[col], e->children[2]->constant);
    if (!lo || !hi) return;
    ColumnConstraint& c = (*out)[col];
    c.lo = Bound{ToStored(table.columns[col], *lo, zone).earliest, true};
    c.hi = Bound{ToStored(table.columns[col], *hi, zone).latest, true};
    return;
  }
  if (e->kind == K::kIn && !e->negated && e->children[0]->kind == K::kColumn) {
    uint32_t col = e->children[0]->column;
    if (col >= table.columns.size()) return;
    std::vector<Value> values;
    for (size_t i = 1; i < e->children.size(); i++) {
      if (!e->children[i]->IsConst()) return;
      auto v = KeyConstant(table.columns[col], e->children[i]->constant);
      if (!v) {
        if (e->children[i]->constant.is_null()) continue;  // never equal
        return;
      }
      StoredBounds stored = ToStored(table.columns[col], *v, zone);
      if (CompareValues(stored.earliest, stored.latest) != 0) return;  // two readings: not one point
      values.push_back(std::move(stored.earliest));
    }
    (*out)[col].in = std::move(values);
  }
}

Bytes Encoded(Bytes prefix, const Value& v, const ColumnSchema& column) {
  AppendKeyValue(v, column.type, &prefix);
  return prefix;
}

// The keys under `prefix` whose next value (of `column`) lies within c's bounds.
KeyRange RangeOf(const Bytes& prefix, const ColumnConstraint& c, const ColumnSchema& column) {
  KeyRange r;
  r.begin = c.lo ? Encoded(prefix, c.lo->value, column) : prefix;
  if (c.lo && !c.lo->inclusive) r.begin = PrefixSuccessor(r.begin);
  if (c.hi) {
    r.end = Encoded(prefix, c.hi->value, column);
    if (c.hi->inclusive) r.end = PrefixSuccessor(r.end);
  } else {
    r.end = PrefixSuccessor(prefix);
  }
  return r;
}

}  // namespace

ast::Op FlipComparison(ast::Op op) {
  switch (op) {
    case Op::kLt: return Op::kGt;
    case Op::kLe: return Op::kGe;
    case Op::kGt: return Op::kLt;
    case Op::kGe: return Op::kLe;
    default: return op;
  }
}

std::optional<Value> KeyConstant(const ColumnSchema& column, const Value& v) {
  if (v.is_null()) return std::nullopt;
  bool string_column = column.type.IsString() || column.type.IsTemporal();
  if (string_column != (v.kind() == ValueKind::kString)) return std::nullopt;
  if (column.type.kind == ast::TypeKind::kEnum || column.type.kind == ast::TypeKind::kSet) return std::nullopt;
  // The index orders by the column's collation: a comparison under another one (x COLLATE c,
  // BINARY x) cannot use it.
  if (string_column && ResolveCollation(column.type.ValueCollation(), v.collation()) != column.type.Collation())
    return std::nullopt;
  auto converted = ConvertForColumn(column, v, 1);
  if (!converted.ok()) return std::nullopt;
  if (!column.type.IsTemporal() && column.type.kind != ast::TypeKind::kChar && CompareValues(*converted, v) != 0)
    return std::nullopt;
  return *converted;
}

AccessPath ChooseAccessPath(const TableSchema& table, const BoundExpr* where, const TimeZone* zone) {
  AccessPath path;
  std::vector<const BoundExpr*> conjuncts;
  SplitConjuncts(where, &conjuncts);
  std::map<uint32_t, ColumnConstraint> cons;
  for (const BoundExpr* c : conjuncts) Collect(table, c, zone, &cons);
  if (cons.empty()) return path;

  if (!table.has_hidden_key()) {
    Bytes prefix = IndexPrefix(table.id, kPrimaryIndexId);
    const auto& pk = table.primary.columns;
    size_t k = 0;
    while (k < pk.size() && cons.count(pk[k]) && cons[pk[k]].eq) {
      prefix = Encoded(prefix, *cons[pk[k]].eq, table.columns[pk[k]]);
      k++;
    }
    path.key_parts = static_cast<uint32_t>(k);
    if (k == pk.size()) {
      path.kind = AccessPath::Kind::kPrimaryPoints;
      path.points.push_back(prefix);
      return path;
    }
    auto it = cons.find(pk[k]);
    if (it != cons.end() && !it->second.in.empty() && k + 1 == pk.size()) {
      std::vector<Bytes> keys;
      for (const Value& v : it->second.in) keys.push_back(Encoded(prefix, v, table.columns[pk[k]]));
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      path.kind = AccessPath::Kind::kPrimaryPoints;
      path.points = std::move(keys);
      path.key_parts++;
      return path;
    }
    if (it != cons.end() && (it->second.lo || it->second.hi)) {
      KeyRange r = RangeOf(prefix, it->second, table.columns[pk[k]]);
      path.kind = AccessPath::Kind::kPrimaryRanges;
      if (r.begin < r.end) path.ranges.push_back(std::move(r));
      path.key_parts++;
      return path;
    }
    if (k > 0) {
      path.kind = AccessPath::Kind::kPrimaryRanges;
      path.ranges.push_back({prefix, PrefixSuccessor(prefix)});
      return path;
    }
  }
  // A secondary index: equalities on its leading columns, then an IN list or a range on the
  // next one. The index with the most equalities wins, then IN over a range.
  int best_score = 0;
  for (const IndexSchema& index : table.indexes) {
    Bytes prefix = IndexPrefix(table.id, index.id);
    size_t k = 0;
    while (k < index.columns.size() && cons.count(index.columns[k]) && cons[index.columns[k]].eq) {
      prefix = Encoded(prefix, *cons[index.columns[k]].eq, table.columns[index.columns[k]]);
      k++;
    }
    AccessPath candidate;
    candidate.kind = AccessPath::Kind::kIndexPrefix;
    candidate.index = &index;
    candidate.key_parts = static_cast<uint32_t>(k);
    int score = static_cast<int>(k) * 4;
    auto next = k < index.columns.size() ? cons.find(index.columns[k]) : cons.end();
    if (next != cons.end() && !next->second.in.empty()) {
      std::vector<Bytes> keys;
      for (const Value& v : next->second.in) keys.push_back(Encoded(prefix, v, table.columns[index.columns[k]]));
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      for (Bytes& key : keys) candidate.ranges.push_back({key, PrefixSuccessor(key)});
      candidate.index_equality = false;
      candidate.key_parts++;
      score += 2;
    } else if (next != cons.end() && (next->second.lo || next->second.hi)) {
      KeyRange r = RangeOf(prefix, next->second, table.columns[index.columns[k]]);
      if (r.begin < r.end) candidate.ranges.push_back(std::move(r));
      candidate.index_equality = false;
      candidate.key_parts++;
      score += 1;
    } else if (k > 0) {
      candidate.ranges.push_back({prefix, PrefixSuccessor(prefix)});
      candidate.index_whole_key = k == index.columns.size();
    }
    if (score > best_score) {
      best_score = score;
      path = std::move(candidate);
    }
  }
  return path;
}

}  // namespace strata::sql
