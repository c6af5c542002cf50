#include "gateway/http/apierror.h"

#include "common/jsonescape.h"

namespace lmfront::gateway {

ApiError fromStatus(const Status &status, std::string param, std::string code) {
  ApiError e;
  e.message = status.message();
  e.param = std::move(param);
  auto set = [&](int http, const char *type, const char *defaultCode) {
    e.httpStatus = http;
    e.type = type;
    e.code = code.empty() ? defaultCode : code;
  };
  switch (status.code()) {
  case StatusCode::Ok: set(200, "", ""); break;
  case StatusCode::InvalidArgument: set(400, "invalid_request_error", "invalid_request"); break;
  case StatusCode::NotFound: set(404, "invalid_request_error", "not_found"); break;
  case StatusCode::AlreadyExists: set(409, "invalid_request_error", "already_exists"); break;
  case StatusCode::Unauthenticated: set(401, "authentication_error", "invalid_api_key"); break;
  case StatusCode::PermissionDenied: set(403, "permission_error", "insufficient_role"); break;
  case StatusCode::ResourceExhausted: set(429, "rate_limit_error", "rate_limited"); break;
  case StatusCode::FailedPrecondition: set(409, "invalid_request_error", "failed_precondition"); break;
  case StatusCode::Unavailable: set(503, "server_error", "unavailable"); break;
  case StatusCode::DeadlineExceeded: set(504, "server_error", "timeout"); break;
  case StatusCode::Cancelled: set(499, "server_error", "cancelled"); break;
  case StatusCode::Unimplemented: set(501, "invalid_request_error", "unsupported"); break;
  case StatusCode::DataLoss:
  case StatusCode::IoError:
  case StatusCode::Internal: set(500, "server_error", "internal_error"); break;
  }
  return e;
}

ApiError httpError(int httpStatus, std::string message) {
  const char *type = httpStatus >= 500 ? "server_error" : "invalid_request_error";
  const char *code = httpStatus >= 500 ? "internal_error" : "invalid_request";
  switch (httpStatus) {
  case 404: code = "not_found"; break;
  case 405: code = "method_not_allowed"; break;
  case 408: code = "request_timeout"; break;
  case 413: code = "request_too_large"; break;
  case 431: code = "headers_too_large"; break;
  case 501: type = "invalid_request_error", code = "unsupported"; break;
  case 503: code = "shutting_down"; break;  // the data plane's only 503: it is draining
  default: break;
  }
  ApiError e;
  e.httpStatus = httpStatus;
  e.message = std::move(message);
  e.type = type;
  e.code = code;
  return e;
}

std::string errorBody(const ApiError &error) {
  std::string body;
  body.reserve(80 + error.message.size() + error.param.size());
  body += R"({"error":{"message":)";
  appendJsonString(body, error.message);
  body += R"(,"type":)";
  appendJsonString(body, error.type);
  body += R"(,"param":)";
  if (error.param.empty())
    body += "null";
  else
    appendJsonString(body, error.param);
  body += R"(,"code":)";
  if (error.code.empty())
    body += "null";
  else
    appendJsonString(body, error.code);
  body += "}}";
  return body;
}

HttpResponse toResponse(const ApiError &error) {
  HttpResponse r = HttpResponse::json(error.httpStatus, errorBody(error));
  if (error.retryAfterSeconds > 0) r.headers.emplace_back("Retry-After", std::to_string(error.retryAfterSeconds));
  return r;
}

std::string errorEvent(const ApiError &error) { return "data: " + errorBody(error) + "\n\n"; }

}  // namespace lmfront::gateway
