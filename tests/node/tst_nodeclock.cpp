// A whole node on a ManualClock, over real sockets: start, completions, a rate limit that refills
// only when the test advances the clock, the idle timeout of a kept-alive connection, drain and
// stop. And the node thread: maintenance (API key reload from SQLite) runs while the thread that
// started the node never returns to its event loop.
#include "../support/fakehttp.h"
#include "../support/tinymodel.h"
#include "common/clock.h"
#include "common/eventsink.h"
#include "gateway/auth/keystore.h"
#include "node/node.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <thread>

using namespace lmfront;
using namespace std::chrono_literals;
using testing::rawRequest;
using testing::trainTinyModel;

namespace {

std::string completion(const std::string &prompt) {
  return R"({"model":"tiny","prompt":")" + prompt + R"(","max_tokens":3,"seed":1})";
}

// Reads one response with a Content-Length body from a kept-alive connection.
bool readOneResponse(int fd, std::string &head) {
  std::string all;
  char buf[4096];
  std::size_t end;
  while ((end = all.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    all.append(buf, static_cast<std::size_t>(n));
  }
  head = all.substr(0, end);
  const auto cl = all.find("Content-Length: ");
  const std::size_t length = cl == std::string::npos ? 0 : std::stoul(all.substr(cl + 16));
  while (all.size() < end + 4 + length) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    all.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

class TstNodeClock : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  QString m_model;

  node::NodeConfig config(const QString &dataDir) const {
    node::NodeConfig c;
    c.listenPort = 0;
    c.workers = 1;
    c.dataDir = m_dir.path() + QLatin1Char('/') + dataDir;
    c.models.push_back({QStringLiteral("tiny"), m_model});
    return c;
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_model = trainTinyModel(m_dir.path());
    QVERIFY(!m_model.isEmpty());
  }

  void fullRequestCycleOnManualClock() {
    ManualClock clock;
    RecordingEventSink events;
    node::NodeConfig c = config(QStringLiteral("cycle"));
    c.gateway.cacheEnabled = false;
    c.gateway.perKey.requestsPerMinute = 2;  // one request back every 30 s of clock
    node::Node node(c, clock, events);
    QSignalSpy stopped(&node, &node::Node::stopped);
    const Status started = node.start();
    QVERIFY2(started.isOk(), started.toString().c_str());
    const std::uint16_t port = node.port();
    QVERIFY(port != 0);
    QVERIFY(node.info().ready);

    const auto first = rawRequest(port, "POST", "/v1/completions", completion("the cat"));
    QCOMPARE(first.status, 200);
    QVERIFY(first.body.find("\"choices\"") != std::string::npos);
    QCOMPARE(rawRequest(port, "POST", "/v1/completions", completion("the dog")).status, 200);
    const auto limited = rawRequest(port, "POST", "/v1/completions", completion("a cat"));
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.header("retry-after"), std::string("30"));
    // Real time passing refills nothing; the node's clock does.
    clock.advance(29s);
    QCOMPARE(rawRequest(port, "POST", "/v1/completions", completion("a dog")).status, 429);
    clock.advance(1s);
    QCOMPARE(rawRequest(port, "POST", "/v1/completions", completion("the mat")).status, 200);

    // A kept-alive connection outlives real seconds, and closes once the clock passes the idle
    // timeout (60 s): the data plane's next sweep sees it.
    const int fd = testing::connectTo(port, 5000);
    QVERIFY(fd >= 0);
    const std::string get = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    QVERIFY(::send(fd, get.data(), get.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(get.size()));
    std::string head;
    QVERIFY(readOneResponse(fd, head));
    QVERIFY(head.rfind("HTTP/1.1 200", 0) == 0);
    clock.advance(61s);
    char byte;
    QCOMPARE(::recv(fd, &byte, 1, 0), ssize_t{0});  // EOF within the 5 s receive timeout
    ::close(fd);

    QVERIFY(node.shutdown());
    QCOMPARE(stopped.count(), 1);
    QCOMPARE(node.port(), quint16{0});
    QVERIFY(testing::connectTo(port, 1000) < 0);  // nothing listens any more
    for (const Event &e : events.events()) QVERIFY2(e.level < EventLevel::Warning, e.message.c_str());
  }

  void maintenanceRunsOnTheNodeThreadNotTheCallers() {
    const QString dataDir = m_dir.path() + QStringLiteral("/keys");
    {
      auto store = gateway::auth::KeyStore::open(dataDir.toStdString());
      QVERIFY(store);
      QVERIFY((*store)->create("first", gateway::auth::Role::User));
    }
    RecordingEventSink events;
    node::NodeConfig c = config(QStringLiteral("keys"));
    c.gateway.requireKeys = true;
    c.maintenanceIntervalMs = 20;
    node::Node node(c, Clock::steady(), events);
    const Status started = node.start();
    QVERIFY2(started.isOk(), started.toString().c_str());
    const std::uint16_t port = node.port();

    // A key created after the start (as `lmfront keys create` does) is unknown until the node's
    // maintenance reloads the store.
    std::string key;
    {
      auto store = gateway::auth::KeyStore::open(dataDir.toStdString());
      QVERIFY(store);
      auto created = (*store)->create("second", gateway::auth::Role::User);
      QVERIFY(created);
      key = created->key;
    }
    const std::string auth = "Authorization: Bearer " + key + "\r\n";
    // This thread never returns to its event loop below (no QTest::qWait, no processEvents): if
    // the maintenance timer lived here, the key would never be picked up.
    int status = 0;
    for (int i = 0; i < 250 && status != 200; ++i) {
      status = rawRequest(port, "POST", "/v1/completions", completion("the cat"), 5000, auth).status;
      if (status != 200) std::this_thread::sleep_for(20ms);
    }
    QCOMPARE(status, 200);
    QVERIFY(node.shutdown());
  }

  void failedStartLeavesNothingRunning() {
    RecordingEventSink events;
    node::Node first(config(QStringLiteral("a")), Clock::steady(), events);
    QVERIFY(first.start().isOk());
    node::NodeConfig c = config(QStringLiteral("b"));
    c.listenPort = first.port();  // taken
    node::Node second(c, Clock::steady(), events);
    QSignalSpy stopped(&second, &node::Node::stopped);
    const Status started = second.start();
    QVERIFY(!started.isOk());
    QVERIFY2(started.message().find(std::to_string(first.port())) != std::string::npos, started.message().c_str());
    QCOMPARE(second.port(), quint16{0});
    QVERIFY(second.shutdown());  // nothing to drain
    QCOMPARE(stopped.count(), 0);
    QCOMPARE(rawRequest(first.port(), "GET", "/healthz").status, 200);
  }
};

QTEST_GUILESS_MAIN(TstNodeClock)
#include "tst_nodeclock.moc"
