// Black-box test of the cache-hit fast path through the real lmfrontd over real sockets: repeated
// identical requests on one keep-alive connection (one worker, so the fast path serves them) are
// still rate limited one by one, still carry the gateway headers, and are still counted.
#include "../../support/daemonharness.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using namespace lmfront::testing;

class TstCacheHitPath : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  QString m_model;

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_model = buildFortunesModel(m_dir.path(), u"tiny"_qs);
    QVERIFY2(!m_model.isEmpty(), "could not build the test model with the lmfront CLI");
  }

  void repeatedHitsAreRateLimitedAndCounted() {
    const QString config = m_dir.filePath(u"rpm.json"_qs);
    {
      QFile f(config);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(R"({"limits":{"per_key":{"requests_per_minute":6}}})");
    }
    Daemon d;
    QVERIFY(d.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, m_dir.filePath(u"rpm"_qs), u"--model"_qs,
                     u"tiny="_qs + m_model, u"--config"_qs, config, u"--workers"_qs, u"1"_qs}));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, d.port());
    QVERIFY(socket.waitForConnected(3000));
    const QByteArray body = R"({"model":"tiny","prompt":"the","max_tokens":4,"seed":5})";
    const QByteArray request =
        "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        QByteArray::number(body.size()) + "\r\n\r\n" + body;
    QList<QByteArray> states;
    QSet<QString> ids;
    QString text;
    int limited = 0;
    for (int i = 0; i < 10; ++i) {
      socket.write(request);
      QVERIFY(socket.waitForBytesWritten(3000));
      const HttpReply reply = readReply(socket, 10000);
      if (reply.status == 429) {
        ++limited;
        QVERIFY(reply.header("retry-after").toInt() >= 1);
        QCOMPARE(QJsonDocument::fromJson(reply.body).object()[u"error"].toObject()[u"code"].toString(),
                 u"rate_limited"_qs);
        continue;
      }
      QCOMPARE(reply.status, 200);
      states.append(reply.header("x-lmfront-cache"));
      if (states.size() == 1) {
        // The answer reaches the client just before the backend's thread fills the cache: wait for
        // the fill (metrics are never rate limited), so the next request is a hit, not coalesced.
        QTRY_VERIFY_WITH_TIMEOUT(
            !httpRequest(d.port(), "GET", "/metrics").body.contains("lmfront_cache_bytes{tier=\"local\"} 0\n"), 5000);
      }
      QVERIFY(!reply.header("x-lmfront-overhead-ms").isEmpty());
      QCOMPARE(reply.header("x-lmfront-backend"), states.size() == 1 ? QByteArray("engine:tiny") : QByteArray("cache"));
      const QJsonObject o = QJsonDocument::fromJson(reply.body).object();
      ids.insert(o[u"id"].toString());
      const QString t = o[u"choices"].toArray()[0].toObject()[u"text"].toString();
      if (text.isNull()) text = t;
      QCOMPARE(t, text);  // every hit answers what the generation said
    }
    // Six admitted (a miss, a full-path hit, then four fast-path hits), four refused.
    QCOMPARE(states, (QList<QByteArray>{"miss", "hit", "hit", "hit", "hit", "hit"}));
    QCOMPARE(limited, 4);
    QCOMPARE(ids.size(), 6);  // each answer has its own id
    QByteArray metrics;
    QTRY_VERIFY_WITH_TIMEOUT((metrics = httpRequest(d.port(), "GET", "/metrics").body)
                                 .contains("lmfront_requests_total{model=\"tiny\",backend=\"cache\",code=\"200\"} 5\n"),
                             5000);
    QVERIFY2(metrics.contains("lmfront_rate_limited_total{scope=\"key_requests\"} 4\n"), metrics.constData());
    QVERIFY2(metrics.contains("lmfront_cache_hits_total{tier=\"local\"} 5\n"), metrics.constData());
  }
};

QTEST_GUILESS_MAIN(TstCacheHitPath)
#include "tst_cachehitpath.moc"
