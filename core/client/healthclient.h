// HealthClient: polls one node's `GET /healthz` over HTTP and reports what it saw.
//
// Contract: lives on the thread that created it (normally the GUI thread) and does all network
// work asynchronously there through its own QNetworkAccessManager; nothing blocks. After start()
// it polls at once and then every interval (default 1 s); at most one request is in flight, a
// request that takes longer than the timeout (default 2 s) is aborted. Every finished poll emits
// healthUpdated() with a NodeHealth value (a copyable struct, registered as a metatype, so it
// can cross threads through queued connections). Any failure (refused, timeout, non-200, bad
// JSON) yields reachable == false with `error` saying what went wrong; it never throws or asserts
// on what the network returns. Works the same for the local node and a remote one.
#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QString>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace lmfront::client {

// Why a poll did not yield a healthy node; views translate these (core has no UI strings).
enum class HealthError {
  None,
  ConnectionRefused,  // nothing listens at the address
  Timeout,            // no complete answer within the timeout
  HttpStatus,         // answered, but not 200 (detail: "HTTP 503")
  BadResponse,        // 200 but not the expected JSON (detail says what was wrong)
  Network,            // any other transport failure (detail: Qt's error string)
  NotPolled,          // no poll has finished yet
};

struct NodeHealth {
  bool reachable = false;  // the node answered /healthz with a well-formed 200 response
  QString status;          // the node's own word: "ok", "starting", "draining", ...
  QString nodeId;
  QString version;
  double uptimeS = 0;
  QString listen;  // "127.0.0.1:8080"
  QString dataDir;
  int models = 0;
  HealthError errorKind = HealthError::NotPolled;
  QString error;  // English detail for logs and tooltips: why reachable is false; empty when reachable

  bool healthy() const { return reachable && status == QLatin1String("ok"); }
  friend bool operator==(const NodeHealth &, const NodeHealth &) = default;
};

// The default TLS configuration plus `certificates` as trusted CAs (HealthClient, CompletionClient).
QSslConfiguration withCaCertificates(const QList<QSslCertificate> &certificates);

// Pure: turns an HTTP status and body into a NodeHealth. httpStatus 0 means no HTTP answer.
NodeHealth parseHealthResponse(int httpStatus, const QByteArray &body);

class HealthClient : public QObject {
  Q_OBJECT
public:
  static constexpr int kDefaultIntervalMs = 1000;
  static constexpr int kDefaultTimeoutMs = 2000;

  explicit HealthClient(QObject *parent = nullptr);
  ~HealthClient() override;

  // "http://127.0.0.1:8080"; /healthz is appended. Changing it aborts a poll in flight.
  void setBaseUrl(const QUrl &url);
  QUrl baseUrl() const { return m_baseUrl; }
  void setInterval(int ms);
  int interval() const { return m_timer.interval(); }
  void setTimeout(int ms) { m_timeoutMs = ms; }
  // CA certificates trusted for https:// besides the system's (a connection's CA file). The
  // server's certificate is always verified; a failure is a Network error naming it.
  void setCaCertificates(const QList<QSslCertificate> &certificates) { m_caCertificates = certificates; }
  int timeout() const { return m_timeoutMs; }

  void start();  // polls now, then every interval
  void stop();   // stops the timer and aborts a poll in flight (no signal for it)
  bool isActive() const { return m_timer.isActive(); }
  // Starts one poll unless one is already in flight.
  void pollNow();
  // The last reported health (reachable == false before the first answer).
  const NodeHealth &lastHealth() const { return m_last; }

Q_SIGNALS:
  void healthUpdated(const lmfront::client::NodeHealth &health);

private:
  void onFinished(QNetworkReply *reply);

  QNetworkAccessManager *m_nam;
  QNetworkReply *m_inFlight = nullptr;
  QTimer m_timer;
  QUrl m_baseUrl;
  int m_timeoutMs = kDefaultTimeoutMs;
  QList<QSslCertificate> m_caCertificates;
  NodeHealth m_last;
};

}  // namespace lmfront::client

Q_DECLARE_METATYPE(lmfront::client::NodeHealth)
