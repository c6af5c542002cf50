// Three real lmfrontd processes and a real etcd on loopback: they see each other through
// `lmfront nodes`, a drain sent to one node reaches another, exactly one leads (also after its
// lease is revoked from outside), they keep serving through an etcd restart and re-register on
// their own, and a kill -9'd node leaves every member list within the lease TTL (2 s here).
#include "../support/daemonharness.h"
#include "../support/etcdserver.h"
#include "cluster/etcdclient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <array>
#include <map>

using namespace lmfront;
using namespace lmfront::testing;

namespace {

constexpr int kTtlSeconds = 2;
const std::array<QString, 3> kIds = {u"node-a"_qs, u"node-b"_qs, u"node-c"_qs};

QString urlOf(quint16 port) { return QStringLiteral("http://127.0.0.1:%1").arg(port); }

// id → state, from `lmfront nodes --json` against `port`; empty when the command failed.
std::map<QString, QString> states(quint16 port) {
  QByteArray out;
  if (runCli({u"nodes"_qs, u"--node"_qs, urlOf(port), u"--json"_qs}, &out, nullptr, 10000) != 0) return {};
  std::map<QString, QString> result;
  for (const QJsonValue &m : QJsonDocument::fromJson(out).array())
    result[m[u"id"_qs].toString()] = m[u"state"_qs].toString();
  return result;
}

// The `members` command's result (its "self" and "leader") through the ops API, via the CLI's JSON.
QJsonObject membersOf(quint16 port) {
  QByteArray out;
  // `nodes --json` prints only the list; the leader comes from the table's LEADER column.
  if (runCli({u"nodes"_qs, u"--node"_qs, urlOf(port)}, &out, nullptr, 10000) != 0) return {};
  QJsonObject o;
  for (const QByteArray &line : out.split('\n')) {
    const QList<QByteArray> cells = line.simplified().split(' ');
    if (cells.size() >= 4 && cells[3] == "yes") o.insert(u"leader"_qs, QString::fromUtf8(cells[0]));
  }
  return o;
}

bool allUp(const std::map<QString, QString> &seen, int count) {
  int up = 0;
  for (const auto &[id, state] : seen) up += state == u"up"_qs;
  return up == count && static_cast<int>(seen.size()) == count;
}

}  // namespace

class TestClusterNodes : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QCOMPARE(m_etcd.start(), QString());
    for (std::size_t i = 0; i < kIds.size(); ++i) {
      QVERIFY2(m_nodes[i].start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, m_dir.path() + u'/' + kIds[i],
                                 u"--node-id"_qs, kIds[i], u"--etcd"_qs, m_etcd.url(), u"--cluster"_qs, u"test"_qs,
                                 u"--lease-ttl"_qs, QString::number(kTtlSeconds)}),
               qPrintable(kIds[i]));
    }
  }

  void everyNodeSeesEveryNode() {
    for (auto &node : m_nodes) QTRY_VERIFY_WITH_TIMEOUT(allUp(states(node.port()), 3), 10000);
  }

  void drainSentToOneNodeReachesAnother() {
    QByteArray out, err;
    QCOMPARE(runCli({u"drain"_qs, kIds[1], u"--node"_qs, urlOf(m_nodes[0].port())}, &out, &err), 0);
    QVERIFY(out.contains("draining"));
    QTRY_COMPARE_WITH_TIMEOUT(states(m_nodes[2].port())[kIds[1]], u"draining"_qs, 5000);
    QCOMPARE(httpRequest(m_nodes[1].port(), "GET", "/readyz").status, 503);
    QCOMPARE(runCli({u"undrain"_qs, kIds[1], u"--node"_qs, urlOf(m_nodes[2].port())}), 0);
    QTRY_COMPARE_WITH_TIMEOUT(states(m_nodes[0].port())[kIds[1]], u"up"_qs, 5000);
    QCOMPARE(httpRequest(m_nodes[1].port(), "GET", "/readyz").status, 200);

    QCOMPARE(runCli({u"drain"_qs, u"no-such-node"_qs, u"--node"_qs, urlOf(m_nodes[0].port())}, &out, &err), 1);
    QVERIFY2(err.contains("no node 'no-such-node'"), err.constData());
  }

  void oneLeaderAlsoAfterItsLeaseIsRevoked() {
    QString leader;
    QTRY_VERIFY_WITH_TIMEOUT(!(leader = agreedLeader()).isEmpty(), 10000);
    // Revoke the leader's lease from outside, as an operator or a partition would.
    cluster::EtcdClient client(*cluster::parseEtcdEndpoints(m_etcd.url()), {});
    QEventLoop loop;
    qint64 lease = 0;
    client.range("/lmfront/test/leader", {}, [&](Result<cluster::EtcdRange> r) {
      if (r && !r->kvs.isEmpty()) lease = r->kvs.first().lease;
      loop.quit();
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    loop.exec();
    QVERIFY(lease != 0);
    Status revoked = Status::internal("no answer");
    client.revokeLease(lease, [&](Status s) {
      revoked = s;
      loop.quit();
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    loop.exec();
    QVERIFY2(revoked.isOk(), revoked.message().c_str());
    // Until they agree again, no two nodes ever name different leaders as themselves.
    QElapsedTimer timer;
    timer.start();
    QString after;
    while (timer.elapsed() < 10000 && (after = agreedLeader()).isEmpty()) QTest::qWait(50);
    QVERIFY(!after.isEmpty());
    // The deposed node registered again: everyone is still a member.
    for (auto &node : m_nodes) QTRY_VERIFY_WITH_TIMEOUT(allUp(states(node.port()), 3), 10000);
  }

  void etcdRestartedNodesKeepServingAndRegisterAgain() {
    m_etcd.kill();
    for (auto &node : m_nodes) {
      QCOMPARE(httpRequest(node.port(), "GET", "/readyz").status, 200);
      QCOMPARE(states(node.port()).size(), std::size_t{3});  // the last list, kept
    }
    QTest::qWait(kTtlSeconds * 1000);  // long enough for every lease to be distrusted
    QCOMPARE(m_etcd.start(), QString());
    for (auto &node : m_nodes) QTRY_VERIFY_WITH_TIMEOUT(allUp(states(node.port()), 3), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(!agreedLeader().isEmpty(), 15000);
    for (auto &node : m_nodes) QCOMPARE(httpRequest(node.port(), "GET", "/readyz").status, 200);
  }

  void killedNodeLeavesWithinTheTtl() {
    m_nodes[2].process().kill();  // SIGKILL: no revoke, no goodbye
    m_nodes[2].process().waitForFinished(5000);
    QElapsedTimer timer;
    timer.start();
    QTRY_COMPARE_WITH_TIMEOUT(states(m_nodes[0].port())[kIds[2]], u"down"_qs, 10000);
    const qint64 elapsed = timer.elapsed();
    qInfo() << "member removal after kill -9:" << elapsed << "ms";
    // Each look is an `lmfront nodes` process (hundreds of ms on a loaded machine): the slack is
    // the polling's; a node kept alive by anything but its lease would never go down at all.
    QVERIFY2(elapsed < kTtlSeconds * 1000 + 2500, qPrintable(QString::number(elapsed)));
    QCOMPARE(states(m_nodes[1].port())[kIds[2]], u"down"_qs);
    QCOMPARE(states(m_nodes[1].port())[kIds[0]], u"up"_qs);
  }

private:
  // The leader every running node names, or empty while they disagree or none leads.
  QString agreedLeader() {
    QString leader;
    for (auto &node : m_nodes) {
      if (node.process().state() == QProcess::NotRunning) continue;
      const QString seen = membersOf(node.port()).value(u"leader"_qs).toString();
      if (seen.isEmpty() || (!leader.isEmpty() && seen != leader)) return {};
      leader = seen;
    }
    return leader;
  }

  QTemporaryDir m_dir;
  EtcdServer m_etcd;
  std::array<Daemon, 3> m_nodes;
};

QTEST_GUILESS_MAIN(TestClusterNodes)
#include "tst_clusternodes.moc"
