// SHOW [FULL] PROCESSLIST and KILL [CONNECTION | QUERY] (executors.h), over the engine's
// ProcessList (process_list.h).
#include <algorithm>

#include <fmt/format.h>

#include "sql/binder/binder.h"
#include "sql/errors.h"
#include "sql/session/executors.h"

namespace strata::sql {

namespace {
// SHOW PROCESSLIST without FULL shows this much of each statement, as MySQL does.
constexpr size_t kInfoChars = 100;
}  // namespace

QueryResult ProcessListResult(Session& session, bool full) {
  QueryResult r;
  r.has_rows = true;
  for (const char* name : {"Id", "User", "Host", "db", "Command", "Time", "State", "Info"}) {
    ResultColumn c;
    c.name = name;
    const bool number = std::string_view(name) == "Id" || std::string_view(name) == "Time";
    c.type.kind = number ? OutKind::kInt : OutKind::kString;
    c.type.length = number ? 21 : 256;
    r.columns.push_back(std::move(c));
  }
  // Without PROCESS an account sees its own sessions only, as in MySQL.
  const bool all = session.superuser() || session.RequireGlobalPrivilege(kPrivProcess).ok();
  for (ProcessEntry::Row& p : session.engine().processes().Rows()) {
    if (!all && p.user != session.user()) continue;
    auto text = [](std::string s) { return s.empty() ? Value::Null() : Value::String(std::move(s)); };
    if (!full && p.info.size() > kInfoChars) p.info.resize(kInfoChars);
    r.rows.push_back({Value::Uint(p.id), Value::String(p.user), Value::String(p.host), text(p.db),
                      Value::String(p.command), Value::Int(p.seconds), Value::String(p.state), text(p.info)});
  }
  return r;
}

Result<QueryResult> ExecuteKill(Session& session, const ast::Kill& stmt) {
  BindContext ctx;
  ctx.session = &session;
  STRATA_ASSIGN_OR_RETURN(BoundExprPtr bound, BindExpr(*stmt.id, ctx));
  STRATA_ASSIGN_OR_RETURN(Value v, Eval(*bound, Row{}, session.eval_context()));
  double d = v.is_null() ? -1 : v.ToDouble();
  if (d < 0 || d > 4294967295.0) return ErrUnknownThread(d < 0 ? 0 : static_cast<uint64_t>(d));
  const auto id = static_cast<uint32_t>(d);
  std::shared_ptr<ProcessEntry> target = session.engine().processes().Find(id);
  if (!target) return ErrUnknownThread(id);
  if (target->Snapshot().user != session.user() && !session.RequireGlobalPrivilege(kPrivSuper).ok())
    return ErrKillDenied(id);
  if (!session.engine().processes().Kill(id, stmt.query_only)) return ErrUnknownThread(id);
  return QueryResult();
}

}  // namespace strata::sql
