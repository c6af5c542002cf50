// ApiError: the one renderer of OpenAI's error body
//   {"error":{"message":"…","type":"…","param":null|"…","code":"…"}}
// and the one mapping from a Status to an HTTP status and that body. It sits in the data plane so
// that every error lmfront generates has the same shape with a string `code`: the data plane's
// own answers (no route, wrong method, limits, timeouts, drain), the OpenAI API's, the node's.
// The codes are listed in docs/http-api.md.
#pragma once

#include "common/status.h"
#include "gateway/http/httptypes.h"

#include <string>

namespace lmfront::gateway {

struct ApiError {
  int httpStatus = 500;
  std::string message;
  std::string type;           // invalid_request_error, authentication_error, permission_error, rate_limit_error, ...
  std::string param;          // the request field at fault, or empty (null in JSON)
  std::string code;           // machine-readable: model_not_found, invalid_json, rate_limited, ...
  int retryAfterSeconds = 0;  // > 0 adds a Retry-After header
};

// Maps a Status code to HTTP and OpenAI's type; `code` defaults from the StatusCode.
ApiError fromStatus(const Status &status, std::string param = {}, std::string code = {});
// The data plane's own refusals by HTTP status (400, 404, 405, 408, 413, 431, 500, 503 while
// draining, ...): the type and code that status always carries.
ApiError httpError(int httpStatus, std::string message);
std::string errorBody(const ApiError &error);
HttpResponse toResponse(const ApiError &error);
// An SSE event carrying the error, for failures after a stream has begun.
std::string errorEvent(const ApiError &error);

}  // namespace lmfront::gateway
