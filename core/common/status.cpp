#include "common/status.h"

#include <cstring>

namespace lmfront {

std::string_view statusCodeName(StatusCode code) {
  switch (code) {
  case StatusCode::Ok: return "Ok";
  case StatusCode::InvalidArgument: return "InvalidArgument";
  case StatusCode::NotFound: return "NotFound";
  case StatusCode::AlreadyExists: return "AlreadyExists";
  case StatusCode::PermissionDenied: return "PermissionDenied";
  case StatusCode::Unauthenticated: return "Unauthenticated";
  case StatusCode::ResourceExhausted: return "ResourceExhausted";
  case StatusCode::FailedPrecondition: return "FailedPrecondition";
  case StatusCode::Unavailable: return "Unavailable";
  case StatusCode::DeadlineExceeded: return "DeadlineExceeded";
  case StatusCode::DataLoss: return "DataLoss";
  case StatusCode::IoError: return "IoError";
  case StatusCode::Cancelled: return "Cancelled";
  case StatusCode::Unimplemented: return "Unimplemented";
  case StatusCode::Internal: return "Internal";
  }
  return "Unknown";
}

Status Status::fromErrno(int errnum, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += std::strerror(errnum);
  return {StatusCode::IoError, std::move(message)};
}

std::string Status::toString() const {
  if (isOk()) return "Ok";
  std::string s(statusCodeName(m_code));
  s += ": ";
  s += m_message;
  return s;
}

Status Status::withContext(std::string_view context) const {
  if (isOk()) return *this;
  std::string message(context);
  message += ": ";
  message += m_message;
  return {m_code, std::move(message)};
}

}  // namespace lmfront
