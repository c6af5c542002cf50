#include "gateway/openai/requests.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
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

std::optional<ApiError> optionalBool(const QJsonObject &o, const char *name, bool &out) {
  const QJsonValue v = o.value(QLatin1String(name));
  if (v.isUndefined() || v.isNull()) return std::nullopt;
  if (!v.isBool()) return bad(name, std::string("'") + name + "' must be a boolean");
  out = v.toBool();
  return std::nullopt;
}

// The JSON text of a value, for pass-through.
std::string jsonText(const QJsonValue &v) {
  if (v.isObject()) return QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact).toStdString();
  if (v.isArray()) return QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact).toStdString();
  // Scalars: wrapped in an array to use the document writer, then unwrapped.
  const std::string wrapped = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact).toStdString();
  return wrapped.substr(1, wrapped.size() - 2);
}

std::optional<ApiError> parseLogitBias(const QJsonObject &o, SamplingParams &p) {
  const QJsonValue v = o.value(u"logit_bias");
  if (v.isUndefined() || v.isNull()) return std::nullopt;
  if (!v.isObject()) return bad("logit_bias", "'logit_bias' must be an object mapping token ids to biases");
  const QJsonObject map = v.toObject();
  if (map.size() > 300) return bad("logit_bias", "'logit_bias' takes at most 300 tokens");
  for (auto it = map.begin(); it != map.end(); ++it) {
    bool ok = false;
    const qulonglong id = it.key().toULongLong(&ok);
    if (!ok || id > 0xFFFFFFFFull)
      return bad("logit_bias", "'logit_bias' keys must be token ids (integers; `lmfront info --vocab` lists them)");
    const double bias = it.value().toDouble(HUGE_VAL);
    if (!it.value().isDouble() || !(bias >= -100 && bias <= 100))
      return bad("logit_bias", "'logit_bias' values must be numbers from -100 to 100");
    p.logitBias.emplace_back(static_cast<std::uint32_t>(id), bias);
  }
  std::sort(p.logitBias.begin(), p.logitBias.end());
  return std::nullopt;
}

std::optional<ApiError> parseSampling(const QJsonObject &o, const CompletionRequest &r, SamplingParams &p) {
  const bool chat = r.api != ApiKind::Completions;
  p.maxTokens = chat ? kChatDefaultMaxTokens : 16;
  std::int64_t maxTokens = p.maxTokens;
  const char *maxName = r.api == ApiKind::Responses                    ? "max_output_tokens"
                        : chat && o.contains(u"max_completion_tokens") ? "max_completion_tokens"
                                                                       : "max_tokens";
  // Only an echo may ask for no new token at all (the prompt's own log-probabilities).
  if (auto e = optionalInt(o, maxName, r.echo ? 0 : 1, kMaxTokensLimit, maxTokens)) return e;
  p.maxTokens = static_cast<int>(maxTokens);
  // An assistant answer is at least one word unless the client says otherwise.
  if (chat) p.minTokens = 1;
  for (const engine::SamplingParamSpec &spec : engine::samplingParams()) {
    const std::string name(spec.api);
    const QJsonValue v = o.value(QLatin1String(name.c_str()));
    if (v.isUndefined() || v.isNull()) continue;
    if (spec.type == engine::ParamType::Switch ? !v.isBool() : !v.isDouble())
      return bad(name, "'" + name + "' must be " + engine::describeRange(spec));
    const double value = spec.type == engine::ParamType::Switch ? (v.toBool() ? 1 : 0) : v.toDouble();
    if (Status st = engine::setSamplingParam(spec, value, p); !st.isOk()) return bad(name, st.message());
  }
  if (p.minTokens > p.maxTokens) p.minTokens = p.maxTokens;
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
  return parseLogitBias(o, p);
}

// n, best_of, logprobs / top_logprobs and echo.
std::optional<ApiError> parseChoices(const QJsonObject &o, CompletionRequest &r) {
  std::int64_t n = 1;
  if (r.api == ApiKind::Responses) return std::nullopt;
  if (auto e = optionalInt(o, "n", 1, kMaxChoices, n)) return e;
  r.n = static_cast<int>(n);
  if (r.api == ApiKind::Completions) {
    std::int64_t bestOf = 0, logprobs = -1;
    if (auto e = optionalInt(o, "best_of", 1, kMaxChoices, bestOf)) return e;
    if (bestOf != 0 && bestOf < n) return bad("best_of", "'best_of' must be at least 'n'");
    if (bestOf > n && r.stream) return bad("best_of", "'best_of' greater than 'n' cannot be streamed");
    r.bestOf = static_cast<int>(bestOf);
    if (auto e = optionalInt(o, "logprobs", 0, kMaxCompletionLogprobs, logprobs)) return e;
    r.logprobs = static_cast<int>(logprobs);
    if (auto e = optionalBool(o, "echo", r.echo)) return e;
    if (r.echo && r.stream) return bad("echo", "'echo' cannot be streamed");
  } else if (r.api == ApiKind::Chat) {
    bool logprobs = false;
    std::int64_t top = -1;
    if (auto e = optionalBool(o, "logprobs", logprobs)) return e;
    if (auto e = optionalInt(o, "top_logprobs", 0, kMaxChatTopLogprobs, top)) return e;
    if (top >= 0 && !logprobs) return bad("top_logprobs", "'top_logprobs' needs 'logprobs': true");
    r.logprobs = logprobs ? static_cast<int>(std::max<std::int64_t>(0, top)) : -1;
  }
  return std::nullopt;
}

// Fields each API decodes itself; the rest is passed through (or refused by engine models).
bool interpreted(ApiKind api, QStringView name) {
  static const char *const kCommon[] = {"model", "stream",     "stream_options", "seed",     "stop",  "temperature",
                                        "top_p", "logit_bias", "user",           "metadata", "store", "service_tier"};
  static const char *const kCompletions[] = {"prompt", "max_tokens", "n", "best_of", "logprobs", "echo"};
  static const char *const kChat[] = {"messages", "max_tokens", "max_completion_tokens",
                                      "n",        "logprobs",   "top_logprobs"};
  static const char *const kResponses[] = {"input", "instructions", "max_output_tokens"};
  auto in = [&](const auto &list) {
    for (const char *k : list)
      if (name == QLatin1String(k)) return true;
    return false;
  };
  if (in(kCommon)) return true;
  for (const engine::SamplingParamSpec &spec : engine::samplingParams())
    if (name == QLatin1String(spec.api.data(), static_cast<qsizetype>(spec.api.size()))) return true;
  switch (api) {
  case ApiKind::Completions: return in(kCompletions);
  case ApiKind::Chat: return in(kChat);
  case ApiKind::Responses: return in(kResponses);
  case ApiKind::PassThrough: return true;
  }
  return false;
}

std::optional<ApiError> collectPassThrough(const QJsonObject &o, CompletionRequest &r) {
  for (auto it = o.begin(); it != o.end(); ++it) {
    // No upstream has a field without a name; forwarding one only moves the client's bug further away.
    if (it.key().isEmpty()) return bad("", "a request field has an empty name");
    if (interpreted(r.api, it.key())) continue;
    // A response_format of plain text is what the node produces anyway.
    if (it.key() == u"response_format" && it.value().toObject().value(u"type").toString() == u"text") continue;
    r.passThrough.emplace_back(it.key().toStdString(), jsonText(it.value()));
  }
  return std::nullopt;
}

std::optional<ApiError> parseCommon(const QJsonObject &o, CompletionRequest &r) {
  const QJsonValue stream = o.value(u"stream");
  if (!stream.isUndefined() && !stream.isNull() && !stream.isBool()) return bad("stream", "'stream' must be a boolean");
  r.stream = stream.toBool(false);
  const QJsonValue options = o.value(u"stream_options");
  if (options.isObject())
    r.includeUsage = options.toObject().value(u"include_usage").toBool(false);
  else if (!options.isUndefined() && !options.isNull())
    return bad("stream_options", "'stream_options' must be an object");
  if (o.value(u"user").isString()) r.user = o.value(u"user").toString().toStdString();
  if (auto e = parseChoices(o, r)) return e;
  if (auto e = parseSampling(o, r, r.params)) return e;
  return collectPassThrough(o, r);
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
  r.api = chat ? ApiKind::Chat : ApiKind::Completions;
  if (auto e = requireString(o, "model", r.model)) return *e;
  if (chat) {
    if (auto e = parseMessages(o, r)) return *e;
  } else {
    const QJsonValue prompt = o.value(u"prompt");
    if (prompt.isString()) {
      r.prompt = prompt.toString().toStdString();
    } else if (prompt.isArray()) {
      const QJsonArray a = prompt.toArray();
      if (a.isEmpty() || a.size() > kMaxBatchPrompts)
        return bad("prompt", "'prompt' as an array must hold 1 to " + std::to_string(kMaxBatchPrompts) + " strings");
      for (const QJsonValue &v : a) {
        if (!v.isString())
          return bad("prompt", "'prompt' must be a string or an array of strings (token arrays are not supported)",
                     "unsupported_parameter");
        r.batch.push_back(v.toString().toStdString());
      }
      r.prompt = r.batch.front();
      if (r.batch.size() == 1) r.batch.clear();
    } else if (prompt.isUndefined() || prompt.isNull()) {
      r.prompt.clear();  // OpenAI's default prompt is <|endoftext|>: start of text
    } else {
      return bad("prompt", "'prompt' must be a string");
    }
  }
  if (auto e = parseCommon(o, r)) return *e;
  if (r.choices() * std::max(1, r.bestOf / r.n) > kMaxChoices * kMaxBatchPrompts)
    return bad("n", "too many choices in one request");
  return r;
}

std::variant<CompletionRequest, ApiError> parseResponsesRequest(std::string_view body) {
  QJsonObject o;
  if (auto e = parseObject(body, o)) return *e;
  CompletionRequest r;
  r.chat = true;
  r.api = ApiKind::Responses;
  if (auto e = requireString(o, "model", r.model)) return *e;
  const QJsonValue instructions = o.value(u"instructions");
  if (instructions.isString())
    r.instructions = instructions.toString().toStdString();
  else if (!instructions.isUndefined() && !instructions.isNull())
    return bad("instructions", "'instructions' must be a string");
  if (!r.instructions.empty()) r.messages.push_back({"system", r.instructions});
  const QJsonValue input = o.value(u"input");
  if (input.isString()) {
    r.messages.push_back({"user", input.toString().toStdString()});
  } else if (input.isArray()) {
    for (qsizetype i = 0; i < input.toArray().size(); ++i) {
      const QJsonObject m = input.toArray()[i].toObject();
      const std::string param = "input[" + std::to_string(i) + "]";
      ChatMessage message;
      message.role = m.value(u"role").toString(QStringLiteral("user")).toStdString();
      const QJsonValue content = m.value(u"content");
      if (content.isString()) {
        message.content = content.toString().toStdString();
      } else if (content.isArray()) {
        for (const QJsonValue &part : content.toArray()) {
          const QJsonObject p = part.toObject();
          const QString type = p.value(u"type").toString();
          if ((type != u"input_text" && type != u"output_text" && type != u"text") || !p.value(u"text").isString())
            return bad(param + ".content", "only text content parts are supported", "unsupported_content");
          if (!message.content.empty()) message.content += ' ';
          message.content += p.value(u"text").toString().toStdString();
        }
      } else {
        return bad(param, "'" + param + "' must be a message with text content", "unsupported_content");
      }
      r.messages.push_back(std::move(message));
    }
  } else {
    return bad("input", "'input' is required: a string or an array of messages");
  }
  for (const auto &m : r.messages) {
    if (m.content.empty()) continue;
    if (!r.prompt.empty()) r.prompt += '\n';
    r.prompt += m.content;
  }
  if (auto e = parseCommon(o, r)) return *e;
  return r;
}

std::variant<CompletionRequest, ApiError> parsePassThroughRequest(std::string_view path, std::string_view body) {
  QJsonObject o;
  if (auto e = parseObject(body, o)) return *e;
  CompletionRequest r;
  r.api = ApiKind::PassThrough;
  if (auto e = requireString(o, "model", r.model)) return *e;
  r.path = std::string(path);
  r.body = std::string(body);
  r.stream = o.value(u"stream").toBool(false);
  r.params.maxTokens = 0;
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
