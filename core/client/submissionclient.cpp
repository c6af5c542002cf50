#include "client/submissionclient.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTimer>

namespace lmfront::client {

SubmissionClient::SubmissionClient(Options options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_network(new QNetworkAccessManager(this)) {}

SubmissionClient::~SubmissionClient() { abort(); }

void SubmissionClient::submit(const QString &archivePath) {
  m_id.clear();
  m_file.setFileName(archivePath);
  begin();
}

void SubmissionClient::resume(const QString &archivePath, const QString &uploadId) {
  m_id = uploadId;
  m_file.setFileName(archivePath);
  begin();
}

void SubmissionClient::abort() {
  m_done = true;
  if (m_pending) {
    QNetworkReply *reply = m_pending;
    m_pending = nullptr;
    reply->abort();
  }
}

void SubmissionClient::begin() {
  m_done = false;
  m_retries = 0;
  if (!m_file.open(QIODevice::ReadOnly))
    return fail(QStringLiteral("%1: %2").arg(m_file.fileName(), m_file.errorString()));
  m_total = m_file.size();
  if (!m_id.isEmpty()) return askOffset();
  QNetworkReply *reply = send("POST", u"/admin/submissions"_qs, {}, {}, m_options.requestTimeoutMs);
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    reply->deleteLater();
    if (reply != m_pending || m_done) return;
    m_pending = nullptr;
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 201) return fail(errorOf(reply, body));
    const QJsonObject upload = QJsonDocument::fromJson(body).object();
    m_id = upload[u"id"_qs].toString();
    const qint64 maxBytes = upload[u"max_bytes"_qs].toInteger();
    if (m_id.isEmpty()) return fail(u"the node's answer to POST /admin/submissions has no id"_qs);
    if (maxBytes > 0 && m_total > maxBytes)
      return fail(QStringLiteral("the bundle's %1 bytes exceed the node's limit of %2").arg(m_total).arg(maxBytes));
    m_offset = 0;
    sendChunk();
  });
}

QNetworkReply *SubmissionClient::send(const QByteArray &method, const QString &path, const QByteArray &body,
                                      const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs) {
  QUrl url = m_options.node;
  url.setPath(path);
  QNetworkRequest request(url);
  request.setTransferTimeout(timeoutMs);
  if (!m_options.apiKey.isEmpty()) request.setRawHeader("Authorization", "Bearer " + m_options.apiKey.toUtf8());
  if (!m_options.caFile.isEmpty() || !m_options.caCertificates.isEmpty()) {
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    if (!m_options.caFile.isEmpty()) tls.addCaCertificates(QSslCertificate::fromPath(m_options.caFile, QSsl::Pem));
    tls.addCaCertificates(m_options.caCertificates);
    request.setSslConfiguration(tls);
  }
  request.setRawHeader("Content-Type", "application/octet-stream");
  for (const auto &[name, value] : headers) request.setRawHeader(name, value);
  m_pending = m_network->sendCustomRequest(request, method, body);
  return m_pending;
}

void SubmissionClient::sendChunk() {
  if (m_offset >= m_total) return complete();
  if (!m_file.seek(m_offset)) return fail(QStringLiteral("%1: %2").arg(m_file.fileName(), m_file.errorString()));
  const QByteArray chunk = m_file.read(std::min(m_options.chunkBytes, m_total - m_offset));
  if (chunk.isEmpty()) return fail(QStringLiteral("%1: cannot read at %2").arg(m_file.fileName()).arg(m_offset));
  const QByteArray range = "bytes " + QByteArray::number(m_offset) + '-' +
                           QByteArray::number(m_offset + chunk.size() - 1) + '/' + QByteArray::number(m_total);
  QNetworkReply *reply =
      send("PUT", u"/admin/submissions/"_qs + m_id, chunk, {{"Content-Range", range}}, m_options.requestTimeoutMs);
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    reply->deleteLater();
    if (reply != m_pending || m_done) return;
    m_pending = nullptr;
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject answer = QJsonDocument::fromJson(body).object();
    if (status == 200 || status == 409) {
      if (!answer.contains(u"offset"_qs)) return fail(errorOf(reply, body));
      m_offset = answer[u"offset"_qs].toInteger();
      if (status == 200) m_retries = 0;
      Q_EMIT progress(m_offset, m_total);
      return sendChunk();
    }
    if (status == 0 || status >= 500) return retry(errorOf(reply, body));
    fail(errorOf(reply, body));
  });
}

void SubmissionClient::askOffset() {
  QNetworkReply *reply = send("GET", u"/admin/submissions/"_qs + m_id, {}, {}, m_options.requestTimeoutMs);
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    reply->deleteLater();
    if (reply != m_pending || m_done) return;
    m_pending = nullptr;
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0 || status >= 500) return retry(errorOf(reply, body));
    if (status != 200) return fail(errorOf(reply, body));
    m_offset = QJsonDocument::fromJson(body).object()[u"offset"_qs].toInteger();
    Q_EMIT progress(m_offset, m_total);
    sendChunk();
  });
}

void SubmissionClient::complete() {
  QNetworkReply *reply =
      send("POST", u"/admin/submissions/"_qs + m_id + u"/complete"_qs, {}, {}, m_options.completeTimeoutMs);
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    reply->deleteLater();
    if (reply != m_pending || m_done) return;
    m_pending = nullptr;
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200 && status != 201) return fail(errorOf(reply, body));
    m_done = true;
    Q_EMIT finished(QJsonDocument::fromJson(body).object());
  });
}

void SubmissionClient::retry(const QString &why) {
  if (++m_retries > m_options.maxRetries)
    return fail(QStringLiteral("%1 (gave up after %2 attempts)").arg(why).arg(m_options.maxRetries));
  QTimer::singleShot(m_options.retryDelayMs, this, [this] {
    if (!m_done) askOffset();
  });
}

void SubmissionClient::fail(const QString &message) {
  if (m_done) return;
  m_done = true;
  m_file.close();
  Q_EMIT failed(message);
}

QString SubmissionClient::errorOf(QNetworkReply *reply, const QByteArray &body) {
  const QString message = QJsonDocument::fromJson(body).object()[u"error"_qs][u"message"_qs].toString();
  if (!message.isEmpty()) return message;
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (status != 0) return QStringLiteral("HTTP %1 from %2").arg(status).arg(reply->url().toString());
  return reply->errorString();
}

}  // namespace lmfront::client
