// OpsClient over wss:// against the real OpsServer behind a TLS listener of this test (the node
// does not terminate TLS yet): a throwaway CA and certificates made with `openssl` at run time.
// A chain from the given CA file is accepted; an unknown CA and a wrong host name are refused
// once, as Failed, and never retried or ignored.
#include "client/opsclient.h"
#include "cluster/opsserver.h"

#include <QFile>
#include <QProcess>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::client;
using namespace std::chrono_literals;
using State = OpsClient::State;

namespace {

bool openssl(const QStringList &args, const QString &dir) {
  QProcess p;
  p.setWorkingDirectory(dir);
  p.start(u"openssl"_qs, args);
  if (!p.waitForFinished(30'000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
    qWarning("openssl %s: %s", qPrintable(args.join(u' ')), p.readAllStandardError().constData());
    return false;
  }
  return true;
}

// Accepts TLS on 127.0.0.1 and hands each encrypted socket to the ops server, as the node's data
// plane will hand it a connection once it terminates TLS.
class TlsListener : public QTcpServer {
public:
  TlsListener(cluster::OpsServer &server, QSslCertificate cert, QSslKey key)
      : m_server(server), m_cert(std::move(cert)), m_key(std::move(key)) {}
  int accepted = 0;

protected:
  void incomingConnection(qintptr fd) override {
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(fd)) {
      delete socket;
      return;
    }
    ++accepted;
    socket->setLocalCertificate(m_cert);
    socket->setPrivateKey(m_key);
    connect(socket, &QSslSocket::encrypted, this, [this, socket] { m_server.handleConnection(socket); });
    connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
    socket->startServerEncryption();
  }

private:
  cluster::OpsServer &m_server;
  QSslCertificate m_cert;
  QSslKey m_key;
};

}  // namespace

class TestOpsClientTls : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  ManualClock m_clock;
  cluster::OpsRegistry m_registry;
  std::unique_ptr<cluster::OpsServer> m_server;

  std::unique_ptr<TlsListener> listener(const QString &name) {
    QFile certFile(m_dir.filePath(name + u".pem"_qs));
    QFile keyFile(m_dir.filePath(name + u".key"_qs));
    if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly)) return nullptr;
    auto l = std::make_unique<TlsListener>(*m_server, QSslCertificate(&certFile, QSsl::Pem),
                                           QSslKey(&keyFile, QSsl::Ec, QSsl::Pem));
    if (!l->listen(QHostAddress::LocalHost, 0)) return nullptr;
    return l;
  }
  OpsClient::Options options(quint16 port, const QString &caFile) const {
    OpsClient::Options o;
    o.url = QUrl(QStringLiteral("wss://127.0.0.1:%1/ops").arg(port));
    o.caFile = caFile;
    o.backoff.jitter = 0;
    return o;
  }

  // A client with these options verifies the node, goes live and gets the `node` snapshot.
  void expectLive(const OpsClient::Options &o) {
    OpsClient client(o, m_clock);
    bool snapshot = false;
    connect(&client, &OpsClient::snapshotReceived, this, [&] { snapshot = true; });
    client.subscribe(u"node"_qs);
    client.open();
    QVERIFY2(QTest::qWaitFor([&] { return snapshot; }, 10'000), qPrintable(client.stateReason()));
    QCOMPARE(client.state(), State::Live);
  }

private Q_SLOTS:
  void initTestCase() {
    if (!QSslSocket::supportsSsl()) QSKIP("Qt has no TLS backend here");
    QVERIFY(m_dir.isValid());
    QVERIFY(openssl({u"req"_qs, u"-x509"_qs, u"-newkey"_qs, u"ec"_qs, u"-pkeyopt"_qs,
                     u"ec_paramgen_curve:prime256v1"_qs, u"-nodes"_qs, u"-keyout"_qs, u"ca.key"_qs, u"-out"_qs,
                     u"ca.pem"_qs, u"-days"_qs, u"2"_qs, u"-subj"_qs, u"/CN=lmfront test CA"_qs},
                    m_dir.path()));
    // Each server certificate signed by that CA; its subjectAltName reaches `openssl x509`
    // through -extfile /dev/stdin.
    for (const auto &[name, san] :
         {std::pair{u"node"_qs, u"IP:127.0.0.1"_qs}, {u"elsewhere"_qs, u"DNS:other.example"_qs}}) {
      QProcess p;
      p.setWorkingDirectory(m_dir.path());
      QVERIFY(
          openssl({u"req"_qs, u"-newkey"_qs, u"ec"_qs, u"-pkeyopt"_qs, u"ec_paramgen_curve:prime256v1"_qs, u"-nodes"_qs,
                   u"-keyout"_qs, name + u".key"_qs, u"-out"_qs, name + u".csr"_qs, u"-subj"_qs, u"/CN="_qs + name},
                  m_dir.path()));
      p.start(u"openssl"_qs, {u"x509"_qs, u"-req"_qs, u"-in"_qs, name + u".csr"_qs, u"-CA"_qs, u"ca.pem"_qs,
                              u"-CAkey"_qs, u"ca.key"_qs, u"-CAcreateserial"_qs, u"-days"_qs, u"2"_qs, u"-out"_qs,
                              name + u".pem"_qs, u"-extfile"_qs, u"/dev/stdin"_qs});
      p.write(QStringLiteral("subjectAltName=%1\n").arg(san).toUtf8());
      p.closeWriteChannel();
      QVERIFY(p.waitForFinished(30'000));
      QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    }
    QVERIFY(m_registry
                .addTopic({u"node"_qs, gateway::auth::Role::Viewer, cluster::OpsDelivery::Replaceable,
                           [](const QJsonObject &) -> Result<QJsonObject> {
                             return QJsonObject{{u"ready"_qs, true}};
                           }})
                .isOk());
    m_server = std::make_unique<cluster::OpsServer>(
        m_registry,
        [](const std::optional<QString> &) -> Result<gateway::auth::Principal> {
          return gateway::auth::Principal{"", "local", gateway::auth::Role::Admin};
        },
        u"n-tls"_qs, m_clock, cluster::OpsServer::Options{});
  }
  void cleanupTestCase() { m_server.reset(); }

  void chainFromTheCaFileIsAccepted() {
    auto l = listener(u"node"_qs);
    QVERIFY(l);
    expectLive(options(l->serverPort(), m_dir.filePath(u"ca.pem"_qs)));
  }

  void certificatesGivenInMemoryAreTrusted() {
    // A console connection hands over the CA certificates it already read from its CA file.
    auto l = listener(u"node"_qs);
    QVERIFY(l);
    OpsClient::Options o = options(l->serverPort(), {});
    o.caCertificates = QSslCertificate::fromPath(m_dir.filePath(u"ca.pem"_qs), QSsl::Pem);
    QCOMPARE(o.caCertificates.size(), 1);
    expectLive(o);
  }

  void unknownCaIsRefusedOnce() {
    auto l = listener(u"node"_qs);
    QVERIFY(l);
    OpsClient client(options(l->serverPort(), {}), m_clock);  // the system's CAs only
    client.open();
    QVERIFY(QTest::qWaitFor([&] { return client.state() == State::Failed; }, 10'000));
    QVERIFY2(client.stateReason().startsWith(u"the node's certificate does not verify: "),
             qPrintable(client.stateReason()));
    for (int i = 0; i < 10; ++i) {
      m_clock.advance(5s);
      client.tick();
    }
    QTest::qWait(20);
    QCOMPARE(l->accepted, 1);
  }

  void wrongHostNameIsRefused() {
    auto l = listener(u"elsewhere"_qs);
    QVERIFY(l);
    OpsClient client(options(l->serverPort(), m_dir.filePath(u"ca.pem"_qs)), m_clock);
    client.open();
    QVERIFY(QTest::qWaitFor([&] { return client.state() == State::Failed; }, 10'000));
    QVERIFY2(client.stateReason().contains(u"host name"), qPrintable(client.stateReason()));
  }
};

QTEST_GUILESS_MAIN(TestOpsClientTls)
#include "tst_opsclienttls.moc"
