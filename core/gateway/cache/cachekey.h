// CacheKey: the identity of a deterministic generation, for the response cache.
//
// Contract:
// - Only deterministic requests are cached: isCacheable(params) says whether the parameters make
//   the output a pure function of the request (temperature 0, a seed given, or top_k 1).
// - makeCacheKey() is sha256 over a canonical, length-prefixed encoding of: model name, resolved
//   model version (the deployed artifact's sha256 — a new deployment changes every key, so an
//   old version's entries are never served), endpoint kind, prompt, chat messages, and EVERY
//   output-affecting parameter. Each field is encoded with its name and an explicit "absent"
//   marker, so "absent" and "set to the default" are different keys (a lost hit at worst, never a
//   wrong answer). Callers that resolve defaults before building the key get more hits.
// - Parameters that do not change the generated tokens (user, stream, stream_options, metadata)
//   are deliberately NOT in OutputParams: streaming replays a cached completion as events.
// Adding an output-affecting parameter is ONE line in LMFRONT_CACHE_OUTPUT_PARAMS below: it becomes
// a member of OutputParams and part of the key at once, so it cannot be forgotten in the hash.
// Pure functions; thread-safe.
#pragma once

#include "common/status.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmfront::gateway::cache {

using StopList = std::vector<std::string>;
using LogitBias = std::vector<std::pair<std::string, double>>;  // token → bias, encoded sorted by token

// X(type, member, wire name). The wire name is the OpenAI request field it comes from.
// Chat's boolean `logprobs` maps to logprobs = 1 (true) / 0 (false); completions' integer as is.
#define LMFRONT_CACHE_OUTPUT_PARAMS(X)                              \
  X(std::optional<std::int64_t>, maxTokens, "max_tokens")           \
  X(std::optional<double>, temperature, "temperature")              \
  X(std::optional<double>, topP, "top_p")                           \
  X(std::optional<std::int64_t>, topK, "top_k")                     \
  X(std::optional<double>, minP, "min_p")                           \
  X(std::optional<std::int64_t>, seed, "seed")                      \
  X(StopList, stop, "stop")                                         \
  X(std::optional<std::int64_t>, n, "n")                            \
  X(std::optional<std::int64_t>, bestOf, "best_of")                 \
  X(std::optional<std::int64_t>, logprobs, "logprobs")              \
  X(std::optional<std::int64_t>, topLogprobs, "top_logprobs")       \
  X(std::optional<bool>, echo, "echo")                              \
  X(std::optional<std::string>, suffix, "suffix")                   \
  X(std::optional<double>, presencePenalty, "presence_penalty")     \
  X(std::optional<double>, frequencyPenalty, "frequency_penalty")   \
  X(std::optional<double>, repetitionPenalty, "repetition_penalty") \
  X(LogitBias, logitBias, "logit_bias")                             \
  X(std::optional<std::int64_t>, minTokens, "min_tokens")           \
  X(std::optional<bool>, ignoreEos, "ignore_eos")                   \
  X(std::optional<std::string>, responseFormat, "response_format")

struct OutputParams {
#define LMFRONT_CACHE_DECLARE_PARAM(type, member, wire) type member{};
  LMFRONT_CACHE_OUTPUT_PARAMS(LMFRONT_CACHE_DECLARE_PARAM)
#undef LMFRONT_CACHE_DECLARE_PARAM
};

// PassThrough: another /v1/* route relayed to URL backends (prompt = its path and body as sent).
enum class EndpointKind : std::uint8_t { Completions = 1, ChatCompletions = 2, Score = 3, PassThrough = 4 };

struct ChatMessage {
  std::string role;
  std::string content;
  std::string name;  // optional participant name; "" when absent
};

struct CacheRequest {
  std::string model;         // the name the client asked for (after alias resolution)
  std::string modelVersion;  // resolved version: the deployed artifact's sha256
  EndpointKind endpoint = EndpointKind::Completions;
  std::string prompt;                 // completions, score
  std::vector<ChatMessage> messages;  // chat completions
  OutputParams params;
};

struct CacheKey {
  std::array<std::uint8_t, 32> bytes{};

  std::string hex() const;  // 64 lowercase hex digits (the Redis key suffix)
  // Fixed-size memcmp: inlined to a few wide compares (the defaulted == calls libc memcmp).
  friend bool operator==(const CacheKey &a, const CacheKey &b) {
    return std::memcmp(a.bytes.data(), b.bytes.data(), sizeof a.bytes) == 0;
  }
};

struct CacheKeyHash {
  std::size_t operator()(const CacheKey &k) const noexcept {
    std::size_t h;  // sha256 output is uniform: any 8 bytes are a good hash
    static_assert(sizeof h <= 8);
    std::memcpy(&h, k.bytes.data(), sizeof h);
    return h;
  }
};

// Deterministic requests only: temperature == 0, a seed given, or top_k == 1 (greedy).
bool isCacheable(const OutputParams &params);

// Fails (Internal) only if libcrypto cannot hash: the caller then serves the request uncached.
Result<CacheKey> makeCacheKey(const CacheRequest &request);

// The bytes that are hashed (exposed for tests and debugging).
std::string canonicalEncoding(const CacheRequest &request);

}  // namespace lmfront::gateway::cache
