// CompletionClient: talks to one node's OpenAI-compatible API (docs/http-api.md) the way any
// client does: lists models, streams a completion or chat completion token by token, scores a
// text. The console's Playground is built on it; it works the same for a local or remote node.
//
// Contract: lives on the thread that created it (normally the GUI thread) and works
// asynchronously through its own QNetworkAccessManager; nothing blocks. Three independent
// operations, each with at most one request in flight:
// - listModels() -> modelsListed; a call while one is in flight joins it.
// - generate() -> generationStarted (headers arrived), textReceived per streamed piece as the
//   bytes arrive (QNetworkReply::readyRead through an SseDecoder; the stream is not buffered),
//   then exactly one generationFinished. With GenerationParams::logprobs set, tokensScored
//   carries each event's tokens with their probabilities and alternatives, before its text. A new generate() aborts the
//   previous one silently; cancelGeneration() aborts the reply and emits generationFinished at once with
//   ApiErrorKind::Cancelled and the stats so far.
// - score() -> scored; a new one aborts the previous one silently.
// setBaseUrl() drops a models or score request in flight; a running generation finishes against
// the node it started on. Every failure (refused, timeout, an OpenAI error body, a malformed
// answer, a stream cut before [DONE]) arrives as an ApiError in the finishing signal; nothing
// throws or asserts on what the network returns. No proxy is used: nodes are reached directly.
// An optional API key goes out as "Authorization: Bearer".
#pragma once

#include "client/openaitypes.h"
#include "client/ssedecoder.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace lmfront::client {

class CompletionClient : public QObject {
  Q_OBJECT
public:
  // A generation is aborted after this long without a byte (models and score: kRequestTimeoutMs).
  static constexpr int kStreamIdleTimeoutMs = 30'000;
  static constexpr int kRequestTimeoutMs = 10'000;

  explicit CompletionClient(QObject *parent = nullptr);
  ~CompletionClient() override;

  // "http://127.0.0.1:8080" (a trailing "/v1" is accepted too).
  void setBaseUrl(const QUrl &url);
  QUrl baseUrl() const { return m_baseUrl; }
  void setApiKey(const QString &key) { m_apiKey = key; }
  // CA certificates trusted for https:// besides the system's (a connection's CA file).
  void setCaCertificates(const QList<QSslCertificate> &certificates) { m_caCertificates = certificates; }
  void setStreamIdleTimeout(int ms) { m_streamTimeoutMs = ms; }

  void listModels();
  void generate(const GenerationParams &params);
  void cancelGeneration();
  bool isGenerating() const { return m_gen != nullptr; }
  void score(const QString &model, const QString &text);

Q_SIGNALS:
  void modelsListed(const lmfront::client::ModelList &list);
  void generationStarted(const lmfront::client::ResponseMeta &meta);
  void textReceived(const QString &text, const lmfront::client::GenerationStats &stats);
  void tokensScored(const QList<lmfront::client::ScoredToken> &tokens);
  void generationFinished(const lmfront::client::GenerationResult &result);
  void scored(const lmfront::client::ScoreResult &result);

private:
  QUrl endpoint(const QString &path) const;
  QNetworkReply *send(const QString &path, const QByteArray *body, int timeoutMs);
  static ResponseMeta metaOf(QNetworkReply *reply);
  ApiError transportError(QNetworkReply *reply, int timeoutMs) const;

  void onGenerationData();
  void onGenerationFinished();
  void handleEvent(const SseEvent &event);
  void applyChunk(const StreamChunk &chunk);
  void discard(QNetworkReply *reply);
  void finishGeneration(ApiError error);
  void updateTimes();

  QNetworkAccessManager *m_nam;
  QUrl m_baseUrl;
  QString m_apiKey;
  QList<QSslCertificate> m_caCertificates;
  int m_streamTimeoutMs = kStreamIdleTimeoutMs;

  QPointer<QNetworkReply> m_models;
  QPointer<QNetworkReply> m_score;

  // The generation in flight.
  QNetworkReply *m_gen = nullptr;
  SseDecoder m_decoder;
  QElapsedTimer m_clock;
  qint64 m_firstTextNs = -1;
  qint64 m_lastTextNs = -1;
  bool m_isStream = false;
  bool m_done = false;
  QByteArray m_body;  // a non-stream answer (an error body or a plain completion)
  GenerationResult m_result;
};

}  // namespace lmfront::client
