#include "gateway/openai/requests.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>

namespace lmfront::gateway::openai {

namespace {

ApiError bad(std::string param, std::string message, std::string code = "invalid_request") {
  ApiError e = fromStatus(Status::invalidArgument(std::move(message)), std::move(param), std::move(code));
  return e;
}

std::optional<ApiError> parseObject(std::string_view body, QJsonObject &out) {
  if (body.empty()) return bad("", "request body is empty: send a JSON object", "invalid_json");
  QJsonParseError error{};
  const QJsonDocument doc =
      QJsonDocument::fromJson(QByteArray::fromRawData(body.data(), static_cast<qsizetype>(body.size())), &error);
  if (error.error != QJsonParseError::NoError)
    return bad("",
               "request body is not valid JSON: " + error.errorString().toStdString() + " at offset " +
                   std::to_string(error.offset),
               "invalid_json");
  if (!doc.isObject()) return bad("", "request body must be a JSON object", "invalid_json");
  out = doc.object();
  return std::nullopt;
}

std::optional<ApiError> requireString(const QJsonObject &o, const char *name, std::string &out) {
  const QJsonValue v = o.value(QLatin1String(name));
  if (v.isUndefined() || v.isNull()) return bad(name, std::string("'") + name + "' is required");
  if (!v.isString()) return bad(name, std::string("'") + name + "' must be a string");
  out = v.toString().toStdString();
  if (out.empty()) return bad(name, std::string("'") + name + "' must not be empty");
  return std::nullopt;
}

// A number field in [min, max]; absent or null keeps `out`.
std::optional<ApiError> optionalNumber(const QJsonObject &o, const char *name, double min, double max, double &out) {
  const QJsonValue v = o.value(QLatin1String(name));
  if (v.isUndefined() || v.isNull()) return std::nullopt;
  if (!v.isDouble()) return bad(name, std::string("'") + name + "' must be a number");
  const double d = v.toDouble();
  if (!std::isfinite(d) || d < min || d > max)
    return bad(name, std::string("'") + name + "' must be between " + std::to_string(min).substr(0, 4) + " and " +
                         std::to_string(max).substr(0, 4));
  out = d;
  return std::nullopt;
}

std::optional<ApiError> optionalInt(const QJsonObject &o, const char *name, std::int64_t min, std::int64_t max,
                                    std::int64_t &out) {
  const QJsonValue v = o.value(QLatin1String(name));
  if (v.isUndefined() || v.isNull()) return std::nullopt;
  const double d = v.toDouble();
  if (!v.isDouble() || d != std::floor(d) || d < static_cast<double>(min) || d > static_cast<double>(max))
    return bad(name, std::string("'") + name + "' must be an integer from " + std::to_string(min) + " to " +
                         std::to_string(max));
  out = static_cast<std::int64_t>(d);
  return std::nullopt;
}

std::optional<ApiError> parseSampling(const QJsonObject &o, bool chat, SamplingParams &p) {
  p.maxTokens = chat ? kChatDefaultMaxTokens : 16;
  std::int64_t maxTokens = p.maxTokens;
  const char *maxName = chat && o.contains(u"max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
  if (auto e = optionalInt(o, maxName, 1, kMaxTokensLimit, maxTokens)) return e;
  p.maxTokens = static_cast<int>(maxTokens);
  if (auto e = optionalNumber(o, "temperature", 0.0, 2.0, p.temperature)) return e;
  if (auto e = optionalNumber(o, "top_p", 0.0, 1.0, p.topP)) return e;
  if (p.topP == 0.0) return bad("top_p", "'top_p' must be greater than 0");
  std::int64_t topK = 0;
  if (auto e = optionalInt(o, "top_k", 0, 1'000'000, topK)) return e;
  p.topK = static_cast<int>(topK);
  const QJsonValue seed = o.value(u"seed");
  if (!seed.isUndefined() && !seed.isNull()) {
    std::int64_t s = 0;
    // JSON numbers are doubles in Qt: seeds beyond 2^53 would silently round, so refuse them.
    if (auto e = optionalInt(o, "seed", -(std::int64_t(1) << 53), std::int64_t(1) << 53, s)) return e;
    p.seed = static_cast<std::uint64_t>(s);
  }
  const QJsonValue stop = o.value(u"stop");
  if (stop.isString()) {
    if (!stop.toString().isEmpty()) p.stop.push_back(stop.toString().toStdString());
  } else if (stop.isArray()) {
    const QJsonArray a = stop.toArray();
    if (a.size() > 4) return bad("stop", "'stop' takes at most 4 sequences");
    for (const QJsonValue &s : a) {
      if (!s.isString()) return bad("stop", "'stop' must be a string or an array of strings");
      if (!s.toString().isEmpty()) p.stop.push_back(s.toString().toStdString());
    }
  } else if (!stop.isUndefined() && !stop.isNull()) {
    return bad("stop", "'stop' must be a string or an array of strings");
  }
  std::int64_t n = 1;
  if (auto e = optionalInt(o, "n", 1, 128, n)) return e;
  if (n != 1) return bad("n", "'n' other than 1 is not supported; send n requests", "unsupported_parameter");
  return std::nullopt;
}

std::optional<ApiError> parseMessages(const QJsonObject &o, CompletionRequest &r) {
  const QJsonValue v = o.value(u"messages");
  if (v.isUndefined() || v.isNull()) return bad("messages", "'messages' is required");
  if (!v.isArray() || v.toArray().isEmpty()) return bad("messages", "'messages' must be a non-empty array");
  const QJsonArray messages = v.toArray();
  for (qsizetype i = 0; i < messages.size(); ++i) {
    const std::string param = "messages[" + std::to_string(i) + "]";
    if (!messages[i].isObject()) return bad(param, "'" + param + "' must be an object with role and content");
    const QJsonObject m = messages[i].toObject();
    ChatMessage message;
    if (!m.value(u"role").isString()) return bad(param + ".role", "'" + param + ".role' must be a string");
    message.role = m.value(u"role").toString().toStdString();
    const QJsonValue content = m.value(u"content");
    if (content.isString()) {
      message.content = content.toString().toStdString();
    } else if (content.isArray()) {  // content parts: only text parts carry meaning for an n-gram model
      for (const QJsonValue &part : content.toArray()) {
        const QJsonObject p = part.toObject();
        if (p.value(u"type").toString() != u"text" || !p.value(u"text").isString())
          return bad(param + ".content", "only text content parts are supported", "unsupported_content");
        if (!message.content.empty()) message.content += ' ';
        message.content += p.value(u"text").toString().toStdString();
      }
    } else if (!content.isNull() && !content.isUndefined()) {
      return bad(param + ".content", "'" + param + ".content' must be a string or an array of parts");
    }
    r.messages.push_back(std::move(message));
  }
  // An n-gram model continues text: the context is the conversation's text, newest last.
  for (const auto &m : r.messages) {
    if (m.content.empty()) continue;
    if (!r.prompt.empty()) r.prompt += '\n';
    r.prompt += m.content;
  }
  return std::nullopt;
}

}  // namespace

std::variant<CompletionRequest, ApiError> parseCompletionRequest(std::string_view body, bool chat) {
  QJsonObject o;
  if (auto e = parseObject(body, o)) return *e;
  CompletionRequest r;
  r.chat = chat;
  if (auto e = requireString(o, "model", r.model)) return *e;
  if (chat) {
    if (auto e = parseMessages(o, r)) return *e;
  } else {
    const QJsonValue prompt = o.value(u"prompt");
    if (prompt.isString()) {
      r.prompt = prompt.toString().toStdString();
    } else if (prompt.isArray()) {
      const QJsonArray a = prompt.toArray();
      if (a.size() != 1 || !a[0].isString())
        return bad("prompt", "'prompt' as an array must hold exactly one string (batches are not supported)",
                   "unsupported_parameter");
      r.prompt = a[0].toString().toStdString();
    } else if (prompt.isUndefined() || prompt.isNull()) {
      r.prompt.clear();  // OpenAI's default prompt is <|endoftext|>: start of text
    } else {
      return bad("prompt", "'prompt' must be a string");
    }
  }
  if (auto e = parseSampling(o, chat, r.params)) return *e;
  const QJsonValue stream = o.value(u"stream");
  if (!stream.isUndefined() && !stream.isNull() && !stream.isBool()) return bad("stream", "'stream' must be a boolean");
  r.stream = stream.toBool(false);
  const QJsonValue options = o.value(u"stream_options");
  if (options.isObject())
    r.includeUsage = options.toObject().value(u"include_usage").toBool(false);
  else if (!options.isUndefined() && !options.isNull())
    return bad("stream_options", "'stream_options' must be an object");
  if (o.value(u"user").isString()) r.user = o.value(u"user").toString().toStdString();
  return r;
}

std::variant<ScoreRequest, ApiError> parseScoreRequest(std::string_view body) {
  QJsonObject o;
  if (auto e = parseObject(body, o)) return *e;
  ScoreRequest r;
  if (auto e = requireString(o, "model", r.model)) return *e;
  const QJsonValue text = o.value(u"text").isUndefined() ? o.value(u"input") : o.value(u"text");
  if (!text.isString()) return bad("text", "'text' is required and must be a string");
  r.text = text.toString().toStdString();
  return r;
}

}  // namespace lmfront::gateway::openai
