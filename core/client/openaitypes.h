// The client side of a node's OpenAI-compatible API (docs/http-api.md) as values and pure
// functions: request bodies built from parameters, and responses (model list, stream events,
// score, OpenAI error bodies) parsed into structs. No I/O here; CompletionClient does the HTTP.
//
// Contract: parsers never trust the network. Anything malformed yields an ApiError of kind
// BadResponse saying what was wrong; nothing asserts or throws. Texts are English detail for
// logs and tooltips; views translate by ApiErrorKind and show `message` as the node's own words.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <optional>

namespace lmfront::client {

enum class ApiErrorKind {
  None,
  Unreachable,  // no HTTP answer: refused, host not found, connection reset, ...
  Timeout,      // no bytes for longer than the timeout
  Api,          // the node answered with an OpenAI error body (message is the node's)
  BadResponse,  // an answer that is not what the API promises
  Cancelled,    // the caller stopped it
};

struct ApiError {
  ApiErrorKind kind = ApiErrorKind::None;
  int httpStatus = 0;  // 0 when there was no HTTP answer
  QString message;     // error.message from the node, or what went wrong
  QString code;        // error.code ("model_not_found", ...) when the node sent one
  bool ok() const { return kind == ApiErrorKind::None; }
};

// The x-lmfront-* headers every gateway response carries.
struct ResponseMeta {
  int httpStatus = 0;
  QString backend;         // "engine:english", "http://host:port", "cache"
  QString cache;           // hit | miss | coalesced | bypass
  double overheadMs = -1;  // -1 when the header was absent or malformed
};

struct ApiModel {
  QString id;
  QString description;
  QString version;
  int backends = 0;
  friend bool operator==(const ApiModel &, const ApiModel &) = default;
};

struct ModelList {
  QList<ApiModel> models;
  ApiError error;
};

struct GenerationParams {
  QString model;
  QString prompt;
  bool chat = false;  // /v1/chat/completions with one user message instead of /v1/completions
  int maxTokens = 64;
  double temperature = 1.0;
  int topK = 0;  // 0 = off
  double topP = 1.0;
  std::optional<qint64> seed;  // none: the node picks one (not cacheable)
  QStringList stop;            // up to 4
  // Further sampling fields (presence_penalty, min_p, ignore_eos, ...) by API name, with the JSON
  // value to send: the caller (the Playground's form, from engine::samplingParams()) leaves out
  // what is at its default, so they are inserted as given.
  QJsonObject sampling;
  // Log-probabilities of each generated token with this many alternatives (0-5; chat takes up to
  // 20): completions send "logprobs": N, chat "logprobs": true and "top_logprobs": N. None: off.
  std::optional<int> logprobs;
};

// A token the model could have drawn instead of a generated one.
struct TokenAlternative {
  QString token;
  double log10Prob = 0;
  friend bool operator==(const TokenAlternative &, const TokenAlternative &) = default;
};

// A token with its probability: from /v1/score, or a generated token's log-probability (the API's
// natural log converted to log10, so one colour scale serves both).
struct ScoredToken {
  QString token;
  double log10Prob = 0;
  int ngram = 0;  // length of the matched n-gram, 0 for an OOV word, -1 when unknown (generated)
  bool oov = false;
  QList<TokenAlternative> alternatives;  // a generated token's top_logprobs, most likely first
};

// What one streamed event said.
struct StreamChunk {
  QString text;                 // the piece of text (choices[0].text or choices[0].delta.content)
  QString finishReason;         // set on the last choice event
  QList<ScoredToken> logprobs;  // choices[0].logprobs of either shape, when the request asked
  int promptTokens = -1;
  int completionTokens = -1;  // from the usage event (stream_options.include_usage)
  bool done = false;          // "data: [DONE]"
  ApiError error;             // an error event, or a malformed one
};

struct GenerationStats {
  int tokens = 0;             // text events received
  int promptTokens = -1;      // from usage, -1 when unknown
  int completionTokens = -1;  // from usage, -1 when unknown
  double ttftMs = -1;         // request sent -> first text, -1 before it
  double totalMs = 0;         // request sent -> end (or now while running)
  double streamMs = 0;        // first text -> last text
  QString finishReason;       // "stop", "length"; empty while running or when cut
  // Tokens per second while streaming: (tokens - 1) / (first -> last), the decode rate without
  // the time to first token. With one token, or when all arrived within kMinStreamMs (one network
  // read), tokens / total time instead. 0 when nothing came.
  static constexpr double kMinStreamMs = 1.0;
  double tokensPerSecond() const;
};

struct GenerationResult {
  ResponseMeta meta;
  GenerationStats stats;
  ApiError error;
};

struct ScoreResult {
  ResponseMeta meta;
  QString model;
  QList<ScoredToken> tokens;  // includes the closing </s>
  double log10Prob = 0;
  double perplexity = 0;
  int oov = 0;
  int tokenCount = 0;
  ApiError error;
};

QByteArray completionRequestBody(const GenerationParams &params, bool stream);
QByteArray scoreRequestBody(const QString &model, const QString &text);

// An OpenAI error body ({"error":{"message",...}}) or, failing that, a generic HTTP error.
ApiError parseErrorBody(int httpStatus, const QByteArray &body);
ModelList parseModelList(int httpStatus, const QByteArray &body);
ScoreResult parseScore(int httpStatus, const QByteArray &body);
// One SSE event's data ("[DONE]" or a completion / chat chunk / error JSON). A choice's
// "logprobs" is read in the completion shape (tokens, token_logprobs, top_logprobs) or the chat
// shape (content[] of token, logprob, top_logprobs[]); anything else there is a BadResponse.
StreamChunk parseStreamData(const QByteArray &data);
// A whole non-streamed completion or chat completion body, as one chunk.
StreamChunk parseCompletionBody(const QByteArray &body);

}  // namespace lmfront::client

Q_DECLARE_METATYPE(lmfront::client::ResponseMeta)
Q_DECLARE_METATYPE(lmfront::client::ModelList)
Q_DECLARE_METATYPE(lmfront::client::GenerationStats)
Q_DECLARE_METATYPE(lmfront::client::GenerationResult)
Q_DECLARE_METATYPE(lmfront::client::ScoreResult)
Q_DECLARE_METATYPE(lmfront::client::ScoredToken)
