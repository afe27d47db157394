// InValues (in_values.h).
#include "sql/expression/in_values.h"

#include <functional>

#include "sql/types/collation.h"

namespace strata::sql {

InValues::InValues(std::vector<Value> values) : rows_(values.size()) {
  bool first = true;
  for (Value& v : values) {
    if (v.is_null()) {
      has_null_ = true;
      continue;
    }
    const Class c = ClassOf(v);
    if (first) class_ = c;
    else if (c != class_) class_ = Class::kOther;
    first = false;
    values_.push_back(std::move(v));
  }
  if (class_ == Class::kOther) return;
  by_hash_.reserve(values_.size());
  for (uint32_t i = 0; i < values_.size(); i++) by_hash_.emplace(Hash(values_[i], class_), i);
}

InValues::Class InValues::ClassOf(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kInt:
    case ValueKind::kUint: return Class::kInteger;
    case ValueKind::kDouble: return Class::kDouble;
    case ValueKind::kString: return Class::kString;
    default: return Class::kOther;
  }
}

size_t InValues::Hash(const Value& v, Class c) {
  switch (c) {
    case Class::kInteger:  // a negative int and a huge uint may share a hash; they never compare equal
      return std::hash<uint64_t>()(v.kind() == ValueKind::kInt ? static_cast<uint64_t>(v.int_value()) : v.uint_value());
    case Class::kDouble: {
      double d = v.double_value();
      if (d == 0) d = 0;  // -0.0 equals 0.0
      return std::hash<double>()(d);
    }
    case Class::kString: return CollationHash(v.string_value());
    case Class::kOther: break;
  }
  return 0;
}

bool InValues::Contains(const Value& x) const {
  if (class_ != Class::kOther && ClassOf(x) == class_) {
    auto [begin, end] = by_hash_.equal_range(Hash(x, class_));
    for (auto it = begin; it != end; ++it)
      if (CompareValues(x, values_[it->second]) == 0) return true;
    return false;
  }
  for (const Value& v : values_)
    if (CompareValues(x, v) == 0) return true;
  return false;
}

}  // namespace strata::sql
