#include "client/openaitypes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <cmath>

namespace lmfront::client {

namespace {

ApiError badResponse(int httpStatus, QString why) {
  return {ApiErrorKind::BadResponse, httpStatus, std::move(why), {}};
}

// Parses `body` as a JSON object; on failure says why in `error`.
bool jsonObject(const QByteArray &body, int httpStatus, QJsonObject &out, ApiError &error) {
  QJsonParseError perr;
  const QJsonDocument doc = QJsonDocument::fromJson(body, &perr);
  if (perr.error != QJsonParseError::NoError) {
    error =
        badResponse(httpStatus, QStringLiteral("bad JSON at offset %1: %2").arg(perr.offset).arg(perr.errorString()));
    return false;
  }
  if (!doc.isObject()) {
    error = badResponse(httpStatus, QStringLiteral("JSON is not an object"));
    return false;
  }
  out = doc.object();
  return true;
}

// {"error":{...}} inside an object (a body or a stream event); nullopt when there is none.
std::optional<ApiError> embeddedError(const QJsonObject &o, int httpStatus) {
  const QJsonValue e = o.value(QLatin1String("error"));
  if (e.isUndefined() || e.isNull()) return std::nullopt;
  ApiError err{ApiErrorKind::Api, httpStatus, {}, {}};
  if (e.isObject()) {
    const QJsonObject eo = e.toObject();
    err.message = eo.value(QLatin1String("message")).toString();
    err.code = eo.value(QLatin1String("code")).toString();
  } else if (e.isString()) {
    err.message = e.toString();
  }
  if (err.message.isEmpty()) err.message = QStringLiteral("the node reported an error without a message");
  return err;
}

int intOr(const QJsonValue &v, int fallback) { return v.isDouble() ? v.toInt(fallback) : fallback; }

}  // namespace

double GenerationStats::tokensPerSecond() const {
  if (tokens <= 0) return 0;
  // Under a millisecond the span says more about how the bytes were batched than about speed.
  if (tokens >= 2 && streamMs >= kMinStreamMs) return (tokens - 1) * 1000.0 / streamMs;
  return totalMs > 0 ? tokens * 1000.0 / totalMs : 0;
}

QByteArray completionRequestBody(const GenerationParams &p, bool stream) {
  QJsonObject o;
  o.insert(QLatin1String("model"), p.model);
  if (p.chat) {
    QJsonObject message;
    message.insert(QLatin1String("role"), QStringLiteral("user"));
    message.insert(QLatin1String("content"), p.prompt);
    o.insert(QLatin1String("messages"), QJsonArray{message});
  } else {
    o.insert(QLatin1String("prompt"), p.prompt);
  }
  o.insert(QLatin1String("max_tokens"), p.maxTokens);
  o.insert(QLatin1String("temperature"), p.temperature);
  o.insert(QLatin1String("top_p"), p.topP);
  if (p.topK > 0) o.insert(QLatin1String("top_k"), p.topK);
  if (p.seed) o.insert(QLatin1String("seed"), static_cast<double>(*p.seed));
  if (!p.stop.isEmpty()) o.insert(QLatin1String("stop"), QJsonArray::fromStringList(p.stop));
  if (stream) {
    o.insert(QLatin1String("stream"), true);
    o.insert(QLatin1String("stream_options"), QJsonObject{{QLatin1String("include_usage"), true}});
  }
  return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray scoreRequestBody(const QString &model, const QString &text) {
  return QJsonDocument(QJsonObject{{QLatin1String("model"), model}, {QLatin1String("text"), text}})
      .toJson(QJsonDocument::Compact);
}

ApiError parseErrorBody(int httpStatus, const QByteArray &body) {
  QJsonObject o;
  ApiError ignored;
  if (jsonObject(body, httpStatus, o, ignored))
    if (auto err = embeddedError(o, httpStatus)) return *err;
  // Not OpenAI-shaped (a proxy's HTML page, an empty body): the status is all there is.
  QString snippet = QString::fromUtf8(body.left(200)).simplified();
  return {ApiErrorKind::Api,
          httpStatus,
          snippet.isEmpty() ? QStringLiteral("HTTP %1").arg(httpStatus)
                            : QStringLiteral("HTTP %1: %2").arg(httpStatus).arg(snippet),
          {}};
}

ModelList parseModelList(int httpStatus, const QByteArray &body) {
  ModelList list;
  if (httpStatus != 200) {
    list.error = parseErrorBody(httpStatus, body);
    return list;
  }
  QJsonObject o;
  if (!jsonObject(body, httpStatus, o, list.error)) return list;
  const QJsonValue data = o.value(QLatin1String("data"));
  if (!data.isArray()) {
    list.error = badResponse(httpStatus, QStringLiteral("field \"data\" is missing or not an array"));
    return list;
  }
  for (const QJsonValue &v : data.toArray()) {
    const QJsonObject m = v.toObject();
    const QString id = m.value(QLatin1String("id")).toString();
    if (id.isEmpty()) {
      list.error = badResponse(httpStatus, QStringLiteral("a model without an \"id\""));
      list.models.clear();
      return list;
    }
    list.models.append({id, m.value(QLatin1String("description")).toString(),
                        m.value(QLatin1String("version")).toString(), intOr(m.value(QLatin1String("backends")), 0)});
  }
  return list;
}

ScoreResult parseScore(int httpStatus, const QByteArray &body) {
  ScoreResult r;
  if (httpStatus != 200) {
    r.error = parseErrorBody(httpStatus, body);
    return r;
  }
  QJsonObject o;
  if (!jsonObject(body, httpStatus, o, r.error)) return r;
  const QJsonValue tokens = o.value(QLatin1String("tokens"));
  if (!tokens.isArray()) {
    r.error = badResponse(httpStatus, QStringLiteral("field \"tokens\" is missing or not an array"));
    return r;
  }
  for (const QJsonValue &v : tokens.toArray()) {
    const QJsonObject t = v.toObject();
    const QJsonValue p = t.value(QLatin1String("log10_prob"));
    if (!t.value(QLatin1String("token")).isString() || !p.isDouble() || !std::isfinite(p.toDouble())) {
      r.error = badResponse(httpStatus, QStringLiteral("a token without \"token\" or a finite \"log10_prob\""));
      r.tokens.clear();
      return r;
    }
    r.tokens.append({t.value(QLatin1String("token")).toString(), p.toDouble(),
                     intOr(t.value(QLatin1String("ngram")), 0), t.value(QLatin1String("oov")).toBool()});
  }
  r.model = o.value(QLatin1String("model")).toString();
  r.log10Prob = o.value(QLatin1String("log10_prob")).toDouble();
  r.perplexity = o.value(QLatin1String("perplexity")).toDouble();
  r.oov = intOr(o.value(QLatin1String("oov")), 0);
  r.tokenCount = intOr(o.value(QLatin1String("token_count")), static_cast<int>(r.tokens.size()));
  return r;
}

namespace {

// The fields of one completion / chat completion (chunk) object.
StreamChunk chunkFromObject(const QJsonObject &o) {
  StreamChunk c;
  if (auto err = embeddedError(o, 200)) {
    c.error = *err;
    return c;
  }
  const QJsonArray choices = o.value(QLatin1String("choices")).toArray();
  if (!choices.isEmpty()) {
    const QJsonObject choice = choices.first().toObject();
    if (choice.contains(QLatin1String("text"))) {
      c.text = choice.value(QLatin1String("text")).toString();
    } else if (choice.value(QLatin1String("delta")).isObject()) {
      c.text = choice.value(QLatin1String("delta")).toObject().value(QLatin1String("content")).toString();
    } else if (choice.value(QLatin1String("message")).isObject()) {
      c.text = choice.value(QLatin1String("message")).toObject().value(QLatin1String("content")).toString();
    }
    c.finishReason = choice.value(QLatin1String("finish_reason")).toString();
  }
  const QJsonValue usage = o.value(QLatin1String("usage"));
  if (usage.isObject()) {
    c.promptTokens = intOr(usage.toObject().value(QLatin1String("prompt_tokens")), -1);
    c.completionTokens = intOr(usage.toObject().value(QLatin1String("completion_tokens")), -1);
  }
  return c;
}

}  // namespace

StreamChunk parseStreamData(const QByteArray &data) {
  if (data.trimmed() == "[DONE]") {
    StreamChunk c;
    c.done = true;
    return c;
  }
  StreamChunk c;
  QJsonObject o;
  if (!jsonObject(data, 200, o, c.error)) {
    c.error.message = QStringLiteral("stream event: ") + c.error.message;
    return c;
  }
  return chunkFromObject(o);
}

StreamChunk parseCompletionBody(const QByteArray &body) {
  StreamChunk c;
  QJsonObject o;
  if (!jsonObject(body, 200, o, c.error)) return c;
  c = chunkFromObject(o);
  c.done = c.error.ok();
  return c;
}

}  // namespace lmfront::client
