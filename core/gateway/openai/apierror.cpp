#include "gateway/openai/apierror.h"

#include "gateway/openai/jsonwriter.h"

namespace lmfront::gateway::openai {

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

std::string errorBody(const ApiError &error) {
  JsonWriter w;
  w.beginObject().key("error").beginObject();
  w.key("message").string(error.message).key("type").string(error.type).key("param");
  if (error.param.empty())
    w.null();
  else
    w.string(error.param);
  w.key("code");
  if (error.code.empty())
    w.null();
  else
    w.string(error.code);
  w.endObject().endObject();
  return w.take();
}

HttpResponse toResponse(const ApiError &error) {
  HttpResponse r = HttpResponse::json(error.httpStatus, errorBody(error));
  if (error.retryAfterSeconds > 0) r.headers.emplace_back("Retry-After", std::to_string(error.retryAfterSeconds));
  return r;
}

std::string errorEvent(const ApiError &error) { return "data: " + errorBody(error) + "\n\n"; }

}  // namespace lmfront::gateway::openai
