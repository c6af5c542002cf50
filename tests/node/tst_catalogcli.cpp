// The catalog of a real lmfrontd through the real `lmfront` CLI and the node's HTTP API
// (docs/models.md): a data-dir model imported as version 1 deployed, the import idempotent across
// restarts and a changed file becoming version 2, the verbs' exact JSON keys, a refused action
// audited with its reason and exit code 1, roles (a viewer reads but may not retire), the actor
// being the API key's name or "local", and the audit as JSON and CSV.
#include "../support/daemonharness.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront::testing;

namespace {
QStringList sortedKeys(const QJsonObject &o) {
  QStringList k = o.keys();
  k.sort();
  return k;
}
}  // namespace

class TstCatalogCli : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  Daemon m_node;
  QString m_changed;  // another model, to replace the served file with
  QByteArray m_opsKey, m_viewerKey;

  QString data() const { return m_dir.filePath(u"data"_qs); }
  QString node() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_node.port()); }
  bool startNode() {
    return m_node.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, data()}) && m_node.waitReady();
  }
  int cli(QStringList args, QByteArray *out = nullptr, QByteArray *err = nullptr) {
    args << u"--node"_qs << node();
    return runCli(args, out, err, 30'000);
  }
  QJsonDocument json(QStringList args) {
    QByteArray out, err;
    const int code = cli(args << u"--json"_qs, &out, &err);
    if (code != 0) qWarning("lmfront %s: exit %d: %s", qPrintable(args.join(u' ')), code, err.constData());
    return QJsonDocument::fromJson(out);
  }
  QByteArray createKey(const QString &name, const QString &role) {
    QByteArray out;
    if (runCli(
            {u"keys"_qs, u"create"_qs, u"--name"_qs, name, u"--role"_qs, role, u"--data-dir"_qs, data(), u"--json"_qs},
            &out) != 0)
      return {};
    return QJsonDocument::fromJson(out).object()[u"key"].toString().toUtf8();
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(QDir().mkpath(data() + u"/models"_qs));
    const QString served = buildFortunesModel(m_dir.path(), u"fortunes"_qs, 600);
    QVERIFY(!served.isEmpty());
    QVERIFY(QFile::copy(served, data() + u"/models/fortunes.lmb"_qs));
    QVERIFY(QDir().mkpath(m_dir.filePath(u"other"_qs)));
    m_changed = buildFortunesModel(m_dir.filePath(u"other"_qs), u"fortunes"_qs, 300);
    QVERIFY(!m_changed.isEmpty());
    m_opsKey = createKey(u"ops"_qs, u"operator"_qs);
    m_viewerKey = createKey(u"watcher"_qs, u"viewer"_qs);
    QVERIFY(!m_opsKey.isEmpty() && !m_viewerKey.isEmpty());
    QVERIFY(startNode());
  }
  void cleanupTestCase() { m_node.stop(); }

  void aServedModelIsImportedOnceAndAChangedFileIsANewVersion() {
    QJsonArray models = json({u"models"_qs}).array();
    QCOMPARE(models.size(), 1);
    QJsonObject fortunes = models[0].toObject();
    QCOMPARE(fortunes[u"name"].toString(), u"fortunes"_qs);
    QJsonArray versions = fortunes[u"versions"].toArray();
    QCOMPARE(versions.size(), 1);
    const QString sha = versions[0][u"sha256"].toString();
    QCOMPARE(sha.size(), 64);
    QCOMPARE(versions[0][u"state"].toString(), u"deployed"_qs);
    // The served .lmb file is the version's serving artifact: keyed by the whole file's sha256
    // (what sha256sum prints), not by the payload's.
    QFile lmb(data() + u"/models/fortunes.lmb"_qs);
    QVERIFY(lmb.open(QIODevice::ReadOnly));
    const QString fileSha =
        QString::fromLatin1(QCryptographicHash::hash(lmb.readAll(), QCryptographicHash::Sha256).toHex());
    QCOMPARE(versions[0][u"artifact_sha256"].toString(), fileSha);
    QVERIFY(fileSha != sha);

    m_node.stop();  // the same file again: nothing new
    QVERIFY(startNode());
    versions = json({u"versions"_qs, u"fortunes"_qs}).array();
    QCOMPARE(versions.size(), 1);
    QCOMPARE(versions[0][u"sha256"].toString(), sha);

    m_node.stop();  // another file under the same name: version 2, and version 1 retired
    QVERIFY(QFile::remove(data() + u"/models/fortunes.lmb"_qs));
    QVERIFY(QFile::copy(m_changed, data() + u"/models/fortunes.lmb"_qs));
    QVERIFY(startNode());
    versions = json({u"versions"_qs, u"fortunes"_qs}).array();
    QCOMPARE(versions.size(), 2);
    QCOMPARE(versions[0][u"state"].toString(), u"retired"_qs);
    QCOMPARE(versions[1][u"state"].toString(), u"deployed"_qs);
    QCOMPARE(versions[1][u"version"].toInt(), 2);
    QVERIFY(versions[1][u"sha256"].toString() != sha);
    for (const char16_t *key : {u"version", u"state", u"sha256", u"created", u"depends_on"})
      QVERIFY2(versions[1].toObject().contains(QString::fromUtf16(key)), qPrintable(QString::fromUtf16(key)));
    QVERIFY(versions[1][u"depends_on"].isArray());
  }

  void aRefusedActionFailsAndIsAudited() {
    QByteArray out, err;
    QCOMPARE(cli({u"approve"_qs, u"fortunes"_qs, u"2"_qs, u"--comment"_qs, u"lgtm"_qs}, &out, &err), 1);
    QVERIFY2(err.contains("cannot approve a version that is deployed (approve is allowed from: validated)"),
             err.constData());
    QCOMPARE(cli({u"approve"_qs, u"fortunes"_qs, u"two"_qs}, &out, &err), 2);  // usage

    const QJsonArray rows = json({u"audit"_qs, u"--model"_qs, u"fortunes"_qs}).array();
    QVERIFY(!rows.isEmpty());
    const QJsonObject last = rows.last().toObject();
    QCOMPARE(sortedKeys(last), (QStringList{u"action"_qs, u"actor"_qs, u"after"_qs, u"before"_qs, u"model"_qs,
                                            u"outcome"_qs, u"reason"_qs, u"time"_qs, u"version"_qs}));
    QCOMPARE(last[u"action"].toString(), u"approve"_qs);
    QCOMPARE(last[u"actor"].toString(), u"local"_qs);
    QCOMPARE(last[u"outcome"].toString(), u"refused"_qs);
    QCOMPARE(last[u"before"].toString(), u"deployed"_qs);
    QVERIFY(last[u"reason"].toString().contains(u"(comment: lgtm)"_qs));
    QCOMPARE(rows[0][u"action"].toString(), u"import"_qs);
  }

  void rolesAndTheActorsName() {
    const auto viewer = Headers{{"Authorization", "Bearer " + m_viewerKey}};
    QCOMPARE(httpRequest(m_node.port(), "GET", "/admin/catalog", {}, viewer).status, 200);
    QCOMPARE(httpRequest(m_node.port(), "GET", "/admin/catalog/fortunes/versions", {}, viewer).status, 200);
    QCOMPARE(httpRequest(m_node.port(), "POST", "/admin/catalog/fortunes/versions/2/retire", {}, viewer).status, 403);
    QCOMPARE(httpRequest(m_node.port(), "GET", "/admin/catalog/nosuch/versions", {}, viewer).status, 404);

    const QJsonObject retired = json({u"retire"_qs, u"fortunes"_qs, u"2"_qs, u"--comment"_qs, u"superseded"_qs,
                                      u"--key"_qs, QString::fromLatin1(m_opsKey)})
                                    .object();
    QCOMPARE(retired[u"state"].toString(), u"retired"_qs);
    QCOMPARE(retired[u"version"].toInt(), 2);
    const QJsonObject last = json({u"audit"_qs, u"--model"_qs, u"fortunes"_qs}).array().last().toObject();
    QCOMPARE(last[u"actor"].toString(), u"ops"_qs);
    QCOMPARE(last[u"action"].toString(), u"retire"_qs);
    QCOMPARE(last[u"after"].toString(), u"retired"_qs);
    QCOMPARE(last[u"reason"].toString(), u"superseded"_qs);
    QCOMPARE(last[u"outcome"].toString(), u"ok"_qs);
  }

  void auditAsCsvAndFiltered() {
    QByteArray out;
    QCOMPARE(cli({u"audit"_qs, u"--format"_qs, u"csv"_qs}, &out), 0);
    QVERIFY2(out.startsWith("time,actor,action,model,version,before,after,reason,outcome\r\n"), out.constData());
    QVERIFY(out.contains(",ops,retire,fortunes,2,deployed,retired,superseded,ok\r\n"));
    QCOMPARE(json({u"audit"_qs, u"--since"_qs, u"2999-01-01T00:00:00Z"_qs}).array().size(), 0);
    QCOMPARE(json({u"audit"_qs, u"--model"_qs, u"nosuch"_qs}).array().size(), 0);
    const auto csv = httpRequest(m_node.port(), "GET", "/admin/audit?format=csv&model=fortunes");
    QCOMPARE(csv.status, 200);
    QVERIFY(csv.header("content-type").startsWith("text/csv"));
    QCOMPARE(httpRequest(m_node.port(), "GET", "/admin/audit?since=yesterday").status, 400);
  }
};

QTEST_GUILESS_MAIN(TstCatalogCli)
#include "tst_catalogcli.moc"
