#include "client/completionclient.h"

#include "client/healthclient.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace lmfront::client {

namespace {
constexpr qsizetype kMaxBodyBytes = 64 * 1024 * 1024;  // a non-stream answer beyond this is refused

int httpStatusOf(QNetworkReply *reply) {
  const QVariant v = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
  return v.isValid() ? v.toInt() : 0;
}

}  // namespace

// Detaches a reply we no longer want: its signals must not reach us, and it must go away.
void CompletionClient::discard(QNetworkReply *reply) {
  if (!reply) return;
  disconnect(reply, nullptr, this, nullptr);
  if (reply->isRunning()) reply->abort();
  reply->deleteLater();
}

CompletionClient::CompletionClient(QObject *parent) : QObject(parent), m_nam(new QNetworkAccessManager(this)) {
  qRegisterMetaType<ResponseMeta>("lmfront::client::ResponseMeta");
  qRegisterMetaType<ModelList>("lmfront::client::ModelList");
  qRegisterMetaType<GenerationStats>("lmfront::client::GenerationStats");
  qRegisterMetaType<GenerationResult>("lmfront::client::GenerationResult");
  qRegisterMetaType<ScoreResult>("lmfront::client::ScoreResult");
  qRegisterMetaType<QList<ScoredToken>>("QList<lmfront::client::ScoredToken>");
  m_nam->setProxy(QNetworkProxy::NoProxy);
}

CompletionClient::~CompletionClient() {
  discard(m_models);
  discard(m_score);
  discard(m_gen);
}

void CompletionClient::setBaseUrl(const QUrl &url) {
  QUrl base = url;
  QString path = base.path();
  while (path.endsWith(QLatin1Char('/'))) path.chop(1);
  if (path.endsWith(QLatin1String("/v1"))) path.chop(3);
  base.setPath(path);
  if (base == m_baseUrl) return;
  m_baseUrl = base;
  // Answers from the previous node must not be taken for the new one's.
  discard(std::exchange(m_models, nullptr));
  discard(std::exchange(m_score, nullptr));
}

QUrl CompletionClient::endpoint(const QString &path) const {
  QUrl url = m_baseUrl;
  url.setPath(url.path() + path);
  return url;
}

QNetworkReply *CompletionClient::send(const QString &path, const QByteArray *body, int timeoutMs) {
  QNetworkRequest req(endpoint(path));
  req.setTransferTimeout(timeoutMs);
  req.setRawHeader("Accept", body && path != QLatin1String("/v1/score") ? "text/event-stream, application/json"
                                                                        : "application/json");
  if (!m_apiKey.isEmpty()) req.setRawHeader("Authorization", "Bearer " + m_apiKey.toUtf8());
  if (!m_caCertificates.isEmpty()) req.setSslConfiguration(withCaCertificates(m_caCertificates));
  if (!body) return m_nam->get(req);
  req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
  return m_nam->post(req, *body);
}

ResponseMeta CompletionClient::metaOf(QNetworkReply *reply) {
  ResponseMeta meta;
  meta.httpStatus = httpStatusOf(reply);
  meta.backend = QString::fromUtf8(reply->rawHeader("x-lmfront-backend"));
  meta.cache = QString::fromUtf8(reply->rawHeader("x-lmfront-cache"));
  bool ok = false;
  const double overhead = reply->rawHeader("x-lmfront-overhead-ms").toDouble(&ok);
  meta.overheadMs = ok && overhead >= 0 ? overhead : -1;
  return meta;
}

ApiError CompletionClient::transportError(QNetworkReply *reply, int timeoutMs) const {
  const QNetworkReply::NetworkError err = reply->error();
  // setTransferTimeout() aborts with OperationCanceledError; our own aborts never get here.
  if (err == QNetworkReply::OperationCanceledError || err == QNetworkReply::TimeoutError)
    return {ApiErrorKind::Timeout,
            0,
            QStringLiteral("no answer from %1 within %2 s").arg(m_baseUrl.toDisplayString()).arg(timeoutMs / 1000),
            {}};
  return {ApiErrorKind::Unreachable,
          0,
          QStringLiteral("%1: %2").arg(m_baseUrl.toDisplayString(), reply->errorString()),
          {}};
}

void CompletionClient::listModels() {
  if (m_models) return;  // the answer in flight is as fresh as a new one
  if (!m_baseUrl.isValid() || m_baseUrl.isEmpty()) {
    Q_EMIT modelsListed({{}, {ApiErrorKind::Unreachable, 0, QStringLiteral("no node address"), {}}});
    return;
  }
  QNetworkReply *reply = send(QStringLiteral("/v1/models"), nullptr, kRequestTimeoutMs);
  m_models = reply;
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    reply->deleteLater();
    m_models = nullptr;
    const int status = httpStatusOf(reply);
    Q_EMIT modelsListed(status ? parseModelList(status, reply->readAll())
                               : ModelList{{}, transportError(reply, kRequestTimeoutMs)});
  });
}

void CompletionClient::score(const QString &model, const QString &text) {
  discard(m_score);
  if (!m_baseUrl.isValid() || m_baseUrl.isEmpty()) {
    ScoreResult r;
    r.error = {ApiErrorKind::Unreachable, 0, QStringLiteral("no node address"), {}};
    Q_EMIT scored(r);
    return;
  }
  const QByteArray body = scoreRequestBody(model, text);
  QNetworkReply *reply = send(QStringLiteral("/v1/score"), &body, kRequestTimeoutMs);
  m_score = reply;
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    reply->deleteLater();
    m_score = nullptr;
    const int status = httpStatusOf(reply);
    ScoreResult r;
    if (status) {
      r = parseScore(status, reply->readAll());
    } else {
      r.error = transportError(reply, kRequestTimeoutMs);
    }
    r.meta = metaOf(reply);
    Q_EMIT scored(r);
  });
}

void CompletionClient::generate(const GenerationParams &params) {
  discard(std::exchange(m_gen, nullptr));
  m_decoder.reset();
  m_result = {};
  m_firstTextNs = m_lastTextNs = -1;
  m_isStream = m_done = false;
  m_body.clear();
  m_clock.start();
  if (!m_baseUrl.isValid() || m_baseUrl.isEmpty()) {
    m_gen = nullptr;
    m_result.error = {ApiErrorKind::Unreachable, 0, QStringLiteral("no node address"), {}};
    Q_EMIT generationFinished(m_result);
    return;
  }
  const QByteArray body = completionRequestBody(params, true);
  m_gen = send(params.chat ? QStringLiteral("/v1/chat/completions") : QStringLiteral("/v1/completions"), &body,
               m_streamTimeoutMs);
  connect(m_gen, &QNetworkReply::metaDataChanged, this, [this] {
    m_result.meta = metaOf(m_gen);
    const QByteArray type = m_gen->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    m_isStream = m_result.meta.httpStatus == 200 && type.startsWith("text/event-stream");
    if (m_result.meta.httpStatus == 200) Q_EMIT generationStarted(m_result.meta);
  });
  connect(m_gen, &QNetworkReply::readyRead, this, &CompletionClient::onGenerationData);
  connect(m_gen, &QNetworkReply::finished, this, &CompletionClient::onGenerationFinished);
}

void CompletionClient::cancelGeneration() {
  if (!m_gen) return;
  finishGeneration({ApiErrorKind::Cancelled, 0, QStringLiteral("stopped"), {}});
}

void CompletionClient::updateTimes() {
  m_result.stats.totalMs = static_cast<double>(m_clock.nsecsElapsed()) / 1e6;
  if (m_firstTextNs >= 0) {
    m_result.stats.ttftMs = static_cast<double>(m_firstTextNs) / 1e6;
    m_result.stats.streamMs = static_cast<double>(m_lastTextNs - m_firstTextNs) / 1e6;
  }
}

void CompletionClient::onGenerationData() {
  if (!m_gen) return;
  const QByteArray bytes = m_gen->readAll();
  if (!m_isStream) {
    // An error body or a plain JSON answer: kept whole, parsed at the end.
    if (m_body.size() + bytes.size() > kMaxBodyBytes) {
      finishGeneration({ApiErrorKind::BadResponse, m_result.meta.httpStatus, QStringLiteral("answer too large"), {}});
      return;
    }
    m_body += bytes;
    return;
  }
  if (!m_decoder.feed(bytes)) {
    finishGeneration({ApiErrorKind::BadResponse, 200, m_decoder.errorString(), {}});
    return;
  }
  for (const SseEvent &event : m_decoder.takeEvents()) {
    handleEvent(event);
    if (!m_gen) return;  // the event finished the generation (an error event)
  }
}

void CompletionClient::handleEvent(const SseEvent &event) {
  if (m_done) return;  // nothing counts after [DONE]
  const StreamChunk chunk = parseStreamData(event.data);
  if (!chunk.error.ok()) {
    finishGeneration(chunk.error);
    return;
  }
  if (chunk.done) {
    m_done = true;
    return;
  }
  applyChunk(chunk);
}

void CompletionClient::applyChunk(const StreamChunk &chunk) {
  GenerationStats &s = m_result.stats;
  if (!chunk.finishReason.isEmpty()) s.finishReason = chunk.finishReason;
  if (chunk.completionTokens >= 0) s.completionTokens = chunk.completionTokens;
  if (chunk.promptTokens >= 0) s.promptTokens = chunk.promptTokens;
  if (!chunk.logprobs.isEmpty()) Q_EMIT tokensScored(chunk.logprobs);
  if (chunk.text.isEmpty()) return;  // role, finish and usage events carry no text
  const qint64 now = m_clock.nsecsElapsed();
  if (m_firstTextNs < 0) m_firstTextNs = now;
  m_lastTextNs = now;
  ++s.tokens;
  updateTimes();
  Q_EMIT textReceived(chunk.text, s);
}

void CompletionClient::onGenerationFinished() {
  if (!m_gen) return;
  onGenerationData();  // whatever arrived with the end
  if (!m_gen) return;
  const int status = m_result.meta.httpStatus ? m_result.meta.httpStatus : httpStatusOf(m_gen);
  if (status == 0) {
    finishGeneration(transportError(m_gen, m_streamTimeoutMs));
  } else if (status != 200) {
    finishGeneration(parseErrorBody(status, m_body));
  } else if (!m_isStream) {
    // A node may answer a stream request in one piece (e.g. an upstream that ignores "stream").
    const StreamChunk chunk = parseCompletionBody(m_body);
    if (!chunk.error.ok()) {
      finishGeneration(chunk.error);
      return;
    }
    applyChunk(chunk);
    finishGeneration({});
  } else if (!m_done) {
    const bool cut = m_gen->error() != QNetworkReply::NoError;
    finishGeneration(
        cut ? transportError(m_gen, m_streamTimeoutMs)
            : ApiError{ApiErrorKind::BadResponse, 200, QStringLiteral("the stream ended before [DONE]"), {}});
  } else {
    finishGeneration({});
  }
}

void CompletionClient::finishGeneration(ApiError error) {
  QNetworkReply *reply = std::exchange(m_gen, nullptr);
  discard(reply);
  updateTimes();
  m_result.error = std::move(error);
  Q_EMIT generationFinished(m_result);
}

}  // namespace lmfront::client
