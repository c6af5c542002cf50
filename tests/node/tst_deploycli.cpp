// Deploy, promote and rollback of a real lmfrontd through the real `lmfront` CLI, the node's HTTP
// API and its ops API (docs/models.md, "Deploying"): the lifecycle end to end with every step in
// the catalog and the audit log (actor = key name or "local", refusals too); zero failed requests
// while a replace and a rollback swap what serves under load; two deploys of one model at once
// serialising (the second refused, naming the version loading); and a canary made to breach its
// limits by real traffic rolling itself back, audited with the measured values and raising the
// alert canary_rolled_back; `deployments` listing what the catalog holds, from the start; and a
// restart serving again the version the catalog deployed (a canary that ran rolled back, a
// version that cannot load back to published with the version it had replaced serving, and a rollback after
// the restart returning to the version the deployed one had replaced); and requests to change
// something refused for their caller (too low a role, an unknown key; HTTP and ops) audited.
#include "../support/daemonharness.h"
#include "client/opsclient.h"
#include "common/clock.h"
#include "registry/catalogdb.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

using namespace lmfront;
using namespace lmfront::testing;

namespace {

QString fileSha256(const QString &path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  QCryptographicHash hash(QCryptographicHash::Sha256);
  hash.addData(&f);
  return QString::fromLatin1(hash.result().toHex());
}

const QByteArray kCompletion = R"({"model":"fortunes","prompt":"the","max_tokens":3})";

}  // namespace

class TstDeployCli : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  Daemon m_node;
  QByteArray m_opsKey;
  QByteArray m_viewerKey;
  QMap<int, QString> m_files;  // catalog version → its serving artifact's file

  QString data() const { return m_dir.filePath(u"data"_qs); }
  QString node() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_node.port()); }
  bool startNode() {
    return m_node.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, data()}) && m_node.waitReady();
  }
  int cli(QStringList args, QByteArray *out = nullptr, QByteArray *err = nullptr) {
    args << u"--node"_qs << node();
    return runCli(args, out, err, 60'000);
  }
  QJsonDocument json(QStringList args) {
    QByteArray out, err;
    const int code = cli(args << u"--json"_qs, &out, &err);
    if (code != 0) qWarning("lmfront %s: exit %d: %s", qPrintable(args.join(u' ')), code, err.constData());
    return QJsonDocument::fromJson(out);
  }
  QStringList states() {
    QStringList out;
    for (const auto &v : json({u"versions"_qs, u"fortunes"_qs}).array())
      out << QString::number(v[u"version"].toInteger()) + u'=' + v[u"state"].toString();
    return out;
  }
  QByteArray backendOf(const HttpReply &r) { return r.header("x-lmfront-backend"); }
  HttpReply complete() {
    return httpRequest(m_node.port(), "POST", "/v1/completions", kCompletion, {{"Content-Type", "application/json"}});
  }
  // Audit rows of fortunes after `afterRows`, as "action vN outcome actor".
  QStringList auditSince(int afterRows, QJsonArray *rows = nullptr) {
    const QJsonArray all = json({u"audit"_qs, u"--model"_qs, u"fortunes"_qs}).array();
    QStringList out;
    for (int i = afterRows; i < all.size(); ++i) {
      const QJsonObject e = all[i].toObject();
      out << e[u"action"].toString() + u" v"_qs + QString::number(e[u"version"].toInteger()) + u' ' +
                 e[u"outcome"].toString() + u' ' + e[u"actor"].toString();
      if (rows) rows->append(e);
    }
    return out;
  }
  int auditCount() { return json({u"audit"_qs, u"--model"_qs, u"fortunes"_qs}).array().size(); }

  // Versions 2 and 3 (compiled) and 4 (ARPA: slow to load), each published with its file as the
  // serving artifact, written into the catalog while the node is down (what compile and publish
  // leave behind).
  bool addPublishedVersions() {
    auto db = registry::CatalogDb::open(QString(data() + u"/catalog.db"_qs).toStdString(),
                                        {[] { return QDateTime::currentMSecsSinceEpoch(); }, false});
    if (!db) return false;
    const QList<std::pair<QString, int>> sources{{u"lmb"_qs, 400}, {u"lmb"_qs, 250}, {u"arpa"_qs, 3000}};
    int n = 0;
    for (const auto &[kind, lines] : sources) {
      const QString dir = m_dir.filePath(u"v"_qs + QString::number(++n));
      QDir().mkpath(dir);
      const QString lmb = buildFortunesModel(dir, u"fortunes"_qs, lines);
      if (lmb.isEmpty()) return false;
      const QString file = kind == u"lmb"_qs ? lmb : dir + u"/fortunes.arpa"_qs;
      const std::string sha = fileSha256(file).toStdString();
      registry::NewVersion v;
      v.sha256 = sha;
      v.bytes = QFileInfo(file).size();
      v.order = 3;
      v.submitter = "alice";
      auto number = (*db)->addVersion("fortunes", v, "alice");
      if (!number) return false;
      m_files.insert(static_cast<int>(*number), file);
      using A = registry::LifecycleAction;
      for (A a : {A::Validate, A::Approve, A::Compile, A::Publish})
        if (!(*db)->transition("fortunes", *number, a, "alice", "")) return false;
      if (!(*db)->putArtifact({sha, file.toStdString(), v.bytes, kind.toStdString(), 0}) ||
          !(*db)->setServingArtifact("fortunes", *number, sha))
        return false;
    }
    return true;
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(QDir().mkpath(data() + u"/models"_qs));
    const QString served = buildFortunesModel(m_dir.path(), u"fortunes"_qs, 600);
    QVERIFY(!served.isEmpty());
    QVERIFY(QFile::copy(served, data() + u"/models/fortunes.lmb"_qs));
    QByteArray out;
    QCOMPARE(runCli({u"keys"_qs, u"create"_qs, u"--name"_qs, u"release"_qs, u"--role"_qs, u"operator"_qs,
                     u"--data-dir"_qs, data(), u"--json"_qs},
                    &out),
             0);
    m_opsKey = QJsonDocument::fromJson(out).object()[u"key"].toString().toUtf8();
    QVERIFY(!m_opsKey.isEmpty());
    QCOMPARE(runCli({u"keys"_qs, u"create"_qs, u"--name"_qs, u"watcher"_qs, u"--role"_qs, u"viewer"_qs,
                     u"--data-dir"_qs, data(), u"--json"_qs},
                    &out),
             0);
    m_viewerKey = QJsonDocument::fromJson(out).object()[u"key"].toString().toUtf8();
    QVERIFY(!m_viewerKey.isEmpty());
    QVERIFY(startNode());  // imports the served file as version 1
    m_node.stop();
    QVERIFY(addPublishedVersions());
    QVERIFY(startNode());
    QCOMPARE(states(), (QStringList{u"1=deployed"_qs, u"2=published"_qs, u"3=published"_qs, u"4=published"_qs}));
  }
  void cleanupTestCase() { m_node.stop(); }

  void deploymentsListWhatTheCatalogHoldsFromTheStart() {
    // Nothing was deployed since this start: the model serves its file, the catalog's version 1.
    const QJsonArray all = json({u"deployments"_qs}).array();
    QCOMPARE(all.size(), 1);
    QCOMPARE(all[0][u"model"].toString(), u"fortunes"_qs);
    QCOMPARE(all[0][u"stable_version"].toInt(), 1);
    QVERIFY(!all[0][u"stable_sha256"].toString().isEmpty());
    QVERIFY(all[0][u"strategy"].isNull());
    QVERIFY(all[0][u"previous_version"].isNull());
    const HttpReply listed = httpRequest(m_node.port(), "GET", "/admin/deployments");
    QCOMPARE(listed.status, 200);
    QCOMPARE(QJsonDocument::fromJson(listed.body).object()[u"deployments"].toArray(), all);
  }

  void theLifecycleThroughTheCli() {
    const int before = auditCount();
    // replace: version 2 serves, version 1 is kept loaded for a rollback
    QJsonObject d = json({u"deploy"_qs, u"fortunes"_qs, u"2"_qs, u"--key"_qs, QString::fromUtf8(m_opsKey),
                          u"--comment"_qs, u"fewer lines"_qs})
                        .object();
    QCOMPARE(d[u"model"].toString(), u"fortunes"_qs);
    QCOMPARE(d[u"stable_version"].toInt(), 2);
    QCOMPARE(d[u"previous_version"].toInt(), 1);
    QVERIFY(d[u"strategy"].isNull());
    QCOMPARE(backendOf(complete()), QByteArray("engine:fortunes@2"));
    QCOMPARE(states(), (QStringList{u"1=published"_qs, u"2=deployed"_qs, u"3=published"_qs, u"4=published"_qs}));

    // a canary beside it, promoted, then rolled back
    d = json({u"deploy"_qs, u"fortunes"_qs, u"3"_qs, u"--strategy"_qs, u"canary"_qs, u"--percent"_qs, u"50"_qs})
            .object();
    QCOMPARE(d[u"strategy"].toString(), u"canary"_qs);
    QCOMPARE(d[u"variant_version"].toInt(), 3);
    QCOMPARE(d[u"percent"].toDouble(), 50.0);
    QCOMPARE(states(), (QStringList{u"1=published"_qs, u"2=deployed"_qs, u"3=deployed"_qs, u"4=published"_qs}));
    d = json({u"promote"_qs, u"fortunes"_qs}).object();
    QCOMPARE(d[u"stable_version"].toInt(), 3);
    QCOMPARE(d[u"previous_version"].toInt(), 2);
    QVERIFY(d[u"strategy"].isNull());
    QCOMPARE(backendOf(complete()), QByteArray("engine:fortunes@3"));
    QCOMPARE(states(), (QStringList{u"1=published"_qs, u"2=published"_qs, u"3=deployed"_qs, u"4=published"_qs}));
    d = json({u"rollback"_qs, u"fortunes"_qs}).object();
    QCOMPARE(d[u"stable_version"].toInt(), 2);
    QCOMPARE(backendOf(complete()), QByteArray("engine:fortunes@2"));
    QCOMPARE(states(), (QStringList{u"1=published"_qs, u"2=deployed"_qs, u"3=published"_qs, u"4=published"_qs}));

    // refusals: exit 1 with the reason, audited
    QByteArray out, err;
    QCOMPARE(cli({u"promote"_qs, u"fortunes"_qs}, &out, &err), 1);
    QVERIFY2(err.contains("has no canary or shadow to promote"), err.constData());
    QCOMPARE(cli({u"deploy"_qs, u"fortunes"_qs, u"2"_qs}, &out, &err), 1);
    QVERIFY2(err.contains("cannot deploy a version that is deployed"), err.constData());
    QCOMPARE(cli({u"deploy"_qs, u"fortunes"_qs, u"3"_qs, u"--max-p99-ms"_qs, u"5"_qs}, &out, &err), 1);
    QVERIFY2(err.contains("canary limits apply to a canary deploy only"), err.constData());
    QCOMPARE(cli({u"deploy"_qs, u"fortunes"_qs, u"x"_qs}, &out, &err), 2);  // usage

    QJsonArray rows;
    QCOMPARE(auditSince(before, &rows),
             (QStringList{u"deploy v2 ok release"_qs, u"supersede v1 ok release"_qs, u"deploy v3 ok local"_qs,
                          u"promote v3 ok local"_qs, u"supersede v2 ok local"_qs, u"rollback v3 ok local"_qs,
                          u"deploy v2 ok local"_qs, u"promote v0 refused local"_qs, u"deploy v2 refused local"_qs,
                          u"deploy v0 refused local"_qs}));
    QVERIFY(rows[0][u"reason"].toString().contains(u"fewer lines"_qs));
    QCOMPARE(rows[0][u"before"].toString(), u"published"_qs);
    QCOMPARE(rows[0][u"after"].toString(), u"deployed"_qs);

    // The same over HTTP: the deployments, and a rollback (roles as for the catalog's actions).
    const HttpReply listed = httpRequest(m_node.port(), "GET", "/admin/deployments");
    QCOMPARE(listed.status, 200);
    const QJsonArray all = QJsonDocument::fromJson(listed.body).object()[u"deployments"].toArray();
    QCOMPARE(all.size(), 1);
    QCOMPARE(all[0][u"stable_version"].toInt(), 2);
    QCOMPARE(json({u"deployments"_qs}).array(), all);
    const HttpReply bad = httpRequest(m_node.port(), "POST", "/admin/catalog/fortunes/deploy", R"({"version":"two"})");
    QCOMPARE(bad.status, 400);
  }

  void trafficDuringReplaceAndRollbackSeesNoFailedRequest() {
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::map<QByteArray, int> answers;  // "200 engine:fortunes@2" → count; anything else is a failure
    auto load = [&] {
      for (int i = 0; i < 20'000 && !stop.load(); ++i) {
        const HttpReply r = complete();
        std::lock_guard lock(mutex);
        ++answers[QByteArray::number(r.status) + ' ' + backendOf(r)];
      }
    };
    std::thread a(load), b(load);
    auto count = [&](const QByteArray &key) {
      std::lock_guard lock(mutex);
      return answers[key];
    };
    QTRY_VERIFY_WITH_TIMEOUT(count("200 engine:fortunes@2") > 20, 20'000);
    QCOMPARE(json({u"deploy"_qs, u"fortunes"_qs, u"3"_qs}).object()[u"stable_version"].toInt(), 3);
    QTRY_VERIFY_WITH_TIMEOUT(count("200 engine:fortunes@3") > 20, 20'000);
    const QJsonObject back = json({u"rollback"_qs, u"fortunes"_qs}).object();
    QCOMPARE(back[u"stable_version"].toInt(), 2);
    const int served2 = count("200 engine:fortunes@2");
    QTRY_VERIFY_WITH_TIMEOUT(count("200 engine:fortunes@2") > served2 + 20, 20'000);
    stop = true;
    a.join();
    b.join();
    int total = 0;
    for (const auto &[key, n] : answers) {
      QVERIFY2(key.startsWith("200 engine:fortunes@"), key.constData());
      total += n;
    }
    qInfo("%d requests during a replace and a rollback, none failed", total);
    QCOMPARE(states(), (QStringList{u"1=published"_qs, u"2=deployed"_qs, u"3=published"_qs, u"4=published"_qs}));
  }

  void twoDeploysOfOneModelSerialise() {
    client::OpsClient::Options o;
    o.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ops").arg(m_node.port()));
    client::OpsClient c(o, Clock::steady());
    c.open();
    std::vector<client::OpsReply> replies;
    // Back to back on one connection: the second arrives while the first (an ARPA file) loads.
    for (const int version : {4, 3})
      c.command(
          u"deploy"_qs, {{u"model"_qs, u"fortunes"_qs}, {u"version"_qs, version}}, &c,
          [&replies](const client::OpsReply &r) { replies.push_back(r); }, std::chrono::seconds(60));
    QTRY_COMPARE_WITH_TIMEOUT(replies.size(), std::size_t(2), 60'000);
    // The refusal comes at once, before the load ends.
    QVERIFY(!replies[0].ok());
    QCOMPARE(replies[0].error.code, client::OpsErrorCode::FailedPrecondition);
    QVERIFY2(replies[0].error.message.contains(u"a deploy of model 'fortunes' (version 4) is in progress"_qs),
             qPrintable(replies[0].error.message));
    QVERIFY2(replies[1].ok(), qPrintable(replies[1].error.message));
    QCOMPARE(replies[1].result[u"stable_version"].toInt(), 4);
    QCOMPARE(states(), (QStringList{u"1=published"_qs, u"2=published"_qs, u"3=published"_qs, u"4=deployed"_qs}));
    QJsonArray rows;
    const QStringList audited = auditSince(auditCount() - 3, &rows);
    QCOMPARE(audited,
             (QStringList{u"deploy v3 refused local"_qs, u"deploy v4 ok local"_qs, u"supersede v2 ok local"_qs}));
    QVERIFY(rows[0][u"reason"].toString().contains(u"in progress"_qs));
    QCOMPARE(json({u"rollback"_qs, u"fortunes"_qs}).object()[u"stable_version"].toInt(), 2);
  }

  void aCanaryInBreachRollsItselfBackAuditedAndAlerted() {
    // Every request goes to the canary, whose p99 cannot stay under a microsecond.
    const QJsonObject d = json({u"deploy"_qs, u"fortunes"_qs, u"3"_qs, u"--strategy"_qs, u"canary"_qs, u"--percent"_qs,
                                u"100"_qs, u"--max-p99-ms"_qs, u"0.001"_qs, u"--min-requests"_qs, u"5"_qs})
                              .object();
    QCOMPARE(d[u"variant_version"].toInt(), 3);
    QCOMPARE(d[u"limits"][u"max_p99_ms"].toDouble(), 0.001);
    const int before = auditCount();
    for (int i = 0; i < 10; ++i) QCOMPARE(complete().status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(json({u"deployments"_qs}).array()[0][u"strategy"].isNull(), 15'000);
    QCOMPARE(backendOf(complete()), QByteArray("engine:fortunes@2"));

    QJsonArray rows;
    QCOMPARE(auditSince(before, &rows), (QStringList{u"rollback v3 ok canary-guard"_qs}));
    const QString reason = rows[0][u"reason"].toString();
    QVERIFY2(reason.startsWith(u"canary breached max_p99_ms: measured "_qs), qPrintable(reason));
    QVERIFY2(reason.contains(u"> limit 0.001"_qs) && reason.contains(u"requests"_qs), qPrintable(reason));
    QCOMPARE(rows[0][u"before"].toString(), u"deployed"_qs);
    QCOMPARE(rows[0][u"after"].toString(), u"published"_qs);
    QCOMPARE(states(), (QStringList{u"1=published"_qs, u"2=deployed"_qs, u"3=published"_qs, u"4=published"_qs}));

    // The alert, through the alerting service's shipped rule.
    QJsonObject alert;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          for (const auto &a : json({u"alerts"_qs}).array())
            if (a[u"rule"].toString() == u"canary_rolled_back"_qs) alert = a.toObject();
          return !alert.isEmpty();
        }(),
        15'000);
    QCOMPARE(alert[u"state"].toString(), u"firing"_qs);
    QCOMPARE(alert[u"labels"][u"model"].toString(), u"fortunes"_qs);
  }

  void aRestartServesWhatTheCatalogDeployed() {
    // Version 3 replaces what serves; a canary of version 2 runs beside it when the node stops.
    QCOMPARE(json({u"deploy"_qs, u"fortunes"_qs, u"3"_qs}).object()[u"stable_version"].toInt(), 3);
    QCOMPARE(json({u"deploy"_qs, u"fortunes"_qs, u"2"_qs, u"--strategy"_qs, u"canary"_qs, u"--percent"_qs, u"10"_qs})
                 .object()[u"variant_version"]
                 .toInt(),
             2);
    QCOMPARE(states(), (QStringList{u"1=published"_qs, u"2=deployed"_qs, u"3=deployed"_qs, u"4=published"_qs}));
    const int before = auditCount();
    m_node.stop();
    QVERIFY(startNode());

    // Version 3 serves again, not the model file's version 1, and no request reaches the canary.
    QTRY_COMPARE_WITH_TIMEOUT(backendOf(complete()), QByteArray("engine:fortunes@3"), 15'000);
    for (int i = 0; i < 30; ++i) QCOMPARE(backendOf(complete()), QByteArray("engine:fortunes@3"));
    const QJsonArray all = json({u"deployments"_qs}).array();
    QCOMPARE(all.size(), 1);
    QCOMPARE(all[0][u"model"].toString(), u"fortunes"_qs);
    QCOMPARE(all[0][u"stable_version"].toInt(), 3);
    QVERIFY(all[0][u"strategy"].isNull());
    QVERIFY(all[0][u"variant_version"].isNull());
    // Version 3 had replaced version 2 (what the canary breach rolled back to): a rollback after
    // the restart returns there, as it would have before.
    QTRY_COMPARE_WITH_TIMEOUT(json({u"deployments"_qs}).array()[0][u"previous_version"].toInt(), 2, 15'000);

    // The canary was rolled back in the catalog, audited; version 3 stays deployed untouched.
    QCOMPARE(states(), (QStringList{u"1=published"_qs, u"2=published"_qs, u"3=deployed"_qs, u"4=published"_qs}));
    QJsonArray rows;
    QCOMPARE(auditSince(before, &rows), (QStringList{u"rollback v2 ok local"_qs}));
    QVERIFY2(rows[0][u"reason"].toString().contains(u"the node restarted"_qs),
             qPrintable(rows[0][u"reason"].toString()));
    QCOMPARE(rows[0][u"before"].toString(), u"deployed"_qs);
    QCOMPARE(rows[0][u"after"].toString(), u"published"_qs);

    QCOMPARE(json({u"rollback"_qs, u"fortunes"_qs}).object()[u"stable_version"].toInt(), 2);
    QCOMPARE(backendOf(complete()), QByteArray("engine:fortunes@2"));
    QCOMPARE(states(), (QStringList{u"1=published"_qs, u"2=deployed"_qs, u"3=published"_qs, u"4=published"_qs}));
    // Version 2 serves by a rollback, not by replacing another version: after a restart it serves
    // over the model file, whose version is the one a rollback returns to.
    m_node.stop();
    QVERIFY(startNode());
    QTRY_COMPARE_WITH_TIMEOUT(backendOf(complete()), QByteArray("engine:fortunes@2"), 15'000);
    QTRY_COMPARE_WITH_TIMEOUT(json({u"deployments"_qs}).array()[0][u"previous_version"].toInt(), 1, 15'000);
  }

  void aVersionThatCannotLoadAtRestartGoesBackToPublished() {
    QCOMPARE(json({u"deploy"_qs, u"fortunes"_qs, u"3"_qs}).object()[u"stable_version"].toInt(), 3);
    const int before = auditCount();
    m_node.stop();
    QFile artifact(m_files.value(3));
    QVERIFY(artifact.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QVERIFY(artifact.write("not a model any more\n") > 0);
    artifact.close();
    QVERIFY(startNode());

    // The catalog follows what serves: version 2, which version 3 had replaced, again.
    QTRY_COMPARE_WITH_TIMEOUT(
        states(), (QStringList{u"1=published"_qs, u"2=deployed"_qs, u"3=published"_qs, u"4=published"_qs}), 15'000);
    const HttpReply served = complete();
    QCOMPARE(served.status, 200);
    QCOMPARE(backendOf(served), QByteArray("engine:fortunes@2"));
    QJsonArray rows;
    QCOMPARE(auditSince(before, &rows), (QStringList{u"rollback v3 ok local"_qs, u"deploy v2 ok local"_qs}));
    QVERIFY2(rows[0][u"reason"].toString().contains(u"not served after the restart"_qs),
             qPrintable(rows[0][u"reason"].toString()));
    QVERIFY2(rows[1][u"reason"].toString().contains(u"the version it had replaced serves again"_qs),
             qPrintable(rows[1][u"reason"].toString()));
    const QJsonArray all = json({u"deployments"_qs}).array();
    QCOMPARE(all.size(), 1);
    QCOMPARE(all[0][u"stable_version"].toInt(), 2);
    QVERIFY(all[0][u"loading"].isNull());
  }

  void refusedCallersAreAudited() {
    const QStringList statesBefore = states();
    const int before = auditCount();
    const int everyBefore = json({u"audit"_qs}).array().size();
    const Headers viewer{{"Content-Type", "application/json"}, {"Authorization", "Bearer " + m_viewerKey}};
    // Over HTTP: a key whose role is too low, and a key the node does not know.
    HttpReply r = httpRequest(m_node.port(), "POST", "/admin/catalog/fortunes/deploy", R"({"version":2})", viewer);
    QCOMPARE(r.status, 403);
    r = httpRequest(m_node.port(), "POST", "/admin/catalog/fortunes/versions/2/retire", "{}",
                    {{"Authorization", "Bearer lmf_0000000000000000000000000000000000000000"}});
    QCOMPARE(r.status, 401);
    // Through the ops API (the CLI), a lifecycle verb and a cluster command.
    QByteArray out, err;
    QCOMPARE(cli({u"rollback"_qs, u"fortunes"_qs, u"--key"_qs, QString::fromUtf8(m_viewerKey)}, &out, &err), 1);
    const QString self = json({u"nodes"_qs}).array()[0][u"id"].toString();
    QVERIFY(!self.isEmpty());
    QCOMPARE(cli({u"drain"_qs, self, u"--key"_qs, QString::fromUtf8(m_viewerKey)}, &out, &err), 1);
    // A read the viewer may make is not a refusal.
    QCOMPARE(cli({u"versions"_qs, u"fortunes"_qs, u"--key"_qs, QString::fromUtf8(m_viewerKey)}, &out, &err), 0);

    QJsonArray rows;
    QTRY_COMPARE_WITH_TIMEOUT(auditSince(before, &rows),
                              (QStringList{u"deploy v0 refused watcher"_qs, u"retire v2 refused unauthenticated"_qs,
                                           u"rollback v0 refused watcher"_qs}),
                              5'000);
    for (const auto &row : rows)
      QVERIFY2(row[u"reason"].toString().contains(u"this needs the operator role"_qs) ||
                   row[u"actor"].toString() == u"unauthenticated"_qs,
               qPrintable(row[u"reason"].toString()));
    QCOMPARE(rows[1][u"before"].toString(), rows[1][u"after"].toString());
    const QJsonArray every = json({u"audit"_qs}).array();
    QCOMPARE(every.size(), everyBefore + 4);
    QCOMPARE(every.last()[u"action"].toString(), u"drain"_qs);
    QCOMPARE(every.last()[u"actor"].toString(), u"watcher"_qs);
    QCOMPARE(every.last()[u"outcome"].toString(), u"refused"_qs);
    QCOMPARE(states(), statesBefore);  // nothing refused changed anything
    const HttpReply health = httpRequest(m_node.port(), "GET", "/readyz");
    QCOMPARE(health.status, 200);  // the refused drain did not drain
  }

  void aReplicaCountOutsideAClusterIsRefused() {
    const int before = auditCount();
    const QByteArray serving = backendOf(complete());
    QByteArray out, err;
    QCOMPARE(cli({u"deploy"_qs, u"fortunes"_qs, u"3"_qs, u"--replicas"_qs, u"2"_qs}, &out, &err), 1);
    QVERIFY2(err.contains("\"replicas\": 2 asked, but this node is not in a cluster"), err.constData());
    QCOMPARE(auditSince(before), QStringList{u"deploy v3 refused local"_qs});
    QCOMPARE(backendOf(complete()), serving);
  }
};

QTEST_MAIN(TstDeployCli)
#include "tst_deploycli.moc"
