// OpsClient over wss:// against the real OpsServer behind the data plane's native TLS (HttpServer
// with a TlsContext, the upgrade carried through its TLS tunnel), as the node serves `/ops`: a
// throwaway CA and certificates made with `openssl` at run time (testcertificates.h).
// A chain from the given CA file (or from certificates given in memory, as the console passes a
// connection's CA) is accepted; an unknown CA and a wrong host name are refused once, as Failed,
// and never retried or ignored.
#include "../support/testcertificates.h"
#include "client/opsclient.h"
#include "cluster/opsserver.h"
#include "gateway/http/httpserver.h"
#include "gateway/http/tlscontext.h"

#include <QSslCertificate>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::client;
using namespace std::chrono_literals;
using State = OpsClient::State;

class TestOpsClientTls : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  ManualClock m_clock;
  cluster::OpsRegistry m_registry;
  std::unique_ptr<cluster::OpsServer> m_server;

  // The data plane serving `name`.pem over TLS, handing `/ops` upgrades to the ops server.
  std::unique_ptr<gateway::HttpServer> listener(const QString &name) {
    auto context = gateway::TlsContext::load(m_dir.filePath(name + u".pem"_qs).toStdString(),
                                             m_dir.filePath(name + u".key"_qs).toStdString());
    if (!context) return nullptr;
    gateway::HttpServerOptions o;
    o.port = 0;
    o.workers = 1;
    o.tls = *context;
    cluster::OpsServer *server = m_server.get();
    o.upgrade = {"/ops", "websocket", [server](int fd, std::string head) {
                   QMetaObject::invokeMethod(
                       server,
                       [server, fd, bytes = QByteArray::fromStdString(head)] { server->adoptSocket(fd, bytes); },
                       Qt::QueuedConnection);
                 }};
    auto l = std::make_unique<gateway::HttpServer>(m_clock);
    if (!l->start(o, std::make_shared<gateway::Router>()).isOk()) return nullptr;
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
    QVERIFY(test::makeTestCa(m_dir.path()));
    QVERIFY(test::makeTestCertificate(m_dir.path(), u"node"_qs, u"IP:127.0.0.1"_qs));
    QVERIFY(test::makeTestCertificate(m_dir.path(), u"elsewhere"_qs, u"DNS:other.example"_qs));
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
    expectLive(options(l->port(), m_dir.filePath(u"ca.pem"_qs)));
  }

  void certificatesGivenInMemoryAreTrusted() {
    // A console connection hands over the CA certificates it already read from its CA file.
    auto l = listener(u"node"_qs);
    QVERIFY(l);
    OpsClient::Options o = options(l->port(), {});
    o.caCertificates = QSslCertificate::fromPath(m_dir.filePath(u"ca.pem"_qs), QSsl::Pem);
    QCOMPARE(o.caCertificates.size(), 1);
    expectLive(o);
  }

  void unknownCaIsRefusedOnce() {
    auto l = listener(u"node"_qs);
    QVERIFY(l);
    OpsClient client(options(l->port(), {}), m_clock);  // the system's CAs only
    client.open();
    QVERIFY(QTest::qWaitFor([&] { return client.state() == State::Failed; }, 10'000));
    QVERIFY2(client.stateReason().startsWith(u"the node's certificate does not verify: "),
             qPrintable(client.stateReason()));
    for (int i = 0; i < 10; ++i) {
      m_clock.advance(5s);
      client.tick();
    }
    QTest::qWait(20);
    QCOMPARE(l->stats().connectionsAccepted, 1u);
  }

  void wrongHostNameIsRefused() {
    auto l = listener(u"elsewhere"_qs);
    QVERIFY(l);
    OpsClient client(options(l->port(), m_dir.filePath(u"ca.pem"_qs)), m_clock);
    client.open();
    QVERIFY(QTest::qWaitFor([&] { return client.state() == State::Failed; }, 10'000));
    QVERIFY2(client.stateReason().contains(u"host name"), qPrintable(client.stateReason()));
  }
};

QTEST_GUILESS_MAIN(TestOpsClientTls)
#include "tst_opsclienttls.moc"
