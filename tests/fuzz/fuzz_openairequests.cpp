// libFuzzer target for the OpenAI request decoders: arbitrary bytes as the body of
// /v1/completions, /v1/chat/completions, /v1/responses, a pass-through route and /v1/score. The decoders must answer
// every input with a request or an ApiError (400 with a message) — never crash, hang or accept a value out of range.
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

void checkRequest(std::variant<CompletionRequest, ApiError> parsed) {
  if (auto *error = std::get_if<ApiError>(&parsed)) {
    check(error->httpStatus == 400 && !error->message.empty());
    return;
  }
  const auto &r = std::get<CompletionRequest>(parsed);
  const bool chat = r.api == ApiKind::Chat || r.api == ApiKind::Responses;
  check(!r.model.empty());
  if (r.api == ApiKind::PassThrough) return;
  check(r.params.maxTokens >= (r.echo ? 0 : 1) && r.params.maxTokens <= kMaxTokensLimit);
  check(r.params.minP >= 0 && r.params.minP <= 1);
  check(r.params.presencePenalty >= -2 && r.params.presencePenalty <= 2);
  check(r.params.frequencyPenalty >= -2 && r.params.frequencyPenalty <= 2);
  check(r.params.repetitionPenalty > 0 && r.params.repetitionPenalty <= 10);
  check(r.params.minTokens >= 0 && r.params.minTokens <= r.params.maxTokens);
  for (const auto &[id, bias] : r.params.logitBias) check(bias >= -100 && bias <= 100);
  check(r.params.logitBias.size() <= 300);
  check(r.n >= 1 && r.n <= kMaxChoices && (r.bestOf == 0 || (r.bestOf >= r.n && r.bestOf <= kMaxChoices)));
  check(r.logprobs >= -1 &&
        r.logprobs <= (r.api == ApiKind::Completions ? kMaxCompletionLogprobs : kMaxChatTopLogprobs));
  check(r.batch.size() != 1 && r.batch.size() <= static_cast<std::size_t>(kMaxBatchPrompts));
  check(!(r.stream && (r.echo || r.bestOf > r.n)));
  for (const auto &[name, json] : r.passThrough) check(!name.empty() && !json.empty());
  check(r.params.temperature >= 0.0 && r.params.temperature <= 2.0);
  check(r.params.topP > 0.0 && r.params.topP <= 1.0);
  check(r.params.topK >= 0 && r.params.stop.size() <= 4);
  check(!chat || !r.messages.empty());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char *>(data), size);
  checkRequest(parseCompletionRequest(body, false));
  checkRequest(parseCompletionRequest(body, true));
  checkRequest(parseResponsesRequest(body));
  checkRequest(parsePassThroughRequest("/v1/embeddings", body));
  auto score = parseScoreRequest(body);
  if (auto *error = std::get_if<ApiError>(&score)) check(error->httpStatus == 400);
  return 0;
}
