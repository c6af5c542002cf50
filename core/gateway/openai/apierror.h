// ApiError: the one place that turns a Status into an HTTP status and OpenAI's error body
// {"error":{"message","type","param","code"}}. Every route of the gateway answers errors
// through here, so clients see one shape and one mapping.
#pragma once

#include "common/status.h"
#include "gateway/http/httptypes.h"

#include <string>

namespace lmfront::gateway::openai {

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
std::string errorBody(const ApiError &error);
HttpResponse toResponse(const ApiError &error);
// An SSE event carrying the error, for failures after a stream has begun.
std::string errorEvent(const ApiError &error);

}  // namespace lmfront::gateway::openai
