// JSON functions over nlohmann::json documents. Documents are text (JSON columns hold it);
// each function parses its arguments, and results print as MySQL prints JSON: ", " and ": "
// separators, object keys ordered by length and then bytes. Paths: $, .key, ."key", .*,
// [n], [last], [last-n], [*] (not **). Documents deeper than 100 levels are refused (3157).
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/ascii.h"
#include "sql/errors.h"
#include "sql/expression/function_library.h"

namespace strata::sql::functions {
namespace {

using Args = std::span<const Value>;
using Json = nlohmann::json;

constexpr size_t kMaxDepth = 100;

size_t Depth(std::string_view s) {
  size_t depth = 0, max = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); i++) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') i++;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max = std::max(max, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
  }
  return max;
}

// Argument `index` (0-based) of `fn` as a JSON document.
Result<Json> Parse(const Value& v, size_t index, std::string_view fn) {
  std::string text = Text(v);
  if (Depth(text) > kMaxDepth) return ErrJsonTooDeep();
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    return ErrInvalidJsonText(index + 1, ToLower(fn), text.empty() ? "The document is empty." : "Invalid value.",
                              e.byte > 0 ? e.byte - 1 : 0);
  }
}

void Write(const Json& j, std::string* out) {
  switch (j.type()) {
    case Json::value_t::object: {
      std::vector<const std::string*> keys;
      for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(&it.key());
      std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) {
        return a->size() != b->size() ? a->size() < b->size() : *a < *b;
      });
      *out += '{';
      for (size_t i = 0; i < keys.size(); i++) {
        if (i) *out += ", ";
        *out += Json(*keys[i]).dump(-1, ' ', false, Json::error_handler_t::replace);
        *out += ": ";
        Write(j.at(*keys[i]), out);
      }
      *out += '}';
      break;
    }
    case Json::value_t::array:
      *out += '[';
      for (size_t i = 0; i < j.size(); i++) {
        if (i) *out += ", ";
        Write(j[i], out);
      }
      *out += ']';
      break;
    case Json::value_t::number_float: {
      double d = j.get<double>();
      std::string s = fmt::format("{}", d);
      if (s.find_first_of(".e") == std::string::npos && std::isfinite(d)) s += ".0";
      *out += s;
      break;
    }
    default: *out += j.dump(-1, ' ', false, Json::error_handler_t::replace); break;
  }
}

Value ToValue(const Json& j) {
  std::string out;
  Write(j, &out);
  return Value::String(std::move(out));
}

// A SQL value as JSON: strings become JSON strings unless `is_json` (then they are parsed).
Result<Json> FromSql(const Value& v, bool is_json, size_t index, std::string_view fn) {
  switch (v.kind()) {
    case ValueKind::kNull: return Json(nullptr);
    case ValueKind::kInt: return Json(v.int_value());
    case ValueKind::kUint: return Json(v.uint_value());
    case ValueKind::kDouble: return Json(v.double_value());
    case ValueKind::kDecimal: return Json(v.decimal_value().ToDouble());
    case ValueKind::kString:
      if (is_json) return Parse(v, index, fn);
      return Json(v.string_value());
  }
  return Json(nullptr);
}

struct Leg {
  enum Kind { kMember, kIndex, kAnyMember, kAnyIndex } kind;
  std::string name;
  int64_t index = 0;
  bool from_last = false;
};

Result<std::vector<Leg>> ParsePath(const Value& v, size_t index, std::string_view fn) {
  std::string p = Text(v);
  auto bad = [&] { return ErrInvalidJsonPath(index + 1, ToLower(fn)); };
  size_t i = 0;
  auto skip = [&] { while (i < p.size() && p[i] == ' ') i++; };
  skip();
  if (i >= p.size() || p[i++] != '$') return bad();
  std::vector<Leg> legs;
  while (true) {
    skip();
    if (i == p.size()) break;
    if (p[i] == '.') {
      i++;
      skip();
      if (i < p.size() && p[i] == '*') {
        legs.push_back({Leg::kAnyMember, "", 0, false});
        i++;
      } else if (i < p.size() && p[i] == '"') {
        std::string name;
        for (i++; i < p.size() && p[i] != '"'; i++) {
          if (p[i] == '\\' && i + 1 < p.size()) i++;
          name += p[i];
        }
        if (i >= p.size()) return bad();
        i++;
        legs.push_back({Leg::kMember, std::move(name), 0, false});
      } else {
        size_t begin = i;
        while (i < p.size() && (std::isalnum(static_cast<unsigned char>(p[i])) || p[i] == '_' || p[i] == '$' ||
                                static_cast<unsigned char>(p[i]) >= 0x80))
          i++;
        if (i == begin) return bad();
        legs.push_back({Leg::kMember, p.substr(begin, i - begin), 0, false});
      }
    } else if (p[i] == '[') {
      i++;
      skip();
      Leg leg{Leg::kIndex, "", 0, false};
      if (i < p.size() && p[i] == '*') {
        leg.kind = Leg::kAnyIndex;
        i++;
      } else {
        if (p.compare(i, 4, "last") == 0) {
          leg.from_last = true;
          i += 4;
          skip();
          if (i < p.size() && p[i] == '-') {
            i++;
            skip();
          } else {
            goto close;
          }
        }
        {
          size_t begin = i;
          while (i < p.size() && std::isdigit(static_cast<unsigned char>(p[i])) && i - begin < 10) leg.index = leg.index * 10 + (p[i++] - '0');
          if (i == begin) return bad();
        }
      }
    close:
      skip();
      if (i >= p.size() || p[i++] != ']') return bad();
      legs.push_back(std::move(leg));
    } else {
      return bad();  // includes "**", which this library does not take
    }
  }
  return legs;
}

bool HasWildcard(const std::vector<Leg>& legs) {
  return std::any_of(legs.begin(), legs.end(), [](const Leg& l) { return l.kind == Leg::kAnyMember || l.kind == Leg::kAnyIndex; });
}

// Array position of an index leg in an array of `size` (SIZE_MAX: before the start).
size_t Position(const Leg& leg, size_t size) {
  if (!leg.from_last) return static_cast<size_t>(leg.index);
  return static_cast<size_t>(leg.index) >= size ? SIZE_MAX : size - 1 - static_cast<size_t>(leg.index);
}

void Collect(const Json& j, std::span<const Leg> legs, std::vector<const Json*>* out) {
  if (legs.empty()) {
    out->push_back(&j);
    return;
  }
  const Leg& leg = legs[0];
  auto rest = legs.subspan(1);
  switch (leg.kind) {
    case Leg::kMember:
      if (j.is_object() && j.contains(leg.name)) Collect(j.at(leg.name), rest, out);
      break;
    case Leg::kAnyMember:
      if (j.is_object())
        for (auto& [key, value] : j.items()) Collect(value, rest, out);
      break;
    case Leg::kIndex:
      if (j.is_array()) {
        size_t at = Position(leg, j.size());
        if (at < j.size()) Collect(j[at], rest, out);
      } else if (Position(leg, 1) == 0) {  // a scalar is an array of one
        Collect(j, rest, out);
      }
      break;
    case Leg::kAnyIndex:
      if (j.is_array())
        for (const Json& e : j) Collect(e, rest, out);
      break;
  }
}

Result<Value> Extract(Args a, const EvalContext&) {
  STRATA_ASSIGN_OR_RETURN(Json doc, Parse(a[0], 0, "JSON_EXTRACT"));
  std::vector<const Json*> found;
  bool wrap = a.size() > 2;
  for (size_t i = 1; i < a.size(); i++) {
    STRATA_ASSIGN_OR_RETURN(std::vector<Leg> legs, ParsePath(a[i], i, "JSON_EXTRACT"));
    wrap = wrap || HasWildcard(legs);
    Collect(doc, legs, &found);
  }
  if (found.empty()) return Value::Null();
  if (!wrap) return ToValue(*found[0]);
  Json array = Json::array();
  for (const Json* j : found) array.push_back(*j);
  return ToValue(array);
}

std::string Unquote(const std::string& s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return s;
  try {
    Json j = Json::parse(s);
    if (j.is_string()) return j.get<std::string>();
  } catch (const Json::exception&) {
  }
  return s;
}

Result<Value> UnquoteFn(Args a, const EvalContext&) { return Value::String(Unquote(Text(a[0]))); }

// col->>'$.x' is JSON_UNQUOTE(JSON_EXTRACT(col, '$.x')).
Result<Value> ExtractUnquote(Args a, const EvalContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(Value v, Extract(a, ctx));
  if (v.is_null()) return v;
  return Value::String(Unquote(v.string_value()));
}

Result<Value> Quote(Args a, const EvalContext&) { return ToValue(Json(Text(a[0]))); }

Result<Value> Valid(Args a, const EvalContext&) {
  std::string text = Text(a[0]);
  return Value::Int(Depth(text) <= kMaxDepth && Json::accept(text) ? 1 : 0);
}

Result<Value> Type(Args a, const EvalContext&) {
  STRATA_ASSIGN_OR_RETURN(Json doc, Parse(a[0], 0, "JSON_TYPE"));
  switch (doc.type()) {
    case Json::value_t::object: return Value::String("OBJECT");
    case Json::value_t::array: return Value::String("ARRAY");
    case Json::value_t::string: return Value::String("STRING");
    case Json::value_t::boolean: return Value::String("BOOLEAN");
    case Json::value_t::number_integer: return Value::String("INTEGER");
    case Json::value_t::number_unsigned: return Value::String(doc.get<uint64_t>() > INT64_MAX ? "UNSIGNED INTEGER" : "INTEGER");
    case Json::value_t::number_float: return Value::String("DOUBLE");
    default: return Value::String("NULL");
  }
}

// The value at `path` (argument index 1) of doc, or the document itself with no path.
Result<std::optional<Json>> At(Args a, std::string_view fn) {
  STRATA_ASSIGN_OR_RETURN(Json doc, Parse(a[0], 0, fn));
  if (a.size() < 2) return std::optional<Json>(std::move(doc));
  STRATA_ASSIGN_OR_RETURN(std::vector<Leg> legs, ParsePath(a[1], 1, fn));
  if (HasWildcard(legs)) return ErrInvalidJsonPathWildcard(2, ToLower(fn));
  std::vector<const Json*> found;
  Collect(doc, legs, &found);
  if (found.empty()) return std::optional<Json>();
  return std::optional<Json>(*found[0]);
}

Result<Value> Length(Args a, const EvalContext&) {
  STRATA_ASSIGN_OR_RETURN(std::optional<Json> j, At(a, "JSON_LENGTH"));
  if (!j) return Value::Null();
  return Value::Int(j->is_object() || j->is_array() ? static_cast<int64_t>(j->size()) : 1);
}

Result<Value> Keys(Args a, const EvalContext&) {
  STRATA_ASSIGN_OR_RETURN(std::optional<Json> j, At(a, "JSON_KEYS"));
  if (!j || !j->is_object()) return Value::Null();
  std::vector<std::string> keys;
  for (auto it = j->begin(); it != j->end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end(), [](const std::string& x, const std::string& y) {
    return x.size() != y.size() ? x.size() < y.size() : x < y;
  });
  return ToValue(Json(keys));
}

size_t DepthOf(const Json& j) {
  size_t d = 0;
  if (j.is_object() || j.is_array())
    for (const Json& e : j) d = std::max(d, DepthOf(e));
  return d + 1;
}

Result<Value> DepthFn(Args a, const EvalContext&) {
  STRATA_ASSIGN_OR_RETURN(Json doc, Parse(a[0], 0, "JSON_DEPTH"));
  return Value::Int(static_cast<int64_t>(DepthOf(doc)));
}

bool Contains(const Json& target, const Json& candidate) {
  if (target.is_array()) {
    if (candidate.is_array()) {
      for (const Json& c : candidate)
        if (!Contains(target, c)) return false;
      return true;
    }
    for (const Json& t : target)
      if (Contains(t, candidate)) return true;
    return false;
  }
  if (target.is_object()) {
    if (!candidate.is_object()) return false;
    for (auto it = candidate.begin(); it != candidate.end(); ++it)
      if (!target.contains(it.key()) || !Contains(target.at(it.key()), it.value())) return false;
    return true;
  }
  return target == candidate;
}

Result<Value> ContainsFn(Args a, const EvalContext&) {
  STRATA_ASSIGN_OR_RETURN(Json candidate, Parse(a[1], 1, "JSON_CONTAINS"));
  Value args[] = {a[0], a.size() > 2 ? a[2] : Value()};
  STRATA_ASSIGN_OR_RETURN(std::optional<Json> target, At(std::span<const Value>(args, a.size() > 2 ? 2 : 1), "JSON_CONTAINS"));
  if (!target) return Value::Null();
  return Value::Int(Contains(*target, candidate) ? 1 : 0);
}

Result<Value> ContainsPath(Args a, const EvalContext&) {
  STRATA_ASSIGN_OR_RETURN(Json doc, Parse(a[0], 0, "JSON_CONTAINS_PATH"));
  std::string mode = ToLower(Text(a[1]));
  if (mode != "one" && mode != "all") return ErrWrongArguments("json_contains_path");
  for (size_t i = 2; i < a.size(); i++) {
    STRATA_ASSIGN_OR_RETURN(std::vector<Leg> legs, ParsePath(a[i], i, "JSON_CONTAINS_PATH"));
    std::vector<const Json*> found;
    Collect(doc, legs, &found);
    if (mode == "one" && !found.empty()) return Value::Int(1);
    if (mode == "all" && found.empty()) return Value::Int(0);
  }
  return Value::Int(mode == "all" ? 1 : 0);
}

Result<Value> Object(Args a, uint64_t json_args, const EvalContext&) {
  if (a.size() % 2) return ErrWrongParameterCount("json_object");
  Json out = Json::object();
  for (size_t i = 0; i < a.size(); i += 2) {
    if (a[i].is_null()) return ErrWrongArguments("json_object: a key is NULL");
    STRATA_ASSIGN_OR_RETURN(Json v, FromSql(a[i + 1], json_args >> (i + 1) & 1, i + 1, "JSON_OBJECT"));
    out[Text(a[i])] = std::move(v);
  }
  return ToValue(out);
}

Result<Value> Array(Args a, uint64_t json_args, const EvalContext&) {
  Json out = Json::array();
  for (size_t i = 0; i < a.size(); i++) {
    STRATA_ASSIGN_OR_RETURN(Json v, FromSql(a[i], json_args >> i & 1, i, "JSON_ARRAY"));
    out.push_back(std::move(v));
  }
  return ToValue(out);
}

enum class Mode { kSet, kInsert, kReplace, kAppend };

// Applies one (path, value) pair of JSON_SET / INSERT / REPLACE / ARRAY_APPEND to doc.
void Modify(Json* doc, const std::vector<Leg>& legs, Json value, Mode mode) {
  if (legs.empty()) {
    if (mode == Mode::kAppend) {
      if (!doc->is_array()) *doc = Json::array({*doc});
      doc->push_back(std::move(value));
    } else if (mode != Mode::kInsert) {
      *doc = std::move(value);
    }
    return;
  }
  Json* parent = doc;
  for (size_t i = 0; i + 1 < legs.size(); i++) {
    const Leg& leg = legs[i];
    if (leg.kind == Leg::kMember) {
      if (!parent->is_object() || !parent->contains(leg.name)) return;
      parent = &(*parent)[leg.name];
    } else {
      size_t at = Position(leg, parent->is_array() ? parent->size() : 1);
      if (parent->is_array()) {
        if (at >= parent->size()) return;
        parent = &(*parent)[at];
      } else if (at != 0) {
        return;
      }
    }
  }
  const Leg& last = legs.back();
  if (mode == Mode::kAppend) {
    std::vector<Json*> target;
    if (last.kind == Leg::kMember && parent->is_object() && parent->contains(last.name)) {
      Json& t = (*parent)[last.name];
      if (!t.is_array()) t = Json::array({t});
      t.push_back(std::move(value));
    } else if (last.kind == Leg::kIndex) {
      Json* t = parent;
      if (parent->is_array()) {
        size_t at = Position(last, parent->size());
        if (at >= parent->size()) return;
        t = &(*parent)[at];
      } else if (Position(last, 1) != 0) {
        return;
      }
      if (!t->is_array()) *t = Json::array({*t});
      t->push_back(std::move(value));
    }
    return;
  }
  if (last.kind == Leg::kMember) {
    if (!parent->is_object()) return;
    bool exists = parent->contains(last.name);
    if ((exists && mode != Mode::kInsert) || (!exists && mode != Mode::kReplace)) (*parent)[last.name] = std::move(value);
    return;
  }
  size_t size = parent->is_array() ? parent->size() : 1;
  size_t at = Position(last, size);
  bool exists = at < size;
  if (exists && mode != Mode::kInsert) {
    if (parent->is_array()) (*parent)[at] = std::move(value);
    else *parent = std::move(value);
  } else if (!exists && at != SIZE_MAX && mode != Mode::kReplace) {
    if (!parent->is_array()) *parent = Json::array({*parent});
    parent->push_back(std::move(value));
  }
}

Result<Value> ModifyFn(Args a, uint64_t json_args, Mode mode, std::string_view fn) {
  if (a.size() % 2 == 0) return ErrWrongParameterCount(ToLower(fn));
  if (a[0].is_null()) return Value::Null();
  STRATA_ASSIGN_OR_RETURN(Json doc, Parse(a[0], 0, fn));
  for (size_t i = 1; i < a.size(); i += 2) {
    if (a[i].is_null()) return Value::Null();
    STRATA_ASSIGN_OR_RETURN(std::vector<Leg> legs, ParsePath(a[i], i, fn));
    if (HasWildcard(legs)) return ErrInvalidJsonPathWildcard(i + 1, ToLower(fn));
    STRATA_ASSIGN_OR_RETURN(Json v, FromSql(a[i + 1], json_args >> (i + 1) & 1, i + 1, fn));
    Modify(&doc, legs, std::move(v), mode);
  }
  return ToValue(doc);
}
Result<Value> Set(Args a, uint64_t j, const EvalContext&) { return ModifyFn(a, j, Mode::kSet, "JSON_SET"); }
Result<Value> Insert(Args a, uint64_t j, const EvalContext&) { return ModifyFn(a, j, Mode::kInsert, "JSON_INSERT"); }
Result<Value> Replace(Args a, uint64_t j, const EvalContext&) { return ModifyFn(a, j, Mode::kReplace, "JSON_REPLACE"); }
Result<Value> ArrayAppend(Args a, uint64_t j, const EvalContext&) { return ModifyFn(a, j, Mode::kAppend, "JSON_ARRAY_APPEND"); }

Result<Value> Remove(Args a, const EvalContext&) {
  if (a[0].is_null()) return Value::Null();
  STRATA_ASSIGN_OR_RETURN(Json doc, Parse(a[0], 0, "JSON_REMOVE"));
  for (size_t i = 1; i < a.size(); i++) {
    if (a[i].is_null()) return Value::Null();
    STRATA_ASSIGN_OR_RETURN(std::vector<Leg> legs, ParsePath(a[i], i, "JSON_REMOVE"));
    if (legs.empty()) return ErrJsonRemoveRoot();
    if (HasWildcard(legs)) return ErrInvalidJsonPathWildcard(i + 1, "json_remove");
    std::vector<const Json*> parents;
    Collect(doc, std::span<const Leg>(legs).first(legs.size() - 1), &parents);
    if (parents.empty()) continue;
    Json* parent = const_cast<Json*>(parents[0]);
    const Leg& last = legs.back();
    if (last.kind == Leg::kMember && parent->is_object()) parent->erase(last.name);
    if (last.kind == Leg::kIndex && parent->is_array()) {
      size_t at = Position(last, parent->size());
      if (at < parent->size()) parent->erase(at);
    }
  }
  return ToValue(doc);
}

Result<Value> MergePatch(Args a, const EvalContext&) {
  STRATA_ASSIGN_OR_RETURN(Json doc, Parse(a[0], 0, "JSON_MERGE_PATCH"));
  for (size_t i = 1; i < a.size(); i++) {
    STRATA_ASSIGN_OR_RETURN(Json patch, Parse(a[i], i, "JSON_MERGE_PATCH"));
    doc.merge_patch(patch);
  }
  return ToValue(doc);
}

void MergePreserve(Json* into, Json from) {
  if (into->is_object() && from.is_object()) {
    for (auto it = from.begin(); it != from.end(); ++it) {
      if (into->contains(it.key())) MergePreserve(&(*into)[it.key()], it.value());
      else (*into)[it.key()] = it.value();
    }
    return;
  }
  if (!into->is_array()) *into = Json::array({*into});
  if (from.is_array()) {
    for (Json& e : from) into->push_back(std::move(e));
  } else {
    into->push_back(std::move(from));
  }
}

Result<Value> MergePreserveFn(Args a, const EvalContext&) {
  STRATA_ASSIGN_OR_RETURN(Json doc, Parse(a[0], 0, "JSON_MERGE_PRESERVE"));
  for (size_t i = 1; i < a.size(); i++) {
    STRATA_ASSIGN_OR_RETURN(Json next, Parse(a[i], i, "JSON_MERGE_PRESERVE"));
    MergePreserve(&doc, std::move(next));
  }
  return ToValue(doc);
}

constexpr OutKind J = OutKind::kJson, I = OutKind::kInt, S = OutKind::kString;

const BuiltinFunction kJsonFunctions[] = {
    {"JSON_EXTRACT", 2, -1, J, ResultRule::kFixed, true, true, Extract},
    {"JSON_UNQUOTE", 1, 1, S, ResultRule::kFixed, true, true, UnquoteFn},
    {"JSON_QUOTE", 1, 1, J, ResultRule::kFixed, true, true, Quote},
    {"JSON_VALID", 1, 1, I, ResultRule::kFixed, true, true, Valid},
    {"JSON_TYPE", 1, 1, S, ResultRule::kFixed, true, true, Type},
    {"JSON_LENGTH", 1, 2, I, ResultRule::kFixed, true, true, Length},
    {"JSON_KEYS", 1, 2, J, ResultRule::kFixed, true, true, Keys},
    {"JSON_DEPTH", 1, 1, I, ResultRule::kFixed, true, true, DepthFn},
    {"JSON_CONTAINS", 2, 3, I, ResultRule::kFixed, true, true, ContainsFn},
    {"JSON_CONTAINS_PATH", 3, -1, I, ResultRule::kFixed, true, true, ContainsPath},
    {"JSON_OBJECT", 0, -1, J, ResultRule::kFixed, false, true, nullptr, Object},
    {"JSON_ARRAY", 0, -1, J, ResultRule::kFixed, false, true, nullptr, Array},
    {"JSON_SET", 3, -1, J, ResultRule::kFixed, false, true, nullptr, Set},
    {"JSON_INSERT", 3, -1, J, ResultRule::kFixed, false, true, nullptr, Insert},
    {"JSON_REPLACE", 3, -1, J, ResultRule::kFixed, false, true, nullptr, Replace},
    {"JSON_ARRAY_APPEND", 3, -1, J, ResultRule::kFixed, false, true, nullptr, ArrayAppend},
    {"JSON_REMOVE", 2, -1, J, ResultRule::kFixed, false, true, Remove},
    {"JSON_MERGE_PATCH", 2, -1, J, ResultRule::kFixed, true, true, MergePatch},
    {"JSON_MERGE_PRESERVE", 2, -1, J, ResultRule::kFixed, true, true, MergePreserveFn},
    {"JSON_MERGE", 2, -1, J, ResultRule::kFixed, true, true, MergePreserveFn},
    {"->", 2, 2, J, ResultRule::kFixed, true, true, Extract},
    {"->>", 2, 2, S, ResultRule::kFixed, true, true, ExtractUnquote},
};

}  // namespace

std::span<const BuiltinFunction> JsonFunctions() { return kJsonFunctions; }

}  // namespace strata::sql::functions

namespace strata::sql {

Result<std::string> CanonicalJson(std::string_view json_text) {
  STRATA_ASSIGN_OR_RETURN(functions::Json doc, functions::Parse(Value::String(std::string(json_text)), 0, "JSON"));
  return functions::ToValue(doc).string_value();
}

}  // namespace strata::sql
