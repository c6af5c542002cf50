// OpsServer over real loopback sockets: a QTcpServer hands accepted connections to it the way the
// data plane will, and Qt's own WebSocket client (plus one raw blocking client on its own thread,
// to be a reader that stalls) follows docs/ops-protocol.md. Time-based rules run on a ManualClock.
#include "cluster/opsserver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <QJsonArray>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QWebSocket>
#include <atomic>
#include <set>
#include <thread>

using namespace lmfront;
using namespace lmfront::cluster;
using namespace std::chrono_literals;

namespace {

// Test keys: any key in `valid` is accepted with its role; no key is refused.
struct Keys {
  std::map<QString, Role> valid{{u"lmf_operator"_qs, Role::Operator}, {u"lmf_viewer"_qs, Role::Viewer}};
  OpsServer::Authenticate callback() {
    return [this](const std::optional<QString> &key) -> Result<Principal> {
      if (!key) return Status::unauthenticated("missing API key");
      const auto it = valid.find(*key);
      if (it == valid.end()) return Status::unauthenticated("invalid API key");
      return Principal{key->toStdString(), key->mid(4).toStdString(), it->second};
    };
  }
};

class Client : public QObject {
public:
  explicit Client(const QString &origin = {}) : m_socket(origin) {
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
      const OpsDecoded in = OpsCodec(OpsCodec::Side::Client).decode(text.toUtf8());
      if (in)
        received.push_back(in.message());
      else
        ++undecodable;
    });
  }
  bool open(quint16 port) {
    m_socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ops").arg(port)));
    return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, 5000);
  }
  void send(const QByteArray &frame) { m_socket.sendTextMessage(QString::fromUtf8(frame)); }
  void send(const OpsMessage &m) { send(OpsCodec::encode(m)); }
  // The first message received after `from` that matches.
  std::optional<OpsMessage> waitFor(std::function<bool(const OpsMessage &)> match, qsizetype from = 0) {
    std::optional<OpsMessage> found;
    (void)QTest::qWaitFor(
        [&] {
          for (qsizetype i = from; i < received.size() && !found; ++i)
            if (match(received[i])) found = received[i];
          return found.has_value();
        },
        5000);
    return found;
  }
  std::optional<OpsMessage> answer(const QString &id) {
    return waitFor([id](const OpsMessage &m) { return m.id == id; });
  }
  bool waitClosed() {
    return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; }, 5000);
  }
  QWebSocket &socket() { return m_socket; }

  QList<OpsMessage> received;
  int undecodable = 0;

private:
  QWebSocket m_socket;
};

OpsMessage auth(const QString &id, const QString &key) {
  return OpsMessage::request(OpsType::Auth, id, QJsonObject{{u"key"_qs, key}});
}

}  // namespace

class TestOpsServer : public QObject {
  Q_OBJECT
private:
  ManualClock m_clock;
  Keys m_keys;
  OpsRegistry m_registry;
  std::unique_ptr<OpsServer> m_server;
  QTcpServer m_listener;
  int m_drains = 0;

  void makeServer(OpsServer::Options options = {}) {
    m_server = std::make_unique<OpsServer>(m_registry, m_keys.callback(), u"n-test"_qs, m_clock, options);
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_registry
                .addTopic({u"node"_qs, Role::Viewer, OpsDelivery::Replaceable,
                           [](const QJsonObject &) -> Result<QJsonObject> {
                             return QJsonObject{{u"ready"_qs, true}};
                           }})
                .isOk());
    QVERIFY(m_registry
                .addCommand({u"drain"_qs, Role::Operator,
                             [this](const QJsonObject &, const Principal &) -> Result<QJsonValue> {
                               ++m_drains;
                               return QJsonValue(QJsonObject{{u"draining"_qs, true}});
                             }})
                .isOk());
    QVERIFY(m_listener.listen(QHostAddress::LocalHost, 0));
    connect(&m_listener, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket *s = m_listener.nextPendingConnection()) m_server->handleConnection(s);
    });
  }

  void init() {
    m_keys = Keys{};
    makeServer();
  }
  void cleanup() { m_server.reset(); }

  void authSubscribeDeltaCommandPing() {
    Client c;
    QVERIFY(c.open(m_listener.serverPort()));
    c.send(auth(u"1"_qs, u"lmf_operator"_qs));
    const auto authed = c.answer(u"1"_qs);
    QVERIFY(authed);
    QCOMPARE(authed->type, OpsType::Result);
    const QJsonObject session = authed->payload.toObject();
    QCOMPARE(session.value(u"principal").toString(), u"operator"_qs);
    QCOMPARE(session.value(u"role").toString(), u"operator"_qs);
    QCOMPARE(session.value(u"node_id").toString(), u"n-test"_qs);
    QCOMPARE(session.value(u"versions").toArray(), QJsonArray{1});
    QCOMPARE(session.value(u"max_frame_bytes").toInteger(), 1 << 20);

    c.send(OpsMessage::subscribe(u"2"_qs, u"node"_qs));
    const auto snapshot = c.answer(u"2"_qs);
    QVERIFY(snapshot);
    QCOMPARE(snapshot->type, OpsType::Snapshot);
    QCOMPARE(snapshot->topic, u"node"_qs);
    QCOMPARE(snapshot->payload.toObject().value(u"ready").toBool(), true);

    QVERIFY(m_registry.publish(u"node"_qs, QJsonObject{{u"ready"_qs, false}}).isOk());
    const auto delta = c.waitFor([](const OpsMessage &m) { return m.type == OpsType::Delta; });
    QVERIFY(delta);
    QCOMPARE(delta->seq, snapshot->seq + 1);
    QCOMPARE(delta->payload.toObject().value(u"ready").toBool(), false);

    const int drains = m_drains;
    c.send(OpsMessage::command(u"3"_qs, u"drain"_qs));
    const auto result = c.answer(u"3"_qs);
    QVERIFY(result);
    QCOMPARE(result->type, OpsType::Result);
    QCOMPARE(result->payload.toObject().value(u"draining").toBool(), true);
    QCOMPARE(m_drains, drains + 1);

    c.send(OpsMessage::request(OpsType::Ping, u"4"_qs, QJsonObject{{u"sent_ms"_qs, 12345}}));
    const auto pong = c.answer(u"4"_qs);
    QVERIFY(pong);
    QCOMPARE(pong->type, OpsType::Pong);
    QCOMPARE(pong->payload.toObject().value(u"sent_ms").toInt(), 12345);

    // After unsubscribe, deltas stop.
    c.send(OpsMessage::request(OpsType::Unsubscribe, u"5"_qs));  // no topic
    QCOMPARE(c.answer(u"5"_qs)->errorPayload().code, OpsErrorCode::BadRequest);
    OpsMessage unsubscribe = OpsMessage::request(OpsType::Unsubscribe, u"6"_qs);
    unsubscribe.topic = u"node"_qs;
    c.send(unsubscribe);
    QCOMPARE(c.answer(u"6"_qs)->type, OpsType::Result);
    const qsizetype before = c.received.size();
    QVERIFY(m_registry.publish(u"node"_qs, QJsonObject{{u"ready"_qs, true}}).isOk());
    c.send(OpsMessage::request(OpsType::Ping, u"7"_qs));
    QVERIFY(c.answer(u"7"_qs));
    for (qsizetype i = before; i < c.received.size(); ++i) QVERIFY(c.received[i].type != OpsType::Delta);
    QCOMPARE(c.undecodable, 0);
  }

  void unauthenticatedAndUnderPrivilegedAreRefused() {
    Client c;
    QVERIFY(c.open(m_listener.serverPort()));
    c.send(OpsMessage::subscribe(u"s"_qs, u"node"_qs));
    QCOMPARE(c.answer(u"s"_qs)->errorPayload().code, OpsErrorCode::Unauthenticated);
    c.send(OpsMessage::command(u"c"_qs, u"drain"_qs));
    QCOMPARE(c.answer(u"c"_qs)->errorPayload().code, OpsErrorCode::Unauthenticated);
    c.send(OpsMessage::request(OpsType::Auth, u"a0"_qs));
    QCOMPARE(c.answer(u"a0"_qs)->errorPayload().message, u"missing API key"_qs);
    c.send(auth(u"a1"_qs, u"lmf_wrong"_qs));
    QCOMPARE(c.answer(u"a1"_qs)->errorPayload().code, OpsErrorCode::Unauthenticated);
    c.send(auth(u"a2"_qs, u"lmf_viewer"_qs));  // the connection stayed usable
    QCOMPARE(c.answer(u"a2"_qs)->type, OpsType::Result);
    c.send(auth(u"a3"_qs, u"lmf_operator"_qs));
    QCOMPARE(c.answer(u"a3"_qs)->errorPayload().code, OpsErrorCode::BadRequest);
    const int drains = m_drains;
    c.send(OpsMessage::command(u"d"_qs, u"drain"_qs));
    const auto refused = c.answer(u"d"_qs);
    QCOMPARE(refused->errorPayload().code, OpsErrorCode::Forbidden);
    QCOMPARE(refused->errorPayload().message, u"this needs the operator role; key 'viewer' has viewer"_qs);
    QCOMPARE(m_drains, drains);
    c.send(OpsMessage::command(u"u"_qs, u"undrian"_qs));
    QCOMPARE(c.answer(u"u"_qs)->errorPayload().code, OpsErrorCode::UnknownCommand);
    c.send(OpsMessage::subscribe(u"t"_qs, u"alerts"_qs));
    QCOMPARE(c.answer(u"t"_qs)->errorPayload().code, OpsErrorCode::UnknownTopic);
  }

  void malformedFramesAreAnsweredAndTheConnectionLives() {
    OpsServer::Options options;
    options.maxFrameBytes = 1024;
    makeServer(options);
    Client c;
    QVERIFY(c.open(m_listener.serverPort()));
    const QList<QByteArray> bad{"",
                                "{",
                                "[1]",
                                "null",
                                R"({"v":2,"type":"ping","id":"x"})",
                                R"({"v":1,"type":"nope"})",
                                R"({"v":1,"type":"ping"})",
                                R"({"v":1,"type":"result","id":"r"})"};
    constexpr int kRounds = 25;
    for (int round = 0; round < kRounds; ++round)
      for (const QByteArray &frame : bad) c.send(frame);
    c.send(QByteArray(2000, ' '));
    c.socket().sendBinaryMessage(QByteArray("{}"));
    const int expected = kRounds * static_cast<int>(bad.size()) + 2;
    QVERIFY(QTest::qWaitFor([&] { return c.received.size() >= expected; }, 5000));
    int tooLarge = 0;
    int binary = 0;
    for (const OpsMessage &m : c.received) {
      QCOMPARE(m.type, OpsType::Error);
      tooLarge += m.errorPayload().code == OpsErrorCode::TooLarge;
      binary += m.errorPayload().message.contains(u"binary");
    }
    QCOMPARE(tooLarge, 1);
    QCOMPARE(binary, 1);
    c.send(OpsMessage::request(OpsType::Ping, u"alive"_qs));
    QCOMPARE(c.answer(u"alive"_qs)->type, OpsType::Pong);
    QCOMPARE(m_server->connectionCount(), 1);
  }

  void foreignOriginIsRefusedAtTheHandshake() {
    m_server->setOriginPolicy(
        [](const QString &origin) { return origin.isEmpty() || origin == u"http://localhost:3000"_qs; });
    bool ended = false;  // outlive `evil`, whose socket may still signal while it closes
    bool connected = false;
    Client evil(u"http://evil.example"_qs);
    connect(&evil.socket(), &QWebSocket::connected, this, [&] { connected = true; });
    connect(&evil.socket(), qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [&] { ended = true; });
    connect(&evil.socket(), &QWebSocket::disconnected, this, [&] { ended = true; });
    evil.socket().open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ops").arg(m_listener.serverPort())));
    QVERIFY(QTest::qWaitFor([&] { return ended; }, 5000));
    QVERIFY(!connected);
    QCOMPARE(m_server->connectionCount(), 0);
    Client trusted(u"http://localhost:3000"_qs);
    QVERIFY(trusted.open(m_listener.serverPort()));
    QTRY_COMPARE(m_server->connectionCount(), 1);
  }

  void timeoutsRunOnTheInjectedClock() {
    Client silent;
    QVERIFY(silent.open(m_listener.serverPort()));
    Client authed;
    QVERIFY(authed.open(m_listener.serverPort()));
    authed.send(auth(u"1"_qs, u"lmf_viewer"_qs));
    QVERIFY(authed.answer(u"1"_qs));
    QTRY_COMPARE(m_server->connectionCount(), 2);
    m_clock.advance(9s);
    m_server->tick();
    QCOMPARE(m_server->connectionCount(), 2);
    m_clock.advance(1s);  // 10 s without auth
    m_server->tick();
    QVERIFY(silent.waitClosed());
    QCOMPARE(silent.socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(authed.socket().state(), QAbstractSocket::ConnectedState);
    m_clock.advance(50s);  // 60 s without a word from `authed`
    m_server->tick();
    QVERIFY(authed.waitClosed());
    // 4000 lies outside QWebSocketProtocol::CloseCode's enumerators: compare the numbers, since
    // holding it in an enum-typed reference (as QCOMPARE would) is undefined behaviour.
    QCOMPARE(static_cast<int>(authed.socket().closeCode()), 4000);
    QTRY_COMPARE(m_server->connectionCount(), 0);
  }

  void revokedKeyIsDisconnected() {
    Client c;
    QVERIFY(c.open(m_listener.serverPort()));
    c.send(auth(u"1"_qs, u"lmf_operator"_qs));
    QCOMPARE(c.answer(u"1"_qs)->type, OpsType::Result);
    m_keys.valid.erase(u"lmf_operator"_qs);
    m_server->tick();
    QVERIFY(c.waitClosed());
    QCOMPARE(c.socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(c.socket().closeReason(), u"API key revoked"_qs);
  }

  // The data plane's hand-over: it accepted the connection and read the upgrade request off the
  // descriptor before it knew the request was for /ops; the server still completes the handshake.
  void adoptsAConnectionWhoseRequestWasAlreadyRead() {
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QVERIFY(::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
    QVERIFY(::listen(listener, 4) == 0);
    socklen_t len = sizeof addr;
    QVERIFY(::getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &len) == 0);
    Client c;
    c.socket().open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ops").arg(ntohs(addr.sin_port))));
    int fd = -1;
    QVERIFY(QTest::qWaitFor([&] { return (fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0; }, 5000));
    ::close(listener);
    QByteArray head;
    QVERIFY(QTest::qWaitFor(
        [&] {
          char buf[4096];
          const ssize_t n = ::read(fd, buf, sizeof buf);
          if (n > 0) head.append(buf, n);
          return head.contains("\r\n\r\n");
        },
        5000));
    QVERIFY(head.startsWith("GET /ops "));
    m_server->adoptSocket(fd, head);
    QVERIFY(QTest::qWaitFor([&] { return c.socket().state() == QAbstractSocket::ConnectedState; }, 5000));
    c.send(auth(u"1"_qs, u"lmf_viewer"_qs));
    QCOMPARE(c.answer(u"1"_qs)->type, OpsType::Result);
    QCOMPARE(m_server->connectionCount(), 1);
  }

  // A reader that stops reading loses deltas (counted), the node's backlog for it stays bounded,
  // a normal reader meanwhile gets every delta, and the slow one is made whole by a snapshot.
  void slowConsumerLosesDeltasThenGetsASnapshot();
};

// ---- the stalled reader: a raw blocking WebSocket client on its own thread --------------------

namespace {

bool sendAll(int fd, const QByteArray &bytes) {
  qsizetype off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.constData() + off, static_cast<size_t>(bytes.size() - off), MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += n;
  }
  return true;
}

bool recvExactly(int fd, char *into, size_t size) {
  size_t got = 0;
  while (got < size) {
    const ssize_t n = ::recv(fd, into + got, size - got, 0);
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

// A masked client text frame (mask 0: allowed, and the payload stays readable).
QByteArray clientFrame(const QByteArray &payload) {
  QByteArray f;
  f.append(char(0x81));
  if (payload.size() < 126) {
    f.append(char(0x80 | payload.size()));
  } else {
    f.append(char(0x80 | 126));
    f.append(char(payload.size() >> 8));
    f.append(char(payload.size() & 0xff));
  }
  f.append(QByteArray(4, '\0'));
  return f + payload;
}

// The next data frame's payload from the node (unmasked, unfragmented: Qt sends it so).
std::optional<QByteArray> readFrame(int fd) {
  for (;;) {
    unsigned char head[2];
    if (!recvExactly(fd, reinterpret_cast<char *>(head), 2)) return std::nullopt;
    quint64 len = head[1] & 0x7f;
    if (len >= 126) {
      unsigned char ext[8];
      const size_t n = len == 126 ? 2 : 8;
      if (!recvExactly(fd, reinterpret_cast<char *>(ext), n)) return std::nullopt;
      len = 0;
      for (size_t i = 0; i < n; ++i) len = (len << 8) | ext[i];
    }
    QByteArray payload(static_cast<qsizetype>(len), '\0');
    if (len && !recvExactly(fd, payload.data(), len)) return std::nullopt;
    if ((head[0] & 0x0f) == 0x1) return payload;  // text; skip pings and the like
  }
}

}  // namespace

void TestOpsServer::slowConsumerLosesDeltasThenGetsASnapshot() {
  Client fast;
  QVERIFY(fast.open(m_listener.serverPort()));
  fast.send(auth(u"1"_qs, u"lmf_viewer"_qs));
  fast.send(OpsMessage::subscribe(u"2"_qs, u"node"_qs));
  QVERIFY(fast.answer(u"2"_qs));

  std::atomic<int> stage{0};  // 1: subscribed and stalled; 2: read on; 3: done
  QList<OpsMessage> slowGot;
  const quint16 port = m_listener.serverPort();
  std::thread slow([&] {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    timeval timeout{20, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) return (void)stage.store(3);
    sendAll(fd,
            "GET /ops HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QByteArray head;
    char ch;
    while (!head.endsWith("\r\n\r\n") && ::recv(fd, &ch, 1, 0) == 1) head.append(ch);
    sendAll(fd, clientFrame(OpsCodec::encode(auth(u"1"_qs, u"lmf_viewer"_qs))));
    sendAll(fd, clientFrame(OpsCodec::encode(OpsMessage::subscribe(u"2"_qs, u"node"_qs))));
    const OpsCodec codec(OpsCodec::Side::Client);
    auto next = [&]() -> std::optional<OpsMessage> {
      const auto frame = readFrame(fd);
      if (!frame) return std::nullopt;
      const OpsDecoded in = codec.decode(*frame);
      return in ? std::optional<OpsMessage>(in.message()) : std::nullopt;
    };
    while (auto m = next()) {
      slowGot.push_back(*m);
      if (m->id == u"2"_qs) break;
    }
    stage.store(1);
    stage.wait(1);  // the stall under test: read nothing until the node has published
    while (auto m = next()) {
      slowGot.push_back(*m);
      if (m->type == OpsType::Snapshot && m->id.isEmpty()) break;  // made whole
    }
    ::close(fd);
    stage.store(3);
  });

  // Whatever fails below, the reader is released and joined.
  struct Release {
    std::atomic<int> &stage;
    std::thread &thread;
    ~Release() {
      if (stage.load() < 2) stage.store(2);
      stage.notify_all();
      if (thread.joinable()) thread.join();
    }
  } release{stage, slow};
  QVERIFY(QTest::qWaitFor([&] { return stage.load() >= 1; }, 10'000));
  constexpr int kDeltas = 400;
  const QString blob(32 * 1024, u'x');
  auto fastDeltas = [&] {
    return std::count_if(fast.received.begin(), fast.received.end(),
                         [](const OpsMessage &m) { return m.type == OpsType::Delta; });
  };
  bool fastKeptUp = true;
  for (int i = 1; i <= kDeltas && fastKeptUp; ++i) {
    QVERIFY(m_registry.publish(u"node"_qs, QJsonObject{{u"i"_qs, i}, {u"blob"_qs, blob}}).isOk());
    // A reader that keeps up: it has each delta before the next one is published. An event loop
    // rather than qWaitFor, whose 10 ms naps would make this take seconds.
    if (fastDeltas() < i) {
      QEventLoop loop;
      QTimer::singleShot(5000, &loop, &QEventLoop::quit);
      const auto watch = connect(&fast.socket(), &QWebSocket::textMessageReceived, &loop, [&] {
        if (fastDeltas() >= i) loop.quit();
      });
      loop.exec();
      disconnect(watch);
    }
    fastKeptUp = fastDeltas() == i;
  }
  QVERIFY2(fastKeptUp, qPrintable(QStringLiteral("fast reader got %1 deltas, %2 dropped in all")
                                      .arg(fastDeltas())
                                      .arg(m_server->droppedDeltas())));
  QVERIFY(m_server->droppedDeltas() > 0);
  const qint64 highWater = OpsServer::Options{}.highWaterBytes;
  QVERIFY2(m_server->peakUnsentBytes() <= highWater, qPrintable(QString::number(m_server->peakUnsentBytes())));
  stage.store(2);
  stage.notify_all();
  QVERIFY(QTest::qWaitFor([&] { return stage.load() == 3; }, 20'000));
  slow.join();

  // seq accounting: deltas consecutive; each recovery snapshot's jump is what was dropped.
  qint64 last = -1;
  qint64 dropped = 0;
  bool recovered = false;
  for (const OpsMessage &m : slowGot) {
    if (m.type == OpsType::Snapshot) {
      if (last >= 0 && m.id.isEmpty()) {
        dropped += m.seq - last;
        recovered = true;
      }
      last = m.seq;
    } else if (m.type == OpsType::Delta) {
      QCOMPARE(m.seq, last + 1);
      last = m.seq;
    }
  }
  QVERIFY(recovered);
  QCOMPARE(last, qint64(kDeltas));  // the stream ends at the newest delta
  QCOMPARE(static_cast<quint64>(dropped), m_server->droppedDeltas());
  // The fast reader lost nothing.
  QCOMPARE(fast.undecodable, 0);
}

QTEST_GUILESS_MAIN(TestOpsServer)
#include "tst_opsserver.moc"
