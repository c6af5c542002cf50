// Decoding of OpenAI-style request bodies into plain values, with validation.
//
// Contract: parse*() never throw and never trust the body: a wrong type, a value out of range or
// a missing field is an ApiError (HTTP 400) naming the offending `param`, as OpenAI does.
// The sampling controls come from engine/samplingparams.h (the table `lmfront generate` takes its
// flags from). A field the node does not interpret is kept verbatim in `passThrough`: URL
// backends receive it unchanged, engine models refuse the request naming it (never silently
// ignored); fields that cannot change the output (`user`, `metadata`, `store`, `service_tier`)
// are the only ones dropped.
#pragma once

#include "engine/samplingparams.h"
#include "gateway/http/apierror.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace lmfront::gateway::openai {

struct SamplingParams : engine::SamplingKnobs {
  int maxTokens = 16;  // OpenAI's default for completions; chat defaults to kChatDefaultMaxTokens
  std::optional<std::uint64_t> seed;
  std::vector<std::string> stop;                            // at most 4, as OpenAI
  std::vector<std::pair<std::uint32_t, double>> logitBias;  // token id → bias in [-100, 100], by id

  // Deterministic requests may be cached: greedy (temperature 0) or seeded.
  bool deterministic() const { return temperature == 0.0 || seed.has_value(); }
};

inline constexpr int kChatDefaultMaxTokens = 256;
inline constexpr int kMaxTokensLimit = 4096;
inline constexpr int kMaxChoices = 16;       // n and best_of
inline constexpr int kMaxBatchPrompts = 64;  // prompts of one completions request
inline constexpr int kMaxCompletionLogprobs = 5;
inline constexpr int kMaxChatTopLogprobs = 20;

struct ChatMessage {
  std::string role;
  std::string content;
};

// PassThrough: any other POST /v1/* route (embeddings, …), relayed to URL backends as sent.
enum class ApiKind { Completions, Chat, Responses, PassThrough };

struct CompletionRequest {
  bool chat = false;  // chat completions or responses: the answer is an assistant message
  ApiKind api = ApiKind::Completions;
  std::string model;
  std::string prompt;                 // completions: the (first) prompt; chat: the messages joined
  std::vector<std::string> batch;     // completions with an array of several prompts: all of them
  std::vector<ChatMessage> messages;  // chat only
  SamplingParams params;
  bool stream = false;
  bool includeUsage = false;  // stream_options.include_usage
  std::string user;
  int n = 1;
  int bestOf = 0;     // completions' best_of (>= n); 0 = n
  int logprobs = -1;  // alternatives per token (completions' logprobs, chat's top_logprobs); -1 = off
  bool echo = false;  // completions: the prompt opens the text (with its logprobs when asked)
  // Fields the node does not interpret: name and JSON text, in the body's order.
  std::vector<std::pair<std::string, std::string>> passThrough;
  std::string instructions;        // responses: the system text before the input
  std::string path;                // pass-through: the route ("/v1/embeddings")
  std::string body;                // pass-through: the request's JSON as sent
  std::string authorization = {};  // the client's Authorization header, for pools that forward it (cluster routing)

  int prompts() const { return batch.empty() ? 1 : static_cast<int>(batch.size()); }
  // Choices in the answer: n per prompt, indexed prompt_i * n + j as OpenAI does.
  int choices() const { return prompts() * n; }
  // Anything beyond one plain text answer (several choices, log-probabilities, echo): such answers
  // are rendered choice by choice and are not cached.
  bool rich() const { return n > 1 || !batch.empty() || logprobs >= 0 || echo || bestOf > 1; }
};

struct ScoreRequest {
  std::string model;
  std::string text;
  std::string authorization = {};  // as CompletionRequest::authorization
};

std::variant<CompletionRequest, ApiError> parseCompletionRequest(std::string_view body, bool chat);
// POST /v1/responses: `input` (a string or messages with text), `instructions`,
// `max_output_tokens` and the sampling fields, as a chat request with api = Responses.
std::variant<CompletionRequest, ApiError> parseResponsesRequest(std::string_view body);
// Any other POST /v1/* route: a JSON object naming its `model`, relayed as sent.
std::variant<CompletionRequest, ApiError> parsePassThroughRequest(std::string_view path, std::string_view body);
std::variant<ScoreRequest, ApiError> parseScoreRequest(std::string_view body);

}  // namespace lmfront::gateway::openai
