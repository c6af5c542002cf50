// The ops API as a real node serves it (docs/ops-protocol.md), in process over real sockets on
// 127.0.0.1: the WebSocket upgrade on the data-plane port while plain HTTP keeps being answered
// on it; foreign Origin and Host refused at the handshake; unauthenticated and under-privileged
// commands refused; drain → 503 `draining` → undrain → 200; set_pools changes /v1/models; the
// node and metrics topics; 200 connections that send broken frames leave the node serving; a
// client that stops reading does not hold back the others' metric deltas; GET /admin/series
// charts real traffic, admin only, and refuses a bad parameter with 400.
#include "../support/fakehttp.h"
#include "../support/tinymodel.h"
#include "client/opsclient.h"
#include "common/clock.h"
#include "common/eventsink.h"
#include "gateway/auth/keystore.h"
#include "node/node.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QWebSocket>
#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>
#include <chrono>
#include <thread>

using namespace lmfront;
using namespace std::chrono_literals;
using testing::rawRequest;
using testing::trainTinyModel;

namespace {

const std::string kCompletion = R"({"model":"tiny","prompt":"the cat","max_tokens":3,"seed":1})";

std::string upgradeRequest(const std::string &extra) {
  return "GET /ops HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
         extra + "\r\n";
}

// Sends `wire` on a fresh connection and returns what came back: everything until the peer
// closes (5 s at most), or with `after` (frames sent once the handshake was answered) the
// handshake's answer and the node's first reaction to them (an error message or a close frame).
std::string talk(quint16 port, const std::string &wire, const std::string &after = {}) {
  const int fd = testing::connectTo(port, 5000);
  if (fd < 0) return {};
  std::string in;
  if (::send(fd, wire.data(), wire.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(wire.size())) {
    char buf[4096];
    std::size_t headEnd = std::string::npos;
    for (;;) {
      if (!after.empty() && headEnd != std::string::npos && in.size() > headEnd + 4) break;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
      if (!after.empty() && headEnd == std::string::npos && (headEnd = in.find("\r\n\r\n")) != std::string::npos)
        (void)::send(fd, after.data(), after.size(), MSG_NOSIGNAL);
    }
  }
  ::close(fd);
  return in;
}

// A QWebSocket speaking the protocol by hand (what any client does), with a queue of messages.
class Peer {
public:
  explicit Peer(quint16 port) {
    QObject::connect(&m_socket, &QWebSocket::textMessageReceived,
                     [this](const QString &text) { m_in.push_back(QJsonDocument::fromJson(text.toUtf8()).object()); });
    m_socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ops").arg(port)));
  }
  bool connected() {
    return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, 5000);
  }
  void send(const QJsonObject &message) {
    QJsonObject m = message;
    m.insert(u"v"_qs, 1);
    m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(m).toJson(QJsonDocument::Compact)));
  }
  // The next message answering `id`, or {} after 5 s.
  QJsonObject answer(const QString &id) {
    QJsonObject found;
    (void)QTest::qWaitFor(
        [&] {
          for (auto it = m_in.begin(); it != m_in.end(); ++it)
            if (it->value(u"id"_qs).toString() == id) {
              found = *it;
              m_in.erase(it);
              return true;
            }
          return false;
        },
        5000);
    return found;
  }
  QJsonObject request(const QJsonObject &message) {
    const QString id = QString::number(++m_next);
    QJsonObject m = message;
    m.insert(u"id"_qs, id);
    send(m);
    return answer(id);
  }
  QJsonObject command(const QString &name, const QJsonObject &payload = {}) {
    return request({{u"type"_qs, u"command"_qs}, {u"name"_qs, name}, {u"payload"_qs, payload}});
  }
  QJsonObject auth(const std::optional<std::string> &key) {
    QJsonObject payload;
    if (key) payload.insert(u"key"_qs, QString::fromStdString(*key));
    return request({{u"type"_qs, u"auth"_qs}, {u"payload"_qs, payload}});
  }
  // Deltas of `topic` received so far (taken out of the queue).
  std::vector<QJsonObject> deltas(const QString &topic) {
    std::vector<QJsonObject> out;
    for (auto it = m_in.begin(); it != m_in.end();) {
      if (it->value(u"type"_qs).toString() == u"delta"_qs && it->value(u"topic"_qs).toString() == topic) {
        out.push_back(*it);
        it = m_in.erase(it);
      } else {
        ++it;
      }
    }
    return out;
  }
  QWebSocket &socket() { return m_socket; }

private:
  QWebSocket m_socket;
  std::vector<QJsonObject> m_in;
  int m_next = 0;
};

testing::RawReply ask(quint16 port, const std::string &method, const std::string &path, const std::string &key,
                      const std::string &body = {}) {
  return rawRequest(port, method, path, body, 20000, "Authorization: Bearer " + key + "\r\n");
}

QString errorCode(const QJsonObject &m) { return m.value(u"payload"_qs).toObject().value(u"code"_qs).toString(); }

}  // namespace

class TstOpsNode : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  QString m_model;
  RecordingEventSink m_events;
  std::unique_ptr<node::Node> m_node;
  quint16 m_port = 0;
  std::string m_viewer, m_user, m_operator, m_admin;

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_model = trainTinyModel(m_dir.path());
    QVERIFY(!m_model.isEmpty());
    const QString dataDir = m_dir.path() + QStringLiteral("/node");
    QVERIFY(QDir().mkpath(dataDir));
    {
      auto store = gateway::auth::KeyStore::open(dataDir.toStdString());
      QVERIFY(store);
      using gateway::auth::Role;
      for (auto [name, role, out] : {std::tuple{"viewer", Role::Viewer, &m_viewer},
                                     {"user", Role::User, &m_user},
                                     {"operator", Role::Operator, &m_operator},
                                     {"admin", Role::Admin, &m_admin}}) {
        auto created = (*store)->create(name, role);
        QVERIFY(created);
        *out = created->key;
      }
    }
    node::NodeConfig c;
    c.listenPort = 0;
    c.workers = 2;
    c.dataDir = dataDir;
    c.models.push_back({QStringLiteral("tiny"), m_model});
    c.gateway.requireKeys = true;
    c.gateway.cacheEnabled = false;
    c.gateway.trustedOrigins = {QStringLiteral("http://console.example")};
    m_node = std::make_unique<node::Node>(c, Clock::steady(), m_events);
    const Status started = m_node->start();
    QVERIFY2(started.isOk(), started.toString().c_str());
    m_port = m_node->port();
  }
  void cleanupTestCase() {
    if (m_node) QVERIFY(m_node->shutdown());
  }

  void adminSeriesChartsRealTraffic() {
    for (int i = 0; i < 20; ++i) QCOMPARE(ask(m_port, "POST", "/v1/completions", m_user, kCompletion).status, 200);
    const std::string path = "/admin/series?name=requests_per_s&model=tiny";
    double charted = 0;
    // The store samples once a second: wait for the seconds that hold the requests (their rates
    // divide by the node thread's real tick, so they are not summed to a count here).
    QVERIFY(QTest::qWaitFor(
        [&] {
          const auto reply = ask(m_port, "GET", path, m_admin);
          if (reply.status != 200) return false;
          const QJsonObject body = QJsonDocument::fromJson(QByteArray::fromStdString(reply.body)).object();
          charted = 0;
          for (const auto &s : body.value(u"series"_qs).toArray())
            for (const auto &pt : s.toObject().value(u"points"_qs).toArray()) charted += pt.toArray()[1].toDouble();
          return body.value(u"tier_s"_qs).toInt() == 1 && charted > 0;
        },
        10000));
    QCOMPARE(ask(m_port, "GET", path, m_operator).status, 403);
    const auto bad = ask(m_port, "GET", "/admin/series?name=requests_per_s&step=-5", m_admin);
    QCOMPARE(bad.status, 400);
    QVERIFY2(bad.body.find("parameter 'step' must be a positive") != std::string::npos, bad.body.c_str());
    QCOMPARE(ask(m_port, "GET", "/admin/series?name=requests_per_s&step=5&step=6", m_admin).status, 400);
  }

  void upgradeOnTheDataPlanePortWhilePlainHttpKeepsServing() {
    std::atomic<int> ok{0};
    std::atomic<bool> stop{false};
    std::thread http([&] {
      for (int i = 0; i < 400 && !stop; ++i)
        if (ask(m_port, "GET", "/healthz", m_viewer).status == 200) ++ok;
    });
    std::vector<std::unique_ptr<Peer>> peers;
    for (int i = 0; i < 10; ++i) peers.push_back(std::make_unique<Peer>(m_port));
    for (auto &p : peers) {
      QVERIFY(p->connected());
      const QJsonObject authed = p->auth(m_viewer);
      QCOMPARE(authed.value(u"type"_qs).toString(), u"result"_qs);
      QCOMPARE(authed.value(u"payload"_qs).toObject().value(u"role"_qs).toString(), u"viewer"_qs);
      const QJsonObject pong = p->request({{u"type"_qs, u"ping"_qs}, {u"payload"_qs, QJsonObject{{u"n"_qs, 7}}}});
      QCOMPARE(pong.value(u"type"_qs).toString(), u"pong"_qs);
      QCOMPARE(pong.value(u"payload"_qs).toObject().value(u"n"_qs).toInt(), 7);
    }
    stop = true;
    http.join();
    QVERIFY(ok > 0);
    // A GET /ops without the upgrade is told what to do.
    const auto plain = rawRequest(m_port, "GET", "/ops", {});
    QCOMPARE(plain.status, 426);
    QCOMPARE(plain.header("upgrade"), std::string("websocket"));
  }

  void foreignOriginOrHostRefusedAtTheHandshake() {
    const std::string evilOrigin = talk(m_port, upgradeRequest("Origin: http://evil.example\r\n"));
    QVERIFY2(evilOrigin.rfind("HTTP/1.1 403", 0) == 0, evilOrigin.c_str());
    QVERIFY(evilOrigin.find("untrusted_origin") != std::string::npos);
    std::string rebound = upgradeRequest({});
    rebound.replace(rebound.find("Host: 127.0.0.1"), 15, "Host: evil.example");
    const std::string evilHost = talk(m_port, rebound);
    QVERIFY2(evilHost.rfind("HTTP/1.1 403", 0) == 0, evilHost.c_str());
    // A trusted browser origin gets its WebSocket.
    const std::string trusted = talk(m_port, upgradeRequest("Origin: http://console.example\r\n"),
                                     std::string("\x88\x80\x00\x00\x00\x00", 6));  // a close: answered with one
    QVERIFY2(trusted.rfind("HTTP/1.1 101", 0) == 0, trusted.c_str());
  }

  void unauthenticatedAndUnderPrivilegedCommandsRefused() {
    Peer p(m_port);
    QVERIFY(p.connected());
    QCOMPARE(errorCode(p.command(u"drain"_qs)), u"unauthenticated"_qs);
    QCOMPARE(errorCode(p.auth(std::nullopt)), u"unauthenticated"_qs);  // keys required on this node
    QCOMPARE(errorCode(p.auth(std::string("lmf_wrong"))), u"unauthenticated"_qs);
    QCOMPARE(p.auth(m_user).value(u"type"_qs).toString(), u"result"_qs);
    const QJsonObject refused = p.command(u"drain"_qs);
    QCOMPARE(errorCode(refused), u"forbidden"_qs);
    QVERIFY(refused.value(u"payload"_qs).toObject().value(u"message"_qs).toString().contains(u"operator"_qs));
    QCOMPARE(errorCode(p.command(u"no_such_command"_qs)), u"unknown_command"_qs);
    Peer op(m_port);
    QVERIFY(op.connected());
    QCOMPARE(op.auth(m_operator).value(u"type"_qs).toString(), u"result"_qs);
    QCOMPARE(errorCode(op.command(u"set_pools"_qs, QJsonObject{{u"pools"_qs, QJsonObject{}}})), u"forbidden"_qs);
    QCOMPARE(ask(m_port, "GET", "/readyz", m_viewer).status, 200);
  }

  void drainRefusesNewInferenceUntilUndrain() {
    const std::string key = m_user;
    QCOMPARE(ask(m_port, "POST", "/v1/completions", key, kCompletion).status, 200);
    Peer p(m_port);
    QVERIFY(p.connected());
    QCOMPARE(p.auth(m_operator).value(u"type"_qs).toString(), u"result"_qs);
    const QJsonObject node = p.request({{u"type"_qs, u"subscribe"_qs}, {u"topic"_qs, u"node"_qs}});
    QCOMPARE(node.value(u"type"_qs).toString(), u"snapshot"_qs);
    QCOMPARE(node.value(u"payload"_qs).toObject().value(u"draining"_qs), QJsonValue(false));

    const QJsonObject drained = p.command(u"drain"_qs);
    QCOMPARE(drained.value(u"payload"_qs).toObject(), (QJsonObject{{u"draining"_qs, true}}));
    const auto refused = ask(m_port, "POST", "/v1/completions", key, kCompletion);
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.header("retry-after"), std::string("5"));
    const QJsonObject error = QJsonDocument::fromJson(QByteArray::fromStdString(refused.body)).object();
    QCOMPARE(error.value(u"error"_qs).toObject().value(u"code"_qs).toString(), u"draining"_qs);
    QCOMPARE(error.value(u"error"_qs).toObject().value(u"type"_qs).toString(), u"server_error"_qs);
    const auto ready = ask(m_port, "GET", "/readyz", key);
    QCOMPARE(ready.status, 503);
    QVERIFY(ready.body.find("\"draining\"") != std::string::npos);
    // Reading stays open while drained.
    QCOMPARE(ask(m_port, "GET", "/v1/models", key).status, 200);
    // Subscribers hear about it.
    bool heard = false;
    QTRY_VERIFY_WITH_TIMEOUT(
        heard = heard ||
                [&] {
                  for (const auto &d : p.deltas(u"node"_qs))
                    if (d.value(u"payload"_qs).toObject().value(u"draining"_qs) == QJsonValue(true)) return true;
                  return false;
                }(),
        5000);
    QCOMPARE(p.command(u"drain"_qs).value(u"type"_qs).toString(), u"result"_qs);  // twice is fine

    QCOMPARE(p.command(u"undrain"_qs).value(u"payload"_qs).toObject(), (QJsonObject{{u"draining"_qs, false}}));
    QCOMPARE(ask(m_port, "POST", "/v1/completions", key, kCompletion).status, 200);
    QCOMPARE(ask(m_port, "GET", "/readyz", key).status, 200);
  }

  void setPoolsChangesWhatIsServed() {
    const std::string key = m_viewer;
    QVERIFY(ask(m_port, "GET", "/v1/models", key).body.find("\"alias\"") == std::string::npos);
    Peer p(m_port);
    QVERIFY(p.connected());
    QCOMPARE(p.auth(m_admin).value(u"type"_qs).toString(), u"result"_qs);
    const QJsonObject pools{
        {u"alias"_qs, QJsonObject{{u"backends"_qs, QJsonArray{QJsonObject{{u"engine"_qs, u"tiny"_qs}}}}}}};
    const QJsonObject done = p.command(u"set_pools"_qs, {{u"pools"_qs, pools}});
    QCOMPARE(done.value(u"type"_qs).toString(), u"result"_qs);
    QCOMPARE(done.value(u"payload"_qs).toObject().value(u"pools"_qs).toArray(), QJsonArray{u"alias"_qs});
    QVERIFY(done.value(u"payload"_qs).toObject().value(u"models"_qs).toArray().contains(u"tiny"_qs));
    QVERIFY(ask(m_port, "GET", "/v1/models", key).body.find("\"alias\"") != std::string::npos);

    // An invalid value names the key path; the table in service stays.
    const QJsonObject typo{{u"alias"_qs, QJsonObject{{u"backends"_qs, QJsonArray{QJsonObject{{u"wieght"_qs, 2}}}}}}};
    const QJsonObject refused = p.command(u"set_pools"_qs, {{u"pools"_qs, typo}});
    QCOMPARE(errorCode(refused), u"bad_request"_qs);
    QVERIFY2(refused.value(u"payload"_qs)
                 .toObject()
                 .value(u"message"_qs)
                 .toString()
                 .startsWith(u"pools.alias.backends[0]"_qs),
             qPrintable(refused.value(u"payload"_qs).toObject().value(u"message"_qs).toString()));
    QCOMPARE(errorCode(p.command(u"set_pools"_qs, {})), u"bad_request"_qs);
    QVERIFY(ask(m_port, "GET", "/v1/models", key).body.find("\"alias\"") != std::string::npos);
    QCOMPARE(p.command(u"set_pools"_qs, {{u"pools"_qs, QJsonObject{}}}).value(u"type"_qs).toString(), u"result"_qs);
  }

  void metricsTopicWhileTrafficFlows() {
    Peer p(m_port);
    QVERIFY(p.connected());
    QCOMPARE(p.auth(m_viewer).value(u"type"_qs).toString(), u"result"_qs);
    QCOMPARE(errorCode(p.request({{u"type"_qs, u"subscribe"_qs},
                                  {u"topic"_qs, u"metrics"_qs},
                                  {u"payload"_qs, QJsonObject{{u"history_s"_qs, 601}}}})),
             u"bad_request"_qs);
    const QJsonObject snapshot = p.request({{u"type"_qs, u"subscribe"_qs},
                                            {u"topic"_qs, u"metrics"_qs},
                                            {u"payload"_qs, QJsonObject{{u"history_s"_qs, 5}}}});
    QCOMPARE(snapshot.value(u"type"_qs).toString(), u"snapshot"_qs);
    QCOMPARE(snapshot.value(u"payload"_qs).toObject().value(u"interval_ms"_qs).toInt(), 1000);
    QVERIFY(snapshot.value(u"payload"_qs).toObject().value(u"samples"_qs).toArray().size() <= 5);
    std::atomic<bool> stop{false};
    const std::string key = m_user;
    std::thread load([&] {
      // Until the test saw what it waits for (bounded by its 10 s wait): a fixed count can all be
      // answered within one second on a fast machine, and then only one sample is busy.
      for (int i = 0; i < 200000 && !stop; ++i) ask(m_port, "POST", "/v1/completions", key, kCompletion);
    });
    // Seconds with traffic: every one of them says so in its own way.
    int busySeconds = 0;
    double maxP99 = 0, maxBackendRps = 0, maxBackendP99 = 0, rss = 0;
    bool backendQuantilesOrdered = true;
    QJsonValue cacheRatio;
    (void)QTest::qWaitFor(
        [&] {
          for (const auto &d : p.deltas(u"metrics"_qs)) {
            const QJsonObject sample = d.value(u"payload"_qs).toObject();
            const QJsonObject tiny = sample.value(u"models"_qs).toObject().value(u"tiny"_qs).toObject();
            if (tiny.value(u"requests_per_s"_qs).toDouble() <= 0) continue;
            ++busySeconds;
            maxP99 = std::max(maxP99, tiny.value(u"latency_ms"_qs).toObject().value(u"p99"_qs).toDouble());
            cacheRatio = tiny.value(u"cache_hit_ratio"_qs);
            rss = sample.value(u"node"_qs).toObject().value(u"rss_bytes"_qs).toDouble();
            for (const auto &b : sample.value(u"backends"_qs).toObject()) {
              maxBackendRps = std::max(maxBackendRps, b.toObject().value(u"requests_per_s"_qs).toDouble());
              // A backend's quantiles are numbers once it answered in the second, and ordered.
              const QJsonObject latency = b.toObject().value(u"latency_ms"_qs).toObject();
              if (!latency.value(u"p99"_qs).isDouble()) continue;
              const double p50 = latency.value(u"p50"_qs).toDouble(), p95 = latency.value(u"p95"_qs).toDouble();
              const double p99 = latency.value(u"p99"_qs).toDouble();
              backendQuantilesOrdered = backendQuantilesOrdered && p50 <= p95 && p95 <= p99;
              maxBackendP99 = std::max(maxBackendP99, p99);
            }
          }
          return busySeconds >= 2;
        },
        10000);
    stop = true;
    load.join();
    QVERIFY(busySeconds >= 2);
    QVERIFY(maxP99 > 0);
    QVERIFY(maxBackendRps > 0);
    QVERIFY(maxBackendP99 > 0);
    QVERIFY(backendQuantilesOrdered);
    QCOMPARE(cacheRatio, QJsonValue(0.0));  // the cache is off on this node
    QVERIFY(rss > 0);
  }

  void brokenFramesLeaveTheNodeServing() {
    // Not JSON, a reserved opcode, a length far over every limit, a binary frame: the node answers
    // or closes, and the next connection is served all the same.
    const std::string garbage[] = {std::string("\x81\x85\x00\x00\x00\x00hello", 11),
                                   std::string("\x83\x80\x00\x00\x00\x00", 6),
                                   std::string("\x81\xff\x7f\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00", 14),
                                   std::string("\x82\x83\x00\x00\x00\x00{}}", 9)};
    for (int i = 0; i < 200; ++i) {
      const std::string in = talk(m_port, upgradeRequest({}), garbage[i % 4]);
      QVERIFY2(in.rfind("HTTP/1.1 101", 0) == 0, in.substr(0, 200).c_str());
    }
    QCOMPARE(ask(m_port, "GET", "/healthz", m_viewer).status, 200);
    Peer p(m_port);
    QVERIFY(p.connected());
    QCOMPARE(p.auth(m_viewer).value(u"type"_qs).toString(), u"result"_qs);
  }

  void aReaderThatStopsDoesNotHoldBackTheOthers() {
    // The stuck reader: a raw WebSocket with a tiny receive buffer that subscribes and then
    // reads nothing while asking for snapshots until the node's queue for it is past the high
    // water mark; from then on its metric deltas are dropped.
    const int fd = testing::connectTo(m_port, 5000);
    QVERIFY(fd >= 0);
    const int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    const std::string up = upgradeRequest({});
    QVERIFY(::send(fd, up.data(), up.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(up.size()));
    auto frame = [](const std::string &text) {
      std::string f("\x81", 1);
      if (text.size() < 126) {
        f += static_cast<char>(0x80 | text.size());
      } else {
        f += static_cast<char>(0x80 | 126);
        f += static_cast<char>(text.size() >> 8);
        f += static_cast<char>(text.size() & 0xff);
      }
      f += std::string(4, '\0');  // mask 0: the payload goes as it is
      return f + text;
    };
    std::string out = frame(R"({"v":1,"type":"auth","id":"a","payload":{"key":")" + m_viewer + R"("}})");
    for (int i = 0; i < 400; ++i)
      out += frame(R"({"v":1,"type":"subscribe","id":")" + std::to_string(i) + R"(","topic":"node"})");
    out += frame(R"({"v":1,"type":"subscribe","id":"m","topic":"metrics","payload":{"history_s":0}})");
    QVERIFY(::send(fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size()));

    // Meanwhile a reader that keeps up gets every second's delta, in order.
    Peer p(m_port);
    QVERIFY(p.connected());
    QCOMPARE(p.auth(m_viewer).value(u"type"_qs).toString(), u"result"_qs);
    const QJsonObject snapshot = p.request({{u"type"_qs, u"subscribe"_qs},
                                            {u"topic"_qs, u"metrics"_qs},
                                            {u"payload"_qs, QJsonObject{{u"history_s"_qs, 0}}}});
    qint64 last = snapshot.value(u"seq"_qs).toInteger();
    int received = 0;
    (void)QTest::qWaitFor(
        [&] {
          for (const auto &d : p.deltas(u"metrics"_qs)) {
            if (d.value(u"seq"_qs).toInteger() != last + 1) return true;  // a gap: checked below
            last = d.value(u"seq"_qs).toInteger();
            ++received;
          }
          return received >= 3;
        },
        8000);
    QCOMPARE(received, 3);
    ::close(fd);
    QCOMPARE(ask(m_port, "GET", "/healthz", m_viewer).status, 200);
  }
};

QTEST_GUILESS_MAIN(TstOpsNode)
#include "tst_opsnode.moc"
