// CLIENT_SESSION_TRACK for one session: after each statement, what changed in the session
// that the client asked to hear about, in the form MySQL reports it in the OK packet:
//   session_track_schema            ON   the current database after USE / COM_INIT_DB (even
//                                        when it is the same one, as MySQL)
//   session_track_system_variables  time_zone,autocommit,character_set_client,
//                                   character_set_results,character_set_connection
//                                   ('*' = all): the value of each one a SET assigned
//   session_track_state_change      OFF  "1" when the session state changed (database,
//                                   system or user variables)
//   session_track_transaction_info  OFF | STATE | CHARACTERISTICS: the 8-character state
//                                   (T/I, R after a SELECT, W, S; docs/mysql_protocol.md) when it changes,
//                                   and with CHARACTERISTICS "START TRANSACTION;" while a
//                                   transaction BEGIN started is open
// Only a client that negotiated CLIENT_SESSION_TRACK gets any of it (Enable()).
#pragma once

#include <string>
#include <vector>

#include "server/mysql/handler.h"
#include "sql/sql.h"

namespace strata::server {

class SessionTracker {
 public:
  explicit SessionTracker(sql::Session* session) : session_(session) {}

  void Enable();
  bool enabled() const { return enabled_; }
  // COM_RESET_CONNECTION: the session's variables are back to their defaults.
  void Reset();

  // Around each statement that succeeded (a failed one reports nothing; the next one
  // reports from where the client last heard).
  void Before();
  // `deliverable`: the packet that ends the statement's response can carry the changes (an
  // OK; a result set's end only under CLIENT_DEPRECATE_EOF). When it cannot, the transaction
  // state is reported by the next statement that can.
  std::vector<mysql::SessionStateChange> After(const sql::ast::Statement& stmt, bool result_set, bool deliverable);

 private:
  enum class TxnInfo { kOff, kState, kCharacteristics };
  void ReadSettings();
  bool Tracks(const std::string& variable) const;
  std::string VariableText(const std::string& variable) const;
  std::string TransactionState(const sql::ast::Statement& stmt, bool result_set);

  sql::Session* session_;
  bool enabled_ = false;
  // The settings (read again after each SET: only SET changes them).
  bool track_schema_ = true;
  bool track_state_change_ = false;
  TxnInfo track_txn_ = TxnInfo::kOff;
  bool track_all_variables_ = false;
  std::vector<std::string> tracked_variables_;
  // Before the current statement.
  std::string database_before_;
  bool in_txn_before_ = false;
  // The open transaction, as the state reports it.
  bool txn_explicit_ = false, txn_read_ = false, txn_wrote_ = false, txn_result_set_ = false;
  std::string last_state_ = "________";
  std::string last_characteristics_;
};

}  // namespace strata::server
