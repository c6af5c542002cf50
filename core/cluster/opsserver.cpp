#include "cluster/opsserver.h"

#include <unistd.h>
#include <QJsonArray>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketCorsAuthenticator>
#include <QWebSocketServer>
#include <vector>

namespace lmfront::cluster {

struct OpsServer::Connection {
  QWebSocket *socket = nullptr;
  std::optional<Principal> who;
  std::optional<QString> key;  // as presented in `auth`, re-checked so a revoked key stops working
  Clock::TimePoint connectedAt;
  Clock::TimePoint lastHeard;
  Clock::TimePoint lastPing;
  struct Subscription {
    QJsonObject options;
    OpsDelivery delivery = OpsDelivery::Replaceable;
    bool lost = false;  // deltas were dropped: a recovery snapshot is owed
  };
  std::map<QString, Subscription> subscriptions;
  bool closing = false;
};

OpsServer::OpsServer(OpsRegistry &registry, Authenticate authenticate, QString nodeId, const Clock &clock,
                     Options options, QObject *parent)
    : QObject(parent),
      m_registry(registry),
      m_authenticate(std::move(authenticate)),
      m_originPolicy([](const QString &origin) { return origin.isEmpty(); }),
      m_nodeId(std::move(nodeId)),
      m_clock(clock),
      m_options(options),
      m_codec(OpsCodec::Side::Node, options.maxFrameBytes),
      m_server(new QWebSocketServer(QStringLiteral("lmfront"), QWebSocketServer::NonSecureMode, this)),
      m_timer(new QTimer(this)) {
  m_server->setHandshakeTimeout(static_cast<int>(m_options.authTimeout.count()));
  // Direct: the handshake is answered right after this returns, 403 when not allowed.
  connect(m_server, &QWebSocketServer::originAuthenticationRequired, this,
          [this](QWebSocketCorsAuthenticator *request) { request->setAllowed(m_originPolicy(request->origin())); });
  connect(m_server, &QWebSocketServer::newConnection, this, &OpsServer::onNewConnection);
  connect(m_timer, &QTimer::timeout, this, &OpsServer::tick);
  m_registry.setDeltaSink([this](const QString &topic, const QJsonObject &delta) {
    QMetaObject::invokeMethod(
        this, [this, topic, delta] { fanOut(topic, delta); }, Qt::QueuedConnection);
  });
}

OpsServer::~OpsServer() {
  m_registry.setDeltaSink({});
  for (auto &[socket, c] : m_connections) socket->disconnect(this);
}

void OpsServer::setOriginPolicy(OriginPolicy policy) { m_originPolicy = std::move(policy); }

void OpsServer::start() { m_timer->start(1000); }

void OpsServer::handleConnection(QTcpSocket *socket) {
  socket->setParent(this);
  // A refused or abandoned handshake leaves the socket with us; an accepted one is the
  // QWebSocket's, which may delete it first (a pending deleteLater then just lapses).
  connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
  m_server->handleConnection(socket);
}

void OpsServer::adoptSocket(qintptr fd, const QByteArray &alreadyRead) {
  auto *socket = new QTcpSocket(this);
  if (!socket->setSocketDescriptor(fd)) {
    ::close(static_cast<int>(fd));
    delete socket;
    return;
  }
  for (qsizetype i = alreadyRead.size(); i-- > 0;) socket->ungetChar(alreadyRead[i]);
  handleConnection(socket);
}

void OpsServer::onNewConnection() {
  while (QWebSocket *socket = m_server->nextPendingConnection()) {
    socket->setParent(this);
    socket->setMaxAllowedIncomingMessageSize(m_options.hardMessageBytes);
    socket->setMaxAllowedIncomingFrameSize(m_options.hardMessageBytes);
    auto connection = std::make_unique<Connection>();
    connection->socket = socket;
    connection->connectedAt = connection->lastHeard = connection->lastPing = m_clock.now();
    connect(socket, &QWebSocket::textMessageReceived, this,
            [this, socket](const QString &text) { onText(socket, text); });
    connect(socket, &QWebSocket::binaryMessageReceived, this, [this, socket](const QByteArray &) {
      if (Connection *c = find(socket)) {
        c->lastHeard = m_clock.now();
        send(*c, OpsMessage::error({OpsErrorCode::BadRequest,
                                    QStringLiteral("binary frames are not accepted: send JSON in text frames"),
                                    {}}));
      }
    });
    connect(socket, &QWebSocket::pong, this, [this, socket](quint64, const QByteArray &) {
      if (Connection *c = find(socket)) c->lastHeard = m_clock.now();
    });
    connect(socket, &QWebSocket::bytesWritten, this, [this, socket](qint64) {
      if (Connection *c = find(socket)) recover(*c);
    });
    connect(socket, &QWebSocket::disconnected, this, [this, socket] {
      m_connections.erase(socket);
      socket->deleteLater();
    });
    m_connections.emplace(socket, std::move(connection));
  }
}

OpsServer::Connection *OpsServer::find(QWebSocket *socket) {
  const auto it = m_connections.find(socket);
  return it == m_connections.end() || it->second->closing ? nullptr : it->second.get();
}

void OpsServer::onText(QWebSocket *socket, const QString &text) {
  Connection *c = find(socket);
  if (!c) return;
  c->lastHeard = m_clock.now();
  const OpsDecoded in = m_codec.decode(text.toUtf8());
  if (!in) {
    send(*c, OpsMessage::error(in.error()));
    return;
  }
  handle(*c, in.message());
}

void OpsServer::handle(Connection &c, const OpsMessage &m) {
  switch (m.type) {
  case OpsType::Ping: send(c, OpsMessage::pong(m.id, m.payload)); return;
  case OpsType::Auth: answerAuth(c, m); return;
  default: break;
  }
  if (!c.who) {
    send(c, OpsMessage::error(
                {OpsErrorCode::Unauthenticated, QStringLiteral("authenticate first: send an auth message"), m.id}));
    return;
  }
  if (!stillAuthorized(c)) return;
  switch (m.type) {
  case OpsType::Subscribe: {
    const qint64 seq = m_topicSeq[m.topic];
    const OpsMessage answer = m_registry.subscribe(m, *c.who, seq);
    if (answer.type == OpsType::Snapshot) {
      const auto topic = m_registry.topic(m.topic);
      c.subscriptions[m.topic] = {m.payload.toObject(), topic ? topic->delivery : OpsDelivery::Replaceable, false};
    }
    send(c, answer);
    return;
  }
  case OpsType::Unsubscribe:
    if (auto refused = m_registry.checkTopic(m.topic, *c.who, m.id)) {
      send(c, OpsMessage::error(*refused));
      return;
    }
    c.subscriptions.erase(m.topic);
    send(c, OpsMessage::result(m.id, QJsonObject{}));
    return;
  case OpsType::Command:
    // A deferred command may answer after its connection closed: then the answer is dropped.
    m_registry.runCommand(m, *c.who,
                          [this, server = QPointer<OpsServer>(this), socket = QPointer(c.socket)](OpsMessage a) {
                            if (!server || !socket) return;
                            if (Connection *open = find(socket)) send(*open, a);
                          });
    return;
  default: return;  // the codec lets only client types through
  }
}

void OpsServer::answerAuth(Connection &c, const OpsMessage &m) {
  if (c.who) {
    send(c, OpsMessage::error({OpsErrorCode::BadRequest,
                               QStringLiteral("already authenticated: open a new connection to change keys"), m.id}));
    return;
  }
  const QJsonValue keyValue = m.payload.toObject().value(QLatin1StringView("key"));
  std::optional<QString> key;
  if (keyValue.isString()) key = keyValue.toString();
  Result<Principal> who = m_authenticate(key);
  if (!who) {
    send(c, OpsMessage::error(OpsError::fromStatus(who.status(), m.id)));
    return;
  }
  c.who = *who;
  c.key = key;
  const std::string_view role = gateway::auth::roleName(who->role);
  send(c, OpsMessage::result(
              m.id, QJsonObject{
                        {QStringLiteral("principal"), QString::fromStdString(who->name)},
                        {QStringLiteral("role"), QString::fromLatin1(role.data(), static_cast<qsizetype>(role.size()))},
                        {QStringLiteral("node_id"), m_nodeId},
                        {QStringLiteral("versions"), QJsonArray{kOpsVersion}},
                        {QStringLiteral("max_frame_bytes"), static_cast<qint64>(m_options.maxFrameBytes)},
                        {QStringLiteral("ping_interval_ms"), static_cast<qint64>(m_options.pingInterval.count())},
                        {QStringLiteral("idle_timeout_ms"), static_cast<qint64>(m_options.idleTimeout.count())},
                    }));
}

bool OpsServer::stillAuthorized(Connection &c) {
  if (!c.who || c.who->anonymous()) return true;
  if (m_authenticate(c.key)) return true;
  close(c, QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("API key revoked"));
  return false;
}

void OpsServer::fanOut(const QString &topic, const QJsonObject &delta) {
  const qint64 seq = ++m_topicSeq[topic];
  const QByteArray frame = OpsCodec::encode(OpsMessage::delta(topic, seq, delta));
  // A copy: closing a connection may remove it from the map at once.
  std::vector<QWebSocket *> sockets;
  for (const auto &[socket, c] : m_connections) sockets.push_back(socket);
  for (QWebSocket *socket : sockets) {
    Connection *c = find(socket);
    if (!c) continue;
    const auto sub = c->subscriptions.find(topic);
    if (sub == c->subscriptions.end()) continue;
    if (sub->second.delivery == OpsDelivery::Replaceable &&
        (sub->second.lost || socket->bytesToWrite() > m_options.highWaterBytes)) {
      sub->second.lost = true;
      ++m_droppedDeltas;
      continue;
    }
    send(*c, frame);
  }
}

void OpsServer::recover(Connection &c) {
  if (c.socket->bytesToWrite() >= m_options.lowWaterBytes) return;
  for (auto &[topic, sub] : c.subscriptions) {
    if (!sub.lost) continue;
    sub.lost = false;
    if (!send(c, m_registry.snapshot(topic, sub.options, m_topicSeq[topic]))) return;
  }
}

bool OpsServer::send(Connection &c, const QByteArray &frame) {
  const qint64 unsent = c.socket->bytesToWrite();
  m_peakUnsent = std::max(m_peakUnsent, unsent);
  if (unsent > m_options.maxUnsentBytes) {
    close(c, QWebSocketProtocol::CloseCodePolicyViolated,
          QStringLiteral("client too slow: %1 bytes unsent").arg(unsent));
    return false;
  }
  c.socket->sendTextMessage(QString::fromUtf8(frame));
  return true;
}

void OpsServer::close(Connection &c, QWebSocketProtocol::CloseCode code, const QString &reason) {
  if (c.closing) return;
  c.closing = true;
  c.socket->close(code, reason);  // may emit disconnected, and so erase `c`, before returning
}

void OpsServer::tick() {
  const Clock::TimePoint now = m_clock.now();
  std::vector<QWebSocket *> sockets;
  for (const auto &[socket, c] : m_connections) sockets.push_back(socket);
  for (QWebSocket *socket : sockets) {
    Connection *c = find(socket);
    if (!c) continue;
    if (!c->who && now - c->connectedAt >= m_options.authTimeout) {
      close(*c, QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("authentication timeout"));
    } else if (now - c->lastHeard >= m_options.idleTimeout) {
      close(*c, kCloseIdle, QStringLiteral("idle timeout"));
    } else if (stillAuthorized(*c)) {
      // Keyed to what we heard, not to what we sent: a subscriber that only listens gets a
      // delta every second yet must still prove it is alive (its pong).
      if (now - c->lastHeard >= m_options.pingInterval && now - c->lastPing >= m_options.pingInterval) {
        socket->ping();
        c->lastPing = now;
      }
      recover(*c);
    }
  }
}

void OpsServer::closeAll(QWebSocketProtocol::CloseCode code, const QString &reason) {
  std::vector<QWebSocket *> sockets;
  for (const auto &[socket, c] : m_connections) sockets.push_back(socket);
  for (QWebSocket *socket : sockets)
    if (Connection *c = find(socket)) close(*c, code, reason);
}

}  // namespace lmfront::cluster
