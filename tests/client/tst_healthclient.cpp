// HealthClient against a real (tiny) HTTP responder on 127.0.0.1 port 0, plus the pure parser.
#include "client/healthclient.h"

#include <QMutex>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

using lmfront::client::HealthClient;
using lmfront::client::HealthError;
using lmfront::client::NodeHealth;
using lmfront::client::parseHealthResponse;

namespace {

// Answers every request on every connection with the configured status and body (keep-alive),
// or never answers when `silent` is set.
class TinyHttp : public QObject {
public:
  int status = 200;
  QByteArray body;
  bool silent = false;
  int requests = 0;
  QTcpServer server;

  TinyHttp() {
    QObject::connect(&server, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket *s = server.nextPendingConnection()) {
        s->setParent(this);
        QObject::connect(s, &QTcpSocket::readyRead, this, [this, s] { onRead(s); });
      }
    });
    if (!server.listen(QHostAddress::LocalHost, 0)) qFatal("listen failed");
  }
  QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort())); }

private:
  void onRead(QTcpSocket *s) {
    QByteArray buf = s->property("buf").toByteArray() + s->readAll();
    int end;
    while ((end = buf.indexOf("\r\n\r\n")) >= 0) {
      buf.remove(0, end + 4);
      ++requests;
      if (silent) continue;
      QByteArray resp = "HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Type: application/json\r\n" +
                        "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
      s->write(resp);
    }
    s->setProperty("buf", buf);
  }
};

const QByteArray kGoodBody = R"({"status":"ok","node_id":"box-8080","version":"0.1.0","uptime_s":12.5,)"
                             R"("listen":"127.0.0.1:8080","data_dir":"/tmp/d","models":3})";

NodeHealth waitForHealth(QSignalSpy &spy, int timeoutMs = 5000) {
  if (spy.isEmpty() && !spy.wait(timeoutMs)) return {};
  return spy.takeFirst().at(0).value<NodeHealth>();
}

}  // namespace

class TestHealthClient : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void parsesAGoodBody() {
    NodeHealth h = parseHealthResponse(200, kGoodBody);
    QVERIFY(h.reachable);
    QVERIFY(h.healthy());
    QCOMPARE(h.errorKind, HealthError::None);
    QCOMPARE(h.nodeId, QStringLiteral("box-8080"));
    QCOMPARE(h.version, QStringLiteral("0.1.0"));
    QCOMPARE(h.uptimeS, 12.5);
    QCOMPARE(h.listen, QStringLiteral("127.0.0.1:8080"));
    QCOMPARE(h.dataDir, QStringLiteral("/tmp/d"));
    QCOMPARE(h.models, 3);
  }
  void rejectsBadBodies_data() {
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("errorPart");
    QTest::newRow("503") << 503 << kGoodBody << int(HealthError::HttpStatus) << QStringLiteral("HTTP 503");
    QTest::newRow("not json") << 200 << QByteArray("hello") << int(HealthError::BadResponse)
                              << QStringLiteral("bad JSON");
    QTest::newRow("array") << 200 << QByteArray("[1]") << int(HealthError::BadResponse)
                           << QStringLiteral("not an object");
    QTest::newRow("no status") << 200 << QByteArray(R"({"node_id":"x"})") << int(HealthError::BadResponse)
                               << QStringLiteral("\"status\"");
    QTest::newRow("models as string") << 200 << QByteArray(R"({"status":"ok","models":"3"})")
                                      << int(HealthError::BadResponse) << QStringLiteral("\"models\"");
    QTest::newRow("negative uptime") << 200 << QByteArray(R"({"status":"ok","uptime_s":-1})")
                                     << int(HealthError::BadResponse) << QStringLiteral("uptime_s");
  }
  void rejectsBadBodies() {
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(int, kind);
    QFETCH(QString, errorPart);
    NodeHealth h = parseHealthResponse(status, body);
    QVERIFY(!h.reachable);
    QVERIFY(!h.healthy());
    QCOMPARE(int(h.errorKind), kind);
    QVERIFY2(h.error.contains(errorPart), qPrintable(h.error));
  }
  void drainingIsReachableButNotHealthy() {
    NodeHealth h = parseHealthResponse(200, R"({"status":"draining"})");
    QVERIFY(h.reachable);
    QVERIFY(!h.healthy());
  }

  void pollsARealServerRepeatedly() {
    TinyHttp http;
    http.body = kGoodBody;
    HealthClient client;
    client.setBaseUrl(http.url());
    client.setInterval(50);
    QSignalSpy spy(&client, &HealthClient::healthUpdated);
    client.start();
    NodeHealth h = waitForHealth(spy);
    QVERIFY2(h.healthy(), qPrintable(h.error));
    QCOMPARE(h.nodeId, QStringLiteral("box-8080"));
    QCOMPARE(client.lastHealth(), h);
    // It keeps polling on its own.
    QTRY_VERIFY_WITH_TIMEOUT(http.requests >= 3, 5000);
    // A node turning bad is reported on the next poll.
    http.body = "garbage";
    spy.clear();
    QTRY_VERIFY_WITH_TIMEOUT(!client.lastHealth().reachable, 5000);
    QCOMPARE(client.lastHealth().errorKind, HealthError::BadResponse);
    client.stop();
    const int after = http.requests;
    QTest::qWait(200);  // bounded: proves the timer stopped
    QVERIFY(http.requests <= after + 1);
  }

  void valueCrossesThreadsQueued() {
    TinyHttp http;
    http.body = kGoodBody;
    HealthClient client;
    client.setBaseUrl(http.url());
    QThread thread;
    QObject receiver;
    receiver.moveToThread(&thread);
    thread.start();
    QAtomicInt seen = 0;
    QString nodeId;
    QThread *deliveredOn = nullptr;
    QMutex mutex;
    connect(
        &client, &HealthClient::healthUpdated, &receiver,
        [&](const NodeHealth &h) {
          QMutexLocker lock(&mutex);
          deliveredOn = QThread::currentThread();
          nodeId = h.nodeId;
          seen.storeRelease(1);
        },
        Qt::QueuedConnection);
    client.pollNow();
    QTRY_COMPARE_WITH_TIMEOUT(seen.loadAcquire(), 1, 5000);
    thread.quit();
    QVERIFY(thread.wait(5000));
    QMutexLocker lock(&mutex);
    QCOMPARE(nodeId, QStringLiteral("box-8080"));
    QCOMPARE(deliveredOn, &thread);
  }

  void connectionRefusedIsReported() {
    quint16 port;
    {
      QTcpServer s;  // learn a free port, then close it so nothing listens there
      QVERIFY(s.listen(QHostAddress::LocalHost, 0));
      port = s.serverPort();
    }
    HealthClient client;
    client.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    QSignalSpy spy(&client, &HealthClient::healthUpdated);
    client.pollNow();
    NodeHealth h = waitForHealth(spy);
    QVERIFY(!h.reachable);
    QCOMPARE(h.errorKind, HealthError::ConnectionRefused);
    QVERIFY2(h.error.contains(QString::number(port)), qPrintable(h.error));
  }

  void silentServerTimesOut() {
    TinyHttp http;
    http.silent = true;
    HealthClient client;
    client.setBaseUrl(http.url());
    client.setTimeout(300);
    QSignalSpy spy(&client, &HealthClient::healthUpdated);
    QElapsedTimer t;
    t.start();
    client.pollNow();
    client.pollNow();  // one in flight: ignored
    NodeHealth h = waitForHealth(spy);
    QVERIFY(!h.reachable);
    QCOMPARE(h.errorKind, HealthError::Timeout);
    QVERIFY2(h.error.contains(QStringLiteral("300 ms")), qPrintable(h.error));
    QVERIFY(t.elapsed() >= 250);
    QCOMPARE(http.requests, 1);
  }

  void httpErrorIsReported() {
    TinyHttp http;
    http.status = 500;
    http.body = "{}";
    HealthClient client;
    client.setBaseUrl(http.url());
    QSignalSpy spy(&client, &HealthClient::healthUpdated);
    client.pollNow();
    NodeHealth h = waitForHealth(spy);
    QCOMPARE(h.errorKind, HealthError::HttpStatus);
    QVERIFY(h.error.contains(QStringLiteral("500")));
  }

  void stopSuppressesTheAbortedPoll() {
    TinyHttp http;
    http.silent = true;
    HealthClient client;
    client.setBaseUrl(http.url());
    QSignalSpy spy(&client, &HealthClient::healthUpdated);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(http.requests, 1, 5000);
    client.stop();
    QTest::qWait(100);
    QCOMPARE(spy.count(), 0);
  }
};

QTEST_GUILESS_MAIN(TestHealthClient)
#include "tst_healthclient.moc"
