// Renders OpenAI response bodies and stream events from a generation's result.
// Pure functions over values; the shapes follow OpenAI's API reference for completions,
// chat completions and their streaming chunks.
#pragma once

#include "gateway/openai/backend.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
  std::string id;  // "cmpl-…" / "chatcmpl-…" / "resp_…"
  std::int64_t created = 0;
  std::string model;
  bool chat = false;
  // The Responses API echoes these in its response object.
  std::string instructions;
  int maxOutputTokens = 0;
};

ResponseMeta newResponseMeta(const std::string &model, bool chat);
ResponseMeta newResponseMeta(const std::string &model, ApiKind api);

// One choice of a rich answer (CompletionRequest::rich()): its text, and per token its
// log-probabilities and its offset in the text (characters, as OpenAI's text_offset).
struct ChoiceOutput {
  std::string text;
  FinishReason finish = FinishReason::Stop;
  std::vector<TokenLogprob> logprobs;
  std::vector<std::int64_t> offsets;
  std::int64_t characters = 0;  // length of text in characters (code points)
};
// Counts the characters (UTF-8 code points) of `text`.
std::int64_t characterCount(std::string_view text);

// The whole answer with every choice; `logprobs` says whether they were asked for.
std::string richCompletionBody(const ResponseMeta &meta, const std::vector<ChoiceOutput> &choices, const Usage &usage,
                               bool logprobs);
// A streamed piece of choice `index`, with its log-probabilities (null when not asked for) at
// character `offset` of that choice's text.
std::string choiceTokenEvent(const ResponseMeta &meta, int index, std::string_view text, const TokenLogprob *logprob,
                             std::int64_t offset);
std::string choiceRoleEvent(const ResponseMeta &meta, int index);
std::string choiceFinishEvent(const ResponseMeta &meta, int index, FinishReason reason);
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

// The Responses API (responsesapi.cpp). The body of a finished response, and its stream's typed
// events ("event: <type>\ndata: {…}\n\n", each with its sequence_number).
std::string responsesBody(const ResponseMeta &meta, std::string_view text, FinishReason finish, const Usage &usage);
std::string responsesCreatedEvents(const ResponseMeta &meta, int &sequence);  // created, in_progress, item/part added
std::string responsesDeltaEvent(const ResponseMeta &meta, std::string_view text, int &sequence);
// text done, part done, item done, completed (or incomplete when max_output_tokens cut it).
std::string responsesDoneEvents(const ResponseMeta &meta, std::string_view text, FinishReason finish,
                                const Usage &usage, int &sequence);

std::string scoreBody(const std::string &model, const ScoreResult &result);

}  // namespace lmfront::gateway::openai
