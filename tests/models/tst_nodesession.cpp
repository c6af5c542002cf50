// NodeSession against real servers: a Node on 127.0.0.1 port 0 serving a model trained here from
// Debian's fortunes (health and model list arrive through the session's own clients into its
// item models, each under QAbstractItemModelTester), a scripted HTTP server that shows what the
// session sends (the API key), and a closed port. No view.
#include "../support/fortunesmodel.h"
#include "../support/scriptedsse.h"
#include "models/nodesession.h"
#include "node/node.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace lmfront;
using models::NodeInfoModel;
using models::NodeSession;

class TestNodeSession : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  std::unique_ptr<node::Node> m_node;

  static QUrl closedPort() {
    QTcpServer closed;
    if (!closed.listen(QHostAddress::LocalHost, 0)) return {};
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort()));
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QString error;
    m_node = testing::startFortunesNode(m_dir.path(), 400, &error);
    QVERIFY2(m_node, qPrintable(error));
  }

  void cleanupTestCase() {
    if (m_node) QVERIFY(m_node->shutdown());
  }

  void healthAndModelsFromARealNode() {
    NodeSession session;
    QAbstractItemModelTester infoTester(session.nodeInfo(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester listTester(session.modelList(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy connection(&session, &NodeSession::connectionChanged);
    QVERIFY(session.address().isEmpty());
    session.setBaseUrl(QUrl(m_node->baseUrl()));
    QCOMPARE(connection.count(), 1);
    QCOMPARE(session.address(), m_node->info().listenAddress);
    QCOMPARE(session.healthClient()->baseUrl(), QUrl(m_node->baseUrl()));
    QCOMPARE(session.completionClient()->baseUrl(), QUrl(m_node->baseUrl()));

    QSignalSpy health(&session, &NodeSession::healthUpdated);
    session.start();
    QVERIFY(session.isPolling());
    QTRY_VERIFY_WITH_TIMEOUT(session.health().healthy(), 10000);
    QVERIFY(health.count() >= 1);
    const QModelIndex listen = session.nodeInfo()->indexOf(NodeInfoModel::Row::Listen);
    QCOMPARE(listen.data().toString(), m_node->info().listenAddress);
    QCOMPARE(session.nodeInfo()->indexOf(NodeInfoModel::Row::Models).data(NodeInfoModel::RawValueRole).toInt(), 1);

    QSignalSpy listed(&session, &NodeSession::modelsListed);
    session.refreshModels();
    QTRY_COMPARE_WITH_TIMEOUT(listed.count(), 1, 10000);
    QVERIFY(listed.at(0).at(0).value<client::ModelList>().error.ok());
    QCOMPARE(session.modelList()->rowCount(), 1);
    QCOMPARE(session.modelList()->index(0).data().toString(), QStringLiteral("fortunes"));
    session.stop();
    QVERIFY(!session.isPolling());
  }

  void apiKeyGoesOutWithEveryRequest() {
    testing::ScriptedSse server;
    NodeSession session;
    QSignalSpy changed(&session, &NodeSession::apiKeyChanged);
    session.setApiKey(QStringLiteral("lmf_sessionkey"));
    session.setApiKey(QStringLiteral("lmf_sessionkey"));  // unchanged: no second signal
    QCOMPARE(changed.count(), 1);
    QCOMPARE(session.apiKey(), QStringLiteral("lmf_sessionkey"));
    session.setBaseUrl(server.url());
    QSignalSpy listed(&session, &NodeSession::modelsListed);
    session.refreshModels();
    QTRY_COMPARE_WITH_TIMEOUT(listed.count(), 1, 10000);
    QCOMPARE(session.modelList()->rowCount(), 1);
    const QList<QTcpSocket *> sockets = server.findChildren<QTcpSocket *>();
    QCOMPARE(sockets.size(), 1);
    const QByteArray request = sockets.first()->property("buf").toByteArray();
    QVERIFY2(request.toLower().contains("authorization: bearer lmf_sessionkey"), request.constData());
  }

  // The live connection: ws(s)://HOST:PORT/ops of the base URL with the session's key, opened by
  // start() and closed by stop(); a new address or key replaces it and its LiveNodeState.
  void liveConnectionFollowsAddressAndKey() {
    QCOMPARE(NodeSession::opsUrl(QUrl(u"http://10.0.0.7:8080"_qs)), QUrl(u"ws://10.0.0.7:8080/ops"_qs));
    QCOMPARE(NodeSession::opsUrl(QUrl(u"https://node.example:8443/base?x=1"_qs)),
             QUrl(u"wss://node.example:8443/ops"_qs));
    QVERIFY(NodeSession::opsUrl(QUrl()).isEmpty());

    NodeSession session;
    QSignalSpy replaced(&session, &NodeSession::liveStateReplaced);
    QVERIFY(session.opsClient() && session.liveState());
    QVERIFY(!session.opsClient()->options().apiKey);
    session.setApiKey(u"lmf_livekey"_qs);
    QCOMPARE(replaced.count(), 1);
    QCOMPARE(session.opsClient()->options().apiKey, std::optional<QString>(u"lmf_livekey"_qs));
    session.setBaseUrl(QUrl(m_node->baseUrl()));
    QCOMPARE(replaced.count(), 2);
    QCOMPARE(session.opsClient()->options().url, NodeSession::opsUrl(QUrl(m_node->baseUrl())));
    QCOMPARE(session.opsClient()->state(), client::OpsClient::State::Closed);  // not before start()

    session.start();
    QCOMPARE(session.opsClient()->state(), client::OpsClient::State::Connecting);
    QCOMPARE(session.liveState()->connectionState(), client::OpsClient::State::Connecting);
    session.setApiKey(QString());  // replaced while open: the new client opens too
    QCOMPARE(replaced.count(), 3);
    QVERIFY(!session.opsClient()->options().apiKey);
    QVERIFY(session.opsClient()->state() != client::OpsClient::State::Closed);
    session.stop();
    QCOMPARE(session.opsClient()->state(), client::OpsClient::State::Closed);
    session.start();
    session.setFailure(u"the node did not start"_qs);
    QCOMPARE(session.liveState()->connectionState(), client::OpsClient::State::Closed);
  }

  void aFailedListKeepsTheModelsAndSaysWhy() {
    NodeSession session;
    QAbstractItemModelTester listTester(session.modelList(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    session.setBaseUrl(QUrl(m_node->baseUrl()));
    QSignalSpy listed(&session, &NodeSession::modelsListed);
    session.refreshModels();
    QTRY_COMPARE_WITH_TIMEOUT(listed.count(), 1, 10000);
    QCOMPARE(session.modelList()->rowCount(), 1);

    // Switching the session to a node that is not there is one call; the list says so.
    const QUrl gone = closedPort();
    QVERIFY(!gone.isEmpty());
    session.setBaseUrl(gone);
    session.refreshModels();
    QTRY_COMPARE_WITH_TIMEOUT(listed.count(), 2, 10000);
    QCOMPARE(listed.at(1).at(0).value<client::ModelList>().error.kind, client::ApiErrorKind::Unreachable);
    QCOMPARE(session.modelList()->rowCount(), 1);  // the last good list stays
    session.start();
    QTRY_VERIFY_WITH_TIMEOUT(session.health().errorKind == client::HealthError::ConnectionRefused, 10000);
    QVERIFY(!session.health().reachable);
  }

  void failureStopsPollingUntilTheNextAddress() {
    NodeSession session;
    session.setBaseUrl(QUrl(m_node->baseUrl()));
    session.start();
    QSignalSpy connection(&session, &NodeSession::connectionChanged);
    QSignalSpy health(&session, &NodeSession::healthUpdated);
    session.setFailure(QStringLiteral("port 8080 busy"));
    QCOMPARE(connection.count(), 1);
    QCOMPARE(health.count(), 1);
    QVERIFY(!session.isPolling());
    QCOMPARE(session.failure(), QStringLiteral("port 8080 busy"));
    QVERIFY(!session.health().reachable);
    QCOMPARE(session.health().error, QStringLiteral("port 8080 busy"));
    QVERIFY(session.nodeInfo()
                ->indexOf(NodeInfoModel::Row::Health)
                .data()
                .toString()
                .contains(QStringLiteral("port 8080 busy")));
    session.setBaseUrl(QUrl(m_node->baseUrl()));
    QVERIFY(session.failure().isEmpty());
    session.start();
    QTRY_VERIFY_WITH_TIMEOUT(session.health().healthy(), 10000);
  }
};

QTEST_GUILESS_MAIN(TestNodeSession)
#include "tst_nodesession.moc"
