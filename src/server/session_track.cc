#include "server/session_track.h"

#include <algorithm>

#include "common/ascii.h"

namespace strata::server {

namespace {

using Change = mysql::SessionStateChange;
using Kind = sql::ast::StatementKind;

// MySQL 5.7's names of two variables (the SQL layer keeps them under the 8.0 names).
std::string CanonicalName(std::string name) {
  if (name == "tx_isolation") return "transaction_isolation";
  if (name == "tx_read_only") return "transaction_read_only";
  return name;
}

std::string Text(const std::optional<sql::Value>& v) {
  return v ? v->ToText().value_or("") : std::string();
}

// The session variables one SET item assigns (none for SET GLOBAL, a user variable, or
// SET TRANSACTION without SESSION, which is about the next transaction only).
std::vector<std::string> AssignedVariables(const sql::ast::SetItem& item) {
  using Scope = sql::ast::VariableScope;
  if (item.scope == Scope::kGlobal || item.scope == Scope::kUser || item.scope == Scope::kDefault) return {};
  std::string name = CanonicalName(ToLower(item.name));
  if (name == "names" || name == "character_set") {
    std::vector<std::string> out = {"character_set_client", "character_set_connection", "character_set_results"};
    if (!item.collation.empty()) out.push_back("collation_connection");
    return out;
  }
  return {name};
}

}  // namespace

void SessionTracker::Enable() {
  enabled_ = true;
  ReadSettings();
}

void SessionTracker::Reset() {
  if (!enabled_) return;
  ReadSettings();
  txn_explicit_ = txn_read_ = txn_wrote_ = txn_result_set_ = false;
  last_state_ = "________";
  last_characteristics_.clear();
}

void SessionTracker::ReadSettings() {
  track_schema_ = session_->GetVariable("session_track_schema").value_or(sql::Value::Int(1)).ToBool().value_or(true);
  track_state_change_ =
      session_->GetVariable("session_track_state_change").value_or(sql::Value::Int(0)).ToBool().value_or(false);
  std::string txn = ToUpper(Text(session_->GetVariable("session_track_transaction_info")));
  track_txn_ = txn == "STATE" ? TxnInfo::kState : txn == "CHARACTERISTICS" ? TxnInfo::kCharacteristics : TxnInfo::kOff;
  tracked_variables_.clear();
  track_all_variables_ = false;
  std::string list = ToLower(Text(session_->GetVariable("session_track_system_variables")));
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = std::min(list.find(',', start), list.size());
    std::string name = list.substr(start, comma - start);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (name == "*") track_all_variables_ = true;
    else if (!name.empty()) tracked_variables_.push_back(CanonicalName(name));
    start = comma + 1;
  }
}

bool SessionTracker::Tracks(const std::string& variable) const {
  return track_all_variables_ ||
         std::find(tracked_variables_.begin(), tracked_variables_.end(), variable) != tracked_variables_.end();
}

std::string SessionTracker::VariableText(const std::string& variable) const {
  if (variable == "autocommit") return session_->autocommit() ? "ON" : "OFF";
  // Boolean variables read ON / OFF, as MySQL reports them.
  static constexpr std::string_view kBooleans[] = {
      "activate_all_roles_on_login", "explicit_defaults_for_timestamp", "foreign_key_checks", "local_infile",
      "session_track_schema", "session_track_state_change", "slow_query_log", "sql_auto_is_null", "sql_notes",
      "sql_quote_show_create", "sql_safe_updates", "sql_warnings", "transaction_read_only", "unique_checks"};
  std::optional<sql::Value> v = session_->GetVariable(variable);
  if (v && std::find(std::begin(kBooleans), std::end(kBooleans), variable) != std::end(kBooleans))
    return v->ToBool().value_or(false) ? "ON" : "OFF";
  return Text(v);
}

void SessionTracker::Before() {
  database_before_ = session_->database();
  in_txn_before_ = session_->in_transaction();
}

std::string SessionTracker::TransactionState(const sql::ast::Statement& stmt, bool result_set) {
  if (!session_->in_transaction()) {
    txn_explicit_ = txn_read_ = txn_wrote_ = txn_result_set_ = false;
    return "________";
  }
  if (!in_txn_before_ || stmt.kind == Kind::kBegin) {
    txn_explicit_ = stmt.kind == Kind::kBegin;
    txn_read_ = txn_wrote_ = txn_result_set_ = false;
  }
  if (stmt.kind == Kind::kSelect) txn_read_ = true;
  if (result_set) txn_result_set_ = true;
  if (stmt.kind == Kind::kInsert || stmt.kind == Kind::kUpdate || stmt.kind == Kind::kDelete ||
      stmt.kind == Kind::kLoadData)
    txn_wrote_ = true;
  std::string state = "________";
  state[0] = txn_explicit_ ? 'T' : 'I';
  if (txn_read_) state[2] = 'R';
  if (txn_wrote_) state[4] = 'W';
  if (txn_result_set_) state[6] = 'S';
  return state;
}

std::vector<Change> SessionTracker::After(const sql::ast::Statement& stmt, bool result_set, bool deliverable) {
  std::vector<Change> changes;
  bool state_changed = false;
  if (!deliverable) {  // only the transaction state can change here: leave it to be reported later
    if (track_txn_ != TxnInfo::kOff) TransactionState(stmt, result_set);
    return changes;
  }
  if (stmt.kind == Kind::kSet) {
    const auto& set = static_cast<const sql::ast::Set&>(stmt);
    ReadSettings();  // the statement may have changed them
    for (const sql::ast::SetItem& item : set.items) {
      state_changed = true;
      for (const std::string& name : AssignedVariables(item)) {
        if (Tracks(name)) changes.push_back({Change::Type::kSystemVariable, name, VariableText(name)});
      }
    }
  }
  if (session_->database() != database_before_ || stmt.kind == Kind::kUse) {
    state_changed = true;
    if (track_schema_) changes.push_back({Change::Type::kSchema, {}, session_->database()});
  }
  if (track_state_change_ && state_changed) changes.push_back({Change::Type::kStateChange, {}, "1"});
  if (track_txn_ != TxnInfo::kOff) {
    std::string state = TransactionState(stmt, result_set);
    if (track_txn_ == TxnInfo::kCharacteristics) {
      std::string characteristics = txn_explicit_ && session_->in_transaction() ? "START TRANSACTION;" : "";
      if (characteristics != last_characteristics_)
        changes.push_back({Change::Type::kTransactionCharacteristics, {}, characteristics});
      last_characteristics_ = std::move(characteristics);
    }
    if (state != last_state_) changes.push_back({Change::Type::kTransactionState, {}, state});
    last_state_ = std::move(state);
  }
  return changes;
}

}  // namespace strata::server
