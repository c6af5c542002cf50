// `lmfront watch` (the real binary) against the node's real OpsServer in this process: JSON lines
// on stdout in the protocol's envelope, the exit codes of docs/ops-protocol.md's CLI section.
#include "cluster/opsserver.h"

#include <QJsonDocument>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace lmfront;
using namespace lmfront::cluster;
using gateway::auth::Principal;
using gateway::auth::Role;

namespace {

QString lmfrontBinary() { return qEnvironmentVariable("LMFRONT_BIN_DIR") + QStringLiteral("/lmfront"); }

struct Watch {
  std::unique_ptr<QProcess> process = std::make_unique<QProcess>();
  QList<QByteArray> lines;

  void start(const QStringList &args, const QString &envKey = {}) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"LMFRONT_API_KEY"_qs);
    if (!envKey.isEmpty()) env.insert(u"LMFRONT_API_KEY"_qs, envKey);
    process->setProcessEnvironment(env);
    QObject::connect(process.get(), &QProcess::readyReadStandardOutput, process.get(), [this] {
      while (process->canReadLine()) lines << process->readLine().trimmed();
    });
    process->start(lmfrontBinary(), QStringList{u"watch"_qs} + args);
  }
  // The exit code once it ended by itself (its server lives in this process, so wait with events).
  int exitCode() {
    if (!QTest::qWaitFor([this] { return process->state() == QProcess::NotRunning; }, 20'000)) return -1;
    return process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
  }
  QString err() { return QString::fromUtf8(process->readAllStandardError()); }
};

}  // namespace

class TestWatchCli : public QObject {
  Q_OBJECT
private:
  ManualClock m_clock;
  OpsRegistry m_registry;
  std::unique_ptr<OpsServer> m_server;
  QTcpServer m_listener;

  QString url() const { return QStringLiteral("ws://127.0.0.1:%1/ops").arg(m_listener.serverPort()); }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_registry
                .addTopic({u"node"_qs, Role::Viewer, OpsDelivery::Replaceable,
                           [](const QJsonObject &) -> Result<QJsonObject> {
                             return QJsonObject{{u"ready"_qs, true}};
                           }})
                .isOk());
    m_server = std::make_unique<OpsServer>(
        m_registry,
        [](const std::optional<QString> &key) -> Result<Principal> {
          if (key == u"lmf_viewer"_qs) return Principal{"lmf_viewer", "viewer", Role::Viewer};
          return Status::unauthenticated(key ? "invalid API key" : "missing API key");
        },
        u"n-test"_qs, m_clock, OpsServer::Options{});
    QVERIFY(m_listener.listen(QHostAddress::LocalHost, 0));
    connect(&m_listener, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket *s = m_listener.nextPendingConnection()) m_server->handleConnection(s);
    });
  }
  void cleanupTestCase() { m_server.reset(); }

  void printsOneJsonLinePerMessage() {
    Watch w;
    w.start({u"--url"_qs, url(), u"--topic"_qs, u"node"_qs, u"--count"_qs, u"3"_qs}, u"lmf_viewer"_qs);
    QVERIFY(QTest::qWaitFor([&] { return w.lines.size() == 1; }, 20'000));
    QVERIFY(m_registry.publish(u"node"_qs, QJsonObject{{u"ready"_qs, false}}).isOk());
    QVERIFY(m_registry.publish(u"node"_qs, QJsonObject{{u"ready"_qs, true}}).isOk());
    QCOMPARE(w.exitCode(), 0);
    QCOMPARE(w.lines.size(), 3);
    const QJsonObject snapshot = QJsonDocument::fromJson(w.lines[0]).object();
    QCOMPARE(snapshot.value(u"v").toInt(), 1);
    QCOMPARE(snapshot.value(u"type").toString(), u"snapshot"_qs);
    QCOMPARE(snapshot.value(u"topic").toString(), u"node"_qs);
    QCOMPARE(snapshot.value(u"payload").toObject().value(u"ready").toBool(), true);
    const qint64 seq = snapshot.value(u"seq").toInteger();
    for (int i = 1; i <= 2; ++i) {
      const QJsonObject delta = QJsonDocument::fromJson(w.lines[i]).object();
      QCOMPARE(delta.value(u"type").toString(), u"delta"_qs);
      QCOMPARE(delta.value(u"seq").toInteger(), seq + i);
      QCOMPARE(delta.value(u"payload").toObject().value(u"ready").toBool(), i == 2);
    }
    QVERIFY(w.err().contains(u"lmfront watch: live: connected to "));
  }

  void refusedKeyExitsOne() {
    Watch w;
    w.start({u"--url"_qs, url(), u"--api-key"_qs, u"lmf_wrong"_qs});
    QCOMPARE(w.exitCode(), 1);
    const QString err = w.err();
    QVERIFY2(err.contains(u"lmfront watch: failed: authentication refused: invalid API key"), qPrintable(err));
    QVERIFY(w.lines.isEmpty());
  }

  void unknownTopicExitsOne() {
    Watch w;
    w.start({u"--url"_qs, url(), u"--topic"_qs, u"alerts"_qs}, u"lmf_viewer"_qs);
    QCOMPARE(w.exitCode(), 1);
    const QString err = w.err();
    QVERIFY2(err.contains(u"topic 'alerts' refused: unknown topic 'alerts'"), qPrintable(err));
  }

  void usageErrorsExitTwo() {
    Watch noUrl;
    noUrl.start({u"--topic"_qs, u"node"_qs});
    QCOMPARE(noUrl.exitCode(), 2);
    QVERIFY(noUrl.err().contains(u"missing required flag --url"));
    Watch badCount;
    badCount.start({u"--url"_qs, url(), u"--count"_qs, u"-1"_qs});
    QCOMPARE(badCount.exitCode(), 2);
    Watch notWs;
    notWs.start({u"--url"_qs, u"http://127.0.0.1:1/ops"_qs});
    QCOMPARE(notWs.exitCode(), 1);
    QVERIFY(notWs.err().contains(u"is not a ws:// or wss:// URL"));
  }
};

QTEST_GUILESS_MAIN(TestWatchCli)
#include "tst_watch_cli.moc"
