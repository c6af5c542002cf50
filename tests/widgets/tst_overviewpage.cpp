// OverviewPage's live section against a real in-process ops server (OpsRegistry with `node` and
// `metrics` topics) reached through a NodeSession: the cards show the topics' values and the
// sparklines hold the samples; a node silent past the client's stale threshold, or gone, shows as
// stale within 3 s; a node without /ops says so while HTTP polling stays the fallback.
#include "cluster/opsserver.h"
#include "models/nodesession.h"
#include "widgets/overviewpage.h"
#include "widgets/sparkline.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <cmath>
#include <memory>

using namespace lmfront;
using namespace std::chrono_literals;
using widgets::OverviewPage;
using Series = OverviewPage::Series;
using Fact = OverviewPage::LiveFact;

namespace {

// A sample as docs/ops-protocol.md's `metrics` section defines it: one model, 1 error/s.
QJsonObject sample(qint64 t, double qps, const QJsonValue &p99 = 5.0) {
  return QJsonObject{
      {u"t"_qs, t},
      {u"node"_qs, QJsonObject{{u"cpu_percent"_qs, 12.5}, {u"rss_bytes"_qs, 183500800.0}}},
      {u"models"_qs, QJsonObject{{u"english"_qs, QJsonObject{{u"requests_per_s"_qs, qps},
                                                             {u"errors_per_s"_qs, QJsonObject{{u"server"_qs, 1.0}}},
                                                             {u"latency_ms"_qs, QJsonObject{{u"p99"_qs, p99}}},
                                                             {u"in_flight"_qs, 3}}}}},
      {u"backends"_qs, QJsonObject{}}};
}

// The node's ops API on a loopback port: OpsRegistry + OpsServer behind a QTcpServer.
struct OpsNode {
  explicit OpsNode(const Clock &clock) {
    ready = registry
                .addTopic({u"node"_qs, gateway::auth::Role::Viewer, cluster::OpsDelivery::Replaceable,
                           [](const QJsonObject &) -> Result<QJsonObject> {
                             return QJsonObject{{u"node_id"_qs, u"n-live"_qs},
                                                {u"uptime_s"_qs, 60.0},
                                                {u"health"_qs, u"ok"_qs},
                                                {u"ready"_qs, true},
                                                {u"reason"_qs, QJsonValue(QJsonValue::Null)},
                                                {u"draining"_qs, false},
                                                {u"models"_qs, QJsonArray{QJsonObject{{u"name"_qs, u"english"_qs}},
                                                                          QJsonObject{{u"name"_qs, u"chinese"_qs}}}}};
                           }})
                .isOk() &&
            registry
                .addTopic({u"metrics"_qs, gateway::auth::Role::Viewer, cluster::OpsDelivery::Replaceable,
                           [](const QJsonObject &) -> Result<QJsonObject> {
                             QJsonArray samples{sample(1000, 100), sample(2000, 200), sample(3000, 400)};
                             return QJsonObject{{u"interval_ms"_qs, 1000}, {u"samples"_qs, samples}};
                           }})
                .isOk();
    server = std::make_unique<cluster::OpsServer>(
        registry,
        [](const std::optional<QString> &) -> Result<gateway::auth::Principal> {
          return gateway::auth::Principal{"", "local", gateway::auth::Role::Admin};
        },
        u"n-live"_qs, clock, cluster::OpsServer::Options{});
    listener = std::make_unique<QTcpServer>();
    ready = listener->listen(QHostAddress::LocalHost, 0) && ready;
    QObject::connect(listener.get(), &QTcpServer::newConnection, listener.get(), [this] {
      while (QTcpSocket *s = listener->nextPendingConnection()) server->handleConnection(s);
    });
  }
  QUrl baseUrl() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(listener->serverPort())); }
  void kill() {
    listener.reset();
    server.reset();
  }

  cluster::OpsRegistry registry;
  std::unique_ptr<cluster::OpsServer> server;
  std::unique_ptr<QTcpServer> listener;
  bool ready = false;  // topics registered and listening
};

}  // namespace

class TestOverviewPage : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void showsTheLiveNode() {
    ManualClock clock;
    OpsNode node(clock);
    QVERIFY(node.ready);
    models::NodeSession session(clock);
    OverviewPage page;
    page.setSession(&session);
    QCOMPARE(page.metricValue(Series::Qps), u"—"_qs);
    QCOMPARE(page.liveStatusText(), u"Not connected"_qs);

    session.setBaseUrl(node.baseUrl());
    QCOMPARE(session.opsClient()->options().url,
             QUrl(QStringLiteral("ws://127.0.0.1:%1/ops").arg(node.listener->serverPort())));
    session.start();
    page.show();
    QTRY_COMPARE_WITH_TIMEOUT(page.liveStatusText(), u"Live"_qs, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(page.metricValue(Series::Qps), u"400 req/s"_qs, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(page.liveFactValue(Fact::Health), u"healthy"_qs, 5000);
    QVERIFY(page.liveReasonText().contains(u"connected to ws://127.0.0.1"_qs));
    QCOMPARE(page.liveFactValue(Fact::Readiness), u"ready"_qs);
    QCOMPARE(page.liveFactValue(Fact::Draining), u"not draining"_qs);
    QCOMPARE(page.liveFactValue(Fact::Models), u"english, chinese"_qs);
    QCOMPARE(page.metricValue(Series::ErrorRatio), u"0.25 %"_qs);
    QCOMPARE(page.metricValue(Series::P99Ms), u"5.0 ms"_qs);
    QCOMPARE(page.metricValue(Series::InFlight), u"3"_qs);
    QCOMPARE(page.metricValue(Series::CpuPercent), u"12.5 %"_qs);
    QCOMPARE(page.metricValue(Series::RssBytes), page.locale().formattedDataSize(183500800));
    const widgets::Sparkline *qps = page.sparkline(Series::Qps);
    QCOMPARE(qps->values(), (std::vector<double>{100, 200, 400}));
    QCOMPARE(qps->span(), session.liveState()->capacity());
    QVERIFY(qps->isEnabled());

    // An idle second: no latency, so the p99 line gets a gap and its card a dash.
    QVERIFY(node.registry.publish(u"metrics"_qs, sample(4000, 0, QJsonValue(QJsonValue::Null))).isOk());
    QVERIFY(node.registry
                .publish(u"node"_qs,
                         QJsonObject{{u"ready"_qs, false}, {u"reason"_qs, u"draining"_qs}, {u"draining"_qs, true}})
                .isOk());
    QTRY_COMPARE_WITH_TIMEOUT(page.sparkline(Series::P99Ms)->values().size(), size_t(4), 5000);
    QCOMPARE(page.sparkline(Series::P99Ms)->pointCount(), 3);
    QCOMPARE(page.metricValue(Series::P99Ms), u"—"_qs);
    QCOMPARE(page.metricValue(Series::Qps), u"0.0 req/s"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(page.liveFactValue(Fact::Readiness), u"not ready: draining"_qs, 5000);
    QCOMPARE(page.liveFactValue(Fact::Draining), u"draining"_qs);

    // Silence past the client's 2.5 s: stale at the client's next tick, values kept but greyed.
    clock.advance(2600ms);
    session.opsClient()->tick();
    QVERIFY2(page.liveStatusText().startsWith(u"Stale"_qs), qPrintable(page.liveStatusText()));
    QVERIFY(page.liveReasonText().contains(u"no answer"_qs));
    QVERIFY(!page.sparkline(Series::Qps)->isEnabled());
    QCOMPARE(page.metricValue(Series::Qps), u"0.0 req/s"_qs);
    // The node answers the tick's ping: live again.
    QTRY_COMPARE_WITH_TIMEOUT(page.liveStatusText(), u"Live"_qs, 5000);
    QVERIFY(page.sparkline(Series::Qps)->isEnabled());

    // The node goes away: stale well within 3 s, its last values still shown.
    QElapsedTimer sinceKill;
    sinceKill.start();
    node.kill();
    QTRY_VERIFY_WITH_TIMEOUT(page.liveStatusText().startsWith(u"Stale"_qs), 3000);
    QVERIFY(sinceKill.elapsed() < 3000);
    QVERIFY(!page.liveReasonText().isEmpty());
    QCOMPARE(page.liveFactValue(Fact::Health), u"healthy"_qs);
    QCOMPARE(page.sparkline(Series::Qps)->values().size(), size_t(4));
  }

  // A node whose /ops answers 404 (no ops API yet): the reason says so, the HTTP fallback hint
  // shows, and the live cards stay dashes.
  void nodeWithoutOpsSaysSo() {
    QTcpServer http;
    QVERIFY(http.listen(QHostAddress::LocalHost, 0));
    connect(&http, &QTcpServer::newConnection, this, [&] {
      while (QTcpSocket *s = http.nextPendingConnection()) {
        connect(s, &QTcpSocket::readyRead, s, [s] {
          s->readAll();
          s->write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
          s->disconnectFromHost();
        });
        connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
      }
    });
    models::NodeSession session(Clock::steady());
    OverviewPage page;
    page.setSession(&session);
    session.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(http.serverPort())));
    session.start();
    page.show();
    QTRY_VERIFY_WITH_TIMEOUT(page.liveReasonText().contains(u"no ops API at this address"_qs), 5000);
    QVERIFY(!page.liveStatusText().startsWith(u"Live"_qs));
    QCOMPARE(page.liveFactValue(Fact::Health), u"—"_qs);
    QCOMPARE(page.metricValue(Series::Qps), u"—"_qs);
    QCOMPARE(page.sparkline(Series::Qps)->pointCount(), 0);
    session.stop();
    QCOMPARE(page.liveStatusText(), u"Not connected"_qs);
  }
};

QTEST_MAIN(TestOverviewPage)
#include "tst_overviewpage.moc"
