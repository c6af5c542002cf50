#include "client/openaitypes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <algorithm>
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
  for (auto it = p.sampling.begin(); it != p.sampling.end(); ++it) o.insert(it.key(), it.value());
  if (p.logprobs && p.chat) {
    o.insert(QLatin1String("logprobs"), true);
    o.insert(QLatin1String("top_logprobs"), *p.logprobs);
  } else if (p.logprobs) {
    o.insert(QLatin1String("logprobs"), *p.logprobs);
  }
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
    ScoredToken token;
    token.token = t.value(QLatin1String("token")).toString();
    token.log10Prob = p.toDouble();
    token.ngram = intOr(t.value(QLatin1String("ngram")), 0);
    token.oov = t.value(QLatin1String("oov")).toBool();
    r.tokens.append(token);
  }
  r.model = o.value(QLatin1String("model")).toString();
  r.log10Prob = o.value(QLatin1String("log10_prob")).toDouble();
  r.perplexity = o.value(QLatin1String("perplexity")).toDouble();
  r.oov = intOr(o.value(QLatin1String("oov")), 0);
  r.tokenCount = intOr(o.value(QLatin1String("token_count")), static_cast<int>(r.tokens.size()));
  return r;
}

namespace {

// A natural-log probability as the API sends it: a finite number <= 0 (rounding may pass 0).
bool lnProb(const QJsonValue &v, double &log10Prob) {
  if (!v.isDouble() || !std::isfinite(v.toDouble()) || v.toDouble() > 1e-9) return false;
  log10Prob = std::min(v.toDouble(), 0.0) / std::log(10.0);
  return true;
}

void sortAlternatives(QList<TokenAlternative> &alternatives) {
  std::stable_sort(alternatives.begin(), alternatives.end(),
                   [](const TokenAlternative &a, const TokenAlternative &b) { return a.log10Prob > b.log10Prob; });
}

// Completions: {"tokens":[...],"token_logprobs":[...],"top_logprobs":[{token: logprob}, ...]}.
QString completionLogprobs(const QJsonObject &lp, QList<ScoredToken> &out) {
  const QJsonValue tokens = lp.value(QLatin1String("tokens"));
  const QJsonValue logprobs = lp.value(QLatin1String("token_logprobs"));
  const QJsonValue top = lp.value(QLatin1String("top_logprobs"));
  if (!tokens.isArray() || !logprobs.isArray() || tokens.toArray().size() != logprobs.toArray().size())
    return QStringLiteral("\"tokens\" and \"token_logprobs\" must be arrays of the same length");
  if (!top.isUndefined() && !top.isNull() && (!top.isArray() || top.toArray().size() != tokens.toArray().size()))
    return QStringLiteral("\"top_logprobs\" must be an array as long as \"tokens\"");
  const QJsonArray t = tokens.toArray();
  for (qsizetype i = 0; i < t.size(); ++i) {
    ScoredToken token;
    token.ngram = -1;
    if (!t[i].isString() || !lnProb(logprobs.toArray()[i], token.log10Prob))
      return QStringLiteral("token %1: not a string with a finite log-probability <= 0").arg(i);
    token.token = t[i].toString();
    const QJsonValue alternatives = top.isArray() ? top.toArray()[i] : QJsonValue();
    if (alternatives.isObject()) {
      const QJsonObject a = alternatives.toObject();
      for (auto it = a.begin(); it != a.end(); ++it) {
        TokenAlternative alt{it.key(), 0};
        if (!lnProb(it.value(), alt.log10Prob)) return QStringLiteral("token %1: a bad top_logprobs value").arg(i);
        token.alternatives.append(alt);
      }
    } else if (!alternatives.isNull() && !alternatives.isUndefined()) {
      return QStringLiteral("token %1: top_logprobs entry is not an object").arg(i);
    }
    sortAlternatives(token.alternatives);
    out.append(token);
  }
  return {};
}

// Chat: {"content":[{"token","logprob","bytes","top_logprobs":[{"token","logprob","bytes"}]}]}.
QString chatLogprobs(const QJsonObject &lp, QList<ScoredToken> &out) {
  const QJsonValue content = lp.value(QLatin1String("content"));
  if (content.isNull()) return {};  // OpenAI sends null for a chunk without tokens
  if (!content.isArray()) return QStringLiteral("\"content\" is not an array");
  const QJsonArray entries = content.toArray();
  for (qsizetype i = 0; i < entries.size(); ++i) {
    const QJsonObject e = entries[i].toObject();
    ScoredToken token;
    token.ngram = -1;
    if (!e.value(QLatin1String("token")).isString() || !lnProb(e.value(QLatin1String("logprob")), token.log10Prob))
      return QStringLiteral("entry %1: no \"token\" string or finite \"logprob\" <= 0").arg(i);
    token.token = e.value(QLatin1String("token")).toString();
    const QJsonValue top = e.value(QLatin1String("top_logprobs"));
    if (!top.isUndefined() && !top.isNull() && !top.isArray())
      return QStringLiteral("entry %1: \"top_logprobs\" is not an array").arg(i);
    for (const QJsonValue &v : top.toArray()) {
      const QJsonObject a = v.toObject();
      TokenAlternative alt{a.value(QLatin1String("token")).toString(), 0};
      if (!a.value(QLatin1String("token")).isString() || !lnProb(a.value(QLatin1String("logprob")), alt.log10Prob))
        return QStringLiteral("entry %1: a bad top_logprobs entry").arg(i);
      token.alternatives.append(alt);
    }
    sortAlternatives(token.alternatives);
    out.append(token);
  }
  return {};
}

// A choice's "logprobs" in either shape; an empty string when it is absent or well-formed.
QString choiceLogprobs(const QJsonValue &lp, QList<ScoredToken> &out) {
  if (lp.isUndefined() || lp.isNull()) return {};
  if (!lp.isObject()) return QStringLiteral("\"logprobs\" is not an object");
  const QJsonObject o = lp.toObject();
  return o.contains(QLatin1String("content")) ? chatLogprobs(o, out) : completionLogprobs(o, out);
}

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
    const QString why = choiceLogprobs(choice.value(QLatin1String("logprobs")), c.logprobs);
    if (!why.isEmpty()) {
      c.logprobs.clear();
      c.error = badResponse(200, QStringLiteral("logprobs: ") + why);
      return c;
    }
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
