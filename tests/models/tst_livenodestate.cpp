// LiveNodeState: the ring of metrics samples, the series computed from them, the `node` object
// under snapshots and deltas (values fed directly), then the same state followed from a real
// OpsServer through an OpsClient.
#include "cluster/opsserver.h"
#include "models/livenodestate.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <cmath>

using namespace lmfront;
using namespace std::chrono_literals;
using models::LiveNodeState;
using Series = LiveNodeState::Series;

namespace {

QJsonObject model(double qps, const QJsonObject &errors, const QJsonValue &p99, int inFlight) {
  return QJsonObject{{u"requests_per_s"_qs, qps},
                     {u"errors_per_s"_qs, errors},
                     {u"latency_ms"_qs, QJsonObject{{u"p50"_qs, p99}, {u"p95"_qs, p99}, {u"p99"_qs, p99}}},
                     {u"in_flight"_qs, inFlight}};
}

// A sample as docs/ops-protocol.md's `metrics` section defines it.
QJsonObject sample(qint64 t, double qps = 100, double cpu = 10) {
  return QJsonObject{
      {u"t"_qs, t},
      {u"node"_qs, QJsonObject{{u"cpu_percent"_qs, cpu}, {u"rss_bytes"_qs, 1000000.0 + static_cast<double>(t)}}},
      {u"models"_qs, QJsonObject{{u"english"_qs, model(qps, QJsonObject{{u"server"_qs, 1.0}}, 5.0, 2)}}},
      {u"backends"_qs, QJsonObject{}}};
}

QJsonObject history(qint64 from, int count) {
  QJsonArray samples;
  for (int i = 0; i < count; ++i) samples.append(sample(from + i * 1000, 100 + i));
  return QJsonObject{{u"interval_ms"_qs, 1000}, {u"samples"_qs, samples}};
}

}  // namespace

class TestLiveNodeState : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void ringKeepsTheNewestSamples() {
    ManualClock clock;
    LiveNodeState state(clock, 3);
    QSignalSpy changed(&state, &LiveNodeState::metricsChanged);
    QVERIFY(std::isnan(state.latest(Series::Qps)));
    QCOMPARE(state.latestTime(), 0);

    state.applySnapshot(u"metrics"_qs, 7, history(1000, 5));  // 5 samples into a ring of 3
    QCOMPARE(changed.size(), 1);
    QCOMPARE(state.sampleCount(), 3);
    QCOMPARE(state.values(Series::Qps), (std::vector<double>{102, 103, 104}));
    QCOMPARE(state.latestTime(), 5000);

    state.applyDelta(u"metrics"_qs, 8, sample(6000, 105));
    QCOMPARE(changed.size(), 2);
    QCOMPARE(state.values(Series::Qps), (std::vector<double>{103, 104, 105}));
    QCOMPARE(state.latest(Series::Qps), 105.0);
    state.applyDelta(u"metrics"_qs, 9, sample(7000, 106));
    state.applyDelta(u"metrics"_qs, 10, sample(8000, 107));
    state.applyDelta(u"metrics"_qs, 11, sample(9000, 108));  // the ring wraps twice over
    QCOMPARE(state.values(Series::Qps), (std::vector<double>{106, 107, 108}));
    const QList<QPointF> points = state.points(Series::Qps);
    QCOMPARE(points.size(), 3);
    QCOMPARE(points.first(), QPointF(7000, 106));
    QCOMPARE(points.last(), QPointF(9000, 108));

    // A delta not newer than what is held (the snapshot already had it) changes nothing.
    state.applyDelta(u"metrics"_qs, 12, sample(9000, 999));
    state.applyDelta(u"metrics"_qs, 12, sample(8500, 999));
    QCOMPARE(changed.size(), 5);
    QCOMPARE(state.latest(Series::Qps), 108.0);
    QCOMPARE(state.latestSample().value(u"t").toInteger(), 9000);

    // A new snapshot (a reconnect) replaces the ring.
    state.applySnapshot(u"metrics"_qs, 20, history(50'000, 2));
    QCOMPARE(state.values(Series::Qps), (std::vector<double>{100, 101}));
    state.applySnapshot(u"metrics"_qs, 21, QJsonObject{{u"interval_ms"_qs, 1000}, {u"samples"_qs, QJsonArray{}}});
    QCOMPARE(state.sampleCount(), 0);
  }

  void seriesAreNodeWide() {
    ManualClock clock;
    LiveNodeState state(clock);
    QJsonObject busy{
        {u"t"_qs, 1000},
        {u"node"_qs, QJsonObject{{u"cpu_percent"_qs, 37.5}, {u"rss_bytes"_qs, 183500800.0}}},
        {u"models"_qs,
         QJsonObject{
             {u"english"_qs, model(400, QJsonObject{{u"client"_qs, 1.0}, {u"throttled"_qs, 3.0}}, 11.4, 7)},
             {u"chinese"_qs, model(100, QJsonObject{{u"server"_qs, 1.0}}, QJsonValue(QJsonValue::Null), 2)},
         }}};
    state.applyDelta(u"metrics"_qs, 1, busy);
    QCOMPARE(state.latest(Series::Qps), 500.0);
    QCOMPARE(state.latest(Series::ErrorRatio), 0.01);
    QCOMPARE(state.latest(Series::P99Ms), 11.4);  // the worst model's; one without requests has none
    QCOMPARE(state.latest(Series::InFlight), 9.0);
    QCOMPARE(state.latest(Series::CpuPercent), 37.5);
    QCOMPARE(state.latest(Series::RssBytes), 183500800.0);

    // An idle second: no requests, so no error ratio and no latency — gaps, not zeros.
    QJsonObject idle{
        {u"t"_qs, 2000},
        {u"node"_qs, QJsonObject{{u"cpu_percent"_qs, 0.5}, {u"rss_bytes"_qs, 183500800.0}}},
        {u"models"_qs,
         QJsonObject{{u"english"_qs, model(0, QJsonObject{{u"server"_qs, 0.0}}, QJsonValue(QJsonValue::Null), 0)}}}};
    state.applyDelta(u"metrics"_qs, 2, idle);
    QCOMPARE(state.latest(Series::Qps), 0.0);
    QVERIFY(std::isnan(state.latest(Series::ErrorRatio)));
    QVERIFY(std::isnan(state.latest(Series::P99Ms)));
    QCOMPARE(state.latest(Series::InFlight), 0.0);
    QCOMPARE(state.points(Series::P99Ms).size(), 1);
    QCOMPARE(state.points(Series::Qps).size(), 2);
  }

  void nodeFollowsSnapshotsAndDeltas() {
    ManualClock clock;
    LiveNodeState state(clock);
    QSignalSpy changed(&state, &LiveNodeState::nodeChanged);
    QVERIFY(!state.hasNode());
    QCOMPARE(state.uptimeS(), 0.0);
    state.applySnapshot(
        u"node"_qs, 0,
        QJsonObject{
            {u"node_id"_qs, u"n-4f1c"_qs},
            {u"uptime_s"_qs, 3600.5},
            {u"health"_qs, u"ok"_qs},
            {u"ready"_qs, true},
            {u"reason"_qs, QJsonValue(QJsonValue::Null)},
            {u"draining"_qs, false},
            {u"models"_qs, QJsonArray{QJsonObject{{u"name"_qs, u"english"_qs}, {u"state"_qs, u"loaded"_qs}},
                                      QJsonObject{{u"name"_qs, u"chinese"_qs}, {u"state"_qs, u"loading"_qs}}}}});
    QCOMPARE(changed.size(), 1);
    QCOMPARE(state.nodeId(), u"n-4f1c"_qs);
    QCOMPARE(state.health(), u"ok"_qs);
    QVERIFY(state.ready());
    QVERIFY(state.notReadyReason().isEmpty());
    QCOMPARE(state.modelNames(), (QStringList{u"english"_qs, u"chinese"_qs}));
    clock.advance(10s);
    QCOMPARE(state.uptimeS(), 3610.5);

    state.applyDelta(u"node"_qs, 1,
                     QJsonObject{{u"ready"_qs, false}, {u"reason"_qs, u"draining"_qs}, {u"draining"_qs, true}});
    QCOMPARE(changed.size(), 2);
    QVERIFY(!state.ready());
    QVERIFY(state.draining());
    QCOMPARE(state.notReadyReason(), u"draining"_qs);
    QCOMPARE(state.nodeId(), u"n-4f1c"_qs);  // keys the delta did not carry stay
    QCOMPARE(state.uptimeS(), 3610.5);

    state.applySnapshot(u"node"_qs, 5, QJsonObject{{u"node_id"_qs, u"n-4f1c"_qs}, {u"uptime_s"_qs, 2.0}});
    QVERIFY(!state.draining());  // a snapshot replaces everything
    QCOMPARE(state.uptimeS(), 2.0);
    state.applySnapshot(u"alerts"_qs, 0, QJsonObject{{u"x"_qs, 1}});  // not its topic
    QCOMPARE(changed.size(), 3);
  }

  // Wired to an OpsClient: subscribes to both topics with the ring's history, follows the node.
  void followsARealNode() {
    ManualClock clock;
    cluster::OpsRegistry registry;
    int historyAsked = -1;
    QVERIFY(registry
                .addTopic({u"node"_qs, gateway::auth::Role::Viewer, cluster::OpsDelivery::Replaceable,
                           [](const QJsonObject &) -> Result<QJsonObject> {
                             return QJsonObject{{u"node_id"_qs, u"n-real"_qs}, {u"ready"_qs, true}};
                           }})
                .isOk());
    QVERIFY(registry
                .addTopic({u"metrics"_qs, gateway::auth::Role::Viewer, cluster::OpsDelivery::Replaceable,
                           [&](const QJsonObject &options) -> Result<QJsonObject> {
                             historyAsked = options.value(u"history_s").toInt(-1);
                             return history(1000, 3);
                           }})
                .isOk());
    cluster::OpsServer server(
        registry,
        [](const std::optional<QString> &) -> Result<gateway::auth::Principal> {
          return gateway::auth::Principal{"", "local", gateway::auth::Role::Admin};
        },
        u"n-real"_qs, clock, cluster::OpsServer::Options{});
    QTcpServer listener;
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
    connect(&listener, &QTcpServer::newConnection, this, [&] {
      while (QTcpSocket *s = listener.nextPendingConnection()) server.handleConnection(s);
    });

    client::OpsClient::Options options;
    options.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ops").arg(listener.serverPort()));
    client::OpsClient ops(options, clock);
    LiveNodeState state(clock, 120);
    state.attach(&ops);
    ops.open();
    QVERIFY(QTest::qWaitFor([&] { return state.sampleCount() == 3 && state.hasNode(); }, 5000));
    QCOMPARE(historyAsked, 120);
    QCOMPARE(state.nodeId(), u"n-real"_qs);
    QCOMPARE(state.connectionState(), client::OpsClient::State::Live);
    QVERIFY(registry.publish(u"metrics"_qs, sample(4000, 250)).isOk());
    QVERIFY(registry.publish(u"node"_qs, QJsonObject{{u"ready"_qs, false}}).isOk());
    QVERIFY(QTest::qWaitFor([&] { return state.sampleCount() == 4 && !state.ready(); }, 5000));
    QCOMPARE(state.latest(Series::Qps), 250.0);
  }
};

QTEST_GUILESS_MAIN(TestLiveNodeState)
#include "tst_livenodestate.moc"
