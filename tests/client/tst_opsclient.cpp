// OpsClient against the node's real OpsServer over loopback sockets. Between them sits a TCP
// relay the test can freeze (a node that stops answering), cut (a connection reset) or stop
// listening (a node that is down). One scripted peer stands in for the node where a real one
// cannot misbehave on purpose (a seq gap). Deadlines run on ManualClocks: the test moves time.
#include "client/opsclient.h"
#include "cluster/opsserver.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>
#include <memory>
#include <vector>

using namespace lmfront;
using namespace lmfront::client;
using namespace std::chrono_literals;
using cluster::OpsDelivery;
using cluster::OpsRegistry;
using cluster::OpsServer;
using gateway::auth::Principal;
using gateway::auth::Role;
using State = OpsClient::State;

namespace {

constexpr int kWaitMs = 5000;

// Keys the test node accepts; no key is the local user only when `keyless` (a keyless loopback node).
struct Keys {
  std::map<QString, Role> valid{{u"lmf_operator"_qs, Role::Operator}, {u"lmf_viewer"_qs, Role::Viewer}};
  bool keyless = false;
  OpsServer::Authenticate callback() {
    return [this](const std::optional<QString> &key) -> Result<Principal> {
      if (!key) {
        if (keyless) return Principal{"", "local", Role::Admin};
        return Status::unauthenticated("missing API key");
      }
      const auto it = valid.find(*key);
      if (it == valid.end()) return Status::unauthenticated("invalid API key");
      return Principal{key->toStdString(), key->mid(4).toStdString(), it->second};
    };
  }
};

// A TCP relay: every accepted connection is piped to `upstream`.
class Relay : public QObject {
public:
  explicit Relay(quint16 upstream) : m_upstream(upstream) {
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket *down = m_server.nextPendingConnection()) pipe(down);
    });
  }
  bool listen(quint16 port = 0) { return m_server.listen(QHostAddress::LocalHost, port); }
  void stopListening() { m_server.close(); }
  quint16 port() const { return m_port ? m_port : m_server.serverPort(); }
  void rememberPort() { m_port = m_server.serverPort(); }
  // Connections open now stop passing bytes either way; later ones pass.
  void freeze() {
    for (auto &p : m_pipes) p->frozen = true;
  }
  // Resets every connection open now (no WebSocket close frame: a crash or a network cut).
  void cut() {
    for (auto &p : m_pipes) {
      p->down->abort();
      p->up->abort();
    }
  }
  int accepted() const { return static_cast<int>(m_pipes.size()); }

private:
  // Both sockets are the relay's children and live as long as it does.
  struct Pipe {
    QTcpSocket *down = nullptr;
    QTcpSocket *up = nullptr;
    bool frozen = false;
  };
  void pipe(QTcpSocket *down) {
    auto p = std::make_shared<Pipe>();
    p->down = down;
    p->up = new QTcpSocket(this);
    down->setParent(this);
    auto forward = [p](QTcpSocket *from, QTcpSocket *to) {
      if (!p->frozen && to->state() == QAbstractSocket::ConnectedState) to->write(from->readAll());
    };
    connect(down, &QTcpSocket::readyRead, this, [p, forward] { forward(p->down, p->up); });
    connect(p->up, &QTcpSocket::readyRead, this, [p, forward] { forward(p->up, p->down); });
    connect(p->up, &QTcpSocket::connected, this, [p, forward] { forward(p->down, p->up); });
    connect(down, &QTcpSocket::disconnected, this, [p] { p->up->disconnectFromHost(); });
    connect(p->up, &QTcpSocket::disconnected, this, [p] { p->down->disconnectFromHost(); });
    // A node that is not there resets the client's side; a node that hung up (after its close
    // frame, which is still on its way) does not.
    connect(p->up, &QTcpSocket::errorOccurred, this, [p](QAbstractSocket::SocketError e) {
      if (e != QAbstractSocket::RemoteHostClosedError) p->down->abort();
    });
    p->up->connectToHost(QHostAddress::LocalHost, m_upstream);
    m_pipes.push_back(std::move(p));
  }

  QTcpServer m_server;
  quint16 m_upstream;
  quint16 m_port = 0;
  std::vector<std::shared_ptr<Pipe>> m_pipes;
};

// Everything a client emitted.
struct Recorder {
  explicit Recorder(OpsClient &client) {
    QObject::connect(&client, &OpsClient::stateChanged, &client, [this](State s, const QString &reason) {
      states.push_back({s, reason});
    });
    QObject::connect(&client, &OpsClient::snapshotReceived, &client,
                     [this](const QString &topic, qint64 seq, const QJsonObject &payload) {
                       snapshots.push_back({topic, seq, payload});
                     });
    QObject::connect(&client, &OpsClient::deltaReceived, &client,
                     [this](const QString &topic, qint64 seq, const QJsonObject &payload) {
                       deltas.push_back({topic, seq, payload});
                     });
    QObject::connect(&client, &OpsClient::subscriptionFailed, &client,
                     [this](const QString &topic, const OpsError &error) {
                       refused.push_back({topic, error});
                     });
  }
  struct Item {
    QString topic;
    qint64 seq;
    QJsonObject payload;
  };
  QList<QPair<State, QString>> states;
  QList<Item> snapshots;
  QList<Item> deltas;
  QList<QPair<QString, OpsError>> refused;
};

bool waitState(const OpsClient &c, State s) {
  return QTest::qWaitFor([&] { return c.state() == s; }, kWaitMs);
}

}  // namespace

class TestOpsClient : public QObject {
  Q_OBJECT
private:
  ManualClock m_clock;        // the client's
  ManualClock m_serverClock;  // the node's (never advanced: its own timeouts stay out of the way)
  Keys m_keys;
  OpsRegistry m_registry;
  std::unique_ptr<OpsServer> m_server;
  QTcpServer m_listener;
  std::unique_ptr<Relay> m_relay;
  int m_snapshotsServed = 0;

  OpsClient::Options options(std::optional<QString> key = u"lmf_operator"_qs) const {
    OpsClient::Options o;
    o.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ops").arg(m_relay->port()));
    o.apiKey = std::move(key);
    o.backoff.jitter = 0;  // exact delays; OpsBackoff's jitter has its own test
    o.seed = 1;
    return o;
  }
  // Advances the client's clock and lets it act on it.
  static void advance(ManualClock &clock, OpsClient &client, Clock::Duration by) {
    clock.advance(by);
    client.tick();
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_registry
                .addTopic({u"node"_qs, Role::Viewer, OpsDelivery::Replaceable,
                           [this](const QJsonObject &) -> Result<QJsonObject> {
                             return QJsonObject{{u"ready"_qs, true}, {u"served"_qs, ++m_snapshotsServed}};
                           }})
                .isOk());
    QVERIFY(m_registry
                .addCommand({u"drain"_qs, Role::Operator,
                             [](const QJsonObject &, const Principal &) -> Result<QJsonValue> {
                               return QJsonValue(QJsonObject{{u"draining"_qs, true}});
                             }})
                .isOk());
    QVERIFY(m_registry
                .addCommand({u"set_pools"_qs, Role::Operator,
                             [](const QJsonObject &args, const Principal &) -> Result<QJsonValue> {
                               if (!args.contains(u"pools")) return Status::notFound("no pool 'english'");
                               return QJsonValue(QJsonObject{});
                             }})
                .isOk());
    QVERIFY(m_listener.listen(QHostAddress::LocalHost, 0));
    connect(&m_listener, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket *s = m_listener.nextPendingConnection()) m_server->handleConnection(s);
    });
  }

  void init() {
    m_keys = Keys{};
    m_server =
        std::make_unique<OpsServer>(m_registry, m_keys.callback(), u"n-test"_qs, m_serverClock, OpsServer::Options{});
    m_relay = std::make_unique<Relay>(m_listener.serverPort());
    QVERIFY(m_relay->listen());
    m_relay->rememberPort();
  }
  void cleanup() {
    m_relay.reset();
    m_server.reset();
  }

  void backoffGrowsIsCappedAndJittered() {
    OpsBackoff b;
    b.initial = 500ms;
    b.max = 4s;
    b.multiplier = 2;
    b.jitter = 0;
    QCOMPARE(b.delay(1, 0.9), 500ms);
    QCOMPARE(b.delay(2, 0.9), 1000ms);
    QCOMPARE(b.delay(4, 0.9), 4000ms);
    QCOMPARE(b.delay(40, 0.9), 4000ms);  // capped, and no overflow on the way
    b.jitter = 0.5;
    QCOMPARE(b.delay(3, 0.0), 2000ms);
    QCOMPARE(b.delay(3, 0.5), 1500ms);
    QCOMPARE(b.delay(3, 0.999), 1001ms);
    QCOMPARE(b.delay(10, 0.5), 3000ms);  // the cap is jittered too: no herd at the cap
  }

  void authenticatesSubscribesAndFollowsDeltas() {
    OpsClient client(options(), m_clock);
    Recorder rec(client);
    client.subscribe(u"node"_qs);  // before open: sent once the session is live
    QCOMPARE(client.state(), State::Closed);
    client.open();
    QCOMPARE(client.state(), State::Connecting);
    QVERIFY(waitState(client, State::Live));
    QCOMPARE(client.session().principal, u"operator"_qs);
    QCOMPARE(client.session().role, u"operator"_qs);
    QCOMPARE(client.session().nodeId, u"n-test"_qs);
    QVERIFY(client.stateReason().contains(u"as operator (operator)"));
    QVERIFY(QTest::qWaitFor([&] { return rec.snapshots.size() == 1; }, kWaitMs));
    QCOMPARE(rec.snapshots[0].topic, u"node"_qs);
    QCOMPARE(rec.snapshots[0].payload.value(u"ready").toBool(), true);
    const qint64 base = rec.snapshots[0].seq;
    for (int i = 1; i <= 3; ++i) QVERIFY(m_registry.publish(u"node"_qs, QJsonObject{{u"i"_qs, i}}).isOk());
    QVERIFY(QTest::qWaitFor([&] { return rec.deltas.size() == 3; }, kWaitMs));
    for (int i = 0; i < 3; ++i) {
      QCOMPARE(rec.deltas[i].seq, base + i + 1);
      QCOMPARE(rec.deltas[i].payload.value(u"i").toInt(), i + 1);
    }
    // Pings keep a quiet session live: the node answers each one. (A command's result comes
    // after the pong of a ping sent before it: one connection, answered in order.)
    for (int i = 0; i < 5; ++i) {
      advance(m_clock, client, 1s);
      bool answered = false;
      client.command(u"drain"_qs, {}, this, [&](const OpsReply &) { answered = true; });
      QVERIFY(QTest::qWaitFor([&] { return answered; }, kWaitMs));
      QCOMPARE(client.state(), State::Live);
    }
    QVERIFY(client.roundTrip() >= 0ms);
    client.unsubscribe(u"node"_qs);
    QVERIFY(client.topics().isEmpty());
    QVERIFY(m_registry.publish(u"node"_qs, QJsonObject{{u"i"_qs, 4}}).isOk());
    bool done = false;
    client.command(u"drain"_qs, {}, this, [&](const OpsReply &) { done = true; });  // a round trip
    QVERIFY(QTest::qWaitFor([&] { return done; }, kWaitMs));
    QCOMPARE(rec.deltas.size(), 3);
    QCOMPARE(rec.states.first().first, State::Connecting);
  }

  void keylessLoopbackNodeAdmitsTheLocalUser() {
    m_keys.keyless = true;
    OpsClient client(options(std::nullopt), m_clock);
    client.open();
    QVERIFY(waitState(client, State::Live));
    QCOMPARE(client.session().principal, u"local"_qs);
    QCOMPARE(client.session().role, u"admin"_qs);
  }

  // A wrong key is fatal: one attempt, then Failed however long one waits (no reconnect storm).
  void refusedAuthenticationFailsWithoutRetrying() {
    OpsClient client(options(u"lmf_wrong"_qs), m_clock);
    bool answered = false;
    OpsReply reply;
    client.open();
    client.command(u"drain"_qs, {}, this, [&](const OpsReply &r) {
      reply = r;
      answered = true;
    });
    QVERIFY(waitState(client, State::Failed));
    QVERIFY2(client.stateReason().contains(u"invalid API key"), qPrintable(client.stateReason()));
    QVERIFY(answered);
    QCOMPARE(reply.outcome, OpsReply::Outcome::Disconnected);
    for (int i = 0; i < 30; ++i) advance(m_clock, client, 2s);
    QTest::qWait(50);  // a reconnect, had one been made, would have reached the relay by now
    QCOMPARE(m_relay->accepted(), 1);
    QCOMPARE(client.state(), State::Failed);

    OpsClient keyless(options(std::nullopt), m_clock);  // this node requires keys
    keyless.open();
    QVERIFY(waitState(keyless, State::Failed));
    QVERIFY(keyless.stateReason().contains(u"missing API key"));
  }

  void commandsGetResultsErrorsAndTimeouts() {
    OpsClient client(options(), m_clock);
    QList<OpsReply> replies;
    auto collect = [&](const OpsReply &r) { replies.push_back(r); };
    client.open();
    client.command(u"drain"_qs, {}, this, collect);  // issued while connecting: sent once live
    QVERIFY(QTest::qWaitFor([&] { return replies.size() == 1; }, kWaitMs));
    QCOMPARE(replies[0].outcome, OpsReply::Outcome::Ok);
    QCOMPARE(replies[0].result.toObject().value(u"draining").toBool(), true);

    client.command(u"set_pools"_qs, {}, this, collect);
    QVERIFY(QTest::qWaitFor([&] { return replies.size() == 2; }, kWaitMs));
    QCOMPARE(replies[1].outcome, OpsReply::Outcome::Refused);
    QCOMPARE(replies[1].error.code, OpsErrorCode::NotFound);
    QCOMPARE(replies[1].error.message, u"no pool 'english'"_qs);

    client.command(u"undrian"_qs, {}, this, collect);
    QVERIFY(QTest::qWaitFor([&] { return replies.size() == 3; }, kWaitMs));
    QCOMPARE(replies[2].error.code, OpsErrorCode::UnknownCommand);

    // A handler whose context is gone is not called.
    auto context = std::make_unique<QObject>();
    bool called = false;
    client.command(u"drain"_qs, {}, context.get(), [&](const OpsReply &) { called = true; });
    context.reset();
    client.command(u"drain"_qs, {}, this, collect);
    QVERIFY(QTest::qWaitFor([&] { return replies.size() == 4; }, kWaitMs));
    QVERIFY(!called);

    // No answer: the node stops answering; the command times out on its own deadline.
    m_relay->freeze();
    client.command(u"drain"_qs, {}, this, collect, 2s);
    advance(m_clock, client, 1900ms);
    QTest::qWait(20);
    QCOMPARE(replies.size(), 4);
    advance(m_clock, client, 100ms);
    QCOMPARE(replies.size(), 5);
    QCOMPARE(replies[4].outcome, OpsReply::Outcome::Timeout);
    QCOMPARE(replies[4].error.code, OpsErrorCode::Timeout);
    QCOMPARE(replies[4].error.message, u"no answer within 2.0 s"_qs);

    // In flight when the connection resets: Disconnected, not sent again.
    client.command(u"drain"_qs, {}, this, collect);
    m_relay->cut();
    QVERIFY(QTest::qWaitFor([&] { return replies.size() == 6; }, kWaitMs));
    QCOMPARE(replies[5].outcome, OpsReply::Outcome::Disconnected);
    QCOMPARE(client.state(), State::Stale);

    client.close();
    QCOMPARE(client.state(), State::Closed);
    client.command(u"drain"_qs, {}, this, collect);
    QCOMPARE(replies.size(), 6);  // never from within command()
    QVERIFY(QTest::qWaitFor([&] { return replies.size() == 7; }, kWaitMs));
    QCOMPARE(replies[6].outcome, OpsReply::Outcome::Disconnected);
  }

  // The node goes away (1001), stays down for two attempts, comes back: the delays double, and
  // the client subscribes again and gets a fresh snapshot.
  void reconnectsWithBackoffAndResubscribes() {
    OpsClient client(options(), m_clock);
    Recorder rec(client);
    client.subscribe(u"node"_qs);
    client.open();
    QVERIFY(QTest::qWaitFor([&] { return rec.snapshots.size() == 1; }, kWaitMs));
    const int served = m_snapshotsServed;

    m_relay->stopListening();
    m_server->closeAll(QWebSocketProtocol::CloseCodeGoingAway, u"node stopping"_qs);
    QVERIFY(waitState(client, State::Stale));
    QVERIFY2(client.stateReason().contains(u"(1001: node stopping); retrying in 0.5 s"),
             qPrintable(client.stateReason()));

    advance(m_clock, client, 499ms);
    QCOMPARE(client.stateReason().contains(u"retrying in 0.5 s"), true);  // not yet
    advance(m_clock, client, 1ms);
    QVERIFY(client.stateReason().startsWith(u"reconnecting to ws://127.0.0.1:"));
    QVERIFY(QTest::qWaitFor([&] { return client.stateReason().contains(u"retrying in 1.0 s"); }, kWaitMs));
    QCOMPARE(client.state(), State::Stale);
    advance(m_clock, client, 1s);
    QVERIFY(QTest::qWaitFor([&] { return client.stateReason().contains(u"retrying in 2.0 s"); }, kWaitMs));
    QVERIFY2(client.stateReason().startsWith(u"cannot connect: connection refused; retrying in 2.0 s"),
             qPrintable(client.stateReason()));

    QVERIFY(m_relay->listen(m_relay->port()));
    advance(m_clock, client, 2s);
    QVERIFY(waitState(client, State::Live));
    QVERIFY(QTest::qWaitFor([&] { return rec.snapshots.size() == 2; }, kWaitMs));
    QCOMPARE(rec.snapshots[1].payload.value(u"served").toInt(), served + 1);  // a new one
    QCOMPARE(client.reconnectAttempt(), 0);
    const qint64 base = rec.snapshots[1].seq;
    QVERIFY(m_registry.publish(u"node"_qs, QJsonObject{{u"after"_qs, true}}).isOk());
    QVERIFY(QTest::qWaitFor([&] { return !rec.deltas.isEmpty(); }, kWaitMs));
    QCOMPARE(rec.deltas.last().seq, base + 1);

    // The path Connecting took never went through Failed or Closed.
    for (const auto &[state, reason] : rec.states) QVERIFY2(state != State::Failed, qPrintable(reason));
  }

  // A node that stops answering turns stale within 3 s (defaults) and is dropped and reconnected
  // after deadAfter.
  void silentNodeTurnsStaleThenIsReconnected() {
    OpsClient client(options(), m_clock);
    Recorder rec(client);
    client.subscribe(u"node"_qs);
    client.open();
    QVERIFY(QTest::qWaitFor([&] { return rec.snapshots.size() == 1; }, kWaitMs));
    QVERIFY(client.options().staleAfter <= 3s);
    m_relay->freeze();
    advance(m_clock, client, 1s);  // a ping goes out and is never answered
    QTest::qWait(20);
    advance(m_clock, client, 1s);
    QCOMPARE(client.state(), State::Live);
    advance(m_clock, client, 500ms);
    QCOMPARE(client.state(), State::Stale);
    QCOMPARE(client.stateReason(), u"no answer for 2.5 s"_qs);
    QCOMPARE(m_relay->accepted(), 1);

    for (int i = 0; i < 7; ++i) advance(m_clock, client, 1s);
    QCOMPARE(client.state(), State::Stale);
    advance(m_clock, client, 500ms);  // 10 s of silence
    QVERIFY2(client.stateReason().startsWith(u"no answer for 10.0 s; retrying in 0.5 s"),
             qPrintable(client.stateReason()));
    advance(m_clock, client, 500ms);
    QVERIFY(waitState(client, State::Live));
    QCOMPARE(m_relay->accepted(), 2);
    QVERIFY(QTest::qWaitFor([&] { return rec.snapshots.size() == 2; }, kWaitMs));
  }

  // A reset connection (no close frame) is retried; a node closing with 1000 is final (the doc:
  // reconnect on anything but 1000).
  void resetIsRetriedNormalCloseIsFinal() {
    OpsClient client(options(), m_clock);
    client.open();
    QVERIFY(waitState(client, State::Live));
    m_relay->cut();
    QVERIFY(waitState(client, State::Stale));
    QVERIFY2(client.stateReason().startsWith(u"connection lost: "), qPrintable(client.stateReason()));
    advance(m_clock, client, 500ms);
    QVERIFY(waitState(client, State::Live));
    m_server->closeAll(QWebSocketProtocol::CloseCodeNormal, u"bye"_qs);
    QVERIFY(waitState(client, State::Failed));
    QCOMPARE(client.stateReason(), u"the node closed the connection: bye"_qs);
  }

  // A key revoked while connected: the node closes with 1008; the reconnect's auth is refused,
  // and the client stops there.
  void revokedKeyEndsInFailed() {
    OpsClient client(options(u"lmf_viewer"_qs), m_clock);
    client.open();
    QVERIFY(waitState(client, State::Live));
    m_keys.valid.erase(u"lmf_viewer"_qs);
    m_server->tick();
    QVERIFY(waitState(client, State::Stale));
    QVERIFY2(client.stateReason().contains(u"API key revoked"), qPrintable(client.stateReason()));
    advance(m_clock, client, 500ms);
    QVERIFY(waitState(client, State::Failed));
    QVERIFY(client.stateReason().contains(u"invalid API key"));
    for (int i = 0; i < 10; ++i) advance(m_clock, client, 5s);
    QTest::qWait(20);
    QCOMPARE(m_relay->accepted(), 2);
  }

  void refusedSubscriptionLeavesTheSet() {
    OpsClient client(options(u"lmf_viewer"_qs), m_clock);
    Recorder rec(client);
    client.subscribe(u"alerts"_qs);
    client.subscribe(u"node"_qs);
    client.open();
    QVERIFY(QTest::qWaitFor([&] { return rec.refused.size() == 1 && rec.snapshots.size() == 1; }, kWaitMs));
    QCOMPARE(rec.refused[0].first, u"alerts"_qs);
    QCOMPARE(rec.refused[0].second.code, OpsErrorCode::UnknownTopic);
    QCOMPARE(client.topics(), QStringList{u"node"_qs});
  }

  // Backoff::maxAttempts bounds a client that never gets through (the CLI's choice; the console
  // keeps trying).
  void givesUpAfterMaxAttempts() {
    m_relay->stopListening();
    OpsClient::Options o = options();
    o.backoff.maxAttempts = 2;
    OpsClient client(o, m_clock);
    client.open();
    QVERIFY(QTest::qWaitFor([&] { return client.stateReason().contains(u"retrying in 0.5 s"); }, kWaitMs));
    advance(m_clock, client, 500ms);
    QVERIFY(QTest::qWaitFor([&] { return client.stateReason().contains(u"retrying in 1.0 s"); }, kWaitMs));
    QCOMPARE(client.state(), State::Connecting);
    advance(m_clock, client, 1s);
    QVERIFY(waitState(client, State::Failed));
    QCOMPARE(client.stateReason(), u"cannot connect: connection refused; gave up after 2 attempts"_qs);
  }

  // Something that answers HTTP but has no ops API there (a node of an older version): retried,
  // and the reason says what came back.
  void upgradeRefusedIsRetriedWithTheAnswerInTheReason() {
    QTcpServer http;
    QVERIFY(http.listen(QHostAddress::LocalHost, 0));
    connect(&http, &QTcpServer::newConnection, this, [&] {
      while (QTcpSocket *s = http.nextPendingConnection()) {
        connect(s, &QTcpSocket::readyRead, s, [s] {
          s->readAll();
          s->write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
          s->disconnectFromHost();
        });
      }
    });
    OpsClient::Options o = options();
    o.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ops").arg(http.serverPort()));
    OpsClient client(o, m_clock);
    client.open();
    QVERIFY(QTest::qWaitFor([&] { return client.stateReason().contains(u"retrying"); }, kWaitMs));
    QCOMPARE(client.state(), State::Connecting);
    QCOMPARE(client.stateReason(),
             u"cannot connect: the node answered the WebSocket upgrade with HTTP 404 (Not Found): "
             u"no ops API at this address; retrying in 0.5 s"_qs);
    advance(m_clock, client, 500ms);
    QVERIFY(client.stateReason().startsWith(u"connecting to ws://127.0.0.1:"));
    QVERIFY(client.stateReason().contains(u"(attempt 2; last: cannot connect: the node answered"));
  }

  void badUrlAndCaFileFailAtOnce() {
    OpsClient::Options o = options();
    o.url = QUrl(u"http://127.0.0.1:1/ops"_qs);
    OpsClient http(o, m_clock);
    http.open();
    QCOMPARE(http.state(), State::Failed);
    QVERIFY(http.stateReason().contains(u"is not a ws:// or wss:// URL"));
    o.url = QUrl(u"wss://127.0.0.1:1/ops"_qs);
    o.caFile = u"/nonexistent/ca.pem"_qs;
    OpsClient tls(o, m_clock);
    tls.open();
    QCOMPARE(tls.state(), State::Failed);
    QVERIFY2(tls.stateReason().contains(u"CA file '/nonexistent/ca.pem'"), qPrintable(tls.stateReason()));
  }

  void seqGapSubscribesAgain();
};

// ---- a scripted peer: a real node never skips a seq, so this one does on request -------------

namespace {

class ScriptedNode : public QObject {
public:
  ScriptedNode() : m_server(u"scripted"_qs, QWebSocketServer::NonSecureMode) {
    connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
      while (QWebSocket *s = m_server.nextPendingConnection()) {
        s->setParent(this);
        m_socket = s;
        connect(s, &QWebSocket::textMessageReceived, this, [this](const QString &text) { onText(text); });
      }
    });
  }
  bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
  quint16 port() const { return m_server.serverPort(); }
  void send(const OpsMessage &m) {
    if (m_socket) m_socket->sendTextMessage(QString::fromUtf8(OpsCodec::encode(m)));
  }
  qint64 snapshotSeq = 0;
  QStringList subscribes;

private:
  void onText(const QString &text) {
    const OpsDecoded in = OpsCodec(OpsCodec::Side::Node).decode(text.toUtf8());
    if (!in) return;
    const OpsMessage &m = in.message();
    if (m.type == OpsType::Auth)
      send(OpsMessage::result(m.id, QJsonObject{{u"principal"_qs, u"local"_qs}, {u"role"_qs, u"admin"_qs}}));
    else if (m.type == OpsType::Subscribe) {
      subscribes << m.id;
      send(OpsMessage::snapshot(m.topic, snapshotSeq, QJsonObject{{u"at"_qs, snapshotSeq}}, m.id));
    } else if (m.type == OpsType::Ping)
      send(OpsMessage::pong(m.id, m.payload));
  }
  QWebSocketServer m_server;
  QPointer<QWebSocket> m_socket;
};

}  // namespace

void TestOpsClient::seqGapSubscribesAgain() {
  ScriptedNode node;
  QVERIFY(node.listen());
  OpsClient::Options o = options(std::nullopt);
  o.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ops").arg(node.port()));
  OpsClient client(o, m_clock);
  Recorder rec(client);
  node.snapshotSeq = 5;
  client.subscribe(u"metrics"_qs);
  client.open();
  QVERIFY(QTest::qWaitFor([&] { return rec.snapshots.size() == 1; }, kWaitMs));
  QCOMPARE(rec.snapshots[0].seq, 5);
  node.send(OpsMessage::delta(u"metrics"_qs, 6, QJsonObject{{u"n"_qs, 6}}));
  node.send(OpsMessage::delta(u"metrics"_qs, 6, QJsonObject{{u"n"_qs, 6}}));  // a repeat: skipped
  node.snapshotSeq = 8;
  node.send(OpsMessage::delta(u"metrics"_qs, 8, QJsonObject{{u"n"_qs, 8}}));  // 7 is missing
  node.send(OpsMessage::delta(u"metrics"_qs, 9, QJsonObject{{u"n"_qs, 9}}));  // before the new snapshot
  QVERIFY(QTest::qWaitFor([&] { return rec.snapshots.size() == 2; }, kWaitMs));
  QCOMPARE(node.subscribes.size(), 2);
  QCOMPARE(client.seqGaps(), 1);
  QCOMPARE(rec.snapshots[1].seq, 8);
  node.send(OpsMessage::delta(u"metrics"_qs, 9, QJsonObject{{u"n"_qs, 9}}));
  QVERIFY(QTest::qWaitFor([&] { return rec.deltas.size() == 2; }, kWaitMs));
  QCOMPARE(rec.deltas[0].seq, 6);
  QCOMPARE(rec.deltas[1].seq, 9);
  QCOMPARE(rec.deltas[1].payload.value(u"n").toInt(), 9);
}

QTEST_GUILESS_MAIN(TestOpsClient)
#include "tst_opsclient.moc"
