// EtcdClient, EtcdSession, LeaderElection and Membership against a real etcd on loopback
// (tests/support/etcdserver.h): the JSON gateway's shapes, streaming watches, endpoint failover,
// leases that expire or are revoked from outside, one leader at a time, and resync after etcd
// restarts. TTLs are 2 s (etcd's minimum is about 1.5 s); every wait is bounded.
#include "../support/etcdserver.h"
#include "../support/redisserver.h"  // freeLoopbackPort()
#include "cluster/etcdclient.h"
#include "cluster/etcdsession.h"
#include "cluster/leaderelection.h"
#include "cluster/membership.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <memory>

using namespace lmfront;
using namespace lmfront::cluster;

namespace {

// Runs an async call and waits (bounded) for its one callback.
template <class T, class Call>
std::optional<T> await(Call call, int timeoutMs = 5000) {
  std::optional<T> out;
  QEventLoop loop;
  call([&](T value) {
    out.emplace(std::move(value));
    loop.quit();
  });
  if (!out) {
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
  }
  return out;
}

QList<QUrl> urls(const QString &text) { return *parseEtcdEndpoints(text); }

MemberInfo member(const QString &id) {
  return MemberInfo{id, u"http://127.0.0.1:1"_qs, u"1.0"_qs, u"up"_qs, {u"m"_qs}, {}, {}};
}

QString stateOf(const Membership &m, const QString &id) {
  for (const MemberInfo &info : m.members())
    if (info.id == id) return info.state;
  return {};
}

// A node's worth of coordination objects on one client.
struct Peer {
  Peer(const QString &endpoints, const QString &id, const QString &cluster = u"t"_qs)
      : client(urls(endpoints), EtcdClient::Options{}),
        session(client, 2),
        election(client, session, QByteArrayLiteral("/lmfront/") + cluster.toUtf8() + "/leader", id),
        membership(client, session, cluster) {
    session.start();
    election.start();
    membership.start(member(id));
  }
  ~Peer() {
    membership.stop();
    election.stop();
    session.stop(1000);
  }
  EtcdClient client;
  EtcdSession session;
  LeaderElection election;
  Membership membership;
};

}  // namespace

class TestEtcdClient : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() { QCOMPARE(m_etcd.start(), QString()); }

  void endpointsParse() {
    auto two = parseEtcdEndpoints(u"http://a:1, http://b:2"_qs);
    QVERIFY(two);
    QCOMPARE(two->size(), 2);
    QCOMPARE(two->at(1).port(), 2);
    QVERIFY(!parseEtcdEndpoints(u""_qs));
    auto bad = parseEtcdEndpoints(u"http://a:1,ftp://b"_qs);
    QVERIFY(!bad);
    QVERIFY(QString::fromStdString(bad.status().message()).contains(u"ftp://b"_qs));
    QCOMPARE(etcdPrefixEnd("/a/"), QByteArray("/a0"));
    QCOMPARE(etcdPrefixEnd(QByteArray("a\xff", 2)), QByteArray("b"));
  }

  void putRangeDelete() {
    EtcdClient client(urls(m_etcd.url()), {});
    const QByteArray binary("v\0\xff", 3);
    auto put = await<Status>([&](auto cb) { client.put("/kv/a", binary, 0, cb); });
    QVERIFY(put && put->isOk());
    QVERIFY(await<Status>([&](auto cb) { client.put("/kv/b", "2", 0, cb); })->isOk());
    QVERIFY(await<Status>([&](auto cb) { client.put("/kw", "outside", 0, cb); })->isOk());
    auto range = await<Result<EtcdRange>>([&](auto cb) { client.range("/kv/", etcdPrefixEnd("/kv/"), cb); });
    QVERIFY(range && *range);
    QCOMPARE((*range)->kvs.size(), 2);
    QCOMPARE((*range)->kvs[0].key, QByteArray("/kv/a"));
    QCOMPARE((*range)->kvs[0].value, binary);
    QVERIFY((*range)->kvs[0].createRevision > 0);
    QVERIFY((*range)->revision >= (*range)->kvs[1].modRevision);
    auto deleted = await<Result<qint64>>([&](auto cb) { client.deleteRange("/kv/", etcdPrefixEnd("/kv/"), cb); });
    QCOMPARE(**deleted, 2);
    range = await<Result<EtcdRange>>([&](auto cb) { client.range("/kv/a", {}, cb); });
    QVERIFY((*range)->kvs.isEmpty());
  }

  void leasesExpireAndRevoke() {
    EtcdClient client(urls(m_etcd.url()), {});
    auto lease = await<Result<EtcdLease>>([&](auto cb) { client.grantLease(2, cb); });
    QVERIFY(lease && *lease);
    QCOMPARE((*lease)->ttlSeconds, 2);
    const qint64 id = (*lease)->id;
    QVERIFY(await<Status>([&](auto cb) { client.put("/lease/k", "v", id, cb); })->isOk());
    auto renewed = await<Result<qint64>>([&](auto cb) { client.keepAlive(id, cb); });
    QCOMPARE(**renewed, 2);
    QVERIFY(await<Status>([&](auto cb) { client.revokeLease(id, cb); })->isOk());
    auto gone = await<Result<qint64>>([&](auto cb) { client.keepAlive(id, cb); });
    QCOMPARE(gone->status().code(), StatusCode::NotFound);
    auto range = await<Result<EtcdRange>>([&](auto cb) { client.range("/lease/k", {}, cb); });
    QVERIFY((*range)->kvs.isEmpty());  // the key went with its lease
    auto unknown = await<Status>([&](auto cb) { client.put("/lease/k", "v", 12345, cb); });
    QCOMPARE(unknown->code(), StatusCode::NotFound);
    QVERIFY(QString::fromStdString(unknown->message()).contains(u"lease not found"_qs));
  }

  void createIfAbsentIsOneWinner() {
    EtcdClient client(urls(m_etcd.url()), {});
    auto first = await<Result<EtcdCreate>>([&](auto cb) { client.createIfAbsent("/txn/k", "one", 0, cb); });
    QVERIFY((*first)->created);
    auto second = await<Result<EtcdCreate>>([&](auto cb) { client.createIfAbsent("/txn/k", "two", 0, cb); });
    QVERIFY(!(*second)->created);
    QCOMPARE((*second)->existing.value, QByteArray("one"));
    QCOMPARE((*second)->existing.createRevision, (*first)->revision);
  }

  void watchStreamsPutsAndDeletes() {
    EtcdClient client(urls(m_etcd.url()), {});
    QObject owner;
    EtcdWatch *watch = client.watch("/w/", etcdPrefixEnd("/w/"), 0, &owner);
    QSignalSpy started(watch, &EtcdWatch::started);
    QList<EtcdEvent> seen;
    connect(watch, &EtcdWatch::events, this, [&](const QList<EtcdEvent> &batch, qint64) { seen += batch; });
    QVERIFY(started.wait(5000));
    QVERIFY(await<Status>([&](auto cb) { client.put("/w/x", "1", 0, cb); })->isOk());
    QVERIFY(await<Status>([&](auto cb) { client.put("/other", "1", 0, cb); })->isOk());
    QVERIFY(await<Result<qint64>>([&](auto cb) { client.deleteRange("/w/x", {}, cb); })->isOk());
    QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 2, 5000);
    QCOMPARE(seen[0].kv.key, QByteArray("/w/x"));
    QCOMPARE(seen[0].kv.value, QByteArray("1"));
    QVERIFY(!seen[0].deleted);
    QVERIFY(seen[1].deleted);
  }

  void failsOverToTheNextEndpoint() {
    const int dead = testing::freeLoopbackPort();
    EtcdClient client(urls(QStringLiteral("http://127.0.0.1:%1,%2").arg(dead).arg(m_etcd.url())), {});
    auto put = await<Status>([&](auto cb) { client.put("/fo", "1", 0, cb); });
    QVERIFY2(put->isOk(), put->message().c_str());
    QCOMPARE(client.endpoint().toString(), m_etcd.url());  // and it stays there

    EtcdClient nowhere(urls(QStringLiteral("http://127.0.0.1:%1").arg(dead)), {});
    auto failed = await<Status>([&](auto cb) { nowhere.put("/fo", "1", 0, cb); });
    QCOMPARE(failed->code(), StatusCode::Unavailable);
    QVERIFY(QString::fromStdString(failed->message()).contains(QString::number(dead)));
  }

  void oneLeaderEvenWhenItsLeaseIsRevokedFromOutside() {
    Peer a(m_etcd.url(), u"a"_qs, u"elect"_qs);
    Peer b(m_etcd.url(), u"b"_qs, u"elect"_qs);
    int maxLeaders = 0, changes = 0;
    auto check = [&] {
      ++changes;
      maxLeaders = std::max(maxLeaders, int(a.election.isLeader()) + int(b.election.isLeader()));
    };
    // Destroyed before the peers: the leader stepping down in its destructor must not call `check`
    // once the other peer is gone.
    QObject observer;
    connect(&a.election, &LeaderElection::leadershipChanged, &observer, check);
    connect(&b.election, &LeaderElection::leadershipChanged, &observer, check);
    QTRY_VERIFY_WITH_TIMEOUT(a.election.isLeader() || b.election.isLeader(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!a.election.leader().isEmpty() && a.election.leader() == b.election.leader(), 5000);
    for (int round = 0; round < 3; ++round) {
      Peer &leader = a.election.isLeader() ? a : b;
      Peer &follower = a.election.isLeader() ? b : a;
      const qint64 revoked = leader.session.lease();
      EtcdClient outside(urls(m_etcd.url()), {});
      auto status = await<Status>([&](auto cb) { outside.revokeLease(revoked, cb); });
      QVERIFY2(status->isOk(), status->message().c_str());
      // The deposed leader notices (the watch's delete, then the keep-alive's NotFound) ...
      QTRY_VERIFY_WITH_TIMEOUT(!leader.election.isLeader() || leader.session.lease() != revoked, 5000);
      QTRY_VERIFY_WITH_TIMEOUT(leader.session.lease() != revoked, 5000);
      // ... and someone leads again, both agreeing who.
      QTRY_VERIFY_WITH_TIMEOUT(follower.election.isLeader() || leader.election.isLeader(), 8000);
      QTRY_VERIFY_WITH_TIMEOUT(a.election.leader() == b.election.leader() && !a.election.leader().isEmpty(), 8000);
    }
    QVERIFY(changes >= 3);
    QCOMPARE(maxLeaders, 1);
  }

  void membersSeeEachOtherAndDeadOnesGoDown() {
    Peer a(m_etcd.url(), u"a"_qs);
    auto b = std::make_unique<Peer>(m_etcd.url(), u"b"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(a.membership, u"b"_qs), u"up"_qs, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(b->membership, u"a"_qs), u"up"_qs, 5000);

    MemberInfo changed = member(u"b"_qs);
    changed.models = {u"m"_qs, u"n"_qs};
    b->membership.setSelf(changed);
    QTRY_VERIFY_WITH_TIMEOUT(a.membership.members().last().models.size() == 2, 5000);

    // A drain wish through etcd reaches the node it names.
    QSignalSpy drain(&b->membership, &Membership::drainRequested);
    QVERIFY(await<Status>([&](auto cb) { a.membership.requestDrain(u"b"_qs, true, cb); })->isOk());
    QTRY_COMPARE_WITH_TIMEOUT(drain.size(), 1, 5000);
    QCOMPARE(drain[0][0].toBool(), true);
    QVERIFY(await<Status>([&](auto cb) { a.membership.requestDrain(u"b"_qs, false, cb); })->isOk());
    QTRY_COMPARE_WITH_TIMEOUT(drain.size(), 2, 5000);
    QCOMPARE(drain[1][0].toBool(), false);

    // Dies without a word (no revoke): gone within the TTL.
    b->membership.stop();
    b->election.stop();
    b.reset();  // its stop() revokes; the test for a silent death is a killed lmfrontd (tst_clusternodes)
    QElapsedTimer gone;
    gone.start();
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(a.membership, u"b"_qs), u"down"_qs, 3000);
    QVERIFY(gone.elapsed() < 2500);
  }

  void etcdRestartedNodesResyncOnTheirOwn() {
    Peer a(m_etcd.url(), u"a"_qs, u"restart"_qs);
    Peer b(m_etcd.url(), u"b"_qs, u"restart"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(a.membership, u"b"_qs), u"up"_qs, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(a.membership.synced(), 5000);
    m_etcd.kill();
    QTRY_VERIFY_WITH_TIMEOUT(!a.membership.synced(), 5000);
    QCOMPARE(stateOf(a.membership, u"b"_qs), u"up"_qs);  // the last list is kept meanwhile
    QTRY_VERIFY_WITH_TIMEOUT(!a.election.isLeader() && !b.election.isLeader(), 5000);
    QCOMPARE(m_etcd.start(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(a.membership.synced() && b.membership.synced(), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(a.election.isLeader() != b.election.isLeader(), 15000);
    // Both registered again under new leases: a third peer sees them.
    Peer c(m_etcd.url(), u"c"_qs, u"restart"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(c.membership, u"a"_qs), u"up"_qs, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(c.membership, u"b"_qs), u"up"_qs, 5000);
  }

private:
  testing::EtcdServer m_etcd;
};

QTEST_GUILESS_MAIN(TestEtcdClient)
#include "tst_etcdclient.moc"
