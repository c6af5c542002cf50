// ClusterModel without a view, under QAbstractItemModelTester: the `members` topic's snapshot
// and deltas (rows reconciled, leader, a member going down and leaving), the seed's own live state
// for the member it is, the totals of the KPI tiles; then against a real node on 127.0.0.1 port 0
// (a cluster of one through its own ops API, drained and undrained through the model, and a
// member reached directly over its own connection while a member on a closed port is not, and held
// as long as any viewer holds it). ClusterMetrics' sums over members sampling out of phase, and
// the placement of models from the member records.
#include "../support/fortunesmodel.h"
#include "models/clustermetrics.h"
#include "models/clustermodel.h"
#include "models/nodesession.h"
#include "node/node.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QFont>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <memory>

using namespace lmfront;
using models::ClusterModel;
using models::LiveNodeState;
using Column = ClusterModel::Column;
using OpsState = client::OpsClient::State;

namespace {

QJsonObject member(const QString &id, const QString &state, const QString &address = {}) {
  return QJsonObject{{u"id"_qs, id},
                     {u"address"_qs, address.isEmpty() ? u"http://10.0.0.1:8080"_qs : address},
                     {u"version"_qs, u"0.9.0"_qs},
                     {u"state"_qs, state},
                     {u"models"_qs, QJsonArray{u"english"_qs}},
                     {u"started_at"_qs, u"2026-12-07T18:00:00Z"_qs}};
}

QJsonObject snapshot(const QString &self, const QString &leader, const QJsonArray &members) {
  return QJsonObject{{u"cluster"_qs, u"prod"_qs}, {u"self"_qs, self},         {u"leader"_qs, leader},
                     {u"synced"_qs, true},        {u"etcd"_qs, QJsonArray{}}, {u"members"_qs, members}};
}

QJsonObject sample(qint64 t, double qps, double errors, double p99, double cpu = 12.5) {
  return QJsonObject{
      {u"t"_qs, t},
      {u"node"_qs, QJsonObject{{u"cpu_percent"_qs, cpu}, {u"rss_bytes"_qs, 100 << 20}}},
      {u"models"_qs, QJsonObject{{u"english"_qs, QJsonObject{{u"requests_per_s"_qs, qps},
                                                             {u"errors_per_s"_qs, QJsonObject{{u"server"_qs, errors}}},
                                                             {u"latency_ms"_qs, QJsonObject{{u"p99"_qs, p99}}}}}}}};
}

QString cell(const ClusterModel &model, int row, Column column, int role = Qt::DisplayRole) {
  return model.index(row, static_cast<int>(column)).data(role).toString();
}

quint16 closedPort() {
  QTcpServer server;
  return server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : 0;
}

}  // namespace

class TestClusterModel : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  std::unique_ptr<node::Node> m_node;

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

  void snapshotAndDeltas() {
    ClusterModel model(Clock::steady());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    LiveNodeState selfLive(Clock::steady());
    model.attach(nullptr, &selfLive, {});
    QVERIFY(!model.hasMembers());
    QSignalSpy cluster(&model, &ClusterModel::clusterChanged);
    model.applySnapshot(
        u"members"_qs, 0,
        snapshot(u"a"_qs, u"b"_qs,
                 {member(u"a"_qs, u"up"_qs), member(u"b"_qs, u"up"_qs), member(u"c"_qs, u"draining"_qs)}));
    QVERIFY(cluster.count() >= 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.clusterName(), u"prod"_qs);
    QCOMPARE(model.selfId(), u"a"_qs);
    QCOMPARE(model.leaderId(), u"b"_qs);
    QCOMPARE(cell(model, 1, Column::Node), u"b"_qs);
    QCOMPARE(cell(model, 1, Column::Address), u"http://10.0.0.1:8080"_qs);
    QCOMPARE(cell(model, 1, Column::Models), u"english"_qs);
    QCOMPARE(cell(model, 1, Column::Version), u"0.9.0"_qs);
    QVERIFY(model.index(1, 0).data(Qt::FontRole).value<QFont>().bold());  // the leader
    QVERIFY(!model.index(0, 0).data(Qt::FontRole).isValid());
    QCOMPARE(cell(model, 2, Column::State), u"draining"_qs);
    QCOMPARE(cell(model, 1, Column::Qps), u"—"_qs);  // not looked at: no figures, never a false zero

    // A member changes, goes down, and a new one joins; the leader moves.
    model.applyDelta(u"members"_qs, 1, QJsonObject{{u"member"_qs, member(u"c"_qs, u"up"_qs)}});
    QCOMPARE(model.stateAt(2), ClusterModel::State::Up);
    model.applyDelta(u"members"_qs, 2, QJsonObject{{u"member"_qs, member(u"b"_qs, u"down"_qs)}});
    QCOMPARE(cell(model, 1, Column::State), u"down"_qs);
    QVERIFY(model.index(1, static_cast<int>(Column::Version)).data(Qt::BackgroundRole).isValid());  // marked
    QVERIFY(!model.index(1, 0).data(ClusterModel::ReachableRole).toBool());
    QVERIFY(!model.index(0, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(cell(model, 1, Column::Health).contains(u"lease"_qs));
    model.applyDelta(u"members"_qs, 3, QJsonObject{{u"member"_qs, member(u"d"_qs, u"up"_qs)}});
    model.applyDelta(u"members"_qs, 4, QJsonObject{{u"leader"_qs, u"a"_qs}});
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.leaderId(), u"a"_qs);
    QVERIFY(model.index(0, 0).data(Qt::FontRole).value<QFont>().bold());
    ClusterModel::Totals t = model.totals();
    QCOMPARE(t.members, 4);
    QCOMPARE(t.up, 3);
    QCOMPARE(t.down, 1);
    QCOMPARE(t.draining, 0);

    // A fresh snapshot without b: its row leaves, the others stay where they are.
    model.applySnapshot(
        u"members"_qs, 5,
        snapshot(u"a"_qs, u"a"_qs, {member(u"a"_qs, u"up"_qs), member(u"c"_qs, u"up"_qs), member(u"d"_qs, u"up"_qs)}));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rowOf(u"b"_qs), -1);
    QCOMPARE(model.rowOf(u"d"_qs), 2);
    QCOMPARE(model.totals().up, 3);
  }

  void theSeedsOwnLiveStateGivesItsRow() {
    ClusterModel model(Clock::steady());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    LiveNodeState selfLive(Clock::steady());
    model.attach(nullptr, &selfLive, {});
    model.applySnapshot(u"members"_qs, 0,
                        snapshot(u"a"_qs, u"a"_qs, {member(u"a"_qs, u"up"_qs), member(u"b"_qs, u"up"_qs)}));
    QCOMPARE(model.liveStateAt(0), &selfLive);
    QCOMPARE(model.liveStateAt(1), nullptr);
    QSignalSpy totals(&model, &ClusterModel::totalsChanged);
    selfLive.applyConnectionState(OpsState::Live, {});
    selfLive.applySnapshot(u"node"_qs, 0,
                           QJsonObject{{u"health"_qs, u"ok"_qs}, {u"ready"_qs, true}, {u"draining"_qs, false}});
    selfLive.applySnapshot(u"metrics"_qs, 0, QJsonObject{{u"samples"_qs, QJsonArray{sample(1000, 40, 2, 12.5)}}});
    QVERIFY(totals.count() >= 1);
    QCOMPARE(cell(model, 0, Column::Health), u"healthy"_qs);
    QCOMPARE(cell(model, 0, Column::Qps), u"40"_qs);
    QCOMPARE(cell(model, 0, Column::P99), u"12.5 ms"_qs);
    QCOMPARE(cell(model, 0, Column::ErrorRate), u"5.00 %"_qs);
    QCOMPARE(cell(model, 0, Column::Cpu), u"12.5 %"_qs);
    QCOMPARE(model.index(0, static_cast<int>(Column::Qps)).data(ClusterModel::RawRole).toDouble(), 40.0);
    QCOMPARE(model.index(1, static_cast<int>(Column::Qps)).data(ClusterModel::RawRole).toDouble(), -1.0);
    ClusterModel::Totals t = model.totals();
    QCOMPARE(t.qps, 40.0);
    QCOMPARE(t.worstP99Ms, 12.5);
    QCOMPARE(t.worstP99Node, u"a"_qs);
    QCOMPARE(t.errorRatio, 0.05);

    // The node's own `node` topic says draining before the member list does.
    selfLive.applyDelta(u"node"_qs, 1, QJsonObject{{u"draining"_qs, true}});
    QCOMPARE(model.stateAt(0), ClusterModel::State::Draining);
    // Silence: the row is marked unreachable, its state falls back to the member list's.
    selfLive.applyConnectionState(OpsState::Stale, u"no answer for 2.6 s"_qs);
    QCOMPARE(model.stateAt(0), ClusterModel::State::Up);
    QVERIFY(!model.index(0, 0).data(ClusterModel::ReachableRole).toBool());
    QCOMPARE(cell(model, 0, Column::Health), u"unreachable: no answer for 2.6 s"_qs);
  }

  void aClusterOfOneThroughItsOpsApi() {
    models::NodeSession session;
    QAbstractItemModelTester tester(session.cluster(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    session.setBaseUrl(QUrl(m_node->baseUrl()));
    session.setOpsCredential(m_node->consoleCredential());
    session.start();
    ClusterModel *model = session.cluster();
    model->acquire(this);
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 10000);
    const QString id = m_node->info().nodeId;
    QCOMPARE(cell(*model, 0, Column::Node), id);
    QVERIFY(model->clusterName().isEmpty());
    QCOMPARE(model->leaderId(), id);
    QCOMPARE(model->liveStateAt(0), session.liveState());  // never connected to twice
    QTRY_COMPARE_WITH_TIMEOUT(cell(*model, 0, Column::Health), u"healthy"_qs, 10000);
    QCOMPARE(cell(*model, 0, Column::Models), u"fortunes"_qs);
    QCOMPARE(cell(*model, 0, Column::State), u"up"_qs);
    QTRY_VERIFY_WITH_TIMEOUT(cell(*model, 0, Column::Memory) != u"—"_qs, 10000);

    std::optional<client::OpsReply> reply;
    model->setDrained(id, true, this, [&](const client::OpsReply &r) { reply = r; });
    QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 10000);
    QVERIFY(reply->ok());
    QTRY_COMPARE_WITH_TIMEOUT(cell(*model, 0, Column::State), u"draining"_qs, 5000);
    QCOMPARE(model->totals().draining, 1);
    reply.reset();
    model->setDrained(id, false, this, [&](const client::OpsReply &r) { reply = r; });
    QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 10000);
    QVERIFY(reply->ok());
    QTRY_COMPARE_WITH_TIMEOUT(cell(*model, 0, Column::State), u"up"_qs, 5000);
    reply.reset();
    model->setDrained(u"nobody"_qs, true, this, [&](const client::OpsReply &r) { reply = r; });
    QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 10000);
    QCOMPARE(reply->error.code, client::OpsErrorCode::NotFound);
    session.stop();
  }

  void membersAreReachedDirectlyWhileActive() {
    ClusterModel model(Clock::steady());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    client::OpsClient::Options options;
    options.backoff.maxAttempts = 1;  // the closed port fails soon instead of retrying forever
    options.backoff.initial = std::chrono::milliseconds(100);
    model.attach(nullptr, nullptr, options);
    const QString closed = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
    model.applySnapshot(u"members"_qs, 0,
                        snapshot(u"seed"_qs, u"seed"_qs,
                                 {member(u"x"_qs, u"up"_qs, m_node->baseUrl()), member(u"y"_qs, u"up"_qs, closed)}));
    QCOMPARE(model.liveStateAt(0), nullptr);  // inactive: nobody connected
    model.acquire(this);
    QVERIFY(model.liveStateAt(0));
    QTRY_COMPARE_WITH_TIMEOUT(cell(model, 0, Column::Health), u"healthy"_qs, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(cell(model, 0, Column::Cpu) != u"—"_qs, 10000);
    QCOMPARE(model.liveStateAt(0)->nodeId(), m_node->info().nodeId);
    QTRY_VERIFY_WITH_TIMEOUT(cell(model, 1, Column::Health).startsWith(u"unreachable: "_qs), 10000);
    QVERIFY(!model.index(1, 0).data(ClusterModel::ReachableRole).toBool());
    QVERIFY(model.index(1, 0).data(Qt::BackgroundRole).isValid());
    // Gone from the member list: its connection goes with it.
    model.applyDelta(u"members"_qs, 1, QJsonObject{{u"member"_qs, member(u"x"_qs, u"down"_qs, m_node->baseUrl())}});
    QCOMPARE(model.liveStateAt(0), nullptr);
    QCOMPARE(cell(model, 0, Column::Cpu), u"—"_qs);
    model.release(this);
    QCOMPARE(model.liveStateAt(1), nullptr);
  }

  void connectionsLastWhileAnyViewerHoldsThem() {
    ClusterModel model(Clock::steady());
    model.attach(nullptr, nullptr, {});
    model.applySnapshot(u"members"_qs, 0,
                        snapshot(u"seed"_qs, u"seed"_qs, {member(u"x"_qs, u"up"_qs, m_node->baseUrl())}));
    QSignalSpy made(&model, &ClusterModel::memberLiveChanged);
    auto first = std::make_unique<QObject>();
    QObject second;
    model.acquire(first.get());
    LiveNodeState *live = model.liveStateAt(0);
    QVERIFY(live);
    QCOMPARE(made.count(), 1);
    QCOMPARE(made[0][0].toString(), u"x"_qs);
    model.acquire(&second);
    model.acquire(&second);                // idempotent
    QCOMPARE(model.liveStateAt(0), live);  // one connection, shared
    model.release(&second);
    QCOMPARE(model.liveStateAt(0), live);  // `first` still holds it
    first.reset();                         // destroyed without releasing: released then
    QVERIFY(!model.isActive());
    QCOMPARE(model.liveStateAt(0), nullptr);
    QCOMPARE(made.count(), 2);
  }

  void clusterMetricsSumMembersOutOfPhase() {
    const Clock &clock = Clock::steady();
    LiveNodeState a(clock), b(clock), c(clock);
    // a samples on the second, b 400 ms after it; c sent two seconds' worth long before, then
    // nothing (it went silent).
    QJsonArray as, bs;
    for (int i = 0; i < 4; ++i) {
      as.append(sample(10'000 + i * 1000, 10, 1, 20 + i, 10));
      bs.append(sample(10'400 + i * 1000, 30, 0, 50, 20));
    }
    a.applySnapshot(u"metrics"_qs, 0, QJsonObject{{u"samples"_qs, as}});
    b.applySnapshot(u"metrics"_qs, 0, QJsonObject{{u"samples"_qs, bs}});
    c.applySnapshot(u"metrics"_qs, 0, QJsonObject{{u"samples"_qs, QJsonArray{sample(7'400, 100, 0, 900)}}});
    using Series = LiveNodeState::Series;
    const auto v = models::ClusterMetrics::compute({&a, &b, &c, nullptr}, 300);
    auto at = [&v](Series s) { return v[static_cast<size_t>(s)]; };
    // Slots end at 13 400, 12 400, … 7 400. The four newest hold a's and b's sample of their
    // second; the one ending at 9 400 nothing (c's 7 400 is 2 s older); c's sample fills the
    // two slots it is less than 1.5 s older than the end of (8 400, 7 400).
    QCOMPARE(at(Series::Qps).size(), size_t(7));
    for (size_t i = 3; i < 7; ++i) QCOMPARE(at(Series::Qps)[i], 40.0);
    QVERIFY(std::isnan(at(Series::Qps)[2]));  // a gap, not a zero
    QCOMPARE(at(Series::Qps)[1], 100.0);
    QCOMPARE(at(Series::Qps)[0], 100.0);
    QCOMPARE(at(Series::ErrorRatio)[6], 1.0 / 40.0);  // Σ errors/s ÷ Σ requests/s
    QCOMPARE(at(Series::P99Ms)[6], 50.0);             // the worst member's
    QCOMPARE(at(Series::P99Ms)[3], 50.0);
    QCOMPARE(at(Series::CpuPercent)[6], 30.0);  // the cluster's cores: 100 % = one
    QCOMPARE(at(Series::RssBytes)[6], 2.0 * (100 << 20));
    QCOMPARE(at(Series::P99Ms)[0], 900.0);

    // b stops while a goes on: b still counts in the slot 600 ms after its last sample, not in
    // those more than 1.5 s after it.
    a.applyDelta(u"metrics"_qs, 1, sample(16'000, 10, 0, 20, 10));
    const auto later = models::ClusterMetrics::compute({&a, &b}, 300);
    const std::vector<double> &qps = later[static_cast<size_t>(Series::Qps)];
    QCOMPARE(qps.back(), 10.0);                // ends at 16 000: a alone
    QVERIFY(std::isnan(qps[qps.size() - 2]));  // ends at 15 000: a's 13 000 and b's 13 400 too old
    QCOMPARE(qps[qps.size() - 3], 40.0);       // ends at 14 000: both
    QVERIFY(models::ClusterMetrics::compute({}, 300)[0].empty());
  }

  void placementFromTheMemberRecords() {
    ClusterModel model(Clock::steady());
    model.attach(nullptr, nullptr, {});
    QSignalSpy changed(&model, &ClusterModel::placementChanged);
    auto withModels = [](QJsonObject m, const QStringList &names) {
      m.insert(u"models"_qs, QJsonArray::fromStringList(names));
      return m;
    };
    model.applySnapshot(u"members"_qs, 0,
                        snapshot(u"a"_qs, u"a"_qs,
                                 {withModels(member(u"a"_qs, u"up"_qs), {u"english"_qs, u"tiny"_qs}),
                                  withModels(member(u"b"_qs, u"draining"_qs), {u"english"_qs})}));
    QVERIFY(changed.count() >= 1);
    QCOMPARE(model.placement().value(u"english"_qs), (QStringList{u"a"_qs, u"b"_qs}));
    QCOMPARE(model.placement().value(u"tiny"_qs), QStringList{u"a"_qs});
    changed.clear();
    model.applyDelta(u"members"_qs, 1,
                     QJsonObject{{u"member"_qs, withModels(member(u"b"_qs, u"up"_qs), {u"english"_qs, u"tiny"_qs})}});
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.placement().value(u"tiny"_qs), (QStringList{u"a"_qs, u"b"_qs}));
    model.applyDelta(u"members"_qs, 2,
                     QJsonObject{{u"member"_qs, withModels(member(u"a"_qs, u"down"_qs), {u"tiny"_qs})}});
    QCOMPARE(model.placement().value(u"tiny"_qs), QStringList{u"b"_qs});  // a node that is down serves nothing
    QCOMPARE(model.placement().value(u"english"_qs), QStringList{u"b"_qs});
  }
};

QTEST_GUILESS_MAIN(TestClusterModel)
#include "tst_clustermodel.moc"
