// Status and Result<T>: the one error vocabulary of lmfront's core.
//
// Contract: every fallible core function returns a Status (no value) or a Result<T>
// (a value or a non-ok Status). Core code never throws across a module boundary; code that
// calls a throwing library catches at that edge and converts. Messages are complete,
// user-facing sentences fragments ("line 12: expected 3 fields"), composed outward with
// withContext() ("model.arpa: line 12: expected 3 fields").
// Plain C++ (no Qt) so core/engine can use it. Status is a value type; thread-compatible.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace lmfront {

enum class StatusCode {
  Ok = 0,
  InvalidArgument,  // the caller's input is wrong (bad flag, malformed request, corrupt file)
  NotFound,         // a named thing does not exist
  AlreadyExists,
  PermissionDenied,    // authenticated but not allowed
  Unauthenticated,     // no or bad credentials
  ResourceExhausted,   // a limit was hit (rate, memory budget, disk full)
  FailedPrecondition,  // the system is not in a state to do this
  Unavailable,         // try again later (draining, backend down)
  DeadlineExceeded,
  DataLoss,  // stored data is corrupt (checksum mismatch, truncated file)
  IoError,   // the operating system refused (open, read, write, bind)
  Cancelled,
  Unimplemented,
  Internal,  // a bug in lmfront
};

std::string_view statusCodeName(StatusCode code);

class [[nodiscard]] Status {
public:
  Status() = default;
  Status(StatusCode code, std::string message) : m_code(code), m_message(std::move(message)) {}

  static Status ok() { return {}; }
  static Status invalidArgument(std::string m) { return {StatusCode::InvalidArgument, std::move(m)}; }
  static Status notFound(std::string m) { return {StatusCode::NotFound, std::move(m)}; }
  static Status alreadyExists(std::string m) { return {StatusCode::AlreadyExists, std::move(m)}; }
  static Status permissionDenied(std::string m) { return {StatusCode::PermissionDenied, std::move(m)}; }
  static Status unauthenticated(std::string m) { return {StatusCode::Unauthenticated, std::move(m)}; }
  static Status resourceExhausted(std::string m) { return {StatusCode::ResourceExhausted, std::move(m)}; }
  static Status failedPrecondition(std::string m) { return {StatusCode::FailedPrecondition, std::move(m)}; }
  static Status unavailable(std::string m) { return {StatusCode::Unavailable, std::move(m)}; }
  static Status deadlineExceeded(std::string m) { return {StatusCode::DeadlineExceeded, std::move(m)}; }
  static Status dataLoss(std::string m) { return {StatusCode::DataLoss, std::move(m)}; }
  static Status ioError(std::string m) { return {StatusCode::IoError, std::move(m)}; }
  static Status cancelled(std::string m) { return {StatusCode::Cancelled, std::move(m)}; }
  static Status unimplemented(std::string m) { return {StatusCode::Unimplemented, std::move(m)}; }
  static Status internal(std::string m) { return {StatusCode::Internal, std::move(m)}; }
  // An IoError whose message ends with strerror(errnum).
  static Status fromErrno(int errnum, std::string_view what);

  bool isOk() const { return m_code == StatusCode::Ok; }
  explicit operator bool() const { return isOk(); }
  StatusCode code() const { return m_code; }
  const std::string &message() const { return m_message; }
  // "InvalidArgument: line 3: ..." — for logs; users see message().
  std::string toString() const;
  // Prefixes the message with "context: "; ok stays ok.
  Status withContext(std::string_view context) const;

  friend bool operator==(const Status &a, const Status &b) {
    return a.m_code == b.m_code && a.m_message == b.m_message;
  }

private:
  StatusCode m_code = StatusCode::Ok;
  std::string m_message;
};

// A value or the reason there is none. Constructing from an ok Status is a bug.
template <typename T>
class [[nodiscard]] Result {
public:
  Result(T value) : m_value(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : m_status(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!m_status.isOk() && "Result constructed from an ok Status");
    if (m_status.isOk()) m_status = Status::internal("Result built from ok status without a value");
  }

  bool isOk() const { return m_value.has_value(); }
  explicit operator bool() const { return isOk(); }
  const Status &status() const { return m_status; }

  T &value() & {
    assert(isOk());
    return *m_value;
  }
  const T &value() const & {
    assert(isOk());
    return *m_value;
  }
  T &&value() && {
    assert(isOk());
    return std::move(*m_value);
  }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }

  T valueOr(T fallback) const & { return isOk() ? *m_value : std::move(fallback); }

private:
  std::optional<T> m_value;
  Status m_status;
};

}  // namespace lmfront

// Returns early from the enclosing function when expr yields a non-ok Status.
#define LMFRONT_RETURN_IF_ERROR(expr)                    \
  do {                                                   \
    ::lmfront::Status lmfront_status_ = (expr);          \
    if (!lmfront_status_.isOk()) return lmfront_status_; \
  } while (false)
