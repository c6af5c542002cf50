#include "client/healthclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>

namespace lmfront::client {

namespace {

NodeHealth failure(HealthError kind, QString detail) {
  NodeHealth h;
  h.reachable = false;
  h.errorKind = kind;
  h.error = std::move(detail);
  return h;
}

// A field that is present must have the right type: a node that sends "models":"3" is broken
// and saying so beats showing a silent 0.
bool readString(const QJsonObject &o, const char *key, QString &out, QString &why) {
  const QJsonValue v = o.value(QLatin1String(key));
  if (v.isUndefined() || v.isNull()) return true;
  if (!v.isString()) {
    why = QStringLiteral("field \"%1\" is not a string").arg(QLatin1String(key));
    return false;
  }
  out = v.toString();
  return true;
}

bool readNumber(const QJsonObject &o, const char *key, double &out, QString &why) {
  const QJsonValue v = o.value(QLatin1String(key));
  if (v.isUndefined() || v.isNull()) return true;
  if (!v.isDouble()) {
    why = QStringLiteral("field \"%1\" is not a number").arg(QLatin1String(key));
    return false;
  }
  out = v.toDouble();
  return true;
}

}  // namespace

QSslConfiguration withCaCertificates(const QList<QSslCertificate> &certificates) {
  QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
  tls.addCaCertificates(certificates);
  return tls;
}

NodeHealth parseHealthResponse(int httpStatus, const QByteArray &body) {
  if (httpStatus != 200)
    return failure(HealthError::HttpStatus, QStringLiteral("HTTP %1 from /healthz").arg(httpStatus));
  QJsonParseError perr;
  const QJsonDocument doc = QJsonDocument::fromJson(body, &perr);
  if (perr.error != QJsonParseError::NoError)
    return failure(HealthError::BadResponse,
                   QStringLiteral("bad JSON at offset %1: %2").arg(perr.offset).arg(perr.errorString()));
  if (!doc.isObject()) return failure(HealthError::BadResponse, QStringLiteral("JSON is not an object"));
  const QJsonObject o = doc.object();
  NodeHealth h;
  QString why;
  double models = 0;
  if (!o.value(QLatin1String("status")).isString())
    return failure(HealthError::BadResponse, QStringLiteral("field \"status\" is missing or not a string"));
  h.status = o.value(QLatin1String("status")).toString();
  if (!readString(o, "node_id", h.nodeId, why) || !readString(o, "version", h.version, why) ||
      !readString(o, "listen", h.listen, why) || !readString(o, "data_dir", h.dataDir, why) ||
      !readNumber(o, "uptime_s", h.uptimeS, why) || !readNumber(o, "models", models, why))
    return failure(HealthError::BadResponse, why);
  if (models < 0 || models > 1e9 || h.uptimeS < 0)
    return failure(HealthError::BadResponse, QStringLiteral("negative or absurd uptime_s/models"));
  h.models = static_cast<int>(models);
  h.reachable = true;
  h.errorKind = HealthError::None;
  return h;
}

HealthClient::HealthClient(QObject *parent) : QObject(parent), m_nam(new QNetworkAccessManager(this)) {
  // So string-based and queued connections (a receiver on another thread) can carry the value.
  qRegisterMetaType<NodeHealth>("lmfront::client::NodeHealth");
  // Nodes are reached directly (loopback or the cluster's network); an http_proxy meant for the
  // internet must not swallow health checks.
  m_nam->setProxy(QNetworkProxy::NoProxy);
  m_timer.setInterval(kDefaultIntervalMs);
  connect(&m_timer, &QTimer::timeout, this, &HealthClient::pollNow);
  connect(m_nam, &QNetworkAccessManager::finished, this, &HealthClient::onFinished);
}

HealthClient::~HealthClient() { stop(); }

void HealthClient::setBaseUrl(const QUrl &url) {
  if (url == m_baseUrl) return;
  m_baseUrl = url;
  if (m_inFlight) {
    QNetworkReply *r = m_inFlight;
    m_inFlight = nullptr;  // onFinished ignores replies that are no longer in flight
    r->abort();
  }
}

void HealthClient::setInterval(int ms) { m_timer.setInterval(ms); }

void HealthClient::start() {
  m_timer.start();
  pollNow();
}

void HealthClient::stop() {
  m_timer.stop();
  if (m_inFlight) {
    QNetworkReply *r = m_inFlight;
    m_inFlight = nullptr;
    r->abort();
  }
}

void HealthClient::pollNow() {
  if (m_inFlight) return;
  if (!m_baseUrl.isValid() || m_baseUrl.isEmpty()) {
    m_last = failure(HealthError::Network, QStringLiteral("no node address"));
    Q_EMIT healthUpdated(m_last);
    return;
  }
  QUrl url = m_baseUrl;
  QString path = url.path();
  if (path.endsWith(QLatin1Char('/'))) path.chop(1);
  url.setPath(path + QStringLiteral("/healthz"));
  QNetworkRequest req(url);
  req.setTransferTimeout(m_timeoutMs);
  req.setRawHeader("Accept", "application/json");
  if (!m_caCertificates.isEmpty()) req.setSslConfiguration(withCaCertificates(m_caCertificates));
  m_inFlight = m_nam->get(req);
}

void HealthClient::onFinished(QNetworkReply *reply) {
  reply->deleteLater();
  if (reply != m_inFlight) return;  // aborted by stop() or an address change
  m_inFlight = nullptr;

  const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
  const QNetworkReply::NetworkError err = reply->error();
  NodeHealth h;
  if (statusAttr.isValid()) {
    // An HTTP answer, even an error status, says more than the transport error Qt maps it to.
    h = parseHealthResponse(statusAttr.toInt(), reply->readAll());
  } else if (err == QNetworkReply::OperationCanceledError || err == QNetworkReply::TimeoutError) {
    // setTransferTimeout() aborts with OperationCanceledError; our own aborts never get here.
    h = failure(HealthError::Timeout,
                QStringLiteral("no answer from %1 within %2 ms").arg(m_baseUrl.toDisplayString()).arg(m_timeoutMs));
  } else if (err == QNetworkReply::ConnectionRefusedError) {
    h = failure(HealthError::ConnectionRefused,
                QStringLiteral("connection refused by %1").arg(m_baseUrl.toDisplayString()));
  } else {
    h = failure(HealthError::Network, reply->errorString());
  }
  m_last = h;
  Q_EMIT healthUpdated(m_last);
}

}  // namespace lmfront::client
