// Decoding of OpenAI-style request bodies into plain values, with validation.
//
// Contract: parse*() never throw and never trust the body: a wrong type, a value out of range or
// a missing field is an ApiError (HTTP 400) naming the offending `param`, as OpenAI does.
// Unknown fields are ignored (SDKs send fields lmfront has no use for, e.g. `logit_bias`), but
// fields that would change the output and that lmfront cannot honour (n > 1, batch prompts) are
// rejected rather than silently dropped.
#pragma once

#include "gateway/http/apierror.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace lmfront::gateway::openai {

struct SamplingParams {
  int maxTokens = 16;  // OpenAI's default for completions; chat defaults to kChatDefaultMaxTokens
  double temperature = 1.0;
  double topP = 1.0;
  int topK = 0;  // 0 = off (lmfront extension)
  std::optional<std::uint64_t> seed;
  std::vector<std::string> stop;  // at most 4, as OpenAI

  // Deterministic requests may be cached: greedy (temperature 0) or seeded.
  bool deterministic() const { return temperature == 0.0 || seed.has_value(); }
};

inline constexpr int kChatDefaultMaxTokens = 256;
inline constexpr int kMaxTokensLimit = 4096;

struct ChatMessage {
  std::string role;
  std::string content;
};

struct CompletionRequest {
  bool chat = false;
  std::string model;
  std::string prompt;                 // completions: the prompt; chat: the messages joined
  std::vector<ChatMessage> messages;  // chat only
  SamplingParams params;
  bool stream = false;
  bool includeUsage = false;  // stream_options.include_usage
  std::string user;
};

struct ScoreRequest {
  std::string model;
  std::string text;
};

std::variant<CompletionRequest, ApiError> parseCompletionRequest(std::string_view body, bool chat);
std::variant<ScoreRequest, ApiError> parseScoreRequest(std::string_view body);

}  // namespace lmfront::gateway::openai
