// System variables: the ones connectors, ORMs and tools read on connect, with MySQL 8's
// defaults where StrataDB behaves the same way, plus the node's own (NodeVariables: the
// I/O rate limits), which SET GLOBAL changes in the running node.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/ascii.h"
#include "sql/errors.h"
#include "sql/session/executors.h"
#include "sql/types/schema.h"

namespace strata::sql {
namespace {

struct Default {
  bool is_int;
  int64_t i;
  const char* s;
};

const std::map<std::string, Default>& Defaults() {
  static const auto* m = new std::map<std::string, Default>{
      {"activate_all_roles_on_login", {true, 0, ""}},
      {"auto_increment_increment", {true, 1, ""}},
      {"auto_increment_offset", {true, 1, ""}},
      {"autocommit", {true, 1, ""}},
      {"character_set_client", {false, 0, "utf8mb4"}},
      {"character_set_connection", {false, 0, "utf8mb4"}},
      {"character_set_database", {false, 0, "utf8mb4"}},
      {"character_set_filesystem", {false, 0, "binary"}},
      {"character_set_results", {false, 0, "utf8mb4"}},
      {"character_set_server", {false, 0, "utf8mb4"}},
      {"character_set_system", {false, 0, "utf8mb3"}},
      {"collation_connection", {false, 0, "utf8mb4_general_ci"}},
      {"collation_database", {false, 0, "utf8mb4_general_ci"}},
      {"collation_server", {false, 0, "utf8mb4_general_ci"}},
      {"cte_max_recursion_depth", {true, 1000, ""}},
      {"default_authentication_plugin", {false, 0, "caching_sha2_password"}},
      {"default_storage_engine", {false, 0, "InnoDB"}},
      {"div_precision_increment", {true, 4, ""}},
      {"error_count", {true, 0, ""}},
      {"explicit_defaults_for_timestamp", {true, 1, ""}},
      {"foreign_key_checks", {true, 1, ""}},
      {"group_concat_max_len", {true, 1024, ""}},
      {"have_ssl", {false, 0, "YES"}},
      {"information_schema_stats_expiry", {true, 86400, ""}},
      {"init_connect", {false, 0, ""}},
      {"innodb_lock_wait_timeout", {true, 50, ""}},
      {"interactive_timeout", {true, 28800, ""}},
      {"lc_messages", {false, 0, "en_US"}},
      {"license", {false, 0, "Apache-2.0"}},
      // LOAD DATA LOCAL INFILE: off by default, as in MySQL 8 (SET GLOBAL local_infile = ON).
      {"local_infile", {true, 0, ""}},
      {"long_query_time", {false, 0, "10.000000"}},
      {"lower_case_table_names", {true, 1, ""}},
      {"strata_max_staleness_ms", {true, 1000, ""}},
      {"strata_read_consistency", {false, 0, "linearizable"}},
      {"max_allowed_packet", {true, 67108864, ""}},
      {"max_connections", {true, 151, ""}},
      {"max_execution_time", {true, 0, ""}},
      {"max_prepared_stmt_count", {true, 16382, ""}},
      {"net_buffer_length", {true, 16384, ""}},
      {"net_read_timeout", {true, 30, ""}},
      {"net_write_timeout", {true, 60, ""}},
      {"performance_schema", {true, 0, ""}},
      {"query_cache_size", {true, 0, ""}},
      {"query_cache_type", {false, 0, "OFF"}},
      {"server_id", {true, 1, ""}},
      // CLIENT_SESSION_TRACK (server/sql_session.cc reports what changed in OK packets).
      {"session_track_gtids", {false, 0, "OFF"}},
      {"session_track_schema", {true, 1, ""}},
      {"session_track_state_change", {true, 0, ""}},
      {"session_track_system_variables",
       {false, 0, "time_zone,autocommit,character_set_client,character_set_results,character_set_connection"}},
      {"session_track_transaction_info", {false, 0, "OFF"}},
      {"slow_query_log", {true, 1, ""}},
      {"sql_auto_is_null", {true, 0, ""}},
      {"sql_mode", {false, 0, "STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"}},
      {"sql_notes", {true, 1, ""}},
      {"sql_quote_show_create", {true, 1, ""}},
      {"sql_safe_updates", {true, 0, ""}},
      {"sql_select_limit", {false, 0, "18446744073709551615"}},
      {"sql_warnings", {true, 0, ""}},
      {"system_time_zone", {false, 0, "UTC"}},
      {"time_zone", {false, 0, "SYSTEM"}},
      {"transaction_isolation", {false, 0, "REPEATABLE-READ"}},
      {"transaction_read_only", {true, 0, ""}},
      {"tx_isolation", {false, 0, "REPEATABLE-READ"}},
      {"tx_read_only", {true, 0, ""}},
      {"unique_checks", {true, 1, ""}},
      {"version_comment", {false, 0, "StrataDB"}},
      {"version_compile_machine", {false, 0, "x86_64"}},
      {"version_compile_os", {false, 0, "Linux"}},
      {"wait_timeout", {true, 28800, ""}},
      {"warning_count", {true, 0, ""}},
  };
  return *m;
}

}  // namespace

std::string CanonicalVariableName(std::string name) {
  if (name == "tx_isolation") return "transaction_isolation";
  if (name == "tx_read_only") return "transaction_read_only";
  return name;
}

std::optional<Value> SystemVariableDefault(std::string_view name, const SqlEngine& engine) {
  if (name == "version") return Value::String(engine.server_version());
  if (NodeVariables* node = engine.node_variables()) {
    if (std::optional<int64_t> v = node->Get(name)) return Value::Int(*v);
  }
  auto it = Defaults().find(std::string(name));
  if (it == Defaults().end()) return std::nullopt;
  if (it->second.is_int) return Value::Int(it->second.i);
  return Value::String(it->second.s);
}

std::vector<std::string> SystemVariableNames(const SqlEngine& engine) {
  std::vector<std::string> names;
  for (const auto& [name, d] : Defaults()) names.push_back(name);
  names.push_back("version");
  if (NodeVariables* node = engine.node_variables()) {
    for (std::string& n : node->Names()) names.push_back(std::move(n));
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

// sql_mode as MySQL shows it: upper case, no spaces, each mode once, the combination modes
// ANSI and TRADITIONAL spelled out. Modes StrataDB does not know are kept (dumps of other
// servers set them) and have no effect (docs/sql.md lists the ones that do).
std::string NormalizeSqlMode(std::string_view text) {
  std::vector<std::string> modes;
  auto add = [&](std::string mode) {
    if (!mode.empty() && std::find(modes.begin(), modes.end(), mode) == modes.end()) modes.push_back(std::move(mode));
  };
  std::string upper = ToUpper(text);
  size_t start = 0;
  while (start <= upper.size()) {
    size_t comma = std::min(upper.find(',', start), upper.size());
    std::string mode = upper.substr(start, comma - start);
    mode.erase(0, mode.find_first_not_of(' '));
    mode.erase(mode.find_last_not_of(' ') + 1);
    if (mode == "TRADITIONAL") {
      for (const char* m : {"STRICT_TRANS_TABLES", "STRICT_ALL_TABLES", "NO_ZERO_IN_DATE", "NO_ZERO_DATE",
                            "ERROR_FOR_DIVISION_BY_ZERO", "NO_ENGINE_SUBSTITUTION"})
        add(m);
    } else if (mode == "ANSI") {
      for (const char* m : {"REAL_AS_FLOAT", "PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "ONLY_FULL_GROUP_BY"})
        add(m);
    } else {
      add(std::move(mode));
    }
    start = comma + 1;
  }
  std::string out;
  for (const std::string& m : modes) out += (out.empty() ? "" : ",") + m;
  return out;
}

}  // namespace

Status NormalizeVariableValue(std::string_view name, Value* v) {
  // An enumeration: the value in canonical spelling, or 1231.
  auto one_of = [&](std::initializer_list<std::string_view> allowed, bool upper) -> Status {
    std::string text = v->ToText().value_or("");
    std::string key = upper ? ToUpper(text) : ToLower(text);
    if (name == "transaction_isolation") std::replace(key.begin(), key.end(), ' ', '-');
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) return ErrWrongValueForVariable(name, text);
    *v = Value::String(key);
    return Status::OK();
  };
  if (name == "collation_connection" || name == "collation_server" || name == "collation_database") {
    // A collation by name (1273 when unknown), or by id as MySQL accepts: its canonical name.
    const CollationInfo* info = v->kind() == ValueKind::kString ? CollationByName(v->string_value())
                                : v->is_null()                   ? nullptr
                                                                 : CollationById(static_cast<uint16_t>(v->ToDouble()));
    if (info == nullptr) return ErrUnknownCollation(v->ToText().value_or("NULL"));
    *v = Value::String(std::string(info->name));
    return Status::OK();
  }
  if (name == "transaction_isolation")
    return one_of({"READ-UNCOMMITTED", "READ-COMMITTED", "REPEATABLE-READ", "SERIALIZABLE"}, true);
  if (name == "strata_read_consistency") return one_of({"linearizable", "lease", "follower"}, false);
  if (name == "session_track_transaction_info") return one_of({"OFF", "STATE", "CHARACTERISTICS"}, true);
  if (name == "session_track_gtids") return one_of({"OFF"}, true);  // there are no GTIDs to report
  if (name == "long_query_time") *v = Value::Double(std::max(0.0, v->ToDouble()));
  if (name == "max_connections") *v = Value::Int(static_cast<int64_t>(std::clamp(v->ToDouble(), 1.0, 100000.0)));
  if (name == "strata_max_staleness_ms") {
    if (v->ToDouble() < 0) return ErrWrongValueForVariable(name, v->ToText().value_or("NULL"));
    *v = Value::Int(static_cast<int64_t>(v->ToDouble()));
  }
  if (name == "session_track_system_variables") *v = Value::String(ToLower(v->ToText().value_or("")));
  if (name == "sql_mode") *v = Value::String(NormalizeSqlMode(v->ToText().value_or("")));
  if (name == "time_zone") {  // 1298 for a zone that does not exist
    STRATA_ASSIGN_OR_RETURN(TimeZone zone, TimeZone::Parse(v->ToText().value_or("")));
    *v = Value::String(zone.name());
  }
  return Status::OK();
}

bool IsNodeVariable(const SqlEngine& engine, std::string_view lower_name) {
  NodeVariables* node = engine.node_variables();
  return node != nullptr && node->Get(lower_name).has_value();
}

// Node variables are global only (as MySQL's server-wide settings): SET SESSION is 1229.
// DEFAULT sets 0, which for the I/O rates means auto.
Status SetNodeVariable(SqlEngine& engine, const ast::SetItem& item, const Value& value) {
  std::string name = ToLower(item.name);
  if (item.scope != ast::VariableScope::kGlobal) {
    return ErrGlobalVariable(name);
  }
  int64_t v = 0;
  if (item.value) {
    std::optional<int64_t> parsed;
    if (value.kind() == ValueKind::kInt) parsed = value.int_value();
    if (value.kind() == ValueKind::kUint && value.uint_value() <= uint64_t{INT64_MAX})
      parsed = static_cast<int64_t>(value.uint_value());
    if (value.kind() == ValueKind::kString) {
      const std::string& s = value.string_value();
      int64_t n = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) parsed = n;
    }
    if (!parsed) {
      return ErrWrongTypeForVariable(name);
    }
    v = *parsed;
  }
  return engine.node_variables()->Set(name, v);
}

// ---- sql_mode as the session reads it ----

std::shared_ptr<const TimeZone> Session::time_zone() const {
  TimeZoneCache& c = time_zone_cache_;
  const uint64_t global_version = engine_->globals_version();
  if (c.session_version != session_vars_version_ || c.global_version != global_version) {
    std::optional<Value> value = GetVariable("time_zone");
    Result<TimeZone> zone = TimeZone::Parse(value ? value->ToText().value_or("SYSTEM") : "SYSTEM");
    c.zone = zone.ok() ? std::make_shared<const TimeZone>(std::move(zone).value()) : nullptr;
    c.session_version = session_vars_version_;
    c.global_version = global_version;
  }
  return c.zone;
}

bool Session::SqlModeHas(std::string_view mode) const { return SqlModeListHas(SqlModeList(), mode); }

const std::string& Session::SqlModeList() const {
  SqlModeCache& c = sql_mode_cache_;
  const uint64_t global_version = engine_->globals_version();
  if (c.session_version != session_vars_version_ || c.global_version != global_version) {
    std::optional<Value> value = GetVariable("sql_mode");
    c.list = "," + ToUpper(value ? value->ToText().value_or("") : "") + ",";
    c.session_version = session_vars_version_;
    c.global_version = global_version;
  }
  return c.list;
}

bool Session::SqlModeListHas(std::string_view list, std::string_view mode) {
  for (size_t at = list.find(mode); at != std::string_view::npos; at = list.find(mode, at + 1)) {
    if (list[at - 1] == ',' && list[at + mode.size()] == ',') return true;
  }
  return false;
}

bool Session::no_backslash_escapes() const { return SqlModeHas("NO_BACKSLASH_ESCAPES"); }

ParseOptions Session::parse_options() const {
  const std::string& modes = SqlModeList();
  return {.backslash_escapes = !SqlModeListHas(modes, "NO_BACKSLASH_ESCAPES"),
          .ansi_quotes = SqlModeListHas(modes, "ANSI_QUOTES")};
}

bool IsGlobalOnlyVariable(const SqlEngine& engine, std::string_view lower_name) {
  static const std::set<std::string_view> kGlobalOnly = {
      "activate_all_roles_on_login", "character_set_system", "default_authentication_plugin", "have_ssl",
      "init_connect", "license", "local_infile", "lower_case_table_names", "max_connections",
      "max_prepared_stmt_count", "performance_schema", "query_cache_size", "server_id", "slow_query_log",
      "system_time_zone", "version", "version_comment", "version_compile_machine", "version_compile_os"};
  return kGlobalOnly.count(lower_name) > 0 || IsNodeVariable(engine, lower_name);
}

void Session::InheritGlobals() {
  for (auto& [name, value] : engine_->GlobalsSet()) {
    if (IsGlobalOnlyVariable(*engine_, name)) continue;
    if (name == "autocommit") autocommit_ = value.ToBool().value_or(true);
    else session_vars_[name] = std::move(value);
  }
  session_vars_version_++;
}

// ---- SET ----

Result<QueryResult> Session::ExecuteSet(const ast::Set& stmt) {
  for (const ast::SetItem& item : stmt.items) {
    Value value;
    if (item.value) {
      BindContext ctx;
      ctx.session = this;
      ctx.outer = statement_outer();  // NEW / OLD inside a trigger
      STRATA_ASSIGN_OR_RETURN(BoundExprPtr e, BindExpr(*item.value, ctx));
      STRATA_ASSIGN_OR_RETURN(value, EvaluateExpression(*this, *e));
    }
    if (item.scope == ast::VariableScope::kUser) {
      user_vars_[ToLower(item.name)] = value;
      continue;
    }
    STRATA_RETURN_IF_ERROR(SetSystemVariable(item, value));
  }
  return QueryResult();
}

Status Session::SetSystemVariable(const ast::SetItem& item, const Value& value) {
  session_vars_version_++;  // whatever it changes below
  std::string name = CanonicalVariableName(ToLower(item.name));
  if (name == "names" || name == "character_set") {
    std::string cs = value.ToText().value_or("utf8mb4");
    for (const char* v : {"character_set_client", "character_set_results", "character_set_connection"})
      session_vars_[v] = Value::String(cs);
    if (!item.collation.empty()) {
      const CollationInfo* info = CollationByName(item.collation);
      if (info == nullptr) return ErrUnknownCollation(item.collation);
      session_vars_["collation_connection"] = Value::String(std::string(info->name));
    }
    return Status::OK();
  }
  // Server-wide settings need SUPER (MySQL: SYSTEM_VARIABLES_ADMIN or SUPER): 1227.
  if ((item.scope == ast::VariableScope::kGlobal || IsNodeVariable(*engine_, name)) && !superuser_)
    STRATA_RETURN_IF_ERROR(RequireGlobalPrivilege(kPrivSuper));
  if (IsNodeVariable(*engine_, name)) return SetNodeVariable(*engine_, item, value);
  // Server-wide in MySQL: one session must not raise its own share.
  if (IsGlobalOnlyVariable(*engine_, name) && item.scope != ast::VariableScope::kGlobal) return ErrGlobalVariable(name);
  if (!item.value) {  // SET x = DEFAULT: the session takes the global value; GLOBAL, the server's default
    if (item.scope == ast::VariableScope::kGlobal) {
      std::optional<Value> server_default = SystemVariableDefault(name, *engine_);
      if (!server_default) return ErrUnknownSystemVariable(item.name);
      engine_->SetGlobal(name, std::move(*server_default));
      return Status::OK();
    }
    // The session takes the global value, as MySQL.
    std::optional<Value> global = engine_->GetGlobal(name);
    if (name == "autocommit") {
      const bool on = !global || global->ToBool().value_or(true);
      if (on && !autocommit_) STRATA_RETURN_IF_ERROR(CommitOpen());  // turning autocommit on commits
      autocommit_ = on;
    } else if (global) {
      session_vars_[name] = std::move(*global);
    } else {
      session_vars_.erase(name);
    }
    return Status::OK();
  }
  std::optional<Value> current = SystemVariableDefault(name, *engine_);
  if (!current) return ErrUnknownSystemVariable(item.name);
  Value v = value;
  // ON/OFF/TRUE/FALSE for boolean-ish integer variables.
  if (current->kind() == ValueKind::kInt && v.kind() == ValueKind::kString) {
    std::string s = ToLower(v.string_value());
    if (s == "on" || s == "true") v = Value::Int(1);
    else if (s == "off" || s == "false") v = Value::Int(0);
    else if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-')) v = Value::Int(static_cast<int64_t>(StringToDouble(s)));
    else
      return ErrWrongValueForVariable(name, v.string_value());
  }
  if (name == "autocommit") {
    bool on = v.ToBool().value_or(true);
    if (item.scope == ast::VariableScope::kGlobal) {
      engine_->SetGlobal(name, Value::Int(on));
      return Status::OK();
    }
    if (on && !autocommit_) STRATA_RETURN_IF_ERROR(CommitOpen());  // turning autocommit on commits
    autocommit_ = on;
    return Status::OK();
  }
  if (name == "transaction_read_only" && item.scope == ast::VariableScope::kDefault) {
    next_txn_read_only_ = v.ToBool().value_or(false);  // SET TRANSACTION READ ONLY: the next one only
    return Status::OK();
  }
  STRATA_RETURN_IF_ERROR(NormalizeVariableValue(name, &v));
  // Behaviour StrataDB does not have is refused, never silently ignored (a client that asks
  // for it would get other answers than it expects).
  if ((name == "sql_auto_is_null" || name == "sql_safe_updates") && v.ToBool().value_or(false))
    return ErrWrongValueForVariable(name, v.ToText().value_or("1"));
  if (name == "sql_select_limit" && v.ToText().value_or("") != current->ToText().value_or(""))
    return ErrWrongValueForVariable(name, v.ToText().value_or("NULL"));
  if (item.scope == ast::VariableScope::kGlobal) engine_->SetGlobal(name, v);
  else if (item.scope != ast::VariableScope::kDefault || name != "transaction_isolation") session_vars_[name] = v;
  return Status::OK();
}

}  // namespace strata::sql
