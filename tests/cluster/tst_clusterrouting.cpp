// Routing between nodes with three real lmfrontd processes and a real etcd on loopback: a model
// held by node A alone is answered through B and C (served by A, which the answer's
// x-lmfront-backend names); member records list only what a node serves itself; a forwarded
// request is never forwarded again; the client's key is forwarded as it came; a member that resets connections before
// answering costs no request (streamed or not); a draining member gets no new routed requests; and under steady load
// through B, kill -9 of C loses no request and C leaves B's pool within the lease TTL.
#include "../support/daemonharness.h"
#include "../support/etcdserver.h"
#include "cluster/etcdclient.h"
#include "resettingserver.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace lmfront;
using namespace lmfront::testing;

namespace {

constexpr int kTtlSeconds = 2;
const std::array<QString, 3> kIds = {u"node-a"_qs, u"node-b"_qs, u"node-c"_qs};
const QByteArray kModel = "tiny";
QByteArray g_key;  // an API key every node's key store holds; node A requires keys

QString urlOf(quint16 port) { return QStringLiteral("http://127.0.0.1:%1").arg(port); }

// How many backends node `port` serves `kModel` with (its /v1/models), -1 when it does not list it.
int backendsOf(quint16 port) {
  const HttpReply r = httpRequest(port, "GET", "/v1/models");
  for (const QJsonValue &m : QJsonDocument::fromJson(r.body)[u"data"_qs].toArray())
    if (m[u"id"_qs].toString() == QString::fromUtf8(kModel)) return m[u"backends"_qs].toInt();
  return -1;
}

// id → the models its member record lists, from `lmfront nodes --json` against `port`.
std::map<QString, QStringList> recordedModels(quint16 port) {
  QByteArray out;
  if (runCli({u"nodes"_qs, u"--node"_qs, urlOf(port), u"--json"_qs}, &out, nullptr, 10000) != 0) return {};
  std::map<QString, QStringList> result;
  for (const QJsonValue &m : QJsonDocument::fromJson(out).array()) {
    QStringList models;
    for (const QJsonValue &v : m[u"models"_qs].toArray()) models << v.toString();
    result[m[u"id"_qs].toString()] = models;
  }
  return result;
}

QByteArray completionBody(bool stream) {
  // temperature 1: not deterministic, so never a cache hit on the routing node.
  return "{\"model\":\"" + kModel + "\",\"prompt\":\"the\",\"max_tokens\":8,\"temperature\":1" +
         (stream ? ",\"stream\":true}" : "}");
}

HttpReply complete(quint16 port, bool stream, Headers headers = {}, bool withKey = true) {
  if (withKey) headers.append({"Authorization", "Bearer " + g_key});
  return httpRequest(port, "POST", "/v1/completions", completionBody(stream), headers, 15000);
}

// A whole, successful answer: 200 and, streamed, the end of the stream with no error event in it.
bool succeeded(const HttpReply &r, bool stream) {
  if (r.status != 200) return false;
  if (!stream) return QJsonDocument::fromJson(r.body)[u"choices"_qs].isArray();
  return r.body.contains("data: [DONE]") && !r.body.contains("\"error\"");
}

}  // namespace

class TestClusterRouting : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QCOMPARE(m_etcd.start(), QString());
    m_modelPath = buildFortunesModel(m_dir.path(), QString::fromUtf8(kModel), 1500);
    QVERIFY2(!m_modelPath.isEmpty(), "could not build the test model with the lmfront CLI");
    // One key store for the whole cluster: created for A, copied to B and C.
    QByteArray out;
    QCOMPARE(runCli({u"keys"_qs, u"create"_qs, u"--name"_qs, u"app"_qs, u"--role"_qs, u"user"_qs, u"--data-dir"_qs,
                     dataDir(0), u"--json"_qs},
                    &out),
             0);
    g_key = QJsonDocument::fromJson(out)[u"key"_qs].toString().toUtf8();
    QVERIFY2(g_key.startsWith("lmf_"), out.constData());
    for (int i : {1, 2}) {
      QVERIFY(QDir().mkpath(dataDir(i)));
      for (const QString &file : QDir(dataDir(0)).entryList({u"auth.sqlite*"_qs}, QDir::Files))
        QVERIFY(QFile::copy(dataDir(0) + u'/' + file, dataDir(i) + u'/' + file));
    }
    QVERIFY(startNode(0, true));
    QVERIFY(startNode(1, false));
    QVERIFY(startNode(2, false));
  }

  void aModelOnOneNodeIsAnsweredByEveryNode() {
    for (int i : {1, 2}) QTRY_COMPARE_WITH_TIMEOUT(backendsOf(port(i)), 1, 10000);
    for (int i : {1, 2}) {
      for (bool stream : {false, true}) {
        const HttpReply r = complete(port(i), stream);
        QVERIFY2(succeeded(r, stream), QByteArray(r.head + "\n" + r.body).constData());
        QCOMPARE(r.header("x-lmfront-backend"), urlOf(port(0)).toUtf8());
      }
    }
    // The node that holds it serves it itself.
    const HttpReply local = complete(port(0), false);
    QVERIFY2(succeeded(local, false), local.body.constData());
    QVERIFY(local.header("x-lmfront-backend").startsWith("engine:"));
  }

  void membersListOnlyWhatTheyServeThemselves() {
    std::map<QString, QStringList> models;  // empty while the CLI cannot answer (a loaded machine)
    QTRY_COMPARE_WITH_TIMEOUT((models = recordedModels(port(1))).size(), std::size_t{3}, 20000);
    QCOMPARE(models.at(kIds[0]), QStringList{QString::fromUtf8(kModel)});
    // B and C answer for the model, but route it: their records must not draw traffic for it.
    QCOMPARE(models.at(kIds[1]), QStringList());
    QCOMPARE(models.at(kIds[2]), QStringList());
  }

  void aForwardedRequestIsNotForwardedAgain() {
    const Headers forwarded = {{"x-lmfront-forwarded-by", "node-z"}};
    const HttpReply refused = complete(port(1), false, forwarded);
    QCOMPARE(refused.status, 503);
    QVERIFY2(refused.body.contains("forwarding_loop"), refused.body.constData());
    QVERIFY2(refused.body.contains("already forwarded by node 'node-z'"), refused.body.constData());
    const HttpReply score =
        httpRequest(port(2), "POST", "/v1/score", "{\"model\":\"tiny\",\"text\":\"the end\"}", forwarded);
    const Headers key = {{"Authorization", "Bearer " + g_key}};
    QCOMPARE(score.status, 503);
    // The node holding the model serves a forwarded request itself.
    const HttpReply served = complete(port(0), false, forwarded);
    QVERIFY2(succeeded(served, false), served.body.constData());
    // Nor through a backup pool that routes: C's "alias" has a dead backend and the routed model as backup.
    const HttpReply put =
        httpRequest(port(2), "PUT", "/admin/pools",
                    "{\"alias\":{\"backends\":[{\"url\":\"http://127.0.0.1:1\"}],\"backup\":\"tiny\"}}");
    QCOMPARE(put.status, 200);
    const QByteArray alias = "{\"model\":\"alias\",\"prompt\":\"the\",\"max_tokens\":4,\"temperature\":1}";
    const Headers keyed = {{"Authorization", "Bearer " + g_key}};
    const HttpReply viaBackup = httpRequest(port(2), "POST", "/v1/completions", alias, keyed);
    QVERIFY2(succeeded(viaBackup, false), viaBackup.body.constData());
    QCOMPARE(viaBackup.header("x-lmfront-backend"), urlOf(port(0)).toUtf8());
    const HttpReply loop = httpRequest(port(2), "POST", "/v1/completions", alias, keyed + forwarded);
    QCOMPARE(loop.status, 503);
    QVERIFY2(loop.body.contains("forwarding_loop"), loop.body.constData());
    QCOMPARE(httpRequest(port(2), "PUT", "/admin/pools", "{}").status, 200);
    // Scoring is routed too (lmfront members forward /v1/score).
    const HttpReply routedScore =
        httpRequest(port(1), "POST", "/v1/score", "{\"model\":\"tiny\",\"text\":\"the end\"}", key);
    QCOMPARE(routedScore.status, 200);
  }

  void theClientsKeyIsForwardedAsItCame() {
    // B needs no key on loopback, A does: what decides is the key A receives from B.
    const HttpReply without = complete(port(1), false, {}, false);
    QVERIFY2(without.status == 401 || without.status == 403, without.head.constData());
    QVERIFY2(without.body.contains("upstream answered 401"), without.body.constData());
    const HttpReply wrong = complete(port(1), false, {{"Authorization", "Bearer lmf_not_a_key"}}, false);
    QCOMPARE(wrong.status, 401);  // B checks a key it is given, too
    const HttpReply with = complete(port(1), false);
    QVERIFY2(succeeded(with, false), with.body.constData());
    QCOMPARE(with.header("x-lmfront-backend"), urlOf(port(0)).toUtf8());
  }

  void aMemberResettingBeforeAnsweringCostsNoRequest_data() {
    QTest::addColumn<bool>("stream");
    QTest::newRow("non-streaming") << false;
    QTest::newRow("streaming") << true;
  }
  void aMemberResettingBeforeAnsweringCostsNoRequest() {
    QFETCH(bool, stream);
    ResettingServer dead;
    QVERIFY(dead.port() != 0);
    // A member record as a node would write it, for a "node" that resets every request.
    const QByteArray id = stream ? "fake-stream" : "fake-plain";
    const QByteArray key = "/lmfront/test/members/" + id;
    const QJsonObject record{{u"id"_qs, QString::fromUtf8(id)},
                             {u"address"_qs, urlOf(dead.port())},
                             {u"version"_qs, u"0"_qs},
                             {u"state"_qs, u"up"_qs},
                             {u"models"_qs, QJsonArray{QString::fromUtf8(kModel)}}};
    QVERIFY(etcdPut(key, QJsonDocument(record).toJson(QJsonDocument::Compact)));
    QTRY_COMPARE_WITH_TIMEOUT(backendsOf(port(1)), 2, 5000);
    // Round robin sends some of these to the resetting member first; each must be retried on A.
    int sent = 0;
    for (; sent < 20 && dead.posts() < 2; ++sent) {
      const HttpReply r = complete(port(1), stream);
      QVERIFY2(succeeded(r, stream), QByteArray(r.head + "\n" + r.body).constData());
      QCOMPARE(r.header("x-lmfront-backend"), urlOf(port(0)).toUtf8());
    }
    qInfo() << "requests" << sent << "reset by the dead member:" << dead.posts();
    QVERIFY(dead.posts() >= 1);
    QVERIFY(etcdDelete(key));
    QTRY_COMPARE_WITH_TIMEOUT(backendsOf(port(1)), 1, 5000);
  }

  void aDrainingMemberGetsNoNewRoutedRequests() {
    // C now holds the model too.
    m_nodes[2].stop();
    QVERIFY(startNode(2, true));
    QTRY_COMPARE_WITH_TIMEOUT(backendsOf(port(1)), 2, 10000);
    std::set<QByteArray> servedBy;
    for (int i = 0; i < 10; ++i) servedBy.insert(complete(port(1), false).header("x-lmfront-backend"));
    QCOMPARE(servedBy, (std::set<QByteArray>{urlOf(port(0)).toUtf8(), urlOf(port(2)).toUtf8()}));

    QCOMPARE(runCli({u"drain"_qs, kIds[2], u"--node"_qs, urlOf(port(1))}), 0);
    // The drain is in etcd once the command returns; B's pool follows C's record within a second.
    QElapsedTimer sinceDrain;
    sinceDrain.start();
    QTRY_COMPARE_WITH_TIMEOUT(backendsOf(port(1)), 1, 5000);
    const qint64 followed = sinceDrain.elapsed();
    qInfo() << "a drained member left B's pool" << followed << "ms after the drain was recorded";
    QVERIFY2(followed < 1000, qPrintable(QString::number(followed)));
    for (int i = 0; i < 10; ++i) {
      const HttpReply r = complete(port(1), false);
      QVERIFY2(succeeded(r, false), r.body.constData());
      QCOMPARE(r.header("x-lmfront-backend"), urlOf(port(0)).toUtf8());
    }
    QCOMPARE(runCli({u"undrain"_qs, kIds[2], u"--node"_qs, urlOf(port(1))}), 0);
    QTRY_COMPARE_WITH_TIMEOUT(backendsOf(port(1)), 2, 5000);
  }

  void killedMemberFailsOverWithNoFailedRequest() {
    QCOMPARE(backendsOf(port(1)), 2);
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, failed{0}, byC{0}, byCAfterRemoval{0};
    std::atomic<bool> removed{false};
    QByteArray firstFailure;
    std::mutex failureMutex;
    const quint16 b = port(1);
    const QByteArray c = urlOf(port(2)).toUtf8();
    std::vector<std::thread> load;
    // Joined however the test ends (a failed check returns early).
    const auto joinLoad = qScopeGuard([&] {
      stop = true;
      for (auto &t : load)
        if (t.joinable()) t.join();
    });
    for (int t = 0; t < 4; ++t)
      load.emplace_back([&] {
        QElapsedTimer clock;
        clock.start();
        // Steady (paced), and bounded in count and time whatever happens to the nodes.
        for (int n = 0; n < 6000 && !stop && clock.elapsed() < 30000; ++n) {
          std::this_thread::sleep_for(std::chrono::milliseconds(4));
          const HttpReply r = complete(b, false);
          if (!succeeded(r, false)) {
            ++failed;
            std::lock_guard lock(failureMutex);
            if (firstFailure.isEmpty()) firstFailure = QByteArray(r.head + "\n" + r.body);
            continue;
          }
          ++ok;
          if (r.header("x-lmfront-backend") == c) {
            ++byC;
            if (removed) ++byCAfterRemoval;
          }
        }
      });
    QTRY_VERIFY_WITH_TIMEOUT(byC >= 5, 10000);  // the load reaches both members
    m_nodes[2].process().kill();                // SIGKILL: no goodbye
    QElapsedTimer sinceKill;
    sinceKill.start();
    QTRY_COMPARE_WITH_TIMEOUT(backendsOf(b), 1, 10000);
    const qint64 removal = sinceKill.elapsed();
    removed = true;
    const int before = ok;
    QTRY_VERIFY2_WITH_TIMEOUT(ok >= before + 20, qPrintable(QStringLiteral("%1 ok, %2 failed").arg(ok).arg(failed)),
                              10000);  // and carries on through A alone
    stop = true;
    for (auto &t : load) t.join();
    qInfo() << "requests:" << ok << "ok," << failed << "failed; C left B's pool" << removal << "ms after kill -9";
    QVERIFY2(failed == 0, firstFailure.constData());
    QCOMPARE(byCAfterRemoval.load(), 0);
    // The load did meet the dead member: B counts its failed attempts there, each retried on A.
    const double retried = failedAttemptsOn(b, c);
    qInfo() << "attempts on C that failed and were retried on A:" << retried;
    QVERIFY2(retried >= 1, "no request reached C after it was killed");
    // The lease TTL, plus the slack of polling /v1/models on a loaded machine.
    QVERIFY2(removal < kTtlSeconds * 1000 + 2000, qPrintable(QString::number(removal)));
  }

private:
  quint16 port(int i) const { return m_nodes[static_cast<std::size_t>(i)].port(); }
  QString dataDir(int i) const { return m_dir.path() + u'/' + kIds[static_cast<std::size_t>(i)]; }

  bool startNode(int i, bool withModel) {
    const QString id = kIds[static_cast<std::size_t>(i)];
    QStringList args{u"--listen"_qs,    u"127.0.0.1:0"_qs,
                     u"--data-dir"_qs,  m_dir.path() + u'/' + id,
                     u"--node-id"_qs,   id,
                     u"--etcd"_qs,      m_etcd.url(),
                     u"--cluster"_qs,   u"test"_qs,
                     u"--lease-ttl"_qs, QString::number(kTtlSeconds)};
    if (withModel) args << u"--model"_qs << QString::fromUtf8(kModel) + u'=' + m_modelPath;
    if (i == 0) args << u"--require-keys"_qs;
    auto &node = m_nodes[static_cast<std::size_t>(i)];
    if (!node.start(args)) return false;
    return node.waitReady();
  }

  // Attempts node `port` counts against `backend` that did not answer 200 (lmfront_requests_total).
  static double failedAttemptsOn(quint16 port, const QByteArray &backend) {
    double n = 0;
    const HttpReply r = httpRequest(port, "GET", "/metrics");
    for (const QByteArray &line : r.body.split('\n'))
      if (line.startsWith("lmfront_requests_total{") && line.contains(QByteArray("backend=\"" + backend + "\"")) &&
          !line.contains("code=\"200\""))
        n += line.mid(line.lastIndexOf(' ') + 1).toDouble();
    return n;
  }

  bool etcdPut(const QByteArray &key, const QByteArray &value) {
    cluster::EtcdClient client(*cluster::parseEtcdEndpoints(m_etcd.url()), {});
    QEventLoop loop;
    Status result = Status::internal("no answer");
    client.put(key, value, 0, [&](Status s) {
      result = s;
      loop.quit();
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    loop.exec();
    return result.isOk();
  }

  bool etcdDelete(const QByteArray &key) {
    cluster::EtcdClient client(*cluster::parseEtcdEndpoints(m_etcd.url()), {});
    QEventLoop loop;
    bool ok = false;
    client.deleteRange(key, {}, [&](Result<qint64> r) {
      ok = r.isOk();
      loop.quit();
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    loop.exec();
    return ok;
  }

  QTemporaryDir m_dir;
  EtcdServer m_etcd;
  QString m_modelPath;
  std::array<Daemon, 3> m_nodes;
};

QTEST_GUILESS_MAIN(TestClusterRouting)
#include "tst_clusterrouting.moc"
