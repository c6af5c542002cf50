// Deployments as the cluster's desired state (docs/cluster.md, "Desired state"), with three real
// lmfrontd, a fourth started later, and a real etcd: a deploy sent to node A is served by B and C
// within 2 s (B and C copy the artifact from A by sha256); a node started after the deploy
// catches up; a rollback sent to B converges everywhere; a version published on A alone is in
// every node's catalog; --replicas 2 places the version on two
// nodes and leaves the others as they were; a canary sent to A runs on every node and a promote sent
// to D makes it stable everywhere; after etcd is killed (commands refused meanwhile) and started
// again, a deploy converges on every node; an artifact whose bytes do not match its sha256 (served
// by a small fake peer named as the origin) is refused by every node with nothing stored; a
// viewer key's deploy is refused and audited.
#include "../support/daemonharness.h"
#include "../support/etcdserver.h"
#include "cluster/etcdclient.h"
#include "registry/catalogdb.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <array>

using namespace lmfront;
using namespace lmfront::testing;

namespace {

constexpr int kConvergeMs = 2000;
const std::array<QString, 4> kIds = {u"node-a"_qs, u"node-b"_qs, u"node-c"_qs, u"node-d"_qs};
const QByteArray kCompletion = R"({"model":"fortunes","prompt":"the","max_tokens":3})";

QString urlOf(quint16 port) { return QStringLiteral("http://127.0.0.1:%1").arg(port); }

QString fileSha256(const QString &path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  QCryptographicHash hash(QCryptographicHash::Sha256);
  hash.addData(&f);
  return QString::fromLatin1(hash.result().toHex());
}

// Which version of fortunes answers a completion on `port` ("engine:fortunes@2"); empty when
// the completion failed.
QByteArray servedBy(quint16 port) {
  const HttpReply r =
      httpRequest(port, "POST", "/v1/completions", kCompletion, {{"Content-Type", "application/json"}}, 5000);
  return r.status == 200 ? r.header("x-lmfront-backend") : QByteArray();
}

// A peer that answers every request with the same bytes, and remembers the token it was shown.
class FakePeer : public QObject {
public:
  explicit FakePeer(QByteArray body) : m_body(std::move(body)) {
    QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket *s = m_server.nextPendingConnection()) {
        QObject::connect(s, &QTcpSocket::readyRead, s, [this, s] {
          m_request += s->readAll();
          if (!m_request.contains("\r\n\r\n")) return;
          ++requests;
          for (const QByteArray &line : m_request.split('\n'))
            if (line.toLower().startsWith("x-lmfront-cluster-token:"))
              token = line.mid(line.indexOf(':') + 1).trimmed();
          m_request.clear();
          s->write(
              "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\nContent-Length: " +
              QByteArray::number(m_body.size()) + "\r\n\r\n" + m_body);
          s->disconnectFromHost();
        });
        QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
      }
    });
  }
  bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
  QString url() const { return urlOf(m_server.serverPort()); }
  int requests = 0;
  QByteArray token;

private:
  QTcpServer m_server;
  QByteArray m_body;
  QByteArray m_request;
};

// Whether `backend` is version `version` of fortunes: the model file (catalog version 1) serves
// as "engine:fortunes" until a deploy names it.
bool isVersion(const QByteArray &backend, int version) {
  return backend == "engine:fortunes@" + QByteArray::number(version) || (version == 1 && backend == "engine:fortunes");
}

}  // namespace

class TestClusterDeploy : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  EtcdServer m_etcd;
  std::array<Daemon, 4> m_nodes;
  QString m_model;  // the model file every node starts with (catalog version 1 everywhere)
  QByteArray m_viewerKey;

  QString dataOf(std::size_t i) const { return m_dir.filePath(kIds[i]); }
  bool startNode(std::size_t i) {
    return m_nodes[i].start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, dataOf(i), u"--node-id"_qs, kIds[i],
                             u"--etcd"_qs, m_etcd.url(), u"--cluster"_qs, u"test"_qs, u"--lease-ttl"_qs, u"2"_qs}) &&
           m_nodes[i].waitReady();
  }
  bool prepareDataDir(std::size_t i) {
    return QDir().mkpath(dataOf(i) + u"/models"_qs) && QFile::copy(m_model, dataOf(i) + u"/models/fortunes.lmb"_qs);
  }
  int cli(std::size_t node, QStringList args, QByteArray *out = nullptr, QByteArray *err = nullptr) {
    args << u"--node"_qs << urlOf(m_nodes[node].port());
    return runCli(args, out, err, 60'000);
  }
  QJsonDocument json(std::size_t node, QStringList args) {
    QByteArray out, err;
    const int code = cli(node, args << u"--json"_qs, &out, &err);
    if (code != 0) qWarning("lmfront %s: exit %d: %s", qPrintable(args.join(u' ')), code, err.constData());
    return QJsonDocument::fromJson(out);
  }
  // Versions 2 and 3 of fortunes, published with their files as serving artifacts, written into
  // node A's catalog while it is down (what compile and publish leave behind).
  bool addPublishedVersions() {
    auto db = registry::CatalogDb::open(QString(dataOf(0) + u"/catalog.db"_qs).toStdString(),
                                        {[] { return QDateTime::currentMSecsSinceEpoch(); }, false});
    if (!db) return false;
    for (int lines : {400, 250}) {
      const QString dir = m_dir.filePath(u"v"_qs + QString::number(lines));
      QDir().mkpath(dir);
      const QString file = buildFortunesModel(dir, u"fortunes"_qs, lines);
      if (file.isEmpty()) return false;
      const std::string sha = fileSha256(file).toStdString();
      registry::NewVersion v;
      v.sha256 = sha;
      v.bytes = QFileInfo(file).size();
      v.order = 3;
      v.submitter = "alice";
      auto number = (*db)->addVersion("fortunes", v, "alice");
      if (!number) return false;
      using A = registry::LifecycleAction;
      for (A a : {A::Validate, A::Approve, A::Compile, A::Publish})
        if (!(*db)->transition("fortunes", *number, a, "alice", "")) return false;
      if (!(*db)->putArtifact({sha, file.toStdString(), v.bytes, "lmb", 0}) ||
          !(*db)->setServingArtifact("fortunes", *number, sha))
        return false;
    }
    return true;
  }
  // Waits until every node in `nodes` serves `version`; the time it took, or -1 past `timeoutMs`.
  qint64 waitServed(std::initializer_list<std::size_t> nodes, int version, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    for (std::size_t i : nodes)
      while (!isVersion(servedBy(m_nodes[i].port()), version)) {
        if (timer.elapsed() > timeoutMs) return -1;
        QTest::qWait(20);
      }
    return timer.elapsed();
  }
  QJsonArray auditOf(std::size_t node) { return json(node, {u"audit"_qs, u"--model"_qs, u"fortunes"_qs}).array(); }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QCOMPARE(m_etcd.start(), QString());
    m_model = buildFortunesModel(m_dir.path(), u"fortunes"_qs, 600);
    QVERIFY(!m_model.isEmpty());
    for (std::size_t i = 0; i < 3; ++i) QVERIFY(prepareDataDir(i));
    QByteArray out;
    QCOMPARE(runCli({u"keys"_qs, u"create"_qs, u"--name"_qs, u"watcher"_qs, u"--role"_qs, u"viewer"_qs,
                     u"--data-dir"_qs, dataOf(0), u"--json"_qs},
                    &out),
             0);
    m_viewerKey = QJsonDocument::fromJson(out).object()[u"key"].toString().toUtf8();
    QVERIFY(!m_viewerKey.isEmpty());
    // Node A imports its file as version 1, then gets versions 2 and 3 in its catalog alone.
    QVERIFY(startNode(0));
    m_nodes[0].stop();
    QVERIFY(addPublishedVersions());
    for (std::size_t i = 0; i < 3; ++i) QVERIFY2(startNode(i), qPrintable(kIds[i]));
    for (std::size_t i = 0; i < 3; ++i) QVERIFY(isVersion(servedBy(m_nodes[i].port()), 1));
    // Every node sees the three before anything is placed.
    QTRY_COMPARE_WITH_TIMEOUT(json(0, {u"nodes"_qs}).array().size(), 3, 10000);
  }
  void cleanupTestCase() {
    for (auto &node : m_nodes) node.stop();
  }

  void deployViaOneNodeConvergesOnAll() {
    const QJsonObject d = json(0, {u"deploy"_qs, u"fortunes"_qs, u"2"_qs}).object();
    QCOMPARE(d[u"stable_version"].toInt(), 2);
    QVERIFY(d[u"replicas"].isNull());  // every member
    QCOMPARE(d[u"placement"].toArray().size(), 3);
    QCOMPARE(d[u"placed_by"].toString(), kIds[0]);
    const qint64 took = waitServed({0, 1, 2}, 2, kConvergeMs);
    QVERIFY2(took >= 0, "B and C did not serve version 2 within 2 s");
    qInfo() << "deploy to convergence on B and C after the command returned:" << took << "ms";
    // B learnt the version with its number and its artifact, and audits who asked, through whom.
    const QJsonArray versions = json(1, {u"versions"_qs, u"fortunes"_qs}).array();
    QStringList states;
    for (const auto &v : versions) states << QString::number(v[u"version"].toInteger()) + u'=' + v[u"state"].toString();
    QVERIFY2(states.contains(u"2=deployed"_qs), qPrintable(states.join(u' ')));
    // Its artifact was copied into B's store under its sha256 (B had no such file before).
    QString artifact;
    for (const auto &v : versions)
      if (v[u"version"].toInteger() == 2) artifact = v[u"artifact_sha256"].toString();
    QVERIFY(!artifact.isEmpty());
    QCOMPARE(fileSha256(dataOf(1) + u"/artifacts/sha256/"_qs + artifact.left(2) + u'/' + artifact), artifact);
    bool audited = false;
    for (const auto &row : auditOf(1))
      audited |= row[u"action"].toString() == u"deploy"_qs && row[u"version"].toInteger() == 2 &&
                 row[u"outcome"].toString() == u"ok"_qs && row[u"actor"].toString() == u"local via node-a"_qs;
    QVERIFY(audited);
  }

  void aNodeStartedAfterTheDeployCatchesUp() {
    QVERIFY(prepareDataDir(3));
    QVERIFY(startNode(3));
    QVERIFY2(waitServed({3}, 2, 10000) >= 0, "node D did not catch up with version 2");
  }

  void rollbackViaAnotherNodeConvergesEverywhere() {
    const QJsonObject d = json(1, {u"rollback"_qs, u"fortunes"_qs}).object();
    QCOMPARE(d[u"stable_version"].toInt(), 1);
    QCOMPARE(d[u"placed_by"].toString(), kIds[1]);
    QVERIFY2(waitServed({0, 1, 2, 3}, 1, kConvergeMs) >= 0, "the rollback did not converge");
  }

  void versionsPublishedOnOneNodeAreKnownEverywhere() {
    // Version 3 was published on node A alone and never deployed: every catalog lists it, with
    // its number and content, before any node holds its artifact.
    const auto stateOf = [this](std::size_t node, int version) -> QString {
      for (const auto &v : json(node, {u"versions"_qs, u"fortunes"_qs}).array())
        if (v[u"version"].toInt() == version) return v[u"state"].toString() + u' ' + v[u"sha256"].toString();
      return QString();
    };
    const QString onA = stateOf(0, 3);
    QVERIFY(onA.startsWith(u"published "_qs));
    for (std::size_t i = 1; i < 4; ++i) QTRY_COMPARE_WITH_TIMEOUT(stateOf(i, 3), onA, 5000);
  }

  void replicasPlaceOnThatManyNodes() {
    const QJsonObject d = json(2, {u"deploy"_qs, u"fortunes"_qs, u"3"_qs, u"--replicas"_qs, u"2"_qs}).object();
    QCOMPARE(d[u"replicas"].toInt(), 2);
    const QJsonArray placement = d[u"placement"].toArray();
    QCOMPARE(placement.size(), 2);
    std::vector<std::size_t> placed, others;
    for (std::size_t i = 0; i < 4; ++i) (placement.contains(kIds[i]) ? placed : others).push_back(i);
    QCOMPARE(placed.size(), std::size_t{2});
    QVERIFY2(waitServed({placed[0], placed[1]}, 3, kConvergeMs) >= 0, "the placed nodes did not serve version 3");
    for (std::size_t i : others) QVERIFY(isVersion(servedBy(m_nodes[i].port()), 1));
    // Node C took the command; if it is not placed it served nothing new itself.
    QVERIFY(isVersion(servedBy(m_nodes[2].port()), placement.contains(kIds[2]) ? 3 : 1));
  }

  void aCanaryRunsEverywhereAndIsPromotedThroughAnotherNode() {
    const QJsonObject d =
        json(0, {u"deploy"_qs, u"fortunes"_qs, u"2"_qs, u"--strategy"_qs, u"canary"_qs, u"--percent"_qs, u"50"_qs})
            .object();
    QCOMPARE(d[u"strategy"].toString(), u"canary"_qs);
    QCOMPARE(d[u"variant_version"].toInt(), 2);
    const auto canaryOn = [this](std::size_t node) {
      const QJsonArray all = json(node, {u"deployments"_qs}).array();
      return all.size() == 1 && all[0][u"strategy"].toString() == u"canary"_qs &&
             all[0][u"variant_version"].toInt() == 2 && all[0][u"percent"].toDouble() == 50.0;
    };
    for (std::size_t i = 0; i < 4; ++i) QTRY_VERIFY_WITH_TIMEOUT(canaryOn(i), 5000);
    const QJsonObject promoted = json(3, {u"promote"_qs, u"fortunes"_qs}).object();
    QCOMPARE(promoted[u"stable_version"].toInt(), 2);
    QCOMPARE(promoted[u"placed_by"].toString(), kIds[3]);
    QVERIFY2(waitServed({0, 1, 2, 3}, 2, kConvergeMs) >= 0, "the promote did not converge");
    for (std::size_t i = 0; i < 4; ++i) QVERIFY(json(i, {u"deployments"_qs}).array()[0][u"strategy"].isNull());
  }

  void afterAnEtcdRestartDeploysConvergeAgain() {
    m_etcd.kill();
    QByteArray out, err;
    // With etcd gone the cluster's state cannot change: refused, naming etcd.
    QTRY_COMPARE_WITH_TIMEOUT(cli(1, {u"deploy"_qs, u"fortunes"_qs, u"3"_qs}, &out, &err), 1, 10000);
    QVERIFY2(err.contains("etcd"), err.constData());
    // The others kept serving what they had.
    for (std::size_t i : {0, 2, 3}) QVERIFY(isVersion(servedBy(m_nodes[i].port()), 2));
    QCOMPARE(m_etcd.start(), QString());
    // Each node reads the prefix again and watches from there; then a deploy goes everywhere.
    QTRY_COMPARE_WITH_TIMEOUT(cli(1, {u"deploy"_qs, u"fortunes"_qs, u"3"_qs}, &out, &err), 0, 15000);
    QVERIFY2(waitServed({0, 1, 2, 3}, 3, kConvergeMs) >= 0, "the deploy after etcd's restart did not converge");
  }

  void anArtifactThatDoesNotMatchItsSha256IsRefused() {
    const QByteArray genuine = "the bytes the record promises";
    const QByteArray forged = "other bytes, served instead";
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(genuine, QCryptographicHash::Sha256).toHex());
    const QString forgedSha = QString::fromLatin1(QCryptographicHash::hash(forged, QCryptographicHash::Sha256).toHex());
    FakePeer peer(forged);
    QVERIFY(peer.listen());
    for (auto &node : m_nodes) node.takeStderr();
    // A desired deployment whose origin is the fake peer, written as any node would.
    const QJsonObject record{
        {u"model"_qs, u"fortunes"_qs},
        {u"version"_qs, 9},
        {u"strategy"_qs, u"replace"_qs},
        {u"action"_qs, u"deploy"_qs},
        {u"catalog"_qs, QJsonObject{{u"sha256"_qs, sha}, {u"bytes"_qs, genuine.size()}, {u"order"_qs, 3}}},
        {u"artifact"_qs, QJsonObject{{u"sha256"_qs, sha}, {u"bytes"_qs, genuine.size()}, {u"kind"_qs, u"lmb"_qs}}},
        {u"origin"_qs, peer.url()},
        {u"origin_node"_qs, u"fake"_qs},
        {u"replicas"_qs, QJsonValue()},
        {u"placement"_qs, QJsonArray()},
        {u"placed_by"_qs, u"fake"_qs},
        {u"actor"_qs, u"tester"_qs},
        {u"revision"_qs, 100}};
    cluster::EtcdClient client(*cluster::parseEtcdEndpoints(m_etcd.url()), {});
    QEventLoop loop;
    Status put = Status::internal("no answer");
    client.put("/lmfront/test/deployments/fortunes", QJsonDocument(record).toJson(QJsonDocument::Compact), 0,
               [&](Status s) {
                 put = s;
                 loop.quit();
               });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    loop.exec();
    QVERIFY2(put.isOk(), put.message().c_str());
    // Every node asked the peer (with the cluster's token) and refused what it got.
    QByteArray seen[4];
    for (std::size_t i = 0; i < 4; ++i)
      QTRY_VERIFY2_WITH_TIMEOUT((seen[i] += m_nodes[i].takeStderr()).contains("do not match its sha256"),
                                qPrintable(kIds[i] + u": "_qs + QString::fromUtf8(seen[i])), 10000);
    QVERIFY(peer.requests >= 4);
    QCOMPARE(peer.token.size(), 48);
    for (std::size_t i = 0; i < 4; ++i) {
      for (const QString &name : {sha, forgedSha})
        QVERIFY(!QFile::exists(dataOf(i) + u"/artifacts/sha256/"_qs + name.left(2) + u'/' + name));
      for (const auto &v : json(i, {u"versions"_qs, u"fortunes"_qs}).array()) QVERIFY(v[u"version"].toInt() != 9);
      QVERIFY(servedBy(m_nodes[i].port()).startsWith("engine:fortunes"));  // still serving what it had
    }
  }

  void anUnderPrivilegedDeployIsRefusedAndAudited() {
    const int before = static_cast<int>(auditOf(0).size());
    QByteArray out, err;
    QCOMPARE(cli(0, {u"deploy"_qs, u"fortunes"_qs, u"2"_qs, u"--key"_qs, QString::fromUtf8(m_viewerKey)}, &out, &err),
             1);
    QVERIFY2(err.contains("operator"), err.constData());
    const QJsonArray rows = auditOf(0);
    QCOMPARE(rows.size(), before + 1);
    const QJsonObject row = rows.last().toObject();
    QCOMPARE(row[u"action"].toString(), u"deploy"_qs);
    QCOMPARE(row[u"version"].toInt(), 2);
    QCOMPARE(row[u"outcome"].toString(), u"refused"_qs);
    QCOMPARE(row[u"actor"].toString(), u"watcher"_qs);
    // Nothing changed in the cluster: node B still serves what it served.
    QVERIFY(!servedBy(m_nodes[1].port()).isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestClusterDeploy)
#include "tst_clusterdeploy.moc"
