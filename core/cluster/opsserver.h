// OpsServer: the node's end of the ops API (docs/ops-protocol.md) over Qt WebSockets.
//
// It listens on nothing: whoever accepted a TCP connection whose request is `GET /ops` with
// `Upgrade: websocket` hands it over with handleConnection(), the handshake bytes still readable
// (the data plane puts back what it already read). The handshake refuses a foreign Origin (403,
// no connection; Qt 6.4 would otherwise allow any); the data plane checks Host before handing
// over. Frames go through OpsCodec, topics and commands through the OpsRegistry; `auth` through
// the Authenticate callback (the node passes AuthGate, so the loopback rule and roles are the
// HTTP ones).
//
// Slow consumers (doc "Backpressure"): above Options::highWaterBytes unsent, deltas of
// Replaceable topics are dropped and counted; below lowWaterBytes every subscription that lost
// some gets a fresh snapshot; above maxUnsentBytes the connection is closed (1008). Results,
// errors, pongs, snapshots and EveryDelta topics are never dropped.
//
// Time: tick() applies the authentication, idle and ping timeouts against the injected clock;
// start() runs it from a 1 s timer, tests call it after advancing a ManualClock.
// Threads: lives on one thread (the node's ops thread); every method is called there. Deltas may
// be published to the registry from any thread: they are queued to this object's thread. The
// registry must outlive the server, and publishers must stop before the server is destroyed.
#pragma once

#include "client/opscodec.h"
#include "cluster/opsregistry.h"
#include "common/clock.h"

#include <QObject>
#include <QWebSocketProtocol>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>

class QTcpSocket;
class QTimer;
class QWebSocket;
class QWebSocketServer;

namespace lmfront::cluster {

class OpsServer : public QObject {
  Q_OBJECT
public:
  struct Options {
    qsizetype maxFrameBytes = OpsCodec::kDefaultMaxFrameBytes;  // larger messages: too_large
    quint64 hardMessageBytes = 16u << 20;                       // larger: closed with 1009 unread
    std::chrono::milliseconds authTimeout{10'000};
    std::chrono::milliseconds pingInterval{20'000};
    std::chrono::milliseconds idleTimeout{60'000};
    qint64 highWaterBytes = 256 << 10;
    qint64 lowWaterBytes = 64 << 10;
    qint64 maxUnsentBytes = 8 << 20;
  };
  // The principal for an `auth` key (nullopt when the payload has none), or Unauthenticated.
  using Authenticate = std::function<Result<Principal>(const std::optional<QString> &key)>;
  // True when a handshake carrying this Origin header may connect ("" = no header).
  using OriginPolicy = std::function<bool(const QString &origin)>;

  static constexpr auto kCloseIdle = static_cast<QWebSocketProtocol::CloseCode>(4000);

  OpsServer(OpsRegistry &registry, Authenticate authenticate, QString nodeId, const Clock &clock, Options options,
            QObject *parent = nullptr);
  ~OpsServer() override;

  // Default: no Origin header passes, any Origin is refused (docs/auth.md: trusted_origins).
  void setOriginPolicy(OriginPolicy policy);
  // Takes ownership of a connected socket on this thread, handshake bytes readable.
  void handleConnection(QTcpSocket *socket);
  // A connection accepted and partly read elsewhere (the data plane): `alreadyRead` — the upgrade
  // request's head, and whatever followed it — is put back in front of the socket's input
  // (QIODevice::ungetChar), so the handshake sees the whole request. Takes ownership of `fd`.
  void adoptSocket(qintptr fd, const QByteArray &alreadyRead);
  void start();  // the 1 s tick timer
  void tick();
  // Closes every connection (1001 when the node stops).
  void closeAll(QWebSocketProtocol::CloseCode code, const QString &reason);

  int connectionCount() const { return static_cast<int>(m_connections.size()); }
  quint64 droppedDeltas() const { return m_droppedDeltas; }
  // The largest unsent backlog any connection had when a frame was queued to it.
  qint64 peakUnsentBytes() const { return m_peakUnsent; }

private:
  struct Connection;

  void onNewConnection();
  void onText(QWebSocket *socket, const QString &text);
  void handle(Connection &c, const OpsMessage &m);
  void answerAuth(Connection &c, const OpsMessage &m);
  void fanOut(const QString &topic, const QJsonObject &delta);
  void recover(Connection &c);
  // False when the connection was closed instead (too slow).
  bool send(Connection &c, const QByteArray &frame);
  bool send(Connection &c, const OpsMessage &m) { return send(c, OpsCodec::encode(m)); }
  void close(Connection &c, QWebSocketProtocol::CloseCode code, const QString &reason);
  bool stillAuthorized(Connection &c);
  Connection *find(QWebSocket *socket);

  OpsRegistry &m_registry;
  Authenticate m_authenticate;
  OriginPolicy m_originPolicy;
  QString m_nodeId;
  const Clock &m_clock;
  Options m_options;
  OpsCodec m_codec;
  QWebSocketServer *m_server;
  QTimer *m_timer;
  std::map<QWebSocket *, std::unique_ptr<Connection>> m_connections;
  std::map<QString, qint64> m_topicSeq;  // deltas fanned out per topic
  quint64 m_droppedDeltas = 0;
  qint64 m_peakUnsent = 0;
};

}  // namespace lmfront::cluster
