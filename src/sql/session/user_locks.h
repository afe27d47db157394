// sql::UserLockTable — MySQL's user-level locks (GET_LOCK, RELEASE_LOCK, IS_FREE_LOCK,
// IS_USED_LOCK, RELEASE_ALL_LOCKS), which migration tools (Prisma Migrate, Flyway, Rails,
// Django's lock helpers) use to keep two runs apart.
//
// A lock is a name (case-insensitive, 1..64 characters) held exclusively by one session —
// its connection id — and re-entrant: a session that takes it n times holds it until it
// releases it n times, or until the session ends (Session's destructor and
// COM_RESET_CONNECTION release all of its locks).
//
// Scope: node-local. The table lives in the node's SqlEngine, so two sessions on the same
// node exclude each other, but sessions on different nodes of a cluster do not (MySQL's
// locks are per server too; clients that run migrations against a cluster must send them
// to one node).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"

namespace strata::sql {

class UserLockTable {
 public:
  // Takes `name` for `owner`, waiting until it is free or `timeout` passes (then false).
  // `check` is called about every 50 ms while waiting; its error (KILL QUERY, shutdown) ends
  // the wait and is returned.
  Result<bool> Acquire(const std::string& name, uint32_t owner, std::chrono::milliseconds timeout,
                       const std::function<Status()>& check);
  // true: released once by its owner; false: held by another session; nullopt: not held.
  std::optional<bool> Release(const std::string& name, uint32_t owner);
  // Releases every lock of `owner`; returns how many holds that was (re-entries count).
  uint64_t ReleaseAll(uint32_t owner);
  // The connection id holding `name`, if any.
  std::optional<uint32_t> Owner(const std::string& name) const;

 private:
  struct Held {
    uint32_t owner;
    uint64_t count;
  };
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::map<std::string, Held> held_;  // lower-case name → its holder
};

}  // namespace strata::sql
