// SAVEPOINT / ROLLBACK [WORK] TO [SAVEPOINT] / RELEASE SAVEPOINT (Django, SQLAlchemy and
// Rails nest transactions with them; mysqldump --single-transaction sets one per table).
// The undo is the transaction's (txn::Transaction::SetSavepoint); the session keeps the
// names. MySQL's rules: names compare case-insensitively; setting a name again moves it;
// ROLLBACK TO keeps the savepoint and drops later ones; RELEASE drops it and later ones;
// COMMIT and ROLLBACK drop all; outside a transaction SAVEPOINT does nothing lasting.
#include <fmt/format.h>

#include "common/ascii.h"
#include "sql/errors.h"
#include "sql/sql.h"

namespace strata::sql {
namespace {

Status ErrNoSuchSavepoint(std::string_view name) {  // ER_SP_DOES_NOT_EXIST
  return Status::NotFound(fmt::format("SAVEPOINT {} does not exist", name)).WithMysql(1305, "42000");
}

}  // namespace

Result<QueryResult> Session::ExecuteSavepoint(const ast::Savepoint& stmt) {
  using Action = ast::Savepoint::Action;
  std::string name = ToLower(stmt.name);
  if (!autocommit_) explicit_txn_ = true;  // autocommit=0: SAVEPOINT starts the transaction
  if (!explicit_txn_) {
    // autocommit: the statement is its own transaction, which ends here with its savepoint.
    if (stmt.action != Action::kSet) return ErrNoSuchSavepoint(stmt.name);
    return QueryResult();
  }
  if (!txn_) txn_ = engine_->txn().Begin(ReadRequirement());
  STRATA_CHECK(savepoints_.size() == txn_->savepoint_count());
  size_t index = savepoints_.size();
  for (size_t i = 0; i < savepoints_.size(); i++)
    if (savepoints_[i] == name) index = i;
  switch (stmt.action) {
    case Action::kSet:
      // The old savepoint of the name stays in the transaction, nameless: the later ones keep
      // their own undo (each records every key first changed after it).
      if (index < savepoints_.size()) savepoints_[index].clear();
      if (savepoints_.size() >= txn::Transaction::kMaxSavepoints)
        return ErrNotSupportedYet(
            fmt::format("more than {} savepoints in one transaction (kMaxSavepoints)", txn::Transaction::kMaxSavepoints));
      txn_->SetSavepoint();
      savepoints_.push_back(std::move(name));
      return QueryResult();
    case Action::kRollbackTo:
      if (index == savepoints_.size()) return ErrNoSuchSavepoint(stmt.name);
      txn_->RollbackToSavepoint(index);
      savepoints_.resize(index + 1);
      return QueryResult();
    case Action::kRelease:
      if (index == savepoints_.size()) return ErrNoSuchSavepoint(stmt.name);
      txn_->ReleaseSavepoint(index);
      savepoints_.resize(index);
      return QueryResult();
  }
  return Status::Internal("unknown savepoint action");
}

}  // namespace strata::sql
