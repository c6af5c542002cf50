// The console's session with the node it embeds, built by ConsoleComposition as lmfront-console
// builds it: the local session authenticates its ops client in-process with the node's console
// credential, so a local node with require_keys on goes live as principal "console" (admin) while
// a client without that credential is refused; a local node serving TLS with a self-signed
// certificate (made with `openssl` at run time) is reached over https/wss and verified against that
// certificate, which nothing else trusts. Offscreen; nodes on 127.0.0.1 port 0, throw-away
// settings and the file key backend.
#include "../support/testcertificates.h"
#include "client/opsclient.h"
#include "consolecomposition.h"
#include "models/connectionlistmodel.h"
#include "models/connectionstore.h"
#include "models/nodesession.h"
#include "node/node.h"

#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace lmfront;
using models::ConnectionListModel;
using models::ConnectionStore;
using State = client::OpsClient::State;

class TestLocalSession : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;

  std::unique_ptr<console::ConsoleComposition> console(const QString &name) {
    console::ConsoleComposition::Options options;
    options.settingsFile = m_dir.filePath(name + QStringLiteral(".conf"));
    options.keys = console::ConsoleComposition::KeyBackend::File;
    return std::make_unique<console::ConsoleComposition>(options);
  }
  node::NodeConfig config(console::ConsoleComposition &c, const QString &name) {
    node::NodeConfig config = c.nodeDefaults(true);
    config.listenHost = QStringLiteral("127.0.0.1");
    config.listenPort = 0;
    config.dataDir = m_dir.filePath(name);
    config.workers = 1;
    return config;
  }
  // A client of the same node with only `key` (none when empty) and the system's CAs: what the
  // node's key rules and certificate say to it.
  static QString outsiderState(const QUrl &opsUrl, const QString &key) {
    client::OpsClient::Options o;
    o.url = opsUrl;
    o.backoff.maxAttempts = 1;
    if (!key.isEmpty()) o.apiKey = key;
    client::OpsClient outsider(o, Clock::steady());
    outsider.open();
    if (!QTest::qWaitFor([&] { return outsider.state() == State::Failed || outsider.state() == State::Live; }, 10000))
      return QStringLiteral("timeout: ") + outsider.stateReason();
    return client::OpsClient::stateName(outsider.state()) + QStringLiteral(": ") + outsider.stateReason();
  }

private Q_SLOTS:
  void initTestCase() { QVERIFY(m_dir.isValid()); }

  void requireKeysLocalNodeIsLiveAsTheConsole() {
    auto c = console(QStringLiteral("keys"));
    node::NodeConfig cfg = config(*c, QStringLiteral("keys"));
    cfg.gateway.requireKeys = true;
    const Status started = c->startLocalNode(cfg);
    QVERIFY2(started.isOk(), started.message().c_str());
    models::NodeSession &local = c->localSession();
    QVERIFY(local.apiKey().isEmpty());  // no stored key: the credential is not one
    QTRY_COMPARE_WITH_TIMEOUT(local.opsClient()->state(), State::Live, 10000);
    QCOMPARE(local.opsClient()->session().principal, QStringLiteral("console"));
    QCOMPARE(local.opsClient()->session().role, QStringLiteral("admin"));
    QCOMPARE(c->connectionList().stateOf(ConnectionStore::localId()), ConnectionListModel::State::Live);
    // The node's `node` topic reaches the session: the row shows the node's own state.
    QTRY_VERIFY_WITH_TIMEOUT(local.liveState()->hasNode(), 10000);

    // An admin command goes through on that session.
    bool answered = false;
    client::OpsReply reply;
    local.opsClient()->command(QStringLiteral("undrain"), {}, this, [&](const client::OpsReply &r) {
      reply = r;
      answered = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(answered, 10000);
    QVERIFY2(reply.ok(), qPrintable(reply.error.message));

    // require_keys holds for everyone else: no key, and a guess, are refused.
    const QUrl ops = models::NodeSession::opsUrl(local.baseUrl());
    const QString keyless = outsiderState(ops, QString());
    QVERIFY2(keyless.startsWith(QStringLiteral("failed: authentication refused")), qPrintable(keyless));
    QVERIFY2(keyless.endsWith(QStringLiteral("(unauthenticated)")), qPrintable(keyless));
    const QString guess = outsiderState(ops, QStringLiteral("console"));
    QVERIFY2(guess.endsWith(QStringLiteral("(unauthenticated)")), qPrintable(guess));
    // The credential itself does open a session: it is the node's, held in this process only.
    QCOMPARE(outsiderState(ops, c->localNode()->consoleCredential()).left(5), QStringLiteral("live:"));
    QVERIFY(c->shutdown());
  }

  void selfSignedLocalNodeIsVerifiedAgainstItsOwnCertificate() {
    if (!QSslSocket::supportsSsl()) QSKIP("this Qt cannot load TLS");
    QVERIFY(test::makeSelfSignedCertificate(m_dir.path(), QStringLiteral("self"), QStringLiteral("IP:127.0.0.1")));
    auto c = console(QStringLiteral("tls"));
    node::NodeConfig cfg = config(*c, QStringLiteral("tls"));
    cfg.gateway.tlsCertFile = m_dir.filePath(QStringLiteral("self.pem"));
    cfg.gateway.tlsKeyFile = m_dir.filePath(QStringLiteral("self.key"));
    const Status started = c->startLocalNode(cfg);
    QVERIFY2(started.isOk(), started.message().c_str());
    models::NodeSession &local = c->localSession();
    QCOMPARE(local.baseUrl().scheme(), QStringLiteral("https"));
    QCOMPARE(local.opsClient()->options().url.scheme(), QStringLiteral("wss"));
    QTRY_COMPARE_WITH_TIMEOUT(local.opsClient()->state(), State::Live, 10000);
    QCOMPARE(local.opsClient()->session().principal, QStringLiteral("console"));
    // The HTTP side of the session trusts the same certificate: health polling over https.
    QTRY_VERIFY_WITH_TIMEOUT(local.health().healthy(), 10000);
    QCOMPARE(c->connectionList().stateOf(ConnectionStore::localId()), ConnectionListModel::State::Live);

    // Trusted by the local session only: a client without it refuses the certificate, and that
    // is final, not retried.
    const QString outsider =
        outsiderState(models::NodeSession::opsUrl(local.baseUrl()), c->localNode()->consoleCredential());
    QVERIFY2(outsider.startsWith(QStringLiteral("failed: the node's certificate does not verify")),
             qPrintable(outsider));
    QVERIFY(c->shutdown());
  }

  void eachNodeMintsItsOwnCredential() {
    auto a = console(QStringLiteral("a"));
    auto b = console(QStringLiteral("b"));
    QVERIFY(a->startLocalNode(config(*a, QStringLiteral("a"))).isOk());
    QVERIFY(b->startLocalNode(config(*b, QStringLiteral("b"))).isOk());
    const QString ca = a->localNode()->consoleCredential();
    QCOMPARE(ca.size(), 43);  // 256 bits, base64url
    QVERIFY(ca != b->localNode()->consoleCredential());
    // One node's credential is a wrong token to another node with require_keys off: not an
    // lmfront key, so ignored, and the caller is the local user — never "console".
    const QUrl opsB = models::NodeSession::opsUrl(b->localSession().baseUrl());
    const QString other = outsiderState(opsB, ca);
    QVERIFY2(other.startsWith(QStringLiteral("live:")), qPrintable(other));
    QVERIFY2(other.contains(QStringLiteral(" as local (admin)")), qPrintable(other));
    QVERIFY(a->shutdown());
    QVERIFY(b->shutdown());
  }
};

QTEST_MAIN(TestLocalSession)
#include "tst_localsession.moc"
