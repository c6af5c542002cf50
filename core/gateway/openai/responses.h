// Renders OpenAI response bodies and stream events from a generation's result.
// Pure functions over values; the shapes follow OpenAI's API reference for completions,
// chat completions and their streaming chunks.
#pragma once

#include "gateway/openai/backend.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace lmfront::gateway::openai {

struct Generated {
  std::string text;
  FinishReason finish = FinishReason::Stop;
  Usage usage;

  // Compact encoding for the response cache ("<finish> <prompt> <completion>\n<text>").
  std::string encode() const;
  static Result<Generated> decode(std::string_view bytes);
};

struct ResponseMeta {
  std::string id;  // "cmpl-…" / "chatcmpl-…"
  std::int64_t created = 0;
  std::string model;
  bool chat = false;
};

ResponseMeta newResponseMeta(const std::string &model, bool chat);
// The varying part of a fresh response id (after "cmpl-" / "chatcmpl-"): up to 16 hex digits
// written to `out`; returns how many. Unique per process, not a secret.
std::size_t newResponseIdDigits(char (&out)[16]);
// Unix seconds now, for a response's `created`.
std::int64_t unixSecondsNow();

std::string completionBody(const ResponseMeta &meta, const Generated &g);
// One SSE event ("data: {...}\n\n") carrying a piece of text.
std::string streamTokenEvent(const ResponseMeta &meta, std::string_view text);
// Chat streams open with a delta carrying the role.
std::string streamRoleEvent(const ResponseMeta &meta);
std::string streamFinishEvent(const ResponseMeta &meta, FinishReason reason);
std::string streamUsageEvent(const ResponseMeta &meta, const Usage &usage);
inline constexpr std::string_view kStreamDone = "data: [DONE]\n\n";

std::string scoreBody(const std::string &model, const ScoreResult &result);

}  // namespace lmfront::gateway::openai
