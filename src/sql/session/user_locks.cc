// GET_LOCK, RELEASE_LOCK, IS_FREE_LOCK, IS_USED_LOCK, RELEASE_ALL_LOCKS: the node's lock table
// (user_locks.h) and the session's calls into it with its connection id as the owner.
#include "sql/session/user_locks.h"

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/check.h"
#include "sql/errors.h"
#include "sql/expression/function_library.h"
#include "sql/sql.h"

namespace strata::sql {

Result<bool> UserLockTable::Acquire(const std::string& name, uint32_t owner, std::chrono::milliseconds timeout,
                                    const std::function<Status()>& check) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  while (true) {
    auto it = held_.find(name);
    if (it == held_.end()) {
      held_.emplace(name, Held{owner, 1});
      return true;
    }
    if (it->second.owner == owner) {  // re-entrant
      it->second.count++;
      return true;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    freed_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(deadline - now, std::chrono::milliseconds(50)));
    lock.unlock();
    Status stop = check();  // outside mu_: it reads other state (the session's kill flag)
    lock.lock();
    if (!stop.ok()) return stop;
  }
}

std::optional<bool> UserLockTable::Release(const std::string& name, uint32_t owner) {
  std::lock_guard lock(mu_);
  auto it = held_.find(name);
  if (it == held_.end()) return std::nullopt;
  if (it->second.owner != owner) return false;
  STRATA_CHECK(it->second.count > 0);
  if (--it->second.count == 0) {
    held_.erase(it);
    freed_.notify_all();
  }
  return true;
}

uint64_t UserLockTable::ReleaseAll(uint32_t owner) {
  std::lock_guard lock(mu_);
  uint64_t released = 0;
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->second.owner == owner) {
      released += it->second.count;
      it = held_.erase(it);
    } else {
      ++it;
    }
  }
  if (released > 0) freed_.notify_all();
  return released;
}

std::optional<uint32_t> UserLockTable::Owner(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = held_.find(name);
  if (it == held_.end()) return std::nullopt;
  return it->second.owner;
}

namespace {

constexpr size_t kMaxUserLockNameChars = 64;  // MySQL's limit

// The lock name of args[0], lower-cased: 3057 for NULL, '' or more than 64 characters.
Result<std::string> LockName(const std::vector<Value>& args) {
  std::optional<std::string> text = args.empty() ? std::nullopt : args[0].ToText();
  if (!text || text->empty() || functions::Utf8Chars(*text) > kMaxUserLockNameChars)  // ER_USER_LOCK_WRONG_NAME
    return Status::InvalidArgument(fmt::format("Incorrect user-level lock name '{}'.", text.value_or("NULL")))
        .WithMysql(3057, "42000");
  return ToLower(*text);
}

}  // namespace

Result<Value> Session::RunUserLock(UserLockOp op, const std::vector<Value>& args, const EvalContext& ctx) {
  UserLockTable& locks = engine_->user_locks();
  if (op == UserLockOp::kReleaseAll) return Value::Int(static_cast<int64_t>(locks.ReleaseAll(connection_id_)));
  STRATA_ASSIGN_OR_RETURN(std::string name, LockName(args));
  switch (op) {
    case UserLockOp::kGet: {
      // A negative timeout waits for ever (bounded here by KILL QUERY and shutdown).
      double seconds = args.size() > 1 && !args[1].is_null() ? args[1].ToDouble() : 0;
      auto timeout = seconds < 0 ? std::chrono::milliseconds(int64_t{1000000000000})  // ~31 years
                                 : std::chrono::milliseconds(static_cast<int64_t>(std::min(seconds, 1e9) * 1000));
      STRATA_ASSIGN_OR_RETURN(bool got, locks.Acquire(name, connection_id_, timeout,
                                                      [&ctx] { return CheckInterrupted(ctx); }));
      return Value::Int(got ? 1 : 0);
    }
    case UserLockOp::kRelease: {
      std::optional<bool> released = locks.Release(name, connection_id_);
      return released ? Value::Int(*released ? 1 : 0) : Value::Null();
    }
    case UserLockOp::kIsFree: return Value::Int(locks.Owner(name) ? 0 : 1);
    case UserLockOp::kIsUsed: {
      std::optional<uint32_t> owner = locks.Owner(name);
      return owner ? Value::Uint(*owner) : Value::Null();
    }
    case UserLockOp::kReleaseAll: break;
  }
  return Status::Internal("unknown user-level lock function");
}

}  // namespace strata::sql
