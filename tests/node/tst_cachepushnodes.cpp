// Black-box: two real lmfrontd processes sharing a real redis-server. A cache fill on node A is
// pushed into node B's local tier, so the repeat on B is a local hit (B never asks Redis); a
// garbage message on the push channel is counted and dropped by both; Redis killed -9 and
// restarted on the same port: both keep serving throughout, re-subscribe, and the push resumes.
#include "../support/daemonharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace lmfront::testing;

namespace {

const QByteArray kChannel = "lmfront:cache:v1:push:default";

QByteArray completionBody(int seed) {
  return R"({"model":"tiny","prompt":"the","max_tokens":6,"seed":)" + QByteArray::number(seed) + "}";
}

QString textOf(const QByteArray &json) {
  return QJsonDocument::fromJson(json).object()[u"choices"].toArray()[0].toObject()[u"text"].toString();
}

// One series of the node's /metrics (`name` with its labels, e.g. `x_total{op="put"}`); -1 when absent.
double metric(quint16 port, const QByteArray &series) {
  const QByteArray text = httpRequest(port, "GET", "/metrics").body;
  const QByteArray prefix = series + ' ';
  for (const QByteArray &line : text.split('\n'))
    if (line.startsWith(prefix)) return line.mid(prefix.size()).toDouble();
  return -1;
}

// PUBLISH as any Redis client could (RESP, binary-safe); the reply line, e.g. ":2" subscribers.
QByteArray publish(quint16 port, const QByteArray &channel, const QByteArray &payload) {
  QTcpSocket socket;
  socket.connectToHost(QHostAddress::LocalHost, port);
  if (!socket.waitForConnected(2000)) return {};
  QByteArray command = "*3\r\n$7\r\nPUBLISH\r\n";
  for (const QByteArray &arg : {channel, payload}) {
    const QByteArray framed = '$' + QByteArray::number(arg.size()) + "\r\n" + arg + "\r\n";
    command += framed;
  }
  socket.write(command);
  if (!socket.waitForBytesWritten(2000)) return {};
  QByteArray reply;
  while (!reply.contains("\r\n") && socket.waitForReadyRead(2000)) reply += socket.readAll();
  return reply.left(reply.indexOf("\r\n"));
}

}  // namespace

class TstCachePushNodes : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  QString m_model;
  RedisServer m_redis;
  Daemon m_a, m_b;

  // A fill on A (a miss there) that B stores locally: B's received counter grows by one.
  void fillOnAReachesB(int seed) {
    const double before = metric(m_b.port(), "lmfront_cache_push_received_total");
    auto first = httpRequest(m_a.port(), "POST", "/v1/completions", completionBody(seed));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.header("x-lmfront-cache"), QByteArray("miss"));
    QTRY_COMPARE_WITH_TIMEOUT(metric(m_b.port(), "lmfront_cache_push_received_total"), before + 1, 5000);
    expectLocalHitOnB(seed, textOf(first.body));
  }

  void expectLocalHitOnB(int seed, const QString &text) {
    const double localHits = metric(m_b.port(), R"(lmfront_cache_hits_total{tier="local"})");
    const double redisHits = metric(m_b.port(), R"(lmfront_cache_hits_total{tier="redis"})");
    const double redisMisses = metric(m_b.port(), R"(lmfront_cache_misses_total{tier="redis"})");
    auto again = httpRequest(m_b.port(), "POST", "/v1/completions", completionBody(seed));
    QCOMPARE(again.status, 200);
    QCOMPARE(again.header("x-lmfront-cache"), QByteArray("hit"));
    QCOMPARE(textOf(again.body), text);
    // Counted just after the answer is sent: wait for it, then check Redis was never asked.
    QTRY_COMPARE_WITH_TIMEOUT(metric(m_b.port(), R"(lmfront_cache_hits_total{tier="local"})"), localHits + 1, 5000);
    QCOMPARE(metric(m_b.port(), R"(lmfront_cache_hits_total{tier="redis"})"), redisHits);
    QCOMPARE(metric(m_b.port(), R"(lmfront_cache_misses_total{tier="redis"})"), redisMisses);
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_model = buildFortunesModel(m_dir.path(), u"tiny"_qs);
    QVERIFY2(!m_model.isEmpty(), "could not build the test model with the lmfront CLI");
    QVERIFY(m_redis.start());
    const QString redis = u"127.0.0.1:"_qs + QString::number(m_redis.port());
    int n = 0;
    for (Daemon *d : {&m_a, &m_b}) {
      QVERIFY(d->start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, m_dir.filePath(QString::number(n++)),
                        u"--model"_qs, u"tiny="_qs + m_model, u"--redis"_qs, redis}));
      QVERIFY(d->waitReady());
      QTRY_COMPARE_WITH_TIMEOUT(metric(d->port(), "lmfront_cache_push_up"), 1.0, 10000);
    }
  }

  void aFillOnAIsALocalHitOnB() {
    fillOnAReachesB(101);
    // Counted when Redis' reply to the PUBLISH is read, which may come after B has the message.
    QTRY_COMPARE_WITH_TIMEOUT(metric(m_a.port(), "lmfront_cache_push_published_total"), 1.0, 5000);
    QCOMPARE(metric(m_a.port(), "lmfront_cache_push_received_total"), 0.0);  // its own message, ignored
  }

  void garbageOnTheChannelIsCountedAndDropped() {
    QCOMPARE(publish(m_redis.port(), kChannel, "not a cache entry"), QByteArray(":2"));
    QCOMPARE(publish(m_redis.port(), kChannel, QByteArray("LMP1") + QByteArray(60, '\0')), QByteArray(":2"));
    for (Daemon *d : {&m_a, &m_b})
      QTRY_COMPARE_WITH_TIMEOUT(metric(d->port(), R"(lmfront_cache_push_dropped_total{reason="malformed"})"), 2.0,
                                5000);
    QCOMPARE(metric(m_b.port(), "lmfront_cache_push_up"), 1.0);
    fillOnAReachesB(102);  // still subscribed, still storing
  }

  void redisRestartedBothServeAndThePushResumes() {
    const quint16 port = m_redis.port();
    m_redis.kill();  // SIGKILL
    for (Daemon *d : {&m_a, &m_b}) QTRY_COMPARE_WITH_TIMEOUT(metric(d->port(), "lmfront_cache_push_up"), 0.0, 5000);
    // Both keep answering, fresh and cached, with no Redis at all.
    for (int seed = 200; seed < 204; ++seed)
      for (Daemon *d : {&m_a, &m_b})
        QCOMPARE(httpRequest(d->port(), "POST", "/v1/completions", completionBody(seed)).status, 200);
    QCOMPARE(httpRequest(m_b.port(), "POST", "/v1/completions", completionBody(101)).header("x-lmfront-cache"),
             QByteArray("hit"));

    QVERIFY(m_redis.start(port));
    // The subscriber backs off to at most 5 s between attempts.
    for (Daemon *d : {&m_a, &m_b}) QTRY_COMPARE_WITH_TIMEOUT(metric(d->port(), "lmfront_cache_push_up"), 1.0, 15000);
    // A's write lane meets its broken connection on first use: that write is lost, counted as a
    // Redis put error, and writes during the backoff that follows are dropped, counted too
    // (docs/cache.md, Redis outage). Every fill is either pushed or counted.
    const auto lostOnA = [&] {
      return metric(m_a.port(), R"(lmfront_cache_redis_errors_total{op="put"})") +
             metric(m_a.port(), R"(lmfront_cache_redis_dropped_total{op="put"})");
    };
    const double lostBefore = lostOnA();
    const double receivedBefore = metric(m_b.port(), "lmfront_cache_push_received_total");
    int seed = 300;
    for (; seed < 305; ++seed) {
      auto fill = httpRequest(m_a.port(), "POST", "/v1/completions", completionBody(seed));
      QCOMPARE(fill.status, 200);
      QCOMPARE(fill.header("x-lmfront-cache"), QByteArray("miss"));
      QTRY_VERIFY_WITH_TIMEOUT(metric(m_b.port(), "lmfront_cache_push_received_total") > receivedBefore ||
                                   lostOnA() > lostBefore + (seed - 300),
                               5000);
      if (metric(m_b.port(), "lmfront_cache_push_received_total") > receivedBefore) break;
      // Lost: the lane now backs off (100 ms, doubling) and drops writes until it reconnects.
      QTest::qWait(300);
    }
    QVERIFY2(seed < 305, "no fill reached B after the restart");
    QCOMPARE(metric(m_b.port(), "lmfront_cache_push_received_total"), receivedBefore + 1);
    QCOMPARE(lostOnA(), lostBefore + (seed - 300));
    auto fill = httpRequest(m_a.port(), "POST", "/v1/completions", completionBody(seed));
    QCOMPARE(fill.header("x-lmfront-cache"), QByteArray("hit"));
    expectLocalHitOnB(seed, textOf(fill.body));
  }
};

QTEST_GUILESS_MAIN(TstCachePushNodes)
#include "tst_cachepushnodes.moc"
