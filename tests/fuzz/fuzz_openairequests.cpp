// libFuzzer target for the OpenAI request decoders: arbitrary bytes as the body of
// /v1/completions, /v1/chat/completions and /v1/score. The decoders must answer every input with
// a request or an ApiError (400 with a message) — never crash, hang or accept a value out of range.
#include "gateway/openai/requests.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

using namespace lmfront::gateway::openai;
using lmfront::gateway::ApiError;

namespace {
void check(bool ok) {
  if (!ok) __builtin_trap();
}

void checkCompletion(std::string_view body, bool chat) {
  auto parsed = parseCompletionRequest(body, chat);
  if (auto *error = std::get_if<ApiError>(&parsed)) {
    check(error->httpStatus == 400 && !error->message.empty());
    return;
  }
  const auto &r = std::get<CompletionRequest>(parsed);
  check(!r.model.empty());
  check(r.params.maxTokens >= 1 && r.params.maxTokens <= kMaxTokensLimit);
  check(r.params.temperature >= 0.0 && r.params.temperature <= 2.0);
  check(r.params.topP > 0.0 && r.params.topP <= 1.0);
  check(r.params.topK >= 0 && r.params.stop.size() <= 4);
  check(!chat || !r.messages.empty());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char *>(data), size);
  checkCompletion(body, false);
  checkCompletion(body, true);
  auto score = parseScoreRequest(body);
  if (auto *error = std::get_if<ApiError>(&score)) check(error->httpStatus == 400);
  return 0;
}
