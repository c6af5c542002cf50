// HealthClient over https:// against a TLS listener of this test answering /healthz, with a
// throwaway CA and server certificate made with `openssl` at run time: without the CA the
// certificate is refused (never skipped), with it (setCaCertificates(), a connection's CA file)
// the node is healthy.
#include "client/healthclient.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::client;

namespace {

bool openssl(const QStringList &args, const QString &dir, const QByteArray &input = {}) {
  QProcess p;
  p.setWorkingDirectory(dir);
  p.start(QStringLiteral("openssl"), args);
  p.write(input);
  p.closeWriteChannel();
  if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
    qWarning("openssl %s: %s", qPrintable(args.join(QLatin1Char(' '))), p.readAllStandardError().constData());
    return false;
  }
  return true;
}

// Answers every request on a TLS connection with one healthy /healthz body, then closes.
class HttpsHealthz : public QTcpServer {
public:
  HttpsHealthz(QSslCertificate cert, QSslKey key) : m_cert(std::move(cert)), m_key(std::move(key)) {}

protected:
  void incomingConnection(qintptr fd) override {
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(fd)) {
      delete socket;
      return;
    }
    socket->setLocalCertificate(m_cert);
    socket->setPrivateKey(m_key);
    connect(socket, &QSslSocket::readyRead, socket, [socket] {
      if (!socket->readAll().contains("\r\n\r\n")) return;
      const QByteArray body = R"({"status":"ok","node_id":"n-tls","version":"0.1.0","uptime_s":3,"models":0})";
      socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                    QByteArray::number(body.size()) + "\r\n\r\n" + body);
      socket->disconnectFromHost();
    });
    connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
    socket->startServerEncryption();
  }

private:
  QSslCertificate m_cert;
  QSslKey m_key;
};

}  // namespace

class TestHealthClientTls : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  std::unique_ptr<HttpsHealthz> m_server;

  NodeHealth pollOnce(const QList<QSslCertificate> &ca) {
    HealthClient client;
    client.setBaseUrl(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(m_server->serverPort())));
    client.setCaCertificates(ca);
    QSignalSpy updated(&client, &HealthClient::healthUpdated);
    client.pollNow();
    if (!updated.wait(10000)) return {};
    return updated.first().first().value<NodeHealth>();
  }

private Q_SLOTS:
  void initTestCase() {
    if (!QSslSocket::supportsSsl()) QSKIP("Qt has no TLS backend here");
    QVERIFY(m_dir.isValid());
    const QString dir = m_dir.path();
    QVERIFY(openssl(
        {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
         QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
         QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"), QStringLiteral("ca.pem"),
         QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=lmfront test CA")},
        dir));
    QVERIFY(openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                     QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                     QStringLiteral("-keyout"), QStringLiteral("node.key"), QStringLiteral("-out"),
                     QStringLiteral("node.csr"), QStringLiteral("-subj"), QStringLiteral("/CN=node")},
                    dir));
    QVERIFY(openssl(
        {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), QStringLiteral("node.csr"),
         QStringLiteral("-CA"), QStringLiteral("ca.pem"), QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
         QStringLiteral("-CAcreateserial"), QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-out"),
         QStringLiteral("node.pem"), QStringLiteral("-extfile"), QStringLiteral("/dev/stdin")},
        dir, "subjectAltName=IP:127.0.0.1\n"));
    QFile cert(m_dir.filePath(QStringLiteral("node.pem")));
    QFile key(m_dir.filePath(QStringLiteral("node.key")));
    QVERIFY(cert.open(QIODevice::ReadOnly) && key.open(QIODevice::ReadOnly));
    m_server = std::make_unique<HttpsHealthz>(QSslCertificate(&cert, QSsl::Pem), QSslKey(&key, QSsl::Ec, QSsl::Pem));
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
  }

  void unknownCaIsRefused() {
    const NodeHealth health = pollOnce({});
    QVERIFY(!health.reachable);
    QCOMPARE(health.errorKind, HealthError::Network);
    QVERIFY2(!health.error.isEmpty(), "a refused certificate says why");
  }

  void theConnectionsCaIsTrusted() {
    const QList<QSslCertificate> ca = QSslCertificate::fromPath(m_dir.filePath(QStringLiteral("ca.pem")), QSsl::Pem);
    QCOMPARE(ca.size(), 1);
    const NodeHealth health = pollOnce(ca);
    QVERIFY2(health.healthy(), qPrintable(health.error));
    QCOMPARE(health.nodeId, QStringLiteral("n-tls"));
  }
};

QTEST_GUILESS_MAIN(TestHealthClientTls)
#include "tst_healthclienttls.moc"
