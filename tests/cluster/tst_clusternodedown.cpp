// The `node down` alert on three real lmfrontd processes and a real etcd: a kill -9'd member is
// raised by the leader alone (the followers neither export lmfront_cluster_member_up nor hold
// the alert in their history), the alert resolves when the member comes back, a leadership change
// hands the alert over without two nodes ever holding it at once, and a new leader raises it for
// the members it saw die. The shipped `node_down` rule is used as shipped, but for its `for`
// (2 s here, 1 min shipped), with a 2 s lease TTL.
#include "../support/daemonharness.h"
#include "../support/etcdserver.h"
#include "cluster/etcdclient.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
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

// The shipped node_down rule, with a short `for`; empty when the shipped file has no such rule.
QByteArray shippedRuleWithShortFor() {
  QFile shipped(qEnvironmentVariable("LMFRONT_SOURCE_DIR") + u"/resources/alerts/default-rules.yaml"_qs);
  if (!shipped.open(QIODevice::ReadOnly)) return {};
  const QByteArray text = shipped.readAll();
  const qsizetype start = text.indexOf("  - name: node_down\n");
  if (start < 0) return {};
  qsizetype end = text.indexOf("\n  - name:", start);
  QByteArray rule = text.mid(start, end < 0 ? -1 : end + 1 - start);
  if (!rule.contains("    for: 1m\n")) return {};
  rule.replace("    for: 1m\n", "    for: 2s\n");
  return "rules:\n" + rule;
}

QJsonDocument cliJson(QStringList args) {
  QByteArray out, err;
  if (runCli(args << u"--json"_qs, &out, &err, 10000) != 0) {
    qWarning("lmfront %s: %s", qPrintable(args.join(u' ')), err.constData());
    return {};
  }
  return QJsonDocument::fromJson(out);
}

// The node's active node_down alerts: member id → state.
std::map<QString, QString> nodeDownAlerts(quint16 port) {
  std::map<QString, QString> out;
  for (const QJsonValue &a : cliJson({u"alerts"_qs, u"--node"_qs, urlOf(port)}).array())
    if (a[u"rule"_qs].toString() == u"node_down"_qs)
      out[a[u"labels"_qs][u"node"_qs].toString()] = a[u"state"_qs].toString();
  return out;
}

// The node's history of node_down, oldest first.
QJsonArray nodeDownHistory(quint16 port) {
  return cliJson({u"alerts"_qs, u"history"_qs, u"--rule"_qs, u"node_down"_qs, u"--node"_qs, urlOf(port)}).array();
}

QString leaderSeenBy(quint16 port) {
  QByteArray out;
  // `nodes --json` prints only the list; the leader comes from the table's LEADER column.
  if (runCli({u"nodes"_qs, u"--node"_qs, urlOf(port)}, &out, nullptr, 10000) != 0) return {};
  for (const QByteArray &line : out.split('\n')) {
    const QList<QByteArray> cells = line.simplified().split(' ');
    if (cells.size() >= 4 && cells[3] == "yes") return QString::fromUtf8(cells[0]);
  }
  return {};
}

QString stateOf(quint16 port, const QString &id) {
  for (const QJsonValue &m : cliJson({u"nodes"_qs, u"--node"_qs, urlOf(port)}).array())
    if (m[u"id"_qs].toString() == id) return m[u"state"_qs].toString();
  return {};
}

int upCount(quint16 port) {
  int up = 0;
  for (const QJsonValue &m : cliJson({u"nodes"_qs, u"--node"_qs, urlOf(port)}).array())
    up += m[u"state"_qs].toString() == u"up"_qs;
  return up;
}

// Time spans (Unix ms) during which a node held a node_down alert for `member`, from its
// history: from pending (or firing) to resolved (or inactive); an open one ends at `openEnd`.
QList<std::pair<qint64, qint64>> heldSpans(const QJsonArray &history, const QString &member, qint64 openEnd) {
  QList<std::pair<qint64, qint64>> spans;
  std::map<QString, qint64> open;  // alert id → start
  for (const QJsonValue &e : history) {
    if (e[u"kind"_qs].toString() != u"state"_qs || e[u"labels"_qs][u"node"_qs].toString() != member) continue;
    const qint64 at = QDateTime::fromString(e[u"time"_qs].toString(), Qt::ISODateWithMs).toMSecsSinceEpoch();
    const QString id = e[u"alert_id"_qs].toString();
    const QString state = e[u"state"_qs].toString();
    if (state == u"pending"_qs || (state == u"firing"_qs && !open.contains(id))) open[id] = at;
    if ((state == u"resolved"_qs || state == u"inactive"_qs) && open.contains(id)) {
      spans.append({open[id], at});
      open.erase(id);
    }
  }
  for (const auto &[id, start] : open) spans.append({start, openEnd});
  return spans;
}

}  // namespace

class TestClusterNodeDown : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    const QByteArray rules = shippedRuleWithShortFor();
    QVERIFY2(!rules.isEmpty(), "resources/alerts/default-rules.yaml has no node_down rule with `for: 1m`");
    QCOMPARE(m_etcd.start(), QString());
    for (std::size_t i = 0; i < kIds.size(); ++i) {
      const QString data = m_dir.path() + u'/' + kIds[i];
      QVERIFY(QDir().mkpath(data + u"/alerts"_qs));
      QFile file(data + u"/alerts/rules.yaml"_qs);
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write(rules);
      file.close();
      QVERIFY2(startNode(i), qPrintable(kIds[i]));
    }
    for (auto &node : m_nodes) QTRY_COMPARE_WITH_TIMEOUT(upCount(node.port()), 3, 15000);
  }

  void onlyTheLeaderExportsMembers() {
    QTRY_VERIFY_WITH_TIMEOUT(!agreedLeader().isEmpty(), 10000);
    const QString leader = agreedLeader();
    for (std::size_t i = 0; i < kIds.size(); ++i) {
      if (kIds[i] == leader) {
        for (const QString &id : kIds) QTRY_VERIFY_WITH_TIMEOUT(metrics(i).contains(memberUp(id, 1)), 5000);
      } else {
        QVERIFY2(!metrics(i).contains("lmfront_cluster_member_up{"), qPrintable(kIds[i]));
        QVERIFY(metrics(i).contains("# TYPE lmfront_cluster_member_up gauge"));
      }
    }
  }

  void killedMemberIsRaisedByTheLeaderAlone() {
    const QString leader = agreedLeader();
    QVERIFY(!leader.isEmpty());
    const std::size_t l = indexOf(leader);
    const std::size_t victim = (l + 1) % kIds.size();
    const std::size_t follower = (l + 2) % kIds.size();
    m_nodes[victim].process().kill();  // SIGKILL: its lease has to expire
    m_nodes[victim].process().waitForFinished(5000);

    QTRY_COMPARE_WITH_TIMEOUT(nodeDownAlerts(m_nodes[l].port())[kIds[victim]], u"firing"_qs, 15000);
    QVERIFY(metrics(l).contains(memberUp(kIds[victim], 0)));
    QVERIFY(metrics(l).contains(memberUp(kIds[follower], 1)));
    // The leader's history names the member, not itself, as the alert's node.
    const QJsonArray history = nodeDownHistory(m_nodes[l].port());
    QVERIFY(!history.isEmpty());
    QCOMPARE(history.first()[u"node"_qs].toString(), kIds[victim]);
    QCOMPARE(history.first()[u"severity"_qs].toString(), u"critical"_qs);
    QCOMPARE(history.first()[u"state"_qs].toString(), u"pending"_qs);

    // The follower sees the member down too, but never raised anything.
    QCOMPARE(stateOf(m_nodes[follower].port(), kIds[victim]), u"down"_qs);
    QVERIFY(nodeDownAlerts(m_nodes[follower].port()).empty());
    QCOMPARE(nodeDownHistory(m_nodes[follower].port()).size(), 0);
    QVERIFY(!metrics(follower).contains("lmfront_cluster_member_up{"));
    m_victim = victim;
  }

  void returningMemberResolvesIt() {
    const QString leader = agreedLeader();
    QVERIFY(!leader.isEmpty());
    const std::size_t l = indexOf(leader);
    QVERIFY(startNode(m_victim));
    QTRY_VERIFY_WITH_TIMEOUT(nodeDownAlerts(m_nodes[l].port()).empty(), 15000);
    QVERIFY(metrics(l).contains(memberUp(kIds[m_victim], 1)));
    QStringList states;
    for (const QJsonValue &e : nodeDownHistory(m_nodes[l].port()))
      if (e[u"node"_qs].toString() == kIds[m_victim]) states << e[u"state"_qs].toString();
    QCOMPARE(states, (QStringList{u"pending"_qs, u"firing"_qs, u"resolved"_qs}));
  }

  void leadershipChangeHandsTheAlertOverNeverHeldTwice() {
    for (auto &node : m_nodes) QTRY_COMPARE_WITH_TIMEOUT(upCount(node.port()), 3, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(!agreedLeader().isEmpty(), 10000);
    const std::size_t l = indexOf(agreedLeader());
    const std::size_t victim = (l + 1) % kIds.size();
    m_nodes[victim].process().kill();
    m_nodes[victim].process().waitForFinished(5000);
    QTRY_COMPARE_WITH_TIMEOUT(nodeDownAlerts(m_nodes[l].port())[kIds[victim]], u"firing"_qs, 15000);

    // Forced lease loss: the leader's lease revoked from outside. Whoever leads next raises the
    // alert again; the deposed leader's ends first.
    QVERIFY(revokeLeaderLease());
    QString next;
    QTRY_VERIFY_WITH_TIMEOUT(!(next = agreedLeader()).isEmpty(), 10000);
    const std::size_t n = indexOf(next);
    qInfo("leader before the lease loss: %s, after: %s", qPrintable(kIds[l]), qPrintable(next));
    QTRY_COMPARE_WITH_TIMEOUT(nodeDownAlerts(m_nodes[n].port())[kIds[victim]], u"firing"_qs, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(onlyOneHolds(kIds[victim]), 10000);

    // The leader killed as well: the last node leads and raises both, having seen both die.
    m_nodes[n].process().kill();
    m_nodes[n].process().waitForFinished(5000);
    const std::size_t last = 3 - n - victim;
    QTRY_COMPARE_WITH_TIMEOUT(leaderSeenBy(m_nodes[last].port()), kIds[last], 15000);
    const std::map<QString, QString> both{{kIds[n], u"firing"_qs}, {kIds[victim], u"firing"_qs}};
    QTRY_VERIFY_WITH_TIMEOUT(nodeDownAlerts(m_nodes[last].port()) == both, 15000);
  }

private:
  bool startNode(std::size_t i) {
    return m_nodes[i].start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, m_dir.path() + u'/' + kIds[i],
                             u"--node-id"_qs, kIds[i], u"--etcd"_qs, m_etcd.url(), u"--cluster"_qs, u"test"_qs,
                             u"--lease-ttl"_qs, QString::number(kTtlSeconds)});
  }

  static std::size_t indexOf(const QString &id) {
    return static_cast<std::size_t>(std::find(kIds.begin(), kIds.end(), id) - kIds.begin());
  }
  static QByteArray memberUp(const QString &id, int up) {
    return "lmfront_cluster_member_up{node=\"" + id.toUtf8() + "\"} " + QByteArray::number(up) + '\n';
  }
  QByteArray metrics(std::size_t i) { return httpRequest(m_nodes[i].port(), "GET", "/metrics").body; }

  // The leader every running node names, or empty while they disagree or none leads.
  QString agreedLeader() {
    QString leader;
    for (auto &node : m_nodes) {
      if (node.process().state() == QProcess::NotRunning) continue;
      const QString seen = leaderSeenBy(node.port());
      if (seen.isEmpty() || (!leader.isEmpty() && seen != leader)) return {};
      leader = seen;
    }
    return leader;
  }

  // True when, over the running nodes' histories, no two nodes held a node_down alert for
  // `member` at the same time (one of them may hold it now).
  bool onlyOneHolds(const QString &member) {
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<std::pair<qint64, qint64>> others;
    int holdingNow = 0;
    for (std::size_t i = 0; i < kIds.size(); ++i) {
      if (m_nodes[i].process().state() == QProcess::NotRunning) continue;
      const QList<std::pair<qint64, qint64>> spans = heldSpans(nodeDownHistory(m_nodes[i].port()), member, now);
      for (const auto &span : spans) {
        holdingNow += span.second == now;
        for (const auto &other : others)
          if (span.first < other.second && other.first < span.second) {
            qWarning("%s held node_down{node=%s} over [%lld, %lld] while another node held it over [%lld, %lld]",
                     qPrintable(kIds[i]), qPrintable(member), span.first, span.second, other.first, other.second);
            return false;
          }
      }
      others += spans;
    }
    return holdingNow == 1;
  }

  bool revokeLeaderLease() {
    cluster::EtcdClient client(*cluster::parseEtcdEndpoints(m_etcd.url()), {});
    QEventLoop loop;
    qint64 lease = 0;
    client.range("/lmfront/test/leader", {}, [&](Result<cluster::EtcdRange> r) {
      if (r && !r->kvs.isEmpty()) lease = r->kvs.first().lease;
      loop.quit();
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    loop.exec();
    if (lease == 0) return false;
    Status revoked = Status::internal("no answer");
    client.revokeLease(lease, [&](Status s) {
      revoked = s;
      loop.quit();
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    loop.exec();
    return revoked.isOk();
  }

  QTemporaryDir m_dir;
  EtcdServer m_etcd;
  std::array<Daemon, 3> m_nodes;
  std::size_t m_victim = 0;
};

QTEST_GUILESS_MAIN(TestClusterNodeDown)
#include "tst_clusternodedown.moc"
