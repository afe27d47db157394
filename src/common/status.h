// Status and Result<T>: errors as values (DESIGN D11).
//
// A Status is either OK or carries a code, a message and, for errors that reach a MySQL
// client, the MySQL error number and SQLSTATE that MySQL itself would send. OK is a null
// pointer, so passing success around costs one word and no allocation.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/check.h"

namespace strata {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong (bad SQL, bad flag, bad packet)
  kNotFound,          // a key, file or object does not exist
  kAlreadyExists,     // create of something that exists
  kCorruption,        // checksum or format check failed: never serve the data
  kIOError,           // the OS refused (EIO, EACCES, ...)
  kNoSpace,           // ENOSPC / EDQUOT: the disk is full
  kBusy,              // a lock or a resource is held by someone else
  kAborted,           // transaction conflict; the client may retry
  kTimedOut,          // a deadline passed
  kUnavailable,       // not leader / not serving yet / shutting down
  kResourceExhausted, // a configured limit was hit (packet size, queue length, memory)
  kNotSupported,      // valid request the system does not implement
  kInternal,          // a bug: an invariant did not hold
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status NoSpace(std::string msg) { return {StatusCode::kNoSpace, std::move(msg)}; }
  static Status Busy(std::string msg) { return {StatusCode::kBusy, std::move(msg)}; }
  static Status Aborted(std::string msg) { return {StatusCode::kAborted, std::move(msg)}; }
  static Status TimedOut(std::string msg) { return {StatusCode::kTimedOut, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) { return {StatusCode::kResourceExhausted, std::move(msg)}; }
  static Status NotSupported(std::string msg) { return {StatusCode::kNotSupported, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  // Maps an errno value from a failed system call to a Status, naming the operation.
  static Status FromErrno(int err, std::string_view context);

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : ""; }

  // MySQL error number and SQLSTATE, when attached (0 / empty otherwise).
  uint16_t mysql_errno() const { return rep_ ? rep_->mysql_errno : 0; }
  std::string_view sqlstate() const { return rep_ ? std::string_view(rep_->sqlstate) : ""; }

  // Attaches a MySQL error number and 5-character SQLSTATE. REQUIRES: !ok().
  Status&& WithMysql(uint16_t mysql_errno, std::string_view sqlstate) &&;

  // Prefixes the message with context ("opening MANIFEST: ...").
  Status&& Annotate(std::string_view context) &&;

  // "IOError: open /x: No such file or directory" (plus " [mysql 1064 42000]").
  std::string ToString() const;

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

 private:
  struct Rep {
    StatusCode code;
    uint16_t mysql_errno = 0;
    std::string sqlstate;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;
};

// Result<T>: a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    STRATA_CHECK_MSG(!std::get<Status>(v_).ok(), "Result built from an OK status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  Status take_status() && { return ok() ? Status() : std::move(std::get<Status>(v_)); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace strata

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define STRATA_RETURN_IF_ERROR(expr)            \
  do {                                          \
    ::strata::Status strata_status_ = (expr);   \
    if (!strata_status_.ok()) return strata_status_; \
  } while (0)

#define STRATA_CONCAT_INNER(a, b) a##b
#define STRATA_CONCAT(a, b) STRATA_CONCAT_INNER(a, b)

// STRATA_ASSIGN_OR_RETURN(auto x, Fn()): binds the value or returns the error.
#define STRATA_ASSIGN_OR_RETURN(lhs, expr)                                  \
  auto STRATA_CONCAT(strata_result_, __LINE__) = (expr);                   \
  if (!STRATA_CONCAT(strata_result_, __LINE__).ok())                       \
    return std::move(STRATA_CONCAT(strata_result_, __LINE__)).take_status(); \
  lhs = std::move(STRATA_CONCAT(strata_result_, __LINE__)).value()
