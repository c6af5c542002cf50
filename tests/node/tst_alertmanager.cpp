// The alerting service notifies a real Alertmanager (Debian's prometheus-alertmanager, started
// here on loopback in a temp dir): an alert that fires on the node's ManualClock is POSTed to
// /api/v2/alerts and Alertmanager's own API then lists it, labels and summary intact; its resolve
// reaches Alertmanager too.
#include "../support/daemonharness.h"
#include "alerttestparts.h"

#include <QJsonDocument>
#include <QProcess>
#include <QtTest>

using namespace lmfront;
using namespace std::chrono_literals;

namespace {

constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";

QJsonArray alertsIn(quint16 port) {
  const auto reply = testing::httpRequest(port, "GET", "/api/v2/alerts?active=true&silenced=true&inhibited=true");
  return reply.status == 200 ? QJsonDocument::fromJson(reply.body).array() : QJsonArray();
}

}  // namespace

class TstAlertmanager : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  QProcess m_server;
  quint16 m_port = 0;

private Q_SLOTS:
  void initTestCase() {
    QVERIFY2(QFile::exists(QString::fromLatin1(kAlertmanager)),
             "prometheus-alertmanager is missing: scripts/setup.sh installs it");
    const QString config = m_dir.filePath(u"alertmanager.yml"_qs);
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
    file.close();
    m_port = testing::freePort();
    m_server.setProcessChannelMode(QProcess::MergedChannels);
    m_server.start(
        QString::fromLatin1(kAlertmanager),
        {u"--config.file="_qs + config, u"--storage.path="_qs + m_dir.filePath(u"data"_qs),
         u"--web.listen-address=127.0.0.1:%1"_qs.arg(m_port), u"--cluster.listen-address="_qs, u"--log.level=warn"_qs});
    QVERIFY(m_server.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(
        m_server.state() != QProcess::Running || testing::httpRequest(m_port, "GET", "/-/ready").status == 200, 20'000);
    QVERIFY2(m_server.state() == QProcess::Running, m_server.readAll().constData());
  }
  void cleanupTestCase() {
    m_server.terminate();
    m_server.waitForFinished(10'000);
  }

  void alertmanagerListsTheFiringAlertThenItsResolve() {
    testing::AlertParts p;
    node::AlertingOptions options;
    options.settings.alertmanagers << QStringLiteral("http://127.0.0.1:%1").arg(m_port);
    options.nodeId = [] { return QStringLiteral("node-a"); };
    node::AlertingService alerting(*p.context, p.store, options);
    QVERIFY(p.start(alerting).isOk());
    for (int s = 0; s < 2; ++s) p.second(alerting, 10);
    QCOMPARE(alerting.snapshot().value(u"active").toArray().size(), 1);
    QTRY_VERIFY_WITH_TIMEOUT((alerting.pumpNotifications(), alerting.pendingNotifications() == 0), 20'000);

    QJsonArray listed;
    QTRY_VERIFY_WITH_TIMEOUT(!(listed = alertsIn(m_port)).isEmpty(), 20'000);
    QCOMPARE(listed.size(), 1);
    const QJsonObject alert = listed[0].toObject();
    const QJsonObject labels = alert.value(u"labels").toObject();
    QCOMPARE(labels.value(u"alertname").toString(), u"busy"_qs);
    QCOMPARE(labels.value(u"model").toString(), u"english"_qs);
    QCOMPARE(labels.value(u"severity").toString(), u"critical"_qs);
    QCOMPARE(labels.value(u"node").toString(), u"node-a"_qs);
    QCOMPARE(alert.value(u"annotations").toObject().value(u"summary").toString(), u"english is busy"_qs);
    QCOMPARE(alert.value(u"status").toObject().value(u"state").toString(), u"active"_qs);

    // The resolve carries endsAt: Alertmanager stops listing the alert as active.
    for (int s = 0; s < 3; ++s) p.second(alerting, 0);
    QVERIFY(alerting.snapshot().value(u"active").toArray().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT((alerting.pumpNotifications(), alerting.pendingNotifications() == 0), 20'000);
    QTRY_VERIFY_WITH_TIMEOUT(alertsIn(m_port).isEmpty(), 20'000);
  }
};

QTEST_GUILESS_MAIN(TstAlertmanager)
#include "tst_alertmanager.moc"
