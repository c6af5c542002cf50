// lmfrontd with --tls-cert/--tls-key, black-box over real sockets: HTTPS and the ops API over
// wss:// on the one port, verified against a CA made with `openssl` at run time; SIGHUP reloads
// the certificate for new connections while an established one goes on; a bad file at reload
// keeps the old certificate and says so; a bad file at start is an error naming it.
#include "../support/daemonharness.h"
#include "../support/testcertificates.h"
#include "client/opsclient.h"
#include "common/clock.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/socket.h>

#include <csignal>

using namespace lmfront;
using namespace lmfront::testing;

namespace {

// One HTTPS connection to 127.0.0.1:port verified against caFile.
struct Https {
  QSslSocket socket;
  bool connect(quint16 port, const QString &caFile) {
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(QSslCertificate::fromPath(caFile));
    socket.setSslConfiguration(config);
    socket.connectToHostEncrypted(u"127.0.0.1"_qs, port);
    return socket.waitForEncrypted(10'000);
  }
  QByteArray serial() const { return socket.peerCertificate().serialNumber(); }
  // GET path on the open (keep-alive) connection: the status line and body.
  QByteArray get(const QByteArray &path) {
    socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray in;
    for (QDeadlineTimer deadline(10'000); !deadline.hasExpired();) {
      if (socket.bytesAvailable() == 0) socket.waitForReadyRead(100);
      in += socket.readAll();
      const qsizetype end = in.indexOf("\r\n\r\n");
      const qsizetype cl = in.toLower().indexOf("content-length: ");
      if (end < 0 || cl < 0) continue;
      const qsizetype eol = in.indexOf("\r\n", cl);
      if (in.size() >= end + 4 + in.mid(cl + 16, eol - cl - 16).trimmed().toLongLong()) return in;
    }
    return in;
  }
};

QByteArray serialOf(const QString &pem) {
  const auto certs = QSslCertificate::fromPath(pem);
  return certs.isEmpty() ? QByteArray() : certs.first().serialNumber();
}

// Replaces `to` in one rename, as a deployment tool would.
bool install(const QString &from, const QString &to) {
  QFile::remove(to + u".new"_qs);
  return QFile::copy(from, to + u".new"_qs) && std::rename(qPrintable(to + u".new"_qs), qPrintable(to)) == 0;
}

}  // namespace

class TestNodeTls : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  Daemon m_node;
  QByteArray m_stderr;

  QString file(const QString &name) const { return m_dir.filePath(name); }
  QStringList args(const QString &cert, const QString &key) const {
    return {u"--listen"_qs,   u"127.0.0.1:0"_qs,
            u"--data-dir"_qs, file(u"data"_qs),
            u"--tls-cert"_qs, cert,
            u"--tls-key"_qs,  key};
  }
  // Waits until lmfrontd's stderr says `what`.
  bool stderrSays(const QByteArray &what) {
    return QTest::qWaitFor(
        [&] {
          m_node.process().waitForReadyRead(20);
          m_stderr += m_node.takeStderr();
          return m_stderr.contains(what);
        },
        10'000);
  }

private Q_SLOTS:
  void initTestCase() {
    if (!QSslSocket::supportsSsl()) QSKIP("Qt has no TLS backend here");
    QVERIFY(m_dir.isValid());
    QVERIFY(test::makeTestCa(m_dir.path()));
    QVERIFY(test::makeTestCertificate(m_dir.path(), u"node"_qs, u"IP:127.0.0.1"_qs));
    QVERIFY(test::makeTestCertificate(m_dir.path(), u"renewed"_qs, u"IP:127.0.0.1"_qs));
    QVERIFY(install(file(u"node.pem"_qs), file(u"live.pem"_qs)));
    QVERIFY(install(file(u"node.key"_qs), file(u"live.key"_qs)));
    QVERIFY(m_node.start(args(file(u"live.pem"_qs), file(u"live.key"_qs))));
  }
  void cleanupTestCase() { m_node.stop(); }

  void httpsAndWssShareThePort() {
    Https https;
    QVERIFY2(https.connect(m_node.port(), file(u"ca.pem"_qs)), qPrintable(https.socket.errorString()));
    const QByteArray reply = https.get("/healthz");
    QVERIFY2(reply.startsWith("HTTP/1.1 200"), reply.constData());

    ManualClock clock;
    client::OpsClient::Options o;
    o.url = QUrl(QStringLiteral("wss://127.0.0.1:%1/ops").arg(m_node.port()));
    o.caFile = file(u"ca.pem"_qs);
    client::OpsClient ops(o, clock);
    QJsonObject node;
    connect(&ops, &client::OpsClient::snapshotReceived, this,
            [&](const QString &topic, qint64, const QJsonObject &payload) {
              if (topic == u"node") node = payload;
            });
    ops.subscribe(u"node"_qs);
    ops.open();
    QVERIFY2(QTest::qWaitFor([&] { return !node.isEmpty(); }, 10'000), qPrintable(ops.stateReason()));
    QCOMPARE(ops.state(), client::OpsClient::State::Live);
  }

  void aClientResettingMidResponseDoesNotKillTheNode() {
    // OpenSSL writes with write(2): a write to a peer that reset the connection raises SIGPIPE,
    // whose default action ends the process unless the node's I/O threads block it.
    for (int round = 0; round < 10; ++round) {
      Https https;
      QVERIFY2(https.connect(m_node.port(), file(u"ca.pem"_qs)), qPrintable(https.socket.errorString()));
      QByteArray many;
      for (int i = 0; i < 64; ++i) many += "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
      https.socket.write(many);
      QVERIFY(https.socket.waitForReadyRead(10'000));  // the answers have begun
      const linger reset{1, 0};
      const int fd = static_cast<int>(https.socket.socketDescriptor());
      QCOMPARE(::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset), 0);
      https.socket.abort();
      QTest::qWait(20);  // the node meets the reset on its next write
    }
    QCOMPARE(m_node.process().state(), QProcess::Running);
    Https after;
    QVERIFY2(after.connect(m_node.port(), file(u"ca.pem"_qs)), qPrintable(after.socket.errorString()));
    QVERIFY(after.get("/healthz").startsWith("HTTP/1.1 200"));
  }

  void theOpsClientRefusesAnUnknownCa() {
    ManualClock clock;
    client::OpsClient::Options o;
    o.url = QUrl(QStringLiteral("wss://127.0.0.1:%1/ops").arg(m_node.port()));
    client::OpsClient ops(o, clock);  // the system's CAs only
    ops.open();
    QVERIFY(QTest::qWaitFor([&] { return ops.state() == client::OpsClient::State::Failed; }, 10'000));
    QVERIFY2(ops.stateReason().contains(u"does not verify"), qPrintable(ops.stateReason()));
  }

  void sighupServesTheRenewedCertificateToNewConnections() {
    Https before;
    QVERIFY(before.connect(m_node.port(), file(u"ca.pem"_qs)));
    QCOMPARE(before.serial(), serialOf(file(u"node.pem"_qs)));
    QVERIFY(install(file(u"renewed.pem"_qs), file(u"live.pem"_qs)));
    QVERIFY(install(file(u"renewed.key"_qs), file(u"live.key"_qs)));
    QCOMPARE(::kill(static_cast<pid_t>(m_node.process().processId()), SIGHUP), 0);
    QVERIFY2(stderrSays("TLS certificate reloaded"), m_stderr.constData());
    Https after;
    QVERIFY(after.connect(m_node.port(), file(u"ca.pem"_qs)));
    QCOMPARE(after.serial(), serialOf(file(u"renewed.pem"_qs)));
    // Not dropped: the connection from before still answers, with the certificate it began with.
    QVERIFY(before.get("/healthz").startsWith("HTTP/1.1 200"));
    QCOMPARE(before.serial(), serialOf(file(u"node.pem"_qs)));
  }

  void aBadCertificateAtReloadKeepsTheOldOne() {
    {
      QFile broken(file(u"live.pem"_qs) + u".new"_qs);
      QVERIFY(broken.open(QIODevice::WriteOnly));
      broken.write("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    }
    QVERIFY(std::rename(qPrintable(file(u"live.pem.new"_qs)), qPrintable(file(u"live.pem"_qs))) == 0);
    QCOMPARE(::kill(static_cast<pid_t>(m_node.process().processId()), SIGHUP), 0);
    QVERIFY2(stderrSays("TLS reload failed"), m_stderr.constData());
    QVERIFY2(m_stderr.contains(file(u"live.pem"_qs).toUtf8()), m_stderr.constData());
    Https after;
    QVERIFY(after.connect(m_node.port(), file(u"ca.pem"_qs)));
    QCOMPARE(after.serial(), serialOf(file(u"renewed.pem"_qs)));
    QVERIFY(m_node.process().state() == QProcess::Running);
  }

  void aBadFileAtStartIsAnErrorNamingIt() {
    Daemon d;
    QVERIFY(!d.start(args(file(u"missing.pem"_qs), file(u"node.key"_qs))));
    QVERIFY(d.process().state() == QProcess::NotRunning || d.process().waitForFinished(10'000));
    QCOMPARE(d.process().exitCode(), 1);
    const QByteArray err = d.takeStderr();
    QVERIFY2(err.contains(file(u"missing.pem"_qs).toUtf8()), err.constData());
  }

  void aCertificateWithoutItsKeyIsAFlagError() {
    Daemon d;
    QVERIFY(!d.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, file(u"data2"_qs), u"--tls-cert"_qs,
                      file(u"node.pem"_qs)}));
    QVERIFY(d.process().state() == QProcess::NotRunning || d.process().waitForFinished(10'000));
    QCOMPARE(d.process().exitCode(), 2);
    QVERIFY(d.takeStderr().contains("--tls-key"));
  }
};

QTEST_GUILESS_MAIN(TestNodeTls)
#include "tst_nodetls.moc"
