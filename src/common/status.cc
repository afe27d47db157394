#include "common/status.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace strata {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kNoSpace: return "NoSpace";
    case StatusCode::kBusy: return "Busy";
    case StatusCode::kAborted: return "Aborted";
    case StatusCode::kTimedOut: return "TimedOut";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kResourceExhausted: return "ResourceExhausted";
    case StatusCode::kNotSupported: return "NotSupported";
    case StatusCode::kInternal: return "Internal";
  }
  return "Unknown";
}

Status::Status(StatusCode code, std::string message) {
  if (code == StatusCode::kOk) return;
  rep_ = std::make_unique<Rep>();
  rep_->code = code;
  rep_->message = std::move(message);
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

Status Status::FromErrno(int err, std::string_view context) {
  std::string msg = fmt::format("{}: {}", context, std::strerror(err));
  switch (err) {
    case ENOSPC:
    case EDQUOT: return NoSpace(std::move(msg));
    case ENOENT: return NotFound(std::move(msg));
    case EEXIST: return AlreadyExists(std::move(msg));
    case EAGAIN:
    case EBUSY: return Busy(std::move(msg));
    case EINVAL: return InvalidArgument(std::move(msg));
    case ETIMEDOUT: return TimedOut(std::move(msg));
    default: return IOError(std::move(msg));
  }
}

Status&& Status::WithMysql(uint16_t mysql_errno, std::string_view sqlstate) && {
  STRATA_CHECK_MSG(rep_ != nullptr, "WithMysql on an OK status");
  STRATA_CHECK(sqlstate.size() == 5);
  rep_->mysql_errno = mysql_errno;
  rep_->sqlstate = std::string(sqlstate);
  return std::move(*this);
}

Status&& Status::Annotate(std::string_view context) && {
  if (rep_) rep_->message = fmt::format("{}: {}", context, rep_->message);
  return std::move(*this);
}

std::string Status::ToString() const {
  if (!rep_) return "OK";
  std::string out = fmt::format("{}: {}", StatusCodeName(rep_->code), rep_->message);
  if (rep_->mysql_errno != 0) out += fmt::format(" [mysql {} {}]", rep_->mysql_errno, rep_->sqlstate);
  return out;
}

}  // namespace strata
