#include "client/opsclient.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslSocket>
#include <QWebSocket>
#include <algorithm>
#include <cmath>
#include <vector>

namespace lmfront::client {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

struct OpsClient::Pending {
  OpsType type = OpsType::Command;
  QString topic;  // subscribe, unsubscribe
  QString name;   // command
  QJsonObject args;
  bool sent = false;
  Clock::TimePoint issued;
  Clock::TimePoint deadline;  // command
  bool hasContext = false;
  QPointer<QObject> context;
  ReplyHandler handler;
};

namespace {

QString idText(quint64 id) { return QString::number(id); }

QString seconds(Clock::Duration d) {
  return QString::number(duration_cast<milliseconds>(d).count() / 1000.0, 'f', 1) + QStringLiteral(" s");
}

OpsReply failure(OpsReply::Outcome outcome, OpsErrorCode code, QString message) {
  OpsReply reply;
  reply.outcome = outcome;
  reply.error = OpsError{code, std::move(message), {}};
  return reply;
}

// Qt's transport errors as a sentence for people: "QWebSocketPrivate::processHandshake: Unhandled
// http status code: 404 (Not Found)." becomes what the node answered and what that usually means.
QString describeTransportError(QString text) {
  static const QRegularExpression status(QStringLiteral("status code: (\\d+) \\(([^)]*)\\)"));
  if (const QRegularExpressionMatch m = status.match(text); m.hasMatch()) {
    const int code = m.captured(1).toInt();
    QString what =
        QStringLiteral("the node answered the WebSocket upgrade with HTTP %1 (%2)").arg(code).arg(m.captured(2));
    if (code == 404) what += QStringLiteral(": no ops API at this address");
    if (code == 403) what += QStringLiteral(": its Host or Origin rules refused this client");
    return what;
  }
  text.remove(QRegularExpression(QStringLiteral("^QWebSocket\\w*::\\w+: ")));
  while (text.endsWith(u'.')) text.chop(1);
  if (!text.isEmpty()) text[0] = text[0].toLower();
  return text;
}

// Refusals that another attempt with the same options would get again.
bool fatalAuthError(OpsErrorCode code) {
  return code == OpsErrorCode::Unauthenticated || code == OpsErrorCode::Forbidden || code == OpsErrorCode::BadRequest ||
         code == OpsErrorCode::UnsupportedVersion;
}

}  // namespace

milliseconds OpsBackoff::delay(int attempt, double random01) const {
  double d = static_cast<double>(initial.count());
  const double cap = static_cast<double>(std::max(max, initial).count());
  for (int i = 1; i < attempt && d < cap; ++i) d *= std::max(multiplier, 1.0);
  d = std::min(d, cap);
  d *= 1.0 - std::clamp(jitter, 0.0, 1.0) * std::clamp(random01, 0.0, 1.0);
  return milliseconds(std::llround(d));
}

OpsClient::OpsClient(Options options, const Clock &clock, QObject *parent)
    : QObject(parent),
      m_options(std::move(options)),
      m_clock(clock),
      m_codec(OpsCodec::Side::Client, m_options.maxMessageBytes),
      m_random(m_options.seed ? m_options.seed : QRandomGenerator::system()->generate()) {
  qRegisterMetaType<OpsError>();
  qRegisterMetaType<OpsReply>();
  m_timer.setSingleShot(true);
  connect(&m_timer, &QTimer::timeout, this, &OpsClient::tick);
}

OpsClient::~OpsClient() { dropSocket(); }

QString OpsClient::stateName(State state) {
  switch (state) {
  case State::Closed: return QStringLiteral("closed");
  case State::Connecting: return QStringLiteral("connecting");
  case State::Live: return QStringLiteral("live");
  case State::Stale: return QStringLiteral("stale");
  case State::Failed: return QStringLiteral("failed");
  }
  return QStringLiteral("unknown");
}

void OpsClient::open() {
  dropSocket();
  m_reconnectAt.reset();
  m_attempt = 0;
  m_wasLive = false;
  m_lastLoss.clear();
  connectNow();
}

void OpsClient::close() {
  if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
    // A close frame rather than a reset; the socket deletes itself once the node answered.
    QWebSocket *socket = m_socket;
    m_socket = nullptr;
    m_authed = false;
    socket->disconnect(this);
    connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    socket->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("closed by the client"));
  }
  dropSocket();
  m_reconnectAt.reset();
  setState(State::Closed, QStringLiteral("closed"));
  failCommands(true, QStringLiteral("the connection was closed"));
  arm();
}

void OpsClient::connectNow() {
  m_reconnectAt.reset();
  dropSocket();
  const QUrl &url = m_options.url;
  const QString scheme = url.scheme();
  if (!url.isValid() || url.host().isEmpty() || (scheme != u"ws" && scheme != u"wss"))
    return fail(QStringLiteral("'%1' is not a ws:// or wss:// URL").arg(url.toString()));
  QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
  if (scheme == u"wss") {
    if (!QSslSocket::supportsSsl()) return fail(QStringLiteral("wss:// needs TLS, which this build cannot load"));
    if (!m_options.caFile.isEmpty()) {
      const QList<QSslCertificate> cas = QSslCertificate::fromPath(m_options.caFile, QSsl::Pem);
      if (cas.isEmpty())
        return fail(QStringLiteral("CA file '%1' is missing or holds no PEM certificate").arg(m_options.caFile));
      tls.addCaCertificates(cas);
    }
    if (!m_options.caCertificates.isEmpty()) tls.addCaCertificates(m_options.caCertificates);
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    tls.setProtocol(QSsl::TlsV1_2OrLater);
  }

  auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
  m_socket = socket;
  m_authed = false;
  m_connected = false;
  m_transportError.clear();
  m_tlsError.clear();
  socket->setMaxAllowedIncomingMessageSize(static_cast<quint64>(m_options.maxMessageBytes));
  socket->setMaxAllowedIncomingFrameSize(static_cast<quint64>(m_options.maxMessageBytes));
  if (scheme == u"wss") socket->setSslConfiguration(tls);
  connect(socket, &QWebSocket::connected, this, [this, socket] {
    if (socket == m_socket) onConnected();
  });
  connect(socket, &QWebSocket::textMessageReceived, this, [this, socket](const QString &text) {
    if (socket == m_socket) onText(text);
  });
  connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this, socket] {
    if (socket == m_socket && m_transportError.isEmpty())
      m_transportError = describeTransportError(socket->errorString());
  });
  connect(socket, &QWebSocket::sslErrors, this, [this, socket](const QList<QSslError> &errors) {
    if (socket != m_socket) return;
    QStringList what;
    for (const QSslError &e : errors) what << e.errorString();
    m_tlsError = QStringLiteral("the node's certificate does not verify: ") + what.join(QStringLiteral("; "));
  });
  // Unconnected covers every end: a refused connect, a failed handshake, a close, a reset.
  connect(socket, &QWebSocket::stateChanged, this, [this, socket](QAbstractSocket::SocketState state) {
    if (socket == m_socket && state == QAbstractSocket::UnconnectedState) onDisconnected();
  });

  m_connectStarted = m_lastHeard = m_clock.now();
  if (m_wasLive)
    setState(State::Stale, QStringLiteral("reconnecting to %1 (attempt %2; last: %3)")
                               .arg(url.toString(QUrl::RemoveUserInfo))
                               .arg(m_attempt)
                               .arg(m_lastLoss));
  else if (m_attempt > 0)
    setState(State::Connecting, QStringLiteral("connecting to %1 (attempt %2; last: %3)")
                                    .arg(url.toString(QUrl::RemoveUserInfo))
                                    .arg(m_attempt + 1)
                                    .arg(m_lastLoss));
  else
    setState(State::Connecting, QStringLiteral("connecting to %1").arg(url.toString(QUrl::RemoveUserInfo)));
  if (socket != m_socket) return;  // a stateChanged receiver closed or reopened
  socket->open(url);
  arm();
}

void OpsClient::onConnected() {
  m_connected = true;
  m_lastHeard = m_clock.now();
  const quint64 id = m_nextId++;
  Pending auth;
  auth.type = OpsType::Auth;
  auth.sent = true;
  auth.issued = m_lastHeard;
  m_pending.emplace(id, std::move(auth));
  QJsonValue payload(QJsonValue::Undefined);
  if (m_options.apiKey) payload = QJsonObject{{QStringLiteral("key"), *m_options.apiKey}};
  send(OpsMessage::request(OpsType::Auth, idText(id), payload));
  arm();
}

void OpsClient::onText(const QString &text) {
  m_lastHeard = m_clock.now();
  const OpsDecoded in = m_codec.decode(text.toUtf8());
  if (!in) return;  // a node that breaks the protocol; nothing to answer it with
  if (m_authed && m_state == State::Stale) {
    QWebSocket *socket = m_socket;
    setState(State::Live, liveReason());
    if (socket != m_socket) return;
  }
  const OpsMessage &m = in.message();
  if (m.type == OpsType::Snapshot || m.type == OpsType::Delta)
    onStream(m);
  else
    onAnswer(m);
}

QString OpsClient::liveReason() const {
  return QStringLiteral("connected to %1 as %2 (%3)")
      .arg(m_options.url.toString(QUrl::RemoveUserInfo), m_session.principal, m_session.role);
}

void OpsClient::onAnswer(const OpsMessage &m) {
  bool numeric = false;
  const quint64 id = m.id.toULongLong(&numeric);
  const auto it = numeric ? m_pending.find(id) : m_pending.end();
  if (it == m_pending.end() || !it->second.sent) return;  // e.g. too_large, which carries no id
  switch (it->second.type) {
  case OpsType::Auth: m_pending.erase(it); return onAuthAnswer(m);
  case OpsType::Ping:
    if (m.type == OpsType::Pong) m_roundTrip = duration_cast<milliseconds>(m_clock.now() - it->second.issued);
    m_pending.erase(it);
    return;
  case OpsType::Subscribe: {
    const QString topic = it->second.topic;
    m_pending.erase(it);
    const auto t = m_topics.find(topic);
    if (m.type != OpsType::Error || t == m_topics.end() || t->second.pendingId != id) return;
    m_topics.erase(t);
    Q_EMIT subscriptionFailed(topic, m.errorPayload());
    return;
  }
  case OpsType::Command:
    if (m.type == OpsType::Result) {
      OpsReply reply;
      reply.outcome = OpsReply::Outcome::Ok;
      reply.result = m.payload;
      return finish(it, reply);
    }
    if (m.type == OpsType::Error) {
      OpsReply reply;
      reply.outcome = OpsReply::Outcome::Refused;
      reply.error = m.errorPayload();
      return finish(it, reply);
    }
    return;
  default: m_pending.erase(it); return;
  }
}

void OpsClient::onAuthAnswer(const OpsMessage &m) {
  if (m.type != OpsType::Result) {
    const OpsError error = m.type == OpsType::Error ? m.errorPayload() : OpsError{OpsErrorCode::Internal, {}, {}};
    const QString why = QStringLiteral("authentication refused: %1 (%2)")
                            .arg(error.message, QLatin1StringView(opsErrorCodeName(error.code)));
    if (fatalAuthError(error.code)) return fail(why);
    return lose(why);
  }
  const QJsonObject o = m.payload.toObject();
  m_session = OpsSession{
      o.value(QLatin1StringView("principal")).toString(), o.value(QLatin1StringView("role")).toString(),
      o.value(QLatin1StringView("node_id")).toString(), o.value(QLatin1StringView("max_frame_bytes")).toInteger()};
  m_authed = true;
  m_wasLive = true;
  m_attempt = 0;
  m_lastLoss.clear();
  m_lastPing = m_clock.now();
  QWebSocket *socket = m_socket;
  setState(State::Live, liveReason());
  if (socket != m_socket || !m_authed) return;
  for (auto &[topic, t] : m_topics) sendSubscribe(topic, t);
  flushCommands();
  arm();
}

void OpsClient::onStream(const OpsMessage &m) {
  bool numeric = false;
  const quint64 id = m.id.toULongLong(&numeric);
  if (numeric) m_pending.erase(id);
  const auto found = m_topics.find(m.topic);
  if (found == m_topics.end()) return;  // unsubscribed meanwhile
  Topic &t = found->second;
  const QJsonObject payload = m.payload.toObject();
  if (m.type == OpsType::Snapshot) {
    // Any snapshot is the topic's whole state, even one answering a subscribe made before the
    // latest: it replaces everything, and the deltas after it continue from its seq.
    if (numeric && id == t.pendingId) t.pendingId = 0;
    t.lastSeq = m.seq;
    t.awaitingSnapshot = false;
    Q_EMIT snapshotReceived(m.topic, m.seq, payload);
    return;
  }
  if (t.awaitingSnapshot || m.seq <= t.lastSeq) return;
  if (m.seq != t.lastSeq + 1) {
    ++m_seqGaps;
    sendSubscribe(m.topic, t);
    return;
  }
  t.lastSeq = m.seq;
  Q_EMIT deltaReceived(m.topic, m.seq, payload);
}

void OpsClient::onDisconnected() {
  if (!m_tlsError.isEmpty()) return fail(m_tlsError);
  // The error signal may come after the state change (a refused connect): ask the socket too.
  if (m_transportError.isEmpty() && m_socket->error() != QAbstractSocket::UnknownSocketError)
    m_transportError = describeTransportError(m_socket->errorString());
  const QWebSocketProtocol::CloseCode code = m_socket->closeCode();
  const QString reason = m_socket->closeReason();
  // Qt reports 1000 for a connection that ended without a close frame too; only a session's
  // close frame without a transport error is the node's own "normal closure".
  if (m_authed && m_transportError.isEmpty() && code == QWebSocketProtocol::CloseCodeNormal)
    return fail(QStringLiteral("the node closed the connection") +
                (reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
  if (!m_transportError.isEmpty() || !m_authed)
    return lose((m_connected ? QStringLiteral("connection lost: ") : QStringLiteral("cannot connect: ")) +
                (m_transportError.isEmpty() ? QStringLiteral("closed before the session began") : m_transportError));
  lose(QStringLiteral("the node closed the connection (%1%2)")
           .arg(static_cast<int>(code))
           .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
}

void OpsClient::lose(const QString &why) {
  dropSocket();
  m_lastLoss = why;
  for (auto &[topic, t] : m_topics) {
    t.awaitingSnapshot = true;
    t.pendingId = 0;
  }
  ++m_attempt;
  const OpsBackoff &backoff = m_options.backoff;
  if (backoff.maxAttempts > 0 && m_attempt > backoff.maxAttempts)
    return fail(QStringLiteral("%1; gave up after %2 attempts").arg(why).arg(backoff.maxAttempts));
  const milliseconds delay = backoff.delay(m_attempt, m_random.generateDouble());
  m_reconnectAt = m_clock.now() + delay;
  setState(m_wasLive ? State::Stale : State::Connecting, QStringLiteral("%1; retrying in %2").arg(why, seconds(delay)));
  failCommands(false, why);
  arm();
}

void OpsClient::fail(const QString &why) {
  dropSocket();
  m_reconnectAt.reset();
  setState(State::Failed, why);
  failCommands(true, why);
  arm();
}

void OpsClient::setState(State state, const QString &reason) {
  if (state == m_state && reason == m_reason) return;
  m_state = state;
  m_reason = reason;
  Q_EMIT stateChanged(state, reason);
}

void OpsClient::send(const OpsMessage &message) {
  if (m_socket) m_socket->sendTextMessage(QString::fromUtf8(OpsCodec::encode(message)));
}

void OpsClient::subscribe(const QString &topic, const QJsonObject &options) {
  Topic &t = m_topics[topic];
  t.options = options;
  sendSubscribe(topic, t);
}

void OpsClient::unsubscribe(const QString &topic) {
  if (!m_topics.erase(topic) || !m_authed) return;
  const quint64 id = trackTopicRequest(OpsType::Unsubscribe, topic);
  OpsMessage m = OpsMessage::request(OpsType::Unsubscribe, idText(id));
  m.topic = topic;
  send(m);
}

quint64 OpsClient::trackTopicRequest(OpsType type, const QString &topic) {
  const quint64 id = m_nextId++;
  Pending p;
  p.type = type;
  p.topic = topic;
  p.sent = true;
  p.issued = m_clock.now();
  m_pending.emplace(id, std::move(p));
  return id;
}

QStringList OpsClient::topics() const {
  QStringList names;
  for (const auto &entry : m_topics) names << entry.first;
  return names;
}

void OpsClient::sendSubscribe(const QString &topic, Topic &t) {
  t.awaitingSnapshot = true;
  t.pendingId = 0;
  if (!m_authed) return;  // sent when the session is live
  const quint64 id = trackTopicRequest(OpsType::Subscribe, topic);
  t.pendingId = id;
  send(OpsMessage::subscribe(idText(id), topic,
                             t.options.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(t.options)));
}

QString OpsClient::command(const QString &name, const QJsonObject &args, QObject *context, ReplyHandler handler,
                           std::optional<milliseconds> timeout) {
  const quint64 id = m_nextId++;
  Pending p;
  p.type = OpsType::Command;
  p.name = name;
  p.args = args;
  p.issued = m_clock.now();
  p.deadline = p.issued + timeout.value_or(m_options.commandTimeout);
  p.hasContext = context != nullptr;
  p.context = context;
  p.handler = std::move(handler);
  m_pending.emplace(id, std::move(p));
  if (m_state == State::Closed || m_state == State::Failed) {
    // Answered from the event loop, so a caller never sees its handler run inside command().
    QMetaObject::invokeMethod(
        this,
        [this, id] {
          const auto it = m_pending.find(id);
          if (it != m_pending.end())
            finish(it, failure(OpsReply::Outcome::Disconnected, OpsErrorCode::Unavailable,
                               QStringLiteral("not connected: ") + m_reason));
        },
        Qt::QueuedConnection);
  } else {
    flushCommands();
  }
  arm();
  return idText(id);
}

void OpsClient::flushCommands() {
  if (!m_authed) return;
  for (auto &[id, p] : m_pending) {
    if (p.type != OpsType::Command || p.sent) continue;
    p.sent = true;
    send(OpsMessage::command(idText(id), p.name, p.args.isEmpty() ? QJsonValue(QJsonValue::Undefined) : p.args));
  }
}

void OpsClient::finish(std::map<quint64, Pending>::iterator it, OpsReply reply) {
  reply.error.id = idText(it->first);
  Pending p = std::move(it->second);
  m_pending.erase(it);
  if (p.hasContext && !p.context) return;
  if (p.handler) p.handler(reply);
}

void OpsClient::failCommands(bool queuedToo, const QString &why) {
  std::vector<quint64> ids;
  for (auto it = m_pending.begin(); it != m_pending.end();) {
    if (it->second.type != OpsType::Command) {
      it = m_pending.erase(it);  // requests of the connection that ended
      continue;
    }
    if (it->second.sent || queuedToo) ids.push_back(it->first);
    ++it;
  }
  // Handlers may issue commands or close the client: look every id up again.
  for (quint64 id : ids) {
    const auto it = m_pending.find(id);
    if (it != m_pending.end())
      finish(it,
             failure(OpsReply::Outcome::Disconnected, OpsErrorCode::Unavailable, QStringLiteral("no answer: ") + why));
  }
}

void OpsClient::dropSocket() {
  m_authed = false;
  if (!m_socket) return;
  QWebSocket *socket = m_socket;
  m_socket = nullptr;
  socket->disconnect(this);
  socket->abort();
  socket->deleteLater();
}

void OpsClient::tick() {
  const Clock::TimePoint now = m_clock.now();
  if (m_reconnectAt && now >= *m_reconnectAt) {
    connectNow();
  } else if (m_socket && !m_authed) {
    if (now - m_connectStarted >= m_options.connectTimeout)
      lose(QStringLiteral("no session within %1").arg(seconds(m_options.connectTimeout)));
  } else if (m_socket) {
    const Clock::Duration silence = now - m_lastHeard;
    if (silence >= m_options.deadAfter) {
      lose(QStringLiteral("no answer for %1").arg(seconds(silence)));
    } else {
      if (now - m_lastPing >= m_options.pingInterval) {
        const quint64 id = m_nextId++;
        Pending ping;
        ping.type = OpsType::Ping;
        ping.sent = true;
        ping.issued = now;
        m_pending.emplace(id, std::move(ping));
        m_lastPing = now;
        send(OpsMessage::request(OpsType::Ping, idText(id)));
      }
      if (silence >= m_options.staleAfter && m_state == State::Live)
        setState(State::Stale, QStringLiteral("no answer for %1").arg(seconds(silence)));
    }
  }
  std::vector<quint64> late;
  for (const auto &[id, p] : m_pending)
    if (p.type == OpsType::Command && p.deadline <= now) late.push_back(id);
  for (quint64 id : late) {
    const auto it = m_pending.find(id);
    if (it == m_pending.end()) continue;
    const milliseconds waited = duration_cast<milliseconds>(it->second.deadline - it->second.issued);
    finish(it, failure(OpsReply::Outcome::Timeout, OpsErrorCode::Timeout,
                       QStringLiteral("no answer within %1").arg(seconds(waited))));
  }
  arm();
}

void OpsClient::arm() {
  std::optional<Clock::TimePoint> next = m_reconnectAt;
  auto consider = [&next](Clock::TimePoint t) {
    if (!next || t < *next) next = t;
  };
  if (m_socket && !m_authed) consider(m_connectStarted + m_options.connectTimeout);
  if (m_socket && m_authed) {
    consider(m_lastPing + m_options.pingInterval);
    if (m_state == State::Live) consider(m_lastHeard + m_options.staleAfter);
    consider(m_lastHeard + m_options.deadAfter);
  }
  for (const auto &[id, p] : m_pending)
    if (p.type == OpsType::Command) consider(p.deadline);
  if (!next) {
    m_timer.stop();
    return;
  }
  // At most a second ahead: with a ManualClock the real wait and the clock's notion differ,
  // and a periodic look costs nothing.
  const auto wait =
      std::clamp(std::chrono::ceil<milliseconds>(*next - m_clock.now()), milliseconds(0), milliseconds(1000));
  m_timer.start(wait);
}

}  // namespace lmfront::client
