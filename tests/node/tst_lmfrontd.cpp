// Black-box tests of the lmfrontd binary: real process, real sockets on 127.0.0.1, port 0.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

namespace {

QString daemonPath() { return qEnvironmentVariable("LMFRONT_BIN_DIR") + u"/lmfrontd"_qs; }

struct HttpReply {
  int status = 0;
  QByteArray head;
  QByteArray body;
};

// Reads one Content-Length-framed response from a socket (enough for the node's own routes).
HttpReply readReply(QTcpSocket &socket, int timeoutMs = 5000) {
  QByteArray buffer;
  QDeadlineTimer deadline(timeoutMs);
  qsizetype headerEnd = -1;
  while ((headerEnd = buffer.indexOf("\r\n\r\n")) < 0 && !deadline.hasExpired()) {
    if (!socket.waitForReadyRead(50) && socket.state() != QAbstractSocket::ConnectedState) break;
    buffer += socket.readAll();
  }
  HttpReply reply;
  if (headerEnd < 0) return reply;
  reply.head = buffer.left(headerEnd);
  reply.status = reply.head.mid(9, 3).toInt();
  static const QRegularExpression lengthRe(u"(?i)content-length:\\s*(\\d+)"_qs);
  const auto match = lengthRe.match(QString::fromLatin1(reply.head));
  const qsizetype length = match.hasMatch() ? match.captured(1).toLongLong() : 0;
  reply.body = buffer.mid(headerEnd + 4);
  while (reply.body.size() < length && !deadline.hasExpired()) {
    if (!socket.waitForReadyRead(50) && socket.state() != QAbstractSocket::ConnectedState) break;
    reply.body += socket.readAll();
  }
  return reply;
}

bool sendGet(QTcpSocket &socket, const QByteArray &path) {
  socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  return socket.waitForBytesWritten(2000);
}

}  // namespace

class TstLmfrontd : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  QProcess m_daemon;
  quint16 m_port = 0;

  // Starts lmfrontd and learns its port from the "listening on" line.
  bool startDaemon(const QStringList &extra = {}) {
    m_daemon.setProgram(daemonPath());
    m_daemon.setArguments(QStringList{u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, m_dir.path()} + extra);
    m_daemon.start();
    if (!m_daemon.waitForStarted(5000)) return false;
    QByteArray out;
    QDeadlineTimer deadline(15000);
    static const QRegularExpression re(u"listening on http://127\\.0\\.0\\.1:(\\d+)"_qs);
    while (!deadline.hasExpired()) {
      m_daemon.waitForReadyRead(100);
      out += m_daemon.readAllStandardOutput();
      const auto match = re.match(QString::fromUtf8(out));
      if (match.hasMatch()) {
        m_port = static_cast<quint16>(match.captured(1).toUInt());
        return true;
      }
      if (m_daemon.state() == QProcess::NotRunning) break;
    }
    qWarning() << "lmfrontd did not start:" << out << m_daemon.readAllStandardError();
    return false;
  }

  QTcpSocket *connectToDaemon() {
    auto *socket = new QTcpSocket(this);
    socket->connectToHost(QHostAddress::LocalHost, m_port);
    if (!socket->waitForConnected(3000)) return nullptr;
    return socket;
  }

  // Runs lmfrontd to completion (expecting it to fail) and returns exit code + stderr.
  static std::pair<int, QString> runFailing(const QStringList &args) {
    QProcess p;
    p.start(daemonPath(), args);
    if (!p.waitForFinished(15000)) {
      p.kill();
      p.waitForFinished();
      return {-1, u"still running"_qs};
    }
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardError()).trimmed()};
  }

private Q_SLOTS:
  void init() {
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFileInfo::exists(daemonPath()), qPrintable(daemonPath()));
  }
  void cleanup() {
    if (m_daemon.state() != QProcess::NotRunning) {
      m_daemon.kill();
      m_daemon.waitForFinished(5000);
    }
  }

  void answersHealthReadyAndModels() {
    QVERIFY(startDaemon());
    std::unique_ptr<QTcpSocket> socket(connectToDaemon());
    QVERIFY(socket);
    QVERIFY(sendGet(*socket, "/healthz"));
    HttpReply health = readReply(*socket);
    QCOMPARE(health.status, 200);
    const QJsonObject h = QJsonDocument::fromJson(health.body).object();
    QCOMPARE(h[u"status"].toString(), u"ok"_qs);
    QCOMPARE(h[u"listen"].toString(), QStringLiteral("127.0.0.1:%1").arg(m_port));
    QVERIFY(!h[u"node_id"].toString().isEmpty());
    QCOMPARE(QDir(h[u"data_dir"].toString()), QDir(m_dir.path()));

    // Same connection: keep-alive. Readiness follows the background model load.
    HttpReply ready;
    for (QDeadlineTimer deadline(10000); !deadline.hasExpired(); QTest::qWait(20)) {
      QVERIFY(sendGet(*socket, "/readyz"));
      ready = readReply(*socket);
      if (ready.status != 503) break;
    }
    QCOMPARE(ready.status, 200);
    QCOMPARE(QJsonDocument::fromJson(ready.body).object()[u"ready"].toBool(), true);

    QVERIFY(sendGet(*socket, "/v1/models"));
    HttpReply models = readReply(*socket);
    QCOMPARE(models.status, 200);
    const QJsonObject list = QJsonDocument::fromJson(models.body).object();
    QCOMPARE(list[u"object"].toString(), u"list"_qs);
    QVERIFY(list[u"data"].isArray());

    QVERIFY(sendGet(*socket, "/nope"));
    HttpReply missing = readReply(*socket);
    QCOMPARE(missing.status, 404);
    QVERIFY(QJsonDocument::fromJson(missing.body).object()[u"error"].toObject().contains(u"message"));
  }

  void sigtermDrainsInFlightRequest() {
    QVERIFY(startDaemon({u"--enable-test-routes"_qs}));
    std::unique_ptr<QTcpSocket> slow(connectToDaemon());
    std::unique_ptr<QTcpSocket> late(connectToDaemon());
    QVERIFY(slow && late);
    // Idle keep-alive connections are closed at drain; one whose request is still arriving is not,
    // and that request is refused with 503 once the drain has begun.
    late->write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    QVERIFY(late->waitForBytesWritten(2000));

    QVERIFY(sendGet(*slow, "/debug/sleep?ms=2000"));
    QTest::qWait(500);     // the request is read and its timer armed well before this
    m_daemon.terminate();  // SIGTERM
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += m_daemon.readAllStandardError()).contains("draining"), 5000);

    late->write("\r\n");
    QVERIFY(late->waitForBytesWritten(2000));
    HttpReply refused = readReply(*late);
    QCOMPARE(refused.status, 503);
    QVERIFY(refused.head.toLower().contains("connection: close"));

    // No new connections are accepted.
    QTcpSocket fresh;
    fresh.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(!fresh.waitForConnected(1000) || !sendGet(fresh, "/healthz") || readReply(fresh, 1000).status != 200);

    // The in-flight request still completes.
    HttpReply reply = readReply(*slow, 8000);
    QCOMPARE(reply.status, 200);
    QCOMPARE(QJsonDocument::fromJson(reply.body).object()[u"slept_ms"].toInt(), 2000);

    QVERIFY(m_daemon.waitForFinished(10000));
    QCOMPARE(m_daemon.exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_daemon.exitCode(), 0);
  }

  void badFlagExitsTwoWithOneLine() {
    auto [code, err] = runFailing({u"--listne"_qs, u"x"_qs});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains(u"--listne"_qs), qPrintable(err));
    QCOMPARE(err.count(QLatin1Char('\n')), 0);
  }

  void badConfigFileExitsTwoNamingFileAndKey() {
    const QString path = m_dir.filePath(u"node.json"_qs);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"cache":{"ttl_s":"10m"}})");
    f.close();
    auto [code, err] = runFailing({u"--config"_qs, path});
    QCOMPARE(code, 2);
    QCOMPARE(err,
             u"lmfrontd: config "_qs + path + u": cache.ttl_s: expected an integer from 1 to 604800, got \"10m\""_qs);
  }

  void helpExitsZeroListingEveryFlag() {
    QProcess p;
    p.start(daemonPath(), {u"--help"_qs});
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 0);
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    for (const char *flag :
         {"--listen ADDR:PORT", "--data-dir DIR", "--config FILE", "--workers N", "--model NAME=PATH", "--node-id ID",
          "--drain-timeout-ms N", "--require-keys", "--allowed-host NAME", "--trusted-origin URL", "--redis HOST:PORT",
          "--no-cache", "--enable-test-routes"})
      QVERIFY2(out.contains(QLatin1String(flag)), flag);
  }

  void portInUseExitsOneNamingTheAddress() {
    QTcpServer blocker;
    QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
    const QString address = QStringLiteral("127.0.0.1:%1").arg(blocker.serverPort());
    auto [code, err] = runFailing({u"--listen"_qs, address, u"--data-dir"_qs, m_dir.path()});
    QCOMPARE(code, 1);
    QVERIFY2(err.contains(address), qPrintable(err));
    QCOMPARE(err.count(QLatin1Char('\n')), 0);
  }

  void unusableDataDirExitsOne_data() {
    QTest::addColumn<QString>("dir");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("is a file") << u"FILE"_qs << u"not a directory"_qs;
    QTest::newRow("cannot create") << u"/proc/lmfront-test/data"_qs << u"cannot create"_qs;
  }
  void unusableDataDirExitsOne() {
    QFETCH(QString, dir);
    QFETCH(QString, mentions);
    if (dir == u"FILE"_qs) {
      dir = m_dir.filePath(u"plain-file"_qs);
      QFile f(dir);
      QVERIFY(f.open(QIODevice::WriteOnly));
    }
    auto [code, err] = runFailing({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, dir});
    QCOMPARE(code, 1);
    QVERIFY2(err.contains(dir) && err.contains(mentions), qPrintable(err));
  }

  void missingModelFileExitsOne() {
    auto [code, err] = runFailing({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, m_dir.path(), u"--model"_qs,
                                   u"ghost=/nonexistent/ghost.lmb"_qs});
    QCOMPARE(code, 1);
    QVERIFY2(err.contains(u"ghost"_qs) && err.contains(u"/nonexistent/ghost.lmb"_qs), qPrintable(err));
  }
};

QTEST_GUILESS_MAIN(TstLmfrontd)
#include "tst_lmfrontd.moc"
