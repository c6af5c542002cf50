// The catalog service in a real node, in process over real sockets: an ARPA `--model` imported
// with its bytes' sha256 (and again at a restart: nothing new), the `catalog` and `audit` topics'
// snapshots and deltas seen by the ops client the console uses, a refused action answering
// failed_precondition with a delta of its audit row, and an operator's key name as the actor.
#include "../support/tinymodel.h"
#include "client/opsclient.h"
#include "common/clock.h"
#include "common/eventsink.h"
#include "engine/sha256.h"
#include "gateway/auth/keystore.h"
#include "node/node.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace lmfront;

class TstRegistryService : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  QString m_model;
  std::string m_operator;
  RecordingEventSink m_events{100};

  node::NodeConfig config() const {
    node::NodeConfig c;
    c.listenPort = 0;
    c.workers = 1;
    c.dataDir = m_dir.filePath(u"data"_qs);
    c.models.push_back({u"tiny"_qs, m_model});
    return c;
  }
  std::unique_ptr<client::OpsClient> connect(quint16 port) const {
    client::OpsClient::Options o;
    o.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ops").arg(port));
    o.apiKey = QString::fromStdString(m_operator);
    auto c = std::make_unique<client::OpsClient>(o, Clock::steady());
    c->open();
    return c;
  }
  static client::OpsReply run(client::OpsClient &c, const QString &name, const QJsonObject &args) {
    client::OpsReply out;
    bool done = false;
    c.command(name, args, &c, [&](const client::OpsReply &r) {
      out = r;
      done = true;
    });
    (void)QTest::qWaitFor([&] { return done; }, 10'000);
    return out;
  }

private Q_SLOTS:
  void initTestCase() {
    m_model = testing::trainTinyModel(m_dir.path());
    QVERIFY(!m_model.isEmpty());
    QVERIFY(QDir().mkpath(m_dir.filePath(u"data"_qs)));
    auto store = gateway::auth::KeyStore::open(m_dir.filePath(u"data"_qs).toStdString());
    QVERIFY(store);
    auto created = (*store)->create("release-bot", gateway::auth::Role::Operator);
    QVERIFY(created);
    m_operator = created->key;
  }

  void topicsFollowTheCatalogAndTheAudit() {
    node::Node node(config(), Clock::steady(), m_events);
    QVERIFY(node.start().isOk());
    auto c = connect(node.port());
    QSignalSpy snapshots(c.get(), &client::OpsClient::snapshotReceived);
    QSignalSpy deltas(c.get(), &client::OpsClient::deltaReceived);
    c->subscribe(u"catalog"_qs);
    c->subscribe(u"audit"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(snapshots.size(), 2, 10'000);

    QJsonObject catalog, audit;
    for (const auto &s : snapshots) (s[0].toString() == u"catalog"_qs ? catalog : audit) = s[2].toJsonObject();
    const QJsonArray models = catalog[u"models"_qs].toArray();
    QCOMPARE(models.size(), 1);
    const QJsonObject v1 = models[0][u"versions"_qs][0].toObject();
    QCOMPARE(v1[u"state"_qs].toString(), u"deployed"_qs);
    auto digest = engine::sha256File(m_model.toStdString());  // an ARPA file: its bytes' sha256
    QVERIFY(digest);
    QCOMPARE(v1[u"sha256"_qs].toString(), QString::fromStdString(engine::toHex(*digest)));
    // The served file is the version's serving artifact.
    QCOMPARE(v1[u"artifact_sha256"_qs].toString(), QString::fromStdString(engine::toHex(*digest)));
    QCOMPARE(audit[u"entries"_qs].toArray().last()[u"action"_qs].toString(), u"import"_qs);

    const auto refused = run(*c, u"publish"_qs, {{u"model"_qs, u"tiny"_qs}, {u"version"_qs, 1}});
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error.code, client::OpsErrorCode::FailedPrecondition);
    QVERIFY(refused.error.message.contains(u"publish is allowed from: compiled"_qs));
    const auto retired =
        run(*c, u"retire"_qs, {{u"model"_qs, u"tiny"_qs}, {u"version"_qs, 1}, {u"comment"_qs, u"bye"_qs}});
    QVERIFY2(retired.ok(), qPrintable(retired.error.message));
    QCOMPARE(retired.result[u"state"_qs].toString(), u"retired"_qs);

    // Deltas: each action's audit row (the refusal too), and the model as it is afterwards.
    QStringList auditRows;
    QString lastState;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          auditRows.clear();
          for (const auto &d : deltas) {
            const QJsonObject payload = d[2].toJsonObject();
            if (d[0].toString() == u"audit"_qs)
              for (const auto &e : payload[u"entries"_qs].toArray())
                auditRows << e[u"action"_qs].toString() + u'/' + e[u"outcome"_qs].toString() + u'/' +
                                 e[u"actor"_qs].toString();
            if (d[0].toString() == u"catalog"_qs)
              lastState = payload[u"changed"_qs][u"versions"_qs][0][u"state"_qs].toString();
          }
          return auditRows.size() == 2 && lastState == u"retired"_qs;
        }(),
        10'000);
    QCOMPARE(auditRows, (QStringList{u"publish/refused/release-bot"_qs, u"retire/ok/release-bot"_qs}));
    c.reset();
    QVERIFY(node.shutdown());
  }

  void aRestartImportsNothingNew() {
    node::Node node(config(), Clock::steady(), m_events);
    QVERIFY(node.start().isOk());
    auto c = connect(node.port());
    const auto versions = run(*c, u"versions"_qs, {{u"model"_qs, u"tiny"_qs}});
    QVERIFY2(versions.ok(), qPrintable(versions.error.message));
    const QJsonArray list = versions.result[u"versions"_qs].toArray();
    QCOMPARE(list.size(), 1);  // the same file: version 1, still retired
    QCOMPARE(list[0][u"state"_qs].toString(), u"retired"_qs);
    c.reset();
    QVERIFY(node.shutdown());
  }
};

QTEST_MAIN(TstRegistryService)
#include "tst_registryservice.moc"
